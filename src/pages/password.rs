//! `/profile/password`: a new password, given the current one. Every other
//! session of the user ends; this one stays signed in.
use crate::{
    auth::api::ChangePassword,
    components::{ErrorMessage, Field, SignedIn},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let result: Signal<_> = change.value().into();
    let done = move || matches!(result.get(), Some(Ok(())));
    view! {
        <Title text="Change password" />
        <SignedIn children=move |_user| {
            view! {
                <h1>"Change password"</h1>
                <ActionForm action=change attr:class="stack" attr:novalidate=true>
                    <Field id="password-current" label="Current password" name="current" kind="password" autocomplete="current-password" result />
                    <Field id="password-new" label="New password" name="new" kind="password" autocomplete="new-password" result />
                    <ErrorMessage result />
                    <button type="submit">"Change password"</button>
                </ActionForm>
                <Show when=done>
                    <p role="status">"Your password was changed. Your other sessions were signed out."</p>
                </Show>
            }
        } />
    }
}
