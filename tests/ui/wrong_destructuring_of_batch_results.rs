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

// The results come back in the order of the chains: posts are not users.
pub async fn swapped<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
    let (users, posts): (Rows<Post>, Rows<User>) =
        db.batch((db.users().many(), db.posts().many())).await?;
    let _ = (users, posts);
    Ok(())
}

fn main() {}
