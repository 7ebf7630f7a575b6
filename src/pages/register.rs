//! `/register`: a new account, signed in at once.
use crate::{
    app::Auth,
    components::{ErrorMessage, FieldMessage},
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
            <label for="register-username">"Username"</label>
            <input id="register-username" type="text" name="username" autocomplete="username" />
            <FieldMessage result field="username" />
            <label for="register-email">"Email"</label>
            <input id="register-email" type="email" name="email" autocomplete="email" />
            <FieldMessage result field="email" />
            <label for="register-password">"Password"</label>
            <input id="register-password" type="password" name="password" autocomplete="new-password" />
            <FieldMessage result field="password" />
            <ErrorMessage result />
            <button type="submit">"Create account"</button>
        </ActionForm>
    }
}
