//! `/profile/password`: a new password, given the current one. Every other
//! session of the user ends; this one stays signed in.
use crate::{
    auth::api::ChangePassword,
    components::{ErrorMessage, FieldMessage, SignedIn},
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
                    <label for="password-current">"Current password"</label>
                    <input id="password-current" type="password" name="current" autocomplete="current-password" />
                    <FieldMessage result field="current" />
                    <label for="password-new">"New password"</label>
                    <input id="password-new" type="password" name="new" autocomplete="new-password" />
                    <FieldMessage result field="new" />
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
