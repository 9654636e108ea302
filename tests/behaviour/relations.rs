//! Relations from foreign keys (`include`), on the reference backend: what each shape
//! decodes into, exact values through the JSON they travel as, and one statement per
//! page of parents whatever the number of parents and relations.

use d1orm::table::create_table_sql;
use d1orm::{Database, Error, Table};
use d1orm_sqlite::SqliteBackend;

use crate::Recording;

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "r_users")]
pub struct RUser {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
    pub score: f64,
    #[d1orm(references(RUser::id), inverse = "reports")]
    pub manager_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "r_notes")]
pub struct RNote {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(RUser::id), on_delete = "cascade")]
    pub author_id: i64,
    #[d1orm(references(RUser::id), relation = "reviewer", inverse = "reviewed")]
    pub editor_id: Option<i64>,
    pub title: String,
    pub stars: i64,
    pub attachment: Option<Vec<u8>>,
    #[d1orm(json)]
    pub tags: Vec<String>,
}

/// A has-one: the key is UNIQUE.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "r_profiles")]
pub struct RProfile {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(RUser::id), unique)]
    pub user_id: i64,
    pub bio: String,
}

/// A tag, and the join table giving notes and tags many-to-many.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "r_tags")]
pub struct RTag {
    #[d1orm(primary_key)]
    pub id: i64,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "r_note_tags", primary_key(note_id, tag_id))]
pub struct RNoteTag {
    #[d1orm(references(RNote::id), on_delete = "cascade")]
    pub note_id: i64,
    #[d1orm(references(RTag::id), on_delete = "cascade")]
    pub tag_id: i64,
}

/// 40 columns: a related row nests two `json_array` calls (32 + 8 items).
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "r_wide")]
pub struct RWide {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(references(RUser::id))]
    pub owner_id: i64,
    pub c02: i64,
    pub c03: i64,
    pub c04: i64,
    pub c05: i64,
    pub c06: i64,
    pub c07: i64,
    pub c08: i64,
    pub c09: i64,
    pub c10: i64,
    pub c11: i64,
    pub c12: i64,
    pub c13: i64,
    pub c14: i64,
    pub c15: i64,
    pub c16: i64,
    pub c17: i64,
    pub c18: i64,
    pub c19: i64,
    pub c20: i64,
    pub c21: i64,
    pub c22: i64,
    pub c23: i64,
    pub c24: i64,
    pub c25: i64,
    pub c26: i64,
    pub c27: i64,
    pub c28: i64,
    pub c29: i64,
    pub c30: i64,
    pub c31: i64,
    pub c32: i64,
    pub c33: i64,
    pub c34: i64,
    pub c35: i64,
    pub c36: i64,
    pub c37: i64,
    pub c38: Option<String>,
    pub c39: f64,
}

async fn seeded() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    for sql in [
        create_table_sql::<RUser>(),
        create_table_sql::<RNote>(),
        create_table_sql::<RProfile>(),
        create_table_sql::<RWide>(),
    ] {
        db.exec(&sql).await.unwrap();
    }
    let users = [
        ("ada", 0.1 + 0.2, None),
        ("bob \"b\" \\ ✓", 1e300, Some(1)),
        ("cy", -0.0, Some(1)),
    ];
    for (name, score, manager) in users {
        let mut u = NewRUser::builder()
            .name(name.to_owned())
            .score(score)
            .build();
        u.manager_id = manager;
        db.r_users().insert(u).await.unwrap();
    }
    let notes = [
        (1, Some(2), "first", 3, Some(vec![0u8, 1, 255])),
        (1, None, "second", 5, Some(vec![])),
        (2, Some(1), "third", 1, None),
        (1, None, "fourth", 4, None),
    ];
    for (author, editor, title, stars, attachment) in notes {
        let tags = vec![format!("{title} \"tag\""), "✓".to_owned()];
        let mut n = NewRNote::builder()
            .author_id(author)
            .title(title.to_owned())
            .stars(stars)
            .tags(tags)
            .build();
        n.editor_id = editor;
        n.attachment = attachment;
        db.r_notes().insert(n).await.unwrap();
    }
    db.r_profiles()
        .insert(
            NewRProfile::builder()
                .user_id(2)
                .bio("bob's".to_owned())
                .build(),
        )
        .await
        .unwrap();
    db.take();
    db
}

trait Take {
    fn take(&self) -> Vec<d1orm::Statement>;
}
impl Take for Database<Recording> {
    fn take(&self) -> Vec<d1orm::Statement> {
        self.backend().take()
    }
}

#[tokio::test]
async fn belongs_to_gives_the_row_or_an_option_in_one_statement() {
    let db = seeded().await;
    let rows = db
        .r_notes()
        .include(|n| n.author())
        .include(|n| n.reviewer())
        .order_by(|n| n.id.asc())
        .many()
        .await
        .unwrap();
    let sent = db.take();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let got: Vec<(String, String, Option<String>)> = rows
        .rows
        .iter()
        .map(|(n, a, r)| {
            (
                n.title.clone(),
                a.name.clone(),
                r.as_ref().map(|r| r.name.clone()),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("first".into(), "ada".into(), Some("bob \"b\" \\ ✓".into())),
            ("second".into(), "ada".into(), None),
            ("third".into(), "bob \"b\" \\ ✓".into(), Some("ada".into())),
            ("fourth".into(), "ada".into(), None),
        ]
    );
    // Values travel exactly: floats to the last bit, text with quotes and escapes,
    // bytes (and an empty BLOB apart from NULL).
    let (first, ada, bob) = &rows.rows[0];
    assert_eq!(ada.score, 0.1 + 0.2);
    assert_eq!(bob.as_ref().unwrap().score, 1e300);
    assert_eq!(first.attachment, Some(vec![0, 1, 255]));
    assert_eq!(first.tags, ["first \"tag\"", "✓"]);
    assert_eq!(rows.rows[1].0.attachment, Some(vec![]));
    assert_eq!(rows.rows[2].0.attachment, None);
}

#[tokio::test]
async fn has_many_filters_orders_limits_and_nests_in_one_statement() {
    let db = seeded().await;
    let users = db
        .r_users()
        .where_(|u| u.id.lte(2))
        .include(|u| {
            u.r_notes()
                .where_(|n| n.stars.gte(3))
                .order_by(|n| n.stars.desc())
                .limit(2)
                .include(|n| n.reviewer())
        })
        .include(|u| u.reports().order_by(|r| r.id.asc()))
        .include(|u| u.r_profile())
        .order_by(|u| u.id.asc())
        .many()
        .await
        .unwrap();
    let sent = db.take();
    assert_eq!(sent.len(), 1, "{sent:?}");
    let sql = &*sent[0].sql;
    assert!(sql.contains("json_group_array"), "{sql}");
    assert!(!sql.contains("json_object"), "{sql}");
    let shape: Vec<_> = users
        .rows
        .iter()
        .map(|(u, notes, reports, profile)| {
            (
                u.name.as_str(),
                notes
                    .iter()
                    .map(|(n, r)| (n.title.as_str(), r.as_ref().map(|r| r.id)))
                    .collect::<Vec<_>>(),
                reports.iter().map(|r| r.id).collect::<Vec<_>>(),
                profile.as_ref().map(|p| p.bio.as_str()),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (
                "ada",
                vec![("second", None), ("fourth", None)],
                vec![2, 3],
                None
            ),
            ("bob \"b\" \\ ✓", vec![], vec![], Some("bob's")),
        ]
    );
    // An offset without a limit, and the parameters of relation and chain in order.
    let users = db
        .r_users()
        .where_(|u| u.name.ne("cy"))
        .include(|u| {
            u.r_notes()
                .where_(|n| n.title.ne("first"))
                .where_opt(|n| Some(n.stars.gt(0)))
                .where_opt(|_| None)
                .order_by(|n| n.id.asc())
                .offset(1)
        })
        .order_by(|u| u.id.asc())
        .select_titles()
        .await;
    assert_eq!(
        users,
        [
            ("ada".to_owned(), vec!["fourth".to_owned()]),
            ("bob \"b\" \\ ✓".to_owned(), vec![])
        ]
    );
}

/// `(user name, note titles)` of a chain including notes.
trait SelectTitles {
    async fn select_titles(&self) -> Vec<(String, Vec<String>)>;
}
impl<B: d1orm::Backend, F, L> SelectTitles
    for d1orm::table::Query<'_, B, RUser, F, d1orm::table::Including<L>>
where
    L: d1orm::table::RelationList<RUser, With<RUser> = (RUser, Vec<RNote>)>,
{
    async fn select_titles(&self) -> Vec<(String, Vec<String>)> {
        self.many()
            .await
            .unwrap()
            .rows
            .into_iter()
            .map(|(u, notes)| (u.name, notes.into_iter().map(|n| n.title).collect()))
            .collect()
    }
}

#[tokio::test]
async fn a_row_wider_than_32_items_nests_arrays() {
    let db = seeded().await;
    let mut row = NewRWide::builder()
        .id(7)
        .owner_id(1)
        .c02(2)
        .c03(3)
        .c04(4)
        .c05(5)
        .c06(6)
        .c07(7)
        .c08(8)
        .c09(9)
        .c10(10)
        .c11(11)
        .c12(12)
        .c13(13)
        .c14(14)
        .c15(15)
        .c16(16)
        .c17(17)
        .c18(18)
        .c19(19)
        .c20(20)
        .c21(21)
        .c22(22)
        .c23(23)
        .c24(24)
        .c25(25)
        .c26(26)
        .c27(27)
        .c28(28)
        .c29(29)
        .c30(30)
        .c31(31)
        .c32(32)
        .c33(33)
        .c34(34)
        .c35(35)
        .c36(36)
        .c37(37)
        .c39(2.5)
        .build();
    row.c38 = Some("thirty-eight".into());
    db.r_wide().insert(row).await.unwrap();
    db.take();
    let (user, wides) = db
        .r_users()
        .where_(|u| u.id.eq(1))
        .include(|u| u.r_wide())
        .one()
        .await
        .unwrap();
    assert_eq!(db.take().len(), 1);
    assert_eq!(user.id, 1);
    assert_eq!(wides.len(), 1);
    assert_eq!((wides[0].c02, wides[0].c37), (2, 37));
    assert_eq!(wides[0].c38.as_deref(), Some("thirty-eight"));
    assert_eq!(wides[0].c39, 2.5);
    let (wide, owner) = db.r_wide().include(|w| w.owner()).one().await.unwrap();
    assert_eq!((wide.id, owner.name.as_str()), (7, "ada"));
}

#[tokio::test]
async fn a_bad_stored_value_names_its_table_and_column() {
    let db = seeded().await;
    // SQLite keeps text in an INTEGER column it cannot convert.
    db.exec("UPDATE r_notes SET stars = 'many' WHERE id = 3")
        .await
        .unwrap();
    let e = db
        .r_users()
        .include(|u| u.r_notes())
        .many()
        .await
        .unwrap_err();
    match &e {
        Error::Decode(d) => {
            assert_eq!(d.table.as_deref(), Some("r_notes"), "{e}");
            assert_eq!(d.column.as_deref(), Some("stars"), "{e}");
        }
        other => panic!("{other:?}"),
    }
    // A NOT NULL key whose row is not there (a table made without the constraint):
    // the relation names the key.
    let db = Database::new(SqliteBackend::open_in_memory().unwrap());
    db.exec(
        "CREATE TABLE r_users (id INTEGER PRIMARY KEY, name TEXT, score REAL, manager_id INTEGER); \
         CREATE TABLE r_notes (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, editor_id INTEGER, \
         title TEXT, stars INTEGER, attachment BLOB, tags TEXT); \
         INSERT INTO r_notes VALUES (3, 9, NULL, 'orphan', 0, NULL, '[]')",
    )
    .await
    .unwrap();
    let e = db
        .r_notes()
        .where_(|n| n.id.eq(3))
        .include(|n| n.author())
        .one()
        .await
        .unwrap_err();
    match &e {
        Error::Decode(d) => {
            assert_eq!(d.table.as_deref(), Some("r_notes"), "{e}");
            assert_eq!(d.column.as_deref(), Some("author_id"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_page_of_parents_with_relations_is_one_statement() {
    let db = seeded().await;
    for i in 0..50 {
        db.r_users()
            .insert(
                NewRUser::builder()
                    .name(format!("u{i}"))
                    .score(i as f64)
                    .build(),
            )
            .await
            .unwrap();
    }
    db.take();
    let page = db
        .r_users()
        .include(|u| u.r_notes().include(|n| n.author()))
        .include(|u| u.reports())
        .include(|u| u.r_profile())
        .include(|u| u.manager())
        .order_by(|u| u.id.asc())
        .limit(40)
        .many()
        .await
        .unwrap();
    assert_eq!(page.rows.len(), 40);
    assert_eq!(
        db.take().len(),
        1,
        "one statement for the page, not one per parent"
    );
}

#[tokio::test]
async fn an_include_read_runs_in_a_batch_and_sees_its_writes() {
    let db = seeded().await;
    let (inserted, users) = db
        .batch((
            db.r_notes().insert(
                NewRNote::builder()
                    .author_id(3)
                    .title("late")
                    .stars(9)
                    .tags(vec![])
                    .build(),
            ),
            db.r_users()
                .where_(|u| u.id.eq(3))
                .include(|u| {
                    u.r_notes()
                        .where_(|n| n.stars.gt(1))
                        .order_by(|n| n.id.asc())
                })
                .many(),
        ))
        .await
        .unwrap();
    assert_eq!(inserted.changes(), 1);
    let titles: Vec<&str> = users.rows[0].1.iter().map(|n| n.title.as_str()).collect();
    assert_eq!(titles, ["late"]);
    assert_eq!(db.take().len(), 2, "one batch of two statements");
}

#[tokio::test]
async fn many_to_many_through_a_join_table_and_has_many_in_has_many() {
    let db = seeded().await;
    db.exec(&create_table_sql::<RTag>()).await.unwrap();
    db.exec(&create_table_sql::<RNoteTag>()).await.unwrap();
    for (id, label) in [(1, "rust"), (2, "sql"), (3, "d1")] {
        db.r_tags()
            .insert(NewRTag::builder().id(id).label(label).build())
            .await
            .unwrap();
    }
    for (note, tag) in [(1, 3), (1, 1), (2, 2), (3, 1)] {
        db.r_note_tags()
            .insert(NewRNoteTag::builder().note_id(note).tag_id(tag).build())
            .await
            .unwrap();
    }
    db.take();
    // Notes with their tags: the join table's rows, each with its tag.
    let notes = db
        .r_notes()
        .where_(|n| n.id.lte(3))
        .include(|n| {
            n.r_note_tags()
                .order_by(|t| t.tag_id.asc())
                .include(|t| t.tag())
        })
        .order_by(|n| n.id.asc())
        .many()
        .await
        .unwrap();
    let labels: Vec<(&str, Vec<&str>)> = notes
        .rows
        .iter()
        .map(|(n, tags)| {
            (
                n.title.as_str(),
                tags.iter().map(|(_, t)| t.label.as_str()).collect(),
            )
        })
        .collect();
    assert_eq!(
        labels,
        [
            ("first", vec!["rust", "d1"]),
            ("second", vec!["sql"]),
            ("third", vec!["rust"]),
        ]
    );
    // A has-many inside a has-many: each user's reports with their notes.
    let (ada, reports) = db
        .r_users()
        .where_(|u| u.id.eq(1))
        .include(|u| {
            u.reports()
                .order_by(|r| r.id.asc())
                .include(|r| r.r_notes().order_by(|n| n.id.asc()))
        })
        .one()
        .await
        .unwrap();
    assert_eq!(ada.name, "ada");
    let shape: Vec<(i64, Vec<&str>)> = reports
        .iter()
        .map(|(r, notes)| (r.id, notes.iter().map(|n| n.title.as_str()).collect()))
        .collect();
    assert_eq!(shape, [(2, vec!["third"]), (3, vec![])]);
    assert_eq!(db.take().len(), 2, "one statement for each read");
}
