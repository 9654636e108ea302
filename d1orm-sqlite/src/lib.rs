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
//! - A file database has one writer connection and, by default, four read-only
//!   readers (WAL lets them read while the writer writes). A call runs on an idle
//!   reader when SQLite finds every statement of it read-only (and it is no `PRAGMA`);
//!   writes, batches and `exec` go through the writer, one at a time. Reads report
//!   the writer's sticky `last_row_id` and the size its last write left, as D1's one
//!   connection does, and see every write acknowledged before they start.
//! - In [`Mode::Server`] (the default for files), on a multi-thread tokio runtime, a
//!   write runs off the async worker thread, and a read moves off it once it has run
//!   10,000 to 20,000 SQLite steps (tens of microseconds): a point lookup costs no
//!   thread hand-off, and a long query holds up neither the runtime nor other reads.
//!   [`Mode::Inline`] runs each call on the calling thread, for CLIs and
//!   current-thread runtimes. An in-memory database is one connection, inline.
//!   Settings go through [`SqliteBackend::options`].
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
mod options;
mod parity;
mod pool;
mod route;
mod split;

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use d1orm::{
    Backend, BatchEntry, Bookmarked, DumpBackend, Error, ExecResult, Meta, Prefix, QueryBackend,
    RowSink, SessionBackend, SessionConstraint, Statement,
};
use rusqlite::Connection;

use crate::errors::from_rusqlite;
use crate::exec::Executor;
use crate::pool::{Connections, OnReader};
use crate::route::KnownSql;

pub use crate::options::{
    DEFAULT_BUSY_TIMEOUT, DEFAULT_READERS, DEFAULT_STATEMENT_CACHE, Mode, SqliteOptions,
};

/// A SQLite database with D1's semantics. Cheap to clone: clones share the connections.
///
/// Its futures are `Send`, so a `Database<SqliteBackend>` can be shared across tokio
/// tasks and used in axum handlers. A file database reads on several connections and
/// writes on one (see the crate's documentation); several backends opened on one file
/// coordinate through SQLite's locks (WAL and a busy timeout).
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// use d1orm::Database;
/// use d1orm_sqlite::SqliteBackend;
/// let db = Database::new(SqliteBackend::open_in_memory()?);
/// let shared = db.clone();                       // clones share the connections
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
    connections: Connections,
    /// SQL found to need the writer.
    writer_sql: KnownSql,
    /// Reads that ran long on an async worker thread: they start off it.
    long_reads: KnownSql,
    /// Successful session queries so far: what bookmarks count.
    queries: AtomicU64,
}

impl std::fmt::Debug for SqliteBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteBackend").finish_non_exhaustive()
    }
}

impl SqliteBackend {
    /// Settings for opening a database: readers, [`Mode`], busy timeout, statement
    /// cache, `js_safe_integers`, query time limit.
    pub fn options() -> SqliteOptions {
        SqliteOptions::default()
    }

    /// A new, empty in-memory database: one connection, calls run inline.
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
        SqliteOptions::default().open_in_memory()
    }

    /// The database in the file at `path`, created if missing, in WAL mode, with the
    /// default [`options`](Self::options): four readers beside the writer,
    /// [`Mode::Server`].
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
        SqliteOptions::default().open(path)
    }

    pub(crate) fn from_connections(connections: Connections) -> d1orm::Result<Self> {
        Ok(SqliteBackend {
            inner: Arc::new(Inner {
                connections,
                writer_sql: KnownSql::default(),
                long_reads: KnownSql::default(),
                queries: AtomicU64::new(0),
            }),
        })
    }

    /// Runs a call that may write on the writer, waiting for its turn.
    async fn on_writer<T>(
        &self,
        f: impl FnOnce(&mut Executor<'_>) -> d1orm::Result<T>,
    ) -> d1orm::Result<T> {
        let connections = &self.inner.connections;
        let _turn = connections.writer_turn().await;
        connections.blocking(|| connections.on_writer(f))
    }

    /// Runs one statement: on a reader when it only reads, else on the writer.
    async fn run<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        let inner = &*self.inner;
        let connections = &inner.connections;
        if connections.has_readers() && !inner.writer_sql.contains(&statement.sql) {
            let turn = connections.reader_turn().await;
            if let Some(result) = self.read(&turn, statement, sink) {
                return result;
            }
        }
        self.on_writer(|ex| ex.run(statement, sink)).await
    }

    /// Runs a statement on a reader, whose turn the caller holds; `None` if it must
    /// run on the writer (nothing of it ran). In server mode on a multi-thread runtime
    /// a read starts on the calling worker thread, on trial: once it runs past SQLite's
    /// first progress check (10,000 steps, tens of microseconds) it moves off the
    /// thread (stopped and run again if it sent no row yet, else from its next row on),
    /// and its text starts off the thread from then on. A point lookup so costs no
    /// thread hand-off, and a long read holds up no worker.
    fn read<S: RowSink + Send + ?Sized>(
        &self,
        turn: &tokio::sync::SemaphorePermit<'_>,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<d1orm::Result<Meta>> {
        let inner = &*self.inner;
        let connections = &inner.connections;
        let offloads = connections.offloads();
        let trial = offloads && !inner.long_reads.contains(&statement.sql);
        let outcome = if offloads && !trial {
            connections
                .blocking(|| connections.on_reader(turn, false, |ex| ex.run(statement, sink)))
        } else {
            match connections.on_reader(turn, trial, |ex| ex.run(statement, &mut *sink)) {
                OnReader::Moved => {
                    inner.long_reads.insert(&statement.sql);
                    connections.blocking(|| {
                        connections.on_reader(turn, false, |ex| ex.run(statement, sink))
                    })
                }
                outcome => outcome,
            }
        };
        match outcome {
            OnReader::Ran { result, long } => {
                if long {
                    inner.long_reads.insert(&statement.sql);
                }
                Some(result)
            }
            OnReader::WantsWriter => {
                inner.writer_sql.insert(&statement.sql);
                None
            }
            // Only a read on trial is moved, and the second run is not on trial; were
            // it moved, the writer would run it.
            OnReader::Moved => None,
        }
    }

    /// [`run`](Self::run) at once, when its connection is free now and, for the
    /// writer, the call would not be handed off the thread.
    fn run_now<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<d1orm::Result<Meta>> {
        let inner = &*self.inner;
        let connections = &inner.connections;
        if connections.has_readers() && !inner.writer_sql.contains(&statement.sql) {
            let turn = connections.try_reader_turn()?;
            if let Some(result) = self.read(&turn, statement, sink) {
                return Some(result);
            }
        }
        if connections.offloads() {
            return None;
        }
        connections.try_on_writer(|ex| ex.run(statement, sink))
    }

    /// Sets how long a statement waits for another connection's lock before it fails
    /// with `SQLITE_BUSY` (10 s by default), on every connection of the database.
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
    /// None: kept fallible for SQLite refusing the setting, which it does only on a
    /// closed connection.
    pub fn set_busy_timeout(&self, timeout: Duration) -> d1orm::Result<()> {
        self.inner.connections.shared.set_busy_timeout(timeout);
        Ok(())
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
        self.inner
            .connections
            .shared
            .js_safe_integers
            .store(refuse, Ordering::Relaxed);
    }

    /// Runs `f` on the raw rusqlite connection of the writer, for what D1 has no API
    /// for (tests, diagnostics). D1's rules do not apply to what `f` does. Reads may run
    /// on the file database's other connections: what `f` sets on its connection alone
    /// (a function, a `PRAGMA`, a temporary table) is not seen there. An update hook
    /// set here is taken off by the next upsert of several rows whose meta is read: the
    /// backend counts such an upsert's inserted and updated rows with one, for
    /// `rows_written`.
    ///
    /// A transaction `f` leaves open is rolled back, as is one open when `f` panics:
    /// D1 has no transactions, and every later call expects autocommit.
    ///
    /// It runs on the calling thread and waits for the writer's call in progress.
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
        self.inner.connections.with_writer_connection(f)
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
        self.inner.connections.shared.set_query_time_limit(limit);
    }

    /// Reader connections idle now (of those [`readers`](SqliteOptions::readers)
    /// opened): a gauge for diagnostics and health checks. `0` for a database without
    /// readers.
    pub fn idle_readers(&self) -> usize {
        self.inner.connections.idle_readers()
    }

    /// The bookmark of a session query that just succeeded: D1 counts the successful
    /// session queries on a database.
    fn next_bookmark(&self) -> String {
        bookmark(self.inner.queries.fetch_add(1, Ordering::Relaxed))
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

pub(crate) fn open_error(e: rusqlite::Error) -> Error {
    from_rusqlite(e, auth::Denial::None)
}

impl QueryBackend for SqliteBackend {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        self.run(statement, sink).await
    }

    fn query_now<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<d1orm::Result<Meta>> {
        self.run_now(statement, sink)
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        if entries.is_empty() {
            return Err(Error::d1(Prefix::Error, "No SQL statements detected."));
        }
        self.on_writer(|ex| ex.batch(entries)).await
    }
}

impl Backend for SqliteBackend {
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        self.on_writer(|ex| ex.exec(sql)).await
    }
}

impl DumpBackend for SqliteBackend {
    async fn dump(&self) -> d1orm::Result<Vec<u8>> {
        // SQLite reads the pages through its own query, outside D1's rules.
        let connections = &self.inner.connections;
        let _turn = connections.writer_turn().await;
        connections.blocking(|| {
            // rusqlite's `serialize` takes the connection `&mut`, which the cached
            // statements borrowing it rule out: SQLite's own call, on the writer.
            connections.with_writer_connection(|conn| {
                let mut size: rusqlite::ffi::sqlite3_int64 = 0;
                // SAFETY: the handle is open while `conn` is borrowed; with no flags
                // SQLite returns a copy of its own, freed below after it is copied out.
                unsafe {
                    let data = rusqlite::ffi::sqlite3_serialize(
                        conn.handle(),
                        c"main".as_ptr(),
                        &mut size,
                        0,
                    );
                    if data.is_null() {
                        return Err(Error::d1(Prefix::DumpError, "out of memory"));
                    }
                    let len = usize::try_from(size).unwrap_or(0);
                    let bytes = std::slice::from_raw_parts(data, len).to_vec();
                    rusqlite::ffi::sqlite3_free(data.cast());
                    Ok(bytes)
                }
            })
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
