//! [ssr] Failed-login throttling, counted in the database: an attacker can
//! drop cookies, but not the rows, and every instance sees the same counts.
use crate::db::{on_pool, Db};
use crate::error::AppError;
use std::time::Duration;

#[derive(Clone, Copy, Debug)]
pub struct Throttle {
    /// Failures allowed within `window` before logins answer 429.
    pub max_failures: i64,
    pub window: Duration,
}

impl Default for Throttle {
    /// The contract: more than 5 failures within 15 minutes.
    fn default() -> Self {
        Self {
            max_failures: 5,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// The key failures are counted under: the username as typed, case folded,
/// and cut short so a long one can't bloat the table.
pub fn key(username: &str) -> String {
    username.chars().take(64).collect::<String>().to_lowercase()
}

fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

impl Throttle {
    /// `Err(TooManyAttempts)` once `max_failures` have been counted in the window.
    pub async fn check(&self, db: &Db, key: &str) -> Result<(), AppError> {
        let since = now_ms() - self.window.as_millis() as i64;
        const SQL: &str =
            "SELECT COUNT(*) FROM login_failures WHERE username_key = $1 AND failed_at > $2";
        let failures: i64 = on_pool!(db, pool => {
            sqlx::query_scalar(SQL).bind(key).bind(since).fetch_one(pool).await?
        });
        if failures >= self.max_failures {
            Err(AppError::TooManyAttempts)
        } else {
            Ok(())
        }
    }

    pub async fn record_failure(&self, db: &Db, key: &str) -> Result<(), AppError> {
        let now = now_ms();
        let expired = now - self.window.as_millis() as i64;
        on_pool!(db, pool => {
            sqlx::query("INSERT INTO login_failures (username_key, failed_at) VALUES ($1, $2)")
                .bind(key)
                .bind(now)
                .execute(pool)
                .await?;
            // Old rows are of no use; keep the table small.
            sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
                .bind(expired)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// A successful login starts the count again.
    pub async fn clear(&self, db: &Db, key: &str) -> Result<(), AppError> {
        on_pool!(db, pool => {
            sqlx::query("DELETE FROM login_failures WHERE username_key = $1")
                .bind(key)
                .execute(pool)
                .await?;
        });
        Ok(())
    }
}
