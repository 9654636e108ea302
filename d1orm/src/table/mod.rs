//! The table layer: what `#[derive(Table)]` implements, and the typed chain built on it.
//!
//! ```
//! use d1orm::{Backend, Database, Table};
//!
//! #[derive(Debug, Table)]
//! struct User {
//!     #[d1orm(primary_key, auto_increment)]
//!     id: i64,
//!     tier: String,
//! }
//!
//! async fn pros<B: Backend>(db: &Database<B>) -> d1orm::Result<Vec<User>> {
//!     let rows = db.users().where_(|u| u.tier.eq("pro")).order_by(|u| u.id.desc()).many().await?;
//!     Ok(rows.rows)
//! }
//! ```

mod aggregate;
mod column;
mod column_type;
mod condition;
pub mod decoders;
mod expr;
mod join;
mod json_array;
pub mod json_path;
mod page;
mod projection;
mod query;
mod relation;
mod staged;
mod subquery;
mod upsert;
mod write;

pub use crate::schema::{create_indexes_sql, create_table_sql};
pub use aggregate::{Aggregate, Ordered, Summable, count};
pub use column::{
    Assignment, Column, JsonColumn, JsonPath, LIKE_PATTERN_LIMIT, Order, PathStep, TextColumn,
};
pub use column_type::{ColumnType, ColumnValue, Operand};
pub(crate) use column_type::{json_from_value, json_to_value};
pub use condition::Condition;
pub use decoders::Rows;
pub use expr::{Expr, Sql, sql};
pub use join::{
    BothRows, InnerJoin, Join, JoinColumns, JoinFilter, JoinGroup, JoinKind, JoinOrder, Joinable,
    LeftJoin, OfLeft, OfRight, Selected,
};
pub use json_array::{JsonArray, JsonElement, JsonKeys};
pub use json_path::{
    JsonLeaf, JsonMap, JsonNode, JsonSeq, MaybeAbsent, PathValue, Presence, Present, TypedPath,
    UntypedJson,
};
pub use page::{KeyColumn, Keyset, Page, PageRows, PageSink, UniqueOrder};
pub use projection::ProjectedRows;
pub use projection::Projection;
pub use projection::{AllColumns, As, ColumnOf, FromRow};
pub use query::{
    FilterState, Filtered, Grouped, HasFilter, IntoAssignments, IntoGroup, IntoOrder, NoReturning,
    Query, Unfiltered,
};
pub use relation::{
    Cardinality, Include, Including, Many, One, Optional, Related, Relation, RelationList, Shape,
};
pub use staged::ReadInStagedBatch;
pub use subquery::InValues;
pub use upsert::{IntoRows, OnConflict, UniqueKey, Upsert};
pub use write::{InsertRow, MAX_PARAMS, WriteResult};

use crate::backend::{ParamValues, Row};
use crate::error::Result;

/// A Rust struct mapped to a table. Implemented by `#[derive(Table)]`; not meant to be
/// implemented by hand.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::Table;
/// assert_eq!(User::NAME, "users");
/// assert_eq!(User::COLUMNS[1].name, "email");
/// # }
/// ```
pub trait Table: Sized + Send + 'static {
    /// The table's name.
    const NAME: &'static str;
    /// The table's name, quoted for SQL.
    const QUOTED_NAME: &'static str;
    /// Every column, in declaration order (the order rows are decoded in).
    const COLUMNS: &'static [ColumnInfo];
    /// The quoted column list, in declaration order, for `SELECT` and `RETURNING`.
    const SELECT_LIST: &'static str;
    /// Composite UNIQUE keys declared on the struct (`unique(a, b)`), by column name.
    const UNIQUE_KEYS: &'static [&'static [&'static str]] = &[];
    /// Table CHECK constraints, as SQL expressions.
    const CHECKS: &'static [&'static str] = &[];
    /// Indexes declared on the struct or its fields.
    const INDEXES: &'static [IndexInfo] = &[];
    /// With a primary key: [`PrimaryKey::KEY_CONDITION`] and [`PrimaryKey::FIND_SQL`],
    /// so that a chain filtering on the key alone runs the lookup the derive wrote.
    #[doc(hidden)]
    const KEY_LOOKUP: Option<(&'static str, &'static str)> = None;

    /// Foreign keys: columns that reference another derived table's column.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// use d1orm::Table;
    /// let fks = Book::foreign_keys();
    /// assert_eq!((fks[0].column, fks[0].table, fks[0].references), ("author_id", "authors", "id"));
    /// # Ok(()) }
    /// ```
    fn foreign_keys() -> Vec<ForeignKeyInfo> {
        Vec::new()
    }
    /// The generated struct of typed column handles.
    type Columns: Copy;
    /// The generated struct for inserting a row.
    type Insert: InsertRow<Self>;

    /// The column handles.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::Table;
    /// let c = User::columns();
    /// assert_eq!((c.id.name(), c.tags.name()), ("id", "tags"));
    /// # }
    /// ```
    fn columns() -> Self::Columns;

    /// The column handles naming the incoming row of an upsert (`excluded."c"`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // What `new` names in an upsert's update closure.
    /// db.users().upsert(NewUser::builder().email("bo@example.com").age(20).tags(vec![]).build())
    ///     .on_conflict(|u| u.email)
    ///     .update(|u, new| u.age.set(new.age))
    ///     .await?;
    /// # Ok(()) }
    /// ```
    fn excluded() -> Self::Columns;

    /// The column handles naming the columns of `source`, the table's quoted name or
    /// alias in a join (`"notes"."id"`), so that two tables' columns can be told apart.
    #[doc(hidden)]
    fn qualified(source: &'static str) -> Self::Columns;

    /// Decodes a row whose columns are [`Self::COLUMNS`] in order, starting at `offset`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::{Row, Table, Value, ValueRef};
    /// // A row as a backend hands it over: values by position.
    /// struct Cells(Vec<Value>);
    /// impl Row for Cells {
    ///     fn column_count(&self) -> usize { self.0.len() }
    ///     fn value(&self, i: usize) -> d1orm::Result<ValueRef<'_>> { Ok(self.0[i].as_ref()) }
    /// }
    /// let row = Cells(vec![
    ///     Value::Integer(7), Value::Text("cy@x".into()), Value::Integer(5),
    ///     Value::Null, Value::Text("[]".into()), Value::Null, Value::Null,
    /// ]);
    /// let user = User::decode_row(&row, 0).unwrap();
    /// assert_eq!((user.id, user.tags.len()), (7, 0));
    /// # }
    /// ```
    ///
    /// # Failure
    /// A stored value that does not decode into its field (the error names the table
    /// and column).
    fn decode_row<R: Row + ?Sized>(row: &R, offset: usize) -> Result<Self>;
}

/// A table with a declared primary key: what [`Query::find`] looks a row up by.
/// Implemented by `#[derive(Table)]` when a field or the struct declares the key (and
/// no key column is JSON).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::table::PrimaryKey;
/// assert_eq!(User::KEY_CONDITION, r#""id" = ?"#);
/// assert!(db.users().find(1).await?.is_some());
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no primary key to find rows by",
    label = "`find` needs a primary key",
    note = "declare one on a field, `#[d1orm(primary_key)]`, or on the struct, `#[d1orm(primary_key(a, b))]`; or choose rows with `where_`"
)]
pub trait PrimaryKey: Table {
    /// The key's value: the key column's Rust type, or a tuple of them for a composite
    /// key, in declaration order.
    type Key;
    /// `"id" = ?`: one test per key column, joined by `AND`.
    const KEY_CONDITION: &'static str;
    /// `SELECT <every column> FROM <table> WHERE <KEY_CONDITION>`, written by the derive
    /// so that a lookup builds no SQL.
    const FIND_SQL: &'static str;

    /// The key's values to bind, in the order of [`KEY_CONDITION`](Self::KEY_CONDITION).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # fn main() {
    /// use d1orm::table::PrimaryKey;
    /// assert_eq!(User::key_params(7).unwrap().len(), 1);
    /// # }
    /// ```
    ///
    /// # Failure
    /// A value the database cannot hold faithfully (a `u64` above `i64::MAX`).
    fn key_params(key: Self::Key) -> Result<ParamValues>;
}

/// What the derive knows about a column.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::Table;
/// let email = &User::COLUMNS[1];
/// assert_eq!((email.name, email.sql_type, email.unique, email.nullable), ("email", "TEXT", true, false));
/// # }
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct ColumnInfo {
    /// The column's name.
    pub name: &'static str,
    /// The declared SQL type.
    pub sql_type: &'static str,
    /// Whether NULL is allowed.
    pub nullable: bool,
    /// Part of the primary key.
    pub primary_key: bool,
    /// Assigned by the database (`INTEGER PRIMARY KEY`) when not given.
    pub auto_increment: bool,
    /// Declared UNIQUE.
    pub unique: bool,
    /// The SQL `DEFAULT` expression.
    pub default: Option<&'static str>,
    /// Stored as JSON text.
    pub json: bool,
    /// A column CHECK constraint, as an SQL expression.
    pub check: Option<&'static str>,
    /// The values a text enum allows (a CHECK constraint lists them).
    pub values: Option<&'static [&'static str]>,
}

/// An index the derive declares.
///
/// ```
/// use d1orm::table::IndexInfo;
/// let ix = IndexInfo::new("users_age", &["age"], false, None);
/// assert_eq!(ix.columns, ["age"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct IndexInfo {
    /// The index's name (derived from the table and columns unless given).
    pub name: &'static str,
    /// Its columns, by name, in order.
    pub columns: &'static [&'static str],
    /// A UNIQUE index.
    pub unique: bool,
    /// A partial index's `WHERE` condition.
    pub filter: Option<&'static str>,
}

impl IndexInfo {
    /// An index on `columns`.
    ///
    /// ```
    /// let ix = d1orm::table::IndexInfo::new("users_active_email", &["email"], true, Some("active = 1"));
    /// assert!(ix.unique);
    /// ```
    pub const fn new(
        name: &'static str,
        columns: &'static [&'static str],
        unique: bool,
        filter: Option<&'static str>,
    ) -> Self {
        IndexInfo {
            name,
            columns,
            unique,
            filter,
        }
    }
}

/// A foreign key the derive declares (`#[d1orm(references(User::id))]`).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// use d1orm::Table;
/// let fk = &Book::foreign_keys()[1];
/// assert_eq!((fk.column, fk.table), ("editor_id", "authors"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ForeignKeyInfo {
    /// The referencing column of this table.
    pub column: &'static str,
    /// The referenced table.
    pub table: &'static str,
    /// The referenced column.
    pub references: &'static str,
    /// `ON DELETE` action (`CASCADE`, `SET NULL`, ...).
    pub on_delete: Option<&'static str>,
    /// `ON UPDATE` action.
    pub on_update: Option<&'static str>,
}

impl ForeignKeyInfo {
    /// A foreign key from `column` to `table(references)`.
    ///
    /// ```
    /// let fk = d1orm::table::ForeignKeyInfo::new("author_id", "authors", "id", None, None);
    /// assert_eq!(fk.references, "id");
    /// ```
    pub fn new(
        column: &'static str,
        table: &'static str,
        references: &'static str,
        on_delete: Option<&'static str>,
        on_update: Option<&'static str>,
    ) -> Self {
        ForeignKeyInfo {
            column,
            table,
            references,
            on_delete,
            on_update,
        }
    }
}

impl ColumnInfo {
    /// A column with just a name and type; the derive fills in the rest.
    ///
    /// ```
    /// let c = d1orm::table::ColumnInfo::new("age", "INTEGER");
    /// assert!(!c.nullable && !c.primary_key);
    /// ```
    pub const fn new(name: &'static str, sql_type: &'static str) -> Self {
        ColumnInfo {
            name,
            sql_type,
            nullable: false,
            primary_key: false,
            auto_increment: false,
            unique: false,
            default: None,
            json: false,
            check: None,
            values: None,
        }
    }

    /// Sets the column CHECK constraint.
    ///
    /// ```
    /// let c = d1orm::table::ColumnInfo::new("age", "INTEGER").check(Some("age >= 0"));
    /// assert_eq!(c.check, Some("age >= 0"));
    /// ```
    pub const fn check(mut self, sql: Option<&'static str>) -> Self {
        self.check = sql;
        self
    }
    /// Sets the values a text enum allows.
    ///
    /// ```
    /// let c = d1orm::table::ColumnInfo::new("tier", "TEXT").values(Some(&["free", "pro"]));
    /// assert_eq!(c.values.map(|v| v.len()), Some(2));
    /// ```
    pub const fn values(mut self, values: Option<&'static [&'static str]>) -> Self {
        self.values = values;
        self
    }

    /// Sets whether NULL is allowed.
    ///
    /// ```
    /// assert!(d1orm::table::ColumnInfo::new("bio", "TEXT").nullable(true).nullable);
    /// ```
    pub const fn nullable(mut self, yes: bool) -> Self {
        self.nullable = yes;
        self
    }
    /// Sets whether the column is part of the primary key.
    ///
    /// ```
    /// assert!(d1orm::table::ColumnInfo::new("id", "INTEGER").primary_key(true).primary_key);
    /// ```
    pub const fn primary_key(mut self, yes: bool) -> Self {
        self.primary_key = yes;
        self
    }
    /// Sets whether the database assigns the value.
    ///
    /// ```
    /// assert!(d1orm::table::ColumnInfo::new("id", "INTEGER").auto_increment(true).auto_increment);
    /// ```
    pub const fn auto_increment(mut self, yes: bool) -> Self {
        self.auto_increment = yes;
        self
    }
    /// Sets whether the column is UNIQUE.
    ///
    /// ```
    /// assert!(d1orm::table::ColumnInfo::new("email", "TEXT").unique(true).unique);
    /// ```
    pub const fn unique(mut self, yes: bool) -> Self {
        self.unique = yes;
        self
    }
    /// Sets the SQL `DEFAULT` expression.
    ///
    /// ```
    /// let c = d1orm::table::ColumnInfo::new("tier", "TEXT").default(Some("'free'"));
    /// assert_eq!(c.default, Some("'free'"));
    /// ```
    pub const fn default(mut self, sql: Option<&'static str>) -> Self {
        self.default = sql;
        self
    }
    /// Sets whether the column stores JSON text.
    ///
    /// ```
    /// assert!(d1orm::table::ColumnInfo::new("meta", "TEXT").json(true).json);
    /// ```
    pub const fn json(mut self, yes: bool) -> Self {
        self.json = yes;
        self
    }
}

/// Quotes an identifier for SQL: `"name"`, with inner quotes doubled.
///
/// ```
/// assert_eq!(d1orm::table::quote_identifier(r#"my "table""#), r#""my ""table""""#);
/// ```
pub fn quote_identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}
