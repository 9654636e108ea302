//! Concurrent point lookups on a WAL file, on a tokio runtime of two worker threads (the
//! machine's two cores): d1orm's server mode against what an async user would pick
//! instead, in one interleaved run. `cargo bench -p d1orm-bench --bench concurrent`
//! prints a markdown table (to `BENCH_CONCURRENT_OUT` if set); `cargo test` runs each
//! variant once, checking that every one finds the same users.
//!
//! Variants:
//! - d1orm, [`Mode::Server`], 4 readers (the default for a file) and 1 connection;
//!   [`Mode::Inline`], 4 readers and 1 connection (one connection inline is what
//!   `SqliteBackend` was before it had readers).
//! - rusqlite through `spawn_blocking` with a pool of 4 connections, as deadpool-sqlite
//!   does (the reference, 1.00×).
//! - sqlx's SQLite driver, pool of 4, in a process of its own (`bench/sqlx-peer`: it
//!   needs another libsqlite3-sys than the workspace's), asked for one round at a time
//!   between the others. Left out when its binary is not built (`BENCH_SQLX_PEER` names
//!   it; `./scripts/bench` builds it).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use d1orm::Database;
use d1orm::table::create_table_sql;
use d1orm_bench::Scratch;
use d1orm_bench::schema::{self, ROWS, User, UserTable};
use d1orm_sqlite::{Mode, SqliteBackend};
use rusqlite::{Connection, OpenFlags, params};
use tokio::runtime::Runtime;
use tokio::sync::Semaphore;

/// Connections serving reads, for every pooled variant.
const POOL: usize = 4;

const LOOKUP_SQL: &str =
    r#"SELECT "id", "email", "name", "age", "score" FROM "users" WHERE "id" = ?1"#;

/// The id the `i`-th lookup of task `task` asks for: spread over the table.
fn id_for(task: usize, i: usize) -> i64 {
    ((task * 7919 + i * 104_729) as i64 % ROWS) + 1
}

/// A variant: runs `lookups` point lookups spread over `tasks` tasks, and returns the
/// time they took and a checksum of what they found.
type RunRound = Box<dyn FnMut(&Runtime, usize, usize) -> (Duration, i64)>;

fn checksum(user: &User) -> i64 {
    user.id + user.age + user.name.len() as i64 + user.email.len() as i64 + user.score as i64
}

fn d1orm_variant(path: &Path, mode: Mode, readers: usize) -> RunRound {
    let backend = SqliteBackend::options()
        .readers(readers)
        .mode(mode)
        .open(path)
        .expect("open");
    let db = Arc::new(Database::new(backend));
    Box::new(move |rt, lookups, tasks| {
        let db = db.clone();
        rt.block_on(async move {
            let started = Instant::now();
            let handles: Vec<_> = (0..tasks)
                .map(|task| {
                    let db = db.clone();
                    let mine = share(lookups, tasks, task);
                    tokio::spawn(async move {
                        let mut sum = 0;
                        for i in 0..mine {
                            let id = id_for(task, i);
                            let user = db.users().find(id).await.expect("find").expect("user");
                            sum += checksum(&user);
                        }
                        sum
                    })
                })
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.expect("task");
            }
            (started.elapsed(), sum)
        })
    })
}

/// rusqlite connections lent to `spawn_blocking` closures, as deadpool-sqlite's
/// `interact` does.
struct RawPool {
    idle: Mutex<Vec<Connection>>,
    turn: Semaphore,
}

impl RawPool {
    async fn interact<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Connection) -> T + Send + 'static,
    ) -> T {
        let _turn = self.turn.acquire().await.expect("open semaphore");
        let conn = self.idle.lock().unwrap().pop().expect("an idle connection");
        let (conn, out) = tokio::task::spawn_blocking(move || {
            let out = f(&conn);
            (conn, out)
        })
        .await
        .expect("blocking task");
        self.idle.lock().unwrap().push(conn);
        out
    }
}

fn spawn_blocking_variant(path: &Path) -> RunRound {
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let idle = (0..POOL)
        .map(|_| {
            let conn = Connection::open_with_flags(path, flags).expect("open");
            conn.set_prepared_statement_cache_capacity(256);
            conn
        })
        .collect();
    let pool = Arc::new(RawPool {
        idle: Mutex::new(idle),
        turn: Semaphore::new(POOL),
    });
    Box::new(move |rt, lookups, tasks| {
        let pool = pool.clone();
        rt.block_on(async move {
            let started = Instant::now();
            let handles: Vec<_> = (0..tasks)
                .map(|task| {
                    let pool = pool.clone();
                    let mine = share(lookups, tasks, task);
                    tokio::spawn(async move {
                        let mut sum = 0;
                        for i in 0..mine {
                            let id = id_for(task, i);
                            let user = pool
                                .interact(move |conn| {
                                    conn.prepare_cached(LOOKUP_SQL)?
                                        .query_row(params![id], |row| {
                                            Ok(User {
                                                id: row.get(0)?,
                                                email: row.get(1)?,
                                                name: row.get(2)?,
                                                age: row.get(3)?,
                                                score: row.get(4)?,
                                            })
                                        })
                                })
                                .await
                                .expect("user");
                            sum += checksum(&user);
                        }
                        sum
                    })
                })
                .collect();
            let mut sum = 0;
            for h in handles {
                sum += h.await.expect("task");
            }
            (started.elapsed(), sum)
        })
    })
}

/// The sqlx peer process, one round per request.
struct SqlxPeer {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
}

impl SqlxPeer {
    fn start(binary: &Path, db: &Path) -> (SqlxPeer, String) {
        let mut child = Command::new(binary)
            .arg(db)
            .arg(POOL.to_string())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start the sqlx peer");
        let input = child.stdin.take().expect("its input");
        let mut output = BufReader::new(child.stdout.take().expect("its output"));
        let mut version = String::new();
        output.read_line(&mut version).expect("its SQLite version");
        let peer = SqlxPeer {
            child,
            input,
            output,
        };
        (peer, version.trim().to_string())
    }

    fn round(&mut self, lookups: usize, tasks: usize) -> Duration {
        writeln!(self.input, "{lookups} {tasks}").expect("ask for a round");
        self.input.flush().expect("ask for a round");
        let mut line = String::new();
        self.output.read_line(&mut line).expect("the round's time");
        Duration::from_nanos(line.trim().parse().expect("nanoseconds"))
    }
}

impl Drop for SqlxPeer {
    fn drop(&mut self) {
        // An empty line ends it.
        let _ = writeln!(self.input);
        let _ = self.child.wait();
    }
}

/// Task `task`'s share of `lookups`.
fn share(lookups: usize, tasks: usize, task: usize) -> usize {
    lookups / tasks + usize::from(task < lookups % tasks)
}

fn populate(path: &Path) {
    let conn = d1orm_bench::raw_connection(Some(path));
    conn.execute_batch(&create_table_sql::<User>())
        .expect("schema");
    let tx = conn.unchecked_transaction().expect("begin");
    for i in 1..=ROWS {
        let u = schema::user(i, 0);
        conn.execute(
            r#"INSERT INTO "users" ("id", "email", "name", "age", "score") VALUES (?1, ?2, ?3, ?4, ?5)"#,
            params![u.id, u.email, u.name, u.age, u.score],
        )
        .expect("user");
    }
    tx.commit().expect("commit");
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sqlx_peer_binary() -> Option<PathBuf> {
    let path = std::env::var_os("BENCH_SQLX_PEER")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../target/sqlx-peer/release/d1orm-sqlx-peer")
        });
    path.exists().then_some(path)
}

struct Figures {
    name: String,
    times: Vec<Duration>,
    ratios: Vec<f64>,
}

fn median<T: Copy + PartialOrd>(values: &[T]) -> T {
    let mut sorted = values.to_vec();
    sorted.sort_by(|a, b| a.partial_cmp(b).expect("comparable"));
    sorted[sorted.len() / 2]
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let (rounds, lookups, tasks) = if benchmarking {
        (
            env_number("BENCH_ROUNDS", 15),
            env_number("BENCH_LOOKUPS", 20_000),
            env_number("BENCH_TASKS", 64),
        )
    } else {
        (1, 640, 64)
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .build()
        .expect("runtime");
    let scratch = Scratch::new();
    let path = scratch.file("concurrent-lookups");
    populate(&path);

    let mut variants: Vec<(String, RunRound)> = vec![
        (
            "rusqlite, spawn_blocking, pool of 4".into(),
            spawn_blocking_variant(&path),
        ),
        (
            "d1orm server mode, 4 readers".into(),
            d1orm_variant(&path, Mode::Server, POOL),
        ),
        (
            "d1orm server mode, 1 connection".into(),
            d1orm_variant(&path, Mode::Server, 0),
        ),
        (
            "d1orm inline, 4 readers".into(),
            d1orm_variant(&path, Mode::Inline, POOL),
        ),
        (
            "d1orm inline, 1 connection".into(),
            d1orm_variant(&path, Mode::Inline, 0),
        ),
    ];
    // `BENCH_ONLY`: the variants whose name holds it, beside the reference (profiling).
    if let Ok(only) = std::env::var("BENCH_ONLY") {
        let mut index = 0;
        variants.retain(|(name, _)| {
            index += 1;
            index == 1 || name.contains(&only)
        });
    }
    let mut sqlx = sqlx_peer_binary()
        .filter(|_| std::env::var("BENCH_ONLY").is_err())
        .map(|binary| SqlxPeer::start(&binary, &path));
    let mut figures: Vec<Figures> = variants
        .iter()
        .map(|(name, _)| name.clone())
        .chain(
            sqlx.as_ref()
                .map(|_| "sqlx 0.9, pool of 4 (own process)".to_string()),
        )
        .map(|name| Figures {
            name,
            times: Vec::new(),
            ratios: Vec::new(),
        })
        .collect();

    // Every variant finds the same users.
    let expected: i64 = (0..tasks)
        .flat_map(|task| (0..share(lookups, tasks, task)).map(move |i| id_for(task, i)))
        .map(|id| checksum(&schema::user(id, 0)))
        .sum();
    let count = figures.len();
    // One warm-up round, then rounds in rotating order.
    for round in 0..=rounds {
        let mut times = vec![Duration::ZERO; count];
        for k in 0..count {
            let v = (k + round) % count;
            times[v] = if v < variants.len() {
                let (name, run) = &mut variants[v];
                let (time, sum) = run(&runtime, lookups, tasks);
                assert_eq!(sum, expected, "{name} found other users");
                time
            } else {
                sqlx.as_mut()
                    .map(|peer| peer.0.round(lookups, tasks))
                    .unwrap_or_default()
            };
        }
        if round == 0 {
            continue;
        }
        for (f, time) in figures.iter_mut().zip(&times) {
            f.times.push(*time);
            f.ratios.push(time.as_secs_f64() / times[0].as_secs_f64());
        }
    }
    if !benchmarking {
        println!(
            "smoke run: {} variants, {lookups} lookups each, all found the same users",
            count
        );
        return;
    }
    let sqlx_version = sqlx.as_ref().map(|peer| peer.1.clone());
    let mut out = format!(
        "{lookups} point lookups by primary key into a struct (5 columns) per round, over \
         {tasks} tokio tasks on a runtime of 2 worker threads; one WAL file of {ROWS} users \
         read by every variant; {rounds} interleaved rounds in rotating order. SQLite {} \
         (rusqlite, d1orm){}.\n\n\
         | variant | median per round | lookups / s | ratio vs spawn_blocking |\n\
         |---|---:|---:|---:|\n",
        rusqlite::version(),
        sqlx_version
            .map(|v| format!("; {v} (bundled by sqlx)"))
            .unwrap_or_else(|| "; sqlx peer not built, left out".into())
    );
    for f in &figures {
        let time = median(&f.times);
        out.push_str(&format!(
            "| {} | {:.1} ms | {:.0} | {:.2}× |\n",
            f.name,
            time.as_secs_f64() * 1000.0,
            lookups as f64 / time.as_secs_f64(),
            median(&f.ratios)
        ));
    }
    eprint!("{out}");
    if let Ok(path) = std::env::var("BENCH_CONCURRENT_OUT") {
        std::fs::write(path, out).expect("write BENCH_CONCURRENT_OUT");
    }
}
