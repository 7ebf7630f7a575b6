//! [ssr] The table `account_events`: writing an event, reading a page of
//! them, forgetting old ones.
use crate::{
    activity::{Event, KEPT_DAYS, PER_PAGE},
    client::origin::{describe, family, Origin},
    clock::format_time,
    clock::now,
    db::{on_pool, Db},
    error::AppError,
};

/// What can happen to an account. The stored kind is `as_str` (the
/// variant in snake case); a detail, when there is one, is a few words of
/// the app's own (how, which device, how many), never a value a client
/// sent but its user agent, described.
#[derive(Debug, Clone, Copy, PartialEq, Eq, strum::IntoStaticStr, strum::EnumString)]
#[strum(serialize_all = "snake_case")]
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
    PasskeyAdded,
    PasskeyRemoved,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        self.into()
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
        let Ok(known) = kind.parse::<Kind>() else {
            return kind.to_owned();
        };
        match known {
            Kind::SignedIn => with("Signed in"),
            Kind::SignInFailed if detail.is_empty() => {
                "Failed sign-in attempt (wrong password)".to_owned()
            }
            Kind::SignInFailed => format!("Failed sign-in attempt ({detail})"),
            Kind::Throttled if detail.is_empty() => {
                "Sign-in attempts throttled (too many failures)".to_owned()
            }
            Kind::Throttled => format!("Sign-in attempts refused (too many failures): {detail}"),
            Kind::SignedOut => "Signed out".to_owned(),
            Kind::SignedOutEverywhere => "Signed out everywhere".to_owned(),
            Kind::SessionRevoked => with("Session revoked"),
            Kind::OtherSessionsRevoked => with("Other sessions revoked"),
            Kind::PasswordChanged => "Password changed".to_owned(),
            Kind::TwoFactorOn => "Two-factor authentication turned on".to_owned(),
            Kind::TwoFactorOff => "Two-factor authentication turned off".to_owned(),
            Kind::RecoveryCodeUsed => with("Recovery code used"),
            Kind::PasskeyAdded => with("Passkey added"),
            Kind::PasskeyRemoved => with("Passkey removed"),
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

/// The statement [`record`] runs, for a change that records its event in
/// its own transaction: `$1` user id, `$2` time, `$3` kind, `$4` detail,
/// `$5` device, `$6` device family, `$7` address.
pub const INSERT: &str = "INSERT INTO account_events \
    (user_id, created_at, kind, detail, device, family, ip) VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// Runs [`INSERT`] for an event inside `tx`, a transaction begun in an
/// `on_pool!` arm (either dialect): for a change that records its event in
/// the same transaction as itself.
macro_rules! record_in {
    ($tx:expr, $user_id:expr, $at:expr, $kind:expr, $detail:expr, $origin:expr) => {{
        let (device, family, ip) = $crate::activity::db::device_and_ip($origin);
        sqlx::query($crate::activity::db::INSERT)
            .bind($user_id)
            .bind($at)
            .bind($kind.as_str())
            .bind($detail)
            .bind(device)
            .bind(family)
            .bind(ip)
            .execute(&mut *$tx)
            .await?;
    }};
}
pub(crate) use record_in;

/// The device, device family and address columns for `origin`.
pub fn device_and_ip(origin: &Origin) -> (String, String, String) {
    (
        describe(&origin.user_agent),
        family(&origin.user_agent),
        origin.ip.clone(),
    )
}

/// A failed sign-in attempt for a known user (already counted by the
/// throttle), recorded in their activity as "Failed sign-in attempt
/// (`why`)". The throttle bounds how many there can be.
pub async fn failed_attempt(
    db: &Db,
    user_id: i64,
    why: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    record(db, user_id, Kind::SignInFailed, why, origin).await
}

/// An attempt refused by the throttle: one `throttled` row per account
/// per `window`, whose detail counts the refusals, so a stranger's flood
/// adds one row, not one each. The first refusal of a window makes the
/// row under a lock (on SQLite the UPDATE takes the write lock first, on
/// PostgreSQL refusals for one account take turns on an advisory lock), so
/// two at once make one row; later ones add to it with one UPDATE.
pub async fn throttled(
    db: &Db,
    user_id: i64,
    origin: &Origin,
    window: std::time::Duration,
) -> Result<(), AppError> {
    const COUNT: &str = "UPDATE account_events \
        SET detail = CAST(CAST(COALESCE(NULLIF(detail, ''), '0') AS INTEGER) + 1 AS TEXT) \
        WHERE user_id = $1 AND kind = 'throttled' AND created_at > $2";
    /// The advisory lock class of these rows (the user id is the other half).
    const PG_LOCK_CLASS: i32 = 0x5346;
    let now = now();
    let since = now - window.as_secs() as i64;
    let kind = Kind::Throttled;
    // The row of this window exists (every refusal but the first): one
    // UPDATE, no lock, so a flood holds no connection waiting.
    let counted = on_pool!(db, pool => {
        sqlx::query(COUNT).bind(user_id).bind(since).execute(pool).await?.rows_affected()
    });
    if counted > 0 {
        return Ok(());
    }
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        if matches!(db, Db::Postgres(_)) {
            sqlx::query("SELECT pg_advisory_xact_lock($1, CAST($2 AS INTEGER))")
                .bind(PG_LOCK_CLASS)
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
        }
        // Again under the lock: another refusal may have made the row.
        let counted = sqlx::query(COUNT)
            .bind(user_id)
            .bind(since)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if counted == 0 {
            record_in!(tx, user_id, now, kind, "1", origin);
        }
        tx.commit().await?;
    });
    Ok(())
}

/// Records that `kind` happened to `user_id`, from `origin`.
pub async fn record(
    db: &Db,
    user_id: i64,
    kind: Kind,
    detail: &str,
    origin: &Origin,
) -> Result<(), AppError> {
    let (device, family, ip) = device_and_ip(origin);
    if kind == Kind::SignedIn {
        notice_if_new_device(db, user_id, &device, &family, &ip).await?;
    }
    on_pool!(db, pool => {
        sqlx::query(INSERT)
            .bind(user_id)
            .bind(now())
            .bind(kind.as_str())
            .bind(detail)
            .bind(&device)
            .bind(&family)
            .bind(&ip)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// A sign-in from a device family the account has signed in from before
/// leaves nothing; from a new one (not the very first sign-in) leaves a
/// "New sign-in from …" notice for the profile.
async fn notice_if_new_device(
    db: &Db,
    user_id: i64,
    device: &str,
    family: &str,
    ip: &str,
) -> Result<(), AppError> {
    const SIGN_INS: &str = "SELECT COUNT(*) FROM account_events \
        WHERE user_id = $1 AND kind = 'signed_in'";
    const FROM_FAMILY: &str = "SELECT COUNT(*) FROM account_events \
        WHERE user_id = $1 AND kind = 'signed_in' AND family = $2";
    const NOTICE: &str = "INSERT INTO sign_in_notices (user_id, created_at, device, ip) \
        VALUES ($1, $2, $3, $4)";
    on_pool!(db, pool => {
        let before: i64 = sqlx::query_scalar(SIGN_INS).bind(user_id).fetch_one(pool).await?;
        let here: i64 = sqlx::query_scalar(FROM_FAMILY)
            .bind(user_id)
            .bind(family)
            .fetch_one(pool)
            .await?;
        if before > 0 && here == 0 {
            sqlx::query(NOTICE)
                .bind(user_id)
                .bind(now())
                .bind(device)
                .bind(ip)
                .execute(pool)
                .await?;
        }
    });
    Ok(())
}

/// The profile's notices: "New sign-in from …", newest first.
pub async fn notices(db: &Db, user_id: i64) -> Result<Vec<crate::activity::Notice>, AppError> {
    const SQL: &str = "SELECT id, created_at, device, ip FROM sign_in_notices \
        WHERE user_id = $1 ORDER BY id DESC";
    let rows: Vec<(i64, i64, String, String)> = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(user_id).fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, at, device, ip)| crate::activity::Notice {
            id,
            text: format!("New sign-in from {device}"),
            detail: format!("{ip}, {}", format_time(at)),
        })
        .collect())
}

/// Dismisses one of the user's notices; false if there was none.
pub async fn dismiss(db: &Db, user_id: i64, id: i64) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM sign_in_notices WHERE user_id = $1 AND id = $2";
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL).bind(user_id).bind(id).execute(pool).await?.rows_affected() == 1
    }))
}

/// [`record`] for a username, if it is an account's: the failed and the
/// throttled sign-ins (these counted, see [`throttled`]). Run apart from
/// the request (see the callers), so that whether the name exists does not
/// change how long an answer takes.
pub fn record_for_username(
    db: Db,
    username: String,
    kind: Kind,
    origin: Origin,
    window: std::time::Duration,
) {
    tokio::spawn(async move {
        let result = async {
            if let Some(user) = crate::users::db::find_by_username(&db, &username).await? {
                if kind == Kind::Throttled {
                    throttled(&db, user.id, &origin, window).await?;
                } else {
                    record(&db, user.id, kind, "", &origin).await?;
                }
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

#[cfg(test)]
mod tests {
    use super::Kind;

    /// The kinds are stored: their names never change with a rename.
    #[test]
    fn stored_kind_names_stay_as_they_were() {
        let stored = [
            (Kind::SignedIn, "signed_in"),
            (Kind::SignInFailed, "sign_in_failed"),
            (Kind::Throttled, "throttled"),
            (Kind::SignedOut, "signed_out"),
            (Kind::SignedOutEverywhere, "signed_out_everywhere"),
            (Kind::SessionRevoked, "session_revoked"),
            (Kind::OtherSessionsRevoked, "other_sessions_revoked"),
            (Kind::PasswordChanged, "password_changed"),
            (Kind::TwoFactorOn, "two_factor_on"),
            (Kind::TwoFactorOff, "two_factor_off"),
            (Kind::RecoveryCodeUsed, "recovery_code_used"),
            (Kind::PasskeyAdded, "passkey_added"),
            (Kind::PasskeyRemoved, "passkey_removed"),
        ];
        for (kind, name) in stored {
            assert_eq!(kind.as_str(), name);
            assert_eq!(name.parse::<Kind>(), Ok(kind));
        }
    }
}
