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

pub async fn run<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
    let rows: Vec<(i64, i64)> = db.users().select(|u| (u.id, u.email)).many().await?.rows;
    drop(rows);
    Ok(())
}

fn main() {}
