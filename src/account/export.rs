//! [ssr] `GET /profile/export`: `sesame-export.json`, what sesame stores
//! about the signed-in user. Never a password hash, the session token, a
//! session id or a session's handle.
use crate::{
    activity::Event, clock::format_time, devices::DeviceSession, error::AppError,
    session::keys::AuthSession, state::AppState,
};
use axum::{
    extract::State,
    http::{header, HeaderValue},
    response::{IntoResponse, Redirect, Response},
};
use serde::Serialize;

#[derive(Serialize)]
struct Export {
    exported_at: String,
    account: Account,
    sessions: Vec<Session>,
    /// Names and dates; not the public keys (useless to anyone else).
    passkeys: Vec<Passkey>,
    two_factor: TwoFactor,
    activity: Vec<Event>,
}

#[derive(Serialize)]
struct Passkey {
    name: String,
    added: String,
    last_used: Option<String>,
}

/// Whether two-factor is on; never its secret or the recovery codes.
#[derive(Serialize)]
struct TwoFactor {
    enabled: bool,
    recovery_codes_left: u32,
}

#[derive(Serialize)]
struct Account {
    id: i64,
    username: String,
    email: String,
    created_at: String,
}

/// A session as the sessions & devices page lists it, without its handle.
#[derive(Serialize)]
struct Session {
    browser: String,
    ip: String,
    signed_in: String,
    last_seen: String,
    expires: String,
    this_device: bool,
}

impl From<DeviceSession> for Session {
    fn from(s: DeviceSession) -> Self {
        Session {
            browser: s.browser,
            ip: s.ip,
            signed_in: s.created_at,
            last_seen: s.last_seen,
            expires: s.expires_at,
            this_device: s.this_device,
        }
    }
}

pub async fn export(State(state): State<AppState>, auth: AuthSession) -> Response {
    let Some(user) = auth.user.clone() else {
        return Redirect::to(&crate::sign_in::redirect::login_url("/profile/export"))
            .into_response();
    };
    match build(&state, &auth, user).await {
        Ok(export) => {
            let body = match serde_json::to_string_pretty(&export) {
                Ok(body) => body,
                Err(err) => {
                    tracing::error!("could not write an export: {err}");
                    return AppError::Internal.into_response_with_status();
                }
            };
            let mut res = body.into_response();
            let headers = res.headers_mut();
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            headers.insert(
                header::CONTENT_DISPOSITION,
                HeaderValue::from_static("attachment; filename=\"sesame-export.json\""),
            );
            // One person's data: no cache keeps a copy.
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
            res
        }
        Err(err) => err.into_response_with_status(),
    }
}

async fn build(
    state: &AppState,
    auth: &AuthSession,
    user: crate::users::db::User,
) -> Result<Export, AppError> {
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let current = crate::session::keys::handle(&auth.session).await?;
    let sessions = crate::devices::db::list(&state.db, user.id, current.as_deref(), now).await?;
    let activity = crate::activity::db::all(&state.db, user.id).await?;
    let enabled = crate::two_factor::db::enrolled(&state.db, user.id)
        .await?
        .is_some();
    let two_factor = TwoFactor {
        enabled,
        recovery_codes_left: crate::two_factor::db::recovery_codes_left(&state.db, user.id).await?,
    };
    Ok(Export {
        exported_at: format_time(now),
        account: Account {
            id: user.id,
            username: user.username,
            email: user.email,
            created_at: format_time(user.created_at),
        },
        sessions: sessions.into_iter().map(Session::from).collect(),
        passkeys: crate::passkeys::db::list(&state.db, user.id)
            .await?
            .into_iter()
            .map(|p| Passkey {
                name: p.name,
                added: format_time(p.created_at),
                last_used: p.last_used_at.map(format_time),
            })
            .collect(),
        two_factor,
        activity,
    })
}
