//! The team notes example's queries (examples/team_notes/app.rs; issue 17's "done
//! means"), and keyset pages, offset pages with their total, and subqueries (items 7
//! and 8) on the same data. Run like `chains`: on the reference backend, on real local
//! D1, and inside workerd on both Worker backends; all must agree.

use d1orm::{Backend, Database};
use serde_json::{Value as J, json};

use crate::chains::obs;

#[path = "../../examples/team_notes/app.rs"]
#[allow(dead_code)]
mod app;

use app::{
    NoteRelations, NoteTable, OrgTable, RevisionRelations, RevisionTable, Search, UserTable,
};

/// Every query of the team notes API.
pub async fn team_notes<B: Backend>(db: &Database<B>) -> J {
    let seeded = obs(app::seed(db).await);
    let note = obs(app::note_page(db, 1).await);
    let missing = obs(app::note_page(db, 99).await);
    let per_org = obs(app::notes_per_org(db).await);
    // Pages until an empty one (or an error): three.
    let mut pages = Vec::new();
    let mut cursor = None;
    for _ in 0..5 {
        let page = app::tagged_by_org(db, "rust", 1, cursor.clone(), 2).await;
        cursor = page.as_ref().ok().and_then(|p| app::next_cursor(&p.rows));
        pages.push(obs(page.map(|p| p.rows)));
        if cursor.is_none() {
            break;
        }
    }
    let searches = [
        Search::default(),
        Search {
            org: Some(1),
            tags: vec!["rust".into()],
            min_stars: Some(1),
            revised: Some(true),
            ..Search::default()
        },
        Search {
            text: Some("_".into()),
            ..Search::default()
        },
        Search {
            authors: vec![2, 4],
            revised: Some(false),
            ..Search::default()
        },
    ];
    let mut found = Vec::new();
    for search in &searches {
        for page in [1, 2] {
            found.push(obs(app::search(db, search, page, 2).await));
        }
    }
    let orgs = [
        obs(app::orgs_writing_about(db, "rust").await),
        obs(app::orgs_writing_about(db, "meeting").await),
    ];
    json!({
        "seed": seeded,
        "note": note,
        "missing": missing,
        "per_org": per_org,
        "tagged_pages": pages,
        "searches": found,
        "orgs": orgs,
    })
}

/// Keysets on one, two and three keys in both directions (row values), offset pages
/// of whole rows, projections and groups with their totals, subqueries with NULLs, and
/// the errors given before sending.
pub async fn keysets_pages_and_subqueries<B: Backend>(db: &Database<B>) -> J {
    let seeded = obs(app::seed(db).await);
    let ids = |r: d1orm::Result<d1orm::table::Rows<app::Note>>| {
        obs(r.map(|r| r.rows.iter().map(|n| n.id).collect::<Vec<_>>()))
    };
    let keysets = [
        ids(db.notes().keyset(|n| n.id).after(3).limit(2).many().await),
        ids(db.notes().keyset(|n| n.id).desc().after(3).many().await),
        ids(db
            .notes()
            .keyset(|n| (n.created_at, n.id))
            .after(("2026-11-05 08:00:00".to_owned(), 3))
            .many()
            .await),
        ids(db
            .notes()
            .keyset(|n| (n.created_at, n.id))
            .desc()
            .after(("2026-11-05 08:00:00".to_owned(), 4))
            .many()
            .await),
        ids(db
            .notes()
            .where_(|n| n.stars.gte(1))
            .keyset(|n| (n.org_id, n.stars, n.id))
            .desc()
            .after((2, 3, 5))
            .limit(3)
            .many()
            .await),
        ids(db
            .notes()
            .keyset(|n| n.id)
            .after(None)
            .limit(1)
            .many()
            .await),
        obs(db
            .users()
            .keyset(|u| u.email)
            .after("bob@acme.dev".to_owned())
            .select(|u| u.name)
            .many()
            .await
            .map(|r| r.rows)),
    ];
    let pages = [
        obs(db.notes().order_by(|n| n.id.asc()).page(2, 3).await),
        obs(db.notes().order_by(|n| n.id.asc()).page(3, 3).await),
        obs(db.notes().order_by(|n| n.id.asc()).page(4, 3).await),
        obs(db
            .notes()
            .where_(|n| n.tags.contains("rust"))
            .order_by(|n| n.id.desc())
            .select(|n| (n.id, n.title))
            .page(1, 2)
            .await),
        obs(db
            .notes()
            .group_by(|n| n.author_id)
            .order_by(|n| n.author_id.asc())
            .select(|n| (n.author_id, d1orm::table::count()))
            .page(2, 3)
            .await),
        obs(db
            .notes()
            .include(|n| n.author())
            .order_by(|n| n.id.asc())
            .page(1, 1)
            .await),
    ];
    let subqueries = [
        ids(db
            .notes()
            .where_(|n| {
                n.author_id
                    .in_(db.users().where_(|u| u.org_id.eq(2)).select(|u| u.id))
            })
            .order_by(|n| n.id.asc())
            .many()
            .await),
        ids(db
            .notes()
            .where_(|n| {
                n.author_id
                    .not_in(db.users().where_(|u| u.name.ne("Bob")).select(|u| u.id))
            })
            .order_by(|n| n.id.asc())
            .many()
            .await),
        // Notes with no revision: the revisions' note ids, and existence.
        ids(db
            .notes()
            .where_(|n| n.id.not_in(db.revisions().select(|r| r.note_id)))
            .order_by(|n| n.id.asc())
            .many()
            .await),
        ids(db
            .notes()
            .where_(|n| n.revisions().exists().not())
            .order_by(|n| n.id.asc())
            .many()
            .await),
        obs(db
            .users()
            .where_(|u| u.notes().where_(|n| n.org_id.eq(2)).exists())
            .select(|u| u.name)
            .many()
            .await
            .map(|r| r.rows)),
        obs(db
            .orgs()
            .where_(|o| o.notes().where_(|n| n.stars.gt(4)).exists())
            .select(|o| o.name)
            .many()
            .await
            .map(|r| r.rows)),
    ];
    let refused = [
        obs(db
            .notes()
            .order_by(|n| n.stars.desc())
            .keyset(|n| n.id)
            .after(1)
            .many()
            .await
            .map(|r| r.rows)),
        obs(db.notes().page(0, 2).await),
        obs(db
            .users()
            .where_(|u| u.notes().limit(1).exists())
            .many()
            .await
            .map(|r| r.rows)),
    ];
    json!({
        "seed": seeded,
        "keysets": keysets,
        "pages": pages,
        "subqueries": subqueries,
        "refused": refused,
    })
}
