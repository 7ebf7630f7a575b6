//! [ssr] The server build's `browser`: the same functions, doing nothing.
//! Islands call them from effects, which never run on the server.
use leptos::prelude::RwSignal;

pub fn cross_tab() {}

pub fn watch_cookies(_seen: RwSignal<Option<String>>) {}
