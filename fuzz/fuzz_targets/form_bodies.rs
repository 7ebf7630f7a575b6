//! The form bodies the server functions receive, decoded exactly as they
//! are on the server: the `/api` guard's validity check, then the server
//! functions' own decoding (serde_qs, as Leptos' `PostUrl` does). No input
//! may panic, and a body the guard lets through is UTF-8.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sesame::{
    api_guard::form_problem,
    auth::api::{Login, Register},
    cookies::api::SetCookie,
    notes::api::SetNote,
    users::api::Users,
};

fn decode<T: serde::de::DeserializeOwned>(body: &str) -> Option<T> {
    // Leptos' own settings for form bodies (server_fn's codec/url.rs).
    serde_qs::Config::new(5, false).deserialize_str::<T>(body).ok()
}

fuzz_target!(|body: &[u8]| {
    if form_problem(body).is_some() {
        return;
    }
    let body = std::str::from_utf8(body).expect("a valid form body is UTF-8");
    let _ = decode::<Login>(body);
    let _ = decode::<Register>(body);
    let _ = decode::<SetNote>(body);
    let _ = decode::<SetCookie>(body);
    let _ = decode::<Users>(body);
});
