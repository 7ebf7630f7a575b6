//! [ssr] The per-client limit on new sessions, applied where it can be
//! known: inside the session layer, after the handler.
use crate::{
    client::ClientIp,
    devices::db as devices,
    session::keys::{self as session},
    state::AppState,
};
use axum::{
    extract::{Request, State},
    http::header,
    middleware::Next,
    response::Response,
};
use std::net::IpAddr;
use tower_sessions::Session;

/// Middleware, inside the session layer: a request that would store a
/// session for a client that had none takes one from the client's
/// allowance of new sessions. Over it, nothing is stored (the session is
/// emptied, so the session layer writes nothing and sets no cookie) and
/// the answer is `429`.
///
/// Checked after the handler, because only then is it known whether a
/// session will be stored: a visitor who saves nothing costs nothing.
pub async fn limit(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let client = req
        .extensions()
        .get::<ClientIp>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0);
    let wants_html = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    // The auth layer has loaded the record already: no extra read.
    let had_session = session.id().is_some() && !session.is_empty().await;
    let res = next.run(req).await;
    if had_session || !session.is_modified() || session.is_empty().await {
        return res;
    }
    let Err(err) = state.client_limits.new_session(client).await else {
        return res;
    };
    // A sign-in that cannot keep its session keeps no device row either.
    if let Ok(Some(handle)) = session::handle(&session).await {
        if let Err(err) = devices::forget(&state.db, &handle).await {
            tracing::warn!("could not drop a refused session's row: {err}");
        }
    }
    session.clear().await;
    tracing::info!("new-session limit reached for a client");
    err.into_response_as(wants_html)
}
