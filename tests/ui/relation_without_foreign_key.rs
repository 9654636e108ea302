#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    // No `references`: no relation.
    #[d1orm(relation = "author")]
    pub author_id: i64,
}

fn main() {}
