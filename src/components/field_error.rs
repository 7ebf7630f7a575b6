//! The message shown next to a form field that failed validation.
use crate::error::AppError;
use leptos::prelude::*;

/// Shows the message for `field` from the last result of an action, if any.
#[component]
pub fn FieldMessage<T>(
    /// The action's last result.
    result: Signal<Option<Result<T, AppError>>>,
    /// The form field's name.
    field: &'static str,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let message = move || {
        result.with(|r| match r {
            Some(Err(err)) => err.field_message(field).map(str::to_owned),
            _ => None,
        })
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="field-error" role="alert" id=format!("{field}-error")>
                {message}
            </p>
        </Show>
    }
}
