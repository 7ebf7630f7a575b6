//! [ssr] Security headers on every response.
//!
//! Pages get a Content-Security-Policy with the per-request nonce that
//! leptos_axum generates and puts on every inline script it writes (the
//! hydration loader, resolved resources): scripts run only from this site or
//! with that nonce, never injected inline code. `'wasm-unsafe-eval'` lets
//! the browser compile the app's WASM, and nothing else. Every other
//! response (JSON, files) gets a policy that allows nothing at all.
use axum::{
    http::{header, HeaderValue},
    Router,
};
use leptos::prelude::use_context;
use tower_http::set_header::SetResponseHeaderLayer;

/// For responses that are not pages: nothing may load, nothing may frame.
const LOCKED_DOWN: &str = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";

/// The policy of a page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str, dev: bool) -> String {
    // `cargo leptos watch` reloads the page over a WebSocket on another port.
    let connect = if dev { "'self' ws: wss:" } else { "'self'" };
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src {connect}; \
         object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// Sets the page policy on the response being rendered. Called for every
/// request Leptos handles; a server-function call has no nonce and keeps
/// the locked-down default.
pub fn set_page_policy(dev: bool) {
    let (Some(nonce), Some(res)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    if let Ok(value) = HeaderValue::from_str(&page_policy(&nonce, dev)) {
        res.insert_header(header::CONTENT_SECURITY_POLICY, value);
    }
}

/// Adds the headers every response carries.
pub fn headers(router: Router) -> Router {
    let stack = tower::ServiceBuilder::new()
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(LOCKED_DOWN),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .service(router);
    // Around the router, not `Router::layer`: that wraps every route in
    // every layer, boxed, and clones the lot for each request.
    Router::new().fallback_service(stack)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_policy_allows_only_this_site_and_the_nonce() {
        let policy = page_policy("abc123", false);
        assert!(policy.contains("script-src 'self' 'nonce-abc123' 'wasm-unsafe-eval';"));
        assert!(policy.contains("frame-ancestors 'none'"));
        assert!(!policy.contains("unsafe-inline"));
        assert!(!policy.contains("ws:"));
        assert!(page_policy("abc123", true).contains("connect-src 'self' ws: wss:"));
    }
}
