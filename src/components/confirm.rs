//! "Confirm your password": what a page shows before a sensitive change
//! when this session has no recent sign-in proof (`REAUTH_MINUTES`).
use super::{
    field_error::{ErrorMessage, Field, PasswordField},
    passkey::ConfirmWithPasskey,
};
use crate::{
    auth::{
        api::{proof_needed, Reauthenticate},
        context::Auth,
    },
    sign_in::ProofState,
};
use leptos::prelude::*;

/// Whether a change on this page must wait for [`ConfirmPassword`]; `None`
/// for a visitor. Made outside the page's Suspense (leptos #4866).
pub fn proof_state(auth: Auth) -> Resource<Option<ProofState>> {
    Resource::new(
        || (),
        move |_| async move {
            if auth.is_signed_in().await {
                proof_needed().await.ok()
            } else {
                None
            }
        },
    )
}

/// The form; a post proves it and comes back to the page, which then shows
/// the change's own form. With `code` (two-factor is on), the password
/// needs an authentication code with it; with `passkey` (the user has
/// one), a button to prove it with a passkey instead.
#[component]
pub fn ConfirmPassword(
    #[prop(optional)] passkey: bool,
    #[prop(optional)] code: bool,
) -> impl IntoView {
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
                {code.then(|| view! {
                    <Field id="confirm-code" label="Authentication code" name="code" kind="text" autocomplete="one-time-code" result />
                })}
                <ErrorMessage result />
                <button type="submit">"Confirm password"</button>
            </ActionForm>
            {passkey.then(|| view! { <ConfirmWithPasskey /> })}
        </section>
    }
}
