//! d1orm's quickstart: the D1 layer on an embedded SQLite database with D1's semantics.
//!
//! Run with `cargo run --example quickstart` (in memory) or
//! `cargo run --example quickstart -- app.db` (a file).

use d1orm::{D1Result, Database};
use d1orm_sqlite::SqliteBackend;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
struct User {
    id: i64,
    email: String,
    tier: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend = match std::env::args().nth(1) {
        Some(path) => SqliteBackend::open(&path)?,
        None => SqliteBackend::open_in_memory()?,
    };
    let db = Database::new(backend);

    let created = db
        .exec(
            "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, tier TEXT NOT NULL DEFAULT 'free')",
        )
        .await?;
    println!("exec: {} statement(s)", created.count);

    // A batch runs atomically, like D1's.
    let insert = db.prepare("INSERT INTO users (email) VALUES (?) ON CONFLICT (email) DO NOTHING");
    let inserted: Vec<D1Result<serde_json::Value>> = db
        .batch([
            insert.bind("ada@example.com"),
            insert.bind("grace@example.com"),
        ])
        .await?;
    for (i, r) in inserted.iter().enumerate() {
        println!(
            "batch[{i}]: changes={} last_row_id={}",
            r.meta.changes, r.meta.last_row_id
        );
    }

    let updated = db
        .prepare("UPDATE users SET tier = ? WHERE email = ?")
        .bind(("pro", "ada@example.com"))
        .run()
        .await?;
    println!("update: changes={}", updated.meta.changes);

    let users = db
        .prepare("SELECT id, email, tier FROM users ORDER BY id")
        .all::<User>()
        .await?;
    for u in &users.results {
        println!("user {}: {} ({})", u.id, u.email, u.tier);
    }
    println!("meta: {}", serde_json::to_string(&users.meta)?);

    // D1's error text, with SQLite's codes as fields.
    let err = db
        .prepare("INSERT INTO users (email) VALUES (?)")
        .bind("ada@example.com")
        .run()
        .await
        .unwrap_err();
    println!(
        "error: {err} (unique violation: {})",
        err.is_unique_violation()
    );

    let pro: Option<i64> = db
        .prepare("SELECT count(*) AS n FROM users WHERE tier = 'pro'")
        .first_column("n")
        .await?;
    println!("pro users: {}", pro.unwrap_or(0));
    Ok(())
}
