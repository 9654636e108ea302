// A typed JSON path names the fields of the column's type: a misspelled one does not
// compile (an unchecked string path would silently match nothing).
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
    let _ = db.users().where_(|u| u.settings.path().notifications.emial.eq(true)).count().await;
}

fn main() {}
