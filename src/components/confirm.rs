//! "Confirm your password": what a page shows before a sensitive change
//! when this session has no recent sign-in proof (`REAUTH_MINUTES`).
use super::field_error::{ErrorMessage, PasswordField};
use crate::auth::api::Reauthenticate;
use leptos::prelude::*;

/// The form; a post proves it and comes back to the page, which then shows
/// the change's own form.
#[component]
pub fn ConfirmPassword() -> impl IntoView {
    let confirm = ServerAction::<Reauthenticate>::new();
    let result: Signal<_> = confirm.value().into();
    view! {
        <section class="confirm" aria-labelledby="confirm-heading">
            <h2 id="confirm-heading">"Confirm your password"</h2>
            <p class="muted">
                "This change needs a sign-in from the last few minutes. Type your password to go on."
            </p>
            <ActionForm action=confirm attr:class="stack" attr:novalidate=true>
                <PasswordField id="confirm-password" label="Password" name="password" autocomplete="current-password" result />
                <ErrorMessage result />
                <button type="submit">"Confirm password"</button>
            </ActionForm>
        </section>
    }
}
