use d1orm::Table;

#[derive(Table)]
#[d1orm(table = "users", table = "people")]
pub struct User {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(unique, unique)]
    pub email: String,
}

fn main() {}
