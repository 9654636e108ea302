use d1orm::{FromRow, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub email: String,
}

#[derive(FromRow)]
#[d1orm(table = User)]
pub struct Summary {
    pub id: i64,
    pub email: i64,
}

fn main() {}
