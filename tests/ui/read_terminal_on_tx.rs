#![allow(unused_imports)]
use d1orm::table::Rows;
use d1orm::{Backend, Database, Table, Tx};

#[derive(Debug, Table)]
#[d1orm(unique(owner, title))]
pub struct Post {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub owner: i64,
    pub title: String,
}

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub email: String,
    pub name: String,
}

// A staged batch runs after the callback returns: a read inside it could not inform
// what the callback stages, so reads do not exist on `tx`.
pub async fn read_in_a_staged_batch<B: Backend>(db: &Database<B>) {
    let _ = db
        .batch(|tx: &Tx| {
            let _ = tx.users().where_(|u| u.id.eq(1)).first();
        })
        .await;
}

fn main() {}
