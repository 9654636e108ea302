//! Behaviour tests of the D1 layer on the reference SQLite backend, one module per topic.

mod batch;
mod binding;
mod budget;
mod concurrency;
mod d1_layer;
mod decoding;
mod joins;
mod json_paths;
mod migrate;
mod opening;
mod pagination;
mod perf_guards;
mod readers;
mod relations;
mod subqueries;
mod table;
mod team_notes;

use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use d1orm::{
    Backend, BatchEntry, Database, DumpBackend, ExecResult, Meta, QueryBackend, RowSink, Statement,
};
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

/// The reference backend, keeping every statement it is sent.
pub struct Recording {
    inner: SqliteBackend,
    seen: Mutex<Vec<Statement>>,
    /// Calls to the backend (a statement or a batch each): round trips on D1.
    trips: AtomicUsize,
}

impl Recording {
    pub fn new(inner: SqliteBackend) -> Self {
        Recording {
            inner,
            seen: Mutex::new(Vec::new()),
            trips: AtomicUsize::new(0),
        }
    }

    /// The calls (round trips) since the last call.
    pub fn take_round_trips(&self) -> usize {
        self.trips.swap(0, Ordering::Relaxed)
    }

    fn record(&self, statement: &Statement) {
        self.seen.lock().unwrap().push(statement.clone());
    }

    /// The statements sent since the last call.
    pub fn take(&self) -> Vec<Statement> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

impl QueryBackend for Recording {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        self.record(statement);
        self.trips.fetch_add(1, Ordering::Relaxed);
        self.inner.query(statement, sink).await
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        for e in entries.iter() {
            self.record(e.statement);
        }
        self.trips.fetch_add(1, Ordering::Relaxed);
        self.inner.batch(entries).await
    }
}

impl Backend for Recording {
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        self.inner.exec(sql).await
    }
}

impl DumpBackend for Recording {
    async fn dump(&self) -> d1orm::Result<Vec<u8>> {
        self.inner.dump().await
    }
}
