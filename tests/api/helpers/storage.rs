//! Where a test's data lives: a fresh SQLite file by default; a fresh
//! PostgreSQL database on the server named by `SESAME_TEST_POSTGRES`;
//! sessions in a fresh Redis database on the server named by
//! `SESAME_TEST_REDIS` (both set by `scripts/with-services`). Every test
//! gets its own.
use sesame::{config::Settings, db::Db};
use std::{
    collections::HashMap,
    sync::atomic::{AtomicU32, Ordering},
};

pub const SECRET_KEY: &str = "test-secret-key-0123456789abcdef-0123456789abcdef";

/// The HTTP tests serve no browser build (tests/api/delivery.rs makes its
/// own): target/site is rebuilt while they run (scripts/test builds the
/// WASM beside the slow test), and its file names change with each build.
const NO_SITE: &str = "target/no-site-in-http-tests";

/// Where one test's data lives; every instance of that test shares it.
#[derive(Clone, Debug)]
pub struct Storage {
    pub database_url: String,
    pub redis_url: Option<String>,
}

impl Storage {
    /// Fresh, empty storage of the kind this run tests.
    pub async fn fresh(dir: &std::path::Path) -> Storage {
        static N: AtomicU32 = AtomicU32::new(1);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let database_url = match env_var("SESAME_TEST_POSTGRES") {
            Some(server) => {
                use sqlx::Connection;
                let name = format!("sesame_test_{}_{n}", std::process::id());
                let mut admin = sqlx::PgConnection::connect(&format!("{server}/postgres"))
                    .await
                    .expect("connect to the test PostgreSQL server");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut admin)
                    .await
                    .expect("create a test database");
                format!("{server}/{name}")
            }
            None => format!("sqlite://{}/sesame.db?mode=rwc", dir.display()),
        };
        // Redis numbers its databases; the test server has thousands.
        let redis_url = env_var("SESAME_TEST_REDIS").map(|server| format!("{server}/{n}"));
        Storage {
            database_url,
            redis_url,
        }
    }

    /// Settings as in production, on a free port, on this storage.
    pub fn settings(&self) -> Settings {
        let mut vars: HashMap<String, String> = [
            ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", self.database_url.clone()),
            ("SECRET_KEY", SECRET_KEY.to_owned()),
            ("LEPTOS_SITE_ROOT", NO_SITE.to_owned()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect();
        if let Some(redis) = &self.redis_url {
            vars.insert("REDIS_URL".to_owned(), redis.clone());
        }
        Settings::from_vars(&vars).expect("settings")
    }

    /// The environment a `sesame` process needs to use this storage.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("DATABASE_URL", self.database_url.clone()),
            ("SECRET_KEY", SECRET_KEY.to_owned()),
            ("LEPTOS_SITE_ROOT", NO_SITE.to_owned()),
        ];
        if let Some(redis) = &self.redis_url {
            env.push(("REDIS_URL", redis.clone()));
        }
        env
    }

    /// The SQL database, opened directly, to check what is stored.
    pub async fn db(&self) -> Db {
        Db::connect(&self.database_url).await.expect("database")
    }

    /// A number the SQL database answers (`SELECT COUNT(*) …`), with `$1`
    /// … bound to `binds`.
    pub async fn number(&self, sql: &str, binds: &[i64]) -> i64 {
        match self.db().await {
            Db::Sqlite(pool, _) => {
                let mut query = sqlx::query_scalar(sql);
                for bind in binds {
                    query = query.bind(*bind);
                }
                query.fetch_one(&pool).await
            }
            Db::Postgres(pool) => {
                let mut query = sqlx::query_scalar(sql);
                for bind in binds {
                    query = query.bind(*bind);
                }
                query.fetch_one(&pool).await
            }
        }
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
    }

    /// The first column of every row a query answers, as text.
    pub async fn texts(&self, sql: &str) -> Vec<String> {
        match self.db().await {
            Db::Sqlite(pool, _) => sqlx::query_scalar(sql).fetch_all(&pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(sql).fetch_all(&pool).await,
        }
        .unwrap_or_else(|err| panic!("{sql}: {err}"))
    }

    /// How many sessions the store holds, wherever it keeps them.
    pub async fn stored_sessions(&self) -> i64 {
        if let Some(url) = &self.redis_url {
            return redis_entries(url).await.len() as i64;
        }
        const SQL: &str = "SELECT COUNT(*) FROM sessions";
        match self.db().await {
            Db::Sqlite(pool, _) => sqlx::query_scalar(SQL).fetch_one(&pool).await,
            Db::Postgres(pool) => sqlx::query_scalar(SQL).fetch_one(&pool).await,
        }
        .expect("count sessions")
    }
}

/// Every live session in the Redis database at `url`: its key and value
/// (the per-client limits' `sesame:limit:` keys left out).
///
/// KEYS, not DBSIZE: Redis reclaims an expired key lazily, and DBSIZE
/// counts it until then; KEYS leaves out expired ones.
pub async fn redis_entries(url: &str) -> Vec<(String, Vec<u8>)> {
    use tower_sessions_redis_store::fred::{prelude::*, types::CustomCommand};
    let client = Client::new(Config::from_url(url).expect("url"), None, None, None);
    client.init().await.expect("connect to Redis");
    let keys: Vec<String> = client
        .custom(CustomCommand::new_static("KEYS", None, false), vec!["*"])
        .await
        .expect("KEYS");
    let mut entries = Vec::new();
    for key in keys.into_iter().filter(|k| !k.starts_with("sesame:limit:")) {
        let value: Option<Vec<u8>> = client.get(&key).await.expect("GET");
        entries.push((key, value.unwrap_or_default()));
    }
    let _ = client.quit().await;
    entries
}

pub(super) fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
