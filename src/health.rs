//! [ssr] What a load balancer asks: `GET /healthz` (is the process
//! serving?) and `GET /readyz` (should it get traffic?).
//!
//! Both sit in front of everything else: no session is read or made, no
//! cookie set, no per-client limit taken, and no log line written per call
//! at the default level (a balancer asks every few seconds).
use crate::{db::Db, session::store::Store};
use axum::{
    extract::State,
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    routing::get,
    Router,
};
use std::{
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc,
    },
    time::Duration,
};

/// A dependency that does not answer within this is taken for down.
const CHECK_TIMEOUT: Duration = Duration::from_secs(2);

/// Set once the server has been told to stop: `/readyz` answers 503 from
/// then on, while requests in flight finish.
#[derive(Clone, Default)]
pub struct Draining(Arc<AtomicBool>);

impl Draining {
    pub fn start(&self) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn is_on(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

/// What `/readyz` checks.
#[derive(Clone)]
pub struct Readiness {
    pub draining: Draining,
    pub db: Db,
    pub store: Store,
}

/// `/healthz` and `/readyz`, with everything else handed to `app`.
pub fn routes(state: Readiness, app: Router) -> Router {
    Router::new()
        .route("/healthz", get(alive))
        .route("/readyz", get(ready))
        .with_state(state)
        .fallback_service(app)
}

/// Liveness: the process answers. Touches nothing.
async fn alive() -> Response {
    plain(StatusCode::OK, "ok\n")
}

/// Readiness: the database (and Redis, when sessions live there) answer a
/// cheap query within `CHECK_TIMEOUT`, and the server is not stopping.
async fn ready(State(state): State<Readiness>) -> Response {
    if state.draining.is_on() {
        return unavailable(serde_json::json!({"status": "stopping"}));
    }
    let redis = async {
        match state.store.is_redis() {
            true => Some(check(state.store.ping()).await),
            false => None,
        }
    };
    let (database, redis) = tokio::join!(check(state.db.ping()), redis);
    let mut checks = serde_json::Map::new();
    checks.insert("database".into(), database.into());
    if let Some(redis) = redis {
        checks.insert("redis".into(), redis.into());
    }
    let all_ok = checks.values().all(|v| v == "ok");
    let body = serde_json::json!({
        "status": if all_ok { "ready" } else { "unavailable" },
        "checks": checks,
    });
    if all_ok {
        json(StatusCode::OK, &body)
    } else {
        unavailable(body)
    }
}

async fn check<E: std::fmt::Display>(
    probe: impl std::future::Future<Output = Result<(), E>>,
) -> &'static str {
    match tokio::time::timeout(CHECK_TIMEOUT, probe).await {
        Ok(Ok(())) => "ok",
        Ok(Err(err)) => {
            tracing::warn!("readiness check failed: {err}");
            "unreachable"
        }
        Err(_) => {
            tracing::warn!("readiness check timed out");
            "timeout"
        }
    }
}

fn unavailable(body: serde_json::Value) -> Response {
    let mut res = json(StatusCode::SERVICE_UNAVAILABLE, &body);
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    res
}

fn json(status: StatusCode, body: &serde_json::Value) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "application/json"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body.to_string(),
    )
        .into_response()
}

fn plain(status: StatusCode, body: &'static str) -> Response {
    (
        status,
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}
