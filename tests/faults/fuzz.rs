//! Property-based fuzzing of the D1 layer's SQL entry points (`all`, `raw`, `run`,
//! `first`, `exec`, `batch`): random SQL-like text never panics, never hangs past the
//! time limit, never leaves the handle inside a transaction; and expressions that D1
//! does not treat differently give the same answer as plain SQLite.
//!
//! Seeded: `D1ORM_FUZZ_CASES` sets the number of cases (300 by default),
//! `D1ORM_FUZZ_SEED` another seed than the fixed one.

use std::time::Duration;

use d1orm::Database;
use d1orm_sqlite::SqliteBackend;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde_json::Value as Json;

fn runner(default_cases: u32) -> TestRunner {
    let cases = std::env::var("D1ORM_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let seed = std::env::var("D1ORM_FUZZ_SEED")
        .ok()
        .and_then(|v| v.parse::<u64>().ok());
    let rng = match seed {
        Some(seed) => {
            let mut bytes = [0u8; 32];
            bytes[..8].copy_from_slice(&seed.to_le_bytes());
            TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
        }
        None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
    };
    TestRunner::new_with_rng(config, rng)
}

/// Text made of SQL's words, quotes, comments, separators and NULs.
fn sql_soup() -> impl Strategy<Value = String> {
    let atoms = prop::sample::select(vec![
        "SELECT ",
        "1",
        "'x'",
        ";",
        " ",
        "\n",
        "\0",
        "--",
        "/*",
        "*/",
        "CREATE ",
        "TABLE ",
        "t",
        "(",
        ")",
        "a",
        ",",
        "INSERT ",
        "INTO ",
        "VALUES ",
        "BEGIN ",
        "COMMIT",
        "ROLLBACK",
        "END",
        "TRIGGER ",
        "ON ",
        "AFTER ",
        "PRAGMA ",
        "VACUUM",
        "ALTER ",
        "RENAME ",
        "TO ",
        "_cf_x",
        "?",
        "?5",
        ":a",
        "\"",
        "'",
        "`",
        "[",
        "]",
        "é",
        "DROP ",
        "WITH ",
        "RECURSIVE ",
        "UNION ",
        "ALL ",
        "FROM ",
        "WHERE ",
        "x'00'",
        "RETURNING ",
        "*",
        "DELETE ",
        "UPDATE ",
        "SET ",
        "=",
        "SAVEPOINT ",
        "ATTACH ",
        "TEMP ",
    ]);
    prop::collection::vec(atoms, 0..30).prop_map(|parts| parts.concat())
}

/// Statements that make the soup meet tables and triggers.
fn setup_sql() -> &'static str {
    "CREATE TABLE t (a)\nCREATE TABLE u (a, b)\nINSERT INTO t VALUES (1), ('x'), (NULL)"
}

fn params() -> impl Strategy<Value = Vec<Json>> {
    prop::collection::vec(
        prop_oneof![
            Just(Json::Null),
            any::<i32>().prop_map(Json::from),
            "[a-z\0é]{0,4}".prop_map(Json::from),
        ],
        0..3,
    )
}

fn bind_all<'d>(
    db: &'d Database<SqliteBackend>,
    sql: &str,
    params: &[Json],
) -> d1orm::PreparedStatement<'d, SqliteBackend> {
    let values: Vec<d1orm::Value> = params
        .iter()
        .map(|p| match p {
            Json::Number(n) => d1orm::Value::Integer(n.as_i64().unwrap_or(0)),
            Json::String(s) => d1orm::Value::Text(s.clone()),
            _ => d1orm::Value::Null,
        })
        .collect();
    db.prepare(sql.to_owned()).bind(values)
}

#[test]
fn random_sql_through_every_entry_point_never_panics_nor_hangs() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let backend = SqliteBackend::open_in_memory().unwrap();
    backend.set_query_time_limit(Some(Duration::from_secs(2)));
    let db = Database::new(backend.clone());
    rt.block_on(db.exec(setup_sql())).unwrap();
    let case = (sql_soup(), sql_soup(), params());
    runner(300)
        .run(&case, |(a, b, params)| {
            rt.block_on(async {
                let one = bind_all(&db, &a, &params);
                let _ = one.clone().all::<Json>().await;
                let _ = one.clone().run().await;
                let _ = one.clone().first::<Json>().await;
                let _ = one.raw::<Json>().await;
                let _ = db.exec(&a).await;
                let _ = db
                    .batch((
                        bind_all(&db, &b, &params).run(),
                        bind_all(&db, &a, &[]).all::<Json>(),
                    ))
                    .await;
            });
            let autocommit = backend.with_connection(|c| c.is_autocommit());
            prop_assert!(autocommit, "left in a transaction by {:?} / {:?}", a, b);
            Ok(())
        })
        .unwrap();
}

/// A random SQLite expression over literals, operators and functions that D1 runs as
/// SQLite does (nothing over D1's limits: shallow, few arguments, no LIKE).
fn expression() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        any::<i64>().prop_map(|i| i.to_string()),
        (-1000i32..1000).prop_map(|i| i.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        "[a-zA-Z0-9 é']{0,6}".prop_map(|s| format!("'{}'", s.replace('\'', "''"))),
        Just("NULL".to_owned()),
        "[0-9a-f]{0,3}".prop_map(|h| format!("x'{}'", if h.len() % 2 == 0 { h } else { h + "0" })),
    ];
    leaf.prop_recursive(4, 24, 3, |inner| {
        let op = prop::sample::select(vec![
            "+", "-", "*", "/", "%", "||", "=", "<", ">", "<>", "AND", "OR", "&", "|", "<<", ">>",
            "IS",
        ]);
        let unary = prop::sample::select(vec![
            "abs",
            "length",
            "typeof",
            "lower",
            "upper",
            "hex",
            "quote",
            "round",
            "json_quote",
            "unicode",
            "trim",
            "ltrim",
            "zeroblob_size",
        ]);
        prop_oneof![
            (inner.clone(), op, inner.clone()).prop_map(|(a, op, b)| format!("({a} {op} {b})")),
            (unary, inner.clone()).prop_map(|(f, a)| if f == "zeroblob_size" {
                format!("length(CAST({a} AS TEXT))")
            } else {
                format!("{f}({a})")
            }),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("coalesce({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("max({a}, {b})")),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| format!("instr({a}, {b})")),
            (inner.clone(), inner.clone(), inner.clone())
                .prop_map(|(a, b, c)| format!("CASE WHEN {a} THEN {b} ELSE {c} END")),
            (
                inner.clone(),
                prop::sample::select(vec!["INTEGER", "REAL", "TEXT", "BLOB", "NUMERIC"])
            )
                .prop_map(|(a, t)| format!("CAST({a} AS {t})")),
            (inner.clone(), inner).prop_map(|(a, b)| format!("json_array({a}, {b})")),
        ]
    })
}

/// A value as d1orm's D1 layer gives it in JSON, from plain SQLite; `None` for a value
/// d1orm refuses to decode (text that is not UTF-8).
fn as_d1_json(value: rusqlite::types::ValueRef<'_>) -> Option<Json> {
    use rusqlite::types::ValueRef as V;
    Some(match value {
        V::Null => Json::Null,
        V::Integer(i) => Json::from(i),
        // D1 gives an infinite REAL as null.
        V::Real(f) if f.is_infinite() => Json::Null,
        V::Real(f) => Json::from(serde_json::Number::from_f64(f)?),
        // Text that is not UTF-8 is a decode error in d1orm; D1 hands JavaScript a string.
        V::Text(t) => Json::from(std::str::from_utf8(t).ok()?),
        V::Blob(b) => Json::from(b.to_vec()),
    })
}

#[test]
fn expressions_give_the_same_answer_as_plain_sqlite() {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let db = Database::new(SqliteBackend::open_in_memory().unwrap());
    let plain = rusqlite::Connection::open_in_memory().unwrap();
    runner(500)
        .run(&expression(), |expr| {
            let sql = format!("SELECT {expr} AS v");
            let expected = plain.query_row(&sql, [], |r| Ok(as_d1_json(r.get_ref(0)?)));
            let ours = rt.block_on(db.prepare(sql.clone()).raw::<Vec<Json>>());
            match (expected, ours) {
                (Ok(Some(value)), Ok(rows)) => {
                    prop_assert_eq!(&rows, &vec![vec![value]], "{}", sql);
                }
                // Text that is not UTF-8: not compared.
                (Ok(None), _) => {}
                (Ok(Some(value)), Err(e)) => {
                    prop_assert!(false, "{}: SQLite gives {}, d1orm fails: {}", sql, value, e);
                }
                (Err(expected), Ok(rows)) => {
                    prop_assert!(
                        false,
                        "{}: SQLite fails ({}), d1orm gives {:?}",
                        sql,
                        expected,
                        rows
                    );
                }
                (Err(expected), Err(e)) => {
                    let message = match &expected {
                        rusqlite::Error::SqliteFailure(_, Some(m)) => m.clone(),
                        other => other.to_string(),
                    };
                    prop_assert!(
                        e.to_string().contains(&message),
                        "{}: SQLite says {:?}, d1orm says {}",
                        sql,
                        message,
                        e
                    );
                }
            }
            Ok(())
        })
        .unwrap();
}
