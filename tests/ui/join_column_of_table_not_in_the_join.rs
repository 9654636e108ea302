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
    pub title: String,
}

#[derive(Debug, Table)]
pub struct Tag {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub label: String,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    // Tags are not in this join of notes and their authors.
    let tags = Tag::columns();
    let _ = db
        .notes()
        .join(|n| n.author())
        .where_(|(_, u)| (u.name.eq("ada"), tags.label.eq("rust")))
        .many()
        .await;
    let _ = db
        .notes()
        .join(|n| n.author())
        .select(|(n, _)| (n.title, tags.label))
        .many()
        .await;
}

fn main() {}
