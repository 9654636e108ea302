//! The reference d1orm backend: SQLite (bundled, through rusqlite) with Cloudflare D1's
//! semantics, so code tested here behaves the same against D1.
//!
//! - `meta` is computed as D1 computes it: `changes` from `total_changes()`,
//!   `last_row_id` from `last_insert_rowid()` (sticky), `changed_db`, and `size_after`
//!   as `(page_count - freelist_count) * page_size` (in a batch, read once at its end:
//!   every statement of a batch reports the size the batch leaves, where D1 reports
//!   each statement's own; reading the size costs more than a typical statement).
//!   `rows_read` and `rows_written` follow the rule of D1's patched SQLite, worked out
//!   from the statement's program and SQLite's own loop counters (see `counters.rs`);
//!   they are computed only when the caller reads the meta.
//! - A batch is one transaction; `exec` runs line by line in one transaction.
//! - Up to 256 statements stay prepared in the backend's own cache (rusqlite's
//!   `prepare_cached` costs about a fifth of a point lookup): `&'static str` SQL is
//!   found by address, other SQL by its text, and application SQL is split and checked
//!   for D1's refusals once while its statement is cached.
//! - D1's limits are SQLite limits here (100 parameters, 100,000-byte statements, 100
//!   columns, 2,000,000-byte values, 32 function arguments, 50-byte LIKE patterns, 5
//!   compound terms, expression depth 100, trigger depth 10), and D1's forbidden
//!   statements are refused by an authorizer, all with D1's error text.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> d1orm::Result<()> {
//! use d1orm::Database;
//! use d1orm_sqlite::SqliteBackend;
//!
//! let db = Database::new(SqliteBackend::open_in_memory()?);
//! db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)").await?;
//! let r = db.prepare("INSERT INTO t (name) VALUES (?)").bind("ada").run().await?;
//! assert_eq!(r.meta.last_row_id, 1);
//! # Ok(()) }
//! ```

#![warn(missing_docs)]

mod auth;
mod cache;
mod counters;
mod deadline;
mod errors;
mod exec;
mod lex;
mod parity;
mod split;

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use d1orm::{
    Backend, BatchEntry, Bookmarked, DumpBackend, Error, ExecResult, Meta, Prefix, QueryBackend,
    RowSink, SessionBackend, SessionConstraint, Statement,
};
use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};

use crate::auth::AuthState;
use crate::cache::CachedConnection;
use crate::deadline::Deadline;
use crate::errors::from_rusqlite;
use crate::exec::Executor;

/// How long a statement waits for another connection's write lock before failing.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Statements kept prepared by the backend's own cache (`cache.rs`): enough for an
/// application's distinct statements, since a thrashing cache costs 4x (PERF.md).
const STATEMENT_CACHE: usize = 256;

/// D1's documented per-statement limits, as SQLite limits.
const LIMITS: [(Limit, i32); 9] = [
    (Limit::SQLITE_LIMIT_VARIABLE_NUMBER, 100),
    (Limit::SQLITE_LIMIT_SQL_LENGTH, exec::MAX_SQL_LENGTH as i32),
    (Limit::SQLITE_LIMIT_COLUMN, 100),
    (Limit::SQLITE_LIMIT_LENGTH, 2_000_000),
    (Limit::SQLITE_LIMIT_FUNCTION_ARG, 32),
    (Limit::SQLITE_LIMIT_LIKE_PATTERN_LENGTH, 50),
    (Limit::SQLITE_LIMIT_COMPOUND_SELECT, 5),
    (Limit::SQLITE_LIMIT_EXPR_DEPTH, 100),
    (Limit::SQLITE_LIMIT_TRIGGER_DEPTH, 10),
];

/// A SQLite database with D1's semantics. Cheap to clone: clones share the connection.
///
/// Its futures are `Send`, so a `Database<SqliteBackend>` can be shared across tokio
/// tasks and used in axum handlers. Calls run on the calling task, one at a time per
/// backend; several backends opened on one file coordinate through SQLite's locks
/// (WAL and a busy timeout).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// use d1orm::Database;
/// use d1orm_sqlite::SqliteBackend;
/// let db = Database::new(SqliteBackend::open_in_memory()?);
/// let shared = db.clone();                       // clones share the connection
/// let task = tokio::spawn(async move { shared.exec("CREATE TABLE t (x)").await });
/// task.await.unwrap()?;
/// assert_eq!(db.prepare("SELECT count(*) AS n FROM t").first_column::<i64>("n").await?, Some(0));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct SqliteBackend {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<Connected>,
    auth: Arc<AuthState>,
    deadline: Arc<Deadline>,
    /// Successful session queries so far: what bookmarks count.
    queries: AtomicU64,
    js_safe_integers: AtomicBool,
}

struct Connected {
    db: CachedConnection,
    size: u64,
    page_size: u64,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend").finish_non_exhaustive()
    }
}

impl SqliteBackend {
    /// A new, empty in-memory database.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let db = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// let r = db.prepare("SELECT 1 + 1 AS two").first_column::<i64>("two").await?;
    /// assert_eq!(r, Some(2));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// SQLite could not allocate the database.
    pub fn open_in_memory() -> d1orm::Result<Self> {
        let conn = Connection::open_in_memory().map_err(open_error)?;
        Self::setup(conn, false)
    }

    /// The database in the file at `path`, created if missing, in WAL mode.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm_sqlite::SqliteBackend;
    /// let path = std::env::temp_dir().join(format!("d1orm-open-{}.db", std::process::id()));
    /// let db = d1orm::Database::new(SqliteBackend::open(&path)?);
    /// db.exec("CREATE TABLE IF NOT EXISTS t (x)").await?;
    /// // A second backend on the same file sees the table.
    /// let other = d1orm::Database::new(SqliteBackend::open(&path)?);
    /// assert!(other.prepare("SELECT * FROM t").run().await.is_ok());
    /// # drop((db, other));
    /// # for suffix in ["", "-wal", "-shm"] { let _ = std::fs::remove_file(format!("{}{suffix}", path.display())); }
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// The file cannot be opened or created (a missing directory, no permission, not a
    /// database), or it stays locked by another process past the busy timeout.
    pub fn open(path: impl AsRef<Path>) -> d1orm::Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        Self::setup(conn, true)
    }

    fn setup(conn: Connection, wal: bool) -> d1orm::Result<Self> {
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_error)?;
        if wal {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(open_error)?;
            conn.pragma_update(None, "synchronous", "NORMAL")
                .map_err(open_error)?;
        }
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(open_error)?;
        // As D1's SQLite: shadow tables of virtual tables (`f_data` of an FTS5 table
        // `f` …) are read-only to SQL.
        conn.set_db_config(rusqlite::config::DbConfig::SQLITE_DBCONFIG_DEFENSIVE, true)
            .map_err(open_error)?;
        for (limit, value) in LIMITS {
            conn.set_limit(limit, value).map_err(open_error)?;
        }
        // A write transaction gives a new database its first page, as D1's databases
        // have from the start (so a fresh database's `size_after` is one page).
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT")
            .map_err(open_error)?;
        parity::apply(&conn).map_err(open_error)?;
        let auth = Arc::new(AuthState::default());
        conn.authorizer(Some(auth::authorizer(auth.clone())))
            .map_err(open_error)?;
        let deadline = Deadline::new();
        deadline.install(&conn).map_err(open_error)?;
        let page_size = Executor::page_size(&conn).map_err(open_error)?;
        // The meta's clock calibrates itself on first use, once per process (half a
        // millisecond here, longer on a loaded machine): here, not in the first query.
        quanta::Instant::now();
        let mut db = CachedConnection::new(conn, STATEMENT_CACHE);
        let (conn, statements) = db.parts();
        let size = Executor::new(conn, statements, &auth, &deadline, &mut 0, page_size, false)
            .database_size()?;
        let state = Connected {
            db,
            size,
            page_size,
        };
        Ok(SqliteBackend {
            inner: Arc::new(Inner {
                state: Mutex::new(state),
                auth,
                deadline,
                queries: AtomicU64::new(0),
                js_safe_integers: AtomicBool::new(false),
            }),
        })
    }

    /// Runs `f` with the connection, one call at a time.
    fn with<T>(&self, f: impl FnOnce(&mut Executor<'_>) -> d1orm::Result<T>) -> d1orm::Result<T> {
        let mut call = Call::new(self, false);
        let Connected {
            db,
            size,
            page_size,
        } = &mut *call.state;
        let (conn, statements) = db.parts();
        f(&mut Executor::new(
            conn,
            statements,
            &self.inner.auth,
            &self.inner.deadline,
            size,
            *page_size,
            self.inner.js_safe_integers.load(Ordering::Relaxed),
        ))
    }

    fn lock(&self) -> MutexGuard<'_, Connected> {
        // A call that panicked left the connection as it found it (see `Call`): the
        // poison says nothing about the state any more.
        self.inner.state.lock().unwrap_or_else(|poisoned| {
            self.inner.state.clear_poison();
            poisoned.into_inner()
        })
    }

    /// Sets how long a statement waits for another connection's lock before it fails
    /// with `SQLITE_BUSY` (10 s by default).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let backend = d1orm_sqlite::SqliteBackend::open_in_memory()?;
    /// backend.set_busy_timeout(std::time::Duration::from_secs(2))?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// SQLite refused the setting.
    pub fn set_busy_timeout(&self, timeout: Duration) -> d1orm::Result<()> {
        self.lock()
            .db
            .conn()
            .busy_timeout(timeout)
            .map_err(open_error)
    }

    /// Refuses integers beyond ±(2^53 - 1), when binding and when reading, as a D1
    /// backend must: D1 hands numbers to JavaScript as doubles, so real D1 rounds such
    /// an integer silently (9007199254740993 reads back as 9007199254740992). Off by
    /// default, where SQLite keeps every `i64` exactly; turn it on in tests of code
    /// that will run on D1.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let backend = d1orm_sqlite::SqliteBackend::open_in_memory()?;
    /// backend.set_js_safe_integers(true);
    /// let db = d1orm::Database::new(backend);
    /// let err = db.prepare("SELECT ?").bind(9_007_199_254_740_993i64).run().await.unwrap_err();
    /// assert!(err.to_string().starts_with("D1_TYPE_ERROR"));
    /// # Ok(()) }
    /// ```
    pub fn set_js_safe_integers(&self, refuse: bool) {
        self.inner.js_safe_integers.store(refuse, Ordering::Relaxed);
    }

    /// Runs `f` on the raw rusqlite connection, for what D1 has no API for (tests,
    /// diagnostics). D1's rules do not apply to what `f` does. An update hook set here
    /// is taken off by the next upsert of several rows whose meta is read: the backend
    /// counts such an upsert's inserted and updated rows with one, for `rows_written`.
    ///
    /// A transaction `f` leaves open is rolled back, as is one open when `f` panics:
    /// D1 has no transactions, and every later call expects autocommit.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let backend = d1orm_sqlite::SqliteBackend::open_in_memory()?;
    /// let version: String = backend.with_connection(|conn| {
    ///     conn.query_row("SELECT sqlite_version()", [], |row| row.get(0))
    /// }).unwrap();
    /// assert!(version.starts_with('3'));
    /// # Ok(()) }
    /// ```
    pub fn with_connection<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        let call = Call::new(self, true);
        self.inner.auth.set_internal(true);
        let result = f(call.state.db.conn());
        self.inner.auth.set_internal(false);
        result
    }

    /// Sets how long one statement may run before it is stopped with D1's error for a
    /// query over its time limit: 30 seconds by default, as on D1; `None` for no limit.
    /// Time waiting for another connection's lock is not counted (see
    /// [`set_busy_timeout`](Self::set_busy_timeout)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let backend = d1orm_sqlite::SqliteBackend::open_in_memory()?;
    /// backend.set_query_time_limit(Some(std::time::Duration::from_millis(50)));
    /// let db = d1orm::Database::new(backend);
    /// let endless = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) SELECT count(*) FROM n";
    /// let err = db.prepare(endless).run().await.unwrap_err();
    /// assert!(err.to_string().contains("exceeded timeout"));
    /// # Ok(()) }
    /// ```
    pub fn set_query_time_limit(&self, limit: Option<Duration>) {
        self.inner.deadline.set_limit(limit);
    }

    /// The bookmark of a session query that just succeeded: D1 counts the successful
    /// session queries on a database.
    fn next_bookmark(&self) -> String {
        bookmark(self.inner.queries.fetch_add(1, Ordering::Relaxed))
    }
}

/// One call holding the connection. Whatever unwinds through the call (a panic in a row
/// decoder, in serde, in a `ColumnType`), dropping it leaves the connection as calls
/// expect it: in autocommit, with a transaction the call had open rolled back (nothing
/// in it was acknowledged), the size read again and no state of the call's own left.
/// Without this, every later call would run inside the stale transaction, answer `Ok`
/// and never commit.
struct Call<'b> {
    state: MutexGuard<'b, Connected>,
    inner: &'b Inner,
    /// Check for an open transaction even without a panic (after raw access).
    always: bool,
}

impl<'b> Call<'b> {
    fn new(backend: &'b SqliteBackend, always: bool) -> Self {
        Call {
            state: backend.lock(),
            inner: &backend.inner,
            always,
        }
    }
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        // A panic count of zero is one load of a global: free on the normal path.
        if !(self.always || std::thread::panicking()) {
            return;
        }
        let inner = self.inner;
        inner.auth.set_internal(false);
        inner.auth.take_denial();
        inner.deadline.disarm();
        inner.deadline.take_fired();
        let Connected {
            db,
            size,
            page_size,
        } = &mut *self.state;
        let (conn, statements) = db.parts();
        if conn.is_autocommit() && !std::thread::panicking() {
            return;
        }
        Executor::new(
            conn,
            statements,
            &inner.auth,
            &inner.deadline,
            size,
            *page_size,
            false,
        )
        .rollback();
    }
}

/// A bookmark in D1's format (`00000000-0000002a-00000000-000…0`); bookmarks of later
/// queries sort after earlier ones.
fn bookmark(sequence: u64) -> String {
    format!(
        "{:08x}-{:08x}-{:08x}-{:032x}",
        sequence >> 32,
        sequence & 0xffff_ffff,
        0,
        0
    )
}

fn open_error(e: rusqlite::Error) -> Error {
    from_rusqlite(e, auth::Denial::None)
}

impl QueryBackend for SqliteBackend {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        self.with(|ex| ex.run(statement, sink))
    }

    fn query_now<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<d1orm::Result<Meta>> {
        Some(self.with(|ex| ex.run(statement, sink)))
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        if entries.is_empty() {
            return Err(Error::d1(Prefix::Error, "No SQL statements detected."));
        }
        self.with(|ex| ex.batch(entries))
    }
}

impl Backend for SqliteBackend {
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        self.with(|ex| ex.exec(sql))
    }
}

impl DumpBackend for SqliteBackend {
    async fn dump(&self) -> d1orm::Result<Vec<u8>> {
        // SQLite reads the pages through its own query, outside D1's rules.
        self.with_connection(|conn| {
            conn.serialize("main")
                .map(|data| data.to_vec())
                .map_err(|e| Error::d1(Prefix::DumpError, e.to_string()))
        })
    }
}

/// A D1 session on the reference backend. SQLite has one copy of the data, so every
/// constraint is met at once; the session still keeps D1's bookmark.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// let db = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
/// let session = db.with_session("first-primary")?;
/// session.prepare("CREATE TABLE t (x)").run().await?;
/// let bookmark = session.bookmark().unwrap();
/// let later = db.with_session(&bookmark)?;        // starts where the first one ended
/// later.prepare("SELECT * FROM t").run().await?;
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct SqliteSession {
    backend: SqliteBackend,
    bookmark: Arc<Mutex<Option<String>>>,
}

impl SqliteSession {
    fn seen<T>(&self, result: d1orm::Result<T>) -> d1orm::Result<T> {
        if result.is_ok() {
            let latest = self.backend.next_bookmark();
            let mut bookmark = self
                .bookmark
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if bookmark.as_ref().is_none_or(|b| *b < latest) {
                *bookmark = Some(latest);
            }
        }
        result
    }
}

impl SessionBackend for SqliteBackend {
    type Session = SqliteSession;

    fn with_session(&self, constraint: &SessionConstraint) -> d1orm::Result<SqliteSession> {
        // Every constraint is satisfied by the single copy; a bookmark is kept as the
        // session's starting point, as D1 does.
        let start = match constraint {
            SessionConstraint::Bookmark(b) => Some(b.clone()),
            _ => None,
        };
        Ok(SqliteSession {
            backend: self.clone(),
            bookmark: Arc::new(Mutex::new(start)),
        })
    }
}

impl Bookmarked for SqliteSession {
    fn bookmark(&self) -> Option<String> {
        self.bookmark
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
}

impl QueryBackend for SqliteSession {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        let result = self.backend.query(statement, sink).await;
        self.seen(result)
    }

    fn query_now<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<d1orm::Result<Meta>> {
        let result = self.backend.query_now(statement, sink)?;
        Some(self.seen(result))
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        let result = self.backend.batch(entries).await;
        self.seen(result)
    }
}
