//! [ssr] How long a session lives and how its expiry is kept up to date
//! without a write on every request: the policy's cadences, the `maintain`
//! middleware, the device row's refresh and the store wrapper that ends a
//! browser session at the idle limit.
use super::keys::{Stamps, REMEMBER, STARTED_AT, TOUCHED_AT};
use crate::{clock::now, config::SessionPolicy, devices::db as devices, error::AppError};
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

/// This session's times, for the profile page.
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

/// How long after its last write a session's row lives.
pub fn deadline(policy: &SessionPolicy, remember: bool) -> Duration {
    if remember {
        policy.lifetime
    } else {
        // A request within `renew_every` of a write does not write again, so
        // the row outlives the last write by that much too: a session never
        // ends sooner than `idle` after the last request.
        policy.idle + policy.renew_every(false)
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
