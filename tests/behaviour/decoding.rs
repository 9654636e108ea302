//! Values that cannot be stored or read back faithfully: each is refused with a typed
//! error before anything is sent, or when read with an error naming its table and
//! column; never stored as something else, never read as something else.

use d1orm::table::create_table_sql;
use d1orm::{Database, Error, JsonRow, Prefix, Table};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

use crate::{Recording, memory};

/// The decode error inside `err`, checked to name `table` and `column`.
#[track_caller]
fn assert_located(err: &Error, table: Option<&str>, column: &str) -> String {
    let Error::Decode(d) = err.root() else {
        panic!("expected a decode error, got {err:?}");
    };
    assert_eq!(d.table.as_deref(), table, "{err}");
    assert_eq!(d.column.as_deref(), Some(column), "{err}");
    let at = match table {
        Some(t) => format!("cannot decode column {t}.{column}: "),
        None => format!("cannot decode column {column}: "),
    };
    assert!(err.to_string().starts_with(&at), "{err}");
    d.message.clone()
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, d1orm::Json)]
struct Gauge {
    score: f64,
    note: Option<String>,
}

#[derive(Debug, Table)]
#[d1orm(table = "probes")]
struct Probe {
    #[d1orm(primary_key)]
    id: i64,
    #[d1orm(json)]
    gauge: Gauge,
}

async fn probes() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    db.exec(&create_table_sql::<Probe>()).await.unwrap();
    db.probes()
        .insert(
            NewProbe::builder()
                .id(1)
                .gauge(Gauge {
                    score: 1.5,
                    note: None,
                })
                .build(),
        )
        .await
        .unwrap();
    db.backend().take();
    db
}

#[track_caller]
fn assert_type_error(err: &Error, value: &str) {
    assert_eq!(err.prefix(), Some(Prefix::TypeError), "{err}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!(
            "D1_TYPE_ERROR: Type 'f64' not supported for value '{value}'"
        )),
        "{text}"
    );
    assert!(text.contains("probes.gauge"), "{text}");
}

#[tokio::test]
async fn non_finite_floats_in_json_documents_are_type_errors_before_sending() {
    let db = probes().await;
    let nan = Gauge {
        score: f64::NAN,
        note: None,
    };
    let err = db
        .probes()
        .insert(NewProbe::builder().id(2).gauge(nan.clone()).build())
        .await
        .unwrap_err();
    assert_type_error(&err, "NaN");
    assert!(err.to_string().contains("$.score"), "{err}");
    let err = db
        .probes()
        .where_(|p| p.id.eq(1))
        .update(|p| p.gauge.path().score.set(f64::INFINITY))
        .await
        .unwrap_err();
    assert_type_error(&err, "inf");
    let err = db
        .probes()
        .where_(|p| p.id.eq(1))
        .update(|p| p.gauge.set(&nan))
        .await
        .unwrap_err();
    assert_type_error(&err, "NaN");
    let err = db
        .probes()
        .where_(|p| p.gauge.path().score.gt(f64::NEG_INFINITY))
        .many()
        .await
        .unwrap_err();
    assert_type_error(&err, "-inf");
    let err = db
        .probes()
        .where_(|p| p.gauge.eq(&nan))
        .many()
        .await
        .unwrap_err();
    assert_type_error(&err, "NaN");
    assert!(db.backend().take().is_empty(), "a statement was sent");
    // The stored row is untouched and still reads.
    let row = db.probes().one().await.unwrap();
    assert_eq!((row.id, row.gauge.score), (1, 1.5));
}

#[derive(Debug, Table)]
#[d1orm(table = "samples")]
#[allow(dead_code)]
struct Sample {
    #[d1orm(primary_key)]
    id: i64,
    level: f32,
}

#[derive(Debug, Deserialize)]
struct Level {
    #[allow(dead_code)]
    level: f32,
}

#[tokio::test]
async fn reals_beyond_f32_range_are_decode_errors_not_infinity() {
    let db = memory();
    db.exec(&create_table_sql::<Sample>()).await.unwrap();
    let insert = db.prepare("INSERT INTO samples (id, level) VALUES (?, ?)");
    for (id, level) in [(1, 1e300), (2, 0.1), (3, -1e39), (4, f64::from(f32::MAX))] {
        insert.bind((id, level)).run().await.unwrap();
    }
    // Inside f32's range a REAL rounds to the nearest f32.
    let read = |id: i64| db.samples().where_(move |s| s.id.eq(id)).one();
    assert_eq!(read(2).await.unwrap().level, 0.1f32);
    assert_eq!(read(4).await.unwrap().level, f32::MAX);
    let err = read(1).await.unwrap_err();
    let message = assert_located(&err, Some("samples"), "level");
    assert!(
        message.contains("1e300") && message.contains("f32"),
        "{err}"
    );
    let err = db
        .samples()
        .where_(|s| s.id.eq(3))
        .select(|s| s.level)
        .one()
        .await
        .unwrap_err();
    assert_located(&err, Some("samples"), "level");
    // The D1 layer's serde path narrows the same way.
    let err = db
        .prepare("SELECT level FROM samples WHERE id = 1")
        .first::<Level>()
        .await
        .unwrap_err();
    assert_located(&err, None, "level");
    let ok = db
        .prepare("SELECT level FROM samples WHERE id = 2")
        .first::<Level>()
        .await
        .unwrap();
    assert_eq!(ok.map(|l| l.level), Some(0.1f32));
}

#[derive(Debug, Table)]
#[d1orm(table = "notes")]
#[allow(dead_code)]
struct Note {
    #[d1orm(primary_key)]
    id: i64,
    body: String,
    views: i64,
}

#[derive(Debug, d1orm::FromRow)]
#[d1orm(table = Note)]
#[allow(dead_code)]
struct NoteBody {
    id: i64,
    body: String,
}

#[tokio::test]
async fn decode_errors_from_the_backend_name_table_and_column() {
    let db = memory();
    db.exec(&create_table_sql::<Note>()).await.unwrap();
    db.exec("INSERT INTO notes VALUES (1, CAST(x'ff' AS TEXT), 0)")
        .await
        .unwrap();
    db.exec("INSERT INTO notes VALUES (2, 'fine', 9007199254740993)")
        .await
        .unwrap();

    // Text that is not UTF-8, through every reader.
    let err = db.notes().where_(|n| n.id.eq(1)).one().await.unwrap_err();
    let message = assert_located(&err, Some("notes"), "body");
    assert!(message.contains("UTF-8"), "{err}");
    let err = db
        .notes()
        .where_(|n| n.id.eq(1))
        .select(|n| (n.id, n.body))
        .many()
        .await
        .unwrap_err();
    assert_located(&err, Some("notes"), "body");
    let err = db
        .notes()
        .where_(|n| n.id.eq(1))
        .select_as::<NoteBody>()
        .one()
        .await
        .unwrap_err();
    assert_located(&err, Some("notes"), "body");
    let err = db
        .notes()
        .where_(|n| n.id.eq(1))
        .distinct(|n| n.body)
        .await
        .unwrap_err();
    assert_located(&err, Some("notes"), "body");
    let err = db
        .prepare("SELECT id, body FROM notes WHERE id = 1")
        .all::<JsonRow>()
        .await
        .unwrap_err();
    assert_located(&err, None, "body");
    let err = db
        .prepare("SELECT id, body FROM notes WHERE id = 1")
        .raw::<(i64, String)>()
        .await
        .unwrap_err();
    assert_located(&err, None, "#1");
    let err = db
        .prepare("SELECT id, body FROM notes WHERE id = 1")
        .first_column::<String>("body")
        .await
        .unwrap_err();
    assert_located(&err, None, "body");

    // An integer D1 would round, refused on read.
    db.backend().set_js_safe_integers(true);
    let err = db.notes().where_(|n| n.id.eq(2)).one().await.unwrap_err();
    let message = assert_located(&err, Some("notes"), "views");
    assert!(message.contains("2^53"), "{err}");
    let err = db
        .notes()
        .where_(|n| n.id.eq(2))
        .returning_all()
        .update(|n| n.body.set("again"))
        .await
        .unwrap_err();
    assert_located(&err, Some("notes"), "views");
}

/// A table whose column holds REALs, read into an integer field.
#[derive(Debug, Table)]
#[d1orm(table = "counters")]
#[allow(dead_code)]
struct Counter {
    #[d1orm(primary_key)]
    id: i64,
    n: i64,
}

#[tokio::test]
async fn a_real_that_may_be_a_rounded_integer_is_not_read_as_one() {
    // What D1 hands over as a double: within ±(2^53 - 1) an integral REAL is an integer;
    // beyond, it may be an integer JavaScript rounded, so reading it as one is an error.
    let db = memory();
    db.exec("CREATE TABLE counters (id INTEGER PRIMARY KEY, n REAL NOT NULL)")
        .await
        .unwrap();
    db.exec("INSERT INTO counters VALUES (1, 9007199254740991), (2, 9007199254740992), (3, 2.5), (4, -9007199254740992)")
        .await
        .unwrap();
    let safe = db.counters().find(1).await.unwrap().unwrap();
    assert_eq!(safe.n, 9_007_199_254_740_991);
    for id in [2, 3, 4] {
        let err = db.counters().find(id).await.unwrap_err();
        assert_located(&err, Some("counters"), "n");
        let sql = format!("SELECT n FROM counters WHERE id = {id}");
        let err = db.prepare(sql).first_column::<i64>("n").await.unwrap_err();
        assert_located(&err, None, "n");
    }
    let err = db.counters().find(2).await.unwrap_err();
    assert!(err.to_string().contains("2^53"), "{err}");
    // As a float it reads.
    let n: Option<f64> = db
        .prepare("SELECT n FROM counters WHERE id = 2")
        .first_column("n")
        .await
        .unwrap();
    assert_eq!(n, Some(9_007_199_254_740_992.0));
}

#[tokio::test]
async fn nul_in_a_json_path_key_is_a_typed_error_before_sending() {
    let db = probes().await;
    let check = |err: Error| {
        assert_eq!(err.prefix(), Some(Prefix::Error), "{err}");
        assert_eq!(err.code(), None, "{err}");
        let text = err.to_string();
        assert!(
            text.contains("NUL") && text.contains("probes.gauge"),
            "{text}"
        );
    };
    check(
        db.probes()
            .where_(|p| p.gauge.at_unchecked("a\0b").eq(1))
            .many()
            .await
            .unwrap_err(),
    );
    check(
        db.probes()
            .where_(|p| p.id.eq(1))
            .update(|p| p.gauge.at_unchecked("x").at("a\0b").set(1))
            .await
            .unwrap_err(),
    );
    check(
        db.probes()
            .order_by(|p| p.gauge.at_unchecked("a\0b").asc())
            .many()
            .await
            .unwrap_err(),
    );
    check(
        db.probes()
            .order_by(|p| p.gauge.at_unchecked("a\0b").desc())
            .count()
            .await
            .unwrap_err(),
    );
    check(
        db.probes()
            .select(|p| (p.id, p.gauge.at_unchecked("a\0b")))
            .many()
            .await
            .unwrap_err(),
    );
    check(
        db.probes()
            .where_(|p| p.id.eq(1))
            .returning(|p| p.gauge.at_unchecked("a\0b"))
            .update(|p| p.gauge.path().score.set(2.5))
            .await
            .unwrap_err(),
    );
    assert!(db.backend().take().is_empty(), "a statement was sent");
    // Other keys still work, quotes and backslashes included.
    let seen = db
        .probes()
        .select(|p| (p.gauge.path().score, p.gauge.at_unchecked("score")))
        .one()
        .await
        .unwrap();
    assert_eq!(seen, (1.5, serde_json::json!(1.5)));
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Seats {
    seats: u32,
}

#[derive(Debug, Table)]
#[d1orm(table = "plans")]
#[allow(dead_code)]
struct Plan {
    #[d1orm(primary_key)]
    id: i64,
    #[d1orm(json)]
    seats: Seats,
    #[d1orm(json)]
    counts: Option<Vec<i64>>,
}

#[derive(Debug, Deserialize)]
struct PlanRow {
    id: i64,
    seats: Seats,
}

#[tokio::test]
async fn integral_reals_in_json_documents_read_as_integers() {
    let db = memory();
    db.exec(&create_table_sql::<Plan>()).await.unwrap();
    db.exec(
        r#"INSERT INTO plans VALUES (1, '{"seats":1.0}', '[2.0, -3e0, 4]'), (2, '{"seats":2e0}', NULL), (3, '{"seats":1.5}', NULL), (4, '{"seats":5e9}', NULL), (5, '{"seats":1}', '[0.5]')"#,
    )
    .await
    .unwrap();
    let read = |id: i64| db.plans().where_(move |p| p.id.eq(id)).one();
    // JavaScript has one number type: 1.0 is 1, as in an INTEGER column.
    let one = read(1).await.unwrap();
    assert_eq!((one.seats.seats, one.counts), (1, Some(vec![2, -3, 4])));
    assert_eq!(read(2).await.unwrap().seats.seats, 2);
    let seats = db
        .plans()
        .where_(|p| p.id.eq(1))
        .select(|p| p.seats)
        .one()
        .await
        .unwrap();
    assert_eq!(seats.seats, 1);
    // Fractions and values out of the field's range stay errors, with serde's words.
    for (id, found) in [(3, "1.5"), (4, "5000000000")] {
        let err = read(id).await.unwrap_err();
        let message = assert_located(&err, Some("plans"), "seats");
        assert!(message.contains(found), "{err}");
    }
    let err = read(5).await.unwrap_err();
    let message = assert_located(&err, Some("plans"), "counts");
    assert!(message.contains("0.5"), "{err}");

    // The D1 layer reads JSON text by the same rule.
    let row = db
        .prepare("SELECT id, seats FROM plans WHERE id = 1")
        .first::<PlanRow>()
        .await
        .unwrap()
        .unwrap();
    assert_eq!((row.id, row.seats.seats), (1, 1));
    let err = db
        .prepare("SELECT id, seats FROM plans WHERE id = 3")
        .first::<PlanRow>()
        .await
        .unwrap_err();
    let message = assert_located(&err, None, "seats");
    assert!(message.contains("1.5"), "{err}");
}

/// A reading, nested in a document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Reading {
    level: f32,
}

/// A document with `f32` numbers at the top, in a list of structs and in a map of
/// `Option<f32>`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Readings {
    level: f32,
    #[serde(default)]
    count: u32,
    history: Vec<Reading>,
    peaks: std::collections::BTreeMap<String, Option<f32>>,
}

#[derive(Debug, Table)]
#[d1orm(table = "meters")]
#[allow(dead_code)]
struct Meter {
    #[d1orm(primary_key)]
    id: i64,
    #[d1orm(json)]
    readings: Readings,
}

#[derive(Debug, Deserialize)]
struct MeterRow {
    #[allow(dead_code)]
    id: i64,
    readings: Readings,
}

/// A message naming a value beyond `f32`'s range, in value.rs's words.
#[track_caller]
fn assert_beyond_f32(message: &str, value: &str) {
    assert!(
        message.contains(&format!("real {value} is out of range for f32")),
        "{message}"
    );
}

#[tokio::test]
async fn numbers_beyond_f32_range_in_json_documents_are_decode_errors_not_infinity() {
    let db = memory();
    db.exec(&create_table_sql::<Meter>()).await.unwrap();
    let insert = db.prepare("INSERT INTO meters (id, readings) VALUES (?, ?)");
    for (id, text) in [
        (
            1,
            r#"{"level":3.0e38,"history":[{"level":-3.0e38},{"level":1e-50}],"peaks":{"a":3.0e38,"b":null}}"#,
        ),
        (2, r#"{"level":1e300,"history":[],"peaks":{}}"#),
        (
            3,
            r#"{"level":0.5,"history":[{"level":1},{"level":1e300}],"peaks":{}}"#,
        ),
        (
            4,
            r#"{"level":0.5,"history":[],"peaks":{"a":null,"b":-1e300}}"#,
        ),
        (5, r#"{"count":2.0,"level":3.0e38,"history":[],"peaks":{}}"#),
        (6, r#"{"count":2.0,"level":1e300,"history":[],"peaks":{}}"#),
        (
            7,
            r#"{"level":0.5,"count":2.0,"history":[],"peaks":{"a":1e39}}"#,
        ),
    ] {
        insert.bind((id, text)).run().await.unwrap();
    }
    let read = |id: i64| db.meters().where_(move |m| m.id.eq(id)).one();

    // Inside f32's range numbers round to the nearest f32, at any depth.
    let fine = read(1).await.unwrap().readings;
    assert_eq!(fine.level, 3.0e38f32);
    assert_eq!(
        fine.history,
        [Reading { level: -3.0e38 }, Reading { level: 0.0 }]
    );
    assert_eq!(fine.peaks["a"], Some(3.0e38f32));
    assert_eq!(fine.peaks["b"], None);
    // An integral float read as an integer (the retry) leaves f32 fields as they were.
    let retried = read(5).await.unwrap().readings;
    assert_eq!((retried.count, retried.level), (2, 3.0e38f32));

    // Beyond it: a decode error naming the table, the column and the number, never
    // infinity; on the first read and on the integral-float retry alike.
    for (id, value) in [
        (2, "1e300"),
        (3, "1e300"),
        (4, "-1e300"),
        (6, "1e300"),
        (7, "1e39"),
    ] {
        let err = read(id).await.unwrap_err();
        let message = assert_located(&err, Some("meters"), "readings");
        assert_beyond_f32(&message, value);
        // The column alone, through a projection, reads by the same rule.
        let err = db
            .meters()
            .where_(move |m| m.id.eq(id))
            .select(|m| m.readings)
            .one()
            .await
            .unwrap_err();
        let message = assert_located(&err, Some("meters"), "readings");
        assert_beyond_f32(&message, value);
    }

    // The D1 layer reads JSON text into a struct by the same rule.
    let rows = db
        .prepare("SELECT id, readings FROM meters WHERE id IN (1, 5) ORDER BY id")
        .all::<MeterRow>()
        .await
        .unwrap();
    assert_eq!(rows.results[0].readings, fine);
    assert_eq!(rows.results[1].readings, retried);
    for (id, value) in [
        (2, "1e300"),
        (3, "1e300"),
        (4, "-1e300"),
        (6, "1e300"),
        (7, "1e39"),
    ] {
        let err = db
            .prepare("SELECT id, readings FROM meters WHERE id = ?")
            .bind(id)
            .all::<MeterRow>()
            .await
            .unwrap_err();
        let message = assert_located(&err, None, "readings");
        assert_beyond_f32(&message, value);
    }
    // And a REAL column into an `f32` field, through `all` and `raw` as through `first`.
    db.exec(&create_table_sql::<Sample>()).await.unwrap();
    db.exec("INSERT INTO samples (id, level) VALUES (1, 3.0e38), (2, 1e300)")
        .await
        .unwrap();
    let rows = db
        .prepare("SELECT id, level FROM samples WHERE id = 1")
        .all::<Levels>()
        .await
        .unwrap();
    assert_eq!(rows.results[0].level, 3.0e38f32);
    let err = db
        .prepare("SELECT id, level FROM samples")
        .all::<Levels>()
        .await
        .unwrap_err();
    let message = assert_located(&err, None, "level");
    assert_beyond_f32(&message, "1e300");
    let err = db
        .prepare("SELECT id, level FROM samples WHERE id = 2")
        .raw::<(i64, f32)>()
        .await
        .unwrap_err();
    let message = assert_located(&err, None, "#1");
    assert_beyond_f32(&message, "1e300");
}

#[derive(Debug, Deserialize)]
struct Levels {
    #[allow(dead_code)]
    id: i64,
    level: f32,
}
