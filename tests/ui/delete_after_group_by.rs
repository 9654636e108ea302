#![allow(unused_imports)]
use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub email: String,
    pub logins: i64,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    // A filter after group_by keeps the chain grouped: it reads groups, never deletes.
    let _ = db.users().group_by(|u| u.logins).where_(|u| u.logins.gt(3)).delete().await;
    let _ = db.users().group_by(|u| u.logins).all_rows().update(|u| u.logins.set(0)).await;
}

fn main() {}
