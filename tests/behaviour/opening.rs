//! Opening databases, and the errors (never panics) of bad paths and locked files.

use std::time::Duration;

use d1orm::Database;
use d1orm_sqlite::SqliteBackend;

use crate::TempDir;

#[tokio::test]
async fn a_file_database_persists_across_opens_in_wal_mode() {
    let dir = TempDir::new("persist");
    let path = dir.0.join("app.db");
    {
        let db = Database::new(SqliteBackend::open(&path).unwrap());
        db.exec("CREATE TABLE t (x)\nINSERT INTO t VALUES (1)")
            .await
            .unwrap();
    }
    let db = Database::new(SqliteBackend::open(&path).unwrap());
    let x: Option<i64> = db
        .prepare("SELECT x FROM t")
        .first_column("x")
        .await
        .unwrap();
    assert_eq!(x, Some(1));
    let mode: String = db
        .backend()
        .with_connection(|c| c.query_row("PRAGMA journal_mode", [], |r| r.get(0)))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_path_in_a_missing_directory_is_an_error() {
    let err = SqliteBackend::open("/nonexistent-d1orm-dir/sub/app.db").unwrap_err();
    assert_eq!(err.code(), Some(d1orm::SqliteCode::CANTOPEN), "{err}");
}

#[tokio::test]
async fn a_database_locked_by_another_connection_is_a_busy_error() {
    let dir = TempDir::new("locked");
    let path = dir.0.join("app.db");
    let db = Database::new(SqliteBackend::open(&path).unwrap());
    db.exec("CREATE TABLE t (x)").await.unwrap();
    db.backend()
        .set_busy_timeout(Duration::from_millis(50))
        .unwrap();
    let other = rusqlite::Connection::open(&path).unwrap();
    other
        .execute_batch("BEGIN EXCLUSIVE; INSERT INTO t VALUES (1);")
        .unwrap();
    let err = db
        .prepare("INSERT INTO t VALUES (2)")
        .run()
        .await
        .unwrap_err();
    assert!(err.is_busy(), "{err}");
    other.execute_batch("COMMIT").unwrap();
    db.prepare("INSERT INTO t VALUES (2)").run().await.unwrap();
}
