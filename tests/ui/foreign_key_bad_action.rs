#![allow(unused_imports)]
use d1orm::Table;

#[derive(Debug, Table)]
pub struct Org {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
}

#[derive(Debug, Table)]
pub struct Member {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    // An action without a reference, and an action SQLite does not know.
    #[d1orm(on_delete = "cascade")]
    pub loose: i64,
    #[d1orm(references(Org::id), on_update = "explode")]
    pub bad_action: i64,
}

fn main() {}
