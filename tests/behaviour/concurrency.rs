//! One file database used from many tokio tasks at once loses no write.

use std::sync::Arc;

use d1orm::Database;
use d1orm_sqlite::SqliteBackend;

use crate::TempDir;

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_tasks_on_one_file_database_lose_no_write() {
    let dir = TempDir::new("concurrency");
    let path = dir.0.join("app.db");
    let shared = Arc::new(Database::new(SqliteBackend::open(&path).unwrap()));
    shared
        .exec("CREATE TABLE hits (task INTEGER NOT NULL, n INTEGER NOT NULL)\nCREATE TABLE counter (id INTEGER PRIMARY KEY, total INTEGER NOT NULL)\nINSERT INTO counter VALUES (1, 0)")
        .await
        .unwrap();
    const TASKS: i64 = 32;
    const WRITES: i64 = 25;
    let mut handles = Vec::new();
    for task in 0..TASKS {
        // Half the tasks share one handle; the others open their own connection to the
        // same file, so SQLite's locking (WAL, busy timeout) is exercised too.
        let db = if task % 2 == 0 {
            shared.clone()
        } else {
            Arc::new(Database::new(SqliteBackend::open(&path).unwrap()))
        };
        handles.push(tokio::spawn(assert_send(async move {
            for n in 0..WRITES {
                db.batch([
                    db.prepare("INSERT INTO hits VALUES (?, ?)").bind((task, n)),
                    db.prepare("UPDATE counter SET total = total + 1 WHERE id = 1"),
                ])
                .await
                .unwrap();
                tokio::task::yield_now().await;
            }
        })));
    }
    for h in handles {
        h.await.unwrap();
    }
    let total: Option<i64> = shared
        .prepare("SELECT total FROM counter")
        .first_column("total")
        .await
        .unwrap();
    assert_eq!(crate::count_rows(&shared, "hits").await, TASKS * WRITES);
    assert_eq!(total, Some(TASKS * WRITES));
    assert_eq!(
        crate::count_rows(&shared, "(SELECT DISTINCT task, n FROM hits)").await,
        TASKS * WRITES
    );
}
