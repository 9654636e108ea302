use d1orm::Table;

pub struct Settings {
    pub theme: String,
}

#[derive(Table)]
pub struct Profile {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(json)]
    pub settings: Settings,
}

fn main() {}
