//! [ssr] How an outage of the database or the session store reaches the
//! person: the request fails with 503 and `Retry-After`, never as a silent
//! sign-out or a bare 500.
use axum::{extract::Request, middleware::Next, response::Response};
use std::cell::Cell;

/// Records that the current request hit an outage (a no-op outside one).
pub fn note() {
    let _ = OUTAGE.try_with(|failed| failed.set(true));
}

tokio::task_local! {
    /// Set when the database or session store failed during this request.
    static OUTAGE: Cell<bool>;
}

/// Middleware (outermost): a request that failed because the session store
/// or the database could not be reached answers 503 with `Retry-After`.
///
/// The session layers answer a store error with an empty 500 (and the
/// request's own code never runs, so it cannot say more). Without this the
/// person would see "Something went wrong"; worse, treating the session as
/// missing would sign them out. A 503 says: nothing is lost, try again.
pub async fn report_outage(
    axum::extract::State(state): axum::extract::State<crate::startup::AppState>,
    req: Request,
    next: Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    OUTAGE
        .scope(Cell::new(false), async move {
            let res = next.run(req).await;
            let failed = OUTAGE.with(Cell::get);
            if failed && res.status().is_server_error() {
                if let Some(metrics) = &state.metrics {
                    metrics.outage();
                }
                crate::error::AppError::Unavailable.into_response_as(!is_api)
            } else {
                res
            }
        })
        .await
}
