// A field of a `#[derive(Json)]` struct needs a type with typed paths (or
// `#[d1orm(unchecked)]`): the error is on the field's type and says what to do.
use d1orm::Json;
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize)]
pub struct Plain {
    pub a: i64,
}

#[derive(Serialize, Deserialize, Json)]
pub struct Settings {
    pub plain: Plain,
    #[d1orm(unchecked)]
    pub fine: Plain,
}

fn main() {}
