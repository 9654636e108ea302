// The table the API docs' examples use, included (hidden) by their doc-tests:
// `include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));`. Two users, an
// in-memory reference backend.

use d1orm::{Database, Table};
use d1orm_sqlite::SqliteBackend;

#[derive(Debug, Clone, PartialEq, Table)]
struct User {
    #[d1orm(primary_key, auto_increment)]
    id: i64,
    #[d1orm(unique)]
    email: String,
    age: i64,
    nickname: Option<String>,
    #[d1orm(json)]
    tags: Vec<String>,
    #[d1orm(json)]
    scores: Option<Vec<i64>>,
    #[d1orm(json)]
    settings: Option<serde_json::Value>,
}

/// A database holding `users` with ada (id 1, 36, tagged "rust", nicknamed "countess",
/// scores [90, 75], settings {"theme": "dark", "lang": "en"}) and bo (id 2, 17, nothing
/// else).
async fn fixture() -> d1orm::Result<Database<SqliteBackend>> {
    let db = Database::new(SqliteBackend::open_in_memory()?);
    db.exec(&d1orm::table::create_table_sql::<User>()).await?;
    let mut ada = NewUser::builder().email("ada@example.com").age(36).tags(vec!["rust".into()]).build();
    ada.nickname = Some("countess".into());
    ada.scores = Some(vec![90, 75]);
    ada.settings = Some(serde_json::json!({"theme": "dark", "lang": "en"}));
    db.users().insert_many([ada, NewUser::builder().email("bo@example.com").age(17).tags(vec![]).build()]).await?;
    Ok(db)
}
