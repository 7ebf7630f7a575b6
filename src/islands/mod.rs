//! The parts of pages that run in the browser: the only code in the WASM.
//!
//! Pages are server components: rendered on the server, never shipped. An
//! `#[island]` is rendered there too, with its props written into the page,
//! and then hydrated in the browser. Everything else the browser does, it
//! does with Leptos' islands router: a link click or a form post fetches the
//! next page from the server and patches the document in place.
//!
//! An island earns its bytes by doing what the server cannot: react to
//! keys, read what only the browser knows (`document.cookie`, the clock),
//! talk to other tabs. Forms are plain posts to server functions: the
//! server-function client and `ActionForm` cost about 60 KiB of brotli-
//! compressed WASM (issue 15 measured it on a scratch app).
//!
//! The islands router is Leptos 0.8.23's script with fixes, in
//! `router.js`, put in every page by [`IslandsRouter`]. Leptos' own patches
//! the new page into the document by walking both in step, and three bugs
//! broke sesame's pages (no release has fixes yet; the copy marks each
//! change "sesame:"):
//! - it skipped an island *and the node after it* without comparing them:
//!   a field's error appearing just after a password input (an island)
//!   left the rest of the page compared out of step, and a later success
//!   message never showed;
//! - a keyed list whose keys all changed (`/users?page=2` after page 1)
//!   came out empty, and nothing after it was patched;
//! - a node replaced by one of another kind or tag left its walker on a
//!   detached node: the diff stopped there, silently.
//!
//! It also never removed an attribute the new page no longer had; it does
//! now. A page it still cannot patch is loaded the ordinary way.
//!
//! Browser APIs beyond what Leptos itself uses are in `browser`, built into
//! the WASM only; the server build gets `no_browser`, the same functions
//! doing nothing (an island's effects never run on the server anyway).
#[cfg(feature = "hydrate")]
mod browser;
#[cfg(not(feature = "hydrate"))]
#[path = "no_browser.rs"]
mod browser;
mod countdown;
mod cross_tab;
mod password;
mod script_cookies;

pub use countdown::SessionCountdown;

use leptos::{nonce::use_nonce, prelude::*};

/// The islands router: link clicks and form posts fetch the next page and
/// patch it into this one. Inline, with the page's CSP nonce.
#[component]
pub fn IslandsRouter() -> impl IntoView {
    view! { <script type="module" nonce=use_nonce()>{include_str!("router.js")}</script> }
}
pub use cross_tab::CrossTab;
pub use password::PasswordInput;
pub use script_cookies::ScriptCookies;
