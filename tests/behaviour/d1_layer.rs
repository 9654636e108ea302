//! The D1 layer's terminals on the reference backend.

use d1orm::{D1Result, Prefix};
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::memory;

#[derive(Debug, Deserialize, Serialize, PartialEq)]
struct Item {
    id: i64,
    name: String,
    done: bool,
    tags: Option<Vec<String>>,
}

#[tokio::test]
async fn rows_deserialize_into_structs_and_results_serialize_as_d1() {
    let db = memory();
    db.exec("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, done INTEGER NOT NULL, tags TEXT)")
        .await
        .unwrap();
    let insert = db.prepare("INSERT INTO items (name, done, tags) VALUES (?, ?, ?)");
    insert.bind(("a", true, r#"["x"]"#)).run().await.unwrap();
    let r = insert
        .bind(("b", false, None::<String>))
        .run()
        .await
        .unwrap();
    assert_eq!(
        (r.meta.changes, r.meta.last_row_id, r.meta.changed_db),
        (1, 2, true)
    );
    let all: D1Result<Item> = db
        .prepare("SELECT * FROM items ORDER BY id")
        .all()
        .await
        .unwrap();
    assert_eq!(
        all.results,
        vec![
            Item {
                id: 1,
                name: "a".into(),
                done: true,
                tags: Some(vec!["x".into()])
            },
            Item {
                id: 2,
                name: "b".into(),
                done: false,
                tags: None
            },
        ]
    );
    let json = serde_json::to_value(&all).unwrap();
    assert_eq!(json["success"], json!(true));
    let meta = json["meta"].as_object().unwrap();
    for key in [
        "served_by",
        "duration",
        "changes",
        "last_row_id",
        "changed_db",
        "size_after",
        "rows_read",
        "rows_written",
    ] {
        assert!(meta.contains_key(key), "meta lacks {key}: {meta:?}");
    }
    assert_eq!(meta["rows_read"], json!(2));
}

#[tokio::test]
async fn first_first_column_and_raw() {
    let db = memory();
    let stmt = db.prepare("SELECT 1 AS a, 'x' AS b, x'0102' AS c WHERE ?");
    let first: Option<serde_json::Value> = stmt.bind(1).first().await.unwrap();
    assert_eq!(first, Some(json!({"a": 1, "b": "x", "c": [1, 2]})));
    let none: Option<serde_json::Value> = stmt.bind(0).first().await.unwrap();
    assert_eq!(none, None);
    let b: Option<String> = stmt.bind(1).first_column("b").await.unwrap();
    assert_eq!(b.as_deref(), Some("x"));
    let err = stmt.bind(1).first_column::<i64>("nope").await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "D1_COLUMN_NOTFOUND: Column not found (nope)"
    );
    assert_eq!(err.prefix(), Some(Prefix::ColumnNotFound));
    // No row: no column check, as on D1.
    assert_eq!(
        stmt.bind(0).first_column::<i64>("nope").await.unwrap(),
        None
    );
    let rows: Vec<(i64, String, Vec<u8>)> = stmt.bind(1).raw().await.unwrap();
    assert_eq!(rows, vec![(1, "x".to_owned(), vec![1, 2])]);
    let (columns, rows) = stmt
        .bind(0)
        .raw_with_columns::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        (columns, rows.len()),
        (vec!["a".to_owned(), "b".into(), "c".into()], 0)
    );
    let err = stmt.bind(1).raw::<(i64, String)>().await.unwrap_err();
    assert!(err.to_string().contains("tuple of 2"), "{err}");
}

#[tokio::test]
async fn duplicate_columns_raw_keeps_all_objects_keep_the_last() {
    let db = memory();
    let stmt = db.prepare("SELECT 1 AS x, 2 AS x");
    let raw: Vec<Vec<i64>> = stmt.raw().await.unwrap();
    assert_eq!(raw, vec![vec![1, 2]]);
    let obj: Option<serde_json::Value> = stmt.first().await.unwrap();
    assert_eq!(obj, Some(json!({"x": 2})));
}

#[tokio::test]
async fn batch_is_atomic_and_reports_the_first_error() {
    let db = memory();
    db.exec("CREATE TABLE t (name TEXT UNIQUE)").await.unwrap();
    let err = db
        .batch([
            db.prepare("INSERT INTO t VALUES ('a')"),
            db.prepare("INSERT INTO t VALUES ('a')"),
            db.prepare("INSERT INTO t VALUES ('b')"),
        ])
        .await
        .unwrap_err();
    assert!(err.is_unique_violation());
    assert_eq!(err.batch_index(), Some(1));
    assert_eq!(
        err.to_string(),
        "D1_ERROR: UNIQUE constraint failed: t.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE) (statement 2 of 3 in the batch)"
    );
    assert_eq!(crate::count_rows(&db, "t").await, 0);
    let results = db
        .batch([
            db.prepare("INSERT INTO t VALUES (?)")
                .bind("a")
                .all::<serde_json::Value>(),
            db.prepare("SELECT name FROM t").all::<serde_json::Value>(),
        ])
        .await
        .unwrap();
    assert_eq!(results[0].meta.changes, 1);
    assert_eq!(results[1].results, vec![json!({"name": "a"})]);
    let empty = db
        .batch(Vec::<d1orm::PreparedStatement<'_, _>>::new())
        .await
        .unwrap_err();
    assert_eq!(empty.to_string(), "D1_ERROR: No SQL statements detected.");
}

#[tokio::test]
async fn exec_counts_lines_and_rolls_back_with_d1_text() {
    let db = memory();
    let r = db
        .exec("CREATE TABLE u (x UNIQUE)\n\nINSERT INTO u VALUES (1)\n-- a comment\nINSERT INTO u VALUES (2)\n")
        .await
        .unwrap();
    assert_eq!(r.count, 3);
    let err = db
        .exec("INSERT INTO u VALUES (3)\nINSERT INTO u VALUES (1)")
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "D1_EXEC_ERROR: Error in line 1: INSERT INTO u VALUES (3): UNIQUE constraint failed: u.x: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)"
    );
    assert_eq!(err.prefix(), Some(Prefix::ExecError));
    assert_eq!(crate::count_rows(&db, "u").await, 2);
}

#[tokio::test]
async fn forbidden_statements_use_d1_text() {
    let db = memory();
    for sql in ["BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT s", "RELEASE s"] {
        let err = db.prepare(sql).run().await.unwrap_err();
        assert!(
            err.to_string().starts_with(
                "D1_ERROR: To execute a transaction, please use the state.storage.transaction()"
            ),
            "{sql}: {err}"
        );
    }
    for sql in [
        "PRAGMA journal_mode",
        "ATTACH 'x.db' AS x",
        "CREATE TEMP TABLE t (x)",
        "CREATE TABLE _cf_x (y)",
    ] {
        let err = db.prepare(sql).run().await.unwrap_err();
        assert!(err.is_not_authorized(), "{sql}: {err}");
    }
    // Our own transactions still work after the refusals.
    db.exec("CREATE TABLE ok (x)").await.unwrap();
    let v: Option<i64> = db
        .prepare("PRAGMA foreign_keys")
        .first_column("foreign_keys")
        .await
        .unwrap();
    assert_eq!(v, Some(1));
}

#[tokio::test]
async fn limits_are_d1s() {
    let db = memory();
    let sql = format!("SELECT {}", vec!["?"; 101].join(","));
    let params: Vec<d1orm::Value> = (0..101).map(d1orm::Value::Integer).collect();
    let err = db.prepare(sql).bind(params).run().await.unwrap_err();
    assert!(err.to_string().contains("too many SQL variables"), "{err}");
    let long = format!("SELECT '{}'", "x".repeat(100_000));
    let err = db.prepare(long).run().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "D1_ERROR: statement too long: SQLITE_TOOBIG"
    );
    let big = "x".repeat(2_000_001);
    let err = db.prepare("SELECT ?").bind(big).run().await.unwrap_err();
    assert_eq!(
        err.to_string(),
        "D1_ERROR: string or blob too big: SQLITE_TOOBIG"
    );
}

#[tokio::test]
async fn sessions_keep_the_latest_bookmark() {
    let db = memory();
    let session = db.with_session("first-primary").unwrap();
    assert_eq!(session.bookmark(), None);
    session.prepare("SELECT 1").run().await.unwrap();
    let first = session.bookmark().unwrap();
    assert!(d1orm::is_bookmark(&first), "{first}");
    session.prepare("SELECT 2").run().await.unwrap();
    let second = session.bookmark().unwrap();
    assert!(second > first);
    // A failing query does not move the bookmark.
    session
        .prepare("SELECT * FROM nope")
        .run()
        .await
        .unwrap_err();
    assert_eq!(session.bookmark().unwrap(), second);
    let resumed = db.with_session(&second).unwrap();
    assert_eq!(resumed.bookmark().as_deref(), Some(second.as_str()));
    let err = db.with_session("garbage").unwrap_err();
    assert_eq!(err.prefix(), Some(Prefix::SessionError));
}

#[tokio::test]
async fn dump_is_an_sqlite_file() {
    let db = memory();
    db.exec("CREATE TABLE t (x)\nINSERT INTO t VALUES (42)")
        .await
        .unwrap();
    let bytes = db.dump().await.unwrap();
    assert_eq!(&bytes[..16], b"SQLite format 3\0");
    // The dump opens as a database holding the row.
    let dir = crate::TempDir::new("dump");
    let path = dir.0.join("dump.db");
    std::fs::write(&path, &bytes).unwrap();
    let copy = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open(&path).unwrap());
    let x: Option<i64> = copy
        .prepare("SELECT x FROM t")
        .first_column("x")
        .await
        .unwrap();
    assert_eq!(x, Some(42));
}

#[tokio::test]
async fn terminals_take_the_bound_statement_and_a_clone_runs_it_again() {
    let db = memory();
    db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        .await
        .unwrap();
    let insert = db
        .prepare("INSERT INTO t (name) VALUES (?) RETURNING id, name")
        .bind("a long enough name to live on the heap");
    let first: D1Result<(i64, String)> = insert.clone().all().await.unwrap();
    let again = insert.clone().run().await.unwrap();
    assert_eq!(first.meta.last_row_id, 1);
    assert_eq!(
        first.results,
        vec![(1, "a long enough name to live on the heap".to_owned())]
    );
    assert_eq!(again.meta.last_row_id, 2);
    assert_eq!(
        serde_json::Value::Object(again.results[0].clone()),
        json!({"id": 2, "name": "a long enough name to live on the heap"})
    );
    // The original is still bound, and a bind error travels with every copy.
    let row: Option<serde_json::Value> = insert.first().await.unwrap();
    assert_eq!(row.unwrap()["id"], 3);
    let bad = db.prepare("SELECT ?").bind(f64::NAN);
    assert!(bad.clone().all::<serde_json::Value>().await.is_err());
    assert!(bad.first::<serde_json::Value>().await.is_err());
}

#[tokio::test]
async fn application_sql_run_again_is_refused_and_prepared_as_the_first_time() {
    // The backend remembers which texts are one plain statement and skips checking
    // them again; refused and schema statements must never be remembered so.
    let db = memory();
    for _ in 0..2 {
        let err = db.prepare("VACUUM").run().await.unwrap_err();
        assert_eq!(
            err.to_string(),
            "D1_ERROR: cannot VACUUM from within a transaction: SQLITE_ERROR"
        );
    }
    db.exec("CREATE TABLE t (a)").await.unwrap();
    // A cached schema statement would fail at step time once its table is gone and
    // back; each run is prepared afresh and reports the schema change.
    let create = db.prepare("CREATE TABLE u (a)");
    let drop = db.prepare("DROP TABLE u");
    for _ in 0..3 {
        assert!(create.clone().run().await.unwrap().meta.changed_db);
        assert!(drop.clone().run().await.unwrap().meta.changed_db);
    }
    let insert = db.prepare("INSERT INTO t VALUES (?)");
    let owned = String::from("  SELECT count(*) AS n FROM t  ");
    for i in 1..=3 {
        assert_eq!(insert.bind(i).run().await.unwrap().meta.changes, 1);
        let n: Option<i64> = db.prepare(owned.clone()).first_column("n").await.unwrap();
        assert_eq!(n, Some(i));
    }
    // Several statements in one text are still split, however often they run.
    for _ in 0..2 {
        let r = db
            .prepare("INSERT INTO t VALUES (9); SELECT count(*) AS n FROM t")
            .all::<serde_json::Value>()
            .await;
        assert!(r.is_ok(), "{r:?}");
    }
}

#[tokio::test]
async fn statements_kept_prepared_let_go_of_bound_text_and_bytes() {
    // The backend keeps statements prepared between runs; the values bound to one must
    // not stay in memory with it.
    let db = memory();
    db.exec("CREATE TABLE secrets (s TEXT, b BLOB)")
        .await
        .unwrap();
    db.prepare("INSERT INTO secrets VALUES (?, ?)")
        .bind(("hunter2", vec![0xde_u8, 0xad]))
        .run()
        .await
        .unwrap();
    let n: Option<i64> = db
        .prepare("SELECT count(*) AS n FROM secrets WHERE s = ?")
        .bind("hunter2")
        .first_column("n")
        .await
        .unwrap();
    assert_eq!(n, Some(1));
    let (kept, expanded) = db.backend().with_connection(|c| {
        let mut kept = 0;
        let mut expanded = Vec::new();
        // SAFETY: walking the connection's statement list while it is locked by us;
        // each expanded text is copied and then freed as SQLite asks.
        unsafe {
            let mut stmt = rusqlite::ffi::sqlite3_next_stmt(c.handle(), std::ptr::null_mut());
            while !stmt.is_null() {
                kept += 1;
                let text = rusqlite::ffi::sqlite3_expanded_sql(stmt);
                if !text.is_null() {
                    expanded.push(
                        std::ffi::CStr::from_ptr(text)
                            .to_string_lossy()
                            .into_owned(),
                    );
                    rusqlite::ffi::sqlite3_free(text.cast());
                }
                stmt = rusqlite::ffi::sqlite3_next_stmt(c.handle(), stmt);
            }
        }
        (kept, expanded)
    });
    assert_eq!(expanded.len(), kept, "every statement's text was read");
    // Both statements are kept prepared, and show no value bound (SQLite writes a bound
    // blob in lower-case hexadecimal).
    for sql in [
        "INSERT INTO secrets VALUES (NULL, NULL)",
        "SELECT count(*) AS n FROM secrets WHERE s = NULL",
    ] {
        assert!(expanded.iter().any(|e| e == sql), "{sql} in {expanded:?}");
    }
    assert!(
        expanded
            .iter()
            .all(|sql| !sql.contains("hunter2") && !sql.contains("x'dead'")),
        "{expanded:?}"
    );
}
