//! The benchmark's tables for diesel, declared the idiomatic way (`table!` and
//! derives), and their data: the rows `bench/src/schema.rs` makes for the d1orm side.

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

use serde::{Deserialize, Serialize};

diesel::table! {
    users (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        age -> BigInt,
        score -> Double,
    }
}

diesel::table! {
    items (id) {
        id -> BigInt,
        email -> Text,
        name -> Text,
        age -> BigInt,
        score -> Double,
    }
}

diesel::table! {
    docs (id) {
        id -> BigInt,
        title -> Text,
        profile -> Text,
    }
}

/// A user row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable, Insertable)]
#[diesel(table_name = users, check_for_backend(Sqlite))]
pub struct DUser {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub age: i64,
    pub score: f64,
}

/// An item row.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = items)]
pub struct DItem<'a> {
    pub id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub age: i64,
    pub score: f64,
}

/// A user row to insert or upsert, borrowing its text.
#[derive(Debug, Clone, PartialEq, Insertable)]
#[diesel(table_name = users)]
pub struct DNewUser<'a> {
    pub id: i64,
    pub email: &'a str,
    pub name: &'a str,
    pub age: i64,
    pub score: f64,
}

/// The JSON column decoded into the typed profile, from the borrowed text.
#[derive(Debug, Clone, PartialEq, FromSqlRow)]
pub struct JsonProfile(pub Profile);

impl FromSql<Text, Sqlite> for JsonProfile {
    fn from_sql(value: SqliteValue<'_, '_, '_>) -> deserialize::Result<Self> {
        let text = <*const str as FromSql<Text, Sqlite>>::from_sql(value)?;
        // SAFETY: diesel documents the pointer as valid for as long as `value`, which
        // outlives this call; it is read here and not kept.
        let text = unsafe { &*text };
        Ok(JsonProfile(serde_json::from_str(text)?))
    }
}

/// A document row.
#[derive(Debug, Clone, PartialEq, Queryable, Selectable)]
#[diesel(table_name = docs, check_for_backend(Sqlite))]
pub struct DDoc {
    pub id: i64,
    pub title: String,
    #[diesel(deserialize_as = JsonProfile)]
    pub profile: Profile,
}

impl From<JsonProfile> for Profile {
    fn from(p: JsonProfile) -> Profile {
        p.0
    }
}

/// The typed JSON column's value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Profile {
    pub plan: String,
    pub seats: u32,
    pub active: bool,
    pub tags: Vec<String>,
}

/// Rows in the tables read.
pub const ROWS: i64 = 1_000;

/// The `i`-th user (and item) row; `round` varies the values an upsert writes.
pub fn user(i: i64, round: i64) -> DUser {
    DUser {
        id: i,
        email: format!("user{i}@example.com"),
        name: format!("User number {i}"),
        age: 20 + (i + round) % 60,
        score: i as f64 * 0.5 + round as f64,
    }
}

/// The `i`-th document.
pub fn doc(i: i64) -> DDoc {
    DDoc {
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

impl DUser {
    /// The row to insert into `users`.
    pub fn new_user(&self) -> DNewUser<'_> {
        DNewUser {
            id: self.id,
            email: &self.email,
            name: &self.name,
            age: self.age,
            score: self.score,
        }
    }

    /// The same values as a row of `items`.
    pub fn item(&self) -> DItem<'_> {
        DItem {
            id: self.id,
            email: &self.email,
            name: &self.name,
            age: self.age,
            score: self.score,
        }
    }
}
