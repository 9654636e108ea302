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
}

/// A database holding `users` with ada (id 1, 36, tagged "rust", nicknamed "countess")
/// and bo (id 2, 17, no tags).
async fn fixture() -> d1orm::Result<Database<SqliteBackend>> {
    let db = Database::new(SqliteBackend::open_in_memory()?);
    db.exec(&d1orm::table::create_table_sql::<User>()).await?;
    let mut ada = NewUser::new("ada@example.com".into(), 36, vec!["rust".into()]);
    ada.nickname = Some("countess".into());
    db.users().insert_many([ada, NewUser::new("bo@example.com".into(), 17, vec![])]).await?;
    Ok(db)
}
