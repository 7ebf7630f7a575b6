//! `/profile/password`: a new password, given the current one. Every other
//! session of the user ends; this one stays signed in. Like every
//! sensitive change, it needs a sign-in proof from the last
//! `REAUTH_MINUTES` first.
use crate::{
    auth::api::ChangePassword,
    auth::context::Auth,
    components::{proof_state, ConfirmPassword, ErrorMessage, PasswordField, SignedIn},
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn PasswordPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let change = ServerAction::<ChangePassword>::new();
    let result: Signal<_> = change.value().into();
    // The change redirects here with `?changed`.
    let query = use_query_map();
    let done = move || query.read().get("changed").is_some();
    let stale = proof_state(auth);
    let form = move || {
        Suspend::new(async move {
            if let Some(proof) = stale.await.filter(|p| p.needed) {
                return view! { <ConfirmPassword passkey=proof.passkey code=proof.code /> }
                    .into_any();
            }
            view! {
                <ActionForm action=change attr:class="stack" attr:novalidate=true>
                    <PasswordField id="password-current" label="Current password" name="current" autocomplete="current-password" result />
                    <PasswordField id="password-new" label="New password" name="new" autocomplete="new-password" result />
                    <ErrorMessage result />
                    <button type="submit">"Change password"</button>
                </ActionForm>
            }
            .into_any()
        })
    };
    view! {
        <Title text="Change password" />
        <SignedIn children=move |_user| {
            view! {
                <h1>"Change password"</h1>
                <Suspense>{form}</Suspense>
                <Show when=done>
                    <p role="status">"Your password was changed. Your other sessions were signed out."</p>
                </Show>
            }
        } />
    }
}
