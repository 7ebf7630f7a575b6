//! [ssr] The typed session: the only file that knows the session's keys.
//!
//! Flask's `session` dict, kept on the server by tower-sessions. The browser
//! holds only an opaque, signed id.
use crate::{
    auth::backend::Backend, config::SessionPolicy, db::Db, devices::db as devices, error::AppError,
    users::db::User,
};
use axum::{
    extract::{Request, State},
    middleware::Next,
    response::Response,
};
use std::time::Duration;
use tower_sessions::{
    session::{Id, Record},
    session_store, Expiry, Session, SessionStore,
};

/// axum-login's own data (user id and auth hash).
pub const AUTH_DATA_KEY: &str = "auth.user";
const REMEMBER: &str = "auth.remember";
const STARTED_AT: &str = "auth.started_at";
const TOUCHED_AT: &str = "session.touched_at";
/// The public handle of this session's row in `user_sessions`.
const HANDLE: &str = "auth.handle";
const NOTE: &str = "data.note";

pub type AuthSession = axum_login::AuthSession<Backend>;

impl SessionPolicy {
    /// How often activity is written back. A session is only written when it
    /// changed or when this much time has passed since the last write, never
    /// on every request. For a browser session it is a twelfth of the idle
    /// limit and at most a minute, so an idle session ends between N and
    /// N + 1 minutes after its last request (N + N/12 below 12 minutes).
    fn renew_every(&self, remember: bool) -> Duration {
        if remember {
            self.lifetime / 12
        } else {
            (self.idle / 12).min(Duration::from_secs(60))
        }
    }

    fn expiry(&self, remember: bool) -> Expiry {
        if remember {
            let lifetime =
                time::Duration::try_from(self.lifetime).unwrap_or(time::Duration::days(7));
            Expiry::OnInactivity(lifetime)
        } else {
            // A browser-session cookie; the store caps the row at the idle limit.
            Expiry::OnSessionEnd
        }
    }
}

/// Times shown on the profile page, as unix seconds.
pub struct Stamps {
    pub started_at: i64,
    pub expires_at: i64,
    pub remember: bool,
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The current request's session (with its user), from the Leptos context.
pub async fn current() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>().await.map_err(|e| {
        tracing::error!("no auth session on the request: {e}");
        AppError::Internal
    })
}

/// The signed-in user and this session's handle, or 401.
pub async fn signed_in() -> Result<(User, Option<String>), AppError> {
    let auth = current().await?;
    let user = auth.user.clone().ok_or(AppError::Unauthorized)?;
    let handle = handle(&auth.session).await?;
    Ok((user, handle))
}

/// Signs `user` in on this session, lists it among the user's devices and
/// records it in their activity as "Signed in: `how`", with the `proofs`
/// this sign-in gave. The sign-in starts clean: of the session it starts
/// in, only the note (the Flask demo's data) stays; a half-done second
/// step, an enrolment's secret, codes waiting to be shown and passkey
/// ceremonies of whoever used this browser before are gone.
pub async fn sign_in(
    auth: &mut AuthSession,
    user: &User,
    remember: bool,
    db: &Db,
    policy: &SessionPolicy,
    how: &str,
    proofs: &[ProofKind],
) -> Result<(), AppError> {
    // A sign-in over an earlier one in the same browser replaces its row.
    if let Some(old) = handle(&auth.session).await? {
        devices::forget(db, &old).await?;
    }
    let note: Option<String> = auth.session.get(NOTE).await?;
    auth.session.clear().await;
    // New id at login: whatever id the browser had before (perhaps one an
    // attacker planted) is worthless from now on. Session fixation.
    auth.session.cycle_id().await?;
    auth.login(user).await.map_err(auth_error)?;
    if let Some(note) = note {
        auth.session.insert(NOTE, note).await?;
    }
    let started_at = now();
    let handle = devices::new_handle();
    let expires_at = started_at + deadline(policy, remember).as_secs() as i64;
    devices::insert(db, &handle, user.id, started_at, expires_at, &origin()).await?;
    auth.session.insert(REMEMBER, remember).await?;
    auth.session.insert(STARTED_AT, started_at).await?;
    auth.session.insert(HANDLE, handle).await?;
    for kind in proofs {
        add_proof(&auth.session, *kind).await?;
    }
    use crate::activity::db::{record, Kind};
    record(db, user.id, Kind::SignedIn, how, &origin()).await
}

/// The proofs this session made of who is signed in, each with its kind
/// and time: what sensitive changes ask for (`REAUTH_MINUTES`; see
/// `auth::proof` for which proofs a change needs).
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

/// Keeps this session signed in as `user` after their session token
/// changed (a new password), under a new id.
pub async fn keep_signed_in(auth: &mut AuthSession, user: &User) -> Result<(), AppError> {
    auth.session.cycle_id().await?;
    auth.login(user).await.map_err(auth_error)?;
    Ok(())
}

/// Where the current request comes from: the client's address (the peer,
/// or what a trusted proxy says; see `crate::client`) and the browser's own
/// description of itself.
pub fn origin() -> devices::Origin {
    let parts = leptos::prelude::use_context::<http::request::Parts>();
    let ip = parts
        .as_ref()
        .and_then(|p| p.extensions.get::<crate::client::ClientIp>())
        .map(|client| client.0.to_string())
        .unwrap_or_else(|| "unknown".to_owned());
    let user_agent = parts
        .as_ref()
        .and_then(|p| p.headers.get(http::header::USER_AGENT))
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    devices::Origin { ip, user_agent }
}

/// This session's public handle, if it is signed in.
pub async fn handle(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get(HANDLE).await?)
}

/// When this session's device row, last seen at `seen`, is due a refresh:
/// the expiry to write then, else `None`. The row is refreshed at least as
/// often as the session itself, so it outlives the session and an active
/// session is never taken for revoked.
pub async fn index_refresh(
    session: &Session,
    policy: &SessionPolicy,
    seen: i64,
    now: i64,
) -> Result<Option<i64>, AppError> {
    let every =
        |remember| (policy.renew_every(remember).as_secs() as i64).clamp(1, devices::SEEN_EVERY);
    // Below the shorter of the two cadences nothing is due, whichever
    // kind this is, and the session is not read (most requests).
    if now - seen < every(false).min(every(true)) {
        return Ok(None);
    }
    let remember = session.get::<bool>(REMEMBER).await?.unwrap_or(false);
    Ok((now - seen >= every(remember)).then(|| now + deadline(policy, remember).as_secs() as i64))
}

/// `Log out`: ends the sign-in and keeps the rest, like Flask's
/// `session.pop('username')`. The old id is deleted on the server, so a
/// replayed cookie is anonymous; the note moves to a new id.
pub async fn sign_out(auth: &mut AuthSession, db: &Db) -> Result<(), AppError> {
    let note: Option<String> = auth.session.get(NOTE).await?;
    if let Some(handle) = handle(&auth.session).await? {
        devices::forget(db, &handle).await?;
    }
    auth.logout().await.map_err(auth_error)?;
    if let Some(note) = note {
        // flush() keeps the record's id and a later save would reuse it:
        // the note moves to a brand-new id.
        auth.session.cycle_id().await?;
        auth.session.insert(NOTE, note).await?;
    }
    Ok(())
}

/// `Log out everywhere`: clears the whole session (Flask's `session.clear()`)
/// and deletes it on the server.
pub async fn clear(auth: &mut AuthSession) -> Result<(), AppError> {
    auth.logout().await.map_err(auth_error)?;
    Ok(())
}

pub async fn note(session: &Session) -> Result<Option<String>, AppError> {
    Ok(session.get(NOTE).await?)
}

pub async fn set_note(session: &Session, note: String) -> Result<(), AppError> {
    Ok(session.insert(NOTE, note).await?)
}

pub async fn times(session: &Session, policy: &SessionPolicy) -> Result<Stamps, AppError> {
    let remember = session.get::<bool>(REMEMBER).await?.unwrap_or(false);
    let started_at = session.get::<i64>(STARTED_AT).await?.unwrap_or_else(now);
    let touched_at = session.get::<i64>(TOUCHED_AT).await?.unwrap_or_else(now);
    let expires_at = touched_at + deadline(policy, remember).as_secs() as i64;
    Ok(Stamps {
        started_at,
        expires_at,
        remember,
    })
}

/// How long after its last write a session's row lives.
fn deadline(policy: &SessionPolicy, remember: bool) -> Duration {
    if remember {
        policy.lifetime
    } else {
        // A request within `renew_every` of a write does not write again, so
        // the row outlives the last write by that much too: a session never
        // ends sooner than `idle` after the last request.
        policy.idle + policy.renew_every(false)
    }
}

pub fn auth_error(err: axum_login::Error<Backend>) -> AppError {
    match err {
        axum_login::Error::Session(e) => e.into(),
        axum_login::Error::Backend(e) => e,
    }
}

/// Middleware: keeps a live session alive without writing on every request.
///
/// Before the handler: a session not written for `renew_every` is touched,
/// so it is saved with a fresh expiry. After it: any session being saved
/// gets the expiry of its kind (tower-sessions does not store the expiry
/// kind, so it has to be set again on every write).
pub async fn maintain(
    State(policy): State<SessionPolicy>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    if let Err(err) = touch_if_stale(&session, &policy).await {
        tracing::warn!("could not renew the session: {err}");
    }
    let res = next.run(req).await;
    if session.is_modified() && !session.is_empty().await {
        let remember = session
            .get::<bool>(REMEMBER)
            .await
            .ok()
            .flatten()
            .unwrap_or(false);
        session.set_expiry(Some(policy.expiry(remember)));
        if let Err(err) = session.insert(TOUCHED_AT, now()).await {
            tracing::warn!("could not stamp the session: {err}");
        }
    }
    res
}

async fn touch_if_stale(
    session: &Session,
    policy: &SessionPolicy,
) -> Result<(), tower_sessions::session::Error> {
    let Some(touched_at) = session.get::<i64>(TOUCHED_AT).await? else {
        return Ok(());
    };
    let remember = session.get::<bool>(REMEMBER).await?.unwrap_or(false);
    if now() - touched_at >= policy.renew_every(remember).as_secs() as i64 {
        session.insert(TOUCHED_AT, now()).await?;
    }
    Ok(())
}

/// A session store that ends browser sessions at the idle limit.
///
/// tower-sessions gives a browser-session cookie only with
/// `Expiry::OnSessionEnd`, and then keeps the row for two weeks; this caps
/// the row of every session without "Remember me" at the idle deadline, so
/// an idle session is gone on the server (and anonymous if replayed), and
/// the cleanup task removes it.
#[derive(Clone, Debug)]
pub struct PolicyStore<S> {
    inner: S,
    policy: SessionPolicy,
}

impl<S> PolicyStore<S> {
    pub fn new(inner: S, policy: SessionPolicy) -> Self {
        Self { inner, policy }
    }

    fn cap(&self, record: &Record) -> Option<time::OffsetDateTime> {
        let remembered = record
            .data
            .get(REMEMBER)
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if remembered {
            return None;
        }
        let limit = time::Duration::try_from(deadline(&self.policy, false)).ok()?;
        let capped = time::OffsetDateTime::now_utc() + limit;
        (capped < record.expiry_date).then_some(capped)
    }
}

#[async_trait::async_trait]
impl<S: SessionStore + Clone> SessionStore for PolicyStore<S> {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        if let Some(capped) = self.cap(record) {
            record.expiry_date = capped;
        }
        self.inner.create(record).await
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        match self.cap(record) {
            Some(capped) => {
                let mut record = record.clone();
                record.expiry_date = capped;
                self.inner.save(&record).await
            }
            None => self.inner.save(record).await,
        }
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        self.inner.load(id).await
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.inner.delete(id).await
    }
}
