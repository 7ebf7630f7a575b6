//! [ssr] Security headers on every response.
//!
//! Pages get a Content-Security-Policy with the per-request nonce that
//! leptos_axum generates and puts on every inline script it writes (the
//! hydration loader, resolved resources): scripts run only from this site or
//! with that nonce, never injected inline code. `'wasm-unsafe-eval'` lets
//! the browser compile the app's WASM, and nothing else. Every other
//! response (JSON, files) gets a policy that allows nothing at all.
use axum::{
    extract::{Request, State},
    http::{header, HeaderValue},
    middleware::Next,
    response::Response,
    Router,
};
use leptos::prelude::use_context;
use std::sync::{Arc, Mutex};
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

/// The nonce of the page rendered for this request, handed from the Leptos
/// render (which makes it) to [`headers`] (which answers), through the
/// request's extensions rather than Leptos' `ResponseOptions`: a page once
/// reached the browser with the locked-down policy in CI, and the header's
/// own path depends on the render's context being intact to the end.
#[derive(Clone, Default)]
struct PageNonce(Arc<Mutex<Option<String>>>);

/// Records the nonce of the page being rendered. Called for every request
/// Leptos handles; a server-function call has no nonce and keeps the
/// locked-down policy.
pub fn record_page_nonce() {
    let (Some(nonce), Some(parts)) = (
        leptos::nonce::use_nonce(),
        use_context::<http::request::Parts>(),
    ) else {
        return;
    };
    if let Some(PageNonce(slot)) = parts.extensions.get::<PageNonce>() {
        if let Ok(mut slot) = slot.lock() {
            *slot = Some(nonce.to_string());
        }
    }
}

/// Middleware: the page policy with the page's nonce, or the locked-down
/// one for everything else.
async fn policy(State(dev): State<bool>, mut req: Request, next: Next) -> Response {
    let slot = PageNonce::default();
    req.extensions_mut().insert(slot.clone());
    let mut res = next.run(req).await;
    let nonce = slot.0.lock().ok().and_then(|mut nonce| nonce.take());
    let page = nonce.and_then(|nonce| HeaderValue::from_str(&page_policy(&nonce, dev)).ok());
    if page.is_none() && is_html(&res) {
        // Its inline scripts will not run; the span says which route.
        tracing::warn!("an HTML answer without a page nonce gets the locked-down policy");
    }
    res.headers_mut().insert(
        header::CONTENT_SECURITY_POLICY,
        page.unwrap_or(HeaderValue::from_static(LOCKED_DOWN)),
    );
    res
}

fn is_html(res: &Response) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Adds the headers every response carries. `dev` allows the reload
/// WebSocket of `cargo leptos watch` in the page policy.
pub fn headers(router: Router, dev: bool) -> Router {
    let stack = tower::ServiceBuilder::new()
        .layer(axum::middleware::from_fn_with_state(dev, policy))
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
