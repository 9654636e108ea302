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

pub async fn run<B: Backend>(db: &Database<B>) {
    let _ = db.users().where_(|u| u.logins.eq("many")).many().await;
}

fn main() {}
