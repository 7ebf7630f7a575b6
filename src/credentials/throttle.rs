//! [ssr] Failed-login throttling, counted in the database: an attacker can
//! drop cookies, but not the rows, and every instance sees the same counts.
use crate::{
    config::AttemptLimit,
    db::{on_pool, Db},
    error::AppError,
};
use std::time::Duration;

/// The attempt counter, counting against `limit`.
#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    limit: AttemptLimit,
}

/// The key a password sign-in's failures (and its second step's wrong
/// codes) are counted under: the username as typed, case folded, and cut
/// short so a long one can't bloat the table. Each kind of key has its
/// own prefix, so no name typed into the form can count against another
/// kind's key.
pub fn key(username: &str) -> String {
    let name = username.chars().take(64).collect::<String>().to_lowercase();
    format!("name:{name}")
}

/// The key failed passkey sign-ins of account `user_id` are counted under:
/// apart from the password's, so a stranger's wrong passwords do not stop
/// the owner's passkey.
pub fn passkey_key(user_id: i64) -> String {
    format!("passkey:{user_id}")
}

/// The key a signed-in session's re-authentication (a password or code
/// typed again, a passkey proof) is counted under: the session's own, so
/// strangers' failures on the username do not lock its owner out, and a
/// stolen session still gets no more guesses than the limit.
pub fn session_key(handle: &str) -> String {
    format!("session:{handle}")
}

/// What [`Throttle::judge`] found.
#[must_use]
pub enum Judged<T, W = ()> {
    /// Right. The attempt is still counted until the caller says what a
    /// success means here: [`Throttle::succeeded`] (the count starts
    /// again) or [`Throttle::release`] (a first factor of a sign-in that
    /// is not complete yet: this attempt does not count, earlier failures
    /// stay).
    Right(T, Attempt),
    /// Wrong (and why): counted as a failure.
    Wrong(W),
}

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// An attempt counted in the window before its password is verified.
/// Judge it with [`Throttle::succeeded`], [`Throttle::failed`] or
/// [`Throttle::release`]; one never judged (the request was dropped
/// mid-way) stays counted as a failure, so hanging up buys no free guess.
#[must_use]
pub struct Attempt {
    key: String,
    id: String,
}

/// The PostgreSQL advisory lock class under which attempts for one key
/// take turns (the key's hash is the lock's other half).
const PG_LOCK_CLASS: i32 = 0x5345;

impl Throttle {
    pub fn new(limit: AttemptLimit) -> Self {
        Self { limit }
    }

    /// How far back failures count.
    pub fn window(&self) -> Duration {
        self.limit.window
    }

    /// Counts an attempt for `key`, or `Err(TooManyAttempts)` when the window
    /// already holds `max_failures` (failures and attempts still running).
    ///
    /// The check and the count are one step, so however many attempts
    /// arrive at once, at most `max_failures` passwords are verified per key
    /// and window, across instances too: on SQLite a single INSERT … SELECT
    /// runs under the database's write lock; on PostgreSQL attempts for the
    /// same key take turns on an advisory lock.
    pub async fn reserve(&self, db: &Db, key: &str) -> Result<Attempt, AppError> {
        const SQL: &str = "INSERT INTO login_failures (username_key, failed_at, attempt) \
            SELECT $1, $2, $3 WHERE \
            (SELECT COUNT(*) FROM login_failures WHERE username_key = $1 AND failed_at > $4) < $5";
        let now = now_ms();
        let since = now - self.limit.window.as_millis() as i64;
        let id = crate::db::random_token(16);
        let counted = match db {
            Db::Sqlite(pool, _) => sqlx::query(SQL)
                .bind(key)
                .bind(now)
                .bind(&id)
                .bind(since)
                .bind(self.limit.max_failures)
                .execute(pool)
                .await?
                .rows_affected(),
            Db::Postgres(pool) => {
                let mut tx = pool.begin().await?;
                sqlx::query("SELECT pg_advisory_xact_lock($1, hashtext($2))")
                    .bind(PG_LOCK_CLASS)
                    .bind(key)
                    .execute(&mut *tx)
                    .await?;
                let counted = sqlx::query(SQL)
                    .bind(key)
                    .bind(now)
                    .bind(&id)
                    .bind(since)
                    .bind(self.limit.max_failures)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                tx.commit().await?;
                counted
            }
        };
        if counted == 1 {
            Ok(Attempt {
                key: key.to_owned(),
                id,
            })
        } else {
            Err(AppError::TooManyAttempts)
        }
    }

    /// The one way a secret is checked under a limit: reserve an attempt
    /// for `key` (or `Err(TooManyAttempts)`), run `check`, and count its
    /// answer: `Ok` right, `Err` wrong (a failure; several secrets checked
    /// together are one attempt, and the error says which was wrong). A
    /// check that could not judge (busy, an outage: the outer `Err`) is
    /// released, not counted.
    pub async fn judge<T, W>(
        &self,
        db: &Db,
        key: &str,
        check: impl std::future::Future<Output = Result<Result<T, W>, AppError>>,
    ) -> Result<Judged<T, W>, AppError> {
        let attempt = self.reserve(db, key).await?;
        match check.await {
            Ok(Ok(value)) => Ok(Judged::Right(value, attempt)),
            Ok(Err(wrong)) => {
                self.failed(db, attempt).await?;
                Ok(Judged::Wrong(wrong))
            }
            Err(err) => {
                self.release(db, attempt).await;
                Err(err)
            }
        }
    }

    /// The password was wrong: the attempt stays counted. Rows that have
    /// left the window go, to keep the table small.
    pub async fn failed(&self, db: &Db, attempt: Attempt) -> Result<(), AppError> {
        let _ = attempt;
        let expired = now_ms() - self.limit.window.as_millis() as i64;
        on_pool!(db, pool => {
            sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
                .bind(expired)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The password was right: the count starts again.
    pub async fn succeeded(&self, db: &Db, attempt: Attempt) -> Result<(), AppError> {
        on_pool!(db, pool => {
            sqlx::query("DELETE FROM login_failures WHERE username_key = $1")
                .bind(&attempt.key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// The password was never judged (the server was busy, the database
    /// failed): the attempt does not count.
    pub async fn release(&self, db: &Db, attempt: Attempt) {
        let released: Result<(), AppError> = async {
            on_pool!(db, pool => {
                sqlx::query("DELETE FROM login_failures WHERE username_key = $1 AND attempt = $2")
                    .bind(&attempt.key)
                    .bind(&attempt.id)
                    .execute(pool)
                    .await?;
            });
            Ok(())
        }
        .await;
        if let Err(err) = released {
            tracing::warn!("could not release a login attempt: {err}");
        }
    }
}
