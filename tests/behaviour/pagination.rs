//! Pagination (issue 17, item 7): keyset pages after a cursor on a unique ordering, and
//! offset pages with their total in one round trip.

use d1orm::table::{Page, create_table_sql};
use d1orm::{Database, Table};
use d1orm_sqlite::SqliteBackend;

use crate::Recording;

#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "p_posts")]
pub struct PPost {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub slug: String,
    pub created: String,
    pub topic: String,
    pub editor: Option<String>,
}

/// Ten posts; `created` repeats (two posts a day), so it is no key alone.
async fn seeded() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    db.exec(&create_table_sql::<PPost>()).await.unwrap();
    let posts = (1..=10).map(|i| {
        NewPPost::builder()
            .slug(format!("post-{i:02}"))
            .created(format!("2026-11-{:02}", 10 + (i + 1) / 2))
            .topic(if i % 3 == 0 { "rust" } else { "d1" }.to_owned())
            .build()
    });
    db.p_posts().insert_many(posts).await.unwrap();
    db.backend().take();
    db.backend().take_round_trips();
    db
}

fn ids(posts: &[PPost]) -> Vec<i64> {
    posts.iter().map(|p| p.id).collect()
}

#[tokio::test]
async fn keyset_pages_walk_every_row_once_in_order() {
    let db = seeded().await;
    let chain = db.p_posts().keyset(|p| (p.created, p.id)).desc();
    let mut cursor: Option<(String, i64)> = None;
    let mut seen = Vec::new();
    loop {
        let page = chain.after(cursor.clone()).limit(3).many().await.unwrap();
        assert_eq!(db.backend().take_round_trips(), 1);
        let Some(last) = page.rows.last() else { break };
        cursor = Some((last.created.clone(), last.id));
        seen.extend(ids(&page.rows));
    }
    // Newest day first, and within a day the higher id first.
    assert_eq!(seen, [10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    let sent = db.backend().take();
    assert!(
        sent[0]
            .sql
            .ends_with(r#"FROM "p_posts" ORDER BY "created" DESC, "id" DESC LIMIT 3"#),
        "{}",
        &*sent[0].sql
    );
    assert!(
        sent[1]
            .sql
            .ends_with(r#"FROM "p_posts" WHERE ("created", "id") < (?, ?) ORDER BY "created" DESC, "id" DESC LIMIT 3"#),
        "{}",
        &*sent[1].sql
    );
}

#[tokio::test]
async fn keyset_on_one_unique_column_ascending_keeps_earlier_filters() {
    let db = seeded().await;
    let page = db
        .p_posts()
        .where_(|p| p.topic.eq("d1"))
        .keyset(|p| p.slug)
        .after("post-04".to_owned())
        .limit(2)
        .many()
        .await
        .unwrap();
    assert_eq!(ids(&page.rows), [5, 7]);
    let sent = db.backend().take();
    assert!(
        sent[0]
            .sql
            .ends_with(r#"WHERE ("topic" = ?) AND ("slug" > ?) ORDER BY "slug" ASC LIMIT 2"#),
        "{}",
        &*sent[0].sql
    );
    // Three keys, the last one unique.
    let rows = db
        .p_posts()
        .keyset(|p| (p.topic, p.created, p.id))
        .after(("d1".to_owned(), "2026-11-12".to_owned(), 4))
        .many()
        .await
        .unwrap();
    assert_eq!(ids(&rows.rows), [5, 7, 8, 10, 3, 6, 9]);
}

#[tokio::test]
async fn a_keyset_is_refused_on_a_nullable_key_or_an_ordered_chain_before_sending() {
    let db = seeded().await;
    let nullable = db
        .p_posts()
        .keyset(|p| (p.editor, p.id))
        .after((Some("x".to_owned()), 1))
        .many()
        .await
        .unwrap_err();
    assert_eq!(
        nullable.to_string(),
        "D1_ERROR: keyset pagination on p_posts.editor: the column is nullable, and NULL keys would be skipped"
    );
    let ordered = db
        .p_posts()
        .order_by(|p| p.topic.asc())
        .keyset(|p| p.id)
        .after(None)
        .many()
        .await
        .unwrap_err();
    assert_eq!(
        ordered.to_string(),
        "D1_ERROR: keyset pagination on p_posts.id: the chain is already ordered; a keyset orders by its keys alone"
    );
    assert!(db.backend().take().is_empty());
}

#[tokio::test]
async fn a_page_and_its_total_are_one_batch_of_two_statements() {
    let db = seeded().await;
    let chain = db
        .p_posts()
        .where_(|p| p.topic.eq("d1"))
        .order_by(|p| p.id.asc())
        .limit(1);
    let page: Page<PPost> = chain.page(2, 3).await.unwrap();
    assert_eq!(db.backend().take_round_trips(), 1);
    let sent = db.backend().take();
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent[0]
            .sql
            .ends_with(r#"WHERE "topic" = ? ORDER BY "id" ASC LIMIT 3 OFFSET 3"#),
        "{}",
        &*sent[0].sql
    );
    assert_eq!(
        &*sent[1].sql,
        r#"SELECT count(*) FROM "p_posts" WHERE "topic" = ?"#
    );
    assert_eq!(ids(&page.rows), [5, 7, 8]);
    assert_eq!((page.total, page.number, page.size), (7, 2, 3));
    assert_eq!(page.pages(), 3);
    assert!(page.has_next());

    // Past the last page: no rows, the total still there.
    let past = chain.page(4, 3).await.unwrap();
    assert!(past.rows.is_empty());
    assert_eq!((past.total, past.pages(), past.has_next()), (7, 3, false));

    // Projections and grouped chains page too (a grouped total counts groups).
    let slugs = db
        .p_posts()
        .order_by(|p| p.id.desc())
        .select(|p| p.slug)
        .page(1, 2)
        .await
        .unwrap();
    assert_eq!(slugs.rows, ["post-10", "post-09"]);
    assert_eq!(slugs.total, 10);
    let days = db
        .p_posts()
        .group_by(|p| p.created)
        .order_by(|p| p.created.asc())
        .select(|p| (p.created, d1orm::table::count()))
        .page(2, 2)
        .await
        .unwrap();
    assert_eq!(
        days.rows,
        [("2026-11-13".to_owned(), 2), ("2026-11-14".to_owned(), 2)]
    );
    assert_eq!(days.total, 5);

    // It joins a batch like any chain: still two statements.
    let (page, n) = db
        .batch((chain.page(1, 2), db.p_posts().count()))
        .await
        .unwrap();
    assert_eq!((ids(&page.rows), page.total, n), (vec![1, 2], 7, 10));
}

#[tokio::test]
async fn a_page_of_number_or_size_zero_is_an_error_before_sending() {
    let db = seeded().await;
    let zero = db.p_posts().page(0, 10).await.unwrap_err();
    assert_eq!(
        zero.to_string(),
        "D1_ERROR: page 0 of size 10 of p_posts: pages are numbered from 1"
    );
    let empty = db.p_posts().page(1, 0).await.unwrap_err();
    assert_eq!(
        empty.to_string(),
        "D1_ERROR: page 1 of size 0 of p_posts: a page holds at least one row"
    );
    let far = db.p_posts().page(u64::MAX, 2).await.unwrap_err();
    assert!(far.to_string().contains("past 2^64"), "{far}");
    assert!(db.backend().take().is_empty());
}
