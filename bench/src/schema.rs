//! The benchmark tables as d1orm declares them, and their data. Every variant creates
//! its tables from [`create_table_sql`](d1orm::table::create_table_sql), so all of
//! them read and write the same schema.

use d1orm::Table;
use serde::{Deserialize, Serialize};

/// Rows read by the point lookup, the 1,000-row read, the batch and the round robin.
#[derive(Debug, Clone, PartialEq, Table)]
pub struct User {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(unique)]
    pub email: String,
    pub name: String,
    pub age: i64,
    pub score: f64,
}

/// The same columns as [`User`], in a table of its own that inserts fill and empty.
#[derive(Debug, Clone, PartialEq, Table)]
pub struct Item {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(unique)]
    pub email: String,
    pub name: String,
    pub age: i64,
    pub score: f64,
}

/// The typed JSON column's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub plan: String,
    pub seats: u32,
    pub active: bool,
    pub tags: Vec<String>,
}

/// Rows with a typed JSON column.
#[derive(Debug, Clone, PartialEq, Table)]
pub struct Doc {
    #[d1orm(primary_key)]
    pub id: i64,
    pub title: String,
    #[d1orm(json)]
    pub profile: Profile,
}

/// Rows in the tables read.
pub const ROWS: i64 = 1_000;

/// The `i`-th user (and item) row; `round` varies the values an upsert writes.
pub fn user(i: i64, round: i64) -> User {
    User {
        id: i,
        email: format!("user{i}@example.com"),
        name: format!("User number {i}"),
        age: 20 + (i + round) % 60,
        score: i as f64 * 0.5 + round as f64,
    }
}

/// The `i`-th document.
pub fn doc(i: i64) -> Doc {
    Doc {
        id: i,
        title: format!("Document {i}"),
        profile: Profile {
            plan: if i % 3 == 0 { "pro" } else { "free" }.to_owned(),
            seats: (i % 50) as u32,
            active: i % 2 == 0,
            tags: vec![format!("tag{}", i % 7), "shared".to_owned()],
        },
    }
}

/// The row to insert for a user.
pub fn new_user(u: &User) -> NewUser {
    NewUser::builder()
        .id(u.id)
        .email(u.email.clone())
        .name(u.name.clone())
        .age(u.age)
        .score(u.score)
        .build()
}

/// The row to insert for an item.
pub fn new_item(u: &User) -> NewItem {
    NewItem::builder()
        .id(u.id)
        .email(u.email.clone())
        .name(u.name.clone())
        .age(u.age)
        .score(u.score)
        .build()
}

/// The row to insert for a document.
pub fn new_doc(d: &Doc) -> NewDoc {
    NewDoc::builder()
        .id(d.id)
        .title(d.title.clone())
        .profile(d.profile.clone())
        .build()
}
