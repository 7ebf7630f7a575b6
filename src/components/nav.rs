//! The navigation bar on every page.
use crate::app::Auth;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Nav() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let who = move || {
        Suspend::new(async move {
            match auth.user.await {
                Ok(Some(user)) => view! {
                    <span class="nav-user">"Signed in: " <A href="/profile">{user.username}</A></span>
                }
                .into_any(),
                _ => view! { <A href="/register">"Register"</A> }.into_any(),
            }
        })
    };
    view! {
        <nav class="nav" aria-label="Main">
            <A href="/">"Home"</A>
            <A href="/cookies">"Cookies"</A>
            <A href="/session">"Session"</A>
            <A href="/profile">"Profile"</A>
            <A href="/users">"Users"</A>
            <A href="/login">"Log in"</A>
            <Transition>{who}</Transition>
        </nav>
    }
}
