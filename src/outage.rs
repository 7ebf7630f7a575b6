//! [ssr] How an outage of the database or the session store reaches the
//! person: the request fails with 503 and `Retry-After`, never as a silent
//! sign-out or a bare 500.
use crate::{db::outage, error::AppError, metrics::Metrics};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use std::sync::Arc;

/// Middleware (outermost): a request that failed because the session store
/// or the database could not be reached answers 503 with `Retry-After`.
///
/// The session layers answer a store error with an empty 500 (and the
/// request's own code never runs, so it cannot say more). Without this the
/// person would see "Something went wrong"; worse, treating the session as
/// missing would sign them out. A 503 says: nothing is lost, try again.
pub async fn report_outage(
    State(metrics): State<Option<Arc<Metrics>>>,
    req: Request,
    next: Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let (res, failed) = outage::watch(next.run(req)).await;
    if failed && res.status().is_server_error() {
        if let Some(metrics) = &metrics {
            metrics.outage();
        }
        AppError::Unavailable.into_response_as(!is_api)
    } else {
        res
    }
}
