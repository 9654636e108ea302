//! Scenarios of values: every type JavaScript can bind, integer precision, and NaN and
//! Infinity on the way in and out.
//!
//! Local D1 binds every JavaScript number (and boolean) as REAL, production D1 and the
//! reference backend bind integers as INTEGER (see `bind/typeof_bound_numbers`). Bound
//! integers here go into integer-affinity columns, comparisons or arithmetic whose
//! result cannot show the difference.

use crate::runner::*;

pub fn list(v: &mut Vec<Scenario>) {
    binding(v);
    integers(v);
    non_finite(v);
}

// ---------------------------------------------------------------------------------
// Binding
// ---------------------------------------------------------------------------------

fn binding(v: &mut Vec<Scenario>) {
    v.push(sc(
        "bind/int32_boundaries",
        vec![
            run("CREATE TABLE t (n INTEGER)"),
            run("INSERT INTO t VALUES (?), (?), (?), (?), (?), (?)").bind(p![
                2147483647,
                2147483648i64,
                -2147483648i64,
                -2147483649i64,
                4294967295i64,
                4294967296i64
            ]),
            all(
                "SELECT n, typeof(n) AS t, n + 1 AS plus, n * 2 AS twice, n / 2 AS half, \
                 n % 7 AS m, n >> 1 AS shr FROM t ORDER BY rowid",
            ),
            all("SELECT count(*) AS n FROM t WHERE n > ?").bind(p![2147483647]),
            all("SELECT count(*) AS n FROM t WHERE n BETWEEN ? AND ?")
                .bind(p![-2147483648i64, 2147483647]),
        ],
    ));
    v.push(
        sc(
            "bind/int53_boundaries",
            vec![
                run("CREATE TABLE t (n INTEGER)"),
                run("INSERT INTO t VALUES (?), (?), (?), (?), (?)").bind(p![
                    9007199254740991i64,
                    -9007199254740991i64,
                    9007199254740992i64,
                    4503599627370496i64,
                    4503599627370497i64
                ]),
                all(
                    "SELECT n, typeof(n) AS t, n - 1 AS minus, n % 10 AS last_digit, \
                 CAST(n AS TEXT) AS text FROM t ORDER BY rowid",
                ),
                all("SELECT count(*) AS n FROM t WHERE n = ?").bind(p![9007199254740991i64]),
                all("SELECT max(n) - min(n) AS spread FROM t WHERE n > 0"),
            ],
        )
        .worker_diverges("d1orm refuses to bind an i64 beyond ±(2^53 − 1) before sending (D1_TYPE_ERROR); D1's JavaScript API rounds it to a double"),
    );
    v.push(sc(
        "bind/reals_into_every_affinity",
        vec![
            run("CREATE TABLE t (r REAL, i INTEGER, s TEXT, n NUMERIC, b BLOB)"),
            run("INSERT INTO t VALUES (?, ?, ?, ?, ?)").bind(p![2.5, 2.5, 2.5, 2.5, 2.5]),
            run("INSERT INTO t VALUES (?, ?, ?, ?, ?)").bind(p![3.0, 3.0, 3.0, 3.0, 3.0]),
            run("INSERT INTO t VALUES (?, ?, ?, ?, ?)").bind(p![1e20, 1e20, 1e20, 1e20, 1e20]),
            run("INSERT INTO t VALUES (?, ?, ?, ?, ?)").bind(p![-0.0, -0.0, -0.0, -0.0, -0.0]),
            all(
                "SELECT r, typeof(r) AS tr, i, typeof(i) AS ti, s, typeof(s) AS ts, \
                 n, typeof(n) AS tn, b, typeof(b) AS tb FROM t ORDER BY rowid",
            ),
        ],
    ));
    v.push(sc(
        "bind/real_extremes",
        vec![
            all(
                "SELECT ?1 AS tiny, ?2 AS max, ?3 AS min_normal, ?4 AS neg, ?1 > 0 AS positive, \
             ?2 * 10 AS overflow, printf('%.17g', ?5) AS digits, ?5 = 0.1 AS exact",
            )
            .bind(p![
                5e-324,
                1.7976931348623157e308,
                2.2250738585072014e-308,
                -1e-300,
                0.1
            ]),
        ],
    ));
    v.push(
        sc(
            "bind/float_precision",
            vec![
                all("SELECT ?1 + ?2 AS sum, ?1 + ?2 = ?3 AS eq, ?1 * 3 AS triple, CAST(?1 AS TEXT) AS t, \
                     round(?4, 2) AS r, ?4 AS raw")
                .bind(p![0.1, 0.2, 0.30000000000000004, 2.675]),
                run("CREATE TABLE t (r REAL)"),
                run("INSERT INTO t VALUES (?), (?), (?)").bind(p![0.1, 0.2, 0.3]),
                all("SELECT sum(r) AS s, total(r) AS t, sum(r) = 0.6 AS eq, avg(r) * 3 = sum(r) AS mean FROM t"),
            ],
        ),
    );
    v.push(sc(
        "bind/strings_with_unicode",
        vec![
            run("CREATE TABLE s (t TEXT)"),
            batch(
                [
                    "",
                    "a",
                    "é",
                    "e\u{301}",
                    "日本語",
                    "🦀",
                    "👨\u{200d}👩\u{200d}👧",
                    "\u{202e}rtl",
                    "\u{feff}bom",
                    "a\tb\nc\r\n",
                    "back\\slash \"quote\" 'single'",
                    "\u{7f}\u{1}",
                    "\u{10ffff}",
                    "ÄÖÜ ß",
                ]
                .iter()
                .map(|s| stmt("INSERT INTO s VALUES (?)").bind(p![*s]))
                .collect(),
            ),
            all(
                "SELECT t, length(t) AS chars, octet_length(t) AS bytes, hex(t) AS h, \
                 unicode(t) AS u, upper(t) AS up, lower(t) AS low FROM s ORDER BY rowid",
            ),
            all("SELECT count(*) AS n FROM s WHERE t = ?").bind(p!["👨\u{200d}👩\u{200d}👧"]),
            all("SELECT t FROM s WHERE t LIKE ? ORDER BY rowid").bind(p!["%é%"]),
            all("SELECT ?1 || ?2 AS joined, substr(?1, 2, 1) AS second, instr(?1, ?2) AS pos")
                .bind(p!["a🦀b", "b"]),
        ],
    ));
    v.push(sc(
        "bind/strings_that_look_like_numbers",
        vec![
            run("CREATE TABLE t (i INTEGER, r REAL, n NUMERIC, t TEXT, a)"),
            batch(
                [
                    "12",
                    "12.5",
                    " 12 ",
                    "0x1A",
                    "1e3",
                    "abc",
                    "-0",
                    "9007199254740993",
                ]
                .iter()
                .map(|s| stmt("INSERT INTO t VALUES (?1, ?1, ?1, ?1, ?1)").bind(p![*s]))
                .collect(),
            ),
            all(
                "SELECT typeof(i) AS ti, typeof(r) AS tr, typeof(n) AS tn, typeof(t) AS tt, \
                 typeof(a) AS ta, t FROM t ORDER BY rowid",
            ),
            all("SELECT i, r, n FROM t WHERE rowid <= 3 ORDER BY rowid"),
            all("SELECT ?1 + 1 AS plus, ?1 = 12 AS eq, ?1 > 5 AS gt").bind(p!["12"]),
        ],
    ));
    v.push(sc(
        "bind/blobs_empty_and_large",
        vec![
            all(
                "SELECT ?1 AS b, length(?1) AS n, typeof(?1) AS t, ?1 = x'' AS eq, hex(?1) AS h, \
                 ?1 IS NULL AS is_null, quote(?1) AS q",
            )
            .bind(vec![blob(&[])]),
            all("SELECT length(?1) AS n, hex(substr(?1, 99990)) AS tail, typeof(?1) AS t").bind(
                vec![blob(
                    &(0..100_000).map(|i| (i % 251) as u8).collect::<Vec<_>>(),
                )],
            ),
            run("CREATE TABLE t (s TEXT, i INTEGER, r REAL, b BLOB)"),
            run("INSERT INTO t VALUES (?1, ?1, ?1, ?1)").bind(vec![blob(b"abc")]),
            run("INSERT INTO t VALUES (?1, ?1, ?1, ?1)").bind(vec![blob(&[])]),
            all(
                "SELECT s, typeof(s) AS ts, i, typeof(i) AS ti, r, typeof(r) AS tr, b, \
                 typeof(b) AS tb FROM t ORDER BY rowid",
            ),
            all("SELECT CAST(?1 AS TEXT) AS t, ?1 = 'abc' AS eq_text, ?1 = x'616263' AS eq_blob")
                .bind(vec![blob(b"abc")]),
        ],
    ));
    v.push(sc(
        "bind/blobs_compare_and_sort",
        vec![
            run("CREATE TABLE t (b BLOB)"),
            run("INSERT INTO t VALUES (?), (?), (?), (?), (?)").bind(vec![
                blob(&[2]),
                blob(&[1, 255]),
                blob(&[]),
                blob(&[1]),
                P::from("text"),
            ]),
            all("SELECT b, typeof(b) AS t FROM t ORDER BY b"),
            all("SELECT count(*) AS n FROM t WHERE b > ?").bind(vec![blob(&[1])]),
            all("SELECT count(DISTINCT b) AS n, max(b) AS hi, min(b) AS lo FROM t"),
        ],
    ));
    v.push(sc(
        "bind/booleans_in_expressions",
        vec![
            all(
                "SELECT ?1 AND ?2 AS a, ?1 OR ?2 AS o, NOT ?1 AS n, ?1 = 1 AS t, ?2 = 0 AS f, \
                 CASE WHEN ?1 THEN 'y' ELSE 'n' END AS c, iif(?2, 'y', 'n') AS i, ?1 + ?1 AS two",
            )
            .bind(p![true, false]),
            run("CREATE TABLE t (b BOOLEAN, i INT)"),
            run("INSERT INTO t VALUES (?, ?), (?, ?)").bind(p![true, true, false, false]),
            all("SELECT b, typeof(b) AS tb, i, typeof(i) AS ti FROM t ORDER BY rowid"),
            all("SELECT count(*) AS n FROM t WHERE b = ? AND i = ?").bind(p![false, false]),
        ],
    ));
    v.push(sc(
        "bind/null_in_expressions",
        vec![
            all(
                "SELECT ?1 + 1 AS a, ?1 || 'x' AS b, ?1 IN (1, 2) AS c, ?1 IS NOT NULL AS d, \
                 ifnull(?1, 'd') AS e, nullif(?2, ?2) AS f, typeof(?1) AS g, length(?1) AS h, \
                 max(?1, 1) AS i, ?1 = ?1 AS j, ?1 IS ?1 AS k, count(?1) AS l",
            )
            .bind(p![NULL, "x"]),
            run("CREATE TABLE t (u UNIQUE, d DEFAULT 'dflt', i INTEGER PRIMARY KEY)"),
            run("INSERT INTO t (u, d, i) VALUES (?, ?, ?), (?, ?, ?)")
                .bind(p![NULL, NULL, NULL, NULL, NULL, NULL]),
            all("SELECT u, d, i FROM t ORDER BY i"),
            all("SELECT count(*) AS n FROM t WHERE u = ?").bind(p![NULL]),
            all("SELECT count(*) AS n FROM t WHERE u IS ?").bind(p![NULL]),
        ],
    ));
    v.push(
        sc(
            "bind/parameters_in_every_clause",
            vec![
                run("CREATE TABLE t (k TEXT, n INTEGER)"),
                run("INSERT INTO t VALUES ('a', 1), ('a', 2), ('b', 3), ('c', 4), ('c', 5)"),
                all("SELECT k, sum(n) AS s FROM t WHERE n >= ? GROUP BY k HAVING sum(n) > ? \
                     ORDER BY k LIMIT ? OFFSET ?")
                .bind(p![1, 2, 5, 0]),
                all("SELECT CASE k WHEN ? THEN 'first' ELSE 'other' END AS c FROM t WHERE k IN (?, ?) \
                     ORDER BY rowid")
                .bind(p!["a", "a", "b"]),
                all("SELECT k FROM t WHERE k LIKE ? ESCAPE ? ORDER BY rowid").bind(p!["c%", "\\"]),
                all("WITH x(v) AS (VALUES (?)) SELECT v || k AS vk FROM x, t WHERE n = (SELECT max(n) FROM t WHERE k = ?)")
                    .bind(p!["pre-", "a"]),
                run("UPDATE t SET k = ? WHERE n = ?").bind(p!["z", 5]),
                run("DELETE FROM t WHERE k = ? AND n < ?").bind(p!["a", 2]),
                all("SELECT k, n FROM t ORDER BY n"),
            ],
        ),
    );
    v.push(
        sc(
            "bind/one_row_of_every_type_in_a_batch",
            vec![
                run("CREATE TABLE t (a, b, c, d, e, f)"),
                batch(vec![
                    stmt("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)").bind(p![
                        NULL,
                        true,
                        7,
                        -1.25,
                        "s",
                        blob(&[9, 8])
                    ]),
                    stmt("INSERT INTO t VALUES (?, ?, ?, ?, ?, ?)").bind(p![
                        "",
                        false,
                        -7,
                        1e-5,
                        "🦀",
                        blob(&[])
                    ]),
                    stmt("SELECT a, b = 1 AS b, c = 7 OR c = -7 AS c, d, e, f FROM t ORDER BY rowid"),
                ]),
                raw_cols("SELECT typeof(a) AS a, typeof(d) AS d, typeof(e) AS e, typeof(f) AS f FROM t ORDER BY rowid"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// Integer precision
// ---------------------------------------------------------------------------------

fn integers(v: &mut Vec<Scenario>) {
    v.push(sc(
        "ints/overflow_becomes_real_or_fails",
        vec![
            all(
                "SELECT 9223372036854775807 + 1 AS a, (-9223372036854775807 - 1) - 1 AS b, \
                 9223372036854775807 * 2 AS c, typeof(9223372036854775807 + 1) AS t, \
                 typeof(-9223372036854775807 - 1) AS t_min",
            ),
            all("SELECT abs(-9223372036854775807 - 1) AS a"),
            all("SELECT sum(x) AS s FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)"),
            all("SELECT total(x) AS t FROM (SELECT 9223372036854775807 AS x UNION ALL SELECT 1)"),
            all("SELECT -(-9223372036854775807 - 1) AS neg"),
        ],
    ));
    v.push(sc(
        "ints/division_and_modulo",
        vec![all(
            "SELECT 7 / 2 AS a, -7 / 2 AS b, 7 / -2 AS c, 7 % 3 AS d, -7 % 3 AS e, 7 % -3 AS f, \
             7.0 / 2 AS g, 7 / 2.0 AS h, 5 / 0 AS i, 5 % 0 AS j, 5.0 / 0 AS k, 5.5 % 2 AS l, \
             typeof(5 / 0) AS m, 1 / 3 * 3 AS n, 0 / 5 AS o, -0 AS p",
        )],
    ));
    v.push(sc(
        "ints/text_to_integer_conversions",
        vec![all(
            "SELECT CAST('  12  ' AS INTEGER) AS a, CAST('12abc' AS INTEGER) AS b, \
             CAST('0x10' AS INTEGER) AS c, CAST('1e3' AS INTEGER) AS d, CAST(1.9 AS INTEGER) AS e, \
             CAST(-1.9 AS INTEGER) AS f, '3' + 4 AS g, '3.5' + 1 AS h, CAST('' AS INTEGER) AS i, \
             CAST('-' AS INTEGER) AS j, CAST(x'3132' AS INTEGER) AS k, CAST(NULL AS INTEGER) AS l, \
             CAST('+5' AS INTEGER) AS m, CAST('1,000' AS INTEGER) AS n",
        )],
    ));
    v.push(sc(
        "ints/hex_literals_and_bit_operations",
        vec![all(
            "SELECT 0x7fffffff AS a, 0xffffffff AS b, 0x1fffffffffffff AS c, 1 << 31 AS d, \
             1 << 52 AS e, ~0 AS f, 5 & 3 AS g, 5 | 3 AS h, -1 >> 1 AS i, 1 << 64 AS j, \
             -8 >> 1 AS k, 1 << -1 AS l, 0x10 + 0X10 AS m, typeof(0xff) AS n",
        )],
    ));
    v.push(sc(
        "ints/rowids_up_to_2_53",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, x)"),
            run("INSERT INTO t (id, x) VALUES (9007199254740990, 'a')"),
            run("INSERT INTO t (x) VALUES ('b')"),
            run("INSERT INTO t (x) VALUES ('c')"),
            all("SELECT id, x, id - 9007199254740990 AS offset FROM t ORDER BY id"),
            first_col("SELECT last_insert_rowid() AS l", "l"),
            run("DELETE FROM t WHERE id > 9007199254740990"),
        ],
    ));
    v.push(sc(
        "ints/integer_and_real_mixing",
        vec![all(
            "SELECT 1 = 1.0 AS a, 2 / 3 AS b, 2.0 / 3 AS c, CAST(2 AS REAL) / 3 AS d, \
             1e15 + 0.3 AS e, typeof(1 + 1.0) AS f, 10 / 4 * 4 AS g, 10.0 / 4 * 4 AS h, \
             9007199254740991 + 0.0 AS i, typeof(9007199254740991 + 0.0) AS j, \
             round(1234.5678, -2) AS k, round(-2.5) AS l, round(2.5) AS m, \
             CAST(9007199254740991 AS REAL) AS n",
        )],
    ));
    v.push(sc(
        "ints/sums_and_averages_within_2_53",
        vec![
            run("CREATE TABLE t (n INTEGER)"),
            run("INSERT INTO t VALUES (4503599627370496), (4503599627370495), (-1), (0)"),
            all(
                "SELECT sum(n) AS s, total(n) AS t, avg(n) AS a, max(n) AS hi, min(n) AS lo, \
                 count(n) AS c, typeof(sum(n)) AS ts, typeof(avg(n)) AS ta FROM t",
            ),
            all("SELECT n, sum(n) OVER (ORDER BY rowid) AS running FROM t ORDER BY rowid"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// NaN and Infinity
// ---------------------------------------------------------------------------------

fn non_finite(v: &mut Vec<Scenario>) {
    v.push(sc(
        "nan/infinity_from_arithmetic",
        vec![
            all(
                "SELECT 1e308 * 10 AS a, -1e308 * 10 AS b, typeof(1e308 * 10) AS t, \
                 1e308 * 10 = 1e999 AS eq, 1e999 > 1e308 AS gt, -1e999 < 0 AS lt, \
                 1e999 = 1e999 AS same, exp(1000) AS e, 1 / 1e-320 AS big",
            ),
            raw("SELECT 1e999, -1e999, 1.5"),
            first_col("SELECT -1e999 AS n", "n"),
        ],
    ));
    v.push(sc(
        "nan/nan_becomes_null",
        vec![all(
            "SELECT 1e999 - 1e999 AS a, typeof(1e999 - 1e999) AS t, (1e999 - 1e999) IS NULL AS n, \
             0.0 / 0 AS z, 1e999 * 0 AS m, 1e999 / 1e999 AS d, sqrt(-1) AS s, \
             typeof(sqrt(-1)) AS ts, acos(2) AS ac",
        )],
    ));
    v.push(sc(
        "nan/infinity_stored_and_read_back",
        vec![
            run("CREATE TABLE t (r REAL, i INTEGER, n NUMERIC, s TEXT, a)"),
            run("INSERT INTO t VALUES (1e999, 1e999, 1e999, 1e999, 1e999)"),
            run("INSERT INTO t VALUES (-1e999, -1e999, -1e999, -1e999, -1e999)"),
            all(
                "SELECT r, typeof(r) AS tr, i, typeof(i) AS ti, n, typeof(n) AS tn, s, \
                 typeof(s) AS ts, a FROM t ORDER BY rowid",
            ),
            raw("SELECT r, i, s FROM t ORDER BY rowid"),
            batch(vec![
                stmt("SELECT r FROM t ORDER BY rowid"),
                stmt("SELECT count(*) AS n FROM t WHERE r > 1e308"),
            ]),
            all("UPDATE t SET a = r * 2 RETURNING a, r"),
            run("CREATE TABLE st (r REAL) STRICT"),
            run("INSERT INTO st VALUES (1e999)"),
            all("SELECT r, typeof(r) AS t FROM st"),
        ],
    ));
    v.push(sc(
        "nan/infinity_as_text",
        vec![all(
            "SELECT CAST(1e999 AS TEXT) AS a, CAST(-1e999 AS TEXT) AS b, printf('%f', 1e999) AS c, \
             1e999 || '' AS d, quote(1e999) AS e, quote(-1e999) AS f, printf('%e', -1e999) AS g, \
             printf('%g', 1e999) AS h, printf('%d', 1e999) AS i, format('%.3f', 1e999) AS l",
        )],
    ));
    v.push(
        sc(
            "nan/infinity_in_aggregates",
            vec![
                run("CREATE TABLE t (g, r REAL)"),
                run("INSERT INTO t VALUES (1, 1e999), (1, 5), (2, 1e999), (2, -1e999), (3, -1e999), (3, 1)"),
                all("SELECT g, sum(r) AS s, total(r) AS t, avg(r) AS a, max(r) AS hi, min(r) AS lo \
                     FROM t GROUP BY g ORDER BY g"),
                all("SELECT sum(r) AS s, count(r) AS n FROM t"),
                all("SELECT g, r, sum(r) OVER (ORDER BY rowid) AS running FROM t ORDER BY rowid"),
            ],
        ),
    );
    v.push(sc(
        "nan/text_spellings_of_infinity",
        vec![all(
            "SELECT CAST('inf' AS REAL) AS a, CAST('Infinity' AS REAL) AS b, CAST('1e999' AS REAL) AS c, \
             CAST('-1e999' AS REAL) AS d, CAST('NaN' AS REAL) AS e, '1e999' + 0 AS f, \
             typeof('1e999' + 0) AS g, json('[Infinity, -Infinity, NaN]') AS h, \
             json_extract('[1e999]', '$[0]') AS i, json_extract('[Infinity]', '$[0]') AS j, \
             json_array(1e999, -1e999) AS k, json_valid('[Infinity]') AS l, \
             json_valid('[Infinity]', 1) AS m",
        )],
    ));
}
