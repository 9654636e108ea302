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

// `name` is neither a primary key nor UNIQUE: no conflict can happen on it.
pub async fn plain_column<B: Backend>(db: &Database<B>) {
    let _ = db
        .users()
        .upsert(NewUser::builder().email("a@x.dev").name("a").build())
        .on_conflict(|u| u.name)
        .do_nothing()
        .await;
}

// The composite key is (owner, title), in that order.
pub async fn key_in_another_order<B: Backend>(db: &Database<B>) {
    let _ = db
        .posts()
        .upsert(NewPost::builder().owner(1).title("t").build())
        .on_conflict(|p| (p.title, p.owner))
        .update_all()
        .await;
}

fn main() {}
