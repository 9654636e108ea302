//! What statements return: D1's result objects, serializing to exactly D1's JSON.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};

/// The result of `all()` and `run()`: D1's `D1Result`.
///
/// Serializes as D1 does: `{"success":true,"meta":{...},"results":[...]}`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let r = db.prepare("SELECT email FROM users ORDER BY id").all::<serde_json::Value>().await?;
/// assert!(r.success);
/// assert_eq!(r.results[0]["email"], "ada@example.com");
/// let json = serde_json::to_value(&r).unwrap();    // D1's JSON: success, meta, results
/// assert!(json["meta"]["rows_read"].is_u64());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct D1Result<T> {
    /// Always `true` for a result; failures are errors.
    pub success: bool,
    /// What the statement did.
    pub meta: Meta,
    /// The rows (empty for statements that return none).
    pub results: Vec<T>,
}

/// D1's `meta`: what a statement did.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let meta = db.prepare("INSERT INTO users (email, age, tags) VALUES ('cy@x', 5, '[]')").run().await?.meta;
/// assert_eq!((meta.changes, meta.last_row_id, meta.changed_db), (1, 3, true));
/// assert_eq!(meta.served_by, "d1orm-sqlite");
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Meta {
    /// Who served the query (`"miniflare.db"` locally, `"d1orm-sqlite"` for the
    /// reference backend). Borrowed when the backend's name is fixed, so a statement's
    /// meta costs no allocation.
    pub served_by: Cow<'static, str>,
    /// Region that served the query (production D1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by_region: Option<String>,
    /// Whether the primary served the query (production D1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by_primary: Option<bool>,
    /// The airport code of the data centre that served the query (production D1 only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served_by_colo: Option<String>,
    /// Time spent, in milliseconds.
    pub duration: f64,
    /// Rows changed, counting rows changed by triggers and foreign-key actions, as D1
    /// does: a delete whose `ON DELETE CASCADE` removes two more rows changes three.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// let db = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// db.prepare(
    ///     "CREATE TABLE lists (id INTEGER PRIMARY KEY);
    ///      CREATE TABLE items (list INTEGER REFERENCES lists(id) ON DELETE CASCADE);
    ///      INSERT INTO lists VALUES (1);
    ///      INSERT INTO items VALUES (1), (1);",
    /// )
    /// .run()
    /// .await?;
    /// let meta = db.prepare("DELETE FROM lists WHERE id = 1").run().await?.meta;
    /// assert_eq!(meta.changes, 3); // the list and its two items
    /// # Ok(()) }
    /// ```
    pub changes: u64,
    /// `last_insert_rowid()` after the statement (sticky across statements).
    pub last_row_id: i64,
    /// Whether the statement changed the database.
    pub changed_db: bool,
    /// Bytes the database holds after the statement.
    pub size_after: u64,
    /// Rows read (scanned) by the statement.
    pub rows_read: u64,
    /// Rows written by the statement, index entries included.
    pub rows_written: u64,
    /// Timings D1 reports in production.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timings: Option<Timings>,
    /// Attempts D1 made, retries included (every other field describes the last one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total_attempts: Option<u64>,
}

/// D1's `meta.timings`.
///
/// ```
/// let timings: d1orm::Timings = serde_json::from_str(r#"{"sql_duration_ms": 0.25}"#).unwrap();
/// assert_eq!(timings.sql_duration_ms, 0.25);
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Timings {
    /// Time SQLite spent on the statement, in milliseconds.
    pub sql_duration_ms: f64,
}

/// The result of `exec()`: D1's `D1ExecResult`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let r = db.exec("CREATE TABLE a (x)\n\nCREATE TABLE b (y)").await?;
/// assert_eq!(r.count, 2);          // the blank line is not a statement
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ExecResult {
    /// Statements (non-blank lines) run.
    pub count: u64,
    /// Time spent, in milliseconds.
    pub duration: f64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_with_d1_field_names() {
        let r = D1Result::<serde_json::Value> {
            success: true,
            meta: Meta {
                served_by: "x".into(),
                last_row_id: 3,
                changes: 1,
                changed_db: true,
                ..Meta::default()
            },
            results: vec![],
        };
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"success": true, "results": [], "meta": {
                "served_by": "x", "duration": 0.0, "changes": 1, "last_row_id": 3,
                "changed_db": true, "size_after": 0, "rows_read": 0, "rows_written": 0
            }})
        );
        let exec = serde_json::to_value(ExecResult {
            count: 2,
            duration: 1.5,
        })
        .unwrap();
        assert_eq!(exec, serde_json::json!({"count": 2, "duration": 1.5}));
    }
}
