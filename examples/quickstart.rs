//! d1orm's quickstart on an embedded SQLite database with D1's semantics: the typed table
//! chain, then the D1 layer underneath it.
//!
//! Run with `cargo run --example quickstart` (in memory) or
//! `cargo run --example quickstart -- app.db` (a file).

use d1orm::table::create_table_sql;
use d1orm::{Database, Table};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

/// Stored as JSON text in the `meta` column.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Profile {
    plan: String,
    seats: u32,
}

#[derive(Debug, Table)]
struct User {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    #[d1orm(unique)]
    email: String,
    #[d1orm(default = "'free'")]
    tier: String,
    #[d1orm(json)]
    meta: Profile,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let backend = match std::env::args().nth(1) {
        Some(path) => SqliteBackend::open(&path)?,
        None => SqliteBackend::open_in_memory()?,
    };
    let db = Database::new(backend);

    // The struct is the schema.
    db.exec(&create_table_sql::<User>()).await?;
    println!("created table {}", User::NAME);

    // Insert with RETURNING: the rows come back decoded as `User`.
    let ada = Profile {
        plan: "pro".into(),
        seats: 5,
    };
    let grace = Profile {
        plan: "free".into(),
        seats: 1,
    };
    let inserted = db
        .users()
        .returning_all()
        .insert_many([
            NewUser::new("ada@example.com".into(), ada),
            NewUser::new("grace@example.com".into(), grace),
        ])
        .await?;
    for u in &inserted.rows {
        println!(
            "inserted #{} {} (tier {}, plan {})",
            u.id, u.email, u.tier, u.meta.plan
        );
    }

    // A filter on a JSON path; numbers inside the document compare as numbers.
    let pros = db
        .users()
        .where_(|u| u.meta.at("plan").eq("pro").and(u.meta.at("seats").gte(2)))
        .select(|u| (u.id, u.email))
        .many()
        .await?;
    println!("on the pro plan with 2+ seats: {:?}", pros.rows);

    // An update of a column and of a path inside the JSON document.
    let updated = db
        .users()
        .where_(|u| u.email.eq("grace@example.com"))
        .returning(|u| (u.tier, u.meta))
        .update(|u| (u.tier.set("pro"), u.meta.at("seats").set(3)))
        .await?;
    println!("updated: {:?} ({} row)", updated.rows, updated.changes());

    let deleted = db
        .users()
        .where_(|u| u.id.eq(1))
        .returning(|u| u.email)
        .delete()
        .await?;
    println!("deleted: {:?}", deleted.rows);
    println!("users left: {}", db.users().count().await?);

    // The D1 layer underneath: D1's binding API, results and error text.
    let row: Option<serde_json::Value> = db
        .prepare("SELECT id, email, tier FROM users WHERE email = ?")
        .bind("grace@example.com")
        .first()
        .await?;
    println!("D1 layer first(): {}", row.unwrap_or_default());
    let err = db
        .users()
        .insert(NewUser::new("grace@example.com".into(), Profile::default()))
        .await
        .expect_err("the email is UNIQUE");
    println!("error: {err}");
    Ok(())
}
