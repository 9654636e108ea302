// Literal text matching exists on text columns only.
#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub logins: i64,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    let _ = db.users().where_(|u| u.logins.contains("1")).many().await;
}

fn main() {}
