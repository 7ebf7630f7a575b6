//! [ssr] Every SQL query about users.
use crate::db::{on_pool, Db};
use crate::{
    error::AppError,
    users::validate::{Email, Username},
    users::{UserRow, PER_PAGE},
};

/// A user as the server sees it, secrets included; never serialised.
#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub email: String,
    pub password_hash: String,
    pub session_token: String,
    pub created_at: i64,
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

const COLUMNS: &str = "id, username, email, password_hash, session_token, created_at";

/// A fresh random token for `session_token`.
pub fn new_session_token() -> String {
    crate::db::random_token(32)
}

/// The user of a signed-in request (axum-login asks on every request).
pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<User>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let here = db.read_here(|conn| {
        use rusqlite::OptionalExtension;
        conn.prepare_cached(&sql)?
            .query_row([id], |row| {
                Ok(User {
                    id: row.get(0)?,
                    username: row.get(1)?,
                    email: row.get(2)?,
                    password_hash: row.get(3)?,
                    session_token: row.get(4)?,
                    created_at: row.get(5)?,
                })
            })
            .optional()
    });
    if let Some(found) = here {
        return Ok(found);
    }
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await?))
}

/// The user of a signed-in request and, in the same statement, the
/// `last_seen` of its session's device row (`None`: no such row, the
/// session was revoked): one read, one round trip on PostgreSQL.
pub async fn find_signed_in(
    db: &Db,
    id: i64,
    handle: &str,
) -> Result<Option<(User, Option<i64>)>, AppError> {
    // `$1` before `$2`: SQLite numbers `$N` parameters in the order they
    // first appear, not by N.
    const SQL: &str = "SELECT u.id, u.username, u.email, u.password_hash, u.session_token, \
        u.created_at, d.last_seen FROM (SELECT * FROM users WHERE id = $1) u \
        LEFT JOIN user_sessions d ON d.user_id = u.id AND d.handle = $2";
    let here = db.read_here(|conn| {
        use rusqlite::OptionalExtension;
        conn.prepare_cached(SQL)?
            .query_row(rusqlite::params![id, handle], |row| {
                let user = User {
                    id: row.get(0)?,
                    username: row.get(1)?,
                    email: row.get(2)?,
                    password_hash: row.get(3)?,
                    session_token: row.get(4)?,
                    created_at: row.get(5)?,
                };
                Ok((user, row.get(6)?))
            })
            .optional()
    });
    if let Some(found) = here {
        return Ok(found);
    }
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        user: User,
        last_seen: Option<i64>,
    }
    let row: Option<Row> = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(id).bind(handle).fetch_optional(pool).await?
    });
    Ok(row.map(|r| (r.user, r.last_seen)))
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<User>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE lower(username) = lower($1)");
    Ok(on_pool!(db, pool => sqlx::query_as(&sql).bind(username).fetch_optional(pool).await?))
}

/// Which of username and email are already taken (a missing one is not).
pub async fn taken(
    db: &Db,
    username: Option<&Username>,
    email: Option<&Email>,
) -> Result<(bool, bool), AppError> {
    const SQL: &str = "SELECT EXISTS(SELECT 1 FROM users WHERE lower(username) = lower($1)), \
                              EXISTS(SELECT 1 FROM users WHERE lower(email) = lower($2))";
    let username = username.map(Username::as_str);
    let email = email.map(Email::as_str);
    let (username_taken, email_taken): (bool, bool) = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(username).bind(email).fetch_one(pool).await?
    });
    Ok((username_taken, email_taken))
}

pub enum Insert {
    Created(User),
    /// A unique index refused the row (another registration won a race).
    Conflict,
}

pub async fn insert(
    db: &Db,
    username: &Username,
    email: &Email,
    password_hash: &str,
) -> Result<Insert, AppError> {
    let sql = format!(
        "INSERT INTO users (username, email, password_hash, session_token, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING {COLUMNS}"
    );
    let token = new_session_token();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let result = on_pool!(db, pool => {
        sqlx::query_as(&sql)
            .bind(username.as_str())
            .bind(email.as_str())
            .bind(password_hash)
            .bind(&token)
            .bind(now)
            .fetch_one(pool)
            .await
    });
    match result {
        Ok(user) => Ok(Insert::Created(user)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Insert::Conflict),
        Err(e) => Err(e.into()),
    }
}

/// Ends every session of the user: their stored auth hash no longer matches.
pub async fn rotate_session_token(db: &Db, id: i64) -> Result<(), AppError> {
    let token = new_session_token();
    on_pool!(db, pool => {
        sqlx::query("UPDATE users SET session_token = $1 WHERE id = $2")
            .bind(&token)
            .bind(id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// A new password hash and a new session token (which ends every session
/// of the user); the updated user, if they still exist.
pub async fn set_password(db: &Db, id: i64, password_hash: &str) -> Result<Option<User>, AppError> {
    let sql = format!(
        "UPDATE users SET password_hash = $1, session_token = $2 WHERE id = $3 RETURNING {COLUMNS}"
    );
    let token = new_session_token();
    Ok(on_pool!(db, pool => {
        sqlx::query_as(&sql)
            .bind(password_hash)
            .bind(&token)
            .bind(id)
            .fetch_optional(pool)
            .await?
    }))
}

/// Deletes the user; their device rows and security events go with them
/// (`ON DELETE CASCADE`).
pub async fn delete(db: &Db, id: i64) -> Result<(), AppError> {
    const SQL: &str = "DELETE FROM users WHERE id = $1";
    on_pool!(db, pool => {
        sqlx::query(SQL).bind(id).execute(pool).await?;
    });
    Ok(())
}

/// Page `page` (from 1) of all users by id, and whether a next page exists.
pub async fn page(db: &Db, page: u32) -> Result<(Vec<UserRow>, bool), AppError> {
    let offset = i64::from(page.saturating_sub(1)) * i64::from(PER_PAGE);
    const SQL: &str = "SELECT id, username, email FROM users ORDER BY id LIMIT $1 OFFSET $2";
    let limit = i64::from(PER_PAGE) + 1;
    let mut rows: Vec<UserRow> = on_pool!(db, pool => {
        sqlx::query_as(SQL).bind(limit).bind(offset).fetch_all(pool).await?
    });
    let has_next = rows.len() > PER_PAGE as usize;
    rows.truncate(PER_PAGE as usize);
    Ok((rows, has_next))
}
