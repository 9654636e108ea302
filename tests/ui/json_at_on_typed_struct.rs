// `.at("key")` is for `serde_json::Value` columns; on a column of a typed struct the
// message says to use `.path()` or `.at_unchecked(..)`.
use d1orm::{Backend, Database, Json, Table};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Json)]
pub struct Settings {
    pub notifications: Notifications,
}

#[derive(Serialize, Deserialize, Json)]
pub struct Notifications {
    pub email: bool,
}

#[derive(Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(json)]
    pub settings: Settings,
}

pub async fn run<B: Backend>(db: &Database<B>) {
    let _ = db
        .users()
        .where_(|u| u.id.eq(1))
        .update(|u| u.settings.at("notifications").at("email").set("yes"))
        .await;
}

fn main() {}
