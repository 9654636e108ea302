//! SQL for one derived table, for callers that create tables themselves.

use super::TableDef;
use crate::table::Table;

/// `CREATE TABLE IF NOT EXISTS` for `T`, every identifier quoted: column types,
/// `NOT NULL` for non-`Option` fields, the primary key (an auto-assigned single
/// `INTEGER PRIMARY KEY` is SQLite's rowid), `UNIQUE` (single and composite), `DEFAULT`,
/// `CHECK` (text enums list their values) and foreign keys. Indexes come from
/// [`create_indexes_sql`].
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// let sql = d1orm::table::create_table_sql::<User>();
/// assert!(sql.starts_with(r#"CREATE TABLE IF NOT EXISTS "users" ("#));
/// # }
/// ```
pub fn create_table_sql<T: Table>() -> String {
    TableDef::of::<T>().create_table_sql()
}

/// `CREATE INDEX IF NOT EXISTS` for each index `T` declares.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// assert!(d1orm::table::create_indexes_sql::<Author>().is_empty());
/// # Ok(()) }
/// ```
pub fn create_indexes_sql<T: Table>() -> Vec<String> {
    TableDef::of::<T>().create_indexes_sql()
}
