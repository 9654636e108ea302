#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct Event {
    pub name: String,
    pub at: i64,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    let _ = db.events().find("launch".to_owned()).await;
}

fn main() {}
