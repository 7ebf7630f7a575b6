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
//! server-function client and `ActionForm` would cost ~60 KiB of WASM.
//!
//! The islands router's diff (leptos 0.8.23, `islands_routing.js`) skips an
//! island and also the node right after it without comparing them. When
//! that node is a branch marker that changed (a field's error appearing),
//! the rest of the page is compared out of step and the new content never
//! shows. So every island here is followed by a node that is the same on
//! every render: an element such as `FieldMessage`'s wrapper, not a branch.
//! When an island is its parent's last child, the router compares its
//! insides with the new page's instead: only `SessionCountdown` is, and
//! its text is meant to follow the server.
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
pub use cross_tab::CrossTab;
pub use password::PasswordInput;
pub use script_cookies::ScriptCookies;
