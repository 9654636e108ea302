//! The "team notes" API's data and queries: orgs, their users, notes and revisions, and
//! the queries its endpoints run, each a typed chain and one round trip. Shared by the
//! example (`main.rs`), its behaviour test and the conformance suite, which runs it on
//! real local D1 and inside workerd.

use d1orm::table::{Condition, Page, Rows, count, create_table_sql};
use d1orm::{Backend, Database, Table};
use serde::Serialize;

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Org {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct User {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Org::id))]
    pub org_id: i64,
    #[d1orm(unique)]
    pub email: String,
    pub name: String,
}

/// A note lives in an org's workspace; its author may belong to another org (a guest).
#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Org::id))]
    pub org_id: i64,
    #[d1orm(references(User::id), on_delete = "cascade")]
    pub author_id: i64,
    pub title: String,
    pub body: String,
    #[d1orm(json)]
    pub tags: Vec<String>,
    pub stars: i64,
    /// `YYYY-MM-DD HH:MM:SS`, UTC: text order is time order. Several notes may share one.
    pub created_at: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Revision {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Note::id), on_delete = "cascade")]
    pub note_id: i64,
    pub body: String,
    pub created_at: String,
}

/// A seeded note: org, author, title, body, tags, stars, created_at.
type NoteSeed = (
    i64,
    i64,
    &'static str,
    &'static str,
    &'static [&'static str],
    i64,
    &'static str,
);

/// Creates the tables and a small team's data: two orgs, four users (one a guest
/// writing in the other org), seven notes, three revisions.
pub async fn seed<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
    for sql in [
        create_table_sql::<Org>(),
        create_table_sql::<User>(),
        create_table_sql::<Note>(),
        create_table_sql::<Revision>(),
    ] {
        db.exec(&sql).await?;
    }
    db.orgs()
        .insert_many([
            NewOrg::builder().name("acme").build(),
            NewOrg::builder().name("initech").build(),
        ])
        .await?;
    let users = [
        (1, "ada@acme.dev", "Ada"),
        (1, "bob@acme.dev", "Bob"),
        (2, "cy@initech.dev", "Cy"),
        (2, "dee@initech.dev", "Dee"),
    ];
    db.users()
        .insert_many(users.map(|(org, email, name)| {
            NewUser::builder()
                .org_id(org)
                .email(email)
                .name(name)
                .build()
        }))
        .await?;
    let notes: [NoteSeed; 7] = [
        (
            1,
            1,
            "Roadmap",
            "Q1: D1 everywhere",
            &["plan", "rust"],
            5,
            "2026-11-02 09:00:00",
        ),
        (
            1,
            2,
            "Outage",
            "50% of requests failed_",
            &["incident"],
            2,
            "2026-11-03 10:30:00",
        ),
        (
            1,
            1,
            "RFC: keysets",
            "rows after a cursor",
            &["rfc", "rust"],
            8,
            "2026-11-05 08:00:00",
        ),
        (1, 2, "Lunch", "tacos", &[], 0, "2026-11-05 08:00:00"),
        (
            2,
            3,
            "Migrations",
            "apply in order",
            &["rust", "d1"],
            3,
            "2026-11-04 12:00:00",
        ),
        (
            2,
            4,
            "Standup",
            "notes from standup",
            &["meeting"],
            1,
            "2026-11-05 08:00:00",
        ),
        (
            2,
            1,
            "Guest post",
            "Ada writes for initech",
            &["rust"],
            4,
            "2026-11-06 17:45:00",
        ),
    ];
    db.notes()
        .insert_many(notes.map(|(org, author, title, body, tags, stars, at)| {
            NewNote::builder()
                .org_id(org)
                .author_id(author)
                .title(title)
                .body(body)
                .tags(tags.iter().map(|t| t.to_string()).collect())
                .stars(stars)
                .created_at(at)
                .build()
        }))
        .await?;
    db.revisions()
        .insert_many([
            NewRevision::builder()
                .note_id(1)
                .body("Q1: D1")
                .created_at("2026-11-02 09:05:00")
                .build(),
            NewRevision::builder()
                .note_id(1)
                .body("Q1: D1 everywhere")
                .created_at("2026-11-02 09:30:00")
                .build(),
            NewRevision::builder()
                .note_id(3)
                .body("rows after a cursor")
                .created_at("2026-11-05 09:00:00")
                .build(),
        ])
        .await?;
    Ok(())
}

/// `GET /notes/:id`: the note, its author with the author's org, and its revisions,
/// newest first. One statement.
pub async fn note_page<B: Backend>(
    db: &Database<B>,
    id: i64,
) -> d1orm::Result<Option<(Note, (User, Org), Vec<Revision>)>> {
    db.notes()
        .where_(|n| n.id.eq(id))
        .include(|n| n.author().include(|u| u.org()))
        .include(|n| n.revisions().order_by(|r| r.id.desc()))
        .first()
        .await
}

/// `GET /orgs/stats`: each org with its number of notes, their stars and the latest
/// note's time, busiest first. One round trip (a batch: the orgs, then the notes
/// grouped by org).
pub async fn notes_per_org<B: Backend>(
    db: &Database<B>,
) -> d1orm::Result<Vec<(String, i64, Option<i64>, Option<String>)>> {
    let (orgs, stats) = db
        .batch((
            db.orgs().many(),
            db.notes()
                .group_by(|n| n.org_id)
                .order_by(|_| count::<Note>().desc())
                .select(|n| (n.org_id, count(), n.stars.sum(), n.created_at.max()))
                .many(),
        ))
        .await?;
    let name = |id: i64| orgs.iter().find(|o| o.id == id).map(|o| o.name.clone());
    Ok(stats
        .rows
        .into_iter()
        .filter_map(|(org, notes, stars, latest)| Some((name(org)?, notes, stars, latest)))
        .collect())
}

/// The cursor of a page of notes, newest first: the last note's time and id.
pub type NoteCursor = (String, i64);

/// `GET /orgs/:org/notes?tag=..&after=..`: notes tagged `tag` written by members of
/// `org` (in any workspace), newest first, each with its author, `size` at a time after
/// `cursor`. One statement: the authors are a subquery, and the keyset a row-value
/// comparison on (created_at, id), which is unique.
pub async fn tagged_by_org<B: Backend>(
    db: &Database<B>,
    tag: &str,
    org: i64,
    cursor: Option<NoteCursor>,
    size: u64,
) -> d1orm::Result<Rows<(Note, User)>> {
    db.notes()
        .where_(|n| {
            n.tags.contains(tag).and(
                n.author_id
                    .in_(db.users().where_(|u| u.org_id.eq(org)).select(|u| u.id)),
            )
        })
        .include(|n| n.author())
        .keyset(|n| (n.created_at, n.id))
        .desc()
        .after(cursor)
        .limit(size)
        .many()
        .await
}

/// The next cursor after a page of notes.
pub fn next_cursor(page: &[(Note, User)]) -> Option<NoteCursor> {
    page.last().map(|(n, _)| (n.created_at.clone(), n.id))
}

/// The search endpoint's optional filters.
#[derive(Debug, Default, Clone)]
pub struct Search {
    pub org: Option<i64>,
    pub authors: Vec<i64>,
    pub tags: Vec<String>,
    /// Text in the title or body, matched as it is (`_` and `%` are plain characters).
    pub text: Option<String>,
    pub min_stars: Option<i64>,
    /// Only notes with (or without) revisions.
    pub revised: Option<bool>,
}

/// `GET /search?..`: page `page` of notes matching the filters given, most starred
/// first, with the total: one round trip (a batch of the page and its count).
pub async fn search<B: Backend>(
    db: &Database<B>,
    search: &Search,
    page: u64,
    size: u64,
) -> d1orm::Result<Page<Note>> {
    db.notes()
        .where_opt(|n| search.org.map(|o| n.org_id.eq(o)))
        .where_opt(|n| Condition::any(search.authors.iter().map(|&a| n.author_id.eq(a))))
        .where_opt(|n| Condition::all(search.tags.iter().map(|t| n.tags.contains(t.as_str()))))
        .where_opt(|n| {
            search
                .text
                .as_deref()
                .map(|t| n.title.contains(t).or(n.body.contains(t)))
        })
        .where_opt(|n| search.min_stars.map(|s| n.stars.gte(s)))
        .where_opt(|n| {
            search.revised.map(|revised| {
                let has = n.revisions().exists();
                if revised { has } else { has.not() }
            })
        })
        .order_by(|n| (n.stars.desc(), n.id.asc()))
        .page(page, size)
        .await
}

/// `GET /orgs?tag=..`: the orgs with a member who wrote a note tagged `tag`, in any
/// workspace: relations' `exists`, nested. One statement.
pub async fn orgs_writing_about<B: Backend>(
    db: &Database<B>,
    tag: &str,
) -> d1orm::Result<Vec<String>> {
    Ok(db
        .orgs()
        .where_(|o| {
            o.users()
                .where_(|u| u.notes().where_(|n| n.tags.contains(tag)).exists())
                .exists()
        })
        .order_by(|o| o.id.asc())
        .select(|o| o.name)
        .many()
        .await?
        .rows)
}
