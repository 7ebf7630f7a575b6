//! [ssr] Wires the application: state, router, middleware, listener.
use crate::{app::shell, app::App, config::Settings, error::AppError};
use axum::{
    body::Body,
    extract::{FromRef, Request},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use leptos::{config::LeptosOptions, prelude::provide_context, server_fn::error::ServerFnErrorErr};
use leptos_axum::{generate_route_list, LeptosRoutes};
use std::sync::Arc;
use tokio::net::TcpListener;

/// What every handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
}

/// The state of the current request, from a server function or component.
pub fn app_state() -> Result<AppState, AppError> {
    leptos::prelude::use_context::<AppState>().ok_or_else(|| {
        tracing::error!("AppState missing from the Leptos context");
        AppError::Internal
    })
}

/// Largest body a server function accepts; bigger ones get 413.
const API_BODY_LIMIT: usize = 16 * 1024;

pub struct Application {
    listener: TcpListener,
    router: Router,
}

impl Application {
    /// Binds the listener (port 0 picks a free one) and builds the router.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(settings.leptos.site_addr).await?;
        let state = AppState {
            leptos_options: settings.leptos.clone(),
            settings: Arc::new(settings),
        };
        Ok(Self {
            listener,
            router: router(state),
        })
    }

    pub fn local_addr(&self) -> String {
        self.listener
            .local_addr()
            .map(|a| a.to_string())
            .unwrap_or_default()
    }

    pub fn port(&self) -> u16 {
        self.listener.local_addr().map(|a| a.port()).unwrap_or(0)
    }

    /// Serves until SIGINT or SIGTERM, then finishes the requests in flight.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        axum::serve(self.listener, self.router)
            .with_graceful_shutdown(shutdown_signal())
            .await
    }
}

pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(App);
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    Router::new()
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(api_guard))
        .with_state(state)
}

/// Guards every server function (`/api/...`).
///
/// - Refuses cross-site requests (CSRF): a browser always sends `Origin` on a
///   cross-origin POST, and `Sec-Fetch-Site` where it knows it.
/// - Caps the body, so a huge field can't tie up the server.
/// - Gives an error that Leptos raised before our code ran (a malformed body)
///   its 4xx status; Leptos would answer those with 500.
async fn api_guard(req: Request, next: Next) -> Response {
    if !req.uri().path().starts_with("/api/") {
        return next.run(req).await;
    }
    if req.method() != Method::GET && is_cross_site(&req) {
        return error_response(AppError::Forbidden);
    }
    let too_big = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|len| len > API_BODY_LIMIT);
    if too_big {
        return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.").into_response();
    }
    let (parts, body) = req.into_parts();
    let body = match axum::body::to_bytes(body, API_BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => {
            return (StatusCode::PAYLOAD_TOO_LARGE, "Request body too large.").into_response()
        }
    };
    if is_form(&parts.headers) && !is_valid_form(&body) {
        return error_response(AppError::ServerFn(ServerFnErrorErr::Args(
            "the form body is not valid URL-encoded UTF-8".to_owned(),
        )));
    }
    let res = next.run(Request::from_parts(parts, Body::from(body))).await;
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status()) {
            parts.status = status;
        }
    }
    Response::from_parts(parts, Body::from(bytes))
}

fn is_form(headers: &axum::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

/// Leptos decodes form fields lossily (bad bytes become U+FFFD), which would
/// store something the person never typed; refuse such a body instead.
fn is_valid_form(body: &[u8]) -> bool {
    body.split(|&b| b == b'&').all(|pair| {
        std::str::from_utf8(pair).is_ok_and(|pair| {
            percent_encoding::percent_decode_str(&pair.replace('+', " "))
                .decode_utf8()
                .is_ok()
        })
    })
}

fn is_cross_site(req: &Request) -> bool {
    let headers = req.headers();
    if headers
        .get("sec-fetch-site")
        .is_some_and(|v| v.as_bytes() == b"cross-site")
    {
        return true;
    }
    match (headers.get(header::ORIGIN), headers.get(header::HOST)) {
        (Some(origin), Some(host)) => !origin_matches_host(origin, host),
        // An Origin with no Host to compare against can't be trusted.
        (Some(_), None) => true,
        // No Origin: not a browser's cross-origin request (browsers send it on
        // every cross-origin POST); SameSite=Lax covers old browsers.
        (None, _) => false,
    }
}

fn origin_matches_host(origin: &HeaderValue, host: &HeaderValue) -> bool {
    let (Ok(origin), Ok(host)) = (origin.to_str(), host.to_str()) else {
        return false;
    };
    let authority = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"));
    authority.is_some_and(|a| a.eq_ignore_ascii_case(host))
}

fn error_response(err: AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::BAD_REQUEST);
    let body = serde_json::to_string(&err).unwrap_or_default();
    (status, [(header::CONTENT_TYPE, "application/json")], body).into_response()
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(err) = tokio::signal::ctrl_c().await {
            tracing::error!("cannot listen for Ctrl-C: {err}");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(err) => {
                tracing::error!("cannot listen for SIGTERM: {err}");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_origin_on_the_same_host_is_same_site() {
        let host = HeaderValue::from_static("127.0.0.1:3000");
        assert!(origin_matches_host(
            &HeaderValue::from_static("http://127.0.0.1:3000"),
            &host
        ));
        assert!(!origin_matches_host(
            &HeaderValue::from_static("http://evil.example"),
            &host
        ));
        assert!(!origin_matches_host(
            &HeaderValue::from_static("null"),
            &host
        ));
        assert!(!origin_matches_host(
            &HeaderValue::from_static("http://127.0.0.1:3000.evil"),
            &host
        ));
    }

    #[test]
    fn a_form_body_with_bytes_that_are_not_utf8_is_invalid() {
        assert!(is_valid_form(b"name=J%C3%B6rg+x&b="));
        assert!(is_valid_form(b""));
        assert!(!is_valid_form(b"name=%FF%FE"));
        assert!(!is_valid_form(b"na%C3me=x"));
        assert!(!is_valid_form(&[b'a', b'=', 0xFF]));
    }
}
