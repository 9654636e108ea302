// `where_opt` may filter nothing, so it does not make a chain filtered: `delete` still
// needs `where_` or `all_rows`.
#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub email: String,
}

pub async fn run<B: Backend>(db: &Database<B>, email: Option<&str>) {
    let _ = db
        .users()
        .where_opt(|u| email.map(|e| u.email.eq(e)))
        .delete()
        .await;
}

fn main() {}
