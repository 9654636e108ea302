#![allow(unused_imports)]
use d1orm::Table;

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
}

#[derive(Debug, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(User::id))]
    pub author_id: i64,
    // Users would get `notes()` twice: one of the two needs `inverse = "..."`.
    #[d1orm(references(User::id))]
    pub editor_id: Option<i64>,
}

fn main() {}
