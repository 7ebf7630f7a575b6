//! [ssr] What two-factor keeps in the session, and checking a code.
//!
//! Between the password and the code, the sign-in is half done: the user
//! it is for, "remember me" and `next` wait in *this* session (so in no
//! other: the half-done state is bound to its id), for at most
//! `Settings::second_step`, and the session is not signed in. Enrolling,
//! the new secret waits in the session until a code confirms it; the new
//! recovery codes wait there until the page has shown them once.
use crate::{
    clock::now,
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
    /// The user's session token when the password was right: a password
    /// change or `Log out everywhere` since then (a new token) cancels the
    /// step, in this browser and any other.
    pub token: String,
    pub remember: bool,
    pub next: Option<String>,
    /// Unix seconds.
    pub started_at: i64,
}

/// The password was right: the sign-in waits for its code, under a new
/// session id (the one the password was typed under is worthless now).
pub async fn start_second_step(
    session: &Session,
    user: &User,
    remember: bool,
    next: Option<String>,
) -> Result<(), AppError> {
    let step = SecondStep {
        user_id: user.id,
        token: user.session_token.clone(),
        remember,
        next,
        started_at: now(),
    };
    session.cycle_id().await?;
    Ok(session.insert(SECOND_STEP, step).await?)
}

/// The sign-in waiting in this session for its code, if it is younger
/// than `ttl`; a stale one is forgotten.
pub async fn second_step(
    session: &Session,
    ttl: std::time::Duration,
) -> Result<Option<SecondStep>, AppError> {
    let Some(step) = session
        .get::<SecondStep>(SECOND_STEP)
        .await
        // A step written before steps had a token: no step.
        .or_else(|err| match err {
            tower_sessions::session::Error::SerdeJson(_) => Ok(None),
            err => Err(err),
        })?
    else {
        return Ok(None);
    };
    if now() - step.started_at > ttl.as_secs() as i64 {
        end_second_step(session).await?;
        return Ok(None);
    }
    Ok(Some(step))
}

pub async fn end_second_step(session: &Session) -> Result<(), AppError> {
    session.remove_value(SECOND_STEP).await?;
    Ok(())
}

/// Something made in this session for one account: refused to any other
/// signed in later on the same browser.
#[derive(Serialize, Deserialize)]
struct Owned<T> {
    user_id: i64,
    value: T,
}

/// What `key` holds for `user_id`, if it was made for them.
async fn owned<T: serde::de::DeserializeOwned>(
    session: &Session,
    key: &str,
    user_id: i64,
) -> Result<Option<T>, AppError> {
    let owned: Option<Owned<T>> = session.get(key).await.or_else(|err| match err {
        // Written before values had an owner: nobody's.
        tower_sessions::session::Error::SerdeJson(_) => Ok(None),
        err => Err(err),
    })?;
    Ok(owned.filter(|o| o.user_id == user_id).map(|o| o.value))
}

/// The secret `user_id` is enrolling in this session, made on first asking.
pub async fn pending_secret(session: &Session, user_id: i64) -> Result<String, AppError> {
    if let Some(secret) = owned::<String>(session, PENDING_SECRET, user_id).await? {
        return Ok(secret);
    }
    let secret = codes::new_secret();
    let owned = Owned {
        user_id,
        value: &secret,
    };
    session.insert(PENDING_SECRET, owned).await?;
    Ok(secret)
}

/// The secret `user_id` was enrolling, if the page made one for them.
pub async fn take_pending_secret(
    session: &Session,
    user_id: i64,
) -> Result<Option<String>, AppError> {
    let secret = owned(session, PENDING_SECRET, user_id).await?;
    session.remove_value(PENDING_SECRET).await?;
    Ok(secret)
}

pub async fn keep_new_codes(
    session: &Session,
    user_id: i64,
    codes: &[String],
) -> Result<(), AppError> {
    let owned = Owned {
        user_id,
        value: codes,
    };
    Ok(session.insert(NEW_CODES, owned).await?)
}

/// The recovery codes just made for `user_id`, once: the next call finds
/// none.
pub async fn take_new_codes(session: &Session, user_id: i64) -> Result<Vec<String>, AppError> {
    let codes = owned(session, NEW_CODES, user_id).await?;
    if codes.is_some() {
        session.remove_value(NEW_CODES).await?;
    }
    Ok(codes.unwrap_or_default())
}

/// How a code was right.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proof {
    /// A code from the authenticator app.
    Code,
    /// One of the recovery codes, now used up.
    RecoveryCode,
}

impl Proof {
    pub fn kind(self) -> crate::session::keys::ProofKind {
        use crate::session::keys::ProofKind;
        match self {
            Proof::Code => ProofKind::Totp,
            Proof::RecoveryCode => ProofKind::RecoveryCode,
        }
    }
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
