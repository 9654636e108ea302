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
    let posts = Post::columns();
    let _ = db.users().where_(|_u| posts.title.eq("x")).many().await;
}

fn main() {}
