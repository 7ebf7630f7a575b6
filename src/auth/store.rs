//! [ssr] Where sessions live: the SQL database (SQLite or PostgreSQL, the
//! tower-sessions sqlx stores) or Redis (`REDIS_URL`, the tower-sessions
//! Redis store), chosen at start-up.
use crate::{config::Secret, db::Db};
use anyhow::Context;
use std::time::Duration;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
    SessionStore,
};
use tower_sessions_redis_store::{
    fred::{
        prelude::{ClientLike, Config, Pool},
        types::{config::ReconnectPolicy, Builder},
    },
    RedisStore,
};
use tower_sessions_sqlx_store::{PostgresStore, SqliteStore};

/// A Redis command that takes longer than this fails (and the request with
/// 503) instead of waiting for a server that is gone.
const REDIS_TIMEOUT: Duration = Duration::from_secs(2);
const REDIS_POOL_SIZE: usize = 4;

#[derive(Clone, Debug)]
pub enum Store {
    /// The store, and the database for reading records on this thread.
    Sqlite(SqliteStore, Db),
    Postgres(PostgresStore),
    Redis(RedisStore<Pool>),
}

impl Store {
    /// Redis when `redis_url` is given, else a `sessions` table in `db`,
    /// created if missing.
    pub async fn open(db: &Db, redis_url: Option<&Secret>) -> anyhow::Result<Store> {
        if let Some(url) = redis_url {
            return open_redis(url.expose()).await;
        }
        let store = match db {
            Db::Sqlite(pool, _) => Store::Sqlite(
                SqliteStore::new(pool.clone())
                    .with_table_name("sessions")
                    .map_err(|e| anyhow::anyhow!(e))?,
                db.clone(),
            ),
            Db::Postgres(pool) => Store::Postgres(
                PostgresStore::new(pool.clone())
                    .with_schema_name("public")
                    .and_then(|s| s.with_table_name("sessions"))
                    .map_err(|e| anyhow::anyhow!(e))?,
            ),
        };
        crate::db::with_schema_lock(db, async {
            match &store {
                Store::Sqlite(s, _) => s.migrate().await?,
                Store::Postgres(s) => s.migrate().await?,
                Store::Redis(_) => {}
            }
            Ok(())
        })
        .await
        .context("creating the sessions table")?;
        Ok(store)
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(..) => "sqlite",
            Store::Postgres(_) => "postgres",
            Store::Redis(_) => "redis",
        }
    }
}

async fn open_redis(url: &str) -> anyhow::Result<Store> {
    let config = Config::from_url(url).context("REDIS_URL is not a valid redis:// URL")?;
    let pool = Builder::from_config(config)
        .with_performance_config(|c| c.default_command_timeout = REDIS_TIMEOUT)
        .with_connection_config(|c| {
            c.connection_timeout = REDIS_TIMEOUT;
            c.internal_command_timeout = REDIS_TIMEOUT;
            // A command is sent once: after a timeout the answer is unknown,
            // and the request says so (503) rather than retrying for long.
            c.max_command_attempts = 1;
        })
        // Keep trying to reconnect, forever, every half second: the store
        // coming back must not need a restart of sesame.
        .set_policy(ReconnectPolicy::new_constant(0, 500))
        .build_pool(REDIS_POOL_SIZE)
        .context("configuring the Redis client")?;
    // The reconnect policy would retry forever; at start-up, fail clearly.
    tokio::time::timeout(Duration::from_secs(10), pool.init())
        .await
        .context("Redis did not answer within 10 s")?
        .context("connecting to Redis")?;
    Ok(Store::Redis(RedisStore::new(pool)))
}

/// The key a session is stored under: SHA-256 of the cookie's id, cut to
/// the id's 128 bits. The store never sees a live id, so a copy of the
/// database (or of Redis) hands out no session: the cookie can't be made
/// from the key.
pub fn at_rest(id: &Id) -> Id {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(id.0.to_le_bytes());
    let mut key = [0u8; 16];
    key.copy_from_slice(&digest[..16]);
    Id(i128::from_le_bytes(key))
}

/// `record` as it is stored: under its key at rest.
fn stored(record: &Record) -> Record {
    let mut stored = record.clone();
    stored.id = at_rest(&record.id);
    stored
}

/// Every store error is noted as an outage before it is returned, so the
/// request answers 503 (see `crate::outage`).
fn noted<T>(result: session_store::Result<T>) -> session_store::Result<T> {
    if let Err(err) = &result {
        tracing::error!("session store error: {err}");
        crate::outage::note();
    }
    result
}

impl Store {
    async fn delete_at_rest(&self, key: &Id) -> session_store::Result<()> {
        noted(match self {
            Store::Sqlite(s, _) => s.delete(key).await,
            Store::Postgres(s) => s.delete(key).await,
            Store::Redis(s) => s.delete(key).await,
        })
    }

    async fn create_at_rest(&self, record: &mut Record) -> session_store::Result<()> {
        noted(match self {
            Store::Sqlite(s, _) => s.create(record).await,
            Store::Postgres(s) => s.create(record).await,
            Store::Redis(s) => s.create(record).await,
        })
    }
}

/// Stores every session under [`at_rest`] of its id, and hands records back
/// with the cookie's id.
#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        loop {
            let mut at_rest = stored(record);
            let key = at_rest.id;
            self.create_at_rest(&mut at_rest).await?;
            // The inner store picks a new key when the key is taken (never,
            // in practice); a key that isn't a hash has no id: draw again.
            if at_rest.id == key {
                return Ok(());
            }
            self.delete_at_rest(&at_rest.id).await?;
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let record = stored(record);
        noted(match self {
            Store::Sqlite(s, _) => s.save(&record).await,
            Store::Postgres(s) => s.save(&record).await,
            Store::Redis(s) => s.save(&record).await,
        })
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = at_rest(id);
        let loaded = noted(match self {
            Store::Sqlite(s, db) => match db.read_here(|conn| read_record(conn, &key)) {
                Some(record) => Ok(record),
                None => s.load(&key).await,
            },
            Store::Postgres(s) => s.load(&key).await,
            Store::Redis(s) => s.load(&key).await,
        })?;
        Ok(loaded.map(|mut record| {
            record.id = *id;
            record
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        self.delete_at_rest(&at_rest(id)).await
    }
}

/// What the sqlx store's `load` does (the same table and encoding), on the
/// calling thread: the record under `key`, unless it has expired.
fn read_record(conn: &rusqlite::Connection, key: &Id) -> rusqlite::Result<Option<Record>> {
    use rusqlite::OptionalExtension;
    let data: Option<Vec<u8>> = conn
        .prepare_cached("SELECT data FROM sessions WHERE id = ?1")?
        .query_row([key.to_string()], |row| row.get(0))
        .optional()?;
    let Some(data) = data else {
        return Ok(None);
    };
    let record: Record = rmp_serde::from_slice(&data).map_err(|err| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Blob, Box::new(err))
    })?;
    Ok((record.expiry_date > time::OffsetDateTime::now_utc()).then_some(record))
}

#[async_trait::async_trait]
impl ExpiredDeletion for Store {
    async fn delete_expired(&self) -> session_store::Result<()> {
        match self {
            Store::Sqlite(s, _) => s.delete_expired().await,
            Store::Postgres(s) => s.delete_expired().await,
            // Redis expires each key itself (the store sets EXAT).
            Store::Redis(_) => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The record read on the calling thread is the one the sqlx store
    /// wrote: the same table, key and encoding.
    #[tokio::test]
    async fn a_record_reads_back_on_the_calling_thread_as_the_sqlx_store_wrote_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let db = Db::connect(&url).await.expect("connect");
        let store = Store::open(&db, None).await.expect("store");
        let Store::Sqlite(inner, _) = &store else {
            panic!("a SQLite store")
        };
        let mut data = std::collections::HashMap::new();
        data.insert("note".to_owned(), serde_json::json!("hello"));
        let mut record = Record {
            id: Id::default(),
            data,
            expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
        };
        store.create(&mut record).await.expect("create");
        let key = at_rest(&record.id);

        let read = db.read_here(|conn| read_record(conn, &key)).flatten();
        let by_sqlx = inner.load(&key).await.expect("load");
        assert_eq!(read, by_sqlx);
        assert_eq!(read.map(|r| r.data), Some(record.data.clone()));
        // Through the store: the same record, under the cookie's id.
        assert_eq!(
            store.load(&record.id).await.expect("load"),
            Some(record.clone())
        );

        // Expired: gone, as for the sqlx store.
        record.expiry_date = time::OffsetDateTime::now_utc() - time::Duration::seconds(1);
        store.save(&record).await.expect("save");
        assert_eq!(db.read_here(|conn| read_record(conn, &key)), Some(None));
        assert_eq!(inner.load(&key).await.expect("load"), None);
    }
}
