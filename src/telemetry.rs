//! [ssr] Logging: `tracing` to stderr, filtered by `RUST_LOG` (default
//! `info`), as text or, with `LOG_FORMAT=json`, one JSON object a line.
//!
//! Every request is one span with its id (`x-request-id`, made here and
//! sent back), method, route, the signed-in user's id, and a closing event
//! with status and latency. What is never logged: passwords, session ids,
//! cookie values, the secret key. No header is logged at all, and a route
//! is its pattern (`/set_cookie/{username}`), not the path a person typed.
use axum::{
    extract::{MatchedPath, Request},
    middleware::Next,
    response::Response,
    Router,
};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    sensitive_headers::SetSensitiveRequestHeadersLayer,
    trace::{DefaultOnFailure, DefaultOnResponse, TraceLayer},
};
use tracing::{field::Empty, Level, Span};

/// Installs the global subscriber; call once, from `main`.
pub fn init() {
    use tracing_subscriber::{fmt, EnvFilter};
    let filter = EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_sessions=warn"));
    let json = std::env::var("LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json"));
    let logs = fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    if json {
        logs.json()
            .flatten_event(true)
            .with_current_span(true)
            .init();
    } else {
        logs.init();
    }
}

/// Wraps the whole app: a request id and a span for every request, and a
/// log line when it ends.
pub fn request_logs(router: Router) -> Router {
    let stack = tower::ServiceBuilder::new()
        // Marks them sensitive for any layer that does print headers.
        .layer(SetSensitiveRequestHeadersLayer::new([
            axum::http::header::COOKIE,
            axum::http::header::AUTHORIZATION,
        ]))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(|req: &Request| {
                    let id = req
                        .headers()
                        .get("x-request-id")
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    tracing::info_span!(
                        "request",
                        id,
                        method = %req.method(),
                        route = Empty,
                        user_id = Empty,
                    )
                })
                .on_request(())
                .on_response(DefaultOnResponse::new().level(Level::INFO))
                .on_failure(DefaultOnFailure::new().level(Level::WARN)),
        )
        .layer(PropagateRequestIdLayer::x_request_id())
        .layer(axum::middleware::from_fn(keep_span))
        .service(router);
    // Around the router once (see `security::headers`).
    Router::new().fallback_service(stack)
}

/// The request's span, for code deeper in the stack: by then
/// `Span::current()` may be a span of a library's own.
#[derive(Clone)]
struct RequestSpan(Span);

async fn keep_span(mut req: Request, next: Next) -> Response {
    req.extensions_mut().insert(RequestSpan(Span::current()));
    next.run(req).await
}

/// Middleware, inside the router and the auth layer: records the route's
/// pattern and the signed-in user on the request's span.
pub async fn annotate(req: Request, next: Next) -> Response {
    let Some(RequestSpan(span)) = req.extensions().get::<RequestSpan>().cloned() else {
        return next.run(req).await;
    };
    let route = req.extensions().get::<MatchedPath>().cloned();
    match &route {
        Some(route) => span.record("route", route.as_str()),
        // Files and unknown paths: no person's data is in these.
        None => span.record("route", req.uri().path()),
    };
    if let Some(auth) = req.extensions().get::<crate::session::keys::AuthSession>() {
        if let Some(user) = &auth.user {
            span.record("user_id", user.id);
        }
    }
    let mut res = next.run(req).await;
    // For the metrics' route label (see `metrics::track`).
    if let Some(route) = route {
        res.extensions_mut().insert(crate::metrics::Route(route));
    }
    res
}
