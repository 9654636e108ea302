//! The connections of one backend: a writer, and for a file database a few read-only
//! readers, each set up with D1's rules, and handed out one call at a time.
//!
//! Waiting for a connection is asynchronous (a semaphore per kind), so a task waiting
//! behind a long query leaves its worker thread free. A writer's call runs in
//! [`Connections::blocking`]: on a multi-thread tokio runtime, in server mode, the
//! worker thread hands its tasks to another thread for the duration
//! (`tokio::task::block_in_place`), so neither SQLite's work nor a busy-timeout wait
//! holds up the runtime. A reader's call starts on the worker on trial and moves off it
//! when it runs long (`Deadline::start_trial`). Borrowed rows and sinks stay on the
//! calling thread either way: nothing is copied to another thread and back.

use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::Duration;

use rusqlite::limits::Limit;
use rusqlite::{Connection, OpenFlags};
use tokio::runtime::{Handle, RuntimeFlavor};
use tokio::sync::{Semaphore, SemaphorePermit};

use crate::auth::{self, AuthState};
use crate::cache::CachedConnection;
use crate::deadline::{Deadline, Trial};
use crate::exec::{self, Executor};
use crate::options::{Mode, SqliteOptions};
use crate::{open_error, parity};

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

/// One connection with the state the backend keeps beside it.
pub(crate) struct Connected {
    db: CachedConnection,
    /// Its authorizer's state: each connection has its own, as calls run side by side.
    auth: Arc<AuthState>,
    /// Its progress handler's clock.
    deadline: Arc<Deadline>,
    page_size: u64,
    /// The database size as this connection last knew it (see [`Shared::size`]).
    size: u64,
    /// The [`Shared::settings_epoch`] whose settings this connection has.
    settings_epoch: u64,
}

/// What every connection of a backend shares.
pub(crate) struct Shared {
    /// The database size after the writer's last call: what reads report, as D1's
    /// reads report the size the last write left.
    size: AtomicU64,
    /// The writer's `last_insert_rowid()` after its last call: D1's `last_row_id` is
    /// that of its one connection, sticky across reads.
    last_row_id: AtomicI64,
    pub(crate) js_safe_integers: AtomicBool,
    busy_timeout_nanos: AtomicU64,
    /// Bumped when a setting that lives on each connection changes: a connection picks
    /// the new settings up when it is next lent.
    settings_epoch: AtomicU64,
    /// Every connection's clock, for a new query time limit.
    deadlines: Vec<Arc<Deadline>>,
    /// There are readers to report what the writer did.
    readers: bool,
}

impl Shared {
    pub(crate) fn set_busy_timeout(&self, timeout: Duration) {
        self.busy_timeout_nanos
            .store(nanos(timeout), Ordering::Relaxed);
        self.settings_epoch.fetch_add(1, Ordering::Release);
    }

    pub(crate) fn set_query_time_limit(&self, limit: Option<Duration>) {
        for deadline in &self.deadlines {
            deadline.set_limit(limit);
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

/// A backend's connections.
pub(crate) struct Connections {
    pub(crate) shared: Shared,
    /// One permit: calls that may write take it before the writer's lock, so they wait
    /// for their turn without a thread.
    writer_turn: Semaphore,
    writer: Mutex<Connected>,
    /// As many permits as idle readers; a permit guarantees an idle reader.
    reader_turn: Semaphore,
    readers: Mutex<Vec<Connected>>,
    reader_count: usize,
    /// Run calls on the blocking side of a multi-thread runtime (see [`Mode`]).
    server: bool,
}

/// What one connection is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Writer { wal: bool },
    Reader,
}

impl Connections {
    /// A single connection to a new in-memory database.
    pub(crate) fn in_memory(options: &SqliteOptions) -> d1orm::Result<Self> {
        let conn = Connection::open_in_memory().map_err(open_error)?;
        let writer = connect(conn, Role::Writer { wal: false }, options)?;
        Ok(Self::new(writer, Vec::new(), options, Mode::Inline))
    }

    /// The writer and `options.readers` readers of the database file at `path`.
    pub(crate) fn file(path: &Path, options: &SqliteOptions) -> d1orm::Result<Self> {
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_URI
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
        let writer = connect(conn, Role::Writer { wal: true }, options)?;
        // Only a file in WAL mode has readers beside its writer: an in-memory database
        // named by a path or URI (`:memory:`, `mode=memory`) is the writer's alone.
        let journal = writer.auth.internally(|| {
            writer
                .db
                .conn()
                .query_row("PRAGMA journal_mode", [], |r| r.get::<_, String>(0))
        });
        let journal = journal.map_err(open_error)?;
        let mut readers = Vec::new();
        if journal.eq_ignore_ascii_case("wal") {
            let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
                | OpenFlags::SQLITE_OPEN_URI
                | OpenFlags::SQLITE_OPEN_NO_MUTEX;
            for _ in 0..options.readers {
                let conn = Connection::open_with_flags(path, flags).map_err(open_error)?;
                readers.push(connect(conn, Role::Reader, options)?);
            }
        }
        Ok(Self::new(writer, readers, options, options.mode))
    }

    fn new(
        writer: Connected,
        readers: Vec<Connected>,
        options: &SqliteOptions,
        mode: Mode,
    ) -> Self {
        let deadlines = std::iter::once(&writer)
            .chain(&readers)
            .map(|c| c.deadline.clone())
            .collect();
        let shared = Shared {
            size: AtomicU64::new(writer.size),
            last_row_id: AtomicI64::new(0),
            js_safe_integers: AtomicBool::new(options.js_safe_integers),
            busy_timeout_nanos: AtomicU64::new(nanos(options.busy_timeout)),
            settings_epoch: AtomicU64::new(0),
            deadlines,
            readers: !readers.is_empty(),
        };
        Connections {
            shared,
            writer_turn: Semaphore::new(1),
            writer: Mutex::new(writer),
            reader_turn: Semaphore::new(readers.len()),
            reader_count: readers.len(),
            readers: Mutex::new(readers),
            server: mode == Mode::Server,
        }
    }

    /// Whether the database has reader connections beside the writer.
    pub(crate) fn has_readers(&self) -> bool {
        self.reader_count > 0
    }

    /// Readers idle now.
    pub(crate) fn idle_readers(&self) -> usize {
        self.reader_turn.available_permits()
    }

    /// Whether calls are handed off the async worker thread (see [`Mode::Server`]).
    pub(crate) fn offloads(&self) -> bool {
        self.server
            && Handle::try_current().is_ok_and(|h| h.runtime_flavor() == RuntimeFlavor::MultiThread)
    }

    /// Runs `f`, in server mode on a multi-thread runtime off the async worker thread:
    /// the worker hands its other tasks to a new worker thread for the duration.
    pub(crate) fn blocking<T>(&self, f: impl FnOnce() -> T) -> T {
        if self.offloads() {
            tokio::task::block_in_place(f)
        } else {
            f()
        }
    }

    /// Waits for the writer's turn.
    pub(crate) async fn writer_turn(&self) -> SemaphorePermit<'_> {
        self.writer_turn
            .acquire()
            .await
            .unwrap_or_else(|_| unreachable!("the writer's semaphore is never closed"))
    }

    /// Waits for an idle reader.
    pub(crate) async fn reader_turn(&self) -> SemaphorePermit<'_> {
        self.reader_turn
            .acquire()
            .await
            .unwrap_or_else(|_| unreachable!("the readers' semaphore is never closed"))
    }

    /// An idle reader's turn if there is one now.
    pub(crate) fn try_reader_turn(&self) -> Option<SemaphorePermit<'_>> {
        self.reader_turn.try_acquire().ok()
    }

    /// Runs `f` on the writer, whose turn the caller holds.
    pub(crate) fn on_writer<T>(&self, f: impl FnOnce(&mut Executor<'_>) -> T) -> T {
        self.on_locked_writer(lock(&self.writer), f)
    }

    /// Runs `f` on the writer if no call holds it now, without waiting for the
    /// writer's turn: a call with the turn then waits for this one on the lock.
    pub(crate) fn try_on_writer<T>(&self, f: impl FnOnce(&mut Executor<'_>) -> T) -> Option<T> {
        let guard = match self.writer.try_lock() {
            Ok(guard) => guard,
            Err(TryLockError::Poisoned(poisoned)) => {
                // As in `lock`.
                self.writer.clear_poison();
                poisoned.into_inner()
            }
            Err(TryLockError::WouldBlock) => return None,
        };
        Some(self.on_locked_writer(guard, f))
    }

    fn on_locked_writer<T>(
        &self,
        mut guard: MutexGuard<'_, Connected>,
        f: impl FnOnce(&mut Executor<'_>) -> T,
    ) -> T {
        let mut call = Call {
            conn: &mut guard,
            shared: &self.shared,
            always: false,
        };
        call.conn.refresh(&self.shared);
        let result = f(&mut call.conn.executor(&self.shared, None));
        call.publish();
        result
    }

    /// Runs `f` on the raw writer connection, outside D1's rules. Without the writer's
    /// turn (`with_connection`), this waits on the writer's lock.
    pub(crate) fn with_writer_connection<T>(&self, f: impl FnOnce(&Connection) -> T) -> T {
        let mut guard = lock(&self.writer);
        let mut call = Call {
            conn: &mut guard,
            shared: &self.shared,
            always: true,
        };
        call.conn.refresh(&self.shared);
        let result = call.conn.auth.internally(|| f(call.conn.db.conn()));
        call.publish();
        result
    }

    /// Runs `f` on an idle reader, whose turn the caller holds; on trial (see
    /// [`Deadline::start_trial`]) when `trial`.
    pub(crate) fn on_reader<T>(
        &self,
        _turn: &SemaphorePermit<'_>,
        trial: bool,
        f: impl FnOnce(&mut Executor<'_>) -> T,
    ) -> OnReader<T> {
        let conn = lock(&self.readers)
            .pop()
            .unwrap_or_else(|| unreachable!("a reader's turn guarantees an idle reader"));
        let mut lent = Lent {
            conn: Some(conn),
            readers: &self.readers,
        };
        let conn = lent.conn.as_mut().unwrap_or_else(|| unreachable!());
        conn.refresh(&self.shared);
        conn.size = self.shared.size.load(Ordering::Acquire);
        let last_row_id = self.shared.last_row_id.load(Ordering::Acquire);
        let call = Call {
            conn,
            shared: &self.shared,
            always: false,
        };
        if trial {
            call.conn.deadline.start_trial();
        }
        let mut executor = call.conn.executor(&self.shared, Some(last_row_id));
        let result = f(&mut executor);
        let trial = if trial {
            executor.end_trial()
        } else {
            Trial::Short
        };
        if executor.wants_writer() || trial == Trial::Moved {
            // Stopped before it sent a row; a transaction it opened is rolled back.
            executor.rollback();
            return if trial == Trial::Moved {
                OnReader::Moved
            } else {
                OnReader::WantsWriter
            };
        }
        OnReader::Ran {
            result,
            long: trial == Trial::MovedAfterRows,
        }
    }
}

/// How a call on a reader ended.
pub(crate) enum OnReader<T> {
    /// It ran; `long`: on trial, it ran long after sending rows.
    Ran { result: T, long: bool },
    /// It must run on the writer; nothing of it ran.
    WantsWriter,
    /// On trial on an async worker thread, it ran long before sending a row and was
    /// stopped, to run again off the thread.
    Moved,
}

/// Locks a connection (or the idle readers). A call that panicked left its connection as
/// it found it (see [`Call`]): the poison says nothing about the state any more.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| {
        mutex.clear_poison();
        PoisonError::into_inner(poisoned)
    })
}

/// A reader taken from the idle ones, given back when the call ends (or unwinds).
struct Lent<'a> {
    conn: Option<Connected>,
    readers: &'a Mutex<Vec<Connected>>,
}

impl Drop for Lent<'_> {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            lock(self.readers).push(conn);
        }
    }
}

impl Connected {
    fn executor(&mut self, shared: &Shared, reader: Option<i64>) -> Executor<'_> {
        let (conn, statements) = self.db.parts();
        let executor = Executor::new(
            conn,
            statements,
            &self.auth,
            &self.deadline,
            &mut self.size,
            self.page_size,
            shared.js_safe_integers.load(Ordering::Relaxed),
        );
        match reader {
            Some(last_row_id) => executor.on_reader(last_row_id),
            None => executor,
        }
    }

    /// Takes up settings changed since this connection was last lent.
    fn refresh(&mut self, shared: &Shared) {
        let epoch = shared.settings_epoch.load(Ordering::Acquire);
        if epoch != self.settings_epoch {
            let timeout = Duration::from_nanos(shared.busy_timeout_nanos.load(Ordering::Relaxed));
            // Refused only for a closed connection, which this is not.
            let _ = self.db.conn().busy_timeout(timeout);
            self.settings_epoch = epoch;
        }
    }
}

/// One call holding a connection. Whatever unwinds through the call (a panic in a row
/// decoder, in serde, in a `ColumnType`), dropping it leaves the connection as calls
/// expect it: in autocommit, with a transaction the call had open rolled back (nothing
/// in it was acknowledged), the size read again and no state of the call's own left.
/// Without this, every later call would run inside the stale transaction, answer `Ok`
/// and never commit.
struct Call<'a> {
    conn: &'a mut Connected,
    shared: &'a Shared,
    /// Check for an open transaction even without a panic (after raw access).
    always: bool,
}

impl Call<'_> {
    /// What the writer's call leaves for the readers' calls to report.
    fn publish(&mut self) {
        if !self.shared.readers {
            return;
        }
        self.shared.size.store(self.conn.size, Ordering::Release);
        self.shared
            .last_row_id
            .store(self.conn.db.conn().last_insert_rowid(), Ordering::Release);
    }
}

impl Drop for Call<'_> {
    fn drop(&mut self) {
        // A panic count of zero is one load of a global: free on the normal path.
        if !(self.always || std::thread::panicking()) {
            return;
        }
        let conn = &mut *self.conn;
        conn.auth.take_denial();
        conn.deadline.disarm();
        conn.deadline.take_fired();
        conn.deadline.end_trial();
        if conn.db.conn().is_autocommit() && !std::thread::panicking() {
            return;
        }
        let reader = None;
        conn.executor(self.shared, reader).rollback();
    }
}

/// Sets up one connection as D1's database behaves.
fn connect(mut conn: Connection, role: Role, options: &SqliteOptions) -> d1orm::Result<Connected> {
    conn.busy_timeout(options.busy_timeout)
        .map_err(open_error)?;
    if role == (Role::Writer { wal: true }) {
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
    if role != Role::Reader {
        // A write transaction gives a new database its first page, as D1's databases
        // have from the start (so a fresh database's `size_after` is one page).
        conn.execute_batch("BEGIN IMMEDIATE; COMMIT")
            .map_err(open_error)?;
    }
    parity::apply(&conn).map_err(open_error)?;
    let auth = Arc::new(AuthState::default());
    conn.authorizer(Some(auth::authorizer(auth.clone())))
        .map_err(open_error)?;
    let deadline = Deadline::new();
    deadline.set_limit(options.query_time_limit);
    deadline.install(&mut conn).map_err(open_error)?;
    let page_size = Executor::page_size(&conn).map_err(open_error)?;
    // The meta's clock calibrates itself on first use, once per process (half a
    // millisecond here, longer on a loaded machine): here, not in the first query.
    quanta::Instant::now();
    let mut db = CachedConnection::new(conn, options.statement_cache);
    let (conn, statements) = db.parts();
    let size = Executor::new(conn, statements, &auth, &deadline, &mut 0, page_size, false)
        .database_size()?;
    Ok(Connected {
        db,
        auth,
        deadline,
        page_size,
        size,
        settings_epoch: 0,
    })
}
