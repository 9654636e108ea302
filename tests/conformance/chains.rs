//! The typed table chains, run on the reference backend and on real local D1 (through
//! `LocalD1Backend`): reads, every write with `returning`, JSON paths, and a multi-row
//! insert past 100 parameters. Each chain scenario records what the chains returned
//! (rows, counts, `changes`, errors' text) and both backends must agree.

use d1orm::table::create_table_sql;
use d1orm::{Backend, Database, Table};
use serde::{Deserialize, Serialize};
use serde_json::{Value as J, json};

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, d1orm::Json)]
pub struct Plan {
    pub name: String,
    pub seats: i64,
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Table)]
pub struct Account {
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    #[d1orm(unique)]
    pub email: String,
    #[d1orm(default = "'free'")]
    pub tier: String,
    #[d1orm(default = 0)]
    pub logins: i64,
    pub nickname: Option<String>,
    #[d1orm(json)]
    pub plan: Plan,
    pub active: bool,
    pub balance: f64,
}

/// What a chain gave: its value, or its error's text.
pub fn obs<T: Serialize>(r: d1orm::Result<T>) -> J {
    match r {
        Ok(v) => json!({ "ok": v }),
        Err(e) => json!({ "error": e.to_string() }),
    }
}

/// What a write gave: its rows and the changes of every statement.
pub fn write_obs<R: Serialize>(r: d1orm::Result<d1orm::table::WriteResult<R>>) -> J {
    obs(r.map(|w| {
        json!({
            "rows": w.rows,
            "changes": w.metas.iter().map(|m| m.changes).collect::<Vec<_>>(),
        })
    }))
}

pub fn new_account(i: i64) -> NewAccount {
    NewAccount {
        tier: (i % 2 == 0).then(|| "pro".to_owned()),
        nickname: (i % 3 == 0).then(|| format!("nick{i}")),
        ..NewAccount::builder()
            .email(format!("a{i}@x.dev"))
            .plan(Plan {
                name: if i % 2 == 0 { "pro" } else { "free" }.into(),
                seats: i * 3 % 7,
                tags: vec![format!("t{}", i % 3)],
            })
            .active(i % 4 != 0)
            .balance(i as f64 * 1.5)
            .build()
    }
}

pub async fn setup<B: Backend>(db: &Database<B>, rows: i64) -> J {
    let created = db
        .exec(&create_table_sql::<Account>())
        .await
        .map(|r| r.count);
    let inserted = db.accounts().insert_many((1..=rows).map(new_account)).await;
    json!({ "create": obs(created), "insert": write_obs(inserted) })
}

#[derive(Debug, Serialize, d1orm::FromRow)]
#[d1orm(table = Account)]
pub struct AccountSummary {
    pub id: i64,
    pub email: String,
    pub plan: Plan,
}

pub async fn reads<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 8).await;
    let q = db.accounts();
    json!([
        s,
        obs(q.order_by(|a| a.id.asc()).many().await.map(|r| r.rows)),
        obs(q.where_(|a| a.tier.eq("pro")).count().await),
        obs(q
            .where_(|a| a
                .id
                .gt(2)
                .and(a.id.lte(6))
                .and(a.tier.ne("pro").or(a.nickname.is_not_null())))
            .select(|a| a.id)
            .order_by(|a| a.id.asc())
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .where_(|a| a.id.between(2, 5).not())
            .select(|a| a.id)
            .order_by(|a| a.id.desc())
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .where_(|a| a.email.like("a1%"))
            .select(|a| a.email)
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .where_(|a| a.id.in_([1, 3, 5]))
            .select(|a| a.id)
            .order_by(|a| a.id.asc())
            .many()
            .await
            .map(|r| r.rows)),
        obs(q.where_(|a| a.id.not_in([1, 3, 5])).count().await),
        obs(q.where_(|a| a.id.in_(Vec::<i64>::new())).count().await),
        obs(q
            .where_(|a| a.id.in_((4..1004).collect::<Vec<i64>>()))
            .count()
            .await),
        obs(q.where_(|a| a.nickname.is_null()).count().await),
        obs(q
            .order_by(|a| (a.nickname.desc().nulls_last(), a.id.asc()))
            .select(|a| (a.id, a.nickname))
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .order_by(|a| a.id.asc())
            .limit(3)
            .offset(2)
            .select(|a| (a.id, a.email, a.balance, a.active))
            .many()
            .await
            .map(|r| r.rows)),
        obs(q.where_(|a| a.email.eq("a3@x.dev")).exists().await),
        obs(q.where_(|a| a.email.eq("nobody")).exists().await),
        obs(q.order_by(|a| a.tier.asc()).distinct(|a| a.tier).await),
        obs(q.where_(|a| a.id.eq(4)).one().await),
        obs(q.where_(|a| a.id.eq(99)).one().await),
        obs(q.where_(|a| a.tier.eq("pro")).one().await),
        obs(q.order_by(|a| a.balance.desc()).first().await),
        obs(q.where_(|a| a.balance.gte(4.5)).count().await),
        obs(q
            .where_(|a| a.id.lte(3))
            .order_by(|a| a.id.asc())
            .select_as::<AccountSummary>()
            .many()
            .await
            .map(|r| r.rows)),
    ])
}

pub async fn writes_with_returning<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 4).await;
    let q = db.accounts();
    json!([
        s,
        write_obs(q.returning_all().insert(new_account(10)).await),
        write_obs(
            q.returning(|a| (a.id, a.tier, a.logins))
                .insert(new_account(11))
                .await
        ),
        write_obs(q.insert(new_account(12)).await),
        write_obs(
            q.where_(|a| a.tier.eq("pro"))
                .returning(|a| (a.id, a.logins, a.tier))
                .update(|a| (a.logins.add(2), a.tier.set("team")))
                .await
        ),
        write_obs(
            q.where_(|a| a.id.eq(1))
                .returning_all()
                .update(|a| a.balance.sub(0.5))
                .await
        ),
        write_obs(
            q.where_(|a| a.active.eq(false))
                .returning(|a| a.email)
                .delete()
                .await
        ),
        write_obs(q.all_rows().update(|a| a.logins.set(7)).await),
        write_obs(q.insert(new_account(1)).await),
        write_obs(
            q.where_(|a| a.id.eq(2))
                .update(|a| a.email.set("a3@x.dev"))
                .await
        ),
        obs(q.order_by(|a| a.id.asc()).many().await.map(|r| r.rows)),
    ])
}

pub async fn json_paths<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 6).await;
    let q = db.accounts();
    json!([
        s,
        obs(q
            .where_(|a| a.plan.path().name.eq("pro"))
            .select(|a| a.id)
            .order_by(|a| a.id.asc())
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .where_(|a| a.plan.path().seats.gte(3))
            .select(|a| (a.id, a.plan.path().seats))
            .order_by(|a| a.id.asc())
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .where_(|a| a.plan.path().tags.at(0).eq("t2"))
            .select(|a| a.id)
            .order_by(|a| a.id.asc())
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .order_by(|a| (a.plan.path().seats.desc(), a.id.asc()))
            .select(|a| (a.id, a.plan.path().name, a.plan.path().tags))
            .many()
            .await
            .map(|r| r.rows)),
        obs(q
            .where_(|a| a.plan.at_unchecked("missing").is_null())
            .count()
            .await),
        write_obs(
            q.where_(|a| a.id.eq(1))
                .returning(|a| a.plan)
                .update(|a| (
                    a.plan.path().name.set("team"),
                    a.plan.path().seats.set(10),
                    a.plan.path().tags.at(1).set("new")
                ))
                .await
        ),
        obs(q
            .where_(|a| a.plan.eq(&Plan {
                name: "team".into(),
                seats: 10,
                tags: vec!["t1".into(), "new".into()]
            }))
            .select(|a| a.id)
            .many()
            .await
            .map(|r| r.rows)),
        write_obs(
            q.where_(|a| a.id.eq(2))
                .returning(|a| a.plan)
                .update(|a| a.plan.set(&Plan::default()))
                .await
        ),
    ])
}

pub async fn multi_row_insert_past_100_parameters<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 0).await;
    let q = db.accounts();
    // Rows giving the same 5 columns share statements of 20 rows (100 parameters), so
    // 250 rows take 13 statements, run as one batch.
    let uniform = |i: i64| NewAccount {
        logins: Some(i),
        ..NewAccount::builder()
            .email(format!("a{i}@x.dev"))
            .plan(Plan::default())
            .active(true)
            .balance(0.25)
            .build()
    };
    let big = q
        .returning(|a| a.id)
        .insert_many((1..=250).map(uniform))
        .await;
    let ids = big
        .as_ref()
        .map(|w| {
            (
                w.rows.len(),
                w.rows.first().copied(),
                w.rows.last().copied(),
                w.metas.len(),
            )
        })
        .ok();
    let count = q.count().await;
    // A duplicate in the last row fails the whole batch: no row of it is kept.
    let failing = q
        .insert_many((251..=400).map(uniform).chain([uniform(3)]))
        .await;
    let after = q.count().await;
    json!([s, ids, obs(count), write_obs::<()>(failing), obs(after)])
}
