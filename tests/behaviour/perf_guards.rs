//! Guards for the benchmarks' scenarios (see BENCHMARKS.md) that do not depend on speed:
//! statements are prepared once and never re-prepared, the statement cache holds a
//! 40-statement round robin, no statement goes past 100 parameters, and the table layer
//! reads rows by position, never by column name.

use std::collections::HashMap;
use std::ffi::CStr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use d1orm::table::create_table_sql;
use d1orm::{
    Backend, BatchEntry, Columns, Database, DumpBackend, DynRowSink, ExecResult, Meta,
    QueryBackend, Row, RowSink, Statement, Table, ValueRef,
};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "guard_users")]
pub struct GuardUser {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(unique)]
    pub email: String,
    pub name: String,
    pub age: i64,
    pub score: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    pub plan: String,
    pub seats: u32,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "guard_docs")]
pub struct GuardDoc {
    #[d1orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[d1orm(json)]
    pub plan: Plan,
}

fn user(i: i64, round: i64) -> NewGuardUser {
    NewGuardUser::builder()
        .id(i)
        .email(format!("user{i}@example.com"))
        .name(format!("User {i}"))
        .age(20 + (i + round) % 60)
        .score(i as f64 + round as f64)
        .build()
}

/// What the spy saw: statements run, their largest parameter count, column names asked
/// for, and the column positions read, per row.
#[derive(Default)]
struct Seen {
    statements: AtomicUsize,
    max_params: AtomicUsize,
    names_asked: AtomicUsize,
    rows: Mutex<Vec<Vec<usize>>>,
}

/// A backend that runs statements on `SqliteBackend` and watches how their rows are read.
struct Spy {
    inner: SqliteBackend,
    seen: Seen,
}

struct SpySink<'a, S: ?Sized> {
    inner: &'a mut S,
    seen: &'a Seen,
}

struct SpyColumns<'a> {
    inner: &'a dyn Columns,
    seen: &'a Seen,
}

impl Columns for SpyColumns<'_> {
    fn count(&self) -> usize {
        self.inner.count()
    }
    fn name(&self, index: usize) -> &str {
        self.seen.names_asked.fetch_add(1, Ordering::Relaxed);
        self.inner.name(index)
    }
}

struct SpyRow<'a, R: ?Sized> {
    inner: &'a R,
    read: Mutex<Vec<usize>>,
}

impl<R: Row + ?Sized> Row for SpyRow<'_, R> {
    fn column_count(&self) -> usize {
        self.inner.column_count()
    }
    fn value(&self, index: usize) -> d1orm::Result<ValueRef<'_>> {
        self.read.lock().unwrap().push(index);
        self.inner.value(index)
    }
}

impl<S: RowSink + ?Sized> RowSink for SpySink<'_, S> {
    fn columns(&mut self, columns: &dyn Columns) -> d1orm::Result<()> {
        self.inner.columns(&SpyColumns {
            inner: columns,
            seen: self.seen,
        })
    }
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
        let spy = SpyRow {
            inner: row,
            read: Mutex::new(Vec::new()),
        };
        let result = self.inner.row(&spy);
        self.seen
            .rows
            .lock()
            .unwrap()
            .push(spy.read.into_inner().unwrap());
        result
    }
}

impl Spy {
    fn note(&self, statement: &Statement) {
        self.seen.statements.fetch_add(1, Ordering::Relaxed);
        self.seen
            .max_params
            .fetch_max(statement.params.len(), Ordering::Relaxed);
    }

    /// Forgets what was seen so far.
    fn reset(&self) {
        self.seen.statements.store(0, Ordering::Relaxed);
        self.seen.max_params.store(0, Ordering::Relaxed);
        self.seen.names_asked.store(0, Ordering::Relaxed);
        self.seen.rows.lock().unwrap().clear();
    }
}

impl QueryBackend for Spy {
    async fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> d1orm::Result<Meta> {
        self.note(statement);
        let mut spy = SpySink {
            inner: sink,
            seen: &self.seen,
        };
        self.inner.query(statement, &mut spy).await
    }

    async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
        let mut spies: Vec<(&Statement, SpySink<'_, dyn DynRowSink + Send>)> = entries
            .iter_mut()
            .map(|entry| {
                self.note(entry.statement);
                let sink = SpySink {
                    inner: &mut *entry.sink,
                    seen: &self.seen,
                };
                (entry.statement, sink)
            })
            .collect();
        let mut spied: Vec<BatchEntry<'_>> = spies
            .iter_mut()
            .map(|(statement, sink)| BatchEntry { statement, sink })
            .collect();
        self.inner.batch(&mut spied).await
    }
}

impl Backend for Spy {
    async fn exec(&self, sql: &str) -> d1orm::Result<ExecResult> {
        self.inner.exec(sql).await
    }
}

impl DumpBackend for Spy {
    async fn dump(&self) -> d1orm::Result<Vec<u8>> {
        self.inner.dump().await
    }
}

async fn database() -> Database<Spy> {
    let db = Database::new(Spy {
        inner: SqliteBackend::open_in_memory().unwrap(),
        seen: Seen::default(),
    });
    db.exec(&create_table_sql::<GuardUser>()).await.unwrap();
    db.exec(&create_table_sql::<GuardDoc>()).await.unwrap();
    db.guard_users()
        .insert_many((1..=50).map(|i| user(i, 0)))
        .await
        .unwrap();
    db.guard_docs()
        .insert_many((1..=50).map(|i| {
            NewGuardDoc::builder()
                .id(i)
                .title(format!("Doc {i}"))
                .plan(Plan {
                    plan: "pro".into(),
                    seats: i as u32,
                })
                .build()
        }))
        .await
        .unwrap();
    db.backend().reset();
    db
}

/// Per prepared statement (by its SQL): its handle, and how often it ran
/// (`SQLITE_STMTSTATUS_RUN`) and was re-prepared (`SQLITE_STMTSTATUS_REPREPARE`).
#[derive(Debug, Clone, PartialEq)]
struct Prepared {
    handle: usize,
    runs: i64,
    reprepares: i64,
}

fn prepared(db: &Database<Spy>) -> HashMap<String, Prepared> {
    db.backend().inner.with_connection(|c| {
        let mut all = HashMap::new();
        // SAFETY: the connection's statement list is walked while it is locked by us;
        // each handle is only read.
        unsafe {
            let handle = c.handle();
            let mut stmt = rusqlite::ffi::sqlite3_next_stmt(handle, std::ptr::null_mut());
            while !stmt.is_null() {
                let sql = CStr::from_ptr(rusqlite::ffi::sqlite3_sql(stmt))
                    .to_string_lossy()
                    .into_owned();
                let status = |op| i64::from(rusqlite::ffi::sqlite3_stmt_status(stmt, op, 0));
                let previous = all.insert(
                    sql.clone(),
                    Prepared {
                        handle: stmt as usize,
                        runs: status(rusqlite::ffi::SQLITE_STMTSTATUS_RUN),
                        reprepares: status(rusqlite::ffi::SQLITE_STMTSTATUS_REPREPARE),
                    },
                );
                assert!(previous.is_none(), "prepared twice at once: {sql}");
                stmt = rusqlite::ffi::sqlite3_next_stmt(handle, stmt);
            }
        }
        all
    })
}

/// Runs `round` (which runs statements) until 1,000 statements have run after a warm-up
/// round, and checks that every statement was prepared once: each kept its handle, ran
/// once per execution and was never re-prepared, and no statement was prepared anew.
async fn prepared_once<F: AsyncFn(&Database<Spy>, i64)>(db: &Database<Spy>, round: F) {
    round(db, 0).await;
    let before = prepared(db);
    db.backend().reset();
    let mut rounds = 0;
    while db.backend().seen.statements.load(Ordering::Relaxed) < 1000 {
        rounds += 1;
        round(db, rounds).await;
    }
    let executions = db.backend().seen.statements.load(Ordering::Relaxed);
    let after = prepared(db);
    let new: Vec<&String> = after.keys().filter(|k| !before.contains_key(*k)).collect();
    assert!(
        new.is_empty(),
        "statements prepared after the warm-up: {new:?}"
    );
    let mut ran = 0;
    for (sql, b) in &before {
        let a = after
            .get(sql)
            .unwrap_or_else(|| panic!("statement evicted from the cache: {sql}"));
        assert_eq!(a.handle, b.handle, "prepared again: {sql}");
        assert_eq!(a.reprepares, b.reprepares, "re-prepared: {sql}");
        // The backend's own transaction statements (kept prepared too) are not the
        // statements the calls ran.
        if !["BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"].contains(&sql.as_str()) {
            ran += a.runs - b.runs;
        }
    }
    assert_eq!(
        ran as usize, executions,
        "every execution ran on a statement prepared before"
    );
}

#[tokio::test]
async fn point_lookups_and_reads_are_prepared_once() {
    let db = database().await;
    prepared_once(&db, async |db, k| {
        let id = k % 50 + 1;
        let u = db
            .guard_users()
            .where_(|u| u.id.eq(id))
            .one()
            .await
            .unwrap();
        assert_eq!(u.id, id);
        let found = db.guard_users().find(id).await.unwrap();
        assert_eq!(found.map(|u| u.id), Some(id));
        assert_eq!(db.guard_users().many().await.unwrap().len(), 50);
        assert_eq!(db.guard_docs().many().await.unwrap().len(), 50);
    })
    .await;
}

#[tokio::test]
async fn inserts_upserts_and_batches_are_prepared_once() {
    let db = database().await;
    prepared_once(&db, async |db, k| {
        // 333 rows of 5 columns: 16 statements of 20 rows and one of 13.
        db.backend()
            .inner
            .with_connection(|c| c.execute_batch(r#"DELETE FROM "guard_users" WHERE "id" > 50"#))
            .unwrap();
        db.guard_users()
            .insert_many((51..=383).map(|i| user(i, k)))
            .await
            .unwrap();
        db.guard_users()
            .upsert((1..=50).map(|i| user(i, k)).collect::<Vec<_>>())
            .on_conflict(|u| u.email)
            .update_all()
            .await
            .unwrap();
        let insert =
            db.prepare(r#"INSERT INTO "guard_docs" ("id", "title", "plan") VALUES (?, ?, ?)"#);
        let update = db.prepare(r#"UPDATE "guard_users" SET "age" = "age" + 1 WHERE "id" = ?"#);
        let select = db.prepare(r#"SELECT "id", "email" FROM "guard_users" WHERE "id" = ?"#);
        db.backend()
            .inner
            .with_connection(|c| c.execute_batch(r#"DELETE FROM "guard_docs" WHERE "id" > 50"#))
            .unwrap();
        let batch: Vec<_> = (0..30)
            .map(|i| match i % 3 {
                0 => insert.bind((100 + i, "t", "{}")),
                1 => update.bind(i % 50 + 1),
                _ => select.bind(i % 50 + 1),
            })
            .collect();
        assert_eq!(db.batch(batch).await.unwrap().len(), 30);
    })
    .await;
}

#[tokio::test]
async fn the_statement_cache_holds_a_40_statement_round_robin() {
    let db = database().await;
    prepared_once(&db, async |db, _| {
        for n in 1..=40u64 {
            let id = (n % 50 + 1) as i64;
            let rows = db
                .guard_users()
                .where_(|u| u.id.eq(id))
                .limit(n)
                .many()
                .await
                .unwrap();
            assert_eq!(rows.len(), 1);
        }
    })
    .await;
}

#[tokio::test]
async fn no_statement_goes_past_100_parameters() {
    let db = database().await;
    let rows: Vec<NewGuardUser> = (1000..11_000).map(|i| user(i, 0)).collect();
    let insert = db.guard_users().insert_many(rows);
    let statements = insert.statements().unwrap();
    // 20 rows of 5 columns a statement: D1's cap, and the fastest chunk (PERF.md).
    assert_eq!(statements.len(), 500);
    assert!(statements.iter().all(|s| s.params.len() == 100));
    insert.await.unwrap();
    assert_eq!(db.backend().seen.statements.load(Ordering::Relaxed), 500);

    let upsert = db
        .guard_users()
        .upsert((1..=1000).map(|i| user(i, 1)).collect::<Vec<_>>())
        .on_conflict(|u| u.email)
        .update_all();
    assert!(
        upsert
            .statements()
            .unwrap()
            .iter()
            .all(|s| s.params.len() <= 100)
    );
    upsert.await.unwrap();
    let ids: Vec<i64> = (1..=500).collect();
    let n = db
        .guard_users()
        .where_(|u| u.id.in_(ids.clone()))
        .many()
        .await
        .unwrap()
        .len();
    assert_eq!(n, 500);
    assert!(db.backend().seen.max_params.load(Ordering::Relaxed) <= 100);
}

#[tokio::test]
async fn the_table_layer_reads_rows_by_position_never_by_name() {
    let db = database().await;
    db.guard_users().where_(|u| u.id.eq(7)).one().await.unwrap();
    db.guard_users().find(8).await.unwrap().unwrap();
    db.guard_users().many().await.unwrap();
    db.guard_docs().many().await.unwrap();
    db.guard_users()
        .where_(|u| u.id.eq(3))
        .limit(5)
        .many()
        .await
        .unwrap();
    db.guard_users()
        .returning_all()
        .upsert(vec![user(1, 5), user(2, 5)])
        .on_conflict(|u| u.email)
        .update_all()
        .await
        .unwrap();
    assert_eq!(db.backend().seen.names_asked.load(Ordering::Relaxed), 0);
    let rows = db.backend().seen.rows.lock().unwrap().clone();
    assert_eq!(rows.len(), 1 + 1 + 50 + 50 + 1 + 2);
    for read in &rows {
        // Every column once, in order, by position.
        let width = read.len();
        assert!(width == 5 || width == 3, "{read:?}");
        assert_eq!(*read, (0..width).collect::<Vec<_>>());
    }
}

#[tokio::test]
async fn the_d1_layer_resolves_column_names_once_per_statement() {
    let db = database().await;
    let rows = db
        .prepare(r#"SELECT "id", "email", "age" FROM "guard_users""#)
        .all::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(rows.results.len(), 50);
    // Three names for the statement, none per row.
    assert_eq!(db.backend().seen.names_asked.load(Ordering::Relaxed), 3);
}
