//! Crash atomicity: a writer process is killed (SIGKILL) at a random moment, and what
//! it leaves on disk must be whole. Every unit of work (a `db.batch`, a multi-statement
//! `prepare(..).run()`, a callback batch, a `migrate` step) is in the file entirely or
//! not at all, the file passes `PRAGMA integrity_check`, and `migrate` run again
//! succeeds and leaves the full schema.
//!
//! `D1ORM_CRASH_TRIALS=N` runs N trials (10 by default; a long run is at least 100),
//! `D1ORM_CRASH_SEED=S` replays the kill delays of a printed seed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use d1orm::{Database, Schema, Table, Tx};
use d1orm_sqlite::SqliteBackend;

use crate::{Rng, TempDir, Worker, count_from_env, integrity_problems, seed_from_env};

/// Set in the writer process only: `<mode>:<database path>`.
const WRITER_ENV: &str = "D1ORM_CRASH_WRITER";
/// Printed by the writer as it starts: kill delays count from here.
const STARTED: &str = "d1orm-crash-writer: started";

/// Items: most of each unit's rows, with enough text to span several pages.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "crash_items", unique(unit, slot))]
pub struct CrashItem {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(index)]
    pub unit: i64,
    pub slot: i64,
    pub payload: String,
}

/// Notes: one or two rows per unit, in the same atomic unit as its items.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "crash_notes", index(unit, kind))]
pub struct CrashNote {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub unit: i64,
    pub kind: String,
    pub body: String,
}

/// One row counting the complete units.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "crash_counter")]
pub struct CrashCounter {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(check = "total >= 0")]
    pub total: i64,
}

/// Tables only the second migration step adds (never written): what `migrate` creates.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "crash_audit", index(item, at))]
pub struct CrashAudit {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(CrashItem::id), on_delete = "cascade")]
    pub item: i64,
    #[d1orm(default = "CURRENT_TIMESTAMP")]
    pub at: String,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "crash_tags", primary_key(item, tag), unique_index(tag, item))]
pub struct CrashTag {
    #[d1orm(references(CrashItem::id), on_delete = "cascade")]
    pub item: i64,
    pub tag: String,
    #[d1orm(default = 0)]
    pub weight: i64,
}

/// The first migration step of the fresh files.
fn base_schema() -> Schema {
    Schema::new()
        .table::<CrashItem>()
        .table::<CrashNote>()
        .table::<CrashCounter>()
}

/// Every table: the main database's schema and the fresh files' second step.
fn full_schema() -> Schema {
    base_schema().table::<CrashAudit>().table::<CrashTag>()
}

/// The tables and indexes a schema creates, by name.
fn objects_of(schema: &Schema) -> BTreeSet<String> {
    schema
        .tables
        .iter()
        .flat_map(|t| {
            std::iter::once(t.name.clone()).chain(t.indexes.iter().map(|i| i.name.clone()))
        })
        .collect()
}

/// A unit's kind, from its number: what it writes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// `db.batch((insert_many, prepared insert, typed update))`; the insert_many is
    /// split into two statements (120 parameters).
    Batch,
    /// One `prepare("INSERT ..; INSERT ..; INSERT ..; UPDATE ..").run()`.
    MultiStatement,
    /// `db.batch(|tx| ..)`: insert_many, insert and update staged.
    Callback,
}

impl Kind {
    fn of(unit: i64) -> Kind {
        match unit % 3 {
            1 => Kind::Batch,
            2 => Kind::MultiStatement,
            _ => Kind::Callback,
        }
    }

    /// Items and notes rows a complete unit has.
    fn rows(self) -> (i64, i64) {
        match self {
            Kind::Batch => (40, 1),
            Kind::MultiStatement => (3, 2),
            Kind::Callback => (6, 1),
        }
    }
}

fn payload(unit: i64, slot: i64) -> String {
    format!("unit {unit} slot {slot} ").repeat(12)
}

fn items(unit: i64, count: i64) -> Vec<NewCrashItem> {
    (0..count)
        .map(|slot| {
            NewCrashItem::builder()
                .unit(unit)
                .slot(slot)
                .payload(payload(unit, slot))
                .build()
        })
        .collect()
}

/// Writes unit `unit` atomically, in the way its kind says.
async fn write_unit(db: &Database<SqliteBackend>, unit: i64) -> d1orm::Result<()> {
    let (n_items, _) = Kind::of(unit).rows();
    match Kind::of(unit) {
        Kind::Batch => {
            db.batch((
                db.table::<CrashItem>().insert_many(items(unit, n_items)),
                db.prepare("INSERT INTO crash_notes (unit, kind, body) VALUES (?, 'batch', ?)")
                    .bind((unit, payload(unit, -1))),
                db.table::<CrashCounter>()
                    .where_(|c| c.id.eq(1))
                    .update(|c| c.total.add(1)),
            ))
            .await?;
        }
        Kind::MultiStatement => {
            let p = payload(unit, 0);
            db.prepare(format!(
                "INSERT INTO crash_items (unit, slot, payload) VALUES ({unit}, 0, '{p}'), ({unit}, 1, '{p}');\n\
                 INSERT INTO crash_items (unit, slot, payload) VALUES ({unit}, 2, '{p}');\n\
                 INSERT INTO crash_notes (unit, kind, body) VALUES ({unit}, 'multi', '{p}'), ({unit}, 'multi', 'second');\n\
                 UPDATE crash_counter SET total = total + 1 WHERE id = 1"
            ))
            .run()
            .await?;
        }
        Kind::Callback => {
            db.batch(|tx: &Tx| {
                tx.table::<CrashItem>().insert_many(items(unit, n_items));
                tx.table::<CrashNote>().insert(
                    NewCrashNote::builder()
                        .unit(unit)
                        .kind("callback")
                        .body(payload(unit, -1))
                        .build(),
                );
                tx.table::<CrashCounter>()
                    .where_(|c| c.id.eq(1))
                    .update(|c| c.total.add(1));
            })
            .await?;
        }
    }
    Ok(())
}

/// Creates a fresh database file in two migration steps.
async fn migrate_fresh(path: &Path) {
    let db = Database::new(SqliteBackend::open(path).expect("open a fresh file"));
    db.migrate(&base_schema()).await.expect("first step");
    db.migrate(&full_schema()).await.expect("second step");
}

/// The writer: runs only when re-executed by the test below, until it is killed.
#[tokio::test]
#[ignore = "the writer process of a_killed_writer_leaves_whole_units_or_nothing"]
async fn crash_writer() {
    let Ok(spec) = std::env::var(WRITER_ENV) else {
        return;
    };
    let (mode, path) = spec.split_once(':').expect("<mode>:<path>");
    let path = PathBuf::from(path);
    let dir = path.parent().expect("a directory").to_owned();
    println!("{STARTED}");
    match mode {
        // Fresh files migrated in two steps, one after the other.
        "migrate" => {
            for k in 0.. {
                migrate_fresh(&dir.join(format!("mig-{k}.db"))).await;
            }
        }
        // The main database: migrated, then units until killed, with a fresh file
        // migrated every 16 units.
        "writes" => {
            let db = Database::new(SqliteBackend::open(&path).expect("open"));
            db.migrate(&full_schema()).await.expect("migrate");
            db.table::<CrashCounter>()
                .upsert(NewCrashCounter::builder().id(1).total(0).build())
                .on_conflict(|c| c.id)
                .do_nothing()
                .await
                .expect("counter row");
            let done: Option<i64> = db
                .prepare("SELECT total FROM crash_counter WHERE id = 1")
                .first_column("total")
                .await
                .expect("counter");
            let mut unit = done.expect("the counter row") + 1;
            loop {
                write_unit(&db, unit).await.expect("a unit");
                if unit % 16 == 0 {
                    migrate_fresh(&dir.join(format!("mig-{unit}.db"))).await;
                }
                unit += 1;
            }
        }
        other => panic!("unknown mode {other}"),
    }
}

/// The user tables and indexes of a database, and its latest migration step (0 when
/// there is no history).
async fn objects(db: &Database<SqliteBackend>) -> (BTreeSet<String>, i64) {
    let names: Vec<(String,)> = db
        .prepare(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite%' AND name <> 'd1orm_migrations'",
        )
        .raw()
        .await
        .expect("sqlite_master");
    let names: BTreeSet<String> = names.into_iter().map(|(n,)| n).collect();
    let has_history: Option<i64> = db
        .prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'd1orm_migrations'")
        .first_column("n")
        .await
        .expect("sqlite_master");
    let step = if has_history == Some(1) {
        db.prepare("SELECT coalesce(max(step), 0) AS s FROM d1orm_migrations")
            .first_column::<i64>("s")
            .await
            .expect("history")
            .unwrap_or(0)
    } else {
        0
    };
    (names, step)
}

/// Opens a database after a kill and checks it is whole.
async fn open_checked(path: &Path, context: &str) -> Database<SqliteBackend> {
    let db = Database::new(
        SqliteBackend::open(path).unwrap_or_else(|e| panic!("{context}: reopening: {e}")),
    );
    let problems = integrity_problems(db.backend());
    assert!(problems.is_empty(), "{context}: {problems:?}");
    db
}

/// Migrates again and checks the full schema is there, and that one more run is a no-op.
async fn remigrate(db: &Database<SqliteBackend>, context: &str) {
    db.migrate(&full_schema())
        .await
        .unwrap_or_else(|e| panic!("{context}: migrate after the kill: {e}"));
    let (names, _) = objects(db).await;
    assert_eq!(
        names,
        objects_of(&full_schema()),
        "{context}: after migrate"
    );
    let again = db.migrate(&full_schema()).await.unwrap();
    assert_eq!(
        again.step, None,
        "{context}: a second migrate changed something"
    );
}

/// What a fresh file holds: nothing, the first step or both, never part of a step.
#[derive(Debug, Default)]
struct MigrateTally {
    empty: usize,
    base: usize,
    full: usize,
}

async fn check_migrated_file(path: &Path, tally: &mut MigrateTally, context: &str) {
    let context = format!("{context}, {}", path.display());
    let db = open_checked(path, &context).await;
    let state = objects(&db).await;
    if state == (BTreeSet::new(), 0) {
        tally.empty += 1;
    } else if state == (objects_of(&base_schema()), 1) {
        tally.base += 1;
    } else if state == (objects_of(&full_schema()), 2) {
        tally.full += 1;
    } else {
        panic!("{context}: a migration step is partly applied: {state:?}");
    }
    remigrate(&db, &context).await;
}

/// Checks the main database: whole units 1..=n and nothing else, the counter at n, and
/// the schema all there or not at all. Gives n.
async fn check_main(path: &Path, context: &str) -> i64 {
    let db = open_checked(path, context).await;
    let (names, step) = objects(&db).await;
    if names.is_empty() {
        assert_eq!(step, 0, "{context}: history without tables");
        remigrate(&db, context).await;
        return 0;
    }
    assert_eq!(
        (names, step),
        (objects_of(&full_schema()), 1),
        "{context}: the schema is partly applied"
    );
    let items: Vec<(i64, i64, i64, i64)> = db
        .prepare("SELECT unit, count(*), min(slot), max(slot) FROM crash_items GROUP BY unit")
        .raw()
        .await
        .unwrap();
    let notes: Vec<(i64, i64)> = db
        .prepare("SELECT unit, count(*) FROM crash_notes GROUP BY unit")
        .raw()
        .await
        .unwrap();
    let items: BTreeMap<i64, (i64, i64, i64)> = items
        .into_iter()
        .map(|(u, n, lo, hi)| (u, (n, lo, hi)))
        .collect();
    let notes: BTreeMap<i64, i64> = notes.into_iter().collect();
    let units: BTreeSet<i64> = items.keys().chain(notes.keys()).copied().collect();
    let last = units.last().copied().unwrap_or(0);
    for unit in 1..=last {
        let (n_items, n_notes) = Kind::of(unit).rows();
        assert_eq!(
            (items.get(&unit).copied(), notes.get(&unit).copied()),
            (Some((n_items, 0, n_items - 1)), Some(n_notes)),
            "{context}: unit {unit} ({:?}) is not whole (units present: {} .. {last}); (count, min slot, max slot) of items, count of notes",
            Kind::of(unit),
            units.first().unwrap_or(&0),
        );
    }
    assert_eq!(
        units.len() as i64,
        last,
        "{context}: units outside 1..={last}"
    );
    let total: Option<i64> = db
        .prepare("SELECT total FROM crash_counter WHERE id = 1")
        .first_column("total")
        .await
        .unwrap();
    assert_eq!(
        total.unwrap_or(0),
        last,
        "{context}: the counter disagrees with the complete units"
    );
    // Every item's text is the one written (a torn page would show here too).
    let wrong: Vec<(i64, i64)> = db
        .prepare("SELECT unit, slot, payload FROM crash_items")
        .raw::<(i64, i64, String)>()
        .await
        .unwrap()
        .into_iter()
        .filter(|(u, s, p)| {
            *p != if Kind::of(*u) == Kind::MultiStatement {
                payload(*u, 0)
            } else {
                payload(*u, *s)
            }
        })
        .map(|(u, s, _)| (u, s))
        .collect();
    assert!(
        wrong.is_empty(),
        "{context}: items with wrong text: {wrong:?}"
    );
    remigrate(&db, context).await;
    last
}

/// The `mig-*.db` files in `dir`.
fn migrated_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("mig-") && n.ends_with(".db"))
        })
        .collect();
    files.sort();
    files
}

fn remove_database(path: &Path) {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

#[tokio::test]
async fn a_killed_writer_leaves_whole_units_or_nothing() {
    let trials = count_from_env("D1ORM_CRASH_TRIALS", 10);
    let seed = seed_from_env("D1ORM_CRASH_SEED");
    println!("crash: {trials} trials, seed {seed} (D1ORM_CRASH_SEED={seed} replays the delays)");
    let started = Instant::now();
    let mut dir = TempDir::new("crash");
    let mut tally = MigrateTally::default();
    let mut units_total = 0;
    let mut units_before = 0;
    let mut before_first_unit = 0;
    for trial in 0..trials {
        let mut rng = Rng::new(seed ^ trial.wrapping_mul(0x9e37_79b9));
        let delay = Duration::from_millis(rng.between(5, 150));
        // Trials go in fours: a fresh database, two that continue it (recovering what
        // the kill left, then writing on), and one of fresh files migrated in a loop.
        let mode = if trial % 4 == 3 { "migrate" } else { "writes" };
        if trial % 4 == 0 || trial % 4 == 3 {
            dir = TempDir::new("crash");
            units_before = 0;
        }
        let path = dir.path().join("main.db");
        let context = format!("seed {seed}, trial {trial} ({mode}, killed after {delay:?})");
        let mut writer = Worker::spawn(
            "crash::crash_writer",
            (WRITER_ENV, &format!("{mode}:{}", path.display())),
        );
        if writer.wait_for(STARTED, Duration::from_secs(60)).is_none() {
            panic!("{context}: the writer did not start:\n{}", writer.output());
        }
        std::thread::sleep(delay);
        if let Some(status) = writer.try_wait() {
            panic!(
                "{context}: the writer ended by itself ({status}):\n{}",
                writer.output()
            );
        }
        writer.kill();
        if mode == "writes" {
            let units = check_main(&path, &context).await;
            if units == units_before {
                before_first_unit += 1;
            }
            units_total += units - units_before;
            units_before = units;
        }
        for file in migrated_files(dir.path()) {
            check_migrated_file(&file, &mut tally, &context).await;
            remove_database(&file);
        }
    }
    println!(
        "crash: {trials} trials in {:.1?}: {units_total} units committed, \
         {before_first_unit} kills before a trial's first unit; fresh files: {} empty, {} at step 1, {} at step 2",
        started.elapsed(),
        tally.empty,
        tally.base,
        tally.full
    );
    if trials >= 4 {
        assert!(
            units_total > 0,
            "seed {seed}: no writer ever completed a unit: the test checks nothing"
        );
    }
}
