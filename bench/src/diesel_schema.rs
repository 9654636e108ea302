//! The same tables for diesel, declared the idiomatic way (`table!` and derives).

use diesel::deserialize::{self, FromSql, FromSqlRow};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel::sqlite::{Sqlite, SqliteValue};

use crate::schema::Profile;

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
