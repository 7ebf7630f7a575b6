//! [ssr] Wires the application: state, router, middleware, listener.
use crate::{
    app::{shell, App},
    auth::{
        backend::Backend,
        password::Hasher,
        session::{maintain, Policy, PolicyStore, AUTH_DATA_KEY},
        store::Store,
        throttle::Throttle,
    },
    config::{Secret, Settings},
    db::Db,
    error::AppError,
    outage::report_outage,
};
use axum::{
    body::Body,
    extract::{FromRef, Request},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use axum_login::AuthManagerLayerBuilder;
use leptos::{config::LeptosOptions, prelude::provide_context, server_fn::error::ServerFnErrorErr};
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::Arc;
use std::{future::Future, sync::OnceLock};
use tokio::net::TcpListener;
use tower_sessions::{
    cookie::{Key, SameSite},
    session_store::ExpiredDeletion,
    Expiry, SessionManagerLayer,
};

/// What every handler and server function can reach.
#[derive(Clone, FromRef)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub settings: Arc<Settings>,
    pub db: Db,
    pub hasher: Hasher,
    pub throttle: Throttle,
    pub session_policy: Policy,
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
    cleanup: tokio::task::JoinHandle<()>,
}

impl Application {
    /// Binds the listener (port 0 picks a free one), opens the database and
    /// builds the router.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let secret = settings.signing_secret()?;
        let db = Db::connect(&settings.database_url).await?;
        let store = Store::open(&db, settings.redis_url.as_ref()).await?;
        tracing::info!(
            database = db.dialect(),
            sessions = store.kind(),
            "storage ready"
        );
        let session_policy = Policy {
            lifetime: settings.session_lifetime,
            idle: settings.session_idle,
        };
        let listener = TcpListener::bind(settings.leptos.site_addr).await?;
        let state = AppState {
            leptos_options: settings.leptos.clone(),
            db,
            hasher: Hasher::new()?,
            throttle: settings.login_throttle,
            session_policy,
            settings: Arc::new(settings),
        };
        let session_layer =
            SessionManagerLayer::new(PolicyStore::new(store.clone(), session_policy))
                .with_name("sesame_session")
                .with_http_only(true)
                .with_same_site(SameSite::Lax)
                .with_secure(state.settings.cookie_secure)
                .with_path("/")
                .with_expiry(Expiry::OnSessionEnd)
                .with_signed(signing_key(&secret));
        let backend = Backend {
            db: state.db.clone(),
            hasher: state.hasher.clone(),
        };
        let auth_layer = AuthManagerLayerBuilder::new(backend, session_layer)
            .with_data_key(AUTH_DATA_KEY)
            .build();
        let router = router(state.clone())
            .layer(middleware::from_fn_with_state(session_policy, maintain))
            .layer(auth_layer)
            .layer(middleware::from_fn(report_outage))
            .layer(middleware::from_fn(api_guard));
        let router = crate::security::headers(router);
        // Started last, once nothing above can fail and leave it running.
        let every = state.settings.session_cleanup_every;
        let cleanup = tokio::spawn(async move {
            if let Err(err) = store.continuously_delete_expired(every).await {
                tracing::error!("expired-session cleanup stopped: {err}");
            }
        });
        Ok(Self {
            listener,
            router,
            cleanup,
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
        self.run_until(shutdown_signal()).await
    }

    /// Serves until `stop` completes, then finishes the requests in flight.
    pub async fn run_until(
        self,
        stop: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let served = axum::serve(self.listener, self.router)
            .with_graceful_shutdown(stop)
            .await;
        self.cleanup.abort();
        served
    }
}

/// The cookie-signing key, stretched from the secret (any length of 32
/// bytes or more) to the 64 bytes the cookie crate wants.
fn signing_key(secret: &Secret) -> Key {
    use sha2::{Digest, Sha512};
    let digest = Sha512::digest(secret.expose().as_bytes());
    Key::from(digest.as_slice())
}

/// The app's routes, generated once per process.
///
/// Generating runs the whole app with a process-global "don't load
/// resources" flag set, and a resource first polled by another request
/// while it is set never resolves (leptos issue #4773). Generated once,
/// before anything serves, no render can overlap it, even with several
/// servers in one process (the tests).
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

pub fn router(state: AppState) -> Router {
    let routes = route_list();
    let dev = state.leptos_options.env == leptos::config::Env::DEV;
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            crate::security::set_page_policy(dev);
        }
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
