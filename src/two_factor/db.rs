//! [ssr] The tables `two_factor` and `recovery_codes`. Turning two-factor
//! on or off writes its `account_events` row in the same transaction.
use crate::{
    activity::db::{record_in, Kind},
    client::origin::Origin,
    clock::now,
    db::{on_pool, Db},
    error::AppError,
};

/// A user's two-factor settings.
pub struct Enrolled {
    /// Base32.
    pub secret: String,
}

pub async fn enrolled(db: &Db, user_id: i64) -> Result<Option<Enrolled>, AppError> {
    const SQL: &str = "SELECT secret FROM two_factor WHERE user_id = $1";
    let secret: Option<String> = on_pool!(db, pool => {
        sqlx::query_scalar(SQL).bind(user_id).fetch_optional(pool).await?
    });
    Ok(secret.map(|secret| Enrolled { secret }))
}

/// Turns two-factor on with `secret`, `step` being the step of the code
/// that confirmed it (so that code cannot be used again), and the hashes
/// of new recovery codes. False if it was on already.
pub async fn enable(
    db: &Db,
    user_id: i64,
    secret: &str,
    step: i64,
    code_hashes: &[String],
    origin: &Origin,
) -> Result<bool, AppError> {
    const INSERT_2FA: &str = "INSERT INTO two_factor (user_id, secret, enabled_at, last_step) \
        VALUES ($1, $2, $3, $4) ON CONFLICT (user_id) DO NOTHING";
    const CLEAR_CODES: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
    const INSERT_CODE: &str = "INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)";
    let now = now();
    Ok(on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let inserted = sqlx::query(INSERT_2FA)
            .bind(user_id)
            .bind(secret)
            .bind(now)
            .bind(step)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if inserted == 1 {
            sqlx::query(CLEAR_CODES).bind(user_id).execute(&mut *tx).await?;
            for hash in code_hashes {
                sqlx::query(INSERT_CODE).bind(user_id).bind(hash).execute(&mut *tx).await?;
            }
            record_in!(tx, user_id, now, Kind::TwoFactorOn, "", origin);
        }
        tx.commit().await?;
        inserted == 1
    }))
}

/// Turns two-factor off: the secret and the recovery codes go.
pub async fn disable(db: &Db, user_id: i64, origin: &Origin) -> Result<(), AppError> {
    const DELETE_2FA: &str = "DELETE FROM two_factor WHERE user_id = $1";
    const CLEAR_CODES: &str = "DELETE FROM recovery_codes WHERE user_id = $1";
    on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        sqlx::query(DELETE_2FA).bind(user_id).execute(&mut *tx).await?;
        sqlx::query(CLEAR_CODES).bind(user_id).execute(&mut *tx).await?;
        record_in!(tx, user_id, now(), Kind::TwoFactorOff, "", origin);
        tx.commit().await?;
    });
    Ok(())
}

/// Accepts a code of `step` once: true if no code of this step or a later
/// one was accepted before. One statement, so two requests at once with
/// the same code cannot both pass.
pub async fn use_step(db: &Db, user_id: i64, step: i64) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE two_factor SET last_step = $2 WHERE user_id = $1 AND last_step < $2";
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL).bind(user_id).bind(step).execute(pool).await?.rows_affected() == 1
    }))
}

/// Uses up the recovery code with `hash`: true if it was the user's and
/// unused. One statement, like [`use_step`].
pub async fn use_recovery_code(db: &Db, user_id: i64, hash: &str) -> Result<bool, AppError> {
    const SQL: &str = "UPDATE recovery_codes SET used_at = $3 \
        WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL";
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL)
            .bind(user_id)
            .bind(hash)
            .bind(now())
            .execute(pool)
            .await?
            .rows_affected()
            >= 1
    }))
}

/// How many recovery codes the user has not used.
pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<u32, AppError> {
    const SQL: &str = "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL";
    let left: i64 = on_pool!(db, pool => {
        sqlx::query_scalar(SQL).bind(user_id).fetch_one(pool).await?
    });
    Ok(u32::try_from(left).unwrap_or_default())
}
