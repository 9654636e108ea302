#![allow(unused_imports)]
use d1orm::Table;

#[derive(Debug, Table)]
pub struct Org {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
}

pub struct NotATable {
    pub id: i64,
}

#[derive(Debug, Table)]
pub struct Member {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    // `Org` has no field `uid`.
    #[d1orm(references(Org::uid), on_delete = "cascade")]
    pub org: i64,
    // `NotATable` does not derive `Table`.
    #[d1orm(references(NotATable::id))]
    pub other: i64,
}

fn main() {}
