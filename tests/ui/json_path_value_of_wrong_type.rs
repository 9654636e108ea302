// A typed JSON path takes values of its field's type: a `bool` field cannot be set to
// a string (which, stored, would make every later read of the row fail).
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
        .update(|u| u.settings.path().notifications.email.set("yes"))
        .await;
    let _ = db.users().where_(|u| u.settings.path().notifications.email.eq(1)).count().await;
}

fn main() {}
