//! Hostile SQL text: NUL characters, texts built to make splitting slow, queries that
//! never end. Each gets D1's error, promptly, and leaves the handle usable.

use std::sync::mpsc;
use std::time::Duration;

use d1orm::{Database, Error};
use d1orm_sqlite::SqliteBackend;

/// Runs `call` on a thread of its own and fails the test if it has not answered within
/// `limit`: a hang is a failure, not a stuck test run.
fn answers_within<T: Send + 'static>(
    limit: Duration,
    call: impl FnOnce() -> T + Send + 'static,
) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(call());
    });
    rx.recv_timeout(limit)
        .unwrap_or_else(|_| panic!("no answer within {limit:?}"))
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn memory() -> Database<SqliteBackend> {
    Database::new(SqliteBackend::open_in_memory().unwrap())
}

#[test]
fn sql_with_a_nul_fails_every_entry_point_without_running_anything() {
    let db = memory();
    block_on(async {
        db.exec("CREATE TABLE u (a)\nINSERT INTO u VALUES (1)")
            .await
            .unwrap();
        let empty = "D1_ERROR: SQL code did not contain a statement.";
        for sql in [
            "\0",
            " \0SELECT 1",
            "SELECT 1;\0",
            "-- c\n\0",
            "DELETE FROM u\0; SELECT 1",
        ] {
            let all = db
                .prepare(sql)
                .all::<serde_json::Value>()
                .await
                .unwrap_err();
            assert_eq!(all.to_string(), empty, "all {sql:?}");
            let raw = db
                .prepare(sql)
                .raw::<serde_json::Value>()
                .await
                .unwrap_err();
            assert_eq!(raw.to_string(), empty, "raw {sql:?}");
            let run = db.prepare(sql).run().await.unwrap_err();
            assert_eq!(run.to_string(), empty, "run {sql:?}");
            let exec = db.exec(sql).await.unwrap_err().to_string();
            assert!(
                exec.starts_with("D1_EXEC_ERROR: Error in line 1: ")
                    && exec.ends_with(": SQL code did not contain a statement."),
                "exec {sql:?}: {exec}"
            );
        }
        // SQLite alone would run the DELETE after the NUL through a splitter that
        // ignored it; D1 runs nothing.
        let err = db
            .prepare("SELECT 1\0; DELETE FROM u")
            .run()
            .await
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "D1_ERROR: SQL code did not contain a statement."
        );
        let quoted = db
            .prepare("SELECT 'a\0b' AS s")
            .all::<serde_json::Value>()
            .await;
        assert_eq!(
            quoted.unwrap_err().to_string(),
            "D1_ERROR: unrecognized token: \"'a\" at offset 7: SQLITE_ERROR"
        );
        let n: Option<i64> = db
            .prepare("SELECT count(*) AS n FROM u")
            .first_column("n")
            .await
            .unwrap();
        assert_eq!(n, Some(1));
    });
}

#[test]
fn text_over_the_length_limit_is_refused_before_it_is_split() {
    // 360 KB of statements in a trigger body: splitting it by asking SQLite at every `;`
    // took 19 s; the length is checked first.
    let body = "SELECT 1;".repeat(40_000);
    let sql = format!("CREATE TRIGGER t AFTER INSERT ON a BEGIN {body} END");
    let err = answers_within(Duration::from_secs(30), move || {
        block_on(async { memory().prepare(sql).run().await.map(|_| ()) })
    })
    .unwrap_err();
    assert_eq!(
        err.to_string(),
        "D1_ERROR: statement too long: SQLITE_TOOBIG"
    );
    // Under the limit, a long trigger body splits (in one pass) and runs.
    let body = "SELECT 1;".repeat(10_000);
    answers_within(Duration::from_secs(30), move || {
        block_on(async {
            let db = memory();
            db.exec("CREATE TABLE a (x)").await.unwrap();
            let sql = format!("CREATE TRIGGER t AFTER INSERT ON a BEGIN {body} END; SELECT 2 AS b");
            let rows = db.prepare(sql).all::<serde_json::Value>().await.unwrap();
            assert_eq!(rows.results, [serde_json::json!({"b": 2})]);
        })
    });
}

#[test]
fn a_query_over_the_time_limit_is_stopped_with_d1s_error() {
    let backend = SqliteBackend::open_in_memory().unwrap();
    backend.set_query_time_limit(Some(Duration::from_millis(300)));
    let db = Database::new(backend);
    let (err, batch_err, after) = answers_within(Duration::from_secs(60), move || {
        block_on(async {
            db.exec("CREATE TABLE t (a)").await.unwrap();
            let endless = "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
                           SELECT count(*) AS n FROM c";
            let err = db
                .prepare(endless)
                .all::<serde_json::Value>()
                .await
                .unwrap_err();
            // In a batch, the stopped statement fails the batch: nothing is applied.
            let batch_err = db
                .batch((
                    db.prepare("INSERT INTO t VALUES (1)").run(),
                    db.prepare(endless).all::<serde_json::Value>(),
                ))
                .await
                .unwrap_err();
            let after: Option<i64> = db
                .prepare("SELECT count(*) AS n FROM t")
                .first_column("n")
                .await
                .unwrap();
            (err, batch_err, after)
        })
    });
    let text =
        "D1_ERROR: D1 DB storage operation exceeded timeout which caused object to be reset.";
    assert_eq!(err.to_string(), text);
    assert!(matches!(err, Error::Database(_)), "{err:?}");
    assert_eq!(batch_err.root().to_string(), text, "{batch_err}");
    assert_eq!(
        after,
        Some(0),
        "the batch was rolled back and the handle still works"
    );
}

#[test]
fn the_time_limit_can_be_lifted_and_does_not_touch_short_queries() {
    let backend = SqliteBackend::open_in_memory().unwrap();
    backend.set_query_time_limit(Some(Duration::from_millis(1)));
    let db = Database::new(backend.clone());
    block_on(async {
        // A short statement never reaches the clock.
        let n: Option<i64> = db.prepare("SELECT 1 AS n").first_column("n").await.unwrap();
        assert_eq!(n, Some(1));
        backend.set_query_time_limit(None);
        let sum: Option<i64> = db
            .prepare(
                "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000) \
                 SELECT sum(x) AS s FROM c",
            )
            .first_column("s")
            .await
            .unwrap();
        assert_eq!(sum, Some(300_000 * 300_001 / 2));
    });
}
