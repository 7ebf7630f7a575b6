//! [ssr] The table `account_events`: writing an event, reading a page of
//! them, forgetting old ones.
use crate::{
    activity::{Event, KEPT_DAYS, PER_PAGE},
    auth::format_time,
    db::{on_pool, Db},
    devices::db::{describe, Origin},
    error::AppError,
};

/// What can happen to an account. The stored kind is `as_str`; a detail,
/// when there is one, is a few words of the app's own (how, which device,
/// how many), never a value a client sent but its user agent, described.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    SignedIn,
    SignInFailed,
    Throttled,
    SignedOut,
    SignedOutEverywhere,
    SessionRevoked,
    OtherSessionsRevoked,
    PasswordChanged,
    TwoFactorOn,
    TwoFactorOff,
    RecoveryCodeUsed,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SignedIn => "signed_in",
            Kind::SignInFailed => "sign_in_failed",
            Kind::Throttled => "throttled",
            Kind::SignedOut => "signed_out",
            Kind::SignedOutEverywhere => "signed_out_everywhere",
            Kind::SessionRevoked => "session_revoked",
            Kind::OtherSessionsRevoked => "other_sessions_revoked",
            Kind::PasswordChanged => "password_changed",
            Kind::TwoFactorOn => "two_factor_on",
            Kind::TwoFactorOff => "two_factor_off",
            Kind::RecoveryCodeUsed => "recovery_code_used",
        }
    }

    /// The words of the page for an event of `kind` with `detail`.
    fn describe(kind: &str, detail: &str) -> String {
        let with = |what: &str| {
            if detail.is_empty() {
                what.to_owned()
            } else {
                format!("{what}: {detail}")
            }
        };
        match kind {
            "signed_in" => with("Signed in"),
            "sign_in_failed" if detail.is_empty() => {
                "Failed sign-in attempt (wrong password)".to_owned()
            }
            "sign_in_failed" => format!("Failed sign-in attempt ({detail})"),
            "throttled" => "Sign-in attempts throttled (too many failures)".to_owned(),
            "signed_out" => "Signed out".to_owned(),
            "signed_out_everywhere" => "Signed out everywhere".to_owned(),
            "session_revoked" => with("Session revoked"),
            "other_sessions_revoked" => with("Other sessions revoked"),
            "password_changed" => "Password changed".to_owned(),
            "two_factor_on" => "Two-factor authentication turned on".to_owned(),
            "two_factor_off" => "Two-factor authentication turned off".to_owned(),
            "recovery_code_used" => with("Recovery code used"),
            other => other.to_owned(),
        }
    }
}

#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    created_at: i64,
    kind: String,
    detail: String,
    device: String,
    ip: String,
}

impl Row {
    fn into_event(self) -> Event {
        Event {
            id: self.id,
            at: format_time(self.created_at),
            what: Kind::describe(&self.kind, &self.detail),
            kind: self.kind,
            device: self.device,
            ip: self.ip,
        }
    }
}

fn now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The statement [`record`] runs, for a change that records its event in
/// its own transaction: `$1` user id, `$2` time, `$3` kind, `$4` detail,
/// `$5` device, `$6` address.
pub const INSERT: &str = "INSERT INTO account_events \
    (user_id, created_at, kind, detail, device, ip) VALUES ($1, $2, $3, $4, $5, $6)";

/// The device and address columns for `origin`.
pub fn device_and_ip(origin: &Origin) -> (String, String) {
    (describe(&origin.user_agent), origin.ip.clone())
}

/// Records that `kind` happened to `user_id`, from `origin`.
pub async fn record(
    db: &Db,
    user_id: i64,
    kind: Kind,
    detail: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    let (device, ip) = device_and_ip(origin);
    on_pool!(db, pool => {
        sqlx::query(INSERT)
            .bind(user_id)
            .bind(now())
            .bind(kind.as_str())
            .bind(detail)
            .bind(&device)
            .bind(&ip)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// [`record`] for a username, if it is an account's: the failed and the
/// throttled sign-ins. Run apart from the request (see the callers), so
/// that whether the name exists does not change how long an answer takes.
pub fn record_for_username(db: Db, username: String, kind: Kind, origin: Origin) {
    tokio::spawn(async move {
        let result = async {
            if let Some(user) = crate::users::db::find_by_username(&db, &username).await? {
                record(&db, user.id, kind, "", &origin).await?;
            }
            Ok::<_, AppError>(())
        }
        .await;
        if let Err(err) = result {
            tracing::warn!("could not record a sign-in event: {err}");
        }
    });
}

/// Page `page` (from 1) of the user's events, newest first, and whether a
/// next page exists.
pub async fn page(db: &Db, user_id: i64, page: u32) -> Result<(Vec<Event>, bool), AppError> {
    const SQL: &str = "SELECT id, created_at, kind, detail, device, ip FROM account_events \
        WHERE user_id = $1 ORDER BY id DESC LIMIT $2 OFFSET $3";
    let offset = i64::from(page.saturating_sub(1)) * i64::from(PER_PAGE);
    let limit = i64::from(PER_PAGE) + 1;
    let mut rows: Vec<Row> = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(user_id).bind(limit).bind(offset).fetch_all(pool).await?
    });
    let has_next = rows.len() > PER_PAGE as usize;
    rows.truncate(PER_PAGE as usize);
    let events = rows.into_iter().map(Row::into_event).collect();
    Ok((events, has_next))
}

/// Every event of the user, newest first (the export).
pub async fn all(db: &Db, user_id: i64) -> Result<Vec<Event>, AppError> {
    const SQL: &str = "SELECT id, created_at, kind, detail, device, ip FROM account_events \
        WHERE user_id = $1 ORDER BY id DESC";
    let rows: Vec<Row> = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(user_id).fetch_all(pool).await?
    });
    Ok(rows.into_iter().map(Row::into_event).collect())
}

/// Deletes the events older than [`KEPT_DAYS`]; how many went.
pub async fn prune(db: &Db) -> Result<u64, AppError> {
    const SQL: &str = "DELETE FROM account_events WHERE created_at < $1";
    let cutoff = now() - KEPT_DAYS * 24 * 60 * 60;
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL).bind(cutoff).execute(pool).await?.rows_affected()
    }))
}
