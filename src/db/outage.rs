//! Whether the current request hit an outage of the database or the session
//! store: a flag the storage code raises where it sees the failure, and the
//! outermost middleware (`crate::outage`) reads to answer 503.
use std::{cell::Cell, future::Future};

tokio::task_local! {
    static OUTAGE: Cell<bool>;
}

/// Records that the current request hit an outage (a no-op outside
/// [`watch`]).
pub fn note() {
    let _ = OUTAGE.try_with(|failed| failed.set(true));
}

/// Runs `fut` and tells whether it noted an outage.
pub async fn watch<T>(fut: impl Future<Output = T>) -> (T, bool) {
    OUTAGE
        .scope(Cell::new(false), async move {
            let out = fut.await;
            (out, OUTAGE.with(Cell::get))
        })
        .await
}
