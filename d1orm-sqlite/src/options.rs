//! How a [`SqliteBackend`] is opened: its connections, how calls run on them, and the
//! settings every connection gets.

use std::path::Path;
use std::time::Duration;

use crate::SqliteBackend;
use crate::deadline::DEFAULT_TIME_LIMIT;

/// How calls run on a database's connections.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// For servers (axum, a multi-thread tokio runtime): no call holds up an async
    /// worker thread. A write (which may wait for another process's lock, or a
    /// checkpoint's writes to disk) runs while the worker thread hands its other tasks
    /// to another thread (`tokio::task::block_in_place`). A read starts on the worker
    /// and moves off it the same way once it has run 10,000 to 20,000 SQLite steps
    /// (tens of microseconds; stopped and run again if it sent no row yet, else from
    /// its next row on), and its SQL starts off the worker from then on: a point
    /// lookup pays no thread hand-off, a long query holds up neither the runtime nor,
    /// with readers, other reads. Where there is no multi-thread runtime (no runtime,
    /// a current-thread runtime) it runs as [`Mode::Inline`]; inside a
    /// `tokio::task::LocalSet` use `Inline`.
    #[default]
    Server,
    /// Calls run on the calling thread, each as one plain function call: the cheapest
    /// per call, for CLIs, scripts, tests and current-thread runtimes, where nothing
    /// else would run meanwhile anyway. A long query holds up the thread it runs on.
    Inline,
}

/// Settings for opening a [`SqliteBackend`]; from [`SqliteBackend::options`].
///
/// ```
/// # fn main() -> d1orm::Result<()> {
/// use std::time::Duration;
/// use d1orm_sqlite::{Mode, SqliteBackend};
///
/// # let dir = std::env::temp_dir().join(format!("d1orm-options-doc-{}", std::process::id()));
/// # std::fs::create_dir_all(&dir).unwrap();
/// # let path = dir.join("app.db");
/// let backend = SqliteBackend::options()
///     .readers(4)
///     .busy_timeout(Duration::from_secs(5))
///     .query_time_limit(Some(Duration::from_secs(10)))
///     .mode(Mode::Server)
///     .open(&path)?;
/// # drop(backend);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteOptions {
    pub(crate) readers: usize,
    pub(crate) busy_timeout: Duration,
    pub(crate) statement_cache: usize,
    pub(crate) js_safe_integers: bool,
    pub(crate) query_time_limit: Option<Duration>,
    pub(crate) mode: Mode,
}

/// Readers of a file database by default: two cores' worth of concurrent reads, and
/// room for a long query or two beside them.
pub const DEFAULT_READERS: usize = 4;

/// How long a statement waits for another connection's write lock by default.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Statements each connection keeps prepared by default: enough for an application's
/// distinct statements, since a thrashing cache costs 4x (PERF.md).
pub const DEFAULT_STATEMENT_CACHE: usize = 256;

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            readers: DEFAULT_READERS,
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            statement_cache: DEFAULT_STATEMENT_CACHE,
            js_safe_integers: false,
            query_time_limit: Some(DEFAULT_TIME_LIMIT),
            mode: Mode::Server,
        }
    }
}

impl SqliteOptions {
    /// Read-only connections a file database opens beside its one writer (4 by
    /// default). A call whose statements SQLite finds read-only (and that is no
    /// `PRAGMA`) runs on an idle reader, so reads run side by side (WAL) and a long one
    /// leaves the others free; writes, batches and `exec` take the writer, one at a
    /// time. `0`: every call takes the writer. An in-memory database has no readers.
    pub fn readers(mut self, readers: usize) -> Self {
        self.readers = readers;
        self
    }

    /// How long a statement waits for another connection's lock before it fails with
    /// `SQLITE_BUSY` (10 s by default). In [`Mode::Server`] the wait holds up no async
    /// worker thread.
    pub fn busy_timeout(mut self, timeout: Duration) -> Self {
        self.busy_timeout = timeout;
        self
    }

    /// Statements each connection keeps prepared (256 by default; at least 1).
    pub fn statement_cache(mut self, statements: usize) -> Self {
        self.statement_cache = statements.max(1);
        self
    }

    /// Refuse integers beyond ±(2^53 - 1) (off by default); see
    /// [`SqliteBackend::set_js_safe_integers`].
    pub fn js_safe_integers(mut self, refuse: bool) -> Self {
        self.js_safe_integers = refuse;
        self
    }

    /// How long one statement may run (30 s by default, as on D1; `None` for no limit);
    /// see [`SqliteBackend::set_query_time_limit`].
    pub fn query_time_limit(mut self, limit: Option<Duration>) -> Self {
        self.query_time_limit = limit;
        self
    }

    /// How calls run ([`Mode::Server`] by default).
    pub fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Opens the database in the file at `path`, created if missing, in WAL mode, with
    /// its writer and readers.
    ///
    /// # Failure
    /// The file cannot be opened or created (a missing directory, no permission, not a
    /// database), or it stays locked by another process past the busy timeout.
    pub fn open(&self, path: impl AsRef<Path>) -> d1orm::Result<SqliteBackend> {
        SqliteBackend::from_connections(crate::pool::Connections::file(path.as_ref(), self)?)
    }

    /// A new, empty in-memory database: one connection, whose calls run inline (the
    /// number of readers and the mode do not apply).
    ///
    /// # Failure
    /// SQLite could not allocate the database.
    pub fn open_in_memory(&self) -> d1orm::Result<SqliteBackend> {
        SqliteBackend::from_connections(crate::pool::Connections::in_memory(self)?)
    }
}
