//! d1orm on the SQLite backend against raw rusqlite (`prepare_cached`, the reference,
//! and a held `Statement`, the floor), scenario by scenario, on `:memory:` and on a WAL
//! file, in one interleaved run; then diesel against raw rusqlite in a process of its
//! own (`bench/diesel`: diesel links an older SQLite than the workspace's), which this
//! benchmark builds and runs.
//!
//! `cargo bench -p d1orm-bench` measures (`./scripts/bench` also writes BENCHMARKS.md);
//! under `cargo test` each variant runs once and the variants' results are compared.
//!
//! Environment: `BENCH_ROUNDS` (default 31), `BENCH_SAMPLE_MS` (default 20),
//! `BENCH_OUT` (a file for the Markdown table), `BENCH_ONLY` (run the scenarios whose
//! key contains it: point, read, json, insert, batch, round-robin, upsert, write),
//! `BENCH_PROFILE` with `BENCH_CALLS` (no measurement: run the variants whose name
//! contains it that many calls, on `:memory:`, for callgrind).

use std::cell::Cell;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use d1orm::Database;
use d1orm::table::create_table_sql;
use d1orm_bench::schema::{
    self, Doc, DocTable, Item, ItemTable, NewItem, NewUser, ROWS, User, UserTable,
};
use d1orm_bench::{Figures, Scratch, Settings, Storage, Variant, block_on, human, measure};
use d1orm_sqlite::SqliteBackend;
use rusqlite::{Connection, params};

type Db = Database<SqliteBackend>;

const USER_COLUMNS: &str = r#""id", "email", "name", "age", "score""#;

fn user_by_id_sql() -> String {
    format!(r#"SELECT {USER_COLUMNS} FROM "users" WHERE "id" = ?1"#)
}

fn all_users_sql() -> String {
    format!(r#"SELECT {USER_COLUMNS} FROM "users""#)
}

const ALL_DOCS_SQL: &str = r#"SELECT "id", "title", "profile" FROM "docs""#;
const INSERT_ITEM_SQL: &str =
    r#"INSERT INTO "items" ("id", "email", "name", "age", "score") VALUES (?1, ?2, ?3, ?4, ?5)"#;
const UPDATE_USER_SQL: &str = r#"UPDATE "users" SET "age" = "age" + 1 WHERE "id" = ?1"#;
const SELECT_USER_SQL: &str = r#"SELECT "id", "email", "age" FROM "users" WHERE "id" = ?1"#;
const UPSERT_USER_SQL: &str = r#"INSERT INTO "users" ("id", "email", "name", "age", "score") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT ("email") DO UPDATE SET "id" = excluded."id", "name" = excluded."name", "age" = excluded."age", "score" = excluded."score""#;

/// Empties the table the insert scenario fills, and the WAL with it: each measured
/// insert (some 300 pages) then starts from an empty WAL, so no variant pays for a
/// checkpoint that another run's pages caused (a no-op on `:memory:`). The mixed batch
/// writes a few pages a run, so its checkpoints fall evenly and it only empties the
/// table.
const EMPTY_ITEMS: &str = r#"DELETE FROM "items"; PRAGMA wal_checkpoint(RESTART)"#;
const DELETE_ITEMS: &str = r#"DELETE FROM "items""#;

/// Rows inserted in one batch.
const INSERT_ROWS: i64 = 10_000;
/// Statements in the mixed batch.
const BATCH_STATEMENTS: i64 = 100;
/// Distinct statements in the round robin.
const ROUND_ROBIN: u64 = 40;
/// Rows upserted at once.
const UPSERT_ROWS: i64 = 1_000;

fn user_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    Ok(User {
        id: row.get(0)?,
        email: row.get(1)?,
        name: row.get(2)?,
        age: row.get(3)?,
        score: row.get(4)?,
    })
}

fn doc_from(row: &rusqlite::Row<'_>) -> rusqlite::Result<Doc> {
    let json = row.get_ref(2)?.as_str()?;
    Ok(Doc {
        id: row.get(0)?,
        title: row.get(1)?,
        profile: serde_json::from_str(json).map_err(|e| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, e.into())
        })?,
    })
}

/// One variant's database for one scenario.
struct Setup {
    d1: Db,
    cached: Connection,
    held: Connection,
}

fn schema_sql() -> Vec<String> {
    vec![
        create_table_sql::<User>(),
        create_table_sql::<Item>(),
        create_table_sql::<Doc>(),
    ]
}

/// Fills `users` and `docs` through rusqlite.
fn populate(conn: &Connection) {
    for sql in schema_sql() {
        conn.execute_batch(&sql).expect("schema");
    }
    let tx = conn.unchecked_transaction().expect("begin");
    for i in 1..=ROWS {
        let u = schema::user(i, 0);
        conn.prepare_cached(UPSERT_USER_SQL)
            .and_then(|mut s| s.execute(params![u.id, u.email, u.name, u.age, u.score]))
            .expect("user");
        let d = schema::doc(i);
        conn.prepare_cached(r#"INSERT INTO "docs" ("id", "title", "profile") VALUES (?1, ?2, ?3)"#)
            .and_then(|mut s| {
                s.execute(params![
                    d.id,
                    d.title,
                    serde_json::to_string(&d.profile).expect("json")
                ])
            })
            .expect("doc");
    }
    tx.commit().expect("commit");
}

impl Setup {
    fn new(storage: Storage, scratch: &Scratch, scenario: &str) -> Setup {
        let path = |variant: &str| match storage {
            Storage::Memory => None,
            Storage::Wal => Some(scratch.file(&format!("{scenario}-{variant}"))),
        };
        let backend = match path("d1orm") {
            Some(p) => SqliteBackend::open(p),
            None => SqliteBackend::open_in_memory(),
        }
        .expect("backend");
        backend.with_connection(populate);
        let d1 = Database::new(backend);
        let cached = d1orm_bench::raw_connection(path("cached").as_deref());
        populate(&cached);
        let held = d1orm_bench::raw_connection(path("held").as_deref());
        populate(&held);
        Setup { d1, cached, held }
    }
}

/// Cycles 1, 2, …, n, 1, …
fn cycle(counter: &Cell<i64>, n: i64) -> i64 {
    let next = counter.get() % n + 1;
    counter.set(next);
    next
}

/// A scenario's result: its name, the target, and the figures per storage.
struct Outcome {
    key: &'static str,
    scenario: &'static str,
    target: &'static str,
    storage: Storage,
    figures: Vec<Figures>,
}

fn point_lookup(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let sql = user_by_id_sql();
    // Every variant reads the same rows and gets the same structs.
    for id in [1, 500, ROWS] {
        let a: User = block_on(s.d1.users().where_(|u| u.id.eq(id)).one()).expect("d1orm");
        let found = block_on(s.d1.users().find(id)).expect("d1orm find");
        assert_eq!(found.as_ref(), Some(&a));
        let b = s.cached.query_row(&sql, [id], user_from).expect("rusqlite");
        assert_eq!(a, b);
    }
    let Setup { d1, cached, held } = s;
    let mut held_stmt = held.prepare(&sql).expect("prepare");
    let (c1, c2, c3, c4) = (Cell::new(0), Cell::new(0), Cell::new(0), Cell::new(0));
    let mut variants = [
        Variant::timed("rusqlite prepare_cached", || {
            let id = cycle(&c1, ROWS);
            let u = cached
                .prepare_cached(&sql)
                .and_then(|mut st| st.query_row([id], user_from))
                .expect("rusqlite");
            std::hint::black_box(u);
        }),
        Variant::timed("rusqlite held statement", || {
            let id = cycle(&c2, ROWS);
            let u = held_stmt.query_row([id], user_from).expect("rusqlite");
            std::hint::black_box(u);
        }),
        // `find` is the lookup by key, as diesel's `find`; the chain with `where_` and
        // `one()` builds its SQL per call and checks there is no second row.
        Variant::timed("d1orm find", || {
            let id = cycle(&c3, ROWS);
            let u = block_on(d1.users().find(id)).expect("d1orm");
            std::hint::black_box(u.expect("a row"));
        }),
        Variant::timed("d1orm where_ + one()", || {
            let id = cycle(&c4, ROWS);
            let u: User = block_on(d1.users().where_(|u| u.id.eq(id)).one()).expect("d1orm");
            std::hint::black_box(u);
        }),
    ];
    measure(settings, &mut variants)
}

fn read_users(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let sql = all_users_sql();
    let a = block_on(s.d1.users().many()).expect("d1orm").rows;
    let b: Vec<User> = s
        .cached
        .prepare(&sql)
        .and_then(|mut st| st.query_map([], user_from)?.collect())
        .expect("rusqlite");
    assert_eq!(a.len(), ROWS as usize);
    assert_eq!(a, b);
    let Setup { d1, cached, held } = s;
    let mut held_stmt = held.prepare(&sql).expect("prepare");
    let mut variants = [
        Variant::timed("rusqlite prepare_cached", || {
            let rows: Vec<User> = cached
                .prepare_cached(&sql)
                .and_then(|mut st| st.query_map([], user_from)?.collect())
                .expect("rusqlite");
            std::hint::black_box(rows);
        }),
        Variant::timed("rusqlite held statement", || {
            let rows: rusqlite::Result<Vec<User>> =
                held_stmt.query_map([], user_from).and_then(|r| r.collect());
            std::hint::black_box(rows.expect("rusqlite"));
        }),
        Variant::timed("d1orm", || {
            let rows = block_on(d1.users().many()).expect("d1orm").rows;
            std::hint::black_box(rows);
        }),
    ];
    measure(settings, &mut variants)
}

fn read_json(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let a = block_on(s.d1.docs().many()).expect("d1orm").rows;
    let b: Vec<Doc> = s
        .cached
        .prepare(ALL_DOCS_SQL)
        .and_then(|mut st| st.query_map([], doc_from)?.collect())
        .expect("rusqlite");
    assert_eq!(a.len(), ROWS as usize);
    assert_eq!(a, b);
    let Setup { d1, cached, held } = s;
    let mut held_stmt = held.prepare(ALL_DOCS_SQL).expect("prepare");
    let mut variants = [
        Variant::timed("rusqlite prepare_cached + serde_json", || {
            let rows: Vec<Doc> = cached
                .prepare_cached(ALL_DOCS_SQL)
                .and_then(|mut st| st.query_map([], doc_from)?.collect())
                .expect("rusqlite");
            std::hint::black_box(rows);
        }),
        Variant::timed("rusqlite held statement + serde_json", || {
            let rows: rusqlite::Result<Vec<Doc>> =
                held_stmt.query_map([], doc_from).and_then(|r| r.collect());
            std::hint::black_box(rows.expect("rusqlite"));
        }),
        Variant::timed("d1orm", || {
            let rows = block_on(d1.docs().many()).expect("d1orm").rows;
            std::hint::black_box(rows);
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

/// Rows a multi-row INSERT takes within D1's 100 parameters.
const CHUNK_ROWS: usize = 20;

/// `INSERT INTO "items" (..) VALUES (?, ?, ?, ?, ?), ..` for `rows` rows.
fn insert_items_sql(rows: usize) -> String {
    let values = vec!["(?, ?, ?, ?, ?)"; rows].join(", ");
    format!(r#"INSERT INTO "items" ("id", "email", "name", "age", "score") VALUES {values}"#)
}

/// The multi-row form by hand: what PERF.md measures at 0.60x on its table.
fn insert_chunked(conn: &Connection, data: &[User]) {
    let full = insert_items_sql(CHUNK_ROWS);
    let tx = conn.unchecked_transaction().expect("begin");
    for chunk in data.chunks(CHUNK_ROWS) {
        let tail;
        let sql = if chunk.len() == CHUNK_ROWS {
            &full
        } else {
            tail = insert_items_sql(chunk.len());
            &tail
        };
        let mut st = conn.prepare_cached(sql).expect("prepare");
        for (k, u) in chunk.iter().enumerate() {
            let at = k * 5;
            st.raw_bind_parameter(at + 1, u.id).expect("bind");
            st.raw_bind_parameter(at + 2, &u.email).expect("bind");
            st.raw_bind_parameter(at + 3, &u.name).expect("bind");
            st.raw_bind_parameter(at + 4, u.age).expect("bind");
            st.raw_bind_parameter(at + 5, u.score).expect("bind");
        }
        st.raw_execute().expect("insert");
    }
    tx.commit().expect("commit");
}

fn insert_rows(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let data: Vec<User> = (1..=INSERT_ROWS).map(|i| schema::user(i, 0)).collect();
    let Setup { d1, cached, held } = s;
    let empty_d1 = || {
        d1.backend()
            .with_connection(|c| c.execute_batch(EMPTY_ITEMS))
            .expect("empty");
    };
    let mut held_stmt = held.prepare(INSERT_ITEM_SQL).expect("prepare");
    let insert_cached = |conn: &Connection| {
        let tx = conn.unchecked_transaction().expect("begin");
        for u in &data {
            conn.prepare_cached(INSERT_ITEM_SQL)
                .and_then(|mut st| st.execute(params![u.id, u.email, u.name, u.age, u.score]))
                .expect("insert");
        }
        tx.commit().expect("commit");
    };
    let mut variants = [
        Variant::with_setup(
            "rusqlite prepare_cached, a row a statement",
            || cached.execute_batch(EMPTY_ITEMS).expect("empty"),
            |()| insert_cached(cached),
        ),
        Variant::with_setup(
            "rusqlite held statement, a row a statement",
            || held.execute_batch(EMPTY_ITEMS).expect("empty"),
            |()| {
                held.execute_batch("BEGIN").expect("begin");
                for u in &data {
                    held_stmt
                        .execute(params![u.id, u.email, u.name, u.age, u.score])
                        .expect("insert");
                }
                held.execute_batch("COMMIT").expect("commit");
            },
        ),
        Variant::with_setup(
            "rusqlite prepare_cached, 20 rows (100 parameters) a statement",
            || cached.execute_batch(EMPTY_ITEMS).expect("empty"),
            |()| insert_chunked(cached, &data),
        ),
        Variant::with_setup(
            "d1orm insert_many",
            || {
                empty_d1();
                data.iter().map(schema::new_item).collect::<Vec<NewItem>>()
            },
            |rows| {
                block_on(d1.items().insert_many(rows)).expect("d1orm");
            },
        ),
    ];
    let figures = measure(settings, &mut variants);
    drop(variants);
    drop(held_stmt);
    if settings.profile.is_some() {
        return figures;
    }
    for conn in [&*cached, &*held] {
        assert_eq!(count(conn, "items"), INSERT_ROWS);
    }
    d1.backend()
        .with_connection(|c| assert_eq!(count(c, "items"), INSERT_ROWS));
    // The same rows everywhere.
    let first = block_on(d1.items().where_(|i| i.id.eq(INSERT_ROWS)).one()).expect("row");
    assert_eq!(first.email, data[INSERT_ROWS as usize - 1].email);
    figures
}

/// What the mixed batch's `k`-th statement does: insert an item, update a user, or
/// read one.
enum Step {
    Insert(User),
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

/// A row the mixed batch selects, as the D1 layer deserializes it.
#[derive(serde::Deserialize)]
struct Brief {
    id: i64,
    email: String,
    age: i64,
}

fn mixed_batch(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let steps = batch_steps();
    let Setup { d1, cached, held } = s;
    let insert = d1.prepare(INSERT_ITEM_SQL);
    let update = d1.prepare(UPDATE_USER_SQL);
    let select = d1.prepare(SELECT_USER_SQL);
    // The D1 layer with typed rows, as a Worker reads `results::<T>()`: writes give no
    // row, reads a `Brief` each.
    let run_d1 = || -> Vec<Selected> {
        let batch: Vec<_> = steps
            .iter()
            .map(|step| {
                match step {
                    Step::Insert(u) => {
                        insert.bind((u.id, u.email.as_str(), u.name.as_str(), u.age, u.score))
                    }
                    Step::Update(id) => update.bind(*id),
                    Step::Select(id) => select.bind(*id),
                }
                .all::<Brief>()
            })
            .collect();
        block_on(d1.batch(batch))
            .expect("d1orm")
            .into_iter()
            .flat_map(|r| r.results)
            .map(|b| (b.id, b.email, b.age))
            .collect()
    };
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
    let empty_items = |conn: &Connection| conn.execute_batch(DELETE_ITEMS).expect("empty");
    // The same rows selected everywhere (ages move together: every variant has run the
    // same batches).
    empty_d1_items(d1);
    empty_items(cached);
    let a = run_d1();
    let b = run_cached(cached);
    assert_eq!(
        a.len(),
        steps
            .iter()
            .filter(|s| matches!(s, Step::Select(_)))
            .count()
    );
    assert_eq!(a, b);
    // The held variant catches up on that batch.
    empty_items(held);
    assert_eq!(run_cached(held), a);

    let mut h_insert = held.prepare(INSERT_ITEM_SQL).expect("prepare");
    let mut h_update = held.prepare(UPDATE_USER_SQL).expect("prepare");
    let mut h_select = held.prepare(SELECT_USER_SQL).expect("prepare");
    let mut variants = [
        Variant::with_setup(
            "rusqlite prepare_cached",
            || empty_items(cached),
            |()| {
                std::hint::black_box(run_cached(cached));
            },
        ),
        Variant::with_setup(
            "rusqlite held statements",
            || empty_items(held),
            |()| {
                held.execute_batch("BEGIN").expect("begin");
                let mut selected: Vec<Selected> = Vec::new();
                for step in &steps {
                    match step {
                        Step::Insert(u) => h_insert
                            .execute(params![u.id, u.email, u.name, u.age, u.score])
                            .map(drop),
                        Step::Update(id) => h_update.execute([id]).map(drop),
                        Step::Select(id) => h_select
                            .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                            .map(|row| selected.push(row)),
                    }
                    .expect("statement");
                }
                held.execute_batch("COMMIT").expect("commit");
                std::hint::black_box(selected);
            },
        ),
        Variant::with_setup(
            "d1orm batch (D1 layer, typed rows)",
            || empty_d1_items(d1),
            |()| {
                std::hint::black_box(run_d1());
            },
        ),
    ];
    measure(settings, &mut variants)
}

fn empty_d1_items(d1: &Db) {
    d1.backend()
        .with_connection(|c| c.execute_batch(DELETE_ITEMS))
        .expect("empty");
}

fn round_robin(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let sqls: Vec<String> = (1..=ROUND_ROBIN)
        .map(|n| format!(r#"SELECT {USER_COLUMNS} FROM "users" WHERE "id" = ?1 LIMIT {n}"#))
        .collect();
    let Setup { d1, cached, held } = s;
    let d1_call = |k: u64| -> Vec<User> {
        let id = (k * 37 % ROWS as u64) as i64 + 1;
        block_on(
            d1.users()
                .where_(|u| u.id.eq(id))
                .limit(k % ROUND_ROBIN + 1)
                .many(),
        )
        .expect("d1orm")
        .rows
    };
    let cached_call = |k: u64| -> Vec<User> {
        let id = (k * 37 % ROWS as u64) as i64 + 1;
        cached
            .prepare_cached(&sqls[(k % ROUND_ROBIN) as usize])
            .and_then(|mut st| st.query_map([id], user_from)?.collect())
            .expect("rusqlite")
    };
    for k in 0..ROUND_ROBIN {
        let a = d1_call(k);
        assert_eq!(a.len(), 1);
        assert_eq!(a, cached_call(k));
    }
    let mut held_stmts: Vec<rusqlite::Statement<'_>> = sqls
        .iter()
        .map(|sql| held.prepare(sql).expect("prepare"))
        .collect();
    let (k1, k2, k3) = (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
    let next = |c: &Cell<u64>| {
        let k = c.get();
        c.set(k + 1);
        k
    };
    let mut variants = [
        Variant::timed("rusqlite prepare_cached (cache of 256)", || {
            std::hint::black_box(cached_call(next(&k1)));
        }),
        Variant::timed("rusqlite held statements", || {
            let k = next(&k2);
            let id = (k * 37 % ROWS as u64) as i64 + 1;
            let rows: rusqlite::Result<Vec<User>> = held_stmts[(k % ROUND_ROBIN) as usize]
                .query_map([id], user_from)
                .and_then(|r| r.collect());
            std::hint::black_box(rows.expect("rusqlite"));
        }),
        Variant::timed("d1orm", || {
            std::hint::black_box(d1_call(next(&k3)));
        }),
    ];
    measure(settings, &mut variants)
}

fn upsert_rows(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let Setup { d1, cached, held } = s;
    let rows =
        |round: i64| -> Vec<User> { (1..=UPSERT_ROWS).map(|i| schema::user(i, round)).collect() };
    let upsert_cached = |conn: &Connection, data: &[User]| {
        let tx = conn.unchecked_transaction().expect("begin");
        for u in data {
            conn.prepare_cached(UPSERT_USER_SQL)
                .and_then(|mut st| st.execute(params![u.id, u.email, u.name, u.age, u.score]))
                .expect("upsert");
        }
        tx.commit().expect("commit");
    };
    // Every variant leaves the same rows.
    let probe = rows(7);
    block_on(
        d1.users()
            .upsert(probe.iter().map(schema::new_user).collect::<Vec<NewUser>>())
            .on_conflict(|u| u.email)
            .update_all(),
    )
    .expect("d1orm");
    upsert_cached(cached, &probe);
    let all = all_users_sql();
    let read = |c: &Connection| -> Vec<User> {
        c.prepare(&all)
            .and_then(|mut st| st.query_map([], user_from)?.collect())
            .expect("read")
    };
    let a = d1.backend().with_connection(read);
    assert_eq!(a, read(cached));
    assert_eq!(a[41], probe[41]);

    let mut held_stmt = held.prepare(UPSERT_USER_SQL).expect("prepare");
    let (r1, r2, r3) = (Cell::new(0), Cell::new(0), Cell::new(0));
    let next = |c: &Cell<i64>| {
        let k = c.get() + 1;
        c.set(k);
        rows(k)
    };
    let mut variants = [
        Variant::with_setup(
            "rusqlite prepare_cached, a row a statement",
            || next(&r1),
            |data| upsert_cached(cached, &data),
        ),
        Variant::with_setup(
            "rusqlite held statement, a row a statement",
            || next(&r2),
            |data| {
                held.execute_batch("BEGIN").expect("begin");
                for u in &data {
                    held_stmt
                        .execute(params![u.id, u.email, u.name, u.age, u.score])
                        .expect("upsert");
                }
                held.execute_batch("COMMIT").expect("commit");
            },
        ),
        Variant::with_setup(
            "d1orm upsert … update_all",
            || {
                next(&r3)
                    .iter()
                    .map(schema::new_user)
                    .collect::<Vec<NewUser>>()
            },
            |data| {
                block_on(
                    d1.users()
                        .upsert(data)
                        .on_conflict(|u| u.email)
                        .update_all(),
                )
                .expect("d1orm");
            },
        ),
    ];
    measure(settings, &mut variants)
}

/// One write a call, outside any batch: SQLite's autocommit for rusqlite (and diesel), the
/// transaction D1 runs every call in for d1orm (so a write that fails part way leaves
/// nothing).
fn single_writes(s: &mut Setup, settings: &Settings) -> Vec<Figures> {
    let Setup { d1, cached, held } = s;
    let mut held_stmt = held.prepare(UPDATE_USER_SQL).expect("prepare");
    let update = d1.prepare(UPDATE_USER_SQL);
    // Counts calls (the rows' sum of ages checks them), cycling through the rows.
    let next = |calls: &Cell<i64>| {
        calls.set(calls.get() + 1);
        calls.get() % ROWS + 1
    };
    let (c1, c2, c3, c4) = (Cell::new(0), Cell::new(0), Cell::new(0), Cell::new(0));
    let mut variants = [
        Variant::timed("rusqlite prepare_cached, autocommit", || {
            let id = next(&c1);
            let n = cached
                .prepare_cached(UPDATE_USER_SQL)
                .and_then(|mut st| st.execute([id]))
                .expect("rusqlite");
            assert_eq!(n, 1);
        }),
        Variant::timed("rusqlite held statement, autocommit", || {
            let id = next(&c2);
            assert_eq!(held_stmt.execute([id]).expect("rusqlite"), 1);
        }),
        Variant::timed("d1orm run() (D1 layer)", || {
            let id = next(&c3);
            let r = block_on(update.bind(id).run()).expect("d1orm");
            assert_eq!(r.meta.changes, 1);
        }),
        Variant::timed("d1orm where_ + update", || {
            let id = next(&c4);
            let r = block_on(d1.users().where_(|u| u.id.eq(id)).update(|u| u.age.add(1)))
                .expect("d1orm");
            assert_eq!(r.changes(), 1);
        }),
    ];
    let figures = measure(settings, &mut variants);
    drop(variants);
    drop(held_stmt);
    // Every variant added as many years as it ran calls, to the same rows.
    let ages = |c: &Connection| -> i64 {
        c.query_row(r#"SELECT sum("age") FROM "users""#, [], |r| r.get(0))
            .expect("ages")
    };
    let base = {
        let fresh = Connection::open_in_memory().expect("memory");
        populate(&fresh);
        ages(&fresh)
    };
    assert_eq!(ages(cached), base + c1.get());
    assert_eq!(
        d1.backend().with_connection(ages),
        base + c3.get() + c4.get()
    );
    figures
}

type Scenario = fn(&mut Setup, &Settings) -> Vec<Figures>;

const SCENARIOS: [(&str, &str, &str, Scenario); 8] = [
    (
        "point",
        "point lookup by primary key into a struct",
        "≤ 1.05×",
        point_lookup,
    ),
    (
        "read",
        "1,000-row read into a struct",
        "≤ 1.05×",
        read_users,
    ),
    (
        "json",
        "1,000-row read with a typed JSON column",
        "≤ 1.05×",
        read_json,
    ),
    (
        "insert",
        "insert 10,000 rows (one batch)",
        "≤ 0.65×",
        insert_rows,
    ),
    (
        "batch",
        "mixed batch of 100 insert/update/select statements",
        "≤ 1.10×",
        mixed_batch,
    ),
    (
        "round-robin",
        "round robin of 40 distinct statements",
        "≤ 1.10×",
        round_robin,
    ),
    (
        "upsert",
        "upsert 1,000 rows (all conflicting)",
        "—",
        upsert_rows,
    ),
    (
        "write",
        "single-row update, one call each (no batch)",
        "—",
        single_writes,
    ),
];

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let benchmarking = std::env::args().any(|a| a == "--bench");
    let profile = std::env::var("BENCH_PROFILE").ok();
    let settings = if benchmarking {
        Settings {
            rounds: env_number("BENCH_ROUNDS", 31) as usize,
            sample: Duration::from_millis(env_number("BENCH_SAMPLE_MS", 20)),
            profile: profile.map(|p| (p, env_number("BENCH_CALLS", 1000))),
        }
    } else {
        Settings::smoke()
    };
    let only = std::env::var("BENCH_ONLY").unwrap_or_default();

    // One bundled SQLite for every variant of this process.
    let sqlite = rusqlite::version();
    eprintln!(
        "SQLite {sqlite}; {} rounds, samples of {:?}",
        settings.rounds, settings.sample
    );

    let scratch = Scratch::new();
    let mut outcomes = Vec::new();
    for (key, scenario, target, run) in SCENARIOS {
        if !key.contains(only.as_str()) {
            continue;
        }
        let storages: &[Storage] = if settings.profile.is_some() {
            &[Storage::Memory]
        } else {
            &[Storage::Memory, Storage::Wal]
        };
        for &storage in storages {
            let mut setup = Setup::new(storage, &scratch, key);
            let figures = run(&mut setup, &settings);
            for f in &figures {
                eprintln!(
                    "{scenario} [{}] {}: {} ({:.2}×, {} calls a sample)",
                    storage.label(),
                    f.name,
                    human(f.median),
                    f.ratio,
                    f.calls
                );
            }
            outcomes.push(Outcome {
                key,
                scenario,
                target,
                storage,
                figures,
            });
        }
    }
    if settings.profile.is_some() {
        return;
    }
    let peer = diesel_peer(benchmarking, &only);
    for o in &mut outcomes {
        let mut found = 0;
        for (key, storage, f) in &peer.figures {
            if *key == o.key && *storage == o.storage.label() {
                eprintln!(
                    "{} [{storage}] {} (diesel's process): {} ({:.2}×)",
                    o.scenario,
                    f.name,
                    human(f.median),
                    f.ratio
                );
                o.figures.push(f.clone());
                found += 1;
            }
        }
        assert_eq!(
            found,
            2,
            "the diesel peer ran {} [{}]",
            o.key,
            o.storage.label()
        );
    }
    if !benchmarking {
        println!(
            "smoke run: {} scenario runs, every variant agreed (diesel's process too)",
            outcomes.len()
        );
        return;
    }
    let table = markdown(&outcomes, sqlite, &peer.sqlite, &settings);
    match std::env::var("BENCH_OUT") {
        Ok(path) => std::fs::write(&path, table).expect("write BENCH_OUT"),
        Err(_) => print!("{table}"),
    }
}

/// What the diesel peer (`bench/diesel`) measured.
struct Peer {
    /// The SQLite it links (diesel's and its rusqlite's).
    sqlite: String,
    /// Per scenario key and storage label: its reference, then diesel.
    figures: Vec<(String, String, Figures)>,
}

/// Builds the diesel peer (release for a measurement, the test profile for a smoke
/// run), runs it with this run's settings (`BENCH_ROUNDS`, `BENCH_SAMPLE_MS` pass on
/// through the environment) and the tables' SQL, and reads its figures.
///
/// # Panics
/// The peer does not build, fails (its variants disagreed), or prints something else.
fn diesel_peer(benchmarking: bool, only: &str) -> Peer {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    let target = bench.join("../target/diesel-peer");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "--manifest-path"])
        .arg(bench.join("diesel/Cargo.toml"))
        .arg("--target-dir")
        .arg(&target);
    if benchmarking {
        build.arg("--release");
    }
    let built = build.status().expect("run cargo for the diesel peer");
    assert!(
        built.success(),
        "the diesel peer (bench/diesel) did not build"
    );
    let exe = target
        .join(if benchmarking { "release" } else { "debug" })
        .join("d1orm-bench-diesel");
    let output = Command::new(&exe)
        .args(benchmarking.then_some("--bench"))
        .env("BENCH_SCHEMA", schema_sql().join(";\n"))
        .env("BENCH_ONLY", only)
        .stderr(std::process::Stdio::inherit())
        .output()
        .expect("run the diesel peer");
    assert!(output.status.success(), "the diesel peer failed");
    let text = String::from_utf8(output.stdout).expect("UTF-8 from the diesel peer");
    let mut peer = Peer {
        sqlite: String::new(),
        figures: Vec::new(),
    };
    for line in text.lines() {
        let fields: Vec<&str> = line.split('\t').collect();
        match fields[..] {
            ["sqlite", version] => peer.sqlite = version.to_owned(),
            ["figures", key, storage, name, median, ratio, calls] => peer.figures.push((
                key.to_owned(),
                storage.to_owned(),
                Figures {
                    name: name.to_owned(),
                    median: Duration::from_nanos(median.parse().expect("nanoseconds")),
                    ratio: ratio.parse().expect("ratio"),
                    calls: calls.parse().expect("calls"),
                },
            )),
            _ => panic!("unexpected line from the diesel peer: {line}"),
        }
    }
    peer
}

fn markdown(outcomes: &[Outcome], sqlite: &str, peer_sqlite: &str, settings: &Settings) -> String {
    let mut out = format!(
        "SQLite {sqlite} (bundled, one copy for every variant of the benchmark's process); \
         {} interleaved rounds, samples of about {} ms. diesel runs in a process of its own \
         (`bench/diesel`) on SQLite {peer_sqlite}, against raw rusqlite's `prepare_cached` \
         measured there the same way: its two rows, marked *own process*, give ratios \
         against that reference.\n\n\
         | scenario | storage | variant | median per op | ratio vs prepare_cached | target |\n\
         |---|---|---|---:|---:|---|\n",
        settings.rounds,
        settings.sample.as_millis()
    );
    for o in outcomes {
        let local = o.figures.len() - 2;
        for (i, f) in o.figures.iter().enumerate() {
            let (scenario, target) = if i == 0 {
                (o.scenario, "")
            } else if f.name.starts_with("d1orm") {
                ("", o.target)
            } else {
                ("", "")
            };
            let name = if i == 0 {
                format!("{} (reference)", f.name)
            } else if i >= local {
                format!("*own process:* {}", f.name)
            } else {
                f.name.clone()
            };
            let ratio = if f.name.starts_with("d1orm") {
                format!("**{:.2}×**", f.ratio)
            } else {
                format!("{:.2}×", f.ratio)
            };
            out.push_str(&format!(
                "| {scenario} | {} | {name} | {} | {ratio} | {target} |\n",
                if i == 0 { o.storage.label() } else { "" },
                human(f.median),
            ));
        }
    }
    out
}
