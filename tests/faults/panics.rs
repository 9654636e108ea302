//! Panic safety: a panic in user code that runs inside a backend call (serde
//! `Deserialize`, a `ColumnType` conversion, a JSON column's document) leaves the
//! handle usable, in autocommit, with every acknowledged write kept, and what the
//! panicking call itself wrote (never acknowledged) gone.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use d1orm::table::create_table_sql;
use d1orm::{ColumnType, Database, DecodeError, Table, Value, ValueRef};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

use crate::TempDir;

/// Armed: every user type below panics when it is decoded.
static ARMED: AtomicBool = AtomicBool::new(false);

fn explode_if_armed(what: &str) {
    if ARMED.load(Ordering::SeqCst) {
        panic!("injected panic in {what}");
    }
}

/// A row of the D1 layer whose serde `Deserialize` panics.
#[derive(Debug)]
struct BombRow;

impl<'de> Deserialize<'de> for BombRow {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        serde_json::Value::deserialize(d)?;
        explode_if_armed("Deserialize");
        Ok(BombRow)
    }
}

/// A column type whose conversion panics.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Fuse(i64);

impl ColumnType for Fuse {
    const SQL_TYPE: &'static str = "INTEGER";
    fn to_value(&self) -> d1orm::Result<Value> {
        Ok(Value::Integer(self.0))
    }
    fn from_value(value: ValueRef<'_>) -> Result<Self, DecodeError> {
        explode_if_armed("ColumnType::from_value");
        i64::from_value(value).map(Fuse)
    }
}

/// A JSON column's document whose deserialization panics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "DocFields")]
struct Doc {
    n: i64,
}

#[derive(Deserialize)]
struct DocFields {
    n: i64,
}

impl From<DocFields> for Doc {
    fn from(fields: DocFields) -> Doc {
        explode_if_armed("a JSON column's Deserialize");
        Doc { n: fields.n }
    }
}

/// Read whole (its fields are what the injected panics are in), never looked at.
#[allow(dead_code)]
#[derive(Debug, Table)]
#[d1orm(table = "items")]
struct Item {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    fuse: Fuse,
    #[d1orm(json)]
    doc: Doc,
}

/// A file database with the `items` table and a `log` table of plain rows.
struct Fixture {
    _dir: TempDir,
    path: std::path::PathBuf,
    db: Database<SqliteBackend>,
    rt: tokio::runtime::Runtime,
    /// Rows written by calls that returned `Ok`, in `items` and `log` together.
    acknowledged: i64,
}

impl Fixture {
    fn new() -> Fixture {
        let dir = TempDir::new("panics");
        let path = dir.0.join("app.db");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let db = Database::new(SqliteBackend::open(&path).unwrap());
        rt.block_on(async {
            db.exec(&create_table_sql::<Item>()).await.unwrap();
            db.exec("CREATE TABLE log (n INTEGER NOT NULL)")
                .await
                .unwrap();
        });
        Fixture {
            _dir: dir,
            path,
            db,
            rt,
            acknowledged: 0,
        }
    }

    /// One acknowledged write of each kind.
    fn write(&mut self) {
        let db = &self.db;
        self.rt.block_on(async {
            db.prepare("INSERT INTO log VALUES (?)")
                .bind(1)
                .run()
                .await
                .unwrap();
            db.items()
                .insert(NewItem::builder().fuse(Fuse(1)).doc(Doc { n: 1 }).build())
                .await
                .unwrap();
        });
        self.acknowledged += 2;
    }

    /// Runs `call` with the user types armed, expecting it to panic.
    fn panics_in<F: std::future::Future>(&self, what: &str, call: impl FnOnce() -> F) {
        ARMED.store(true, Ordering::SeqCst);
        let outcome = catch_unwind(AssertUnwindSafe(|| self.rt.block_on(call())));
        ARMED.store(false, Ordering::SeqCst);
        assert!(
            outcome.is_err(),
            "{what}: the injected panic did not happen"
        );
    }

    /// The handle is in autocommit, writes through it are committed (another
    /// connection sees them at once), and every acknowledged write is there.
    fn check(&mut self, what: &str) {
        let autocommit = self.db.backend().with_connection(|c| c.is_autocommit());
        assert!(
            autocommit,
            "{what}: the handle was left inside a transaction"
        );
        self.write();
        let expected = self.acknowledged;
        assert_eq!(
            count_from_another_connection(&self.path),
            expected,
            "{what}: another connection does not see every acknowledged write"
        );
    }
}

fn count_from_another_connection(path: &Path) -> i64 {
    let other = SqliteBackend::open(path).unwrap();
    // A handle stuck in a transaction holds the write lock: fail fast, not in 10 s.
    other.set_busy_timeout(Duration::from_millis(500)).unwrap();
    other.with_connection(|c| {
        c.query_row(
            "SELECT (SELECT count(*) FROM items) + (SELECT count(*) FROM log)",
            [],
            |r| r.get(0),
        )
        .unwrap()
    })
}

#[test]
fn a_panic_at_every_point_where_user_code_runs_loses_nothing_acknowledged() {
    let mut f = Fixture::new();
    f.write();

    let db = &f.db;
    // The D1 layer: serde rows of the last statement of a multi-statement call, which
    // runs in a transaction.
    f.panics_in("Deserialize, multi-statement prepare", || async {
        db.prepare("INSERT INTO log VALUES (2); SELECT n FROM log")
            .all::<BombRow>()
            .await
    });
    f.check("Deserialize, multi-statement prepare");

    let db = &f.db;
    f.panics_in("Deserialize, batch", || async {
        db.batch((
            db.prepare("INSERT INTO log VALUES (3)").run(),
            db.prepare("SELECT n FROM log").all::<BombRow>(),
        ))
        .await
    });
    f.check("Deserialize, batch");

    let db = &f.db;
    f.panics_in("Deserialize, first", || async {
        db.prepare("SELECT n FROM log").first::<BombRow>().await
    });
    f.check("Deserialize, first");

    // The table layer: a ColumnType conversion and a JSON document, in a batch, in a
    // write's RETURNING rows, and in a plain read.
    let db = &f.db;
    f.panics_in("ColumnType, batch", || async {
        db.batch((
            db.items()
                .insert(NewItem::builder().fuse(Fuse(2)).doc(Doc { n: 2 }).build()),
            db.items().many(),
        ))
        .await
    });
    f.check("ColumnType, batch");

    let db = &f.db;
    f.panics_in("JSON document, RETURNING in a batch", || async {
        db.batch((
            db.prepare("INSERT INTO log VALUES (4)").run(),
            db.items()
                .returning(|i| i.doc)
                .insert(NewItem::builder().fuse(Fuse(3)).doc(Doc { n: 3 }).build()),
        ))
        .await
    });
    f.check("JSON document, RETURNING in a batch");

    let db = &f.db;
    f.panics_in("JSON document, insert_many RETURNING", || async {
        db.items()
            .returning(|i| (i.fuse, i.doc))
            .insert_many((0..60).map(|n| NewItem::builder().fuse(Fuse(n)).doc(Doc { n }).build()))
            .await
    });
    f.check("JSON document, insert_many RETURNING");

    let db = &f.db;
    f.panics_in("ColumnType, read", || async { db.items().many().await });
    f.check("ColumnType, read");

    let db = &f.db;
    f.panics_in("JSON document, find", || async { db.items().find(1).await });
    f.check("JSON document, find");

    // The panicking calls wrote nothing: after a reopen, exactly the acknowledged rows.
    let expected = f.acknowledged;
    let path = f.path.clone();
    drop(f.db);
    assert_eq!(count_from_another_connection(&path), expected);
}

#[test]
fn a_transaction_left_open_by_raw_access_is_rolled_back() {
    let mut f = Fixture::new();
    f.db.backend().with_connection(|c| {
        c.execute_batch("BEGIN; INSERT INTO log VALUES (9)")
            .unwrap();
    });
    f.check("raw access left a transaction open");
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        f.db.backend().with_connection(|c| {
            c.execute_batch("BEGIN; INSERT INTO log VALUES (9)")
                .unwrap();
            panic!("injected panic in with_connection");
        })
    }));
    assert!(outcome.is_err());
    f.check("raw access panicked inside a transaction");
}
