//! D1's limit on how long one query runs, kept with SQLite's progress handler: SQLite
//! calls it every few thousand virtual-machine steps, and a `true` from it interrupts
//! the statement.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
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
}

impl Deadline {
    pub(crate) fn new() -> Arc<Deadline> {
        let deadline = Arc::new(Deadline {
            epoch: Instant::now(),
            started: AtomicU64::new(IDLE),
            limit: AtomicU64::new(u64::MAX),
            fired: AtomicBool::new(false),
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

    /// The progress handler: `true` stops the statement.
    fn expired(&self) -> bool {
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
