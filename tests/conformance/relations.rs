//! Relations loaded with their parents (issue 17, item 1): belongs-to on a NOT NULL and
//! a nullable key, has-many filtered, ordered, limited and offset, has-one, nested
//! includes, a related table wider than 16 columns (where `json_object` would pass D1's
//! 32 function arguments), BLOBs and exact floats through the JSON, and a bad stored
//! value. Run like `chains`: on the reference backend, on real local D1, and inside
//! workerd on both Worker backends; all must agree.

use d1orm::table::create_table_sql;
use d1orm::{Backend, Database, Table};
use serde::Serialize;
use serde_json::{Value as J, json};

use crate::chains::obs;

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Author {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    pub name: String,
    pub score: f64,
    #[d1orm(references(Author::id), relation = "mentor", inverse = "mentees")]
    pub mentor_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Post {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Author::id), on_delete = "cascade")]
    pub author_id: i64,
    #[d1orm(references(Author::id), inverse = "edited_posts")]
    pub editor_id: Option<i64>,
    pub title: String,
    pub stars: i64,
    pub cover: Option<Vec<u8>>,
}

/// A has-one: the key is UNIQUE.
#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Bio {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(references(Author::id), unique)]
    pub author_id: i64,
    pub text: String,
}

/// 20 columns: as `json_object` it would take 40 arguments.
#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Sheet {
    #[d1orm(primary_key)]
    pub id: i64,
    #[d1orm(references(Author::id))]
    pub owner_id: i64,
    pub a: i64,
    pub b: i64,
    pub c: i64,
    pub d: i64,
    pub e: i64,
    pub f: i64,
    pub g: i64,
    pub h: i64,
    pub i: i64,
    pub j: i64,
    pub k: i64,
    pub l: i64,
    pub m: i64,
    pub n: i64,
    pub o: i64,
    pub p: Option<String>,
    pub q: f64,
    pub r: Option<i64>,
}

async fn seed<B: Backend>(db: &Database<B>) -> J {
    let mut created = Vec::new();
    for sql in [
        create_table_sql::<Author>(),
        create_table_sql::<Post>(),
        create_table_sql::<Bio>(),
        create_table_sql::<Sheet>(),
    ] {
        created.push(obs(db.exec(&sql).await.map(|r| r.count)));
    }
    let authors = [
        ("ada", 0.1 + 0.2, None),
        ("bob \"quoted\" \\ ✓", 1e300, Some(1)),
        ("cy", -2.5e-300, Some(1)),
        ("dee", 9007199254740993.0, Some(2)),
    ];
    let authors = authors.iter().map(|&(name, score, mentor)| {
        let mut a = NewAuthor::builder()
            .name(name.to_owned())
            .score(score)
            .build();
        a.mentor_id = mentor;
        a
    });
    let posts = [
        (1, Some(2), "intro", 3, Some(vec![0u8, 1, 127, 255])),
        (1, None, "second", 5, Some(vec![])),
        (2, Some(1), "reply", 1, None),
        (1, Some(3), "third", 4, None),
        (3, None, "solo", 2, Some(vec![42])),
    ];
    let posts = posts
        .into_iter()
        .map(|(author, editor, title, stars, cover)| {
            let mut p = NewPost::builder()
                .author_id(author)
                .title(title.to_owned())
                .stars(stars)
                .build();
            p.editor_id = editor;
            p.cover = cover;
            p
        });
    let sheet = |id: i64, owner: i64| {
        let mut s = NewSheet::builder()
            .id(id)
            .owner_id(owner)
            .a(id)
            .b(2)
            .c(3)
            .d(4)
            .e(5)
            .f(6)
            .g(7)
            .h(8)
            .i(9)
            .j(10)
            .k(11)
            .l(12)
            .m(13)
            .n(14)
            .o((1 << 53) - 1 - id)
            .q(0.5 * id as f64)
            .build();
        s.p = (id % 2 == 0).then(|| format!("sheet {id}"));
        s
    };
    json!({
        "create": created,
        "authors": obs(db.authors().insert_many(authors).await.map(|w| w.changes())),
        "posts": obs(db.posts().insert_many(posts).await.map(|w| w.changes())),
        "bios": obs(db.bios().insert(NewBio::builder().author_id(2).text("writes".to_owned()).build()).await.map(|w| w.changes())),
        "sheets": obs(db.sheets().insert_many([sheet(1, 1), sheet(2, 1), sheet(3, 3)]).await.map(|w| w.changes())),
    })
}

/// Every shape of relation, loaded with its parents in one statement each.
pub async fn relations<B: Backend>(db: &Database<B>) -> J {
    let seeded = seed(db).await;
    let with_author = db
        .posts()
        .include(|p| p.author())
        .include(|p| p.editor())
        .order_by(|p| p.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let with_posts = db
        .authors()
        .where_(|a| a.id.lte(3))
        .include(|a| {
            a.posts()
                .where_(|p| p.stars.gte(2))
                .order_by(|p| p.stars.desc())
                .limit(2)
                .include(|p| p.editor())
        })
        .include(|a| a.mentees().order_by(|m| m.id.asc()))
        .include(|a| a.bio())
        .include(|a| a.mentor().include(|m| m.mentor()))
        .order_by(|a| a.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let paged = db
        .authors()
        .include(|a| {
            a.posts()
                .where_(|p| p.title.ne("nope"))
                .order_by(|p| p.id.desc())
                .offset(1)
        })
        .include(|a| a.edited_posts().order_by(|p| p.id.asc()))
        .order_by(|a| a.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let wide = db
        .authors()
        .include(|a| a.sheets().order_by(|s| s.id.asc()))
        .order_by(|a| a.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let wide_owner = db
        .sheets()
        .where_(|s| s.id.eq(3))
        .include(|s| s.owner())
        .one()
        .await;
    let first = db
        .posts()
        .where_(|p| p.title.eq("reply"))
        .include(|p| p.author().include(|a| a.posts().order_by(|p| p.id.asc())))
        .first()
        .await;
    // Text stored in an INTEGER column does not decode; the error names it.
    let broken = db
        .exec("UPDATE posts SET stars = 'many' WHERE id = 3")
        .await
        .map(|r| r.count);
    let bad = db
        .authors()
        .include(|a| a.posts())
        .many()
        .await
        .map(|r| r.rows);
    json!([
        seeded,
        obs(with_author),
        obs(with_posts),
        obs(paged),
        obs(wide),
        obs(wide_owner),
        obs(first),
        obs(broken),
        obs(bad),
    ])
}

/// Typed joins over the same tables: inner and left, belongs-to, has-many and a table
/// joined to itself, filters, orders and projections over both tables, a related table
/// of 20 columns, BLOBs and exact floats as plain columns, and a bad stored value.
pub async fn joins<B: Backend>(db: &Database<B>) -> J {
    use d1orm::table::OfLeft;
    let seeded = seed(db).await;
    let whole = db
        .posts()
        .join(|p| p.author())
        .order_by(|(p, _)| p.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let left = db
        .posts()
        .left_join(|p| p.editor())
        .order_by(|(p, _)| p.id.desc())
        .many()
        .await
        .map(|r| r.rows);
    let both = db
        .posts()
        .join(|p| p.author())
        .where_(|(p, a)| (p.stars.gte(2), a.score.lt(1e301)))
        .order_by(|(p, a)| (a.name.desc(), p.stars.asc()))
        .select(|(p, a)| (p.title, a.name, a.score, p.cover))
        .many()
        .await
        .map(|r| r.rows);
    let search = db
        .posts()
        .left_join(|p| p.editor())
        .where_any(|(p, e)| (p.title.contains("o"), e.name.starts_with("bob")))
        .order_by(|(p, _)| p.id.asc())
        .limit(3)
        .offset(1)
        .select(|(p, e)| (p.id, e.name, e.mentor_id))
        .many()
        .await
        .map(|r| r.rows);
    let per_author = db
        .authors()
        .left_join(|a| a.posts())
        .order_by(|(a, p)| (a.id.asc(), p.id.asc()))
        .select(|(a, p)| (a.name, p.title, p.stars))
        .many()
        .await
        .map(|r| r.rows);
    let mentors = db
        .authors()
        .left_join(|a| a.mentor())
        .order_by::<_, OfLeft>(|(a, _)| a.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let sheets = db
        .sheets()
        .join(|s| s.owner())
        .where_(|(s, _)| s.id.gte(2))
        .order_by(|(s, _)| s.id.asc())
        .many()
        .await
        .map(|r| r.rows);
    let first = db
        .posts()
        .join(|p| p.author())
        .where_(|(_, a)| a.name.eq("cy"))
        .first()
        .await;
    let one = db
        .posts()
        .join(|p| p.author())
        .where_(|(_, a)| a.name.eq("ada"))
        .select(|(p, _)| p.id)
        .one()
        .await;
    let count = db
        .posts()
        .left_join(|p| p.editor())
        .where_(|(_, e)| e.id.is_null())
        .count()
        .await;
    // Grouped: keys and aggregates of both tables, a filter on groups, and the number
    // of groups.
    let grouped = db
        .authors()
        .left_join(|a| a.posts())
        .group_by(|(a, _)| (a.id, a.name))
        .having(|(_, p)| p.id.count().lt(10))
        .order_by(|(a, _)| a.id.asc())
        .select(|(a, p)| (a.name, p.id.count(), p.stars.sum(), p.title.max()))
        .many()
        .await
        .map(|r| r.rows);
    let groups = db
        .posts()
        .join(|p| p.author())
        .group_by(|(_, a)| a.id)
        .having(|(p, _)| p.stars.sum().gte(1))
        .count()
        .await;
    let broken = db
        .exec("UPDATE authors SET score = 'high' WHERE id = 2")
        .await
        .map(|r| r.count);
    let bad = db.posts().join(|p| p.author()).many().await.map(|r| r.rows);
    json!([
        seeded,
        obs(whole),
        obs(left),
        obs(both),
        obs(search),
        obs(per_author),
        obs(mentors),
        obs(sheets),
        obs(first),
        obs(one),
        obs(count),
        obs(grouped),
        obs(groups),
        obs(broken),
        obs(bad),
    ])
}
