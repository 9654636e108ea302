//! d1orm's quickstart on an embedded SQLite database with D1's semantics: the typed table
//! chain, then the D1 layer underneath it.
//!
//! Run with `cargo run --example quickstart` (in memory) or
//! `cargo run --example quickstart -- app.db` (a file).

use d1orm::table::create_table_sql;
use d1orm::{Database, Table, Tx};
use d1orm_sqlite::SqliteBackend;
use serde::{Deserialize, Serialize};

/// Stored as JSON text in the `meta` column.
// `Json`: typed paths into the documents (`u.meta.path().seats`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, d1orm::Json)]
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
            NewUser::builder()
                .email("ada@example.com")
                .meta(ada)
                .build(),
            NewUser::builder()
                .email("grace@example.com")
                .meta(grace)
                .build(),
        ])
        .await?;
    for u in &inserted.rows {
        println!(
            "inserted #{} {} (tier {}, plan {})",
            u.id, u.email, u.tier, u.meta.plan
        );
    }

    // A filter on typed JSON paths: `plan` takes a &str, `seats` a number (compared as one).
    let pros = db
        .users()
        .where_(|u| u.meta.path().plan.eq("pro").and(u.meta.path().seats.gte(2)))
        .select(|u| (u.id, u.email))
        .many()
        .await?;
    println!("on the pro plan with 2+ seats: {:?}", pros.rows);

    // An update of a column and of a path inside the JSON document.
    let updated = db
        .users()
        .where_(|u| u.email.eq("grace@example.com"))
        .returning(|u| (u.tier, u.meta))
        .update(|u| (u.tier.set("pro"), u.meta.path().seats.set(3)))
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
    // A lookup by primary key: `None` now that row 1 is gone.
    println!("user 1: {:?}", db.users().find(1).await?);

    // Upsert on a UNIQUE key: the incoming row is `new`; each value is bound once.
    let upserted = db
        .users()
        .returning(|u| (u.email, u.tier, u.meta))
        .upsert(vec![
            NewUser::builder()
                .email("grace@example.com")
                .meta(Profile::default())
                .build(),
            NewUser::builder()
                .email("linus@example.com")
                .meta(Profile::default())
                .build(),
        ])
        .on_conflict(|u| u.email)
        .update(|u, new| (u.tier.set(new.tier), u.meta.path().plan.set("team")))
        .await?;
    println!("upserted: {:?}", upserted.rows);

    // A batch of chains: one atomic D1 batch, each result typed as if awaited alone.
    let (renamed, pro_count, emails) = db
        .batch((
            db.users()
                .where_(|u| u.email.eq("linus@example.com"))
                .update(|u| u.tier.set("pro")),
            db.users().where_(|u| u.tier.eq("pro")).count(),
            db.users()
                .order_by(|u| u.id.asc())
                .select(|u| u.email)
                .many(),
        ))
        .await?;
    println!(
        "batch: {} renamed, {pro_count} on pro, {:?}",
        renamed.changes(),
        emails.rows
    );

    // The callback form stages writes on `tx` and commits them together; reads do not
    // exist on `tx`. A failing statement rolls the whole batch back and is named.
    let err = db
        .batch(|tx: &Tx| {
            tx.users().insert(
                NewUser::builder()
                    .email("ken@example.com")
                    .meta(Profile::default())
                    .build(),
            );
            tx.users()
                .where_(|u| u.email.eq("ken@example.com"))
                .update(|u| u.email.set("grace@example.com"));
        })
        .await
        .expect_err("the email is UNIQUE");
    println!("staged batch failed: {err}");
    println!(
        "ken exists: {}",
        db.users()
            .where_(|u| u.email.eq("ken@example.com"))
            .exists()
            .await?
    );

    // The D1 layer underneath: D1's binding API, results and error text.
    let row: Option<serde_json::Value> = db
        .prepare("SELECT id, email, tier FROM users WHERE email = ?")
        .bind("grace@example.com")
        .first()
        .await?;
    println!("D1 layer first(): {}", row.unwrap_or_default());
    let err = db
        .users()
        .insert(
            NewUser::builder()
                .email("grace@example.com")
                .meta(Profile::default())
                .build(),
        )
        .await
        .expect_err("the email is UNIQUE");
    println!("error: {err}");
    Ok(())
}
