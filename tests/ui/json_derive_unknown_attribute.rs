// `#[derive(Json)]` knows one field attribute, `unchecked`: any other is an error on it.
use d1orm::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Json)]
pub struct Settings {
    #[d1orm(uncheked)]
    pub typo: i64,
}

fn main() {}
