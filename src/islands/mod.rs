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
//! `router.js`, loaded by every page through [`IslandsRouter`] from
//! [`router_path`], a name with the script's hash: cached like the WASM,
//! rather than inline in every page and every page the router fetches. Leptos' own patches
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

use leptos::prelude::*;

/// The islands router's script.
pub const ROUTER_JS: &str = include_str!("router.js");

/// The passkey buttons' script: plain JavaScript, not an island (it says
/// why at its top).
pub const PASSKEYS_JS: &str = include_str!("passkeys.js");

/// `/pkg/<name>.<hash>.js`, the hash of `script` (FNV-1a, enough to tell
/// versions apart): `caching` lets browsers keep it a year, and a changed
/// script gets a new name.
fn hashed_path(name: &str, script: &str) -> String {
    let hash = script.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    format!("/pkg/{name}.{hash:016x}.js")
}

/// Where the server serves [`ROUTER_JS`] (`startup::router`).
pub fn router_path() -> &'static str {
    static PATH: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hashed_path("islands-router", ROUTER_JS));
    &PATH
}

/// Where the server serves [`PASSKEYS_JS`] (`startup::router`).
pub fn passkeys_path() -> &'static str {
    static PATH: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hashed_path("passkeys", PASSKEYS_JS));
    &PATH
}

/// The islands router (link clicks and form posts fetch the next page and
/// patch it into this one) and the passkey buttons' script.
#[component]
pub fn IslandsRouter() -> impl IntoView {
    view! {
        <script type="module" src=router_path()></script>
        <script type="module" src=passkeys_path()></script>
    }
}
pub use cross_tab::CrossTab;
pub use password::PasswordInput;
pub use script_cookies::ScriptCookies;
