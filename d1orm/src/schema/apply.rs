//! `db.apply_migrations(files)`: migration files compiled into the program, applied in
//! order and recorded as `wrangler d1 migrations apply` records them. A Durable Object
//! has no wrangler step: it applies the same folder of files (written by
//! [`files`](super::files)) to its own storage when it starts.

use crate::backend::Backend;
use crate::database::{Database, JsonRow};
use crate::error::{Error, Result};

/// The table wrangler records applied migration files in, and its definition, so that
/// a database migrated by either knows what the other applied.
pub const FILES_TABLE: &str = "d1_migrations";

const CREATE_FILES_TABLE: &str = "CREATE TABLE IF NOT EXISTS \"d1_migrations\"(
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    name       TEXT UNIQUE,
    applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)";

/// A migration file compiled into the program:
///
/// ```
/// use d1orm::schema::MigrationFile;
/// const MIGRATIONS: &[MigrationFile] = &[
///     MigrationFile::new("0001_init.sql", "CREATE TABLE t (a INTEGER);"),
///     // MigrationFile::new("0002_b.sql", include_str!("../migrations/0002_b.sql")),
/// ];
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MigrationFile {
    /// The file's name, as recorded once applied (`0001_init.sql`).
    pub name: &'static str,
    /// Its SQL: one or more statements.
    pub sql: &'static str,
}

impl MigrationFile {
    /// The file `name` with text `sql`.
    pub const fn new(name: &'static str, sql: &'static str) -> Self {
        MigrationFile { name, sql }
    }
}

impl<B: Backend> Database<B> {
    /// Applies, in the order given, each file not yet recorded in `d1_migrations`
    /// (wrangler's table, created if missing), and returns the names of those applied.
    /// Each file and its record form one atomic batch: a file is applied whole or not
    /// at all. Files already recorded cost one query in all.
    ///
    /// # Failure
    /// A file that fails (named, as [`Error::Migration`]); the files before it stay
    /// applied and recorded, it and those after it are not.
    pub async fn apply_migrations(&self, files: &[MigrationFile]) -> Result<Vec<&'static str>> {
        let listed = self
            .batch(vec![
                self.prepare(CREATE_FILES_TABLE),
                self.prepare("SELECT name FROM \"d1_migrations\""),
            ])
            .await?;
        let applied: Vec<String> = listed
            .last()
            .map(|list| list.results.iter().filter_map(name).collect())
            .unwrap_or_default();
        let mut done = Vec::new();
        for file in files
            .iter()
            .filter(|f| !applied.iter().any(|a| a == f.name))
        {
            self.batch(vec![
                self.prepare(file.sql),
                self.prepare("INSERT INTO \"d1_migrations\" (name) VALUES (?)")
                    .bind(file.name),
            ])
            .await
            .map_err(|e| Error::Migration {
                message: format!("{} failed, nothing of it applied: {}", file.name, e.root()),
            })?;
            done.push(file.name);
        }
        Ok(done)
    }
}

fn name(row: &JsonRow) -> Option<String> {
    row.get("name")?.as_str().map(str::to_owned)
}
