//! `/login`: the login form (Flask-Login's `login_user`).
use crate::{
    auth::context::Auth,
    components::{ErrorMessage, PasskeySignIn},
    islands::PasswordInput,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn LoginPage() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let query = use_query_map();
    let next = move || query.read().get("next").unwrap_or_default();
    view! {
        <Title text="Log in" />
        <h1>"Log in"</h1>
        <ActionForm action=auth.login attr:class="stack" attr:novalidate=true>
            <input type="hidden" name="next" value=next />
            <label for="login-username">"Username"</label>
            // "webauthn": the browser may offer passkeys in this field's autofill.
            <input id="login-username" type="text" name="username" autocomplete="username webauthn" />
            <label for="login-password">"Password"</label>
            <PasswordInput id="login-password".to_owned() name="password".to_owned() autocomplete="current-password".to_owned() />
            <label class="check">
                <input type="checkbox" name="remember" value="on" />
                "Remember me"
            </label>
            <ErrorMessage result=auth.login.value().into() />
            <button type="submit">"Log in"</button>
        </ActionForm>
        <PasskeySignIn next=next() />
        <p>"No account yet? " <a href="/register">"Create one"</a></p>
    }
}
