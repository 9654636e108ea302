//! A file database's readers: reads run beside each other and beside the writer, a long
//! one holds up neither other reads nor the async runtime, and D1's semantics hold
//! across the connections.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use d1orm::{Database, Error};
use d1orm_sqlite::{Mode, SqliteBackend};
use serde::Deserialize;

use crate::TempDir;

const READERS: usize = 4;

/// A file database of `users` (1,000 rows), opened with `READERS` readers.
async fn users(dir: &TempDir, mode: Mode) -> Database<SqliteBackend> {
    let backend = SqliteBackend::options()
        .readers(READERS)
        .mode(mode)
        .open(dir.0.join("app.db"))
        .expect("open");
    let db = Database::new(backend);
    db.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        .await
        .unwrap();
    db.prepare(
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
         INSERT INTO users (id, name) SELECT i, 'user ' || i FROM n",
    )
    .run()
    .await
    .unwrap();
    db
}

/// A read that counts to `n`, step by step: long for a large `n`.
const COUNT_TO: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT count(*) AS n FROM c";

async fn count_to(db: &Database<SqliteBackend>, n: i64) -> d1orm::Result<Option<i64>> {
    db.prepare(COUNT_TO).bind(n).first_column("n").await
}

/// The `n` for which [`COUNT_TO`] runs about `seconds` here, measured on a short run
/// (the machine's speed sizes the query; no assertion depends on it).
async fn steps_for(db: &Database<SqliteBackend>, seconds: f64) -> i64 {
    let sample = 200_000;
    let started = Instant::now();
    assert_eq!(count_to(db, sample).await.unwrap(), Some(sample));
    let per_second = sample as f64 / started.elapsed().as_secs_f64().max(1e-6);
    (per_second * seconds) as i64
}

#[derive(Deserialize)]
struct User {
    id: i64,
    name: String,
}

async fn lookup(db: &Database<SqliteBackend>, id: i64) -> User {
    let user: User = db
        .prepare("SELECT id, name FROM users WHERE id = ?")
        .bind(id)
        .first()
        .await
        .unwrap()
        .expect("the user");
    assert_eq!((user.id, user.name.as_str()), (id, &*format!("user {id}")));
    user
}

/// Waits until `n` readers are busy, or until `over` says the reads are over.
async fn until_busy(db: &Database<SqliteBackend>, n: usize, over: impl Fn() -> bool) {
    while db.backend().idle_readers() > READERS - n && !over() {
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_two_second_read_holds_up_none_of_100_point_lookups() {
    let dir = TempDir::new("readers-long");
    let db = Arc::new(users(&dir, Mode::Server).await);
    let steps = steps_for(&db, 2.0).await;
    let long_done = Arc::new(AtomicBool::new(false));
    let long = tokio::spawn({
        let (db, long_done) = (db.clone(), long_done.clone());
        async move {
            let counted = count_to(&db, steps).await;
            long_done.store(true, Ordering::SeqCst);
            counted
        }
    });
    until_busy(&db, 1, || long_done.load(Ordering::SeqCst)).await;
    let mut done_while_long_ran = 0;
    for id in 1..=100 {
        lookup(&db, id * 7).await;
        if !long_done.load(Ordering::SeqCst) {
            done_while_long_ran += 1;
        }
    }
    let lookups_done_first = !long_done.load(Ordering::SeqCst);
    assert_eq!(long.await.unwrap().unwrap(), Some(steps));
    assert!(
        lookups_done_first && done_while_long_ran == 100,
        "{done_while_long_ran} of 100 lookups finished while the long read ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_reads_on_both_workers_leave_the_runtime_running() {
    let dir = TempDir::new("readers-runtime");
    let db = Arc::new(users(&dir, Mode::Server).await);
    let steps = steps_for(&db, 1.5).await;
    // Two long reads, one per worker thread: were either run on its worker, the
    // runtime would have one worker left at best; were both, none.
    let running = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let longs: Vec<_> = (0..2)
        .map(|_| {
            let (db, finished, running) = (db.clone(), finished.clone(), running.clone());
            tokio::spawn(async move {
                running.fetch_add(1, Ordering::SeqCst);
                let counted = count_to(&db, steps).await;
                finished.fetch_add(1, Ordering::SeqCst);
                counted
            })
        })
        .collect();
    until_busy(&db, 2, || finished.load(Ordering::SeqCst) > 0).await;
    // A timer task: how many ticks it sees before either long read finishes.
    let ticker = tokio::spawn({
        let finished = finished.clone();
        async move {
            let mut ticks_while_reading = 0;
            let mut interval = tokio::time::interval(Duration::from_millis(5));
            for _ in 0..20 {
                interval.tick().await;
                if finished.load(Ordering::SeqCst) == 0 {
                    ticks_while_reading += 1;
                }
            }
            ticks_while_reading
        }
    });
    let ticks_while_reading = ticker.await.unwrap();
    for long in longs {
        assert_eq!(long.await.unwrap().unwrap(), Some(steps));
    }
    assert_eq!(running.load(Ordering::SeqCst), 2);
    assert_eq!(
        ticks_while_reading, 20,
        "the timer task ticked {ticks_while_reading} of 20 times while both reads ran"
    );
}

/// A read that sends its first row at once and keeps sending rows, sparsely.
const STREAM_TO: &str = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ?) SELECT x FROM c WHERE x = 1 OR x % 500 = 0";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_streaming_reads_on_both_workers_leave_the_runtime_running() {
    let dir = TempDir::new("readers-stream");
    let db = Arc::new(users(&dir, Mode::Server).await);
    let steps = steps_for(&db, 1.5).await;
    let finished = Arc::new(AtomicUsize::new(0));
    #[derive(Deserialize)]
    struct X {
        x: i64,
    }
    let longs: Vec<_> = (0..2)
        .map(|_| {
            let (db, finished) = (db.clone(), finished.clone());
            tokio::spawn(async move {
                let rows = db.prepare(STREAM_TO).bind(steps).all::<X>().await;
                finished.fetch_add(1, Ordering::SeqCst);
                rows
            })
        })
        .collect();
    until_busy(&db, 2, || finished.load(Ordering::SeqCst) > 0).await;
    let ticker = tokio::spawn({
        let finished = finished.clone();
        async move {
            let mut ticks_while_reading = 0;
            let mut interval = tokio::time::interval(Duration::from_millis(5));
            for _ in 0..20 {
                interval.tick().await;
                if finished.load(Ordering::SeqCst) == 0 {
                    ticks_while_reading += 1;
                }
            }
            ticks_while_reading
        }
    });
    let ticks_while_reading = ticker.await.unwrap();
    for long in longs {
        let rows = long.await.unwrap().unwrap().results;
        // Every row, once, in order: moving off the thread mid-read lost or repeated none.
        assert_eq!(rows.len() as i64, 1 + steps / 500);
        assert!(
            rows.iter()
                .skip(1)
                .enumerate()
                .all(|(i, r)| r.x == (i as i64 + 1) * 500)
        );
    }
    assert_eq!(
        ticks_while_reading, 20,
        "the timer task ticked {ticks_while_reading} of 20 times while both reads ran"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_read_sees_every_write_acknowledged_before_it() {
    let dir = TempDir::new("readers-see-writes");
    let db = users(&dir, Mode::Server).await;
    for i in 0..50 {
        let name = format!("new {i}");
        let inserted = db
            .prepare("INSERT INTO users (name) VALUES (?)")
            .bind(name.as_str())
            .run()
            .await
            .unwrap();
        let id = inserted.meta.last_row_id;
        // Read back at once, on a reader.
        let found: Option<String> = db
            .prepare("SELECT name FROM users WHERE id = ?")
            .bind(id)
            .first_column("name")
            .await
            .unwrap();
        assert_eq!(found.as_deref(), Some(name.as_str()));
        let read = db
            .prepare("SELECT count(*) AS n FROM users")
            .run()
            .await
            .unwrap();
        // D1's last_row_id is sticky across reads, and a read changes nothing.
        assert_eq!(read.meta.last_row_id, id);
        assert!(!read.meta.changed_db);
        assert_eq!(read.meta.changes, 0);
        assert_eq!(read.meta.size_after, inserted.meta.size_after);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn writes_in_any_form_go_to_the_writer_with_their_own_meta() {
    let dir = TempDir::new("readers-writes");
    let db = users(&dir, Mode::Server).await;
    // A write with RETURNING, twice (the second time it is known to be a write).
    for name in ["a", "b"] {
        #[derive(Deserialize)]
        struct Id {
            id: i64,
        }
        let rows = db
            .prepare("INSERT INTO users (name) VALUES (?) RETURNING id")
            .bind(name)
            .all::<Id>()
            .await
            .unwrap();
        assert_eq!(rows.results.len(), 1);
        assert_eq!(rows.meta.last_row_id, rows.results[0].id);
        assert_eq!(rows.meta.changes, 1);
    }
    // A read before a write in one call: the whole call runs on the writer.
    let both = db
        .prepare("SELECT count(*) FROM users; UPDATE users SET name = 'z' WHERE id <= 3")
        .run()
        .await
        .unwrap();
    assert_eq!(both.meta.changes, 3);
    assert_eq!(crate::count_rows(&db, "users WHERE name = 'z'").await, 3);
    // A PRAGMA that sets connection state runs on the writer (D1 keeps foreign keys on).
    db.prepare("PRAGMA defer_foreign_keys = ON")
        .run()
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_batch_leaves_nothing_for_the_readers() {
    let dir = TempDir::new("readers-batch");
    let db = users(&dir, Mode::Server).await;
    let before = crate::count_rows(&db, "users").await;
    let err = db
        .batch([
            db.prepare("INSERT INTO users (id, name) VALUES (5001, 'x')"),
            db.prepare("INSERT INTO users (id, name) VALUES (1, 'duplicate')"),
        ])
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Batch { .. }), "{err:?}");
    assert_eq!(crate::count_rows(&db, "users").await, before);
    assert_eq!(crate::count_rows(&db, "users WHERE id = 5001").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_query_time_limit_stops_a_read_on_a_reader() {
    let dir = TempDir::new("readers-limit");
    let db = users(&dir, Mode::Server).await;
    let steps = steps_for(&db, 3.0).await;
    db.backend()
        .set_query_time_limit(Some(Duration::from_millis(200)));
    let err = count_to(&db, steps).await.unwrap_err();
    assert!(err.to_string().contains("exceeded timeout"), "{err}");
    // The readers are all idle again and answer.
    assert_eq!(db.backend().idle_readers(), READERS);
    lookup(&db, 1).await;
}

#[tokio::test(flavor = "current_thread")]
async fn js_safe_integers_from_the_options_apply_on_readers() {
    let dir = TempDir::new("readers-js");
    let db = Database::new(
        SqliteBackend::options()
            .js_safe_integers(true)
            .mode(Mode::Inline)
            .open(dir.0.join("app.db"))
            .unwrap(),
    );
    db.exec("CREATE TABLE n (v INTEGER)").await.unwrap();
    db.backend()
        .with_connection(|c| c.execute_batch("INSERT INTO n VALUES (9007199254740993)"))
        .unwrap();
    let err = db
        .prepare("SELECT v FROM n")
        .first_column::<i64>("v")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("2^53"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn an_in_memory_path_gets_no_readers() {
    // Each connection to `:memory:` would be a database of its own.
    let db = Database::new(SqliteBackend::open(":memory:").unwrap());
    assert_eq!(db.backend().idle_readers(), 0);
    db.exec("CREATE TABLE t (x)\nINSERT INTO t VALUES (1)")
        .await
        .unwrap();
    assert_eq!(crate::count_rows(&db, "t").await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_answer_as_the_single_connection_does() {
    // D1's rules are set up on every connection: functions (D1's math functions, its
    // printf), refusals (a function D1 lacks, a PRAGMA outside its list), limits (a LIKE
    // pattern over 50 bytes) and row counters answer the same on a reader as on the
    // in-memory database's one connection.
    let dir = TempDir::new("readers-rules");
    let file = users(&dir, Mode::Server).await;
    let memory = crate::memory();
    memory
        .exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        .await
        .unwrap();
    memory
        .prepare(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000) \
             INSERT INTO users (id, name) SELECT i, 'user ' || i FROM n",
        )
        .run()
        .await
        .unwrap();
    let long_pattern = format!("SELECT 1 AS v WHERE 'a' LIKE '{}'", "a".repeat(60));
    let texts = [
        "SELECT sqrt(16) AS v, pi() AS w",
        "SELECT printf('%5.2f|%d', 3.14159, 42) AS v",
        "SELECT soundex('x') AS v",
        "SELECT power(2, 3) AS v",
        "PRAGMA compile_options",
        long_pattern.as_str(),
        "SELECT count(*) AS v FROM users WHERE name LIKE 'user 1%'",
        "SELECT name AS v FROM users WHERE id IN (3, 4, 5) ORDER BY id",
    ];
    for sql in texts {
        let answer = |r: d1orm::Result<d1orm::D1Result<d1orm::JsonRow>>| match r {
            Ok(r) => format!(
                "{:?} rows_read={} rows_written={}",
                r.results, r.meta.rows_read, r.meta.rows_written
            ),
            Err(e) => format!("error: {e}"),
        };
        let on_reader = answer(file.prepare(sql.to_string()).run().await);
        let on_one = answer(memory.prepare(sql.to_string()).run().await);
        assert_eq!(on_reader, on_one, "{sql}");
    }
}
