//! Subqueries (issue 17, item 8): `in_` / `not_in` over another chain's column, and a
//! correlated `exists` over a relation; each one statement.

use d1orm::table::create_table_sql;
use d1orm::{Database, Table};
use d1orm_sqlite::SqliteBackend;

use crate::Recording;

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "s_users")]
pub struct SUser {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub org: String,
    pub name: String,
    #[d1orm(references(SUser::id), relation = "manager", inverse = "reports")]
    pub manager_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "s_notes")]
pub struct SNote {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(SUser::id))]
    pub author_id: i64,
    pub reviewer_id: Option<i64>,
    pub title: String,
    #[d1orm(json)]
    pub tags: Vec<String>,
}

async fn seeded() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    for sql in [create_table_sql::<SUser>(), create_table_sql::<SNote>()] {
        db.exec(&sql).await.unwrap();
    }
    for (org, name, manager) in [
        ("acme", "ada", None),
        ("acme", "bob", Some(1)),
        ("initech", "cy", None),
        ("initech", "dee", Some(3)),
    ] {
        let mut u = NewSUser::builder()
            .org(org.to_owned())
            .name(name.to_owned())
            .build();
        u.manager_id = manager;
        db.s_users().insert(u).await.unwrap();
    }
    for (author, reviewer, title, tags) in [
        (1, Some(3), "a1", vec!["rust"]),
        (2, None, "b1", vec!["d1", "rust"]),
        (3, Some(1), "c1", vec!["d1"]),
        (4, None, "d1", vec!["rust"]),
        (2, Some(2), "b2", vec![]),
    ] {
        let mut n = NewSNote::builder()
            .author_id(author)
            .title(title.to_owned())
            .tags(tags.into_iter().map(str::to_owned).collect())
            .build();
        n.reviewer_id = reviewer;
        db.s_notes().insert(n).await.unwrap();
    }
    db.backend().take();
    db.backend().take_round_trips();
    db
}

fn titles(notes: &[SNote]) -> Vec<&str> {
    notes.iter().map(|n| n.title.as_str()).collect()
}

#[tokio::test]
async fn in_a_subquery_is_one_statement_with_its_parameters_in_order() {
    let db = seeded().await;
    let notes = db
        .s_notes()
        .where_(|n| n.tags.contains("rust"))
        .where_(|n| {
            n.author_id
                .in_(db.s_users().where_(|u| u.org.eq("acme")).select(|u| u.id))
        })
        .order_by(|n| n.id.asc())
        .many()
        .await
        .unwrap();
    assert_eq!(titles(&notes.rows), ["a1", "b1"]);
    assert_eq!(db.backend().take_round_trips(), 1);
    let sent = db.backend().take();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].sql.ends_with(
            r#"AND ("author_id" IN (SELECT "id" FROM "s_users" WHERE "org" = ?)) ORDER BY "id" ASC"#
        ),
        "{}",
        &*sent[0].sql
    );
    assert_eq!(
        sent[0]
            .params
            .iter()
            .map(|v| format!("{v:?}"))
            .collect::<Vec<_>>(),
        [r#"Text("rust")"#, r#"Text("acme")"#]
    );
}

#[tokio::test]
async fn subqueries_nest_negate_and_take_nullable_columns() {
    let db = seeded().await;
    // Notes whose author is not managed by anyone in initech.
    let notes = db
        .s_notes()
        .where_(|n| {
            n.author_id.not_in(
                db.s_users()
                    .where_(|u| {
                        u.manager_id.in_(
                            db.s_users()
                                .where_(|m| m.org.eq("initech"))
                                .select(|m| m.id),
                        )
                    })
                    .select(|u| u.id),
            )
        })
        .order_by(|n| n.id.asc())
        .many()
        .await
        .unwrap();
    assert_eq!(titles(&notes.rows), ["a1", "b1", "c1", "b2"]);
    // A nullable column takes a subquery of its plain type; NULL is in no set.
    let reviewed_by_acme = db
        .s_notes()
        .where_(|n| {
            n.reviewer_id
                .in_(db.s_users().where_(|u| u.org.eq("acme")).select(|u| u.id))
        })
        .select(|n| n.title)
        .many()
        .await
        .unwrap();
    assert_eq!(reviewed_by_acme.rows, ["c1", "b2"]);
    // A subquery's limit and order are its own.
    let latest_author = db
        .s_users()
        .where_(|u| {
            u.id.in_(
                db.s_notes()
                    .order_by(|n| n.id.desc())
                    .limit(1)
                    .select(|n| n.author_id),
            )
        })
        .select(|u| u.name)
        .one()
        .await
        .unwrap();
    assert_eq!(latest_author, "bob");
    // An error inside the subquery is the statement's, before anything is sent.
    let bad = db
        .s_notes()
        .where_(|n| {
            n.author_id.in_(
                db.s_users()
                    .where_(|u| u.name.like(&"x".repeat(51)))
                    .select(|u| u.id),
            )
        })
        .many()
        .await
        .unwrap_err();
    assert!(
        bad.to_string().contains("LIKE pattern on s_users.name"),
        "{bad}"
    );
    assert_eq!(db.backend().take_round_trips(), 3);
}

#[tokio::test]
async fn exists_over_a_relation_is_correlated_with_each_row() {
    let db = seeded().await;
    // Users with a note tagged d1.
    let users = db
        .s_users()
        .where_(|u| u.s_notes().where_(|n| n.tags.contains("d1")).exists())
        .select(|u| u.name)
        .many()
        .await
        .unwrap();
    assert_eq!(users.rows, ["bob", "cy"]);
    let sent = db.backend().take();
    assert_eq!(sent.len(), 1);
    assert!(
        sent[0].sql.ends_with(
            r#"FROM "s_users" WHERE "id" IN (SELECT "author_id" FROM "s_notes" WHERE "author_id" IS NOT NULL AND (EXISTS (SELECT 1 FROM json_each("tags") AS "d1orm_each" WHERE "d1orm_each".value = ?)))"#
        ),
        "{}",
        &*sent[0].sql
    );
    // Negated: users without notes. NULL keys in the related rows do not hide the others.
    let none = db
        .s_users()
        .where_(|u| u.s_notes().exists().not())
        .select(|u| u.name)
        .many()
        .await
        .unwrap();
    assert!(none.rows.is_empty(), "{none:?}");
    let unmanaging = db
        .s_users()
        .where_(|u| u.reports().exists().not())
        .select(|u| u.name)
        .many()
        .await
        .unwrap();
    assert_eq!(unmanaging.rows, ["bob", "dee"]);
    // A limit or offset chooses rows per parent: refused for existence.
    let windowed = db
        .s_users()
        .where_(|u| u.s_notes().offset(1).exists())
        .many()
        .await
        .unwrap_err();
    assert_eq!(
        windowed.to_string(),
        "D1_ERROR: exists over relation s_notes of s_users: a relation's limit and offset choose rows per parent, which existence does not take"
    );
    // A relation of a table to itself: managers (someone reports to them), and the
    // reports whose manager exists (a belongs-to).
    let managers = db
        .s_users()
        .where_(|u| u.reports().exists())
        .select(|u| u.name)
        .many()
        .await
        .unwrap();
    assert_eq!(managers.rows, ["ada", "cy"]);
    let managed = db
        .s_users()
        .where_(|u| u.manager().exists().and(u.org.eq("initech")))
        .select(|u| u.name)
        .many()
        .await
        .unwrap();
    assert_eq!(managed.rows, ["dee"]);
    // Nested: notes whose author manages someone with a note.
    let nested = db
        .s_notes()
        .where_(|n| {
            n.author().exists().and(
                n.author_id.in_(
                    db.s_users()
                        .where_(|u| u.reports().where_(|r| r.s_notes().exists()).exists())
                        .select(|u| u.id),
                ),
            )
        })
        .select(|n| n.title)
        .many()
        .await
        .unwrap();
    assert_eq!(nested.rows, ["a1", "c1"]);
    // Inside an included relation's filter, `exists` speaks of the related row: each
    // manager with the reports who wrote a note tagged rust.
    let teams = db
        .s_users()
        .where_(|u| u.manager_id.is_null())
        .include(|u| {
            u.reports()
                .where_(|r| r.s_notes().where_(|n| n.tags.contains("rust")).exists())
        })
        .order_by(|u| u.id.asc())
        .many()
        .await
        .unwrap();
    let teams: Vec<(&str, Vec<&str>)> = teams
        .rows
        .iter()
        .map(|(m, reports)| {
            (
                m.name.as_str(),
                reports.iter().map(|r| r.name.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(teams, [("ada", vec!["bob"]), ("cy", vec!["dee"])]);
}
