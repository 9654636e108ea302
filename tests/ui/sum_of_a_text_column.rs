// `sum` and `avg` exist on numeric columns only; a grouped chain cannot update.
#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub org: i64,
    pub body: String,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    let _ = db.notes().select(|n| n.body.sum()).many().await;
    let _ = db.notes().group_by(|n| n.org).update(|n| n.org.set(1)).await;
}

fn main() {}
