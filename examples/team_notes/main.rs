//! A small "team notes" API's queries (orgs, users, notes, revisions), each a typed chain
//! and one round trip, on an embedded SQLite database with D1's semantics: a note with
//! its author and revisions, notes per org, notes tagged X by authors of org Y newest
//! first in keyset pages, a search with optional filters in offset pages with their
//! total, and orgs found through nested relations. It checks what each query returns.
//!
//! Run with `cargo run --example team_notes`. The queries are in `app.rs`; the
//! conformance suite runs them on real local D1 too.

mod app;

use app::{Search, next_cursor};
use d1orm::Database;
use d1orm_sqlite::SqliteBackend;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let db = Database::new(SqliteBackend::open_in_memory()?);
    app::seed(&db).await?;

    // A note with its author (and the author's org) and its revisions: one statement.
    let (note, (author, org), revisions) = app::note_page(&db, 1).await?.ok_or("no note 1")?;
    println!(
        "note {:?} by {} of {}, tags {:?}, {} revisions (latest {:?})",
        note.title,
        author.name,
        org.name,
        note.tags,
        revisions.len(),
        revisions[0].body
    );
    assert_eq!((author.name.as_str(), org.name.as_str()), ("Ada", "acme"));
    assert_eq!(note.tags, ["plan", "rust"]);
    assert_eq!(revisions.iter().map(|r| r.id).collect::<Vec<_>>(), [2, 1]);
    assert!(app::note_page(&db, 99).await?.is_none());

    // Notes per org: grouped, with their stars and latest time.
    let per_org = app::notes_per_org(&db).await?;
    for (org, notes, stars, latest) in &per_org {
        println!("{org}: {notes} notes, {stars:?} stars, latest {latest:?}");
    }
    assert_eq!(
        per_org,
        [
            (
                "acme".into(),
                4,
                Some(15),
                Some("2026-11-05 08:00:00".into())
            ),
            (
                "initech".into(),
                3,
                Some(8),
                Some("2026-11-06 17:45:00".into())
            ),
        ]
    );

    // Notes tagged "rust" by members of acme, wherever they wrote them, newest first,
    // two at a time: each page one statement, walked with its cursor.
    let mut cursor = None;
    let mut pages = Vec::new();
    loop {
        let page = app::tagged_by_org(&db, "rust", 1, cursor, 2).await?;
        if page.rows.is_empty() {
            break;
        }
        cursor = next_cursor(&page.rows);
        pages.push(
            page.rows
                .iter()
                .map(|(n, a)| format!("{} ({})", n.title, a.name))
                .collect::<Vec<_>>(),
        );
    }
    println!("rust notes by acme, newest first: {pages:?}");
    assert_eq!(
        pages,
        [
            vec!["Guest post (Ada)", "RFC: keysets (Ada)"],
            vec!["Roadmap (Ada)"],
        ]
    );

    // The search endpoint: filters given at run time, a page and the total at once.
    let everything = app::search(&db, &Search::default(), 1, 3).await?;
    println!(
        "search: page 1 of {} ({} notes): {:?}",
        everything.pages(),
        everything.total,
        everything.rows.iter().map(|n| &n.title).collect::<Vec<_>>()
    );
    assert_eq!(
        (everything.total, everything.pages(), everything.has_next()),
        (7, 3, true)
    );
    assert_eq!(
        everything.rows.iter().map(|n| n.id).collect::<Vec<_>>(),
        [3, 1, 7]
    );
    let narrow = Search {
        org: Some(1),
        tags: vec!["rust".into()],
        min_stars: Some(1),
        revised: Some(true),
        ..Search::default()
    };
    let found = app::search(&db, &narrow, 1, 10).await?;
    assert_eq!(found.total, 2);
    assert_eq!(found.rows.iter().map(|n| n.id).collect::<Vec<_>>(), [3, 1]);
    // `_` is a plain character, not a LIKE wildcard: only the outage note has one.
    let literal = Search {
        text: Some("_".into()),
        ..Search::default()
    };
    let outage = app::search(&db, &literal, 1, 10).await?;
    assert_eq!(outage.rows.iter().map(|n| n.id).collect::<Vec<_>>(), [2]);
    let unrevised_by_bob_or_dee = Search {
        authors: vec![2, 4],
        revised: Some(false),
        ..Search::default()
    };
    let page_2 = app::search(&db, &unrevised_by_bob_or_dee, 2, 2).await?;
    assert_eq!((page_2.total, page_2.has_next()), (3, false));
    assert_eq!(page_2.rows.iter().map(|n| n.id).collect::<Vec<_>>(), [4]);

    // Orgs with a member who wrote about a tag: nested relations' `exists`.
    assert_eq!(
        app::orgs_writing_about(&db, "rust").await?,
        ["acme", "initech"]
    );
    assert_eq!(app::orgs_writing_about(&db, "meeting").await?, ["initech"]);
    assert!(app::orgs_writing_about(&db, "nothing").await?.is_empty());
    println!("every query gave what was expected");
    Ok(())
}
