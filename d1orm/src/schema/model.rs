//! A table's schema as data: built from the derive, read back from a live database, or
//! kept as a snapshot beside migration files; rendered as `CREATE TABLE` /
//! `CREATE INDEX` with every identifier quoted.

use serde::{Deserialize, Serialize};

use crate::table::{Table, quote_identifier};

/// One table.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// use d1orm::schema::TableDef;
/// let books = TableDef::of::<Book>();
/// assert_eq!((books.name.as_str(), books.primary_key.as_slice()), ("books", ["id".to_string()].as_slice()));
/// assert_eq!(books.foreign_keys.len(), 2);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableDef {
    /// The table's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<ColumnDef>,
    /// The primary key's columns (several for a composite key).
    pub primary_key: Vec<String>,
    /// UNIQUE keys, single and composite.
    pub unique: Vec<Vec<String>>,
    /// CHECK constraints: the table's and its columns' (text enums' value lists too).
    pub checks: Vec<String>,
    /// Foreign keys.
    pub foreign_keys: Vec<ForeignKeyDef>,
    /// Indexes (not those SQLite makes for UNIQUE and PRIMARY KEY).
    pub indexes: Vec<IndexDef>,
}

/// One column.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// let year = d1orm::schema::TableDef::of::<Book>().columns[4].clone();
/// assert_eq!((year.name.as_str(), year.sql_type.as_str(), year.not_null), ("year", "INTEGER", true));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnDef {
    /// The column's name.
    pub name: String,
    /// Its declared type.
    pub sql_type: String,
    /// NOT NULL.
    pub not_null: bool,
    /// Its DEFAULT expression.
    pub default: Option<String>,
}

/// A foreign key.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = library().await?;
/// let fk = d1orm::schema::TableDef::of::<Book>().foreign_keys[0].clone();
/// assert_eq!((fk.column.as_str(), fk.table.as_str(), fk.on_delete.as_str()), ("author_id", "authors", "NO ACTION"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForeignKeyDef {
    /// The referencing column.
    pub column: String,
    /// The referenced table.
    pub table: String,
    /// The referenced column.
    pub references: String,
    /// `ON DELETE` action, upper case (`NO ACTION` when none is given).
    pub on_delete: String,
    /// `ON UPDATE` action, upper case.
    pub on_update: String,
}

/// An index.
///
/// ```
/// use d1orm::{Table, schema::TableDef};
/// #[derive(Table)]
/// #[d1orm(index(kind, at))]
/// struct Event { #[d1orm(primary_key)] id: i64, kind: String, at: i64 }
/// let ix = &TableDef::of::<Event>().indexes[0];
/// assert_eq!((ix.columns.len(), ix.unique, ix.filter.clone()), (2, false, None));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexDef {
    /// The index's name.
    pub name: String,
    /// Its columns, in order.
    pub columns: Vec<String>,
    /// UNIQUE.
    pub unique: bool,
    /// A partial index's condition.
    pub filter: Option<String>,
}

impl TableDef {
    /// The schema `#[derive(Table)]` declares for `T`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let authors = d1orm::schema::TableDef::of::<Author>();
    /// assert_eq!(authors.columns.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn of<T: Table>() -> TableDef {
        let mut primary_key = Vec::new();
        let mut unique = Vec::new();
        let mut checks = Vec::new();
        let columns = T::COLUMNS
            .iter()
            .map(|c| {
                if c.primary_key {
                    primary_key.push(c.name.to_owned());
                }
                if c.unique {
                    unique.push(vec![c.name.to_owned()]);
                }
                if let Some(check) = c.check {
                    checks.push(check.to_owned());
                }
                if let Some(values) = c.values {
                    let list: Vec<String> = values.iter().map(|v| sql_text(v)).collect();
                    checks.push(format!(
                        "{} IN ({})",
                        quote_identifier(c.name),
                        list.join(", ")
                    ));
                }
                ColumnDef {
                    name: c.name.to_owned(),
                    sql_type: c.sql_type.to_owned(),
                    // An auto-assigned key is SQLite's rowid, never NULL.
                    not_null: !(c.nullable || c.primary_key && c.auto_increment),
                    default: c.default.map(str::to_owned),
                }
            })
            .collect();
        unique.extend(
            T::UNIQUE_KEYS
                .iter()
                .map(|k| k.iter().map(|c| (*c).to_owned()).collect()),
        );
        checks.extend(T::CHECKS.iter().map(|c| (*c).to_owned()));
        TableDef {
            name: T::NAME.to_owned(),
            columns,
            primary_key,
            unique,
            checks,
            foreign_keys: T::foreign_keys()
                .into_iter()
                .map(|f| ForeignKeyDef {
                    column: f.column.to_owned(),
                    table: f.table.to_owned(),
                    references: f.references.to_owned(),
                    on_delete: f.on_delete.unwrap_or("NO ACTION").to_owned(),
                    on_update: f.on_update.unwrap_or("NO ACTION").to_owned(),
                })
                .collect(),
            indexes: T::INDEXES
                .iter()
                .map(|i| IndexDef {
                    name: i.name.to_owned(),
                    columns: i.columns.iter().map(|c| (*c).to_owned()).collect(),
                    unique: i.unique,
                    filter: i.filter.map(str::to_owned),
                })
                .collect(),
        }
    }

    /// The column named `name`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let books = d1orm::schema::TableDef::of::<Book>();
    /// assert!(books.column("title").is_some() && books.column("isbn").is_none());
    /// # Ok(()) }
    /// ```
    pub fn column(&self, name: &str) -> Option<&ColumnDef> {
        self.columns.iter().find(|c| c.name == name)
    }

    /// Whether `column` alone is the primary key.
    pub(crate) fn is_single_key(&self, column: &str) -> bool {
        self.primary_key.len() == 1 && self.primary_key[0] == column
    }

    /// `CREATE TABLE` under `name` (the table's own, or a rebuild's temporary name).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let sql = d1orm::schema::TableDef::of::<Author>().create_table_sql_as("authors_new");
    /// assert!(sql.starts_with("CREATE TABLE") && sql.contains(r#""authors_new""#));
    /// # Ok(()) }
    /// ```
    pub fn create_table_sql_as(&self, name: &str) -> String {
        let mut parts: Vec<String> = self.columns.iter().map(|c| self.column_sql(c)).collect();
        if self.primary_key.len() > 1 {
            parts.push(format!("PRIMARY KEY ({})", quoted_list(&self.primary_key)));
        }
        for key in self.unique.iter().filter(|k| k.len() > 1) {
            parts.push(format!("UNIQUE ({})", quoted_list(key)));
        }
        for check in &self.checks {
            parts.push(format!("CHECK ({check})"));
        }
        format!(
            "CREATE TABLE IF NOT EXISTS {} ({})",
            quote_identifier(name),
            parts.join(", ")
        )
    }

    /// `CREATE TABLE IF NOT EXISTS` for the table.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/library.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = library().await?;
    /// let sql = d1orm::schema::TableDef::of::<Author>().create_table_sql();
    /// assert!(sql.starts_with(r#"CREATE TABLE IF NOT EXISTS "authors""#));
    /// # Ok(()) }
    /// ```
    pub fn create_table_sql(&self) -> String {
        self.create_table_sql_as(&self.name)
    }

    /// One column's definition, with its single-column constraints.
    pub(crate) fn column_sql(&self, c: &ColumnDef) -> String {
        let mut def = format!("{} {}", quote_identifier(&c.name), c.sql_type);
        if self.is_single_key(&c.name) {
            def.push_str(" PRIMARY KEY");
        }
        if c.not_null {
            def.push_str(" NOT NULL");
        }
        if self.unique.iter().any(|k| k.len() == 1 && k[0] == c.name) {
            def.push_str(" UNIQUE");
        }
        if let Some(default) = &c.default {
            def.push_str(&format!(" DEFAULT ({default})"));
        }
        if let Some(fk) = self.foreign_keys.iter().find(|f| f.column == c.name) {
            def.push_str(&format!(
                " REFERENCES {} ({}) ON DELETE {} ON UPDATE {}",
                quote_identifier(&fk.table),
                quote_identifier(&fk.references),
                fk.on_delete,
                fk.on_update
            ));
        }
        def
    }

    /// `CREATE INDEX` for each index.
    ///
    /// ```
    /// use d1orm::{Table, schema::TableDef};
    /// #[derive(Table)]
    /// struct Event { #[d1orm(primary_key)] id: i64, #[d1orm(index)] kind: String }
    /// let sql = TableDef::of::<Event>().create_indexes_sql();
    /// assert_eq!(sql.len(), 1);
    /// ```
    pub fn create_indexes_sql(&self) -> Vec<String> {
        self.indexes.iter().map(|i| self.index_sql(i)).collect()
    }

    pub(crate) fn index_sql(&self, i: &IndexDef) -> String {
        let mut sql = format!(
            "CREATE {}INDEX IF NOT EXISTS {} ON {} ({})",
            if i.unique { "UNIQUE " } else { "" },
            quote_identifier(&i.name),
            quote_identifier(&self.name),
            quoted_list(&i.columns)
        );
        if let Some(filter) = &i.filter {
            sql.push_str(&format!(" WHERE {filter}"));
        }
        sql
    }
}

fn quoted_list(names: &[String]) -> String {
    names
        .iter()
        .map(|n| quote_identifier(n))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A string as an SQL text literal.
pub(crate) fn sql_text(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}
