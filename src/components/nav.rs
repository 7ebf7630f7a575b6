//! The navigation bar on every page: the sign-in links for a visitor; the
//! username and a `Log out` button (a form: it works without JavaScript)
//! for a signed-in user.
use crate::auth::context::Auth;
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn Nav() -> impl IntoView {
    let auth = expect_context::<Auth>();
    let who = move || {
        Suspend::new(async move {
            match auth.user.await {
                Ok(Some(user)) => view! {
                    // data-user: who this page is for, as the cross-tab
                    // island compares it (src/islands/browser.rs).
                    <span class="nav-user" data-user=user.id>
                        <A href="/profile">{user.username}</A>
                        <ActionForm action=auth.logout attr:class="nav-form">
                            <button type="submit" class="link-button">"Log out"</button>
                        </ActionForm>
                    </span>
                }
                .into_any(),
                _ => view! {
                    <A href="/login">"Log in"</A>
                    <A href="/register">"Register"</A>
                }
                .into_any(),
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
            <A href="/how-it-works">"How it works"</A>
            <Transition>{who}</Transition>
        </nav>
    }
}

/// `See what changed`: from a page whose action changed a cookie or the
/// session, to the picture of both.
#[component]
pub fn SeeWhatChanged() -> impl IntoView {
    view! {
        <p class="see-changed">
            <A href="/how-it-works">"See what changed"</A>
        </p>
    }
}
