//! The team notes example's queries (examples/team_notes/app.rs) on the reference
//! backend: each call is one round trip, and how many statements it sends.

use d1orm::Database;
use d1orm_sqlite::SqliteBackend;

use crate::Recording;

#[path = "../../examples/team_notes/app.rs"]
#[allow(dead_code)]
mod app;

async fn seeded() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    app::seed(&db).await.unwrap();
    db.backend().take();
    db.backend().take_round_trips();
    db
}

/// The statements and round trips the last calls cost.
fn cost(db: &Database<Recording>) -> (usize, usize) {
    (db.backend().take().len(), db.backend().take_round_trips())
}

#[tokio::test]
async fn each_team_notes_query_is_one_round_trip() {
    let db = seeded().await;

    let (note, (author, org), revisions) = app::note_page(&db, 3).await.unwrap().unwrap();
    assert_eq!(
        cost(&db),
        (1, 1),
        "a note with its author, org and revisions"
    );
    assert_eq!(
        (note.title.as_str(), author.name.as_str(), org.name.as_str()),
        ("RFC: keysets", "Ada", "acme")
    );
    assert_eq!(revisions.len(), 1);

    let per_org = app::notes_per_org(&db).await.unwrap();
    assert_eq!(cost(&db), (2, 1), "orgs and grouped notes, one batch");
    assert_eq!(per_org.len(), 2);

    let first = app::tagged_by_org(&db, "rust", 2, None, 1).await.unwrap();
    assert_eq!(
        cost(&db),
        (1, 1),
        "a keyset page with its authors' subquery"
    );
    assert_eq!(first.rows[0].0.title, "Migrations");
    let next = app::tagged_by_org(&db, "rust", 2, app::next_cursor(&first.rows), 1)
        .await
        .unwrap();
    assert_eq!(cost(&db), (1, 1));
    assert!(next.rows.is_empty());

    let search = app::Search {
        tags: vec!["rust".into()],
        text: Some("D1".into()),
        ..app::Search::default()
    };
    let found = app::search(&db, &search, 1, 5).await.unwrap();
    assert_eq!(cost(&db), (2, 1), "a page and its total, one batch");
    assert_eq!(
        found.rows.iter().map(|n| n.id).collect::<Vec<_>>(),
        [1],
        "{found:?}"
    );

    let orgs = app::orgs_writing_about(&db, "incident").await.unwrap();
    assert_eq!(cost(&db), (1, 1), "orgs through nested exists");
    assert_eq!(orgs, ["acme"]);
}
