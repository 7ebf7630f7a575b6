//! Sign-in changes reach every open tab of the browser, without a reload.
use super::browser;
use leptos::prelude::*;

/// Renders nothing. A tab whose signed-in user changes (the navigation bar's
/// `data-user` after a log-in, a log-out...) tells the other tabs on a
/// `BroadcastChannel`; a tab that hears of a user other than its own fetches
/// its page again through the islands router. On focus, a tab asks the
/// server who is signed in, which catches what no tab of this browser did:
/// a session revoked from another device, a password changed elsewhere.
#[island]
pub fn CrossTab() -> impl IntoView {
    Effect::new(|_| browser::cross_tab());
}
