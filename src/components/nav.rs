//! The navigation bar on every page.
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Nav() -> impl IntoView {
    view! {
        <nav class="nav" aria-label="Main">
            <A href="/">"Home"</A>
            <A href="/cookies">"Cookies"</A>
            <A href="/profile">"Profile"</A>
            <A href="/users">"Users"</A>
            <A href="/login">"Log in"</A>
        </nav>
    }
}
