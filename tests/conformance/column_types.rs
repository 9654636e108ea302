//! Column types from other crates (d1orm's `chrono`, `time`, `jiff` and `uuid`
//! features), run like `chains`: written, read back, filtered and ordered on the
//! reference backend, real local D1 and both Worker backends; SQL defaults
//! (`CURRENT_TIMESTAMP`, `unixepoch()`) decode; bad stored text is a typed error naming
//! table and column.

use d1orm::table::create_table_sql;
use d1orm::types::chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use d1orm::types::uuid::Uuid;
use d1orm::types::{UnixSeconds, UuidBlob, jiff, time};
use d1orm::{Backend, Database, Table};
use serde_json::{Value as J, json};

use crate::chains::obs;

#[derive(Debug, Clone, PartialEq, Table)]
pub struct Event {
    #[d1orm(primary_key)]
    pub id: Uuid,
    pub key: UuidBlob,
    pub at: DateTime<Utc>,
    pub local: NaiveDateTime,
    pub day: NaiveDate,
    pub seen: Option<jiff::Timestamp>,
    pub due: time::Date,
    pub logged: time::OffsetDateTime,
    #[d1orm(default = "CURRENT_TIMESTAMP")]
    pub created: DateTime<Utc>,
    #[d1orm(default = "(unixepoch())")]
    pub stamp: UnixSeconds<DateTime<Utc>>,
}

fn instant(seconds: i64, nanos: u32) -> DateTime<Utc> {
    DateTime::from_timestamp(seconds, nanos).expect("an instant")
}

fn event(i: u128) -> NewEvent {
    let at = instant(1_796_000_000 + i as i64 * 3600, (i as u32) * 200_000_000);
    let mut e = NewEvent::builder()
        .id(Uuid::from_u128(i))
        .key(UuidBlob(Uuid::from_u128(i << 64 | 0xff)))
        .at(at)
        .local(at.naive_utc())
        .day(at.date_naive())
        .due(time::Date::from_calendar_date(2026, time::Month::December, i as u8).expect("a date"))
        .logged(
            time::OffsetDateTime::from_unix_timestamp(1_700_000_000 + i as i64).expect("a time"),
        )
        .build();
    e.seen = i
        .is_multiple_of(2)
        .then(|| jiff::Timestamp::new(1_700_000_000, i as i32).expect("a timestamp"));
    e
}

pub async fn time_and_uuid_columns<B: Backend>(db: &Database<B>) -> J {
    let created = db.exec(&create_table_sql::<Event>()).await.map(|r| r.count);
    let inserted = db
        .events()
        .insert_many((1..=4).map(event))
        .await
        .map(|w| w.changes());
    // Written values read back exactly; the defaults decode (their time is the
    // database's, so only their plausibility is observed).
    let rows = db.events().order_by(|e| e.at.desc()).many().await.map(|r| {
        r.rows
            .iter()
            .map(|e| {
                json!({
                    "id": e.id.to_string(),
                    "key": e.key.0.to_string(),
                    "at": e.at.to_rfc3339(),
                    "local": e.local.to_string(),
                    "day": e.day.to_string(),
                    "seen": e.seen.map(|t| t.to_string()),
                    "due": e.due.to_string(),
                    "logged": e.logged.unix_timestamp(),
                    "created_recent": e.created.timestamp() > 1_750_000_000,
                    "stamp_near_created": (e.stamp.0.timestamp() - e.created.timestamp()).abs() <= 2,
                    "same_as_written": e == &event_row(e),
                })
            })
            .collect::<Vec<_>>()
    });
    let after = db
        .events()
        .where_(|e| e.at.gt(instant(1_796_000_000 + 2 * 3600, 0)))
        .order_by(|e| e.id.asc())
        .select(|e| e.id)
        .many()
        .await
        .map(|r| r.rows.iter().map(Uuid::to_string).collect::<Vec<_>>());
    let by_key = db
        .events()
        .where_(|e| e.key.eq(UuidBlob(Uuid::from_u128(3 << 64 | 0xff))))
        .select(|e| e.day)
        .many()
        .await
        .map(|r| r.rows.iter().map(ToString::to_string).collect::<Vec<_>>());
    let fraction = db
        .events()
        .where_(|e| e.id.eq(Uuid::from_u128(1)))
        .update(|e| e.stamp.set(UnixSeconds(instant(5, 1))))
        .await
        .map(|w| w.changes());
    let bad = db
        .prepare("UPDATE events SET day = '2026-13-01' WHERE key = ?")
        .bind(
            UuidBlob(Uuid::from_u128(2 << 64 | 0xff))
                .0
                .as_bytes()
                .to_vec(),
        )
        .run()
        .await
        .map(|r| r.meta.changes);
    let read_bad = db
        .events()
        .order_by(|e| e.day.desc())
        .select(|e| e.day)
        .many()
        .await
        .map(|r| r.rows.len());
    json!([
        obs(created),
        obs(inserted),
        obs(rows),
        obs(after),
        obs(by_key),
        obs(fraction),
        obs(bad),
        obs(read_bad),
    ])
}

/// The row as written by [`event`], with the database's defaults copied over.
fn event_row(stored: &Event) -> Event {
    let i = stored.id.as_u128();
    let e = event(i);
    Event {
        id: e.id,
        key: e.key,
        at: e.at,
        local: e.local,
        day: e.day,
        seen: e.seen,
        due: e.due,
        logged: e.logged,
        created: stored.created,
        stamp: stored.stamp,
    }
}
