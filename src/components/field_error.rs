//! Form fields and the messages of a failed action: next to a field, or for
//! the whole form.
use crate::{error::AppError, islands::PasswordInput};
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
            Some(Err(err)) => err.field_problem(field).map(|p| p.to_string()),
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

/// Shows an action's error that is not about one field (wrong credentials,
/// too many attempts...).
#[component]
pub fn ErrorMessage<T>(result: Signal<Option<Result<T, AppError>>>) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    let message = move || {
        result.with(|r| match r {
            Some(Err(AppError::Validation(_))) | None | Some(Ok(_)) => None,
            Some(Err(err)) => Some(err.to_string()),
        })
    };
    view! {
        <Show when=move || message().is_some()>
            <p class="error" role="alert">
                {message}
            </p>
        </Show>
    }
}

/// A labelled input with the message for it from the last result: the one
/// shape of every form field of the app.
#[component]
pub fn Field<T>(
    /// The input's `id`, which the label points at.
    id: &'static str,
    label: &'static str,
    /// The form field's name (and the field an error names).
    name: &'static str,
    /// The input's `type`.
    kind: &'static str,
    autocomplete: &'static str,
    /// The action's last result.
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    view! {
        <label for=id>{label}</label>
        <input id=id type=kind name=name autocomplete=autocomplete />
        <FieldMessage result field=name />
    }
}

/// [`Field`] for a password: the input is the [`PasswordInput`] island
/// (show what was typed, Caps Lock warning).
#[component]
pub fn PasswordField<T>(
    id: &'static str,
    label: &'static str,
    name: &'static str,
    autocomplete: &'static str,
    result: Signal<Option<Result<T, AppError>>>,
) -> impl IntoView
where
    T: Send + Sync + 'static,
{
    view! {
        <label for=id>{label}</label>
        <PasswordInput id=id.to_owned() name=name.to_owned() autocomplete=autocomplete.to_owned() />
        <FieldMessage result field=name />
    }
}
