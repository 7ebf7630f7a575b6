//! A guard for pages that need a signed-in user.
use crate::{auth::context::Auth, sign_in::redirect::login_url, users::Account};
use leptos::prelude::*;
use leptos_router::{components::Redirect, hooks::use_location};

/// Renders `children` with the signed-in user; anyone else is sent to
/// `/login?next=<this page>` (a real HTTP redirect during the server render,
/// a client-side navigation after hydration).
#[component]
pub fn SignedIn<F, V>(children: F) -> impl IntoView
where
    F: Fn(Account) -> V + Send + Sync + Clone + 'static,
    V: IntoView + 'static,
{
    let auth = expect_context::<Auth>();
    let location = use_location();
    view! {
        <Transition>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match auth.user.await {
                        Ok(Some(user)) => children(user).into_any(),
                        _ => {
                            let search = location.search.get_untracked();
                            let here = if search.is_empty() {
                                location.pathname.get_untracked()
                            } else {
                                format!("{}?{search}", location.pathname.get_untracked())
                            };
                            let to = login_url(&here);
                            // Leptos answers 302 only to clients that ask for
                            // HTML; a protected page redirects every client.
                            #[cfg(feature = "ssr")]
                            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                                res.set_status(http::StatusCode::FOUND);
                            }
                            view! { <Redirect path=to /> }.into_any()
                        }
                    }
                })
            }}
        </Transition>
    }
}
