//! [ssr] The table `passkeys`. Adding or removing one writes its
//! `account_events` row in the same transaction.
use crate::{
    activity::db::{record_in, Kind},
    client::origin::Origin,
    clock::now,
    db::{on_pool, Db},
    error::AppError,
};
use webauthn_rs::prelude::Passkey;

/// A stored passkey.
#[derive(sqlx::FromRow)]
pub struct Stored {
    pub id: i64,
    pub user_id: i64,
    pub user_handle: String,
    pub name: String,
    /// webauthn-rs' `Passkey`, as JSON.
    pub passkey: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
}

impl Stored {
    pub fn key(&self) -> Result<Passkey, AppError> {
        serde_json::from_str(&self.passkey).map_err(|err| {
            tracing::error!(
                passkey.id = self.id,
                "a stored passkey does not read: {err}"
            );
            AppError::Internal
        })
    }
}

const COLUMNS: &str = "id, user_id, user_handle, name, passkey, created_at, last_used_at";

/// The credential id as stored: hex.
pub fn credential_key(id: &[u8]) -> String {
    hex::encode(id)
}

/// The user's passkeys, oldest first.
pub async fn list(db: &Db, user_id: i64) -> Result<Vec<Stored>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE user_id = $1 ORDER BY id");
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, Stored>(&sql).bind(user_id).fetch_all(pool).await?
    }))
}

/// The passkey with this credential id, whoever's it is.
pub async fn find(db: &Db, credential_id: &[u8]) -> Result<Option<Stored>, AppError> {
    let sql = format!("SELECT {COLUMNS} FROM passkeys WHERE credential_id = $1");
    let key = credential_key(credential_id);
    Ok(on_pool!(db, pool => {
        sqlx::query_as::<_, Stored>(&sql).bind(&key).fetch_optional(pool).await?
    }))
}

/// Stores a new passkey; false when its credential id is registered
/// already (to anyone).
pub async fn insert(
    db: &Db,
    user_id: i64,
    user_handle: &str,
    name: &str,
    passkey: &Passkey,
    origin: &Origin,
) -> Result<bool, AppError> {
    const SQL: &str = "INSERT INTO passkeys \
        (user_id, credential_id, user_handle, name, passkey, created_at) \
        VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (credential_id) DO NOTHING";
    let key = credential_key(passkey.cred_id());
    let json = serde_json::to_string(passkey).map_err(|_| AppError::Internal)?;
    let now = now();
    Ok(on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let inserted = sqlx::query(SQL)
            .bind(user_id)
            .bind(&key)
            .bind(user_handle)
            .bind(name)
            .bind(&json)
            .bind(now)
            .execute(&mut *tx)
            .await?
            .rows_affected() == 1;
        if inserted {
            record_in!(tx, user_id, now, Kind::PasskeyAdded, name, origin);
        }
        tx.commit().await?;
        inserted
    }))
}

/// Notes a sign-in or proof with `stored`: when, and the key's new
/// signature counter; false when the stored key changed since `stored`
/// was read (another answer of the same key got in first: a cloned key
/// replaying its counter), and then nothing is written.
pub async fn used(db: &Db, stored: &Stored, passkey: &Passkey) -> Result<bool, AppError> {
    const SQL: &str =
        "UPDATE passkeys SET passkey = $2, last_used_at = $3 WHERE id = $1 AND passkey = $4";
    let json = serde_json::to_string(passkey).map_err(|_| AppError::Internal)?;
    Ok(on_pool!(db, pool => {
        sqlx::query(SQL)
            .bind(stored.id)
            .bind(&json)
            .bind(now())
            .bind(&stored.passkey)
            .execute(pool)
            .await?
            .rows_affected()
            == 1
    }))
}

/// Removes the user's passkey `id`; false if they have none with that id.
pub async fn remove(db: &Db, user_id: i64, id: i64, origin: &Origin) -> Result<bool, AppError> {
    const SQL: &str = "DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name";
    Ok(on_pool!(db, pool => {
        let mut tx = pool.begin().await?;
        let name: Option<String> = sqlx::query_scalar(SQL)
            .bind(id)
            .bind(user_id)
            .fetch_optional(&mut *tx)
            .await?;
        if let Some(name) = &name {
            record_in!(tx, user_id, now(), Kind::PasskeyRemoved, name, origin);
        }
        tx.commit().await?;
        name.is_some()
    }))
}
