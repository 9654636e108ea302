use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub email: String,
}

#[derive(Debug, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(User::id))]
    pub author_id: i64,
}

// The subquery selects emails (String) for an i64 column.
pub async fn text_for_an_integer<B: Backend>(db: &Database<B>) {
    let _ = db
        .notes()
        .where_(|n| n.author_id.in_(db.users().select(|u| u.email)))
        .many()
        .await;
}

// A subquery selects one column, not whole rows.
pub async fn whole_rows<B: Backend>(db: &Database<B>) {
    let _ = db
        .notes()
        .where_(|n| n.author_id.in_(db.users()))
        .many()
        .await;
}

fn main() {}
