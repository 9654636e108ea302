//! Upserts and atomic batches of chains, on the reference backend and on real local D1:
//! typed tuple batches, `Vec` batches, the staged callback form, and batches whose k-th
//! statement fails (each kind of failure), which must leave the database as it was and
//! name the failing statement's position.

use d1orm::table::WriteResult;
use d1orm::{Backend, Database, PreparedStatement, Tx};
use serde::Serialize;
use serde_json::{Value as J, json};

use crate::chains::{Account, AccountTable, NewAccount, Plan, new_account, obs, setup, write_obs};

fn writes<R: Serialize>(w: &WriteResult<R>) -> J {
    json!({
        "rows": w.rows,
        "changes": w.metas.iter().map(|m| m.changes).collect::<Vec<_>>(),
    })
}

/// Every account, in id order: what a failed batch must leave untouched.
async fn snapshot<B: Backend>(db: &Database<B>) -> J {
    obs(db
        .accounts()
        .order_by(|a| a.id.asc())
        .select(|a| (a.id, a.email, a.tier, a.logins, a.nickname))
        .many()
        .await
        .map(|r| r.rows))
}

pub async fn upserts<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 3).await;
    let q = db.accounts();
    let incoming = |i: i64, logins: i64| NewAccount {
        tier: Some("team".to_owned()),
        logins: Some(logins),
        nickname: Some(format!("again{i}")),
        ..NewAccount::builder()
            .email(format!("a{i}@x.dev"))
            .plan(Plan {
                name: "team".into(),
                seats: 9,
                tags: vec![],
            })
            .active(true)
            .balance(7.5)
            .build()
    };
    // Existing rows are kept; RETURNING gives only the inserted one.
    let nothing = q
        .returning(|a| a.email)
        .upsert(vec![incoming(1, 5), incoming(10, 5)])
        .on_conflict(|a| a.email)
        .do_nothing()
        .await;
    // Every column the row gives, but the key, replaced; the id stays.
    let all = q
        .returning(|a| (a.id, a.email, a.tier, a.logins, a.nickname, a.plan))
        .upsert(incoming(2, 4))
        .on_conflict(|a| a.email)
        .update_all()
        .await;
    // Chosen assignments: the incoming value, arithmetic with it, a JSON path.
    let chosen = q
        .returning(|a| (a.id, a.nickname, a.logins, a.plan))
        .upsert([incoming(3, 10), incoming(11, 1)])
        .on_conflict(|a| a.email)
        .update(|a, new| {
            (
                a.nickname.set(new.nickname),
                a.logins.add(new.logins),
                a.plan.path().name.set("enterprise"),
            )
        })
        .await;
    // 60 rows of 7 parameters: 14 rows a statement, 5 statements in one batch.
    let many = q
        .upsert((1..=60).map(|i| incoming(i, i)).collect::<Vec<_>>())
        .on_conflict(|a| a.email)
        .update(|a, new| a.logins.add(new.logins))
        .await
        .map(|w| (w.changes(), w.metas.len()));
    let count = q.count().await;
    // The last statement's row takes an existing id under a new email: the primary key
    // fails, and no row of the 5 statements is kept.
    let before = snapshot(db).await;
    let mut rows: Vec<NewAccount> = (61..=120).map(|i| incoming(i, 1)).collect();
    rows.push(NewAccount {
        id: Some(1),
        ..incoming(500, 1)
    });
    let failing = q.upsert(rows).on_conflict(|a| a.email).update_all().await;
    let after = snapshot(db).await;
    json!([
        s,
        write_obs(nothing),
        write_obs(all),
        write_obs(chosen),
        obs(many),
        obs(count),
        write_obs::<()>(failing),
        before == after,
    ])
}

pub async fn typed_batches<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 4).await;
    let q = db.accounts();
    let (inserted, updated, active, count, first, exists, deleted, raw) = match db
        .batch((
            q.returning(|a| a.id).insert(new_account(10)),
            q.where_(|a| a.email.eq("a1@x.dev"))
                .returning(|a| a.logins)
                .update(|a| a.logins.add(3)),
            q.where_(|a| a.active.eq(true))
                .order_by(|a| a.id.asc())
                .select(|a| a.email)
                .many(),
            q.count(),
            q.where_(|a| a.logins.gt(2)).select(|a| a.email).first(),
            q.where_(|a| a.email.eq("a10@x.dev")).exists(),
            q.where_(|a| a.id.eq(2)).returning(|a| a.email).delete(),
            db.prepare("SELECT count(*) AS n FROM accounts"),
        ))
        .await
    {
        Ok(results) => results,
        Err(e) => return json!({ "error": e.to_string() }),
    };
    let tuple = json!({
        "inserted": writes(&inserted),
        "updated": writes(&updated),
        "active": active.rows,
        "active_rows_read": active.meta.rows_read,
        "count": count,
        "first": first,
        "exists": exists,
        "deleted": writes(&deleted),
        "raw": raw.results,
    });
    let bumps: Vec<_> = (1..=3)
        .map(|i| {
            q.where_(|a| a.id.eq(i))
                .returning(|a| (a.id, a.logins))
                .update(|a| a.logins.add(10))
        })
        .collect();
    let vec = db
        .batch(bumps)
        .await
        .map(|all| all.iter().map(writes).collect::<Vec<_>>());
    let staged = db
        .batch(|tx: &Tx| {
            tx.accounts().returning(|a| a.email).insert(new_account(20));
            tx.accounts()
                .where_(|a| a.email.eq("a20@x.dev"))
                .update(|a| a.tier.set("team"));
            tx.table::<Account>()
                .where_(|a| a.id.eq(3))
                .returning(|a| (a.id, a.tier))
                .delete();
        })
        .await
        .map(|r| {
            json!({
                "success": r.success,
                "results": r.results.iter().map(writes).collect::<Vec<_>>(),
            })
        });
    let with_meta = q
        .count()
        .with_meta()
        .await
        .map(|(n, meta)| (n, meta.changes));
    json!([
        s,
        tuple,
        obs(vec),
        obs(staged),
        obs(with_meta),
        snapshot(db).await
    ])
}

/// Each kind of failure at a known position: the batch's error names it, and the
/// database is as it was.
pub async fn failing_batches<B: Backend>(db: &Database<B>) -> J {
    let s = setup(db, 3).await;
    let limits = db
        .exec("CREATE TABLE limits (n INTEGER CHECK (n < 10))")
        .await
        .map(|r| r.count);
    let q = db.accounts();
    let mut out = vec![s, obs(limits)];
    let before = snapshot(db).await;
    let mut record = |name: &str, r: d1orm::Result<J>, after: J| {
        out.push(json!({
            "case": name,
            "result": obs(r),
            "unchanged": after == before,
        }));
    };

    let unique = db
        .batch((
            q.insert(new_account(50)),
            q.where_(|a| a.id.eq(1)).update(|a| a.logins.add(1)),
            q.insert(new_account(2)),
            q.where_(|a| a.id.eq(2)).delete(),
        ))
        .await
        .map(|_| J::Null);
    record("unique", unique, snapshot(db).await);

    let check = db
        .batch((
            q.insert(new_account(51)),
            db.prepare("INSERT INTO limits VALUES (?)").bind(50),
        ))
        .await
        .map(|_| J::Null);
    record("check", check, snapshot(db).await);

    let forbidden = db
        .batch((
            q.where_(|a| a.id.eq(1)).update(|a| a.tier.set("x")),
            q.insert(new_account(52)),
            db.prepare("PRAGMA writable_schema = ON"),
        ))
        .await
        .map(|_| J::Null);
    record("forbidden", forbidden, snapshot(db).await);

    let bind = db
        .batch((
            q.insert(new_account(53)),
            db.prepare("SELECT ?").bind(u64::MAX),
        ))
        .await
        .map(|_| J::Null);
    record("bind", bind, snapshot(db).await);

    // 101 conditions make 101 parameters: refused before anything runs.
    let wide_filter = db
        .batch((
            q.insert(new_account(54)),
            q.where_(|a| (0..101).fold(a.id.eq(-1), |c, i| c.or(a.logins.eq(i))))
                .update(|a| a.tier.set("x")),
        ))
        .await
        .map(|_| J::Null);
    record("over_the_parameter_budget", wide_filter, snapshot(db).await);

    // SQL over 100,000 bytes, sent as is: the database refuses it.
    let long_sql = format!("SELECT 1 /* {} */", "x".repeat(100_050));
    let too_long = db
        .batch((
            q.insert(new_account(55)),
            q.insert(new_account(56)),
            db.prepare(long_sql),
        ))
        .await
        .map(|_| J::Null);
    record("sql_too_long", too_long, snapshot(db).await);

    let staged = db
        .batch(|tx: &Tx| {
            tx.accounts().insert(new_account(57));
            tx.accounts().insert(new_account(58));
            tx.accounts()
                .where_(|a| a.id.eq(1))
                .update(|a| a.email.set("a2@x.dev"));
        })
        .await
        .map(|_| J::Null);
    record("staged_unique", staged, snapshot(db).await);

    let empty_tx = db.batch(|_: &Tx| {}).await.map(|_| J::Null);
    record("empty_callback", empty_tx, snapshot(db).await);
    let empty_vec = db
        .batch(Vec::<PreparedStatement<'_, B>>::new())
        .await
        .map(|_| J::Null);
    record("empty_vec", empty_vec, snapshot(db).await);
    J::Array(out)
}
