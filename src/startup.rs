//! [ssr] Wires the application: state, router, middleware, listener.
use crate::{
    api_guard::api_guard,
    app::{shell, App},
    config::{Secret, Settings},
    credentials::backend::Backend,
    credentials::{password::Hasher, throttle::Throttle},
    db::Db,
    outage::report_outage,
    session::store::Store,
    session::{
        expiry::{maintain, PolicyStore},
        keys::AUTH_DATA_KEY,
    },
    state::{AppState, Shared},
};
use axum::{http::StatusCode, middleware, Router};
use axum_login::AuthManagerLayerBuilder;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, AxumRouteListing, LeptosRoutes};
use std::sync::Arc;
use std::{future::Future, sync::OnceLock};
use tokio::net::TcpListener;
use tower_http::{
    limit::RequestBodyLimitLayer,
    timeout::{RequestBodyTimeoutLayer, TimeoutLayer},
};
use tower_sessions::{
    cookie::{Key, SameSite},
    session_store::ExpiredDeletion,
    Expiry, SessionManagerLayer,
};

/// The largest request body anywhere (server functions allow less; see
/// `api_guard`).
const BODY_LIMIT: usize = 64 * 1024;

pub struct Application {
    listener: TcpListener,
    limits: crate::config::Limits,
    router: Router,
    cleanup: tokio::task::JoinHandle<()>,
    /// `/metrics`, on its own listener.
    metrics: Option<(TcpListener, Router)>,
    draining: crate::health::Draining,
    drain_notice: std::time::Duration,
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
        let session_policy = settings.session_policy();
        let listener = TcpListener::bind(settings.leptos.site_addr).await?;
        let metrics_listener = match settings.metrics_addr {
            Some(addr) => Some(TcpListener::bind(addr).await?),
            None => None,
        };
        let metrics = metrics_listener.is_some().then(|| {
            let server_fns = crate::sign_in::access::server_fn_paths();
            Arc::new(crate::metrics::Metrics::new(server_fns))
        });
        let hasher = Hasher::new(settings.password_queue)?
            .timed(metrics.as_ref().map(|m| m.password_job_seconds()));
        // Where the per-client limits count: where instances meet.
        let counts = match (&store, &db) {
            (Store::Redis(_, pool), _) => crate::client::Counts::Redis(pool.clone()),
            (_, Db::Postgres(pool)) => crate::client::Counts::Postgres(pool.clone()),
            (_, Db::Sqlite(..)) => crate::client::Counts::Local,
        };
        let client_limits = crate::client::ClientLimits::new(settings.client_rates, counts);
        let state = AppState::new(Shared {
            leptos_options: settings.leptos.clone(),
            db,
            hasher,
            throttle: Throttle::new(settings.login_throttle),
            session_policy,
            client_limits,
            store: store.clone(),
            metrics,
            draining: Default::default(),
            webauthn: Arc::new(crate::passkeys::ceremony::relying_party(
                &settings.public_url,
            )?),
            settings: Arc::new(settings),
        });
        let session_layer =
            SessionManagerLayer::new(PolicyStore::new(store.clone(), session_policy))
                .with_name(state.settings.session_cookie_name())
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
        let limits = state.settings.limits;
        // Only `annotate` needs the matched route, so only it wraps each
        // route; the rest wraps the router once. `Router::layer` boxes
        // every layer around every route and clones the lot per request.
        let routes = router(state.clone()).layer(middleware::from_fn(crate::telemetry::annotate));
        let stack = tower::ServiceBuilder::new()
            .layer(RequestBodyLimitLayer::new(BODY_LIMIT))
            .layer(RequestBodyTimeoutLayer::new(limits.body_read))
            .layer(TimeoutLayer::with_status_code(
                StatusCode::SERVICE_UNAVAILABLE,
                limits.request,
            ))
            // axum's middleware takes axum's body type back.
            .map_request(|req: axum::http::Request<_>| req.map(axum::body::Body::new))
            .layer(middleware::from_fn_with_state(
                state.metrics.clone(),
                crate::metrics::track,
            ))
            .layer(middleware::from_fn_with_state(
                crate::client::Proxies {
                    trusted: Arc::from(state.settings.trusted_proxies.as_slice()),
                    header: state.settings.client_ip_header,
                },
                crate::client::identify,
            ))
            .layer(middleware::from_fn(api_guard))
            .layer(middleware::from_fn_with_state(
                state.settings.cookie_secure,
                crate::flash::carry_errors,
            ))
            .layer(middleware::from_fn_with_state(
                state.metrics.clone(),
                report_outage,
            ))
            .layer(middleware::from_fn(crate::db::shared_reads))
            .layer(middleware::from_fn(crate::session::store::merge_saves))
            .layer(auth_layer)
            .layer(middleware::from_fn_with_state(
                state.clone(),
                crate::sign_in::new_sessions::limit,
            ))
            .layer(middleware::from_fn_with_state(session_policy, maintain))
            .layer(middleware::from_fn_with_state(
                state.clone(),
                crate::sign_in::guard::guard,
            ))
            .layer(middleware::from_fn(crate::sign_in::access::require_sign_in))
            .layer(middleware::from_fn(crate::api_guard::error_status))
            .service(routes);
        let router = Router::new().fallback_service(stack);
        let dev = state.leptos_options.env == leptos::config::Env::DEV;
        let router = crate::caching::compress_pages(
            router.layer(middleware::from_fn(crate::caching::cache_control)),
        );
        let router = crate::telemetry::request_logs(crate::security::headers(router, dev));
        // Health checks in front of everything: no session, no limits, no logs.
        let router = crate::health::routes(
            crate::health::Readiness {
                draining: state.draining.clone(),
                db: state.db.clone(),
                store: state.store.clone(),
            },
            router,
        );
        let metrics = metrics_listener
            .zip(state.metrics.clone())
            .map(|(l, metrics)| {
                let (hasher, db) = (state.hasher.clone(), state.db.clone());
                let gauges = move || crate::metrics::Gauges {
                    password_jobs: hasher.pending(),
                    db_pool: db.pool_connections(),
                };
                (l, crate::metrics::router(metrics, gauges))
            });
        // Started last, once nothing above can fail and leave it running.
        let every = state.settings.session_cleanup_every;
        let db = state.db.clone();
        let pruned = state.clone();
        let cleanup = tokio::spawn(async move {
            let sessions = async {
                if let Err(err) = store.continuously_delete_expired(every).await {
                    tracing::error!("expired-session cleanup stopped: {err}");
                }
            };
            // The index rows of sessions that ended without a sign-out.
            let index = async {
                let mut tick = tokio::time::interval(every);
                loop {
                    tick.tick().await;
                    let now = time::OffsetDateTime::now_utc().unix_timestamp();
                    if let Err(err) = crate::devices::db::delete_expired(&db, now).await {
                        tracing::warn!("could not prune the session index: {err}");
                    }
                    if let Err(err) = crate::activity::db::prune(&db).await {
                        tracing::warn!("could not prune the security activity: {err}");
                    }
                    let ceremony = pruned.settings.ceremony;
                    if let Err(err) = crate::passkeys::ceremony::prune(&db, ceremony).await {
                        tracing::warn!("could not prune answered passkey ceremonies: {err}");
                    }
                    if let Err(err) = pruned.client_limits.prune().await {
                        tracing::warn!("could not prune the per-client limits: {err}");
                    }
                }
            };
            tokio::join!(sessions, index);
        });
        Ok(Self {
            listener,
            limits: state.settings.limits,
            router,
            cleanup,
            metrics,
            draining: state.draining.clone(),
            drain_notice: state.settings.drain_notice,
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

    /// The port `/metrics` is served on, when `METRICS_ADDR` is set.
    pub fn metrics_port(&self) -> Option<u16> {
        let (listener, _) = self.metrics.as_ref()?;
        listener.local_addr().ok().map(|a| a.port())
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
        let limits = self.limits;
        let metrics = self.metrics.map(|(listener, router)| {
            // The same loop as the site's, for its header-read timeout: a
            // scraper port held open by slow clients is a port no scraper
            // can use. It stops when aborted below.
            tokio::spawn(async move {
                let forever = std::future::pending::<()>();
                if let Err(err) = crate::serve::serve(listener, router, limits, forever).await {
                    tracing::error!("the metrics listener stopped: {err}");
                }
            })
        });
        // Told to stop: not ready from now on, still serving for the notice
        // period, then the listener closes and requests in flight finish.
        let (draining, notice) = (self.draining, self.drain_notice);
        let stop = async move {
            stop.await;
            draining.start();
            if !notice.is_zero() {
                tracing::info!("not ready; closing the listener in {notice:?}");
                tokio::time::sleep(notice).await;
            }
        };
        let served = crate::serve::serve(self.listener, self.router, self.limits, stop).await;
        self.cleanup.abort();
        if let Some(metrics) = metrics {
            metrics.abort();
        }
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
    let context = {
        let state = state.clone();
        move || {
            provide_context(state.clone());
            // What `metrics::record` reads, for server functions to count.
            provide_context(state.metrics.clone());
            crate::security::record_page_nonce();
        }
    };
    Router::new()
        .route(
            crate::islands::router_path(),
            axum::routing::get(|| script(crate::islands::ROUTER_JS)),
        )
        .route(
            crate::islands::passkeys_path(),
            axum::routing::get(|| script(crate::islands::PASSKEYS_JS)),
        )
        .route(
            "/profile/export",
            axum::routing::get(crate::account::export::export),
        )
        .leptos_routes_with_context(&state, routes, context.clone(), {
            // leptos_axum clones this closure several times a page: it
            // holds the one Arc, not a copy of the options.
            let state = state.clone();
            move || shell(state.leptos_options.clone())
        })
        .fallback(files_and_errors(
            leptos_axum::file_and_error_handler_with_context::<AppState, _>(context, shell),
        ))
        .with_state(state)
}

/// leptos_axum's handler for files (`/pkg/...`) and unknown paths, polled
/// under an owner of its own.
///
/// For a file it makes an `Owner::new()` and extends the file's response
/// with the `ResponseOptions` it finds there. `Owner::new()` is a child of
/// whatever owner the thread last left current, and that can be another
/// request's page still rendering on the same worker thread: a Playwright
/// run once got the WASM answered `302 Location: /login?next=%2Fusers`, the
/// redirect of a `/users` page requested at the same moment by another
/// browser. Under a fresh root owner the file finds no options but its own.
fn files_and_errors<H, F>(
    handler: H,
) -> impl Fn(
    axum::http::Uri,
    axum::extract::State<AppState>,
    axum::extract::Request,
) -> leptos::reactive::computed::ScopedFuture<F>
       + Clone
       + Send
       + 'static
where
    H: Fn(axum::http::Uri, axum::extract::State<AppState>, axum::extract::Request) -> F
        + Clone
        + Send
        + 'static,
    F: std::future::Future<Output = axum::response::Response>,
{
    move |uri, state, req| leptos::reactive::computed::ScopedFuture {
        owner: leptos::reactive::owner::Owner::new_root(None),
        observer: None,
        fut: handler(uri, state, req),
    }
}

/// One of the scripts in src/islands/ (the islands router, the passkey
/// buttons'); `caching` adds its year of caching and compresses it.
async fn script(body: &'static str) -> impl axum::response::IntoResponse {
    (
        [(
            axum::http::header::CONTENT_TYPE,
            "text/javascript; charset=utf-8",
        )],
        body,
    )
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
