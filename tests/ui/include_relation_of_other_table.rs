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
    #[d1orm(references(User::id))]
    pub author_id: i64,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    // A relation of notes, included on users.
    let author = Note::columns().author();
    let _ = db.users().include(|_| author).many().await;
}

fn main() {}
