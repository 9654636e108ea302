use d1orm::Table;

#[derive(Table)]
pub struct User {
    #[d1orm(primary_key, autoincrement)]
    pub id: i64,
}

fn main() {}
