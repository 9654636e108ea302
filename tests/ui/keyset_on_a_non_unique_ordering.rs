use d1orm::{Backend, Database, Table};

#[derive(Debug, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub created_at: String,
    pub title: String,
}

// Notes share a creation time: the rows after a cursor on it alone are not defined.
pub async fn by_a_shared_value<B: Backend>(db: &Database<B>) {
    let _ = db
        .notes()
        .keyset(|n| n.created_at)
        .after(None)
        .many()
        .await;
}

// A tuple needs a unique key last: (id, created_at) ends in a shared value.
pub async fn unique_key_not_last<B: Backend>(db: &Database<B>) {
    let _ = db
        .notes()
        .keyset(|n| (n.id, n.created_at))
        .after(None)
        .many()
        .await;
}

fn main() {}
