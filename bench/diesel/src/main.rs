//! diesel against raw rusqlite (`prepare_cached`, the reference), scenario by scenario,
//! on `:memory:` and on a WAL file: the benchmark's diesel peer, in a process of its own
//! (see Cargo.toml). `bench/benches/orm.rs` runs it and reads what it prints.
//!
//! Arguments: `--bench` to measure (otherwise each variant runs once and their results
//! are compared). Environment: `BENCH_SCHEMA` (the tables' SQL, from the d1orm side, so
//! both processes read the same schema), `BENCH_ROUNDS`, `BENCH_SAMPLE_MS`, `BENCH_ONLY`
//! as for the benchmark.
//!
//! Output, one line each, tab-separated: `sqlite <version>`, then per variant
//! `figures <scenario key> <storage> <variant> <median ns> <ratio> <calls a sample>`.

// The benchmark's own harness; what only the d1orm side calls (`block_on`, `human`)
// goes unused here.
#[path = "../../src/harness.rs"]
#[allow(dead_code)]
mod harness;
mod schema;

use std::cell::{Cell, RefCell};
use std::path::Path;
use std::time::Duration;

use diesel::Connection as _;
use diesel::connection::SimpleConnection as _;
use diesel::prelude::*;
use diesel::upsert::excluded;
use harness::{Figures, Scratch, Settings, Storage, Variant, measure, raw_connection};
use rusqlite::{Connection, params};
use schema::{DDoc, DItem, DUser, ROWS};

const USER_SQL: &str =
    r#"SELECT "id", "email", "name", "age", "score" FROM "users" WHERE "id" = ?1"#;
const ALL_USERS_SQL: &str = r#"SELECT "id", "email", "name", "age", "score" FROM "users""#;
const ALL_DOCS_SQL: &str = r#"SELECT "id", "title", "profile" FROM "docs""#;
const INSERT_ITEM_SQL: &str =
    r#"INSERT INTO "items" ("id", "email", "name", "age", "score") VALUES (?1, ?2, ?3, ?4, ?5)"#;
const INSERT_DOC_SQL: &str = r#"INSERT INTO "docs" ("id", "title", "profile") VALUES (?1, ?2, ?3)"#;
const UPDATE_USER_SQL: &str = r#"UPDATE "users" SET "age" = "age" + 1 WHERE "id" = ?1"#;
const SELECT_USER_SQL: &str = r#"SELECT "id", "email", "age" FROM "users" WHERE "id" = ?1"#;
const UPSERT_USER_SQL: &str = r#"INSERT INTO "users" ("id", "email", "name", "age", "score") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT ("email") DO UPDATE SET "id" = excluded."id", "name" = excluded."name", "age" = excluded."age", "score" = excluded."score""#;
/// As in the benchmark: each measured insert starts from an empty table and WAL.
const EMPTY_ITEMS: &str = r#"DELETE FROM "items"; PRAGMA wal_checkpoint(RESTART)"#;
const DELETE_ITEMS: &str = r#"DELETE FROM "items""#;

/// The benchmark's sizes (`bench/benches/orm.rs`).
const INSERT_ROWS: i64 = 10_000;
const BATCH_STATEMENTS: i64 = 100;
const ROUND_ROBIN: u64 = 40;
const UPSERT_ROWS: i64 = 1_000;
/// diesel's multi-row inserts: as many rows as SQLite's default limit of 32,766
/// parameters allows (5 a row).
const DIESEL_CHUNK: usize = 32_766 / 5;

fn user_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<DUser> {
    Ok(DUser {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        age: row.get(3)?,
        score: row.get(4)?,
    })
}

fn doc_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<DDoc> {
    let json = row.get_ref(2)?.as_str()?;
    Ok(DDoc {
        id: row.get(0)?,
        title: row.get(1)?,
        profile: serde_json::from_str(json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?,
    })
}

/// The two variants' databases for one scenario.
struct Setup {
    cached: Connection,
    diesel: SqliteConnection,
}

/// Fills `users` and `docs` through rusqlite.
fn populate(conn: &Connection, schema_sql: &str) {
    conn.execute_batch(schema_sql).expect("schema");
    let tx = conn.unchecked_transaction().expect("begin");
    for i in 1..=ROWS {
        let u = schema::user(i, 0);
        conn.prepare_cached(UPSERT_USER_SQL)
            .and_then(|mut s| s.execute(params![u.id, u.email, u.name, u.age, u.score]))
            .expect("user");
        let d = schema::doc(i);
        let profile = serde_json::to_string(&d.profile).expect("json");
        conn.prepare_cached(INSERT_DOC_SQL)
            .and_then(|mut s| s.execute(params![d.id, d.title, profile]))
            .expect("doc");
    }
    tx.commit().expect("commit");
}

/// A diesel connection set up as the others, filled through diesel.
fn diesel_connection(path: Option<&Path>, schema_sql: &str) -> SqliteConnection {
    use schema::docs;
    let url = path.map_or(":memory:".to_owned(), |p| p.display().to_string());
    let mut conn = SqliteConnection::establish(&url).expect("diesel connection");
    let mut setup = String::from("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;");
    if path.is_some() {
        setup.push_str("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    }
    conn.batch_execute(&setup).expect("pragmas");
    conn.batch_execute(schema_sql).expect("schema");
    let users: Vec<DUser> = (1..=ROWS).map(|i| schema::user(i, 0)).collect();
    let rows: Vec<_> = users.iter().map(DUser::new_user).collect();
    diesel::insert_into(schema::users::table)
        .values(&rows)
        .execute(&mut conn)
        .expect("users");
    for i in 1..=ROWS {
        let d = schema::doc(i);
        diesel::insert_into(docs::table)
            .values((
                docs::id.eq(d.id),
                docs::title.eq(&d.title),
                docs::profile.eq(serde_json::to_string(&d.profile).expect("json")),
            ))
            .execute(&mut conn)
            .expect("doc");
    }
    conn
}

impl Setup {
    fn new(storage: Storage, scratch: &Scratch, scenario: &str, schema_sql: &str) -> Setup {
        let path = |variant: &str| match storage {
            Storage::Memory => None,
            Storage::Wal => Some(scratch.file(&format!("{scenario}-{variant}"))),
        };
        let cached = raw_connection(path("cached").as_deref());
        populate(&cached, schema_sql);
        let diesel = diesel_connection(path("diesel").as_deref(), schema_sql);
        Setup { cached, diesel }
    }
}

/// Cycles 1, 2, …, n, 1, …
fn cycle(counter: &Cell<i64>, n: i64) -> i64 {
    let next = counter.get() % n + 1;
    counter.set(next);
    next
}

fn point_lookup(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let Setup { cached, diesel } = s;
    let mut diesel_find = |id: i64| -> DUser {
        schema::users::table
            .find(id)
            .select(DUser::as_select())
            .get_result(diesel)
            .expect("diesel")
    };
    for id in [1, 500, ROWS] {
        let a = cached
            .query_row(USER_SQL, [id], user_from)
            .expect("rusqlite");
        assert_eq!(a, diesel_find(id));
    }
    let (c1, c2) = (Cell::new(0), Cell::new(0));
    let mut variants = [
        Variant::timed("rusqlite prepare_cached", || {
            let id = cycle(&c1, ROWS);
            let u = cached
                .prepare_cached(USER_SQL)
                .and_then(|mut st| st.query_row([id], user_from))
                .expect("rusqlite");
            std::hint::black_box(u);
        }),
        Variant::timed("diesel", || {
            std::hint::black_box(diesel_find(cycle(&c2, ROWS)));
        }),
    ];
    measure(settings, &mut variants)
}

fn read_users(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let Setup { cached, diesel } = s;
    let read_cached = || -> Vec<DUser> {
        cached
            .prepare_cached(ALL_USERS_SQL)
            .and_then(|mut st| st.query_map([], user_from)?.collect())
            .expect("rusqlite")
    };
    let mut read_diesel = || -> Vec<DUser> {
        schema::users::table
            .select(DUser::as_select())
            .load(diesel)
            .expect("diesel")
    };
    let a = read_cached();
    assert_eq!(a.len(), ROWS as usize);
    assert_eq!(a, read_diesel());
    let mut variants = [
        Variant::timed("rusqlite prepare_cached", || {
            std::hint::black_box(read_cached());
        }),
        Variant::timed("diesel", || {
            std::hint::black_box(read_diesel());
        }),
    ];
    measure(settings, &mut variants)
}

fn read_json(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let Setup { cached, diesel } = s;
    let read_cached = || -> Vec<DDoc> {
        cached
            .prepare_cached(ALL_DOCS_SQL)
            .and_then(|mut st| st.query_map([], doc_from)?.collect())
            .expect("rusqlite")
    };
    let mut read_diesel = || -> Vec<DDoc> {
        schema::docs::table
            .select(DDoc::as_select())
            .load(diesel)
            .expect("diesel")
    };
    let a = read_cached();
    assert_eq!(a.len(), ROWS as usize);
    assert_eq!(a, read_diesel());
    let mut variants = [
        Variant::timed("rusqlite prepare_cached + serde_json", || {
            std::hint::black_box(read_cached());
        }),
        Variant::timed("diesel", || {
            std::hint::black_box(read_diesel());
        }),
    ];
    measure(settings, &mut variants)
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!(r#"SELECT count(*) FROM "{table}""#), [], |r| {
        r.get(0)
    })
    .expect("count")
}

fn insert_rows(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let data: Vec<DUser> = (1..=INSERT_ROWS).map(|i| schema::user(i, 0)).collect();
    let diesel_rows: Vec<DItem<'_>> = data.iter().map(DUser::item).collect();
    let Setup { cached, diesel } = s;
    let diesel = RefCell::new(diesel);
    let mut variants = [
        Variant::with_setup(
            "rusqlite prepare_cached, a row a statement",
            || cached.execute_batch(EMPTY_ITEMS).expect("empty"),
            |()| {
                let tx = cached.unchecked_transaction().expect("begin");
                for u in &data {
                    cached
                        .prepare_cached(INSERT_ITEM_SQL)
                        .and_then(|mut st| {
                            st.execute(params![u.id, u.email, u.name, u.age, u.score])
                        })
                        .expect("insert");
                }
                tx.commit().expect("commit");
            },
        ),
        Variant::with_setup(
            "diesel, multi-row chunks",
            || {
                diesel
                    .borrow_mut()
                    .batch_execute(EMPTY_ITEMS)
                    .expect("empty")
            },
            |()| {
                diesel
                    .borrow_mut()
                    .transaction::<_, diesel::result::Error, _>(|c| {
                        for chunk in diesel_rows.chunks(DIESEL_CHUNK) {
                            diesel::insert_into(schema::items::table)
                                .values(chunk)
                                .execute(c)?;
                        }
                        Ok(())
                    })
                    .expect("diesel");
            },
        ),
    ];
    let figures = measure(settings, &mut variants);
    drop(variants);
    assert_eq!(count(cached, "items"), INSERT_ROWS);
    let n: i64 = schema::items::table
        .count()
        .get_result(*diesel.borrow_mut())
        .expect("count");
    assert_eq!(n, INSERT_ROWS);
    figures
}

/// What the mixed batch's `k`-th statement does, as in the benchmark.
enum Step {
    Insert(DUser),
    Update(i64),
    Select(i64),
}

fn batch_steps() -> Vec<Step> {
    (0..BATCH_STATEMENTS)
        .map(|k| match k % 3 {
            0 => Step::Insert(schema::user(k + 1, 0)),
            1 => Step::Update(k * 7 % ROWS + 1),
            _ => Step::Select(k * 13 % ROWS + 1),
        })
        .collect()
}

type Selected = (i64, String, i64);

fn mixed_batch(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let steps = batch_steps();
    let Setup { cached, diesel } = s;
    let run_cached = |conn: &Connection| -> Vec<Selected> {
        let tx = conn.unchecked_transaction().expect("begin");
        let mut selected = Vec::new();
        for step in &steps {
            match step {
                Step::Insert(u) => conn
                    .prepare_cached(INSERT_ITEM_SQL)
                    .and_then(|mut st| st.execute(params![u.id, u.email, u.name, u.age, u.score]))
                    .map(drop),
                Step::Update(id) => conn
                    .prepare_cached(UPDATE_USER_SQL)
                    .and_then(|mut st| st.execute([id]))
                    .map(drop),
                Step::Select(id) => conn
                    .prepare_cached(SELECT_USER_SQL)
                    .and_then(|mut st| {
                        st.query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                    })
                    .map(|row| selected.push(row)),
            }
            .expect("statement");
        }
        tx.commit().expect("commit");
        selected
    };
    let run_diesel = |conn: &mut SqliteConnection| -> Vec<Selected> {
        use schema::{items, users};
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            let mut selected = Vec::new();
            for step in &steps {
                match step {
                    Step::Insert(u) => {
                        diesel::insert_into(items::table)
                            .values(&u.item())
                            .execute(c)?;
                    }
                    Step::Update(id) => {
                        diesel::update(users::table.find(id))
                            .set(users::age.eq(users::age + 1))
                            .execute(c)?;
                    }
                    Step::Select(id) => selected.push(
                        users::table
                            .find(id)
                            .select((users::id, users::email, users::age))
                            .get_result(c)?,
                    ),
                }
            }
            Ok(selected)
        })
        .expect("diesel")
    };
    // The same rows selected by both (ages move together: both have run the same
    // batches).
    cached.execute_batch(DELETE_ITEMS).expect("empty");
    diesel.batch_execute(DELETE_ITEMS).expect("empty");
    let a = run_cached(cached);
    assert_eq!(a, run_diesel(diesel));
    let diesel = RefCell::new(diesel);
    let mut variants = [
        Variant::with_setup(
            "rusqlite prepare_cached",
            || cached.execute_batch(DELETE_ITEMS).expect("empty"),
            |()| {
                std::hint::black_box(run_cached(cached));
            },
        ),
        Variant::with_setup(
            "diesel transaction",
            || {
                diesel
                    .borrow_mut()
                    .batch_execute(DELETE_ITEMS)
                    .expect("empty")
            },
            |()| {
                std::hint::black_box(run_diesel(&mut diesel.borrow_mut()));
            },
        ),
    ];
    measure(settings, &mut variants)
}

fn round_robin(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let sqls: Vec<String> = (1..=ROUND_ROBIN)
        .map(|n| format!("{USER_SQL} LIMIT {n}"))
        .collect();
    let Setup { cached, diesel } = s;
    let id_of = |k: u64| (k * 37 % ROWS as u64) as i64 + 1;
    let cached_call = |k: u64| -> Vec<DUser> {
        cached
            .prepare_cached(&sqls[(k % ROUND_ROBIN) as usize])
            .and_then(|mut st| st.query_map([id_of(k)], user_from)?.collect())
            .expect("rusqlite")
    };
    let mut diesel_call = |k: u64| -> Vec<DUser> {
        schema::users::table
            .filter(schema::users::id.eq(id_of(k)))
            .limit((k % ROUND_ROBIN + 1) as i64)
            .select(DUser::as_select())
            .load(diesel)
            .expect("diesel")
    };
    for k in 0..ROUND_ROBIN {
        let a = cached_call(k);
        assert_eq!(a.len(), 1);
        assert_eq!(a, diesel_call(k));
    }
    let (k1, k2) = (Cell::new(0u64), Cell::new(0u64));
    let next = |c: &Cell<u64>| {
        let k = c.get();
        c.set(k + 1);
        k
    };
    let mut variants = [
        Variant::timed("rusqlite prepare_cached (cache of 256)", || {
            std::hint::black_box(cached_call(next(&k1)));
        }),
        Variant::timed("diesel (binds LIMIT)", || {
            std::hint::black_box(diesel_call(next(&k2)));
        }),
    ];
    measure(settings, &mut variants)
}

fn upsert_rows(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let Setup { cached, diesel } = s;
    let rows =
        |round: i64| -> Vec<DUser> { (1..=UPSERT_ROWS).map(|i| schema::user(i, round)).collect() };
    let upsert_cached = |data: &[DUser]| {
        let tx = cached.unchecked_transaction().expect("begin");
        for u in data {
            cached
                .prepare_cached(UPSERT_USER_SQL)
                .and_then(|mut st| st.execute(params![u.id, u.email, u.name, u.age, u.score]))
                .expect("upsert");
        }
        tx.commit().expect("commit");
    };
    let upsert_diesel = |conn: &mut SqliteConnection, data: &[DUser]| {
        use schema::users;
        // diesel has no multi-row upsert on SQLite: a row a statement, in a transaction.
        conn.transaction::<_, diesel::result::Error, _>(|c| {
            for u in data {
                diesel::insert_into(users::table)
                    .values(&u.new_user())
                    .on_conflict(users::email)
                    .do_update()
                    .set((
                        users::id.eq(excluded(users::id)),
                        users::name.eq(excluded(users::name)),
                        users::age.eq(excluded(users::age)),
                        users::score.eq(excluded(users::score)),
                    ))
                    .execute(c)?;
            }
            Ok(())
        })
        .expect("diesel");
    };
    // Both leave the same rows.
    let probe = rows(7);
    upsert_cached(&probe);
    upsert_diesel(diesel, &probe);
    let a: Vec<DUser> = cached
        .prepare(ALL_USERS_SQL)
        .and_then(|mut st| st.query_map([], user_from)?.collect())
        .expect("read");
    let b: Vec<DUser> = schema::users::table
        .select(DUser::as_select())
        .load(diesel)
        .expect("diesel");
    assert_eq!(a, b);
    assert_eq!(a[41], probe[41]);
    let (r1, r2) = (Cell::new(0), Cell::new(0));
    let next = |c: &Cell<i64>| {
        let k = c.get() + 1;
        c.set(k);
        rows(k)
    };
    let mut variants = [
        Variant::with_setup(
            "rusqlite prepare_cached, a row a statement",
            || next(&r1),
            |data| upsert_cached(&data),
        ),
        Variant::with_setup(
            "diesel, a row a statement",
            || next(&r2),
            |data| upsert_diesel(diesel, &data),
        ),
    ];
    measure(settings, &mut variants)
}

fn single_writes(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    use schema::users;
    let Setup { cached, diesel } = s;
    let ages_cached = |c: &Connection| -> i64 {
        c.query_row(r#"SELECT sum("age") FROM "users""#, [], |r| r.get(0))
            .expect("ages")
    };
    let base = ages_cached(cached);
    let next = |calls: &Cell<i64>| {
        calls.set(calls.get() + 1);
        calls.get() % ROWS + 1
    };
    let (c1, c2) = (Cell::new(0), Cell::new(0));
    let mut variants = [
        Variant::timed("rusqlite prepare_cached, autocommit", || {
            let id = next(&c1);
            let n = cached
                .prepare_cached(UPDATE_USER_SQL)
                .and_then(|mut st| st.execute([id]))
                .expect("rusqlite");
            assert_eq!(n, 1);
        }),
        Variant::timed("diesel", || {
            let id = next(&c2);
            let n = diesel::update(users::table.find(id))
                .set(users::age.eq(users::age + 1))
                .execute(diesel)
                .expect("diesel");
            assert_eq!(n, 1);
        }),
    ];
    let figures = measure(settings, &mut variants);
    drop(variants);
    // Each added as many years as it ran calls.
    assert_eq!(ages_cached(cached), base + c1.get());
    let diesel_ages: Vec<i64> = users::table.select(users::age).load(diesel).expect("ages");
    assert_eq!(diesel_ages.iter().sum::<i64>(), base + c2.get());
    figures
}

type Scenario = fn(&mut Setup, &Settings) -> Vec<Figures>;

/// The benchmark's scenario keys.
const SCENARIOS: [(&str, Scenario); 8] = [
    ("point", point_lookup),
    ("read", read_users),
    ("json", read_json),
    ("insert", insert_rows),
    ("batch", mixed_batch),
    ("round-robin", round_robin),
    ("upsert", upsert_rows),
    ("write", single_writes),
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let settings = if std::env::args().any(|a| a == "--bench") {
        Settings {
            rounds: env_number("BENCH_ROUNDS", 31) as usize,
            sample: Duration::from_millis(env_number("BENCH_SAMPLE_MS", 20)),
            profile: None,
        }
    } else {
        Settings::smoke()
    };
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();
    let schema_sql = std::env::var("BENCH_SCHEMA").expect("BENCH_SCHEMA: the tables' SQL");

    // One SQLite in the process, for both variants.
    let sqlite = rusqlite::version();
    let mut probe = SqliteConnection::establish(":memory:").expect("diesel");
    let diesel_sqlite: String = diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
        "sqlite_version()",
    ))
    .get_result(&mut probe)
    .expect("version");
    assert_eq!(
        sqlite, diesel_sqlite,
        "rusqlite and diesel link different SQLites"
    );
    println!("sqlite\t{sqlite}");

    let scratch = Scratch::new();
    for (key, run) in SCENARIOS {
        if !key.contains(only.as_str()) {
            continue;
        }
        for storage in [Storage::Memory, Storage::Wal] {
            let mut setup = Setup::new(storage, &scratch, key, &schema_sql);
            for f in run(&mut setup, &settings) {
                println!(
                    "figures\t{key}\t{}\t{}\t{}\t{}\t{}",
                    storage.label(),
                    f.name,
                    f.median.as_nanos(),
                    f.ratio,
                    f.calls
                );
            }
        }
    }
}
