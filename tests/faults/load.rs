//! Load: many tokio tasks and several processes write to one file database at once.
//! Every acknowledged write must be in the file at the end, and no caller may see
//! `SQLITE_BUSY` within the busy timeout. Prints the throughput and the busy errors
//! (`--nocapture`).
//!
//! `D1ORM_LOAD_WRITES=N` sets the writes per writer (300 by default).

use std::sync::Arc;
use std::time::{Duration, Instant};

use d1orm::{Database, Schema, Table};
use d1orm_sqlite::SqliteBackend;

use crate::{TempDir, Worker, count_from_env, integrity_problems};

/// Set in a writer process only: `<writer name>:<writes>:<database path>`.
const WRITER_ENV: &str = "D1ORM_LOAD_WRITER";
const READY: &str = "d1orm-load-writer: ready";
const REPORT: &str = "d1orm-load-writer: report";

const TASKS: usize = 16;
/// The tasks share this many connections (several tasks a connection, and several
/// connections in the process).
const CONNECTIONS: usize = 4;
const PROCESSES: usize = 3;

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "load_rows", unique(writer, seq))]
pub struct LoadRow {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub writer: String,
    pub seq: i64,
    pub payload: String,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "load_totals")]
pub struct LoadTotal {
    #[d1orm(primary_key)]
    pub writer: String,
    pub writes: i64,
}

fn schema() -> Schema {
    Schema::new().table::<LoadRow>().table::<LoadTotal>()
}

/// What one writer saw.
#[derive(Debug, Default, Clone, Copy)]
struct Outcome {
    /// Writes acknowledged (the call returned `Ok`).
    acked: i64,
    /// Writes that failed with `SQLITE_BUSY` / `SQLITE_LOCKED`.
    busy: i64,
}

/// `writes` writes, each an atomic batch: a typed insert of the row and an upsert of the
/// writer's total. Busy errors are counted; any other error fails the test.
async fn write(db: &Database<SqliteBackend>, writer: &str, writes: i64) -> Outcome {
    let mut outcome = Outcome::default();
    for seq in 0..writes {
        let result = db
            .batch((
                db.table::<LoadRow>().insert(
                    NewLoadRow::builder()
                        .writer(writer.to_owned())
                        .seq(seq)
                        .payload(format!("{writer} wrote {seq} ").repeat(4))
                        .build(),
                ),
                db.table::<LoadTotal>()
                    .upsert(
                        NewLoadTotal::builder()
                            .writer(writer.to_owned())
                            .writes(1)
                            .build(),
                    )
                    .on_conflict(|t| t.writer)
                    .update(|t, _new| t.writes.add(1)),
            ))
            .await;
        match result {
            Ok(_) => outcome.acked += 1,
            Err(e) if e.is_busy() => {
                eprintln!("{writer}: write {seq}: {e}");
                outcome.busy += 1;
            }
            Err(e) => panic!("{writer}: write {seq}: {e}"),
        }
        tokio::task::yield_now().await;
    }
    outcome
}

/// A writer process: runs only when re-executed by the test below. Opens the
/// database, says it is ready, waits for a line on stdin, writes, reports.
#[tokio::test]
#[ignore = "a writer process of tasks_and_processes_lose_no_acknowledged_write"]
async fn load_writer() {
    let Ok(spec) = std::env::var(WRITER_ENV) else {
        return;
    };
    let mut parts = spec.splitn(3, ':');
    let (Some(name), Some(writes), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        panic!("{WRITER_ENV}: <name>:<writes>:<path>, not {spec}");
    };
    let writes: i64 = writes.parse().expect("writes");
    let db = Database::new(SqliteBackend::open(path).expect("open"));
    println!("{READY}");
    let mut go = String::new();
    std::io::stdin().read_line(&mut go).expect("stdin");
    let o = write(&db, name, writes).await;
    println!("{REPORT} {} {}", o.acked, o.busy);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tasks_and_processes_lose_no_acknowledged_write() {
    let writes = count_from_env("D1ORM_LOAD_WRITES", 300) as i64;
    let dir = TempDir::new("load");
    let path = dir.path().join("load.db");
    let db = Database::new(SqliteBackend::open(&path).unwrap());
    db.migrate(&schema()).await.unwrap();

    let mut processes: Vec<(String, Worker)> = (0..PROCESSES)
        .map(|p| {
            let name = format!("process-{p}");
            let spec = format!("{name}:{writes}:{}", path.display());
            let worker = Worker::spawn("load::load_writer", (WRITER_ENV, &spec));
            (name, worker)
        })
        .collect();
    for (name, worker) in &processes {
        if worker.wait_for(READY, Duration::from_secs(60)).is_none() {
            panic!("{name} did not open the database:\n{}", worker.output());
        }
    }
    let connections: Vec<Arc<Database<SqliteBackend>>> = (0..CONNECTIONS)
        .map(|_| Arc::new(Database::new(SqliteBackend::open(&path).unwrap())))
        .collect();

    let started = Instant::now();
    for (_, worker) in &mut processes {
        worker.send_line("go");
    }
    let tasks: Vec<_> = (0..TASKS)
        .map(|t| {
            let db = connections[t % CONNECTIONS].clone();
            tokio::spawn(async move {
                let name = format!("task-{t}");
                let outcome = write(&db, &name, writes).await;
                (name, outcome)
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for task in tasks {
        outcomes.push(task.await.expect("a writer task"));
    }
    for (name, worker) in &mut processes {
        let Some(status) = worker.wait_timeout(Duration::from_secs(300)) else {
            panic!("{name} did not finish in 300 s:\n{}", worker.output());
        };
        let report = worker.wait_for(REPORT, Duration::from_secs(10));
        let parsed = report.as_deref().and_then(|r| {
            let (acked, busy) = r.split_once(' ')?;
            Some(Outcome {
                acked: acked.parse().ok()?,
                busy: busy.parse().ok()?,
            })
        });
        match parsed {
            Some(outcome) if status.success() => outcomes.push((name.clone(), outcome)),
            _ => panic!("{name} failed ({status}):\n{}", worker.output()),
        }
    }
    let elapsed = started.elapsed();

    let acked: i64 = outcomes.iter().map(|(_, o)| o.acked).sum();
    let busy: i64 = outcomes.iter().map(|(_, o)| o.busy).sum();
    println!(
        "load: {} writers ({TASKS} tasks on {CONNECTIONS} connections, {PROCESSES} processes) x {writes} writes: \
         {acked} acknowledged in {elapsed:.2?}, {:.0} writes/s, {busy} SQLITE_BUSY",
        outcomes.len(),
        acked as f64 / elapsed.as_secs_f64()
    );

    // What is on disk, read through a new connection.
    drop(connections);
    let check = Database::new(SqliteBackend::open(&path).unwrap());
    let problems = integrity_problems(check.backend());
    assert!(problems.is_empty(), "{problems:?}");
    let rows: Vec<(String, i64, i64, i64)> = check
        .prepare("SELECT writer, count(*), min(seq), max(seq) FROM load_rows GROUP BY writer ORDER BY writer")
        .raw()
        .await
        .unwrap();
    let totals: Vec<(String, i64)> = check
        .prepare("SELECT writer, writes FROM load_totals ORDER BY writer")
        .raw()
        .await
        .unwrap();
    let mut expected: Vec<(String, i64)> = outcomes
        .iter()
        .filter(|(_, o)| o.acked > 0)
        .map(|(name, o)| (name.clone(), o.acked))
        .collect();
    expected.sort();
    let found: Vec<(String, i64)> = rows.iter().map(|(w, n, _, _)| (w.clone(), *n)).collect();
    assert_eq!(
        found, expected,
        "rows per writer on disk vs writes acknowledged"
    );
    assert_eq!(
        totals, expected,
        "each writer's total vs writes acknowledged"
    );
    if busy == 0 {
        for (writer, n, lo, hi) in &rows {
            assert_eq!((*lo, *hi), (0, n - 1), "{writer}: sequence numbers");
        }
    }
    assert_eq!(busy, 0, "callers saw SQLITE_BUSY within the busy timeout");
}
