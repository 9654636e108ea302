//! Behaviour tests of the D1 layer on the reference SQLite backend, one module per topic.

mod batch;
mod binding;
mod budget;
mod concurrency;
mod d1_layer;
mod opening;
mod perf_guards;
mod table;

use d1orm::Database;
use d1orm_sqlite::SqliteBackend;

/// A fresh in-memory database.
pub fn memory() -> Database<SqliteBackend> {
    Database::new(SqliteBackend::open_in_memory().expect("in-memory database"))
}

/// `SELECT count(*)` of a query's rows, through the D1 layer.
pub async fn count_rows(db: &Database<SqliteBackend>, from: &str) -> i64 {
    db.prepare(format!("SELECT count(*) AS n FROM {from}"))
        .first_column("n")
        .await
        .expect("count query")
        .expect("count(*) gives a row")
}

/// A fresh directory for database files, removed when dropped.
pub struct TempDir(pub std::path::PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "d1orm-{name}-{}-{:?}",
            std::process::id(),
            std::time::SystemTime::now()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
