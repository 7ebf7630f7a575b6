//! `/cookies`: the cookie demo (Flask's `request.cookies.get('username')`).
use crate::{
    components::{Field, SeeWhatChanged},
    cookies::api::{get_cookie, DeleteCookie, SetCookie},
    islands::ScriptCookies,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CookiesPage() -> impl IntoView {
    let set = ServerAction::<SetCookie>::new();
    let delete = ServerAction::<DeleteCookie>::new();
    // Read on the server for every page; after a set or delete, the post's
    // redirect brings the page again.
    let name = Resource::new(|| (), |_| get_cookie());
    let greeting = move || {
        Suspend::new(async move {
            match name.await {
                Ok(Some(name)) => format!("Hello, {name}!"),
                _ => "Hello, Guest!".to_owned(),
            }
        })
    };

    view! {
        <Title text="Cookies" />
        <h1>"Cookies"</h1>
        <Transition>
            <p class="greeting" data-testid="greeting">
                {greeting}
            </p>
        </Transition>
        <ActionForm action=set attr:class="stack" attr:novalidate=true>
            <Field id="cookie-name" label="Name" name="name" kind="text" autocomplete="off" result=set.value().into() />
            <button type="submit">"Set cookie"</button>
        </ActionForm>
        <ActionForm action=delete>
            <button type="submit">"Delete cookie"</button>
        </ActionForm>
        <ScriptCookies />
        <SeeWhatChanged />
    }
}
