#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub email: String,
    pub logins: i64,
}

#[derive(Debug, Table)]
pub struct Post {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub title: String,
}

pub fn row() -> NewUser {
    NewUser { email: "a@b.c".into(), id: None }
}

// The builder names each column; `build` needs every required one (`logins` is unset).
pub fn built() -> NewUser {
    NewUser::builder().email("a@b.c").build()
}

// Columns are not taken by position: two of one type could be swapped silently.
pub fn positional() -> NewUser {
    NewUser::new("a@b.c".into(), 1)
}

fn main() {}
