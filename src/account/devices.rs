//! Server functions of the sessions & devices page; signed-in users only.
use crate::{devices::DeviceSession, error::AppError};
use leptos::prelude::*;

/// The signed-in user's live sessions, this one marked.
#[server(prefix = "/api", endpoint = "sessions")]
pub async fn sessions() -> Result<Vec<DeviceSession>, AppError> {
    use crate::state::app_state;
    let state = app_state()?;
    let (user, current) = crate::sign_in::flow::signed_in().await?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    crate::devices::db::list(&state.db, user.id, current.as_deref(), now).await
}

/// Ends one other session of the signed-in user, by its public handle; it
/// is anonymous on its next request. Answers with the sessions left.
#[server(prefix = "/api", endpoint = "revoke_session")]
pub async fn revoke_session(handle: String) -> Result<Vec<DeviceSession>, AppError> {
    use crate::{devices::db, state::app_state};
    let state = app_state()?;
    let (user, current) = crate::sign_in::flow::signed_in().await?;
    if current.as_deref() == Some(handle.as_str()) {
        return Err(AppError::field(
            "handle",
            crate::error::Problem::ThisSession,
        ));
    }
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let device = db::list(&state.db, user.id, None, now)
        .await?
        .into_iter()
        .find(|s| s.handle == handle)
        .map(|s| s.browser);
    if !db::remove(&state.db, user.id, &handle).await? {
        return Err(AppError::NotFound);
    }
    use crate::activity::db::{record, Kind};
    let detail = device.unwrap_or_default();
    record(
        &state.db,
        user.id,
        Kind::SessionRevoked,
        &detail,
        &crate::client::origin::current(),
    )
    .await?;
    tracing::info!(user.id = user.id, "revoked a session");
    crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::Revoke, 1));
    sessions().await
}

/// Ends every session of the signed-in user but this one.
#[server(prefix = "/api", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<Vec<DeviceSession>, AppError> {
    use crate::{
        devices::db,
        sign_in::proof::{Need, SignedIn},
        state::app_state,
    };
    let state = app_state()?;
    let signed_in = SignedIn::current().await?;
    signed_in.require(&state, Need::Recent).await?;
    let (user, current) = (&signed_in.user, &signed_in.handle);
    let ended = db::remove_all_but(&state.db, user.id, current.as_deref()).await?;
    use crate::activity::db::{record, Kind};
    let detail = match ended {
        1 => "1 session".to_owned(),
        n => format!("{n} sessions"),
    };
    record(
        &state.db,
        user.id,
        Kind::OtherSessionsRevoked,
        &detail,
        &crate::client::origin::current(),
    )
    .await?;
    tracing::info!(user.id = user.id, ended, "revoked the other sessions");
    crate::metrics::record(|m| m.revoked(crate::metrics::Revoked::RevokeOthers, ended));
    sessions().await
}
