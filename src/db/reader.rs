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
//!
//! The reads a request makes before its handler runs share one read
//! transaction ([`in_snapshot`] .. [`end_snapshot`]): SQLite takes and
//! drops a lock with a system call around every transaction, so three
//! reads in one cost two calls instead of six, and they see one consistent
//! state. The handler's reads get a transaction each again, so they see
//! what the handler itself wrote.
//!
//! Each statement run here is a `sesame::sql` event at TRACE level (sqlx
//! reports its own as `sqlx::query`): `tests/budgets.rs` counts both. With
//! no subscriber asking for them they cost one cached check.
use rusqlite::{Connection, OpenFlags};
use std::{
    cell::RefCell,
    future::Future,
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

tokio::task_local! {
    /// The read transaction the current request's first reads share.
    static SNAPSHOT: RefCell<Snapshot>;
}

enum Snapshot {
    /// No read yet: the first one begins the transaction.
    Unused,
    Open(Held),
    /// Reads get a transaction each from here on.
    Ended,
}

/// A connection inside a read transaction; ends it and goes back to the
/// pool when dropped (also when the request is dropped half-way).
struct Held {
    reader: Reader,
    conn: Option<Connection>,
}

impl Drop for Held {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            statement("COMMIT");
            if conn.execute_batch("COMMIT").is_ok() {
                self.reader.put_back(conn);
            }
        }
    }
}

/// Runs `fut` with one shared read transaction for the reads made until
/// [`end_snapshot`].
pub async fn in_snapshot<F: Future>(fut: F) -> F::Output {
    SNAPSHOT.scope(RefCell::new(Snapshot::Unused), fut).await
}

/// Ends the shared read transaction: later reads see every commit again,
/// this request's own included.
pub fn end_snapshot() {
    let _ = SNAPSHOT.try_with(|snapshot| *snapshot.borrow_mut() = Snapshot::Ended);
}

/// Reports one statement run on this thread (see the module's comment).
fn statement(kind: &'static str) {
    tracing::trace!(target: "sesame::sql", statement = kind);
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

    /// Runs `read` on a read-only connection, on this thread: in the
    /// request's shared read transaction while there is one.
    pub fn read<T>(
        &self,
        read: impl FnOnce(&Connection) -> rusqlite::Result<T>,
    ) -> rusqlite::Result<T> {
        let mut read = Some(read);
        let shared = SNAPSHOT
            .try_with(|snapshot| self.read_shared(&mut snapshot.borrow_mut(), &mut read))
            .ok()
            .flatten();
        if let Some(out) = shared {
            return out;
        }
        let Some(read) = read else {
            return Err(rusqlite::Error::InvalidQuery);
        };
        let conn = self.take()?;
        statement("SELECT");
        let out = read(&conn);
        // A connection that failed may be in any state: not reused.
        if out.is_ok() {
            self.put_back(conn);
        }
        out
    }

    /// `None` when the read is not for the shared transaction (there is
    /// none, it has ended, or it belongs to another database).
    fn read_shared<T>(
        &self,
        snapshot: &mut Snapshot,
        read: &mut Option<impl FnOnce(&Connection) -> rusqlite::Result<T>>,
    ) -> Option<rusqlite::Result<T>> {
        match snapshot {
            Snapshot::Ended => None,
            Snapshot::Open(held) if !Arc::ptr_eq(&held.reader.inner, &self.inner) => None,
            Snapshot::Open(held) => {
                statement("SELECT");
                let out = read.take()?(held.conn.as_ref()?);
                if out.is_err() {
                    *snapshot = Snapshot::Ended;
                }
                Some(out)
            }
            Snapshot::Unused => {
                let conn = match self.take() {
                    Ok(conn) => conn,
                    Err(err) => return Some(Err(err)),
                };
                statement("BEGIN");
                if let Err(err) = conn.execute_batch("BEGIN") {
                    return Some(Err(err));
                }
                statement("SELECT");
                let out = read.take()?(&conn);
                *snapshot = if out.is_ok() {
                    Snapshot::Open(Held {
                        reader: self.clone(),
                        conn: Some(conn),
                    })
                } else {
                    Snapshot::Ended
                };
                Some(out)
            }
        }
    }

    fn take(&self) -> rusqlite::Result<Connection> {
        let idle = self.inner.idle.lock().ok().and_then(|mut idle| idle.pop());
        match idle {
            Some(conn) => Ok(conn),
            None => self.connect(),
        }
    }

    fn put_back(&self, conn: Connection) {
        if let Ok(mut idle) = self.inner.idle.lock() {
            if idle.len() < KEEP {
                idle.push(conn);
            }
        }
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
