//! `/login/2fa`: the second step of a sign-in with two-factor on.
use crate::{
    auth::two_factor::LoginTwoFactor,
    components::{ErrorMessage, Field},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginTwoFactorPage() -> impl IntoView {
    let verify = ServerAction::<LoginTwoFactor>::new();
    let result: Signal<_> = verify.value().into();
    view! {
        <Title text="Two-factor authentication" />
        <h1>"Two-factor authentication"</h1>
        <p>"Enter the code from your authenticator app, or one of your recovery codes."</p>
        <ActionForm action=verify attr:class="stack" attr:novalidate=true>
            <Field id="login-code" label="Authentication code" name="code" kind="text" autocomplete="one-time-code" result />
            <ErrorMessage result />
            <button type="submit">"Verify"</button>
        </ActionForm>
        <p><a href="/login">"Start again"</a></p>
    }
}
