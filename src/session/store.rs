//! [ssr] Where sessions live: the SQL database (SQLite or PostgreSQL, the
//! tower-sessions sqlx stores) or Redis (`REDIS_URL`, the tower-sessions
//! Redis store), chosen at start-up.
//!
//! Saving never loses another request's write. tower-sessions saves the
//! whole record a request loaded, so two requests of one browser at once
//! (a note being saved while another request renews the session) would
//! each write what they saw and the last one would drop the other's
//! change. Here a save writes only what this request changed, applied to
//! the record as it is stored now, with a compare-and-swap on the stored
//! bytes (retried if another save got in between), in SQL and Redis alike.
use super::keys::HANDLE;
use crate::{
    config::Secret,
    db::{on_pool, Db},
};
use anyhow::Context;
use std::{cell::RefCell, collections::HashMap, time::Duration};
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
    /// The store, and the database for the compare-and-swap.
    Postgres(PostgresStore, Db),
    /// The store, and its pool for the compare-and-swap.
    Redis(RedisStore<Pool>, Pool),
}

tokio::task_local! {
    /// The data of each session as this request loaded (or last saved) it:
    /// what a save compares with to find what the request changed.
    static LOADED: RefCell<HashMap<Id, Data>>;
}

type Data = HashMap<String, serde_json::Value>;

/// Middleware, around the session layer: a save in this request merges
/// (see the module's documentation). Without it a save writes the record.
pub async fn merge_saves(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    LOADED
        .scope(RefCell::new(HashMap::new()), next.run(req))
        .await
}

fn remember_loaded(id: Id, data: &Data) {
    let _ = LOADED.try_with(|loaded| loaded.borrow_mut().insert(id, data.clone()));
}

/// One key set to a value, or removed (`None`).
type Change = (String, Option<serde_json::Value>);

/// What changed from `before` to `after`.
fn changes(before: &Data, after: &Data) -> Vec<Change> {
    let mut changes: Vec<Change> = after
        .iter()
        .filter(|(k, v)| before.get(*k) != Some(*v))
        .map(|(k, v)| (k.clone(), Some(v.clone())))
        .collect();
    changes.extend(
        before
            .keys()
            .filter(|k| !after.contains_key(*k))
            .map(|k| (k.clone(), None)),
    );
    changes
}

fn apply(changes: &[Change], data: &mut Data) {
    for (key, value) in changes {
        match value {
            Some(value) => data.insert(key.clone(), value.clone()),
            None => data.remove(key),
        };
    }
}

/// Sets the key to the new bytes only if it still holds the old ones.
const REDIS_SWAP: &str = "if redis.call('GET', KEYS[1]) == ARGV[1] then \
    redis.call('SET', KEYS[1], ARGV[2], 'EXAT', ARGV[3]) return 1 else return 0 end";

/// How often a save is retried when other saves of the same session keep
/// getting in first (each retry means one of them succeeded).
const SWAP_ATTEMPTS: usize = 16;

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
                db.clone(),
            ),
        };
        crate::db::with_schema_lock(db, async {
            match &store {
                Store::Sqlite(s, _) => s.migrate().await?,
                Store::Postgres(s, _) => s.migrate().await?,
                Store::Redis(..) => {}
            }
            Ok(())
        })
        .await
        .context("creating the sessions table")?;
        Ok(store)
    }

    pub fn is_redis(&self) -> bool {
        matches!(self, Store::Redis(..))
    }

    /// A round trip to Redis (readiness); SQL stores are the database's.
    pub async fn ping(&self) -> Result<(), String> {
        use tower_sessions_redis_store::fred::prelude::ClientLike;
        match self {
            Store::Redis(_, pool) => pool
                .next()
                .ping::<String>(None)
                .await
                .map(drop)
                .map_err(|e| e.to_string()),
            _ => Ok(()),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Store::Sqlite(..) => "sqlite",
            Store::Postgres(..) => "postgres",
            Store::Redis(..) => "redis",
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
    Ok(Store::Redis(RedisStore::new(pool.clone()), pool))
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
        crate::db::outage::note();
    }
    result
}

fn backend(err: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(err.to_string())
}

impl Store {
    async fn delete_at_rest(&self, key: &Id) -> session_store::Result<()> {
        noted(match self {
            Store::Sqlite(s, _) => s.delete(key).await,
            Store::Postgres(s, _) => s.delete(key).await,
            Store::Redis(s, _) => s.delete(key).await,
        })
    }

    async fn create_at_rest(&self, record: &mut Record) -> session_store::Result<()> {
        noted(match self {
            Store::Sqlite(s, _) => s.create(record).await,
            Store::Postgres(s, _) => s.create(record).await,
            Store::Redis(s, _) => s.create(record).await,
        })
    }

    async fn save_at_rest(&self, record: &Record) -> session_store::Result<()> {
        noted(match self {
            Store::Sqlite(s, _) => s.save(record).await,
            Store::Postgres(s, _) => s.save(record).await,
            Store::Redis(s, _) => s.save(record).await,
        })
    }

    /// The stored bytes under `key`, expired or not.
    async fn raw(&self, key: &Id) -> session_store::Result<Option<Vec<u8>>> {
        const SQL: &str = "SELECT data FROM sessions WHERE id = $1";
        match self {
            Store::Sqlite(_, db) | Store::Postgres(_, db) => Ok(on_pool!(db, pool => {
                sqlx::query_scalar(SQL)
                    .bind(key.to_string())
                    .fetch_optional(pool)
                    .await
                    .map_err(backend)?
            })),
            Store::Redis(_, pool) => {
                use tower_sessions_redis_store::fred::prelude::KeysInterface;
                let bytes: Option<Vec<u8>> = pool.get(key.to_string()).await.map_err(backend)?;
                Ok(bytes)
            }
        }
    }

    /// Writes `new` under `key` if it still holds `old`; whether it did.
    async fn swap(&self, key: &Id, old: &[u8], new: &Record) -> session_store::Result<bool> {
        const SQL: &str =
            "UPDATE sessions SET data = $1, expiry_date = $2 WHERE id = $3 AND data = $4";
        let bytes =
            rmp_serde::to_vec(new).map_err(|e| session_store::Error::Encode(e.to_string()))?;
        let swapped = match self {
            Store::Sqlite(_, db) | Store::Postgres(_, db) => on_pool!(db, pool => {
                sqlx::query(SQL)
                    .bind(&bytes)
                    .bind(new.expiry_date)
                    .bind(key.to_string())
                    .bind(old)
                    .execute(pool)
                    .await
                    .map_err(backend)?
                    .rows_affected()
            }),
            Store::Redis(_, pool) => {
                use tower_sessions_redis_store::fred::{
                    prelude::ClientLike,
                    types::{CustomCommand, Value},
                };
                let args: Vec<Value> = vec![
                    REDIS_SWAP.into(),
                    1.into(),
                    key.to_string().into(),
                    Value::Bytes(old.to_vec().into()),
                    Value::Bytes(bytes.into()),
                    new.expiry_date.unix_timestamp().into(),
                ];
                let swapped: i64 = pool
                    .next()
                    .custom(CustomCommand::new_static("EVAL", None, false), args)
                    .await
                    .map_err(backend)?;
                swapped as u64
            }
        };
        Ok(swapped == 1)
    }

    /// Applies `changes` to the record stored under `key`, which this
    /// request loaded. A record gone meanwhile (logged out, revoked,
    /// expired) stays gone: a save never brings a session back.
    async fn save_changes(
        &self,
        key: &Id,
        changes: &[Change],
        expiry_date: time::OffsetDateTime,
    ) -> session_store::Result<()> {
        for _ in 0..SWAP_ATTEMPTS {
            let Some(old) = noted(self.raw(key).await)? else {
                return Ok(());
            };
            let mut record: Record = rmp_serde::from_slice(&old)
                .map_err(|e| session_store::Error::Decode(e.to_string()))?;
            if record.expiry_date <= time::OffsetDateTime::now_utc() {
                return Ok(());
            }
            apply(changes, &mut record.data);
            record.id = *key;
            record.expiry_date = expiry_date;
            if noted(self.swap(key, &old, &record).await)? {
                return Ok(());
            }
        }
        noted(Err(backend(
            "the session kept changing while it was being saved",
        )))
    }
}

/// Stores every session under [`at_rest`] of its id, and hands records back
/// with the cookie's id.
#[async_trait::async_trait]
impl SessionStore for Store {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        operation("create");
        loop {
            let mut at_rest = stored(record);
            let key = at_rest.id;
            self.create_at_rest(&mut at_rest).await?;
            // The inner store picks a new key when the key is taken (never,
            // in practice); a key that isn't a hash has no id: draw again.
            if at_rest.id == key {
                remember_loaded(record.id, &record.data);
                return Ok(());
            }
            self.delete_at_rest(&at_rest.id).await?;
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        operation("save");
        let loaded = LOADED
            .try_with(|loaded| loaded.borrow().get(&record.id).cloned())
            .ok()
            .flatten();
        match loaded {
            Some(before) => {
                let changes = changes(&before, &record.data);
                self.save_changes(&at_rest(&record.id), &changes, record.expiry_date)
                    .await?;
            }
            // Not loaded in this request (outside the middleware): as is.
            None => self.save_at_rest(&stored(record)).await?,
        }
        remember_loaded(record.id, &record.data);
        Ok(())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        operation("load");
        let key = at_rest(id);
        let loaded = noted(match self {
            Store::Sqlite(s, db) => match db.read_here(|conn| read_record(conn, &key)) {
                Some(record) => Ok(record),
                None => s.load(&key).await,
            },
            Store::Postgres(s, _) => s.load(&key).await,
            Store::Redis(s, _) => s.load(&key).await,
        })?;
        Ok(loaded.map(|mut record| {
            if let Some(handle) = record.data.get(HANDLE).and_then(|v| v.as_str()) {
                crate::db::request::note_handle(handle);
            }
            record.id = *id;
            remember_loaded(*id, &record.data);
            record
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        operation("delete");
        self.delete_at_rest(&at_rest(id)).await
    }
}

/// Reports one operation on the store, whichever it is, as a
/// `sesame::store` event at TRACE level: `tests/budgets.rs` counts them
/// (zero writes for a request that changes nothing). With no subscriber
/// asking for them they cost one cached check.
fn operation(op: &'static str) {
    tracing::trace!(target: "sesame::store", op);
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
            Store::Postgres(s, _) => s.delete_expired().await,
            // Redis expires each key itself (the store sets EXAT).
            Store::Redis(..) => Ok(()),
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
