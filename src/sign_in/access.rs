//! [ssr] Deny by default: every server function needs a signed-in user
//! unless it is listed in [`PUBLIC`]. A new server function is protected
//! the moment it exists; making one public is a visible, reviewed change
//! to this list, and `tests/api/access.rs` checks every registered path
//! against it.
use crate::{error::AppError, session::keys::AuthSession};
use axum::{extract::Request, middleware::Next, response::Response};

/// Server functions anyone may call: the ones a visitor needs before or
/// without signing in.
pub const PUBLIC: &[&str] = &[
    "/api/login",
    "/api/login_two_factor",
    "/api/passkey_login_start",
    "/api/passkey_login_finish",
    "/api/register",
    "/api/logout",
    "/api/logout_all",
    "/api/current_user",
    "/api/session_data",
    "/api/set_note",
    "/api/cookie",
    "/api/set_cookie",
    "/api/delete_cookie",
    "/api/how_it_works",
];

pub fn is_public(path: &str) -> bool {
    PUBLIC.contains(&path)
}

/// Every registered server-function path.
pub fn server_fn_paths() -> Vec<&'static str> {
    let mut paths: Vec<_> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path)
        .collect();
    paths.sort_unstable();
    paths.dedup();
    paths
}

/// Middleware, inside the auth layer: an anonymous call to a server
/// function that is not public is a 401, before any of its code runs.
/// A page shown to a signed-in user is `Cache-Control: private, no-store`:
/// it may hold a secret shown once (a two-factor secret, recovery codes),
/// and must not come back from the cache or the back button after log-out.
/// (Anonymous pages are `no-cache`, see `caching`.)
pub async fn require_sign_in(req: Request, next: Next) -> Response {
    let signed_in = req
        .extensions()
        .get::<AuthSession>()
        .is_some_and(|auth| auth.user.is_some());
    let path = req.uri().path();
    if path.starts_with("/api/") && !is_public(path) && !signed_in {
        return AppError::Unauthorized.into_response_with_status();
    }
    let mut res = next.run(req).await;
    if signed_in {
        use axum::http::{header, HeaderValue};
        let is_page = res
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html"));
        if is_page {
            res.headers_mut().insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("private, no-store"),
            );
        }
    }
    res
}
