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

#[derive(Debug, Table)]
pub struct Tag {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub label: String,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    // Tags have no foreign key: no relation to join them by.
    let _ = db.tags().join(|t| t.author()).many().await;
    // A relation of notes, joined on users.
    let author = Note::columns().author();
    let _ = db.users().join(|_| author).many().await;
}

fn main() {}
