#![allow(unused_imports)]
mod model {
    use d1orm::Table;

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
}

use d1orm::{Backend, Database};
use model::UserTable;

pub async fn run<B: Backend>(db: &Database<B>) {
    // `u.notes()` comes from `model::NoteRelations`, not imported here.
    let _ = db.users().include(|u| u.notes()).many().await;
}

fn main() {}
