//! d1orm's spans (the `tracing` feature): one per statement, one per batch holding its
//! statements, with the SQL, parameter count, counters or error; values only when asked.
//!
//! A test binary of its own, with one test: tracing caches which callsites a subscriber
//! wants, and subscribers scoped to other tests' threads would race with that cache.

use std::io::Write;
use std::sync::{Arc, Mutex};

use d1orm::Table;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Debug, Table)]
#[allow(dead_code)] // written and counted, never read back
struct Traced {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    body: String,
}

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

/// The lines of the spans closed while `f` ran, one per span; at TRACE level the values
/// are recorded too (target `d1orm::values`).
fn spans(level: tracing::Level, f: impl AsyncFnOnce()) -> Vec<String> {
    let out = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_span_events(FmtSpan::CLOSE)
        .with_ansi(false)
        .without_time()
        .with_writer(out.clone())
        .finish();
    tracing::subscriber::with_default(subscriber, || {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        runtime.block_on(f());
    });
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    text.lines().map(str::to_owned).collect()
}

fn memory() -> d1orm::Database<d1orm_sqlite::SqliteBackend> {
    d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory().expect("in-memory database"))
}

#[test]
fn spans_of_statements_and_batches() {
    a_span_per_statement_and_per_batch_with_counters_or_the_error();
    values_only_when_their_target_is_enabled();
}

fn a_span_per_statement_and_per_batch_with_counters_or_the_error() {
    let lines = spans(tracing::Level::DEBUG, async || {
        let db = memory();
        db.exec(&d1orm::table::create_table_sql::<Traced>())
            .await
            .unwrap();
        db.traceds()
            .insert(NewTraced::builder().body("secret").build())
            .await
            .unwrap();
        db.batch((
            db.traceds().insert(NewTraced::builder().body("b").build()),
            db.traceds().where_(|t| t.body.eq("b")).count(),
        ))
        .await
        .unwrap();
        let _ = db
            .prepare("SELECT nope FROM traceds")
            .all::<d1orm::JsonRow>()
            .await;
    });
    assert_eq!(lines.len(), 5, "{lines:#?}");
    let insert = &lines[0];
    assert!(
        insert.contains("statement{sql=\"INSERT INTO \\\"traceds\\\""),
        "{insert}"
    );
    assert!(insert.contains("params=1"), "{insert}");
    assert!(
        insert.contains("rows_written=1") && insert.contains("changes=1"),
        "{insert}"
    );
    assert!(
        !insert.contains("secret"),
        "values recorded without being asked: {insert}"
    );
    // The batch's statements are inside its span; the batch closes after them.
    assert!(
        lines[1].contains("batch{statements=2}:statement{"),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("batch{statements=2}:statement{sql=\"SELECT count(*)"),
        "{}",
        lines[2]
    );
    assert!(lines[2].contains("rows_read=2"), "{}", lines[2]);
    assert!(
        lines[3].contains("batch{statements=2}: d1orm: close"),
        "{}",
        lines[3]
    );
    assert!(
        lines[4].contains("error=D1_ERROR: no such column: nope"),
        "{}",
        lines[4]
    );
}

fn values_only_when_their_target_is_enabled() {
    let lines = spans(tracing::Level::TRACE, async || {
        let db = memory();
        db.prepare("SELECT ? AS a")
            .bind("visible")
            .all::<d1orm::JsonRow>()
            .await
            .unwrap();
    });
    assert!(
        lines[0].contains("values=[Text(\"visible\")]"),
        "{lines:#?}"
    );
}
