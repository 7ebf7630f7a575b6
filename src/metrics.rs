//! [ssr] Prometheus metrics, served on a listener of their own
//! (`METRICS_ADDR`), never on the public address. Off when it is unset, and
//! then nothing is recorded at all.
//!
//! The `prometheus` crate rather than `metrics` + its exporter: a
//! `Registry` is a value, so each instance (and each app a test starts in
//! one process) counts its own; the `metrics` facade records into one
//! global recorder per process.
//!
//! No label carries anything a person sent: routes are patterns
//! (`/set_cookie/{username}`), server functions are the registered paths,
//! and every other path is `(other)`.
use axum::{
    extract::{MatchedPath, Request, State},
    http::header,
    middleware::Next,
    response::{IntoResponse, Response},
};
use prometheus::{
    Histogram, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, IntGaugeVec, Opts,
    Registry, TextEncoder,
};
use std::{collections::HashSet, sync::Arc, time::Instant};

pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    logins: IntCounterVec,
    registrations: IntCounter,
    sessions_revoked: IntCounterVec,
    password_jobs: IntGauge,
    password_job_seconds: Histogram,
    db_pool: IntGaugeVec,
    outages: IntCounter,
    /// Every registered server-function path: a bounded set of labels for
    /// a request answered before routing.
    server_fns: HashSet<&'static str>,
}

/// The gauges read at each scrape, handed in by whoever owns them.
pub struct Gauges {
    /// Password jobs queued or running.
    pub password_jobs: usize,
    /// The database pool: (connections, of them idle).
    pub db_pool: (u32, u32),
}

/// How a login ended, for `sesame_logins_total{result}`.
#[derive(Clone, Copy, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Login {
    Success,
    Failure,
    /// 429: the username's throttle or the client's limit.
    Throttled,
    /// 503: the password queue was full.
    Busy,
}

/// How sessions were ended, for `sesame_sessions_revoked_total{how}`.
#[derive(Clone, Copy, strum::IntoStaticStr)]
#[strum(serialize_all = "snake_case")]
pub enum Revoked {
    Logout,
    LogoutEverywhere,
    Revoke,
    RevokeOthers,
    PasswordChange,
    /// Two-factor turned on or off.
    TwoFactorChange,
    PasskeyRemoved,
}

/// The route of a request, put on the response by `telemetry::annotate`
/// (the router's matched pattern).
#[derive(Clone)]
pub struct Route(pub MatchedPath);

fn must<T>(made: prometheus::Result<T>) -> T {
    // Names, labels and buckets are constants here: only a typo fails.
    made.unwrap_or_else(|err| panic!("a metric definition is invalid: {err}"))
}

impl Metrics {
    /// `server_fns`: the paths of the server functions, for their label
    /// when a request is answered before routing.
    pub fn new(server_fns: impl IntoIterator<Item = &'static str>) -> Self {
        let registry = Registry::new();
        let http_requests = must(IntCounterVec::new(
            Opts::new("sesame_http_requests_total", "HTTP requests answered"),
            &["route", "method", "status"],
        ));
        let http_duration = must(HistogramVec::new(
            HistogramOpts::new(
                "sesame_http_request_duration_seconds",
                "Time from the request's arrival to its answer",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            &["route", "method"],
        ));
        let logins = must(IntCounterVec::new(
            Opts::new("sesame_logins_total", "Password logins, by result"),
            &["result"],
        ));
        let registrations = must(IntCounter::new(
            "sesame_registrations_total",
            "Accounts created",
        ));
        let sessions_revoked = must(IntCounterVec::new(
            Opts::new(
                "sesame_sessions_revoked_total",
                "Sign-ins ended, by how (one call may end several sessions)",
            ),
            &["how"],
        ));
        let password_jobs = must(IntGauge::new(
            "sesame_password_jobs_in_flight",
            "argon2 jobs queued or running",
        ));
        let password_job_seconds = must(Histogram::with_opts(
            HistogramOpts::new(
                "sesame_password_job_seconds",
                "Time a password job took, from queueing to its answer",
            )
            .buckets(vec![0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0]),
        ));
        let db_pool = must(IntGaugeVec::new(
            Opts::new(
                "sesame_db_pool_connections",
                "SQL pool connections, by state",
            ),
            &["state"],
        ));
        let outages = must(IntCounter::new(
            "sesame_outage_responses_total",
            "Requests answered 503 because the database or session store was unreachable",
        ));
        for metric in [
            Box::new(http_requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(http_duration.clone()),
            Box::new(logins.clone()),
            Box::new(registrations.clone()),
            Box::new(sessions_revoked.clone()),
            Box::new(password_jobs.clone()),
            Box::new(password_job_seconds.clone()),
            Box::new(db_pool.clone()),
            Box::new(outages.clone()),
        ] {
            must(registry.register(metric));
        }
        Self {
            registry,
            http_requests,
            http_duration,
            logins,
            registrations,
            sessions_revoked,
            password_jobs,
            password_job_seconds,
            db_pool,
            outages,
            server_fns: server_fns.into_iter().collect(),
        }
    }

    pub fn login(&self, result: Login) {
        let result: &'static str = result.into();
        self.logins.with_label_values(&[result]).inc();
    }

    pub fn registered(&self) {
        self.registrations.inc();
    }

    pub fn revoked(&self, how: Revoked, sessions: u64) {
        let how: &'static str = how.into();
        self.sessions_revoked
            .with_label_values(&[how])
            .inc_by(sessions);
    }

    /// For the password threads to record each job's time in.
    pub fn password_job_seconds(&self) -> Histogram {
        self.password_job_seconds.clone()
    }

    pub fn outage(&self) {
        self.outages.inc();
    }

    /// The text format, with the gauges read now.
    fn render(&self, gauges: Gauges) -> String {
        self.password_jobs.set(gauges.password_jobs as i64);
        let (size, idle) = gauges.db_pool;
        self.db_pool
            .with_label_values(&["idle"])
            .set(i64::from(idle));
        self.db_pool
            .with_label_values(&["in_use"])
            .set(i64::from(size.saturating_sub(idle)));
        TextEncoder::new()
            .encode_to_string(&self.registry.gather())
            .unwrap_or_else(|err| format!("# encoding failed: {err}\n"))
    }
}

/// The metrics of the current request's app, if they are on (`startup`
/// provides them to the Leptos context of every request).
pub fn current() -> Option<Arc<Metrics>> {
    leptos::prelude::use_context::<Option<Arc<Metrics>>>().flatten()
}

/// Records `f` on the current app's metrics, if they are on.
pub fn record(f: impl FnOnce(&Metrics)) {
    if let Some(metrics) = current() {
        f(&metrics);
    }
}

/// Middleware (outermost of the app): counts and times every request by
/// route pattern, method and status.
pub async fn track(
    State(metrics): State<Option<Arc<Metrics>>>,
    req: Request,
    next: Next,
) -> Response {
    let Some(metrics) = metrics else {
        return next.run(req).await;
    };
    let started = Instant::now();
    let method: &'static str = match req.method().as_str() {
        "GET" => "GET",
        "POST" => "POST",
        "HEAD" => "HEAD",
        "PUT" => "PUT",
        "DELETE" => "DELETE",
        "PATCH" => "PATCH",
        "OPTIONS" => "OPTIONS",
        _ => "other",
    };
    // Answered before routing (a 403 from the /api guard, say): the server
    // function's path if it is one, else `(other)`.
    let path = req.uri().path();
    let early: &'static str = metrics.server_fns.get(path).copied().unwrap_or("(other)");
    let res = next.run(req).await;
    let route = res.extensions().get::<Route>().map(|r| r.0.as_str());
    let route = route.unwrap_or(early);
    let status = res.status().as_str().to_owned();
    metrics
        .http_requests
        .with_label_values(&[route, method, &status])
        .inc();
    metrics
        .http_duration
        .with_label_values(&[route, method])
        .observe(started.elapsed().as_secs_f64());
    res
}

/// The router of the metrics listener: `GET /metrics`, nothing else.
/// `gauges` is read at each scrape (the password queue, the database pool).
pub fn router(
    metrics: Arc<Metrics>,
    gauges: impl Fn() -> Gauges + Send + Sync + 'static,
) -> axum::Router {
    type Scraped = (Arc<Metrics>, Box<dyn Fn() -> Gauges + Send + Sync>);
    async fn scrape(State(state): State<Arc<Scraped>>) -> Response {
        let (metrics, gauges) = &*state;
        (
            [(
                header::CONTENT_TYPE,
                "text/plain; version=0.0.4; charset=utf-8",
            )],
            metrics.render(gauges()),
        )
            .into_response()
    }
    let scraped: Scraped = (metrics, Box::new(gauges));
    axum::Router::new()
        .route("/metrics", axum::routing::get(scrape))
        .with_state(Arc::new(scraped))
}
