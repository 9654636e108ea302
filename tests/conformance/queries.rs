//! The typed chains real apps write beyond plain filters (issue 17): text matched as it
//! is, filters chosen at run time, aggregates. Run like `chains`: on the reference
//! backend, on real local D1, and inside workerd on both Worker backends; all must agree.

use d1orm::table::{Condition, create_table_sql};
use d1orm::{Backend, Database, Table};
use serde::Serialize;
use serde_json::{Value as J, json};

use crate::chains::obs;

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Note {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub org: i64,
    pub author: String,
    pub body: String,
    pub tag: Option<String>,
    pub stars: i64,
    pub score: f64,
}

/// org, author, body, tag, stars, score
type NoteRow = (
    i64,
    &'static str,
    &'static str,
    Option<&'static str>,
    i64,
    f64,
);

const NOTES: [NoteRow; 8] = [
    (1, "ada", "100% sure", Some("rust"), 3, 1.5),
    (1, "ada", "snake_case names", Some("style"), 5, 2.0),
    (1, "bob", "plain text", None, 0, 0.5),
    (2, "bob", "Under_score and %", Some("rust"), 7, 3.25),
    (2, "cy", "a_b", Some("style"), 1, 1.0),
    (2, "cy", "naïve café ✓", None, 2, 2.5),
    (3, "ada", "UPPER case", Some("rust"), 4, 0.25),
    (3, "dee", "", None, 0, 0.0),
];

async fn seed<B: Backend>(db: &Database<B>) -> J {
    let created = db.exec(&create_table_sql::<Note>()).await.map(|r| r.count);
    let rows = NOTES.iter().map(|&(org, author, body, tag, stars, score)| {
        let mut n = NewNote::builder()
            .org(org)
            .author(author.to_owned())
            .body(body.to_owned())
            .stars(stars)
            .score(score)
            .build();
        n.tag = tag.map(str::to_owned);
        n
    });
    let inserted = db.notes().insert_many(rows).await.map(|w| w.changes());
    json!({ "create": obs(created), "insert": obs(inserted) })
}

/// The ids of a chain's rows, in order.
macro_rules! ids {
    ($q:expr) => {
        obs($q
            .order_by(|n| n.id.asc())
            .select(|n| n.id)
            .many()
            .await
            .map(|r| r.rows))
    };
}

/// contains / starts_with / ends_with match the text as it is (`_`, `%`, case, any
/// length); `like` keeps its patterns and refuses one over 50 bytes before sending.
pub async fn text_matching<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed(db).await;
    let q = db.notes();
    let long = "x".repeat(60);
    json!([
        seeded,
        ids!(q.where_(|n| n.body.contains("_"))),
        ids!(q.where_(|n| n.body.contains("%"))),
        ids!(q.where_(|n| n.body.contains("case"))),
        ids!(q.where_(|n| n.body.contains(""))),
        ids!(q.where_(|n| n.body.contains("café ✓"))),
        ids!(q.where_(|n| n.body.contains(&long))),
        ids!(q.where_(|n| n.body.starts_with("a_"))),
        ids!(q.where_(|n| n.body.starts_with("100%"))),
        ids!(q.where_(|n| n.body.starts_with(""))),
        ids!(q.where_(|n| n.body.ends_with("%"))),
        ids!(q.where_(|n| n.body.ends_with("é ✓"))),
        ids!(q.where_(|n| n.body.ends_with("xa_b"))),
        ids!(q.where_(|n| n.tag.contains("us"))),
        ids!(q.where_(|n| n.tag.starts_with("st").not())),
        // LIKE: `_` is any one character, ASCII case is ignored.
        ids!(q.where_(|n| n.body.like("a_b"))),
        ids!(q.where_(|n| n.body.like("%CASE%"))),
        ids!(q.where_(|n| n.body.like(&long))),
    ])
}

/// Optional filters composed at run time: `where_opt` with `Condition::all`/`any`.
pub async fn dynamic_filters<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed(db).await;
    struct Search {
        org: Option<i64>,
        author: Option<&'static str>,
        text: Option<&'static str>,
        tags: Vec<&'static str>,
        min_stars: Option<i64>,
    }
    let searches = [
        Search {
            org: None,
            author: None,
            text: None,
            tags: vec![],
            min_stars: None,
        },
        Search {
            org: Some(1),
            author: None,
            text: None,
            tags: vec![],
            min_stars: None,
        },
        Search {
            org: None,
            author: Some("ada"),
            text: Some("case"),
            tags: vec![],
            min_stars: None,
        },
        Search {
            org: None,
            author: None,
            text: None,
            tags: vec!["rust", "style"],
            min_stars: Some(3),
        },
        Search {
            org: Some(2),
            author: Some("cy"),
            text: Some("_"),
            tags: vec!["style"],
            min_stars: Some(1),
        },
    ];
    let mut out = vec![seeded];
    for s in &searches {
        let q = db
            .notes()
            .where_opt(|n| s.org.map(|o| n.org.eq(o)))
            .where_opt(|n| {
                let mut all = Vec::new();
                if let Some(a) = s.author {
                    all.push(n.author.eq(a));
                }
                if let Some(t) = s.text {
                    all.push(n.body.contains(t));
                }
                if let Some(m) = s.min_stars {
                    all.push(n.stars.gte(m));
                }
                Condition::all(all)
            })
            .where_opt(|n| Condition::any(s.tags.iter().map(|t| n.tag.eq(*t))));
        out.push(ids!(q));
    }
    // An unfiltered chain stays unfiltered to update/delete whatever where_opt got; a
    // where_ on top filters; the count sees the rows.
    let updated = db
        .notes()
        .where_opt(|n| Some(n.org.eq(3)))
        .where_(|n| n.stars.gt(0))
        .update(|n| n.stars.add(10))
        .await
        .map(|w| w.changes());
    out.push(obs(updated));
    out.push(obs(db.notes().where_(|n| n.stars.gt(10)).count().await));
    J::Array(out)
}

/// Aggregates, typed by their column: whole-table, grouped, `having`, ordered by an
/// aggregate, a count of groups, into a `FromRow`-like tuple; NULL sums when no row has
/// a value.
pub async fn aggregates<B: Backend>(db: &Database<B>) -> J {
    use d1orm::table::count;
    let seeded = seed(db).await;
    let totals = db
        .notes()
        .select(|n| {
            (
                count(),
                n.stars.sum(),
                n.score.avg(),
                n.stars.min(),
                n.body.max(),
                n.tag.count(),
                n.tag.count_distinct(),
            )
        })
        .one()
        .await;
    let per_org = db
        .notes()
        .group_by(|n| n.org)
        .order_by(|n| n.org.asc())
        .select(|n| {
            (
                n.org,
                count(),
                n.stars.sum(),
                n.score.avg(),
                n.author.group_concat("; "),
            )
        })
        .many()
        .await
        .map(|r| r.rows);
    let busy = db
        .notes()
        .where_(|n| n.stars.gt(0))
        .group_by(|n| (n.org, n.author))
        .having(|n| count().gt(1).or(n.stars.sum().gte(7)))
        .having(|n| n.score.max().gt(1.0))
        .order_by(|n| (n.stars.sum().desc(), n.author.asc()))
        .select(|n| (n.org, n.author, n.stars.sum()))
        .many()
        .await
        .map(|r| r.rows);
    let groups = db.notes().group_by(|n| n.tag).count().await;
    let none = db
        .notes()
        .where_(|n| n.org.eq(99))
        .select(|n| (count(), n.stars.sum(), n.score.sum(), n.tag.min()))
        .one()
        .await;
    let tags = db
        .notes()
        .where_(|n| n.tag.is_not_null())
        .group_by(|n| n.tag)
        .order_by(|_| count().desc())
        .select(|n| (n.tag, count()))
        .first()
        .await;
    json!([
        seeded,
        obs(totals),
        obs(per_org),
        obs(busy),
        obs(groups),
        obs(none),
        obs(tags),
    ])
}

#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, Table)]
pub struct Post {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub title: String,
    #[d1orm(json)]
    pub tags: Vec<String>,
    #[d1orm(json)]
    pub scores: Option<Vec<i64>>,
    #[d1orm(json)]
    pub meta: std::collections::BTreeMap<String, i64>,
    pub edited_at: Option<String>,
}

async fn seed_posts<B: Backend>(db: &Database<B>) -> J {
    let created = db.exec(&create_table_sql::<Post>()).await.map(|r| r.count);
    let meta = |pairs: &[(&str, i64)]| pairs.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
    let rows = vec![
        NewPost::builder()
            .title("rust tips")
            .tags(vec!["rust".into(), "tips".into()])
            .meta(meta(&[("views", 10)]))
            .build(),
        NewPost::builder()
            .title("d1 notes")
            .tags(vec!["d1".into(), "sqlite".into(), "rust".into()])
            .meta(meta(&[]))
            .build(),
        NewPost::builder()
            .title("empty")
            .tags(vec![])
            .meta(meta(&[("views", 0), ("likes", 2)]))
            .build(),
        NewPost::builder()
            .title("under_score")
            .tags(vec!["a_b".into(), "%".into()])
            .meta(meta(&[("likes", 5)]))
            .build(),
    ];
    let mut rows = rows;
    rows[0].scores = Some(vec![90, 70]);
    rows[1].scores = Some(vec![50]);
    rows[3].scores = Some(vec![]);
    let inserted = db.posts().insert_many(rows).await.map(|w| w.changes());
    json!({ "create": obs(created), "insert": obs(inserted) })
}

/// JSON arrays and objects typed by the column's Rust type: contains, any, length,
/// has_key, keys.
pub async fn json_collections<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed_posts(db).await;
    let q = db.posts();
    json!([
        seeded,
        ids!(q.where_(|p| p.tags.contains("rust"))),
        ids!(q.where_(|p| p.tags.contains("%"))),
        ids!(q.where_(|p| p.tags.any(|t| t.starts_with("sq")))),
        ids!(q.where_(|p| p.tags.any(|t| t.contains("_")))),
        ids!(q.where_(|p| p.scores.any(|s| s.gte(70)))),
        ids!(q.where_(|p| p.scores.contains(50))),
        ids!(q.where_(|p| p.tags.length().gt(1))),
        ids!(q.where_(|p| p.scores.length().eq(0))),
        ids!(q.where_(|p| p.meta.has_key("likes"))),
        obs(q
            .order_by(|p| (p.tags.length().desc(), p.id.asc()))
            .select(|p| (p.id, p.tags.length(), p.scores.length(), p.meta.keys()))
            .many()
            .await
            .map(|r| r.rows)),
    ])
}

/// Typed SQL fragments inside chains: in a filter, an assignment, a projection and an
/// order, with columns and values as arguments; a wrong number of arguments is an
/// error before anything is sent. (Numbers bound into text expressions are avoided:
/// local D1 binds every number as REAL, `bind/typeof_bound_numbers`.)
pub async fn sql_fragments<B: Backend>(db: &Database<B>) -> J {
    use d1orm::table::sql;
    let seeded = seed_posts(db).await;
    let q = db.posts();
    let long = ids!(q.where_(|p| {
        sql::<bool>("length({}) > {}")
            .arg(p.title)
            .value(8i64)
            .is_true()
    }));
    let typed = ids!(q.where_(|p| sql::<i64>("length({})").arg(p.title).gte(9)));
    let edited = db
        .posts()
        .where_(|p| p.id.eq(2))
        .update(|p| {
            p.edited_at
                .set(sql("'2026-01-0' || {}").value("2".to_owned()))
        })
        .await
        .map(|w| w.changes());
    let projected = q
        .order_by(|p| {
            sql::<i64>("length({}) * {}")
                .arg(p.title)
                .value(-1i64)
                .asc()
        })
        .select(|p| {
            (
                p.id,
                sql::<i64>("length({})").arg(p.title),
                sql::<String>("upper({}) || {}")
                    .arg(p.title)
                    .value("'!".to_owned()),
                p.edited_at,
            )
        })
        .many()
        .await
        .map(|r| r.rows);
    let wrong = q
        .where_(|p| sql::<i64>("length({})").on().eq(1).and(p.id.gt(0)))
        .count()
        .await;
    json!([seeded, long, typed, obs(edited), obs(projected), obs(wrong)])
}

/// `eq(None)` and `ne(None)` on an `Option` column mean IS NULL and IS NOT NULL (SQL's
/// `= NULL` matches nothing); with a value, SQL's comparison as usual.
pub async fn null_comparisons<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed(db).await;
    let q = db.notes();
    let none: Option<&str> = None;
    json!([
        seeded,
        ids!(q.where_(|n| n.tag.eq(None))),
        ids!(q.where_(|n| n.tag.ne(None))),
        ids!(q.where_(|n| n.tag.eq(none.map(str::to_owned)))),
        ids!(q.where_(|n| n.tag.eq(Some("rust".to_owned())))),
        ids!(q.where_(|n| n.tag.eq("style"))),
        ids!(q.where_(|n| n.tag.ne("rust"))),
        ids!(q.where_(|n| n.tag.is_null())),
        obs(db
            .notes()
            .where_(|n| n.tag.eq(None))
            .update(|n| n.tag.set("untagged"))
            .await
            .map(|w| w.changes())),
        ids!(q.where_(|n| n.tag.eq(None))),
    ])
}
