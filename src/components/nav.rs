//! The navigation bar on every page: the sign-in links for a visitor; the
//! username and a `Log out` button (a form: it works without JavaScript)
//! for a signed-in user.
//!
//! Plain links: the islands router makes them in-page navigations, and the
//! server marks the current page's with `aria-current`, as the router's
//! `<A>` would (whose text children come wrapped in branch markers).
use crate::auth::context::Auth;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

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
                        <a href="/profile">{user.username}</a>
                        <ActionForm action=auth.logout attr:class="nav-form">
                            <button type="submit" class="link-button">"Log out"</button>
                        </ActionForm>
                    </span>
                }
                .into_any(),
                _ => view! {
                    <NavLink href="/login" label="Log in" />
                    <NavLink href="/register" label="Register" />
                }
                .into_any(),
            }
        })
    };
    view! {
        <nav class="nav" aria-label="Main">
            <NavLink href="/" label="Home" />
            <NavLink href="/cookies" label="Cookies" />
            <NavLink href="/session" label="Session" />
            <NavLink href="/profile" label="Profile" />
            <NavLink href="/users" label="Users" />
            <NavLink href="/how-it-works" label="How it works" />
            <Transition>{who}</Transition>
        </nav>
    }
}

/// A link that says so when it is the current page (or a page under it).
#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    let path = use_location().pathname.get_untracked();
    let here = path == href || (href != "/" && path.starts_with(&format!("{href}/")));
    view! {
        <a href=href aria-current=here.then_some("page")>
            {label}
        </a>
    }
}

/// `See what changed`: from a page whose action changed a cookie or the
/// session, to the picture of both.
#[component]
pub fn SeeWhatChanged() -> impl IntoView {
    view! {
        <p class="see-changed">
            <a href="/how-it-works">"See what changed"</a>
        </p>
    }
}
