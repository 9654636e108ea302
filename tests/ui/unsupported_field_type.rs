use d1orm::Table;

pub struct Money {
    pub cents: i64,
}

#[derive(Table)]
pub struct Order {
    #[d1orm(primary_key)]
    pub id: i64,
    pub total: Money,
}

fn main() {}
