//! Writes the next migration file from the structs:
//! `cargo run --bin migrations -- write migrations` (from this folder), then
//! `npx wrangler d1 migrations apply DB --local`. `check migrations` exits with 1 when
//! the files are stale. `write activity-migrations` writes the Durable Object's files
//! (compiled into the Worker; each object applies them to its storage).

use d1orm_example_worker::schema;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // The folder says which database: the objects' own, or the D1 database.
    let objects = args
        .get(1)
        .is_some_and(|dir| dir.trim_end_matches('/').ends_with("activity-migrations"));
    let schema = if objects {
        schema::activity_schema()
    } else {
        schema::schema()
    };
    std::process::exit(d1orm::schema::files::main(&schema, args));
}
