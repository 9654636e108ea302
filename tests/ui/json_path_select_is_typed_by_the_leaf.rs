// Selecting a typed JSON path decodes the field's type: a `bool` path gives `bool`, and
// a path that may reach nothing (a `Vec` index) gives an `Option`.
use d1orm::{Backend, Database, Json, Table};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Json)]
pub struct Settings {
    pub email: bool,
    pub tags: Vec<String>,
}

#[derive(Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(json)]
    pub settings: Settings,
}

pub async fn run<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
    let _: Vec<i64> = db.users().select(|u| u.settings.path().email).many().await?.rows;
    let _: Vec<String> = db.users().select(|u| u.settings.path().tags.at(0)).many().await?.rows;
    Ok(())
}

fn main() {}
