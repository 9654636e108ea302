//! `db.migrate(schema)`: compares the schema with the live database and applies the
//! difference as one atomic batch, recorded in a history table.

use serde_json::Value as J;

use super::Schema;
use super::diff::{Contents, MigrateOptions, plan};
use super::model::{ColumnDef, ForeignKeyDef, IndexDef, TableDef};
use crate::backend::Backend;
use crate::database::{Database, JsonRow};
use crate::error::Result;
use crate::table::quote_identifier;

/// The table recording each migration step: its number, the schema's hash and the
/// schema itself (CHECK constraints and partial-index conditions cannot be read back
/// from SQLite, so they are compared with the recorded schema).
pub const HISTORY_TABLE: &str = "d1orm_migrations";

/// What a migration did.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// use d1orm::{Database, Schema};
/// let db = Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
/// let schema = Schema::new();
/// let first = db.migrate(&schema).await?;
/// assert!(first.statements.is_empty());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migrated {
    /// The step recorded, or `None` when the schema was already applied.
    pub step: Option<i64>,
    /// The statements run (empty when nothing changed).
    pub statements: Vec<String>,
}

struct Recorded {
    step: i64,
    hash: String,
    schema: Option<Schema>,
}

impl<B: Backend> Database<B> {
    /// Brings the database to `schema`: creates missing tables, columns and indexes.
    /// Changes SQLite cannot make in place are refused (see [`migrate_with`](Self::migrate_with)).
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::{Schema, Table};
    /// #[derive(Table)]
    /// struct Note { #[d1orm(primary_key, auto_increment)] id: i64, body: String }
    /// let db = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// let schema = Schema::new().table::<Note>();
    /// let step = db.migrate(&schema).await?;
    /// assert_eq!(step.step, Some(1));
    /// assert_eq!(db.migrate(&schema).await?.step, None);        // unchanged: one query
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// [`Error::Migration`](crate::Error::Migration) naming every change that cannot be applied and what it
    /// needs; or a statement of the step fails, and nothing of it is applied.
    pub async fn migrate(&self, schema: &Schema) -> Result<Migrated> {
        self.migrate_with(schema, MigrateOptions::default()).await
    }

    /// [`migrate`](Self::migrate), allowed to rebuild tables or drop what the schema no
    /// longer has. An unchanged schema costs one query. All DDL of a step and its
    /// history row run in one atomic batch; when another process applied the same
    /// schema first, this one applies nothing.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::{MigrateOptions, Schema, Table};
    /// #[derive(Table)]
    /// struct Note { #[d1orm(primary_key, auto_increment)] id: i64, body: String }
    /// let db = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// let options = MigrateOptions::default().allow_rebuild().allow_drop();
    /// db.migrate_with(&Schema::new().table::<Note>(), options).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`migrate`](Self::migrate).
    pub async fn migrate_with(&self, schema: &Schema, options: MigrateOptions) -> Result<Migrated> {
        let hash = schema.hash();
        let recorded = self.recorded().await?;
        // A schema applied without drops may leave columns and tables to drop.
        if recorded.as_ref().is_some_and(|r| r.hash == hash) && !options.drop {
            return Ok(Migrated {
                step: None,
                statements: Vec::new(),
            });
        }
        let live = self
            .live_schema(recorded.as_ref().and_then(|r| r.schema.as_ref()), schema)
            .await?;
        let contents = self.contents(&live, schema).await?;
        let statements = plan(&live, &schema.tables, &contents, options)?;
        if statements.is_empty() && recorded.as_ref().is_some_and(|r| r.hash == hash) {
            return Ok(Migrated {
                step: None,
                statements,
            });
        }
        let step = recorded.as_ref().map_or(1, |r| r.step + 1);
        let schema_json = serde_json::to_string(schema).unwrap_or_default();
        let mut batch = vec![
            self.prepare(format!(
                "CREATE TABLE IF NOT EXISTS {HISTORY_TABLE} (step INTEGER PRIMARY KEY, hash TEXT NOT NULL, schema TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT (datetime('now')))"
            )),
            // First, so that a second process migrating at once fails here, before any DDL.
            self.prepare(format!(
                "INSERT INTO {HISTORY_TABLE} (step, hash, schema) VALUES (?, ?, ?)"
            ))
            .bind((step, hash.as_str(), schema_json.as_str())),
        ];
        batch.extend(statements.iter().map(|s| self.prepare(s.clone())));
        match self.batch(batch).await {
            Ok(_) => Ok(Migrated {
                step: Some(step),
                statements,
            }),
            Err(e) => match self.recorded().await {
                Ok(Some(now)) if now.hash == hash => Ok(Migrated {
                    step: None,
                    statements: Vec::new(),
                }),
                _ => Err(e),
            },
        }
    }

    /// The latest step of the history, if the table exists.
    async fn recorded(&self) -> Result<Option<Recorded>> {
        let rows = self
            .prepare(format!(
                "SELECT step, hash, schema FROM {HISTORY_TABLE} ORDER BY step DESC LIMIT 1"
            ))
            .all::<(i64, String, String)>()
            .await;
        match rows {
            Ok(r) => Ok(r
                .results
                .into_iter()
                .next()
                .map(|(step, hash, schema)| Recorded {
                    step,
                    hash,
                    schema: serde_json::from_str(&schema).ok(),
                })),
            Err(e) if e.to_string().contains("no such table") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// The tables as SQLite describes them (`PRAGMA table_info`, `index_list`,
    /// `index_info`, `foreign_key_list`), with CHECK constraints and partial-index
    /// conditions from the recorded schema (or the target, when there is none).
    async fn live_schema(
        &self,
        recorded: Option<&Schema>,
        target: &Schema,
    ) -> Result<Vec<TableDef>> {
        let objects = self
            .prepare(
                "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE type IN ('table', 'index') AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND tbl_name NOT IN ('d1orm_migrations', 'd1_migrations') ORDER BY name",
            )
            .all::<(String, String, String, Option<String>)>()
            .await?
            .results;
        let tables: Vec<&str> = objects
            .iter()
            .filter(|o| o.0 == "table")
            .map(|o| o.1.as_str())
            .collect();
        if tables.is_empty() {
            return Ok(Vec::new());
        }
        let mut pragmas = Vec::new();
        for t in &tables {
            let t = quote_identifier(t);
            for pragma in ["table_info", "index_list", "foreign_key_list"] {
                pragmas.push(
                    self.prepare(format!("PRAGMA {pragma}({t})"))
                        .all::<JsonRow>(),
                );
            }
        }
        let results = self.batch(pragmas).await?;
        let mut out = Vec::new();
        let mut index_names = Vec::new();
        for (i, name) in tables.iter().enumerate() {
            let info = &results[3 * i].results;
            let list = &results[3 * i + 1].results;
            let fks = &results[3 * i + 2].results;
            let known = recorded
                .and_then(|s| s.tables.iter().find(|t| t.name == *name))
                .or_else(|| target.tables.iter().find(|t| t.name == *name));
            let mut pk: Vec<(i64, String)> = Vec::new();
            let columns = info
                .iter()
                .map(|c| {
                    let name = text(c, "name");
                    if int(c, "pk") > 0 {
                        pk.push((int(c, "pk"), name.clone()));
                    }
                    ColumnDef {
                        sql_type: text(c, "type"),
                        not_null: int(c, "notnull") != 0,
                        default: c.get("dflt_value").and_then(J::as_str).map(str::to_owned),
                        name,
                    }
                })
                .collect();
            pk.sort();
            let table = TableDef {
                name: (*name).to_owned(),
                columns,
                primary_key: pk.into_iter().map(|(_, c)| c).collect(),
                unique: Vec::new(),
                checks: known.map(|k| k.checks.clone()).unwrap_or_default(),
                foreign_keys: fks
                    .iter()
                    .map(|f| ForeignKeyDef {
                        column: text(f, "from"),
                        table: text(f, "table"),
                        references: text(f, "to"),
                        on_delete: text(f, "on_delete"),
                        on_update: text(f, "on_update"),
                    })
                    .collect(),
                indexes: Vec::new(),
            };
            for ix in list {
                let origin = text(ix, "origin");
                if origin == "c" || origin == "u" {
                    index_names.push((out.len(), text(ix, "name"), origin, int(ix, "unique") != 0));
                }
            }
            out.push(table);
        }
        if !index_names.is_empty() {
            let infos = self
                .batch(
                    index_names
                        .iter()
                        .map(|(_, n, _, _)| {
                            self.prepare(format!("PRAGMA index_info({})", quote_identifier(n)))
                                .all::<JsonRow>()
                        })
                        .collect::<Vec<_>>(),
                )
                .await?;
            for ((table, name, origin, unique), info) in index_names.into_iter().zip(infos) {
                let mut cols: Vec<(i64, String)> = info
                    .results
                    .iter()
                    .map(|c| (int(c, "seqno"), text(c, "name")))
                    .collect();
                cols.sort();
                let columns: Vec<String> = cols.into_iter().map(|(_, c)| c).collect();
                if origin == "u" {
                    out[table].unique.push(columns);
                } else {
                    let sql = objects
                        .iter()
                        .find(|o| o.0 == "index" && o.1 == name)
                        .and_then(|o| o.3.as_deref());
                    out[table].indexes.push(IndexDef {
                        filter: sql.and_then(index_filter),
                        name,
                        columns,
                        unique,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Which existing tables of the schema hold no row (one batch).
    async fn contents(&self, live: &[TableDef], target: &Schema) -> Result<Emptiness> {
        let names: Vec<&str> = live
            .iter()
            .filter(|t| target.tables.iter().any(|x| x.name == t.name))
            .map(|t| t.name.as_str())
            .collect();
        if names.is_empty() {
            return Ok(Emptiness(Vec::new()));
        }
        let checks = names
            .iter()
            .map(|n| {
                self.prepare(format!(
                    "SELECT NOT EXISTS (SELECT 1 FROM {}) AS empty",
                    quote_identifier(n)
                ))
                .all::<(bool,)>()
            })
            .collect::<Vec<_>>();
        let results = self.batch(checks).await?;
        Ok(Emptiness(
            names
                .iter()
                .zip(results)
                .filter(|(_, r)| r.results.first().is_some_and(|(e,)| *e))
                .map(|(n, _)| (*n).to_owned())
                .collect(),
        ))
    }
}

/// The tables known to hold no row.
struct Emptiness(Vec<String>);

impl Contents for Emptiness {
    fn is_empty(&self, table: &str) -> bool {
        self.0.iter().any(|t| t == table)
    }
}

/// The condition of a partial index, from its `CREATE INDEX` text.
fn index_filter(sql: &str) -> Option<String> {
    let upper = sql.to_ascii_uppercase();
    let close = upper.rfind(')')?;
    let at = upper[..].find(") WHERE ").filter(|&i| i <= close)?;
    Some(sql[at + 8..].trim().to_owned())
}

fn text(row: &JsonRow, key: &str) -> String {
    match row.get(key) {
        Some(J::String(s)) => s.clone(),
        Some(J::Null) | None => String::new(),
        Some(other) => other.to_string(),
    }
}

fn int(row: &JsonRow, key: &str) -> i64 {
    row.get(key).and_then(J::as_i64).unwrap_or(0)
}
