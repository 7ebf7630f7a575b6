//! [ssr] The queries of the session index (table `user_sessions`).
//!
//! Rows are written at sign-in and touched at most once every
//! [`SEEN_EVERY`], so "last seen" is coarse and a read costs one indexed
//! SELECT.
use crate::{
    client::origin::{describe, Origin},
    clock::format_time,
    db::{on_pool, Db},
    devices::DeviceSession,
    error::AppError,
};

/// How stale "last seen" may get before a request writes it again; less
/// for a browser session with a short idle limit
/// (`session::keys::index_refresh`).
pub const SEEN_EVERY: i64 = 5 * 60;

#[derive(sqlx::FromRow)]
struct Row {
    handle: String,
    created_at: i64,
    last_seen: i64,
    expires_at: i64,
    ip: String,
    user_agent: String,
}

/// A fresh random public handle (not derived from the session id).
pub fn new_handle() -> String {
    crate::db::random_token(16)
}

pub async fn insert(
    db: &Db,
    handle: &str,
    user_id: i64,
    now: i64,
    expires_at: i64,
    origin: &Origin,
) -> Result<(), AppError> {
    const SQL: &str = "INSERT INTO user_sessions \
        (handle, user_id, created_at, last_seen, expires_at, ip, user_agent) \
        VALUES ($1, $2, $3, $3, $4, $5, $6)";
    // A user agent is whatever the client says; keep the row small.
    let agent: String = origin.user_agent.chars().take(300).collect();
    on_pool!(db, pool => {
        sqlx::query(SQL)
            .bind(handle)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .bind(&origin.ip)
            .bind(&agent)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// When the row of `handle` was last seen, if it still exists.
pub async fn last_seen(db: &Db, handle: &str) -> Result<Option<i64>, AppError> {
    const SQL: &str = "SELECT last_seen FROM user_sessions WHERE handle = $1";
    let here = db.read_here(|conn| {
        use rusqlite::OptionalExtension;
        conn.prepare_cached(SQL)?
            .query_row([handle], |row| row.get(0))
            .optional()
    });
    if let Some(seen) = here {
        return Ok(seen);
    }
    Ok(on_pool!(db, pool => {
        sqlx::query_scalar(SQL).bind(handle).fetch_optional(pool).await?
    }))
}

pub async fn touch(db: &Db, handle: &str, now: i64, expires_at: i64) -> Result<(), AppError> {
    const SQL: &str = "UPDATE user_sessions SET last_seen = $2, expires_at = $3 WHERE handle = $1";
    on_pool!(db, pool => {
        sqlx::query(SQL).bind(handle).bind(now).bind(expires_at).execute(pool).await?;
    });
    Ok(())
}

/// Ends one session of `user_id` (never another user's); whether it existed.
pub async fn remove(db: &Db, user_id: i64, handle: &str) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM user_sessions WHERE handle = $1 AND user_id = $2";
    let removed = on_pool!(db, pool => {
        sqlx::query(SQL).bind(handle).bind(user_id).execute(pool).await?.rows_affected()
    });
    Ok(removed > 0)
}

/// Drops the row of `handle`, whoever's it is (this session's own sign-out).
pub async fn forget(db: &Db, handle: &str) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM user_sessions WHERE handle = $1";
    on_pool!(db, pool => {
        sqlx::query(SQL).bind(handle).execute(pool).await?;
    });
    Ok(())
}

/// Ends every session of `user_id` but `keep` (none if `None`).
pub async fn remove_all_but(db: &Db, user_id: i64, keep: Option<&str>) -> Result<u64, AppError> {
    const SQL: &str = "DELETE FROM user_sessions WHERE user_id = $1 AND handle <> $2";
    let keep = keep.unwrap_or("");
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL).bind(user_id).bind(keep).execute(pool).await?.rows_affected()
    }))
}

pub async fn delete_expired(db: &Db, now: i64) -> Result<u64, AppError> {
    const SQL: &str = "DELETE FROM user_sessions WHERE expires_at < $1";
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL).bind(now).execute(pool).await?.rows_affected()
    }))
}

/// The live sessions of `user_id`, most recently seen first, as the page
/// shows them; `current` is marked as this device.
pub async fn list(
    db: &Db,
    user_id: i64,
    current: Option<&str>,
    now: i64,
) -> Result<Vec<DeviceSession>, AppError> {
    const SQL: &str = "SELECT handle, created_at, last_seen, expires_at, ip, user_agent \
        FROM user_sessions WHERE user_id = $1 AND expires_at >= $2 \
        ORDER BY last_seen DESC, created_at DESC";
    let rows: Vec<Row> = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(user_id).bind(now).fetch_all(pool).await?
    });
    Ok(rows
        .into_iter()
        .map(|row| DeviceSession {
            this_device: current == Some(row.handle.as_str()),
            created_at: format_time(row.created_at),
            last_seen: format_time(row.last_seen),
            expires_at: format_time(row.expires_at),
            browser: describe(&row.user_agent),
            ip: row.ip,
            handle: row.handle,
        })
        .collect())
}
