//! D1's limit on how long one query runs, kept with SQLite's progress handler: SQLite
//! calls it every few thousand virtual-machine steps, and a `true` from it interrupts
//! the statement.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// D1 stops a query after 30 seconds.
pub(crate) const DEFAULT_TIME_LIMIT: Duration = Duration::from_secs(30);

/// Virtual-machine steps between two calls of the handler. A point lookup runs fewer
/// and never reaches it; a long query reads the clock about once per 20 µs.
const STEPS_PER_CHECK: i32 = 10_000;

/// `started` when no statement is being timed.
const IDLE: u64 = 0;
/// `started` when a statement runs but the handler has not been called yet: the clock
/// is read on its first call, so a short statement never reads it.
const ARMED: u64 = 1;

/// [`Deadline::trial`]: no read on trial.
const NO_TRIAL: u8 = 0;
/// A read runs on an async worker thread, on trial.
const TRIAL: u8 = 1;
/// The read on trial ran long after sending rows: the rest moves at the next row.
const LONG: u8 = 2;
/// The read on trial ran long before sending a row: it was stopped, to run again off
/// the worker thread.
const MOVED: u8 = 3;
/// The read on trial ran long after sending rows, and the rest of it was stepped off
/// the worker thread.
const MOVED_ROWS: u8 = 4;

/// Calls of the handler that make a read on trial long. SQLite calls it when the
/// statement's step counter, kept across its runs, passes a multiple of
/// [`STEPS_PER_CHECK`]: the first call may come after a few steps of this run, the
/// second after 10,000 at least.
const LONG_AFTER_CALLS: u8 = 2;

/// How a read's trial on an async worker thread ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Trial {
    /// It ran to its end on the thread (or was not on trial).
    Short,
    /// Stopped before it sent a row: it must run again off the thread.
    Moved,
    /// It sent its rows, the later ones from off the thread.
    MovedAfterRows,
}

/// The running statement's clock, shared with the progress handler.
#[derive(Debug)]
pub(crate) struct Deadline {
    epoch: Instant,
    /// [`IDLE`], [`ARMED`], or nanoseconds since `epoch` (plus 2) when the handler first
    /// saw the running statement.
    started: AtomicU64,
    /// The limit in nanoseconds; `u64::MAX` for none.
    limit: AtomicU64,
    /// The handler interrupted the statement: its `SQLITE_INTERRUPT` means the limit.
    fired: AtomicBool,
    /// Server mode's trial of a read on the async worker thread: a read runs there
    /// until it has run 10,000 to 20,000 virtual-machine steps (tens of
    /// microseconds), then moves off (see [`Deadline::start_trial`]).
    trial: AtomicU8,
    /// The handler's calls during the trial.
    trial_calls: AtomicU8,
    /// The read on trial sent a row.
    trial_rows: AtomicBool,
}

impl Deadline {
    pub(crate) fn new() -> Arc<Deadline> {
        let deadline = Arc::new(Deadline {
            epoch: Instant::now(),
            started: AtomicU64::new(IDLE),
            limit: AtomicU64::new(u64::MAX),
            fired: AtomicBool::new(false),
            trial: AtomicU8::new(NO_TRIAL),
            trial_calls: AtomicU8::new(0),
            trial_rows: AtomicBool::new(false),
        });
        deadline.set_limit(Some(DEFAULT_TIME_LIMIT));
        deadline
    }

    /// Installs the handler on `conn`.
    pub(crate) fn install(self: &Arc<Self>, conn: &mut Connection) -> rusqlite::Result<()> {
        let deadline = self.clone();
        conn.progress_handler(STEPS_PER_CHECK, Some(move || deadline.expired()))
    }

    pub(crate) fn set_limit(&self, limit: Option<Duration>) {
        let nanos = limit.map_or(u64::MAX, |l| {
            u64::try_from(l.as_nanos()).unwrap_or(u64::MAX)
        });
        self.limit.store(nanos, Ordering::Relaxed);
    }

    /// A statement starts running.
    #[inline]
    pub(crate) fn arm(&self) {
        self.started.store(ARMED, Ordering::Relaxed);
    }

    /// The statement finished: the backend's own statements after it are not timed.
    #[inline]
    pub(crate) fn disarm(&self) {
        self.started.store(IDLE, Ordering::Relaxed);
    }

    /// Whether the handler stopped the last statement (and forgets it).
    pub(crate) fn take_fired(&self) -> bool {
        self.fired.swap(false, Ordering::Relaxed)
    }

    /// A read starts on an async worker thread, on trial: if it runs long (see
    /// [`LONG_AFTER_CALLS`]) before it sent a row, the handler stops it (and
    /// [`end_trial`](Self::end_trial) says [`Trial::Moved`]: it runs again off the
    /// thread); if after, [`after_row`](Self::after_row) says to move the rest of it
    /// off the thread.
    pub(crate) fn start_trial(&self) {
        self.trial_calls.store(0, Ordering::Relaxed);
        self.trial_rows.store(false, Ordering::Relaxed);
        self.trial.store(TRIAL, Ordering::Relaxed);
    }

    /// Ends a trial, saying how it went.
    pub(crate) fn end_trial(&self) -> Trial {
        match self.trial.swap(NO_TRIAL, Ordering::Relaxed) {
            MOVED => Trial::Moved,
            MOVED_ROWS => Trial::MovedAfterRows,
            _ => Trial::Short,
        }
    }

    /// A row was sent; `true` if the read on trial ran long and the rest of its rows
    /// must be stepped off the thread (the trial is then over).
    #[inline]
    pub(crate) fn after_row(&self) -> bool {
        match self.trial.load(Ordering::Relaxed) {
            TRIAL => {
                if !self.trial_rows.load(Ordering::Relaxed) {
                    self.trial_rows.store(true, Ordering::Relaxed);
                }
                false
            }
            LONG => {
                self.trial.store(MOVED_ROWS, Ordering::Relaxed);
                true
            }
            _ => false,
        }
    }

    /// The progress handler: `true` stops the statement.
    fn expired(&self) -> bool {
        if self.trial.load(Ordering::Relaxed) == TRIAL {
            let calls = self.trial_calls.load(Ordering::Relaxed) + 1;
            self.trial_calls.store(calls, Ordering::Relaxed);
            if calls >= LONG_AFTER_CALLS {
                if !self.trial_rows.load(Ordering::Relaxed) {
                    self.trial.store(MOVED, Ordering::Relaxed);
                    return true;
                }
                self.trial.store(LONG, Ordering::Relaxed);
            }
        }
        let now = || u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX - 2) + 2;
        match self.started.load(Ordering::Relaxed) {
            IDLE => false,
            ARMED => {
                self.started.store(now(), Ordering::Relaxed);
                false
            }
            started => {
                let over = now().saturating_sub(started) > self.limit.load(Ordering::Relaxed);
                if over {
                    self.fired.store(true, Ordering::Relaxed);
                }
                over
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connection() -> (Connection, Arc<Deadline>) {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a')",
        )
        .unwrap();
        let deadline = Deadline::new();
        deadline.install(&mut conn).unwrap();
        (conn, deadline)
    }

    const COUNT: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT count(*) FROM c";
    const STREAM: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 1000000) SELECT x FROM c";

    #[test]
    fn a_point_lookup_run_many_times_stays_on_its_thread() {
        // The statement's step counter runs on across its runs: its handler calls come
        // every so many runs, one at a time, never two within one run.
        let (conn, deadline) = connection();
        let mut stmt = conn.prepare("SELECT v FROM t WHERE id = 1").unwrap();
        for run in 0..5_000 {
            deadline.start_trial();
            let v: String = stmt.query_row([], |r| r.get(0)).unwrap();
            assert_eq!(v, "a");
            assert_eq!(deadline.end_trial(), Trial::Short, "run {run}");
        }
    }

    #[test]
    fn a_long_read_is_stopped_before_its_first_row() {
        let (conn, deadline) = connection();
        deadline.start_trial();
        let counted = conn.query_row(COUNT, [], |r| r.get::<_, i64>(0));
        assert!(counted.is_err(), "stopped");
        assert_eq!(deadline.end_trial(), Trial::Moved);
        // Not on trial, it runs to its end.
        assert_eq!(
            conn.query_row(COUNT, [], |r| r.get::<_, i64>(0)).unwrap(),
            1_000_000
        );
        assert!(!deadline.take_fired(), "no time limit reached");
    }

    #[test]
    fn a_long_read_that_sent_rows_moves_at_its_next_row() {
        let (conn, deadline) = connection();
        let mut stmt = conn.prepare(STREAM).unwrap();
        let mut rows = stmt.raw_query();
        deadline.start_trial();
        let mut sent = 0;
        let mut moved_at = None;
        while let Some(row) = rows.next().unwrap() {
            sent += 1;
            assert_eq!(row.get::<_, i64>(0).unwrap(), sent);
            if deadline.after_row() {
                moved_at.get_or_insert(sent);
            }
        }
        assert_eq!(sent, 1_000_000, "every row, none stopped");
        assert!(
            moved_at.is_some_and(|at| at > 1 && at < 1_000_000),
            "{moved_at:?}"
        );
        assert_eq!(deadline.end_trial(), Trial::MovedAfterRows);
    }
}
