//! [ssr] SQLite point reads on the calling thread.
//!
//! sqlx runs each SQLite statement on a worker thread that belongs to the
//! connection and hands the rows back through channels, so every query
//! costs thread wake-ups both ways. A signed-in request reads three rows
//! by key (its session, its user, its device row); from SQLite's page cache
//! each takes microseconds, less than the hand-off. `bench/profile read`
//! showed half the CPU in the kernel switching threads. So those reads run
//! here, on read-only connections of their own, without leaving the thread.
//!
//! Nothing is cached: each read sees whatever any connection or process
//! has committed (WAL mode), so instances sharing the file stay exact, and
//! revoking a session takes effect on the next request everywhere. Writes
//! stay on sqlx. A reader that fails (it never should) makes the caller
//! ask sqlx instead, so the worst case is the old speed, never a wrong
//! answer.
use rusqlite::{Connection, OpenFlags};
use std::{
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::Duration,
};

/// Idle connections kept for reuse; more are opened when busy, then closed.
const KEEP: usize = 8;

/// How long a read waits on a lock. WAL readers almost never wait; when
/// one does, this is short enough not to stall the runtime's thread, and
/// the caller falls back to sqlx, which waits off-thread.
const BUSY: Duration = Duration::from_millis(20);

#[derive(Clone)]
pub struct Reader {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    idle: Mutex<Vec<Connection>>,
}

impl std::fmt::Debug for Reader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Reader")
            .field("path", &self.inner.path)
            .finish()
    }
}

impl Reader {
    /// Reads `path`, which sqlx has already created and migrated.
    pub fn new(path: &Path) -> Self {
        Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                idle: Mutex::new(Vec::new()),
            }),
        }
    }

    /// Runs `read` on a read-only connection, on this thread.
    pub fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let idle = self.inner.idle.lock().ok().and_then(|mut idle| idle.pop());
        let conn = match idle {
            Some(conn) => conn,
            None => self.connect()?,
        };
        let out = read(&conn);
        // A connection that failed may be in any state: not reused.
        if out.is_ok() {
            if let Ok(mut idle) = self.inner.idle.lock() {
                if idle.len() < KEEP {
                    idle.push(conn);
                }
            }
        }
        out
    }

    fn connect(&self) -> rusqlite::Result<Connection> {
        let conn = Connection::open_with_flags(
            &self.inner.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        conn.busy_timeout(BUSY)?;
        Ok(conn)
    }
}
