//! [ssr] Middleware: a signed-in session whose index row is gone (revoked
//! from another device, ended by a password change) is signed out on its
//! next request, and "last seen" is kept coarsely up to date.
use crate::{
    devices::db::{last_seen, touch},
    session::keys::{self as session, AuthSession},
    state::AppState,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};

/// Middleware, inside the auth layer: signs out a session whose index row
/// is gone, and keeps "last seen" coarsely up to date.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let req = match check(&state, req).await {
        Ok(req) => req,
        Err(res) => return res,
    };
    // The reads so far (session, user, device row) shared a snapshot; the
    // handler's reads must see what the handler writes.
    crate::db::end_snapshot();
    next.run(req).await
}

/// The request to serve, signed out if its session was revoked; or the
/// answer when that cannot be told.
async fn check(state: &AppState, mut req: Request) -> Result<Request, Response> {
    let Some(mut auth) = req.extensions().get::<AuthSession>().cloned() else {
        return Ok(req);
    };
    let Some(user) = auth.user.clone() else {
        return Ok(req);
    };
    let handle = session::handle(&auth.session)
        .await
        .map_err(|err| err.into_response_with_status())?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let seen = match &handle {
        // Read with the user, by the auth layer (`credentials::backend`).
        Some(handle) => match crate::db::request::take_seen(handle) {
            Some(seen) => seen,
            None => last_seen(&state.db, handle)
                .await
                .map_err(|err| err.into_response_with_status())?,
        },
        None => None,
    };
    match (seen, handle) {
        (Some(seen), Some(handle)) => {
            let due = crate::session::expiry::index_refresh(
                &auth.session,
                &state.session_policy,
                seen,
                now,
            )
            .await
            .map_err(|err| err.into_response_with_status())?;
            if let Some(expires_at) = due {
                if let Err(err) = touch(&state.db, &handle, now, expires_at).await {
                    tracing::warn!("could not update last seen: {err}");
                }
            }
        }
        // Revoked, or from before sessions were indexed: signed out now,
        // and this request is served as anonymous.
        _ => {
            tracing::info!(user.id = user.id, "session revoked; signing it out");
            auth.logout()
                .await
                .map_err(|err| session::auth_error(err).into_response_with_status())?;
            req.extensions_mut().insert(auth);
        }
    }
    Ok(req)
}
