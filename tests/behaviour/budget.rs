//! D1's bind budget: no statement the ORM generates has more than 100 parameters or
//! 100,000 bytes of SQL, whatever the width of the table or the length of a list. A
//! recording backend checks every statement as it reaches the database.

use d1orm::table::create_table_sql;
use d1orm::{Database, MAX_SQL_BYTES, Statement, Table};
use d1orm_sqlite::SqliteBackend;

use crate::Recording;

/// A table of 100 integer columns.
#[derive(Debug, Clone, PartialEq, Table)]
#[d1orm(table = "wide")]
pub struct Wide {
    #[d1orm(primary_key)]
    pub c0: i64,
    pub c1: i64,
    pub c2: i64,
    pub c3: i64,
    pub c4: i64,
    pub c5: i64,
    pub c6: i64,
    pub c7: i64,
    pub c8: i64,
    pub c9: i64,
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
    pub c38: i64,
    pub c39: i64,
    pub c40: i64,
    pub c41: i64,
    pub c42: i64,
    pub c43: i64,
    pub c44: i64,
    pub c45: i64,
    pub c46: i64,
    pub c47: i64,
    pub c48: i64,
    pub c49: i64,
    pub c50: i64,
    pub c51: i64,
    pub c52: i64,
    pub c53: i64,
    pub c54: i64,
    pub c55: i64,
    pub c56: i64,
    pub c57: i64,
    pub c58: i64,
    pub c59: i64,
    pub c60: i64,
    pub c61: i64,
    pub c62: i64,
    pub c63: i64,
    pub c64: i64,
    pub c65: i64,
    pub c66: i64,
    pub c67: i64,
    pub c68: i64,
    pub c69: i64,
    pub c70: i64,
    pub c71: i64,
    pub c72: i64,
    pub c73: i64,
    pub c74: i64,
    pub c75: i64,
    pub c76: i64,
    pub c77: i64,
    pub c78: i64,
    pub c79: i64,
    pub c80: i64,
    pub c81: i64,
    pub c82: i64,
    pub c83: i64,
    pub c84: i64,
    pub c85: i64,
    pub c86: i64,
    pub c87: i64,
    pub c88: i64,
    pub c89: i64,
    pub c90: i64,
    pub c91: i64,
    pub c92: i64,
    pub c93: i64,
    pub c94: i64,
    pub c95: i64,
    pub c96: i64,
    pub c97: i64,
    pub c98: i64,
    pub c99: i64,
}

fn wide_row(key: i64) -> NewWide {
    let mut row = NewWide::builder()
        .c0(key)
        .c1(1)
        .c2(2)
        .c3(3)
        .c4(4)
        .c5(5)
        .c6(6)
        .c7(7)
        .c8(8)
        .c9(9)
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
        .c38(38)
        .c39(39)
        .c40(40)
        .c41(41)
        .c42(42)
        .c43(43)
        .c44(44)
        .c45(45)
        .c46(46)
        .c47(47)
        .c48(48)
        .c49(49)
        .c50(50)
        .c51(51)
        .c52(52)
        .c53(53)
        .c54(54)
        .c55(55)
        .c56(56)
        .c57(57)
        .c58(58)
        .c59(59)
        .c60(60)
        .c61(61)
        .c62(62)
        .c63(63)
        .c64(64)
        .c65(65)
        .c66(66)
        .c67(67)
        .c68(68)
        .c69(69)
        .c70(70)
        .c71(71)
        .c72(72)
        .c73(73)
        .c74(74)
        .c75(75)
        .c76(76)
        .c77(77)
        .c78(78)
        .c79(79)
        .c80(80)
        .c81(81)
        .c82(82)
        .c83(83)
        .c84(84)
        .c85(85)
        .c86(86)
        .c87(87)
        .c88(88)
        .c89(89)
        .c90(90)
        .c91(91)
        .c92(92)
        .c93(93)
        .c94(94)
        .c95(95)
        .c96(96)
        .c97(97)
        .c98(98)
        .c99(99)
        .build();
    row.c99 = key * 1000;
    row
}

/// `SET c1 = 0, ..., c99 = 0`: 99 parameters.
fn zero_every_column(r: &WideColumns) -> Vec<d1orm::table::Assignment<Wide>> {
    vec![
        r.c1.set(0),
        r.c2.set(0),
        r.c3.set(0),
        r.c4.set(0),
        r.c5.set(0),
        r.c6.set(0),
        r.c7.set(0),
        r.c8.set(0),
        r.c9.set(0),
        r.c10.set(0),
        r.c11.set(0),
        r.c12.set(0),
        r.c13.set(0),
        r.c14.set(0),
        r.c15.set(0),
        r.c16.set(0),
        r.c17.set(0),
        r.c18.set(0),
        r.c19.set(0),
        r.c20.set(0),
        r.c21.set(0),
        r.c22.set(0),
        r.c23.set(0),
        r.c24.set(0),
        r.c25.set(0),
        r.c26.set(0),
        r.c27.set(0),
        r.c28.set(0),
        r.c29.set(0),
        r.c30.set(0),
        r.c31.set(0),
        r.c32.set(0),
        r.c33.set(0),
        r.c34.set(0),
        r.c35.set(0),
        r.c36.set(0),
        r.c37.set(0),
        r.c38.set(0),
        r.c39.set(0),
        r.c40.set(0),
        r.c41.set(0),
        r.c42.set(0),
        r.c43.set(0),
        r.c44.set(0),
        r.c45.set(0),
        r.c46.set(0),
        r.c47.set(0),
        r.c48.set(0),
        r.c49.set(0),
        r.c50.set(0),
        r.c51.set(0),
        r.c52.set(0),
        r.c53.set(0),
        r.c54.set(0),
        r.c55.set(0),
        r.c56.set(0),
        r.c57.set(0),
        r.c58.set(0),
        r.c59.set(0),
        r.c60.set(0),
        r.c61.set(0),
        r.c62.set(0),
        r.c63.set(0),
        r.c64.set(0),
        r.c65.set(0),
        r.c66.set(0),
        r.c67.set(0),
        r.c68.set(0),
        r.c69.set(0),
        r.c70.set(0),
        r.c71.set(0),
        r.c72.set(0),
        r.c73.set(0),
        r.c74.set(0),
        r.c75.set(0),
        r.c76.set(0),
        r.c77.set(0),
        r.c78.set(0),
        r.c79.set(0),
        r.c80.set(0),
        r.c81.set(0),
        r.c82.set(0),
        r.c83.set(0),
        r.c84.set(0),
        r.c85.set(0),
        r.c86.set(0),
        r.c87.set(0),
        r.c88.set(0),
        r.c89.set(0),
        r.c90.set(0),
        r.c91.set(0),
        r.c92.set(0),
        r.c93.set(0),
        r.c94.set(0),
        r.c95.set(0),
        r.c96.set(0),
        r.c97.set(0),
        r.c98.set(0),
        r.c99.set(0),
    ]
}

async fn recording() -> Database<Recording> {
    let db = Database::new(Recording::new(SqliteBackend::open_in_memory().unwrap()));
    db.exec(&create_table_sql::<Wide>()).await.unwrap();
    db
}

/// Every statement sent is within D1's limits; returns how many there were.
fn assert_within_budget(statements: &[Statement]) -> usize {
    assert!(!statements.is_empty(), "nothing was sent");
    for s in statements {
        assert!(
            s.params.len() <= 100,
            "{} parameters: {}",
            s.params.len(),
            &s.sql[..80]
        );
        assert!(s.sql.len() <= MAX_SQL_BYTES, "{} bytes of SQL", s.sql.len());
    }
    statements.len()
}

#[tokio::test]
async fn wide_rows_insert_and_upsert_one_row_per_statement() {
    let db = recording().await;
    let w = db.wide();
    let inserted = w.insert_many((1..=10).map(wide_row)).await.unwrap();
    assert_eq!(inserted.changes(), 10);
    let sent = db.backend().take();
    assert_eq!(assert_within_budget(&sent), 10);
    assert!(sent.iter().all(|s| s.params.len() == 100));

    let upserted = w
        .returning(|r| (r.c0, r.c99))
        .upsert((5..=14).map(wide_row).collect::<Vec<_>>())
        .on_conflict(|r| r.c0)
        .update_all()
        .await
        .unwrap();
    assert_eq!(upserted.rows.len(), 10);
    assert_eq!(upserted.rows[0], (5, 5000));
    assert_eq!(assert_within_budget(&db.backend().take()), 10);
    assert_eq!(w.count().await.unwrap(), 14);
}

#[tokio::test]
async fn a_10000_id_list_binds_one_parameter_in_every_chain() {
    let db = recording().await;
    let w = db.wide();
    w.insert_many((1..=50).map(wide_row)).await.unwrap();
    db.backend().take();
    let ids: Vec<i64> = (0..10_000).collect();
    let listed = w.where_(|r| r.c0.in_(ids.clone()));
    assert_eq!(listed.many().await.unwrap().len(), 50);
    assert_eq!(listed.count().await.unwrap(), 50);
    assert!(listed.exists().await.unwrap());
    assert_eq!(listed.update(|r| r.c1.add(1)).await.unwrap().changes(), 50);
    let excluded = w.where_(|r| r.c0.not_in(ids.clone()));
    assert_eq!(excluded.count().await.unwrap(), 0);
    assert_eq!(listed.delete().await.unwrap().changes(), 50);
    let sent = db.backend().take();
    assert_eq!(assert_within_budget(&sent), 6);
    assert!(
        sent.iter().all(|s| s.params.len() <= 2),
        "the list is one parameter"
    );
}

#[tokio::test]
async fn an_update_of_every_column_fits_and_one_more_parameter_is_refused_before_running() {
    let db = recording().await;
    let w = db.wide();
    w.insert_many((1..=3).map(wide_row)).await.unwrap();
    db.backend().take();
    // 99 assignments and one filter parameter: exactly 100.
    let all = w
        .where_(|r| r.c0.eq(2))
        .update(zero_every_column)
        .await
        .unwrap();
    assert_eq!(all.changes(), 1);
    assert_eq!(assert_within_budget(&db.backend().take()), 1);
    // One more parameter cannot be split off an UPDATE: a clear error, nothing sent.
    let over = w
        .where_(|r| r.c0.eq(2).or(r.c0.eq(3)))
        .update(zero_every_column)
        .await
        .unwrap_err();
    assert_eq!(
        over.to_string(),
        "D1_ERROR: this statement needs 101 bound parameters; D1 allows at most 100"
    );
    assert!(db.backend().take().is_empty());
    assert_eq!(w.where_(|r| r.c1.eq(0)).count().await.unwrap(), 1);
}
