//! The measurement harness, shared with the diesel peer (`bench/diesel`, its own Cargo
//! project, which includes this file): std and rusqlite only.
//!
//! Measurement: each variant times a sample of calls itself (so setup such as emptying
//! a table stays out of the time); samples are taken in rounds, every variant once per
//! round in a rotating order, so drift and noise from other processes hit all variants
//! alike. Reported: the median time per call over rounds, and the median over rounds of
//! the ratio to the reference variant's sample of the same round.

use std::future::IntoFuture;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use rusqlite::Connection;

/// Runs a future that never waits on anything but its own work (d1orm on SQLite).
///
/// # Panics
/// The future returned `Pending`: the SQLite backend never does.
pub fn block_on<F: IntoFuture>(future: F) -> F::Output {
    let mut future = pin!(future.into_future());
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
            return out;
        }
    }
}

/// Where a scenario's databases live.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// `:memory:`
    Memory,
    /// A file in WAL mode, `synchronous = NORMAL`, as `SqliteBackend::open` sets it up.
    Wal,
}

impl Storage {
    /// The name used in the tables.
    pub fn label(self) -> &'static str {
        match self {
            Storage::Memory => ":memory:",
            Storage::Wal => "WAL file",
        }
    }
}

/// A directory for database files, removed when dropped.
pub struct Scratch(PathBuf);

impl Scratch {
    /// A fresh directory under the system's temporary directory.
    pub fn new() -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "d1orm-bench-{}-{}",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or(0)
        ));
        std::fs::create_dir_all(&dir).expect("scratch directory");
        Scratch(dir)
    }

    /// A path for a new database file named `name`.
    pub fn file(&self, name: &str) -> PathBuf {
        self.0.join(format!("{name}.db"))
    }
}

impl Default for Scratch {
    fn default() -> Self {
        Scratch::new()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Statements kept prepared by the raw rusqlite variants: as many as the backend keeps,
/// so the references measure statements, not rusqlite's default cache of 16.
pub const RAW_STATEMENT_CACHE: usize = 256;

/// A raw rusqlite connection set up as `SqliteBackend` sets its own up (WAL and
/// `synchronous = NORMAL` on files, foreign keys on, a busy timeout), less D1's limits
/// and authorizer.
///
/// # Panics
/// SQLite refuses to open or configure the database.
pub fn raw_connection(path: Option<&Path>) -> Connection {
    let conn = match path {
        Some(p) => Connection::open(p).expect("open"),
        None => Connection::open_in_memory().expect("open in memory"),
    };
    conn.busy_timeout(Duration::from_secs(10)).expect("timeout");
    if path.is_some() {
        conn.pragma_update(None, "journal_mode", "WAL")
            .expect("WAL");
        conn.pragma_update(None, "synchronous", "NORMAL")
            .expect("synchronous");
    }
    conn.pragma_update(None, "foreign_keys", "ON")
        .expect("foreign keys");
    conn.set_prepared_statement_cache_capacity(RAW_STATEMENT_CACHE);
    conn
}

/// One way of doing a scenario's work.
pub struct Variant<'a> {
    /// Its name in the tables.
    pub name: &'static str,
    /// Runs `n` calls and returns the time they took (setup excluded).
    pub run: Box<dyn FnMut(u64) -> Duration + 'a>,
}

impl<'a> Variant<'a> {
    /// A variant timing `n` calls of `f` as a whole.
    pub fn timed(name: &'static str, mut f: impl FnMut() + 'a) -> Variant<'a> {
        Variant {
            name,
            run: Box::new(move |n| {
                let start = Instant::now();
                for _ in 0..n {
                    f();
                }
                start.elapsed()
            }),
        }
    }

    /// A variant whose every call has untimed setup (`prepare`) before the timed work.
    pub fn with_setup<S>(
        name: &'static str,
        mut prepare: impl FnMut() -> S + 'a,
        mut f: impl FnMut(S) + 'a,
    ) -> Variant<'a> {
        Variant {
            name,
            run: Box::new(move |n| {
                let mut total = Duration::ZERO;
                for _ in 0..n {
                    let input = prepare();
                    let start = Instant::now();
                    f(input);
                    total += start.elapsed();
                }
                total
            }),
        }
    }
}

/// How long to measure.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Rounds of samples (every variant once per round).
    pub rounds: usize,
    /// The time a sample aims for; a sample has at least one call.
    pub sample: Duration,
    /// Instead of measuring, run only the variants whose name contains this text, this
    /// many calls each: for a profiler (`valgrind --tool=callgrind`).
    pub profile: Option<(String, u64)>,
}

impl Settings {
    /// One call per variant and a single round: a smoke test.
    pub fn smoke() -> Settings {
        Settings {
            rounds: 1,
            sample: Duration::ZERO,
            profile: None,
        }
    }
}

/// One variant's figures in one scenario.
#[derive(Debug, Clone)]
pub struct Figures {
    /// The variant's name.
    pub name: String,
    /// Median time per call.
    pub median: Duration,
    /// Median over rounds of (this variant's time per call / the reference's).
    pub ratio: f64,
    /// Calls per sample.
    pub calls: u64,
}

/// Measures `variants`, the first being the reference (ratio 1.00).
pub fn measure(settings: &Settings, variants: &mut [Variant<'_>]) -> Vec<Figures> {
    if let Some((only, calls)) = &settings.profile {
        return variants
            .iter_mut()
            .filter(|v| v.name.contains(only.as_str()))
            .map(|v| Figures {
                name: v.name.to_owned(),
                median: (v.run)(*calls) / (*calls).max(1) as u32,
                ratio: f64::NAN,
                calls: *calls,
            })
            .collect();
    }
    // Warm up (caches, statement caches, the WAL), then size the samples.
    let calls: Vec<u64> = variants
        .iter_mut()
        .map(|v| {
            let once = (v.run)(1);
            if settings.sample.is_zero() {
                return 1;
            }
            let once = (v.run)(1).min(once).max(Duration::from_nanos(50));
            (settings.sample.as_nanos() / once.as_nanos()).clamp(1, 1_000_000) as u64
        })
        .collect();
    let count = variants.len();
    let mut per_call: Vec<Vec<f64>> = vec![Vec::with_capacity(settings.rounds); count];
    for round in 0..settings.rounds {
        for k in 0..count {
            let i = (round + k) % count;
            let took = (variants[i].run)(calls[i]);
            per_call[i].push(took.as_secs_f64() / calls[i] as f64);
        }
    }
    (0..count)
        .map(|i| {
            let ratios: Vec<f64> = per_call[i]
                .iter()
                .zip(&per_call[0])
                .map(|(v, r)| v / r)
                .collect();
            Figures {
                name: variants[i].name.to_owned(),
                median: Duration::from_secs_f64(median(per_call[i].clone())),
                ratio: median(ratios),
                calls: calls[i],
            }
        })
        .collect()
}

/// The median of `values` (the mean of the two middle ones for an even count).
///
/// # Panics
/// `values` is empty.
pub fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// A duration as a short human figure (ns, µs or ms).
pub fn human(d: Duration) -> String {
    let ns = d.as_secs_f64() * 1e9;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.2} µs", ns / 1e3)
    } else {
        format!("{:.2} ms", ns / 1e6)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(vec![3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 2.5);
    }

    #[test]
    fn ratios_are_taken_per_round_against_the_first_variant() {
        let mut reference_calls = 0;
        let mut double_calls = 0;
        let mut variants = [
            Variant {
                name: "reference",
                run: Box::new(|n| {
                    reference_calls += n;
                    Duration::from_micros(10 * n)
                }),
            },
            Variant {
                name: "double",
                run: Box::new(|n| {
                    double_calls += n;
                    Duration::from_micros(20 * n)
                }),
            },
        ];
        let figures = measure(
            &Settings {
                rounds: 3,
                sample: Duration::from_micros(100),
                profile: None,
            },
            &mut variants,
        );
        drop(variants);
        assert_eq!(figures[0].ratio, 1.0);
        assert_eq!(figures[1].ratio, 2.0);
        assert_eq!(figures[1].median, Duration::from_micros(20));
        // Two warm-up calls, then 3 rounds of a 100 µs sample.
        assert_eq!(reference_calls, 2 + 3 * 10);
        assert_eq!(double_calls, 2 + 3 * 5);
    }
}
