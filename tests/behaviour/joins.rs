//! Typed joins (`join`, `left_join`) on the reference backend: what each shape reads
//! into, columns written table-qualified (both tables have an `id`, a `name`-like
//! column...), filters, orders and projections over both tables, and one statement per
//! read.

use d1orm::table::create_table_sql;
use d1orm::{Database, Error};
use d1orm_sqlite::SqliteBackend;

use crate::Recording;
use crate::relations::{NewRNote, NewRUser, RNote, RNoteRelations, RNoteTable, RUser, RUserTable};

/// Three users (bob and cy report to ada), four notes: ada wrote three, bob one; two
/// have a reviewer.
async fn seeded() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    for sql in [create_table_sql::<RUser>(), create_table_sql::<RNote>()] {
        db.exec(&sql).await.unwrap();
    }
    for (name, score, manager) in [
        ("ada", 1.5, None),
        ("bob", 2.5, Some(1)),
        ("cy", 0.5, Some(1)),
    ] {
        let mut u = NewRUser::builder()
            .name(name.to_owned())
            .score(score)
            .build();
        u.manager_id = manager;
        db.r_users().insert(u).await.unwrap();
    }
    for (author, editor, title, stars) in [
        (1, Some(2), "first", 3),
        (1, None, "second", 5),
        (2, Some(1), "third", 1),
        (1, None, "fourth", 4),
    ] {
        let mut n = NewRNote::builder()
            .author_id(author)
            .title(title.to_owned())
            .stars(stars)
            .tags(vec![title.to_owned()])
            .build();
        n.editor_id = editor;
        db.r_notes().insert(n).await.unwrap();
    }
    db.backend().take();
    db
}

fn sent(db: &Database<Recording>) -> Vec<d1orm::Statement> {
    db.backend().take()
}

#[tokio::test]
async fn a_belongs_to_join_reads_both_rows_in_one_statement() {
    let db = seeded().await;
    let rows = db
        .r_notes()
        .join(|n| n.author())
        .order_by(|(n, _)| n.id.asc())
        .many()
        .await
        .unwrap();
    let statements = sent(&db);
    assert_eq!(statements.len(), 1, "{statements:?}");
    let sql = &*statements[0].sql;
    // Both tables have `id`: unqualified, SQLite would refuse it as ambiguous.
    assert!(
        sql.contains(r#"FROM "r_notes" JOIN "r_users" ON "r_users"."id" = "r_notes"."author_id""#),
        "{sql}"
    );
    assert!(sql.contains(r#"ORDER BY "r_notes"."id" ASC"#), "{sql}");
    let got: Vec<(&str, &str)> = rows
        .rows
        .iter()
        .map(|(n, u)| (n.title.as_str(), u.name.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("first", "ada"),
            ("second", "ada"),
            ("third", "bob"),
            ("fourth", "ada")
        ]
    );
    // Whole rows decode every column, the JSON one included.
    let (note, author): &(RNote, RUser) = &rows.rows[2];
    assert_eq!((note.id, note.author_id, note.editor_id), (3, 2, Some(1)));
    assert_eq!(note.tags, ["third"]);
    assert_eq!(
        (author.id, author.score, author.manager_id),
        (2, 2.5, Some(1))
    );
}

#[tokio::test]
async fn filters_orders_and_projections_span_both_tables() {
    let db = seeded().await;
    let chain = db.r_notes().join(|n| n.author());
    // A condition on each table, ANDed; ordered by a key of each.
    let rows: Vec<(String, String, i64)> = chain
        .where_(|(n, u)| (n.stars.gte(3), u.name.eq("ada")))
        .order_by(|(n, u)| (u.name.asc(), n.stars.desc()))
        .select(|(n, u)| (n.title, u.name, n.stars))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(
        rows,
        [
            ("second".to_owned(), "ada".to_owned(), 5),
            ("fourth".to_owned(), "ada".to_owned(), 4),
            ("first".to_owned(), "ada".to_owned(), 3),
        ]
    );
    // ORed across tables: a search matching a note's title or its author's name.
    let hits: Vec<i64> = chain
        .where_any(|(n, u)| (n.title.contains("ir"), u.name.starts_with("bo")))
        .order_by(|(n, _)| n.id.asc())
        .select(|(n, _)| n.id)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(hits, [1, 3]);
    // A condition on the right table alone, where_ again ANDs; where_opt with None
    // filters nothing; limit and offset.
    let page: Vec<(i64, f64)> = chain
        .where_(|(_, u)| u.score.gt(1.0))
        .where_(|(n, _)| n.id.ne(2).and(n.id.ne(4)))
        .where_opt(|(n, _)| None::<d1orm::table::Condition<RNote>>.map(|c| c.and(n.id.eq(0))))
        .order_by(|(n, _)| n.id.asc())
        .limit(5)
        .offset(1)
        .select(|(n, u)| (n.id, u.score))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(page, [(3, 2.5)]);
    assert_eq!(sent(&db).len(), 3, "one statement for each read");
    // first, one, count.
    let first = chain
        .order_by(|(n, _)| n.stars.desc())
        .select(|(n, u)| (n.title, u.name))
        .first()
        .await
        .unwrap();
    assert_eq!(first, Some(("second".to_owned(), "ada".to_owned())));
    let (note, author) = chain.where_(|(_, u)| u.name.eq("bob")).one().await.unwrap();
    assert_eq!(
        (note.title.as_str(), author.name.as_str()),
        ("third", "bob")
    );
    let e = chain
        .where_(|(_, u)| u.name.eq("ada"))
        .one()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::TooMany { .. }), "{e:?}");
    assert_eq!(
        chain
            .where_(|(_, u)| u.name.eq("ada"))
            .count()
            .await
            .unwrap(),
        3
    );
    assert_eq!(chain.limit(2).count().await.unwrap(), 2);
    assert_eq!(sent(&db).len(), 5);
}

#[tokio::test]
async fn json_columns_paths_and_sql_expressions_of_both_tables() {
    use d1orm::table::sql;
    let db = seeded().await;
    let rows: Vec<(Vec<String>, serde_json::Value, i64, Option<i64>)> = db
        .r_notes()
        .left_join(|n| n.reviewer())
        .where_(|(n, r)| {
            (
                n.tags.contains("third").not(),
                r.name.ne("nobody").not().not(),
            )
        })
        .order_by(|(n, r)| (sql::<i64>("length({})").arg(r.name).desc(), n.id.asc()))
        .select(|(n, r)| {
            (
                n.tags,
                n.tags.at_unchecked(0),
                sql::<i64>("{} * 10").arg(n.stars),
                sql::<i64>("length({})").arg(r.name),
            )
        })
        .many()
        .await
        .unwrap()
        .rows;
    // Only the first note has a reviewer whose name is not NULL and not "nobody"
    // (third's tag excludes it); `length` of a NULL name is NULL, read as None.
    assert_eq!(
        rows,
        [(
            vec!["first".to_owned()],
            serde_json::json!("first"),
            30,
            Some(3)
        )]
    );
    let statements = sent(&db);
    assert!(
        statements[0].sql.contains(r#"length("r_users"."name")"#),
        "{:?}",
        statements[0].sql
    );
}

#[tokio::test]
async fn a_left_join_keeps_rows_without_a_match_as_none() {
    let db = seeded().await;
    let rows = db
        .r_notes()
        .left_join(|n| n.reviewer())
        .order_by(|(n, _)| n.id.asc())
        .many()
        .await
        .unwrap();
    let statements = sent(&db);
    assert_eq!(statements.len(), 1);
    assert!(
        statements[0].sql.contains(" LEFT JOIN "),
        "{:?}",
        statements[0].sql
    );
    let got: Vec<(&str, Option<&str>)> = rows
        .rows
        .iter()
        .map(|(n, r): &(RNote, Option<RUser>)| {
            (n.title.as_str(), r.as_ref().map(|r| r.name.as_str()))
        })
        .collect();
    assert_eq!(
        got,
        [
            ("first", Some("bob")),
            ("second", None),
            ("third", Some("ada")),
            ("fourth", None)
        ]
    );
    // A column of the joined table reads as an Option, `None` with no row behind it.
    let names: Vec<(String, Option<String>, Option<i64>)> = db
        .r_notes()
        .left_join(|n| n.reviewer())
        .order_by(|(n, _)| n.id.asc())
        .select(|(n, r)| (n.title, r.name, r.id))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(
        names,
        [
            ("first".to_owned(), Some("bob".to_owned()), Some(2)),
            ("second".to_owned(), None, None),
            ("third".to_owned(), Some("ada".to_owned()), Some(1)),
            ("fourth".to_owned(), None, None),
        ]
    );
    // An inner join on the same nullable key leaves those rows out.
    let inner: Vec<i64> = db
        .r_notes()
        .join(|n| n.reviewer())
        .order_by(|(n, _)| n.id.asc())
        .select(|(n, _)| n.id)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(inner, [1, 3]);
}

#[tokio::test]
async fn a_has_many_join_reads_a_row_per_pair() {
    let db = seeded().await;
    let pairs: Vec<(String, Option<String>)> = db
        .r_users()
        .left_join(|u| u.r_notes())
        .order_by(|(u, n)| (u.id.asc(), n.id.asc()))
        .select(|(u, n)| (u.name, n.title))
        .many()
        .await
        .unwrap()
        .rows;
    let pairs: Vec<(&str, Option<&str>)> = pairs
        .iter()
        .map(|(u, n)| (u.as_str(), n.as_deref()))
        .collect();
    assert_eq!(
        pairs,
        [
            ("ada", Some("first")),
            ("ada", Some("second")),
            ("ada", Some("fourth")),
            ("bob", Some("third")),
            ("cy", None),
        ]
    );
    // Whole rows: the user with each note, or once with none.
    let rows = db
        .r_users()
        .left_join(|u| u.r_notes())
        .where_(|(u, _)| u.id.gte(2))
        .order_by(|(u, _)| u.id.asc())
        .many()
        .await
        .unwrap();
    let got: Vec<(i64, Option<i64>)> = rows
        .rows
        .iter()
        .map(|(u, n): &(RUser, Option<RNote>)| (u.id, n.as_ref().map(|n| n.id)))
        .collect();
    assert_eq!(got, [(2, Some(3)), (3, None)]);
}

#[tokio::test]
async fn a_table_joined_to_itself_is_aliased() {
    let db = seeded().await;
    let rows = db
        .r_users()
        .left_join(|u| u.manager())
        // Both sides are `RUser`: the key's side is named, as types cannot tell.
        .order_by::<_, d1orm::table::OfLeft>(|(u, _)| u.id.asc())
        .many()
        .await
        .unwrap();
    let statements = sent(&db);
    assert!(
        statements[0]
            .sql
            .contains(r#"LEFT JOIN "r_users" AS "d1orm_joined" ON "d1orm_joined"."id" = "r_users"."manager_id""#),
        "{:?}",
        statements[0].sql
    );
    let got: Vec<(&str, Option<&str>)> = rows
        .rows
        .iter()
        .map(|(u, m)| (u.name.as_str(), m.as_ref().map(|m| m.name.as_str())))
        .collect();
    assert_eq!(
        got,
        [("ada", None), ("bob", Some("ada")), ("cy", Some("ada"))]
    );
}

#[tokio::test]
async fn a_join_that_cannot_be_written_fails_before_sending() {
    let db = seeded().await;
    // Clauses before the join name columns unqualified: join first.
    let e = db
        .r_notes()
        .where_opt(|n| Some(n.stars.gt(1)))
        .join(|n| n.author())
        .many()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("call join first"), "{e}");
    // A relation that chooses its rows: the join's own where_ does that.
    let e = db
        .r_users()
        .join(|u| u.r_notes().where_(|n| n.stars.gt(1)))
        .count()
        .await
        .unwrap_err();
    assert!(
        e.to_string()
            .contains("filter, order and limit the join itself"),
        "{e}"
    );
    // A LIKE pattern past D1's limit, in a join's filter.
    let e = db
        .r_notes()
        .join(|n| n.author())
        .where_(|(_, u)| u.name.like(&"x".repeat(51)))
        .first()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("r_users.name"), "{e}");
    assert!(sent(&db).is_empty(), "nothing was sent");
}

#[tokio::test]
async fn a_grouped_join_reads_one_row_per_group_in_one_statement() {
    let db = seeded().await;
    // Notes per author, with the author's name and their stars: keys and aggregates of
    // both tables, a filter on rows before grouping and one on groups after.
    let per_author: Vec<(String, i64, Option<i64>)> = db
        .r_users()
        .join(|u| u.r_notes())
        .where_(|(_, n)| n.stars.gte(1))
        .group_by(|(u, _)| (u.id, u.name))
        .having(|(_, n)| n.id.count().gte(1))
        .order_by(|(u, _)| u.name.asc())
        .select(|(u, n)| (u.name, n.id.count(), n.stars.sum()))
        .many()
        .await
        .unwrap()
        .rows;
    let statements = sent(&db);
    assert_eq!(statements.len(), 1, "{statements:?}");
    let sql = &*statements[0].sql;
    assert!(
        sql.contains(r#"GROUP BY "r_users"."id", "r_users"."name" HAVING (count("r_notes"."id")) >= ? ORDER BY"#),
        "{sql}"
    );
    assert_eq!(
        per_author,
        [
            ("ada".to_owned(), 3, Some(12)),
            ("bob".to_owned(), 1, Some(1))
        ]
    );

    // Parameters follow the text: the filter's, then the groups'.
    let busy: Vec<String> = db
        .r_users()
        .join(|u| u.r_notes())
        .where_(|(_, n)| n.stars.lt(5))
        .group_by(|(u, _)| u.name)
        .having(|(_, n)| n.stars.sum().gte(4))
        .select(|(u, _)| u.name)
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(
        busy,
        ["ada"],
        "ada's notes under 5 stars sum to 7, bob's to 1"
    );
    let statements = sent(&db);
    assert_eq!(
        statements[0].params.as_slice(),
        [d1orm::Value::Integer(5), d1orm::Value::Integer(4)]
    );

    // A left join keeps users without notes as a group of their own.
    let with_none: Vec<(String, Option<i64>)> = db
        .r_users()
        .left_join(|u| u.r_notes())
        .group_by(|(u, _)| (u.id, u.name))
        .order_by(|(u, _)| u.id.asc())
        .select(|(u, n)| (u.name, n.id.count()))
        .many()
        .await
        .unwrap()
        .rows;
    assert_eq!(
        with_none,
        [
            ("ada".to_owned(), Some(3)),
            ("bob".to_owned(), Some(1)),
            ("cy".to_owned(), Some(0))
        ]
    );
}

#[tokio::test]
async fn a_grouped_join_counts_its_groups() {
    let db = seeded().await;
    let authors = db
        .r_notes()
        .join(|n| n.author())
        .group_by(|(_, a)| a.id)
        .count()
        .await
        .unwrap();
    assert_eq!(authors, 2, "ada and bob wrote notes");
    let statements = sent(&db);
    assert_eq!(statements.len(), 1, "{statements:?}");
    let prolific = db
        .r_notes()
        .join(|n| n.author())
        .group_by(|(_, a)| a.id)
        .having(|(n, _)| n.id.count().gt(1))
        .count()
        .await
        .unwrap();
    assert_eq!(prolific, 1, "only ada wrote more than one note");
}
