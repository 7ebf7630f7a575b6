//! [ssr] The typed session: the only file that names the session's keys
//! (`expiry.rs`, beside it, reads the two it needs).
//!
//! Flask's `session` dict, kept on the server by tower-sessions. The browser
//! holds only an opaque, signed id.
use crate::{clock::now, credentials::backend::Backend, error::AppError};
use std::time::Duration;
use tower_sessions::Session;

/// axum-login's own data (user id and auth hash).
pub const AUTH_DATA_KEY: &str = "auth.user";
pub(super) const REMEMBER: &str = "auth.remember";
pub(super) const STARTED_AT: &str = "auth.started_at";
pub(super) const TOUCHED_AT: &str = "session.touched_at";
/// The public handle of this session's row in `user_sessions`.
pub(super) const HANDLE: &str = "auth.handle";
const NOTE: &str = "data.note";

pub type AuthSession = axum_login::AuthSession<Backend>;

/// Times shown on the profile page, as unix seconds.
pub struct Stamps {
    pub started_at: i64,
    pub expires_at: i64,
    pub remember: bool,
}

/// The current request's session (with its user), from the Leptos context.
pub async fn current() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>().await.map_err(|e| {
        tracing::error!("no auth session on the request: {e}");
        AppError::Internal
    })
}

/// The proofs this session made of who is signed in, each with its kind
/// and time: what sensitive changes ask for (`REAUTH_MINUTES`; see
/// `sign_in::proof` for which proofs a change needs).
const PROOFS: &str = "auth.proofs";

/// A kind of proof of who is signed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProofKind {
    Password,
    /// A code from the authenticator app.
    Totp,
    RecoveryCode,
    /// A passkey with user verification: two factors in one.
    Passkey,
}

#[derive(Debug, Clone, Copy, serde::Serialize, serde::Deserialize)]
struct Proof {
    kind: ProofKind,
    /// Unix seconds.
    at: i64,
}

/// Notes that the signed-in person just gave a proof of `kind`. One entry
/// per kind (the newest), so the list stays small.
pub async fn add_proof(session: &Session, kind: ProofKind) -> Result<(), AppError> {
    let mut proofs: Vec<Proof> = session.get(PROOFS).await?.unwrap_or_default();
    proofs.retain(|p| p.kind != kind);
    proofs.push(Proof { kind, at: now() });
    Ok(session.insert(PROOFS, proofs).await?)
}

/// The kinds of proof this session made within `within`.
pub async fn recent_proofs(
    session: &Session,
    within: Duration,
) -> Result<Vec<ProofKind>, AppError> {
    let proofs: Vec<Proof> = session
        .get(PROOFS)
        .await
        // Sessions from before proofs had kinds: no proof.
        .or_else(|err| match err {
            tower_sessions::session::Error::SerdeJson(_) => Ok(None),
            err => Err(err),
        })?
        .unwrap_or_default();
    let now = now();
    Ok(proofs
        .into_iter()
        .filter(|p| now - p.at <= within.as_secs() as i64)
        .map(|p| p.kind)
        .collect())
}

/// What a sign-in writes into its session, made clean for it: whether
/// it is remembered, when it started, and its device row's handle.
pub async fn mark_signed_in(
    session: &Session,
    remember: bool,
    started_at: i64,
    handle: String,
) -> Result<(), AppError> {
    session.insert(REMEMBER, remember).await?;
    session.insert(STARTED_AT, started_at).await?;
    Ok(session.insert(HANDLE, handle).await?)
}

/// This session's public handle, if it is signed in.
pub async fn handle(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get(HANDLE).await?)
}

pub async fn note(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get(NOTE).await?)
}

pub async fn set_note(session: &Session, note: String) -> Result<(), AppError> {
    Ok(session.insert(NOTE, note).await?)
}

pub fn auth_error(err: axum_login::Error<Backend>) -> AppError {
    match err {
        axum_login::Error::Session(e) => e.into(),
        axum_login::Error::Backend(e) => e,
    }
}
