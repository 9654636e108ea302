//! Binding Rust values: D1's conversions, and errors (never panics) for values D1
//! cannot hold.

use d1orm::{Prefix, Value};
use serde_json::json;

use crate::memory;

#[tokio::test]
async fn every_supported_type_binds_as_d1_stores_it() {
    let db = memory();
    let row: serde_json::Value = db
        .prepare(
            "SELECT typeof(?1) AS a, ?1 AS av, typeof(?2) AS b, ?2 AS bv, typeof(?3) AS c, \
             typeof(?4) AS d, ?4 AS dv, typeof(?5) AS e, ?5 AS ev, typeof(?6) AS f, \
             typeof(?7) AS g, ?7 AS gv, typeof(?8) AS h, ?8 AS hv",
        )
        .bind((
            7i64,
            true,
            2.5f64,
            "text",
            &b"\x00\xff"[..],
            None::<i32>,
            json!({"k": [1, 2]}),
            42u32,
        ))
        .first()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        row,
        json!({"a": "integer", "av": 7, "b": "integer", "bv": 1, "c": "real",
               "d": "text", "dv": "text", "e": "blob", "ev": [0, 255], "f": "null",
               "g": "text", "gv": "{\"k\":[1,2]}", "h": "integer", "hv": 42})
    );
}

#[tokio::test]
async fn unbindable_values_are_errors_at_the_call_not_panics() {
    let db = memory();
    let stmt = db.prepare("SELECT ?").bind(u64::MAX);
    let err = stmt.all::<serde_json::Value>().await.unwrap_err();
    assert_eq!(err.prefix(), Some(Prefix::TypeError));
    assert_eq!(
        err.to_string(),
        "D1_TYPE_ERROR: Type 'u64' not supported for value '18446744073709551615'"
    );
    let err = db
        .prepare("SELECT ?")
        .bind(vec![Value::Real(f64::NAN)])
        .run()
        .await
        .unwrap_err();
    assert_eq!(err.prefix(), Some(Prefix::TypeError));
    // A batch holding a statement that failed to bind runs nothing.
    db.exec("CREATE TABLE t (x)").await.unwrap();
    let err = db
        .batch([
            db.prepare("INSERT INTO t VALUES (1)"),
            db.prepare("INSERT INTO t VALUES (?)").bind(f32::INFINITY),
        ])
        .await
        .unwrap_err();
    assert_eq!(err.prefix(), Some(Prefix::TypeError));
    assert_eq!(crate::count_rows(&db, "t").await, 0);
}

#[tokio::test]
async fn rebinding_a_prepared_statement_gives_independent_statements() {
    let db = memory();
    let stmt = db.prepare("SELECT ? AS v");
    let one: Option<i64> = stmt.bind(1).first_column("v").await.unwrap();
    let two: Option<String> = stmt.bind("two").first_column("v").await.unwrap();
    assert_eq!((one, two.as_deref()), (Some(1), Some("two")));
}
