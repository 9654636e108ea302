//! `db.apply_migrations(files)`: migration files compiled into the program, applied in
//! order and recorded as `wrangler d1 migrations apply` records them. A Durable Object
//! has no wrangler step: it applies the same folder of files (written by
//! [`files`](super::files)) to its own storage when it starts.

use smallvec::smallvec;

use crate::backend::{Backend, Row, RowSink, Statement};
use crate::batch::{Decoder, Pending};
use crate::database::Database;
use crate::error::{Error, Result};
use crate::result::Meta;
use crate::value::{Value, ValueRef};

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
    ///
    /// ```
    /// use d1orm::schema::MigrationFile;
    /// const MIGRATIONS: &[MigrationFile] = &[
    ///     MigrationFile::new("0001_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);"),
    ///     // MigrationFile::new("0002_b.sql", include_str!("../migrations/0002_b.sql")),
    /// ];
    /// assert_eq!(MIGRATIONS[0].name, "0001_init.sql");
    /// ```
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
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::schema::MigrationFile;
    /// let db = d1orm::Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
    /// let files = [
    ///     MigrationFile::new("0001_init.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY);"),
    ///     MigrationFile::new("0002_name.sql", "ALTER TABLE t ADD COLUMN name TEXT;"),
    /// ];
    /// assert_eq!(db.apply_migrations(&files).await?, ["0001_init.sql", "0002_name.sql"]);
    /// assert!(db.apply_migrations(&files).await?.is_empty());     // already recorded
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A file that fails (named, as [`Error::Migration`]); the files before it stay
    /// applied and recorded, it and those after it are not.
    pub async fn apply_migrations(&self, files: &[MigrationFile]) -> Result<Vec<&'static str>> {
        let listed = self
            .batch(vec![
                self.names(Statement::new(CREATE_FILES_TABLE)),
                self.names(Statement::new("SELECT name FROM \"d1_migrations\"")),
            ])
            .await?;
        let applied = listed.last().map_or(&[][..], Vec::as_slice);
        let mut done = Vec::new();
        for file in files
            .iter()
            .filter(|f| !applied.iter().any(|a| a == f.name))
        {
            let record = Statement::with_params(
                "INSERT INTO \"d1_migrations\" (name) VALUES (?)",
                smallvec![Value::Text(file.name.to_owned())],
            );
            self.batch(vec![
                self.names(Statement::new(file.sql)),
                self.names(record),
            ])
            .await
            .map_err(|e| Error::Migration {
                message: format!("{} failed, nothing of it applied: {}", file.name, e.root()),
            })?;
            done.push(file.name);
        }
        Ok(done)
    }

    /// A statement whose rows' first column is read as text.
    fn names(&self, statement: Statement) -> Pending<'_, B, Names> {
        Pending::new(self.backend(), Ok(smallvec![statement]), Names)
    }
}

/// Reads the text of each row's first column (the names `d1_migrations` lists; a row
/// whose name is not text is skipped). Its own decoder rather than rows as JSON
/// objects: in a Worker, that decoding would be compiled in for this one read.
struct Names;

/// The names of one statement's rows.
struct NameRows(Vec<String>);

impl RowSink for NameRows {
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        if let Ok(ValueRef::Text(name)) = row.value(0) {
            self.0.push(name.to_owned());
        }
        Ok(())
    }
}

impl Decoder for Names {
    type Output = Vec<String>;
    type Sink = NameRows;
    fn sink(&self) -> NameRows {
        NameRows(Vec::new())
    }
    fn finish(self, sinks: Vec<NameRows>, _metas: Vec<Meta>) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for mut sink in sinks {
            names.append(&mut sink.0);
        }
        Ok(names)
    }
    fn finish_one(self, sink: NameRows, _meta: Meta) -> Result<Vec<String>> {
        Ok(sink.0)
    }
}
