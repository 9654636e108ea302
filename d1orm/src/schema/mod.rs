//! Schemas from the derive: `CREATE TABLE` / `CREATE INDEX` SQL, migrations applied at
//! run time ([`Database::migrate`](crate::Database::migrate)), and numbered migration
//! files ([`files`]) for `wrangler d1 migrations apply`, or compiled in and applied by
//! [`Database::apply_migrations`](crate::Database::apply_migrations) (a Durable Object's
//! own storage).

mod apply;
mod diff;
pub mod files;
mod migrate;
mod model;
mod sql;

use serde::{Deserialize, Serialize};

pub use apply::{FILES_TABLE, MigrationFile};
pub use diff::MigrateOptions;
pub use migrate::{HISTORY_TABLE, Migrated};
pub use model::{ColumnDef, ForeignKeyDef, IndexDef, TableDef};
pub use sql::{create_indexes_sql, create_table_sql};

use crate::table::Table;

/// The tables an application uses: what a migration brings the database to.
///
/// ```
/// # #[derive(d1orm::Table)] struct User { #[d1orm(primary_key)] id: i64 }
/// # #[derive(d1orm::Table)] struct Post { #[d1orm(primary_key)] id: i64 }
/// let schema = d1orm::Schema::new().table::<User>().table::<Post>();
/// assert_eq!(schema.tables.len(), 2);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schema {
    /// The tables, in the order they are created.
    pub tables: Vec<TableDef>,
}

impl Schema {
    /// No tables.
    ///
    /// ```
    /// assert!(d1orm::Schema::new().create_sql().is_empty());
    /// ```
    pub fn new() -> Self {
        Schema::default()
    }

    /// Adds table `T`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let schema = d1orm::Schema::new().table::<Author>().table::<Book>();
    /// assert_eq!(schema.create_sql().len(), 2);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn table<T: Table>(mut self) -> Self {
        self.tables.push(TableDef::of::<T>());
        self
    }

    /// Every `CREATE TABLE` and `CREATE INDEX`, in order.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let sql = d1orm::Schema::new().table::<Author>().create_sql();
    /// assert!(sql[0].starts_with("CREATE TABLE") && sql[0].contains(r#""authors""#));
    /// # Ok(()) }
    /// ```
    pub fn create_sql(&self) -> Vec<String> {
        self.tables
            .iter()
            .flat_map(|t| std::iter::once(t.create_table_sql()).chain(t.create_indexes_sql()))
            .collect()
    }

    /// A hash of the schema (FNV-1a over its JSON form), recorded with each migration
    /// step: an unchanged schema is recognised by it.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// use d1orm::Schema;
    /// let a = Schema::new().table::<Author>();
    /// assert_eq!(a.hash(), Schema::new().table::<Author>().hash());
    /// assert_ne!(a.hash(), a.clone().table::<Book>().hash());
    /// # Ok(()) }
    /// ```
    pub fn hash(&self) -> String {
        let text = serde_json::to_string(self).unwrap_or_default();
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in text.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        format!("{h:016x}")
    }
}
