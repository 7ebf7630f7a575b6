//! sesame: sessions, cookies and a login system for Leptos + Axum.
//!
//! One crate, two builds: the server binary (`ssr`) and the browser WASM
//! (`hydrate`). This file is the module tree and the WASM entry point only.
pub mod account;
pub mod activity;
pub mod app;
pub mod auth;
pub mod components;
pub mod cookies;
pub mod devices;
pub mod error;
pub mod how_it_works;
pub mod islands;
pub mod notes;
pub mod pages;
pub mod passkeys;
pub mod session;
pub mod sign_in;
pub mod two_factor;
pub mod users;

#[cfg(feature = "ssr")]
pub mod api_guard;
#[cfg(feature = "ssr")]
pub mod caching;
#[cfg(feature = "ssr")]
pub mod cli;
#[cfg(feature = "ssr")]
pub mod client;
#[cfg(feature = "ssr")]
pub mod clock;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod credentials;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod files;
#[cfg(feature = "ssr")]
pub mod flash;
#[cfg(feature = "ssr")]
pub mod health;
#[cfg(feature = "ssr")]
pub mod metrics;
#[cfg(feature = "ssr")]
pub mod outage;
#[cfg(feature = "ssr")]
pub mod security;
#[cfg(feature = "ssr")]
pub mod serve;
#[cfg(feature = "ssr")]
pub mod startup;
#[cfg(feature = "ssr")]
pub mod state;
#[cfg(feature = "ssr")]
pub mod telemetry;

/// Browser entry point. Leptos' loader calls it, then hydrates each island
/// of the page (src/islands/); the islands router is already running.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // A signal for tests and scripts that the islands are interactive: the
    // loader hydrates them in the same task as this call, so a timeout
    // fires after the last one.
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
