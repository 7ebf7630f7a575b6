//! [ssr] A passkey ceremony between its start and the browser's answer.
//!
//! webauthn-rs hands back a challenge for the browser and a state to keep
//! on the server until the answer comes. The state is kept in the
//! server-side session, under one key per kind of ceremony, so any
//! instance can finish what another started (the session store is shared)
//! and nothing but the session id ever reaches the browser. That needs
//! webauthn-rs' `danger-allow-state-serialisation` feature: without it the
//! state cannot be serialised at all, because a state kept where the client
//! can change or replay it (a cookie, a hidden field) would be unsafe. The
//! session is neither.
//!
//! Each ceremony is answered once. Taking the state out of the session
//! ends it for this request, but two answers sent at once both read the
//! session before either writes it back; so each ceremony also has a
//! random id, and the first answer claims it in `passkey_ceremonies`
//! (a primary key, one INSERT): a second answer, on any instance, finds it
//! claimed and is refused as a replay.
//!
//! One kind of ceremony cannot wait in a session: the sign-in the login
//! page offers in the username field's autofill (conditional UI). It
//! starts on every visit to `/login`, before the visitor has done
//! anything, and a visitor who saved nothing has no session (the
//! contract). It waits in `passkey_autofill` instead, found by its
//! challenge and deleted by the one answer that uses it ([`park`],
//! [`unpark`]). What that gives up: the answer is not bound to the browser
//! that asked, so an answer stolen from a person's browser (by a script
//! injected there) could sign in another one. The button's sign-in, and
//! every ceremony of a signed-in user, are bound to their session.
use crate::{clock::now, db::on_pool, db::Db, error::AppError};
use serde::{de::DeserializeOwned, Deserialize, Serialize};
use std::time::Duration;
use tower_sessions::Session;
use webauthn_rs::{Webauthn, WebauthnBuilder};

/// The kinds of ceremony; one of each may wait in a session.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Adding a passkey to the signed-in account.
    Register,
    /// Signing in with a passkey, no username given (a discoverable one).
    SignIn,
    /// Proving again who is signed in, with one of their passkeys.
    Reauth,
}

impl Kind {
    fn key(self) -> &'static str {
        match self {
            Kind::Register => "passkey.register",
            Kind::SignIn => "passkey.sign_in",
            Kind::Reauth => "passkey.reauth",
        }
    }
}

/// The relying party for `public_url`: its host name is the RP id, and
/// answers must come from exactly that origin.
pub fn relying_party(public_url: &url::Url) -> anyhow::Result<Webauthn> {
    let host = public_url
        .domain()
        .ok_or_else(|| anyhow::anyhow!("PUBLIC_URL has no host name"))?;
    Ok(WebauthnBuilder::new(host, public_url)?
        .rp_name("sesame")
        .build()?)
}

#[derive(Serialize, Deserialize)]
struct Pending<T> {
    /// Claimed once in `passkey_ceremonies` by the answer.
    id: String,
    /// Unix seconds.
    started_at: i64,
    state: T,
    /// Registration: the name the user gave the new passkey.
    name: Option<String>,
}

/// Keeps `state` in the session until the answer; replaces any ceremony of
/// the same kind that was waiting.
pub async fn begin<T: Serialize>(
    session: &Session,
    kind: Kind,
    state: T,
    name: Option<String>,
) -> Result<(), AppError> {
    let pending = Pending {
        id: crate::db::random_token(16),
        started_at: now(),
        state,
        name,
    };
    Ok(session.insert(kind.key(), pending).await?)
}

/// The state waiting for this answer, taken out of the session and claimed
/// for good; `PasskeyNotStarted` when there is none, it is older than
/// `ttl`, or another answer claimed it first.
pub async fn finish<T: DeserializeOwned>(
    session: &Session,
    db: &Db,
    kind: Kind,
    ttl: Duration,
) -> Result<(T, Option<String>), AppError> {
    let pending: Option<Pending<T>> = session
        .remove(kind.key())
        .await
        // A state that no longer reads (a webauthn-rs upgrade) is no state.
        .or_else(|err| match err {
            tower_sessions::session::Error::SerdeJson(_) => Ok(None),
            err => Err(err),
        })?;
    let Some(pending) = pending else {
        return Err(AppError::PasskeyNotStarted);
    };
    let now = now();
    if now - pending.started_at > ttl.as_secs() as i64 {
        return Err(AppError::PasskeyNotStarted);
    }
    const CLAIM: &str =
        "INSERT INTO passkey_ceremonies (id, used_at) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING";
    let claimed = on_pool!(db, pool => {
        sqlx::query(CLAIM).bind(&pending.id).bind(now).execute(pool).await?.rows_affected()
    });
    if claimed != 1 {
        return Err(AppError::PasskeyNotStarted);
    }
    Ok((pending.state, pending.name))
}

/// Keeps an autofill sign-in's `state` until the answer for `challenge`.
pub async fn park<T: Serialize>(db: &Db, challenge: &str, state: &T) -> Result<(), AppError> {
    const SQL: &str =
        "INSERT INTO passkey_autofill (challenge, state, created_at) VALUES ($1, $2, $3)";
    let state = serde_json::to_string(state).map_err(|_| AppError::Internal)?;
    on_pool!(db, pool => {
        sqlx::query(SQL).bind(challenge).bind(&state).bind(now()).execute(pool).await?;
    });
    Ok(())
}

/// The autofill sign-in waiting for `challenge`, deleted in the same
/// statement, so only one answer ever gets it; `None` when none is, or it
/// is older than `ttl`.
pub async fn unpark<T: DeserializeOwned>(
    db: &Db,
    challenge: &str,
    ttl: Duration,
) -> Result<Option<T>, AppError> {
    const SQL: &str =
        "DELETE FROM passkey_autofill WHERE challenge = $1 AND created_at >= $2 RETURNING state";
    let since = now() - ttl.as_secs() as i64;
    let state: Option<String> = on_pool!(db, pool => {
        sqlx::query_scalar(SQL).bind(challenge).bind(since).fetch_optional(pool).await?
    });
    match state {
        Some(state) => serde_json::from_str(&state)
            .map(Some)
            .map_err(|_| AppError::PasskeyNotStarted),
        None => Ok(None),
    }
}

/// Deletes claims and autofill sign-ins older than `ttl`: their ceremonies
/// have expired anyway.
pub async fn prune(db: &Db, ttl: Duration) -> Result<u64, AppError> {
    const CLAIMS: &str = "DELETE FROM passkey_ceremonies WHERE used_at < $1";
    const AUTOFILL: &str = "DELETE FROM passkey_autofill WHERE created_at < $1";
    let before = now() - ttl.as_secs() as i64;
    Ok(on_pool!(db, pool => {
        sqlx::query(CLAIMS).bind(before).execute(pool).await?.rows_affected()
            + sqlx::query(AUTOFILL).bind(before).execute(pool).await?.rows_affected()
    }))
}
