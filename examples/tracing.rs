//! d1orm's spans printed by `tracing-subscriber`: one per statement and one per batch,
//! with the SQL, the number of parameters, rows read and written, changes, the
//! backend's duration, or the error.
//!
//! ```sh
//! cargo run --example tracing
//! ```
//!
//! d1orm's `tracing` feature turns the spans on (this repository's examples have it);
//! without it they cost nothing. The bound values are recorded only when target
//! `d1orm::values` is enabled at TRACE level.

use d1orm::{Database, Table};
use d1orm_sqlite::SqliteBackend;
use tracing_subscriber::fmt::format::FmtSpan;

#[derive(Debug, Table)]
struct Note {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    body: String,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> d1orm::Result<()> {
    // A line when each span closes, with its fields and timings. TRACE also records the
    // bound values (target `d1orm::values`); DEBUG leaves them out.
    tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_span_events(FmtSpan::CLOSE)
        .init();

    let db = Database::new(SqliteBackend::open_in_memory()?);
    db.exec(&d1orm::table::create_table_sql::<Note>()).await?;
    db.notes()
        .insert(NewNote::builder().body("hello").build())
        .await?;
    db.batch((
        db.notes().insert(NewNote::builder().body("world").build()),
        db.notes().where_(|n| n.body.contains("o")).count(),
    ))
    .await?;
    let notes = db.notes().order_by(|n| n.id.asc()).many().await?;
    for note in &notes.rows {
        println!("note {}: {}", note.id, note.body);
    }
    let missing = db
        .prepare("SELECT nope FROM notes")
        .all::<d1orm::JsonRow>()
        .await;
    assert!(missing.is_err());
    Ok(())
}
