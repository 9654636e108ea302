//! The example's tables. The structs are the schema: `migrations/` is written from
//! [`schema()`] (see the test below), and the routes read and write through the chains
//! the derive generates (`db.projects()`, `db.tasks()`).

use d1orm::{Schema, Table};
use serde::{Deserialize, Serialize};

/// A project, keyed by its slug.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Table)]
pub struct Project {
    #[d1orm(primary_key)]
    pub slug: String,
    pub name: String,
}

/// A task of a project; deleting the project deletes its tasks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Table)]
pub struct Task {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Project::slug), on_delete = "cascade", index)]
    pub project: String,
    pub title: String,
    #[d1orm(default = "0")]
    pub done: bool,
    #[d1orm(default = "0")]
    pub priority: i64,
}

/// Every table, in the order the migrations create them.
pub fn schema() -> Schema {
    Schema::new().table::<Project>().table::<Task>()
}

/// One thing that happened to a project, kept by the project's `ActivityLog` Durable
/// Object in its own storage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Table)]
pub struct Event {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub kind: String,
    pub detail: Option<String>,
}

/// The tables of each `ActivityLog` object: `activity-migrations/` is written from it,
/// and the object applies those files to its storage when it starts.
pub fn activity_schema() -> Schema {
    Schema::new().table::<Event>()
}

#[cfg(test)]
mod tests {
    use std::path::{Path, PathBuf};

    use super::{activity_schema, schema};

    const MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations");
    const ACTIVITY_MIGRATIONS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/activity-migrations");

    /// The committed files bring a database to the structs' schema; when a struct
    /// changes, `D1ORM_WRITE_MIGRATIONS=1 cargo test -p d1orm-example-worker` writes
    /// the next file (`0002_...sql`) beside them.
    #[test]
    fn migrations_are_up_to_date() {
        d1orm::schema::files::assert_up_to_date(MIGRATIONS, &schema());
    }

    /// The same for the Durable Object's files (compiled into the Worker).
    #[test]
    fn activity_migrations_are_up_to_date() {
        d1orm::schema::files::assert_up_to_date(ACTIVITY_MIGRATIONS, &activity_schema());
    }

    /// Written from scratch into a temporary folder, the files are the committed ones,
    /// byte for byte. (This holds while the example has only its first migration; once a
    /// second one exists, `migrations_are_up_to_date` alone keeps the files in step.)
    #[test]
    fn migrations_regenerate_identically() {
        let dir = std::env::temp_dir().join(format!(
            "d1orm-example-worker-migrations-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let written = d1orm::schema::files::write_next(&dir, &schema(), Default::default());
        let compared = written.map(|_| (files(&dir), files(Path::new(MIGRATIONS))));
        let _ = std::fs::remove_dir_all(&dir);
        let (fresh, committed) = compared.expect("the migrations could not be written");
        assert_eq!(
            fresh.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            committed.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            "migrations/ does not hold the files d1orm writes from the schema"
        );
        for ((name, fresh), (_, committed)) in fresh.iter().zip(&committed) {
            assert_eq!(
                fresh, committed,
                "migrations/{name} differs from what d1orm writes from the schema"
            );
        }
    }

    /// The folder's files, by name, with their text.
    fn files(dir: &Path) -> Vec<(String, String)> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("a readable folder").path())
            .collect();
        paths.sort();
        paths
            .into_iter()
            .map(|p| {
                let text =
                    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
                (p.file_name().unwrap().to_string_lossy().into_owned(), text)
            })
            .collect()
    }
}
