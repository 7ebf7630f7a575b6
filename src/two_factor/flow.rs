//! [ssr] What two-factor keeps in the session, and checking a code.
//!
//! Between the password and the code, the sign-in is half done: the user
//! it is for, "remember me" and `next` wait in *this* session (so in no
//! other: the half-done state is bound to its id), for at most
//! `Settings::second_step`, and the session is not signed in. Enrolling,
//! the new secret waits in the session until a code confirms it; the new
//! recovery codes wait there until the page has shown them once.
use crate::{
    error::AppError,
    two_factor::{codes, db},
    users::db::User,
};
use serde::{Deserialize, Serialize};
use tower_sessions::Session;

const SECOND_STEP: &str = "2fa.second_step";
const PENDING_SECRET: &str = "2fa.pending_secret";
const NEW_CODES: &str = "2fa.new_codes";

/// A sign-in waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SecondStep {
    pub user_id: i64,
    pub remember: bool,
    pub next: Option<String>,
    /// Unix seconds.
    pub started_at: i64,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

pub async fn start_second_step(
    session: &Session,
    user_id: i64,
    remember: bool,
    next: Option<String>,
) -> Result<(), AppError> {
    let step = SecondStep {
        user_id,
        remember,
        next,
        started_at: now(),
    };
    Ok(session.insert(SECOND_STEP, step).await?)
}

/// The sign-in waiting in this session for its code, if it is younger
/// than `ttl`; a stale one is forgotten.
pub async fn second_step(
    session: &Session,
    ttl: std::time::Duration,
) -> Result<Option<SecondStep>, AppError> {
    let Some(step) = session.get::<SecondStep>(SECOND_STEP).await? else {
        return Ok(None);
    };
    if now() - step.started_at > ttl.as_secs() as i64 {
        end_second_step(session).await?;
        return Ok(None);
    }
    Ok(Some(step))
}

pub async fn end_second_step(session: &Session) -> Result<(), AppError> {
    session.remove::<SecondStep>(SECOND_STEP).await?;
    Ok(())
}

/// The secret being enrolled in this session, made on first asking.
pub async fn pending_secret(session: &Session) -> Result<String, AppError> {
    if let Some(secret) = session.get::<String>(PENDING_SECRET).await? {
        return Ok(secret);
    }
    let secret = codes::new_secret();
    session.insert(PENDING_SECRET, &secret).await?;
    Ok(secret)
}

/// The secret being enrolled, if the page made one.
pub async fn take_pending_secret(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.remove::<String>(PENDING_SECRET).await?)
}

pub async fn keep_new_codes(session: &Session, codes: &[String]) -> Result<(), AppError> {
    Ok(session.insert(NEW_CODES, codes).await?)
}

/// The recovery codes just made, once: the next call finds none.
pub async fn take_new_codes(session: &Session) -> Result<Vec<String>, AppError> {
    Ok(session
        .remove::<Vec<String>>(NEW_CODES)
        .await?
        .unwrap_or_default())
}

/// How a code was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// A code from the authenticator app.
    Code,
    /// One of the recovery codes, now used up.
    RecoveryCode,
}

/// Checks `code` for `user`: an app code not accepted before (its step is
/// then used up), or an unused recovery code (then used up). None when it
/// is neither: wrong, replayed, or used.
pub async fn verify(
    db: &crate::db::Db,
    user: &User,
    enrolled: &db::Enrolled,
    code: &str,
) -> Result<Option<Proof>, AppError> {
    let totp = codes::totp(&enrolled.secret, &user.username)?;
    let now = u64::try_from(now()).unwrap_or_default();
    if let Some(step) = codes::check(&totp, code, now) {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        return Ok(db::use_step(db, user.id, step)
            .await?
            .then_some(Proof::Code));
    }
    if let Some(normalized) = codes::normalize_recovery_code(code) {
        let hash = codes::hash_recovery_code(&normalized);
        if db::use_recovery_code(db, user.id, &hash).await? {
            return Ok(Some(Proof::RecoveryCode));
        }
    }
    Ok(None)
}
