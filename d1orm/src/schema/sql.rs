//! SQL for one derived table, for callers that create tables themselves.

use super::TableDef;
use crate::table::Table;

/// `CREATE TABLE IF NOT EXISTS` for `T`, every identifier quoted: column types,
/// `NOT NULL` for non-`Option` fields, the primary key (an auto-assigned single
/// `INTEGER PRIMARY KEY` is SQLite's rowid), `UNIQUE` (single and composite), `DEFAULT`,
/// `CHECK` (text enums list their values) and foreign keys. Indexes come from
/// [`create_indexes_sql`].
pub fn create_table_sql<T: Table>() -> String {
    TableDef::of::<T>().create_table_sql()
}

/// `CREATE INDEX IF NOT EXISTS` for each index `T` declares.
pub fn create_indexes_sql<T: Table>() -> Vec<String> {
    TableDef::of::<T>().create_indexes_sql()
}
