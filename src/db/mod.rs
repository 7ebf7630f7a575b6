//! [ssr] The SQL database: SQLite (embedded default) or PostgreSQL, chosen at
//! run time by the scheme of `DATABASE_URL`.
//!
//! Each dialect keeps its own typed pool rather than sqlx's `Any` driver:
//! the session stores need the typed pool, and `Any` converts every value
//! on the way through. Queries are written once, in the SQL both dialects
//! share (`$1` placeholders work in SQLite too), and run on either pool
//! with [`on_pool!`]. On SQLite, the few reads every signed-in request
//! makes skip sqlx's worker threads: see [`reader`].
pub mod outage;
mod reader;
pub mod request;

use anyhow::Context;
pub use reader::{end_snapshot, in_snapshot, Reader};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};
use std::{str::FromStr, time::Duration};

#[derive(Clone, Debug)]
pub enum Db {
    /// The pool, and a [`Reader`] of the same file (none for a database
    /// that is not a file).
    Sqlite(SqlitePool, Option<Reader>),
    Postgres(PgPool),
}

/// Runs `$body` with `$pool` bound to whichever typed pool `$db` holds.
/// The body is compiled once per dialect, so it must be valid for both.
macro_rules! on_pool {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::db::Db::Sqlite($pool, _) => $body,
            $crate::db::Db::Postgres($pool) => $body,
        }
    };
}
pub(crate) use on_pool;

/// Middleware, around the session and auth layers: the reads a request
/// makes before its handler share one SQLite read transaction, which
/// `sign_in::guard` ends (see [`reader`]), and what they learn
/// ([`request`]).
pub async fn shared_reads(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    request::scope(in_snapshot(next.run(req))).await
}

/// How long a request waits for a free connection before it fails with 503
/// (sqlx's default of 30 s would hang the request instead).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(3);

/// The key of the PostgreSQL advisory lock held while the schema is set up,
/// so instances starting at once against one database take turns.
const SCHEMA_LOCK: i64 = 0x5e5a_3e00;

impl Db {
    /// Opens the database named by `url` (`sqlite:` or `postgres:`), creating
    /// a SQLite file and its folder if need be, and brings the schema up to
    /// date.
    pub async fn connect(url: &str) -> anyhow::Result<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            connect_postgres(url).await
        } else if url.starts_with("sqlite:") {
            connect_sqlite(url).await
        } else {
            anyhow::bail!(
                "DATABASE_URL must start with sqlite: or postgres:// (got {})",
                redact(url)
            )
        }
    }

    /// Runs `read` on this thread when the database is a SQLite file (see
    /// [`Reader`]). `None` on PostgreSQL, or when the read failed (logged):
    /// the caller then asks the pool.
    pub fn read_here<T>(
        &self,
        read: impl FnOnce(&rusqlite::Connection) -> rusqlite::Result<T>,
    ) -> Option<T> {
        let Db::Sqlite(_, Some(reader)) = self else {
            return None;
        };
        match reader.read(read) {
            Ok(value) => Some(value),
            Err(err) => {
                tracing::warn!("SQLite read on the calling thread failed, asking the pool: {err}");
                None
            }
        }
    }

    /// A round trip to the database (readiness).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_pool!(self, pool => {
            sqlx::query("SELECT 1").execute(pool).await?;
        });
        Ok(())
    }

    /// The pool's connections: (open, idle).
    pub fn pool_connections(&self) -> (u32, u32) {
        on_pool!(self, pool => (pool.size(), pool.num_idle() as u32))
    }

    pub fn dialect(&self) -> &'static str {
        match self {
            Db::Sqlite(..) => "sqlite",
            Db::Postgres(_) => "postgres",
        }
    }
}

async fn connect_sqlite(url: &str) -> anyhow::Result<Db> {
    let options = SqliteConnectOptions::from_str(url)
        .with_context(|| "DATABASE_URL is not a valid sqlite: URL".to_owned())?
        .create_if_missing(true)
        // WAL: readers don't wait for the writer.
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(5));
    let file = options.get_filename().to_owned();
    if file.as_os_str() != ":memory:" {
        if let Some(dir) = file.parent() {
            crate::files::private_dir(dir)?;
        }
        crate::files::private_file(&file)?;
    }
    let pool = SqlitePoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .with_context(|| format!("opening the database {}", file.display()))?;
    sqlx::migrate!("./migrations/sqlite").run(&pool).await?;
    let reader = std::fs::canonicalize(&file)
        .ok()
        .filter(|path| path.is_file())
        .map(|path| Reader::new(&path));
    Ok(Db::Sqlite(pool, reader))
}

async fn connect_postgres(url: &str) -> anyhow::Result<Db> {
    let options = PgConnectOptions::from_str(url)
        .with_context(|| "DATABASE_URL is not a valid postgres:// URL".to_owned())?;
    let pool = PgPoolOptions::new()
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .connect_with(options)
        .await
        .with_context(|| format!("connecting to {}", redact(url)))?;
    // sqlx's migrator takes its own advisory lock, so two instances starting
    // together apply each migration once.
    sqlx::migrate!("./migrations/postgres").run(&pool).await?;
    Ok(Db::Postgres(pool))
}

/// Runs `setup` while holding the schema lock, when the database has one
/// (PostgreSQL). The session store's own `CREATE ... IF NOT EXISTS` is not
/// safe against a second instance doing the same at the same moment.
pub async fn with_schema_lock<F, T>(db: &Db, setup: F) -> anyhow::Result<T>
where
    F: std::future::Future<Output = anyhow::Result<T>>,
{
    let Db::Postgres(pool) = db else {
        return setup.await;
    };
    let mut conn = pool.acquire().await?;
    sqlx::query("SELECT pg_advisory_lock($1)")
        .bind(SCHEMA_LOCK)
        .execute(&mut *conn)
        .await?;
    let result = setup.await;
    sqlx::query("SELECT pg_advisory_unlock($1)")
        .bind(SCHEMA_LOCK)
        .execute(&mut *conn)
        .await?;
    result
}

/// `bytes` random bytes from the OS, in hex: a session handle, a session
/// token, a ceremony's id. Unguessable, and never derived from anything.
pub fn random_token(bytes: usize) -> String {
    use rand::RngCore;
    let mut buf = vec![0u8; bytes];
    rand::rngs::OsRng.fill_bytes(&mut buf);
    hex::encode(buf)
}

/// `url` without its password, for messages and logs.
pub fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if parsed.password().is_some() => {
            let _ = parsed.set_password(Some("***"));
            parsed.to_string()
        }
        Ok(parsed) => parsed.to_string(),
        Err(_) => "(an unparsable URL)".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_in_a_database_url_is_never_shown() {
        let shown = redact("postgres://sesame:hunter2-secret@db.internal:5432/sesame");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("db.internal:5432/sesame"), "{shown}");
        assert!(!redact("postgres://[nonsense").contains("nonsense"));
    }

    /// The folder sesame makes, the database and SQLite's journals: the
    /// owner's alone, whatever the umask.
    #[cfg(unix)]
    #[tokio::test]
    async fn the_database_and_its_folder_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        let dir = tempfile::tempdir().unwrap();
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
        let file = dir.path().join("data/sesame.db");
        let db = Db::connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        // Migrations have written: the WAL and its index exist.
        assert_eq!(mode(&dir.path().join("data")), 0o700);
        for name in ["sesame.db", "sesame.db-wal", "sesame.db-shm"] {
            assert_eq!(mode(&dir.path().join("data").join(name)), 0o600, "{name}");
        }
        if let Db::Sqlite(pool, _) = db {
            pool.close().await;
        }
        // A database left readable by an older version is tightened.
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
        Db::connect(&format!("sqlite://{}?mode=rwc", file.display()))
            .await
            .unwrap();
        assert_eq!(mode(&file), 0o600);
        // The operator's own folder is theirs to set.
        assert_eq!(mode(dir.path()), 0o755);
    }

    #[tokio::test]
    async fn an_unknown_scheme_is_a_clear_error() {
        let err = Db::connect("mysql://u:pw@h/db").await.unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains("sqlite: or postgres://"), "{message}");
        assert!(!message.contains("pw@"), "{message}");
    }

    /// A fresh SQLite file (kept while the `TempDir` lives), its URL and `Db`.
    async fn sqlite_file() -> (tempfile::TempDir, String, Db) {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}/t.db?mode=rwc", dir.path().display());
        let db = Db::connect(&url).await.expect("connect");
        (dir, url, db)
    }

    /// Counted on the calling thread (the reader).
    fn users(db: &Db) -> Option<i64> {
        db.read_here(|conn| conn.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0)))
    }

    /// Written through sqlx.
    async fn add_user(db: &Db, name: &str) {
        on_pool!(db, pool => {
            sqlx::query(
                "INSERT INTO users (username, email, password_hash, session_token, created_at) \
                 VALUES ($1, $1 || '@example.com', 'x', 't', 0)",
            )
            .bind(name)
            .execute(pool)
            .await
            .expect("insert");
        });
    }

    #[tokio::test]
    async fn a_sqlite_file_is_read_on_the_calling_thread_and_sees_every_commit() {
        let (_dir, url, db) = sqlite_file().await;
        assert_eq!(users(&db), Some(0));
        add_user(&db, "ann").await;
        assert_eq!(users(&db), Some(1), "a commit through sqlx is seen at once");
        // Another process's connection: a second Db on the same file.
        let other = Db::connect(&url).await.expect("connect again");
        assert_eq!(users(&other), Some(1));
    }

    #[tokio::test]
    async fn the_reads_before_the_handler_share_one_snapshot_and_the_handler_sees_its_writes() {
        let (_dir, _url, db) = sqlite_file().await;
        in_snapshot(async {
            assert_eq!(users(&db), Some(0));
            add_user(&db, "ann").await;
            assert_eq!(users(&db), Some(0), "one snapshot until it ends");
            end_snapshot();
            assert_eq!(users(&db), Some(1), "then every commit is seen");
            add_user(&db, "bob").await;
            assert_eq!(users(&db), Some(2), "the handler sees its own writes");
        })
        .await;
        // The snapshot's connection went back to the pool in a usable state,
        // and a request dropped half-way leaves nothing open either.
        assert_eq!(users(&db), Some(2));
        let dropped = in_snapshot(async {
            users(&db);
            std::future::pending::<()>().await
        });
        let _ = tokio::time::timeout(std::time::Duration::from_millis(10), dropped).await;
        add_user(&db, "cy").await;
        assert_eq!(users(&db), Some(3));
    }
}
