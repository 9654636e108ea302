//! Migration files for `wrangler d1 migrations apply`: numbered `.sql` files
//! (`0001_init.sql`, `0002_users.sql`, ...) written by comparing the schema with a
//! snapshot kept beside them (`d1orm-schema.json`), a check for tests that fails when
//! the files are stale, and a command-line entry point.

use std::path::{Path, PathBuf};

use super::Schema;
use super::diff::{MigrateOptions, Unknown, plan};
use crate::error::{Error, Result};

/// The snapshot of the schema the files bring a database to.
pub const SNAPSHOT: &str = "d1orm-schema.json";

/// Setting this variable to `1` makes [`assert_up_to_date`] write the missing file.
pub const WRITE_VAR: &str = "D1ORM_WRITE_MIGRATIONS";

/// The next migration file: its name and SQL.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::{MigrateOptions, Schema, schema::files};
/// let dir = std::env::temp_dir().join(format!("d1orm-next-{}", std::process::id()));
/// let next = files::next_migration(&dir, &Schema::new().table::<User>(), MigrateOptions::default()).unwrap().unwrap();
/// assert_eq!(next.name, "0001_init.sql");
/// assert!(next.sql.contains(r#""users""#));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NextMigration {
    /// The file name, such as `0002_users.sql`.
    pub name: String,
    /// The statements, each ending with `;` on its own line.
    pub sql: String,
}

fn io(path: &Path, e: std::io::Error) -> Error {
    Error::Migration {
        message: format!("{}: {e}", path.display()),
    }
}

/// The schema the files in `dir` bring a database to (empty when there is no snapshot).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::{MigrateOptions, Schema, schema::files};
/// let dir = std::env::temp_dir().join(format!("d1orm-snapshot-{}", std::process::id()));
/// assert_eq!(files::snapshot(&dir).unwrap(), Schema::new());        // no files yet
/// let schema = Schema::new().table::<User>();
/// files::write_next(&dir, &schema, MigrateOptions::default()).unwrap();
/// assert_eq!(files::snapshot(&dir).unwrap(), schema);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// ```
///
/// # Failure
/// The snapshot cannot be read or parsed.
pub fn snapshot(dir: &Path) -> Result<Schema> {
    let path = dir.join(SNAPSHOT);
    match std::fs::read_to_string(&path) {
        Ok(text) => serde_json::from_str(&text).map_err(|e| Error::Migration {
            message: format!("{}: {e}", path.display()),
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Schema::new()),
        Err(e) => Err(io(&path, e)),
    }
}

/// The file that would take the snapshot in `dir` to `schema`, or `None` when the files
/// are up to date. The files cannot see the data, so a change that needs a rebuild is
/// refused unless `options` allow it.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::{MigrateOptions, Schema, schema::files};
/// let dir = std::env::temp_dir().join(format!("d1orm-next-migration-{}", std::process::id()));
/// let schema = Schema::new().table::<User>();
/// assert!(files::next_migration(&dir, &schema, MigrateOptions::default()).unwrap().is_some());
/// files::write_next(&dir, &schema, MigrateOptions::default()).unwrap();
/// assert_eq!(files::next_migration(&dir, &schema, MigrateOptions::default()).unwrap(), None);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// ```
///
/// # Failure
/// The snapshot cannot be read, or a change is refused ([`Error::Migration`]).
pub fn next_migration(
    dir: &Path,
    schema: &Schema,
    options: MigrateOptions,
) -> Result<Option<NextMigration>> {
    let old = snapshot(dir)?;
    if &old == schema {
        return Ok(None);
    }
    let statements = plan(&old.tables, &schema.tables, &Unknown, options)?;
    let number = existing_numbers(dir)?.into_iter().max().unwrap_or(0) + 1;
    let slug = if old.tables.is_empty() {
        "init".to_owned()
    } else {
        let changed: Vec<&str> = schema
            .tables
            .iter()
            .filter(|t| !old.tables.contains(t))
            .map(|t| t.name.as_str())
            .collect();
        let slug: String = if changed.is_empty() {
            "schema".to_owned()
        } else {
            changed.join("_")
        };
        slug.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .take(48)
            .collect()
    };
    let mut sql = format!("-- Written by d1orm from the schema in {SNAPSHOT}.\n");
    for s in statements {
        sql.push_str(&s);
        sql.push_str(";\n");
    }
    Ok(Some(NextMigration {
        name: format!("{number:04}_{slug}.sql"),
        sql,
    }))
}

fn existing_numbers(dir: &Path) -> Result<Vec<u32>> {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(dir, e)),
    };
    Ok(entries
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.strip_suffix(".sql")?.split('_').next()?.parse().ok()
        })
        .collect())
}

/// Writes the next migration file and the new snapshot into `dir`; returns the file's
/// path, or `None` when the files were up to date.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::{MigrateOptions, Schema, schema::files};
/// let dir = std::env::temp_dir().join(format!("d1orm-write-next-{}", std::process::id()));
/// let path = files::write_next(&dir, &Schema::new().table::<User>(), MigrateOptions::default()).unwrap();
/// assert_eq!(path, Some(dir.join("0001_init.sql")));
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// ```
///
/// # Failure
/// As [`next_migration`], or the files cannot be written.
pub fn write_next(dir: &Path, schema: &Schema, options: MigrateOptions) -> Result<Option<PathBuf>> {
    let Some(next) = next_migration(dir, schema, options)? else {
        return Ok(None);
    };
    std::fs::create_dir_all(dir).map_err(|e| io(dir, e))?;
    let path = dir.join(&next.name);
    std::fs::write(&path, &next.sql).map_err(|e| io(&path, e))?;
    let snapshot = dir.join(SNAPSHOT);
    let json = serde_json::to_string_pretty(schema).unwrap_or_default() + "\n";
    std::fs::write(&snapshot, json).map_err(|e| io(&snapshot, e))?;
    Ok(Some(path))
}

/// For a `#[test]`: panics when the files in `dir` do not bring a database to `schema`,
/// printing the SQL of the missing migration; with `D1ORM_WRITE_MIGRATIONS=1` it writes
/// the file instead.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::{MigrateOptions, Schema, schema::files};
/// let dir = std::env::temp_dir().join(format!("d1orm-assert-{}", std::process::id()));
/// let schema = Schema::new().table::<User>();
/// files::write_next(&dir, &schema, MigrateOptions::default()).unwrap();
/// // In a #[test] of the app: fails, printing the missing file, when the structs change.
/// files::assert_up_to_date(&dir, &schema);
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// ```
///
/// # Panics
/// When the files are stale (or a change needs an opt-in), unless asked to write.
pub fn assert_up_to_date(dir: impl AsRef<Path>, schema: &Schema) {
    let write = std::env::var(WRITE_VAR).is_ok_and(|v| v == "1");
    check_or_write(dir.as_ref(), schema, write);
}

/// [`assert_up_to_date`] with the choice to write made by the caller.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # fn main() {
/// use d1orm::{Schema, schema::files};
/// let dir = std::env::temp_dir().join(format!("d1orm-check-{}", std::process::id()));
/// files::check_or_write(&dir, &Schema::new().table::<User>(), true);    // writes 0001_init.sql
/// files::check_or_write(&dir, &Schema::new().table::<User>(), false);   // up to date: passes
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # }
/// ```
///
/// # Panics
/// When the files are stale and `write` is false, or cannot be checked or written.
pub fn check_or_write(dir: &Path, schema: &Schema, write: bool) {
    match next_migration(dir, schema, MigrateOptions::default()) {
        Ok(None) => {}
        Ok(Some(_)) if write => match write_next(dir, schema, MigrateOptions::default()) {
            Ok(path) => eprintln!("d1orm: wrote {}", path.unwrap_or_default().display()),
            Err(e) => panic!("d1orm: could not write the migration: {e}"),
        },
        Ok(Some(next)) => panic!(
            "the migrations in {} are stale: the schema needs {}:\n\n{}\nRun with {WRITE_VAR}=1 to write it.",
            dir.display(),
            next.name,
            next.sql
        ),
        Err(e) => panic!("the migrations in {} cannot be checked: {e}", dir.display()),
    }
}

/// A command-line entry point for a binary of the application's:
/// `write [DIR] [--rebuild] [--drop]` writes the next file, `check [DIR]` exits with 1
/// when the files are stale. `DIR` defaults to `migrations`.
///
/// ```no_run
/// # #[derive(d1orm::Table)] struct User { #[d1orm(primary_key)] id: i64 }
/// fn main() {
///     let schema = d1orm::Schema::new().table::<User>();
///     std::process::exit(d1orm::schema::files::main(&schema, std::env::args().skip(1)));
/// }
/// ```
pub fn main(schema: &Schema, args: impl IntoIterator<Item = String>) -> i32 {
    let args: Vec<String> = args.into_iter().collect();
    let mut options = MigrateOptions::default();
    let mut positional = Vec::new();
    for a in &args {
        match a.as_str() {
            "--rebuild" => options.rebuild = true,
            "--drop" => options.drop = true,
            other => positional.push(other),
        }
    }
    let dir = Path::new(positional.get(1).copied().unwrap_or("migrations"));
    match positional.first().copied() {
        Some("write") => match write_next(dir, schema, options) {
            Ok(Some(path)) => {
                println!("wrote {}", path.display());
                0
            }
            Ok(None) => {
                println!("{} is up to date", dir.display());
                0
            }
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        Some("check") => match next_migration(dir, schema, options) {
            Ok(None) => {
                println!("{} is up to date", dir.display());
                0
            }
            Ok(Some(next)) => {
                eprintln!("stale: {} is missing:\n{}", next.name, next.sql);
                1
            }
            Err(e) => {
                eprintln!("{e}");
                1
            }
        },
        _ => {
            eprintln!("usage: write [DIR] [--rebuild] [--drop] | check [DIR]");
            2
        }
    }
}
