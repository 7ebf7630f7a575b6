//! `/register`: a new account, signed in at once.
use crate::{
    auth::context::Auth,
    components::{ErrorMessage, Field, PasswordField},
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn RegisterPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let result: Signal<_> = auth.register.value().into();
    view! {
        <Title text="Register" />
        <h1>"Create an account"</h1>
        <ActionForm action=auth.register attr:class="stack" attr:novalidate=true>
            <Field id="register-username" label="Username" name="username" kind="text" autocomplete="username" result />
            <Field id="register-email" label="Email" name="email" kind="email" autocomplete="email" result />
            <PasswordField id="register-password" label="Password" name="password" autocomplete="new-password" result />
            <ErrorMessage result />
            <button type="submit">"Create account"</button>
        </ActionForm>
    }
}
