//! [ssr] What a request's first reads learn that a later one needs, so no
//! row is read twice: the signed-in session's device handle (in the
//! session record, seen when the store loads it) and that device row's
//! `last_seen` (read in one statement with the user, for the guard that
//! signs out a revoked session). It lives for one request (the
//! [`super::shared_reads`] scope) and nothing outlives it, so a revoked
//! session is still refused on its very next request, on any instance.
use std::{cell::RefCell, future::Future};

tokio::task_local! {
    static READS: RefCell<Reads>;
}

#[derive(Default)]
struct Reads {
    handle: Option<String>,
    /// A device row's `last_seen` by its handle; `None` inside: no row.
    seen: Option<(String, Option<i64>)>,
}

/// Runs `fut` with a request's reads to share.
pub async fn scope<F: Future>(fut: F) -> F::Output {
    READS.scope(RefCell::new(Reads::default()), fut).await
}

/// The session record this request loaded names this device handle.
pub fn note_handle(handle: &str) {
    let _ = READS.try_with(|reads| reads.borrow_mut().handle = Some(handle.to_owned()));
}

/// The device handle of the session this request loaded, if any.
pub fn handle() -> Option<String> {
    READS
        .try_with(|reads| reads.borrow().handle.clone())
        .ok()
        .flatten()
}

/// The device row `handle` was read: last seen at `seen`, or gone.
pub fn note_seen(handle: String, seen: Option<i64>) {
    let _ = READS.try_with(|reads| reads.borrow_mut().seen = Some((handle, seen)));
}

/// What [`note_seen`] noted for `handle`, once: `Some(None)` is "no row".
pub fn take_seen(handle: &str) -> Option<Option<i64>> {
    READS
        .try_with(|reads| {
            let mut reads = reads.borrow_mut();
            match reads.seen.take() {
                Some((noted, seen)) if noted == handle => Some(seen),
                other => {
                    reads.seen = other;
                    None
                }
            }
        })
        .ok()
        .flatten()
}
