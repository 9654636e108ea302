//! Scenarios of the SQL users write: JSON functions, RETURNING, STRICT tables,
//! constraints and foreign key actions, triggers, window functions, CTEs, upserts,
//! generated columns, views, date and time functions (fixed inputs, never 'now'),
//! string functions, aggregates and collations.

use serde_json::{Value as Json, json};

use crate::runner::*;

/// The observation of a step that returned no rows, with this meta.
fn rows(changes: u64, last_row_id: i64, changed_db: bool) -> Json {
    json!({"results": [], "meta": {"changes": changes, "last_row_id": last_row_id, "changed_db": changed_db}})
}

pub fn list(v: &mut Vec<Scenario>) {
    json(v);
    returning(v);
    strict(v);
    constraints(v);
    foreign_key_counts(v);
    triggers(v);
    windows(v);
    ctes(v);
    upserts(v);
    generated(v);
    views(v);
    dates(v);
    strings(v);
    aggregates(v);
    collations(v);
    sqlite_build(v);
    counter_limits(v);
}

// ---------------------------------------------------------------------------------
// JSON
// ---------------------------------------------------------------------------------

const DOC: &str =
    r#"{"a":{"b":[10,20,{"c":"deep"}]},"s":"str","n":null,"t":true,"f":1.5,"i":-3,"e":[],"o":{}}"#;

fn json(v: &mut Vec<Scenario>) {
    v.push(sc(
        "json/extract_paths",
        vec![
            all("SELECT json_extract(?1, '$.a.b[0]') AS a, json_extract(?1, '$.a.b[2].c') AS b, \
                 json_extract(?1, '$.a.b[#-1]') AS c, json_extract(?1, '$.missing') AS d, \
                 json_extract(?1, '$.a') AS e, json_extract(?1, '$.s', '$.i') AS f, \
                 json_extract(?1, '$.t') AS g, typeof(json_extract(?1, '$.t')) AS h, \
                 json_extract(?1, '$.n') AS i, json_extract(?1, '$.f') AS j, json_extract(?1, '$') AS k, \
                 json_extract(?1, '$.e') AS l, json_extract(?1, '$.a.b[9]') AS m")
            .bind(p![DOC]),
            all("SELECT json_extract('{\"a\":1}', 'a') AS bad"),
            all("SELECT json_extract('{\"a\":1}', '$.') AS bad"),
            all("SELECT json_extract('[1,2]', '$[x]') AS bad"),
            all("SELECT json_extract('{\"a b\":1, \"c.d\":2}', '$.\"a b\"') AS q1, \
                 json_extract('{\"a b\":1, \"c.d\":2}', '$.\"c.d\"') AS q2"),
        ],
    ));
    v.push(
        sc(
            "json/arrow_operators",
            vec![
                all("SELECT ?1 -> '$.a.b' AS a, ?1 ->> '$.a.b' AS b, ?1 -> 's' AS c, ?1 ->> 's' AS d, \
                     ?1 -> '$.a.b[1]' AS e, ?1 ->> '$.a.b[1]' AS f, '[1,[2,3]]' -> 1 AS g, \
                     '[1,[2,3]]' ->> 1 AS h, '[1,[2,3]]' -> -1 AS i, ?1 -> 'missing' AS j, \
                     ?1 ->> 'n' AS k, ?1 -> 'n' AS l, ?1 -> 't' AS m, ?1 ->> 't' AS o, \
                     typeof(?1 ->> 'i') AS p, ?1 -> 'a' -> 'b' ->> 2 AS q")
                .bind(p![DOC]),
                all("SELECT '{' -> 'a' AS bad"),
                run("CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT)"),
                run("INSERT INTO docs (body) VALUES ('{\"k\":\"x\",\"n\":1}'), ('{\"k\":\"y\",\"n\":2}'), ('{\"n\":3}')"),
                all("SELECT id, body ->> 'k' AS k FROM docs WHERE body ->> 'n' >= 2 ORDER BY id"),
                run("CREATE INDEX docs_k ON docs(body ->> 'k')"),
                all("SELECT id FROM docs WHERE body ->> 'k' = 'y'"),
            ],
        ),
    );
    v.push(sc(
        "json/set_insert_replace_remove",
        vec![all(
            "SELECT json_set('{\"a\":1}', '$.a', 2, '$.b', 3) AS a, \
             json_insert('{\"a\":1}', '$.a', 2, '$.b', 3) AS b, \
             json_replace('{\"a\":1}', '$.a', 2, '$.b', 3) AS c, \
             json_remove('{\"a\":1,\"b\":2}', '$.a') AS d, \
             json_remove('[1,2,3]', '$[0]', '$[0]') AS e, \
             json_insert('[1,2]', '$[#]', 3) AS f, \
             json_set('{}', '$.x', json('[1]')) AS g, json_set('{}', '$.x', '[1]') AS h, \
             json_set('{}', '$.a.b', 1) AS i, json_remove('{\"a\":1}') AS j, \
             json_set('{\"a\":1}', '$', 5) AS k, json_remove('{\"a\":1}', '$') AS l, \
             json_set('[1]', '$[5]', 9) AS m, json_replace('{}', '$.x', NULL) AS n, \
             json_set('{}', '$.x', NULL) AS o",
        )],
    ));
    v.push(sc(
        "json/array_and_object_constructors",
        vec![
            all("SELECT json_array() AS a, json_array(1, 'two', NULL, 2.5, json('{\"x\":1}'), '{\"x\":1}') AS b, \
                 json_object() AS c, json_object('a', 1, 'a', 2) AS d, \
                 json_object('n', NULL, 's', 'x', 'j', json_array(1)) AS e, \
                 json_quote('a\"b') AS f, json_quote(1.5) AS g, json_quote(NULL) AS h, \
                 json_array_length('[1,2,[3]]') AS i, json_array_length('{}') AS j, \
                 json_array_length(?1, '$.a.b') AS k, json_array(true, false) AS l")
            .bind(p![DOC]),
            all("SELECT json_object('a') AS bad"),
            all("SELECT json_object(1, 2) AS bad"),
            all("SELECT json_array(x'00') AS bad"),
            all("SELECT json_quote(x'00') AS bad"),
        ],
    ));
    v.push(
        sc(
            "json/group_array_and_object",
            vec![
                run("CREATE TABLE t (g TEXT, k TEXT, v)"),
                run("INSERT INTO t VALUES ('a', 'x', 1), ('a', 'y', 'two'), ('b', 'z', NULL), ('b', 'w', 2.5)"),
                all("SELECT g, json_group_array(v) AS arr, json_group_object(k, v) AS obj FROM t \
                     GROUP BY g ORDER BY g"),
                all("SELECT json_group_array(v ORDER BY k) AS sorted FROM t"),
                all("SELECT json_group_array(json_object('k', k)) AS nested FROM t WHERE g = 'a'"),
                all("SELECT json_group_array(v) AS none FROM t WHERE 0"),
                all("SELECT k, json_group_array(k) OVER (ORDER BY k) AS running FROM t ORDER BY k"),
            ],
        ),
    );
    v.push(sc(
        "json/each_and_tree",
        vec![
            all("SELECT key, value, type, atom, fullkey, path FROM json_each(?1) ORDER BY id")
                .bind(p![DOC]),
            all("SELECT key, value, type, fullkey, path FROM json_each(?1, '$.a.b')").bind(p![DOC]),
            all(
                "SELECT key, type, atom, fullkey, path, parent IS NULL AS top FROM json_tree(?1) \
                 ORDER BY id",
            )
            .bind(p![DOC]),
            all("SELECT value FROM json_each('[3,1,2]') ORDER BY value"),
            all("SELECT count(*) AS n FROM json_each('not json')"),
            all("SELECT key, value FROM json_each('5')"),
        ],
    ));
    v.push(sc(
        "json/valid_and_type",
        vec![all(
            "SELECT json_valid('{\"a\":1}') AS a, json_valid('{a:1}') AS b, json_valid('{a:1}', 2) AS c, \
             json_valid(NULL) AS d, json_valid('') AS e, json_valid('[1,]', 6) AS f, \
             json_type('{\"a\":[1,2.5,\"x\",null,true]}') AS g, \
             json_type('{\"a\":[1,2.5,\"x\",null,true]}', '$.a') AS h, \
             json_type('{\"a\":[1,2.5,\"x\",null,true]}', '$.a[1]') AS i, \
             json_type('{\"a\":[1,2.5,\"x\",null,true]}', '$.a[3]') AS j, \
             json_type('{\"a\":[1,2.5,\"x\",null,true]}', '$.a[4]') AS k, \
             json_type('{\"a\":1}', '$.b') AS l, json_type('\"s\"') AS p, json_type('0') AS q",
        )],
    ));
    v.push(sc(
        "json/patch",
        vec![all(
            "SELECT json_patch('{\"a\":1,\"b\":2}', '{\"b\":null,\"c\":3}') AS a, \
             json_patch('{\"a\":{\"x\":1}}', '{\"a\":{\"y\":2}}') AS b, \
             json_patch('[1,2]', '{\"a\":1}') AS c, json_patch('{\"a\":1}', '[1]') AS d, \
             json_patch('{}', '{\"a\":{\"b\":null}}') AS e, json_patch('{\"a\":1}', '\"s\"') AS f",
        )],
    ));
    v.push(
        sc(
            "json/jsonb_functions",
            vec![
                all("SELECT typeof(jsonb('[1]')) AS a, json(jsonb('{\"a\":[1,2]}')) AS b, \
                     jsonb('[1]') AS c, json(jsonb_array(1, 'x')) AS d, json(jsonb_object('k', 2)) AS e, \
                     jsonb_extract(jsonb('{\"a\":[1,2]}'), '$.a[1]') AS f, \
                     json(jsonb_extract(jsonb('{\"a\":[1,2]}'), '$.a')) AS g, \
                     json(jsonb_set('{\"a\":1}', '$.b', 2)) AS h, json(jsonb_insert('[1]', '$[#]', 2)) AS i, \
                     json(jsonb_replace('{\"a\":1}', '$.a', 3)) AS j, json(jsonb_remove('[1,2]', '$[0]')) AS k, \
                     json(jsonb_patch('{\"a\":1}', '{\"b\":2}')) AS l, \
                     jsonb('{\"a\":1}') -> '$.a' AS m, jsonb('{\"a\":1}') ->> '$.a' AS n, \
                     json_valid(jsonb('[1]'), 8) AS o, json_type(jsonb('[1]')) AS p"),
                run("CREATE TABLE t (g, v)"),
                run("INSERT INTO t VALUES (1, 'a'), (1, 'b'), (2, 'c')"),
                all("SELECT g, json(jsonb_group_array(v)) AS a, json(jsonb_group_object(v, g)) AS o \
                     FROM t GROUP BY g ORDER BY g"),
                all("SELECT jsonb('not json') AS bad"),
                all("SELECT key, value FROM json_each(jsonb('{\"x\":1,\"y\":[2]}'))"),
            ],
        ),
    );
    v.push(sc(
        "json/malformed_input_errors",
        vec![
            all("SELECT json('{\"a\":') AS a"),
            all("SELECT json_extract('[1,2', '$[0]') AS a"),
            all("SELECT json_set('x', '$.a', 1) AS a"),
            all("SELECT json_array_length('nope') AS a"),
            all("SELECT json_each.value FROM json_each('{')"),
            all("SELECT json_group_array(x) FROM (SELECT x'00' AS x)"),
            all("SELECT '[1' ->> 0 AS a"),
            all("SELECT json_patch('{', '{}') AS a"),
        ],
    ));
    v.push(sc(
        "json/numbers_and_json5",
        vec![all(
            "SELECT json('[1.0, 1e2, -0, 0.5e-3, 12345678901234]') AS a, \
             json_extract('[1.0]', '$[0]') AS b, typeof(json_extract('[1.0]', '$[0]')) AS c, \
             typeof(json_extract('[100]', '$[0]')) AS d, json_extract('[9007199254740991]', '$[0]') AS e, \
             json('{a:1, \"b\":0x1F, c:.5, d:+1, e:''s'', /* c */ f:[1,],}') AS f, \
             json_extract('{a:0x10}', '$.a') AS g, json_array(0.1 + 0.2) AS h, json_array(1e300) AS i",
        )],
    ));
    v.push(sc(
        "json/stored_documents_updated_in_place",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, doc TEXT)"),
            run("INSERT INTO t (doc) VALUES (json_object('tags', json_array('a'), 'n', 0))"),
            run("UPDATE t SET doc = json_set(doc, '$.n', doc ->> 'n' + 1, '$.tags[#]', 'b')"),
            run("UPDATE t SET doc = json_insert(doc, '$.new', json('{\"x\":[1]}'))"),
            all(
                "SELECT doc, doc -> '$.tags' AS tags, json_array_length(doc, '$.tags') AS n FROM t",
            ),
            all("SELECT t.id, j.value FROM t, json_each(t.doc, '$.tags') j ORDER BY j.key"),
            all("UPDATE t SET doc = json_remove(doc, '$.tags[0]') RETURNING doc"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// RETURNING
// ---------------------------------------------------------------------------------

fn returning(v: &mut Vec<Scenario>) {
    const T: &str =
        "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT UNIQUE, n INTEGER DEFAULT 0)";
    v.push(sc(
        "returning/insert_expressions",
        vec![
            run(T),
            all("INSERT INTO t (name) VALUES ('a'), ('b') RETURNING id, name, n, id * 10 AS x, \
                 upper(name) AS up, typeof(n) AS tn, rowid"),
            all("INSERT INTO t (name, n) SELECT 'c' || value, value FROM json_each('[1,2,3]') \
                 RETURNING *"),
            all("INSERT INTO t (name) VALUES ('z') RETURNING (SELECT count(*) FROM t) AS before_count"),
            all("INSERT INTO t DEFAULT VALUES RETURNING id, name"),
        ],
    ));
    v.push(sc(
        "returning/update_and_delete",
        vec![
            run(T),
            run("INSERT INTO t (name, n) VALUES ('a', 1), ('b', 2), ('c', 3)"),
            all("UPDATE t SET n = n * 100 WHERE n >= 2 RETURNING id, n, name || '!' AS bang"),
            all("UPDATE t SET n = 0 WHERE id = 99 RETURNING id"),
            all("DELETE FROM t WHERE n > 150 RETURNING *"),
            all("DELETE FROM t RETURNING id, n"),
            all("SELECT count(*) AS n FROM t"),
        ],
    ));
    v.push(sc(
        "returning/upserts",
        vec![
            run(T),
            run("INSERT INTO t (name, n) VALUES ('a', 1)"),
            all("INSERT INTO t (name, n) VALUES ('a', 5) ON CONFLICT (name) DO UPDATE SET n = t.n + excluded.n \
                 RETURNING id, name, n"),
            all("INSERT INTO t (name, n) VALUES ('a', 5) ON CONFLICT DO NOTHING RETURNING id"),
            all("INSERT INTO t (name, n) VALUES ('a', 7), ('b', 8) ON CONFLICT (name) DO UPDATE SET n = excluded.n \
                 RETURNING id, name, n"),
            all("INSERT OR REPLACE INTO t (id, name, n) VALUES (1, 'a2', 9) RETURNING *"),
            all("INSERT OR IGNORE INTO t (name) VALUES ('b') RETURNING id"),
        ],
    ));
    v.push(sc(
        "returning/through_first_raw_and_batch",
        vec![
            run(T),
            first("INSERT INTO t (name) VALUES ('a'), ('b') RETURNING id, name"),
            first_col("UPDATE t SET n = 5 RETURNING n, name", "name"),
            raw("DELETE FROM t WHERE name = 'a' RETURNING id, name"),
            raw_cols("INSERT INTO t (name) VALUES ('c') RETURNING name, id"),
            batch(vec![
                stmt("INSERT INTO t (name) VALUES ('d') RETURNING id"),
                stmt("UPDATE t SET n = n + 1 RETURNING name, n"),
            ]),
            all("SELECT id, name, n FROM t ORDER BY id"),
        ],
    ));
    v.push(sc(
        "returning/failure_returns_nothing_and_keeps_nothing",
        vec![
            run(T),
            run("INSERT INTO t (name) VALUES ('a')"),
            all("INSERT INTO t (name) VALUES ('b'), ('a') RETURNING id"),
            all("UPDATE t SET name = 'x' || (4 / 0) RETURNING name"),
            all("INSERT INTO t (name) VALUES ('c') RETURNING nope"),
            all("INSERT INTO t (name) VALUES ('d') RETURNING count(*)"),
            all("SELECT id, name FROM t ORDER BY id"),
        ],
    ));
    v.push(
        sc(
            "returning/with_triggers_and_defaults",
            vec![
                run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT DEFAULT 'dflt', changed INTEGER DEFAULT 0)"),
                run("CREATE TABLE log (msg)"),
                run("CREATE TRIGGER bump AFTER INSERT ON t BEGIN UPDATE t SET changed = 1 WHERE id = new.id; \
                     INSERT INTO log VALUES ('ins ' || new.id); END"),
                run("CREATE TRIGGER before_upd BEFORE UPDATE ON t BEGIN INSERT INTO log VALUES ('upd ' || old.v); END"),
                all("INSERT INTO t (id) VALUES (1), (2) RETURNING id, v, changed"),
                all("UPDATE t SET v = 'new' WHERE id = 1 RETURNING id, v, changed"),
                all("SELECT id, v, changed FROM t ORDER BY id"),
                all("SELECT msg FROM log ORDER BY rowid"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// STRICT tables
// ---------------------------------------------------------------------------------

fn strict(v: &mut Vec<Scenario>) {
    const S: &str = "CREATE TABLE s (i INTEGER, r REAL, t TEXT, b BLOB, a ANY, n INT) STRICT";
    v.push(sc(
        "strict/type_errors",
        vec![
            run(S),
            run("INSERT INTO s (i) VALUES ('abc')"),
            run("INSERT INTO s (i) VALUES (1.5)"),
            run("INSERT INTO s (r) VALUES ('x')"),
            run("INSERT INTO s (t) VALUES (x'00')"),
            run("INSERT INTO s (b) VALUES ('text')"),
            run("INSERT INTO s (b) VALUES (1)"),
            run("INSERT INTO s (n) VALUES ('1x')"),
            run("INSERT INTO s (i) VALUES (1)"),
            run("UPDATE s SET r = 'y'"),
            all("SELECT count(*) AS n FROM s"),
        ],
    ));
    v.push(sc(
        "strict/conversions_that_are_allowed",
        vec![
            run(S),
            run("INSERT INTO s VALUES ('12', 3, 4, x'01', 5.0, '  7 ')"),
            run("INSERT INTO s VALUES (2.0, '2.5', 1.5, NULL, '6', 8)"),
            all(
                "SELECT i, typeof(i) AS ti, r, typeof(r) AS tr, t, typeof(t) AS tt, \
                 a, typeof(a) AS ta, n, typeof(n) AS tn FROM s ORDER BY rowid",
            ),
            run("INSERT INTO s (i, r) VALUES (?, ?)").bind(p![7, 1]),
            all("SELECT i, typeof(i) AS ti, r, typeof(r) AS tr FROM s WHERE rowid = 3"),
        ],
    ));
    v.push(sc(
        "strict/declaration_errors",
        vec![
            run("CREATE TABLE a (x VARCHAR(10)) STRICT"),
            run("CREATE TABLE b (x) STRICT"),
            run("CREATE TABLE c (x BOOLEAN) STRICT"),
            run("CREATE TABLE d (x int) STRICT"),
            run("CREATE TABLE e (x TEXT) STRICT, WITHOUT ROWID"),
            run("CREATE TABLE f (x TEXT PRIMARY KEY) STRICT, WITHOUT ROWID"),
            run("CREATE TABLE g (x TEXT) STRICTER"),
            run("CREATE TABLE h (x DATETIME) STRICT"),
            all(
                "SELECT name, strict FROM pragma_table_list WHERE name IN ('d', 'f') ORDER BY name",
            ),
        ],
    ));
    v.push(sc(
        "strict/primary_keys_and_without_rowid",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY, v TEXT NOT NULL) STRICT"),
            run("INSERT INTO p (v) VALUES ('a')"),
            run("INSERT INTO p (id, v) VALUES ('x', 'b')"),
            run("INSERT INTO p (id, v) VALUES ('5', 'c')"),
            run("CREATE TABLE w (k TEXT PRIMARY KEY, n INTEGER) STRICT, WITHOUT ROWID"),
            run("INSERT INTO w VALUES ('a', 1)"),
            run("INSERT INTO w VALUES (1, 2)"),
            run("INSERT INTO w VALUES ('b', 'x')"),
            all("SELECT k, typeof(k) AS tk, n FROM w ORDER BY k"),
            all("SELECT id, v FROM p ORDER BY id"),
        ],
    ));
    v.push(sc(
        "strict/generated_and_check_columns",
        vec![
            run(
                "CREATE TABLE g (a INTEGER, b INTEGER AS (a * 2), c TEXT AS (a || 'x') STORED, \
                 CHECK (a >= 0)) STRICT",
            ),
            run("INSERT INTO g (a) VALUES (3)"),
            run("INSERT INTO g (a) VALUES (-1)"),
            run("INSERT INTO g (a) VALUES ('q')"),
            all("SELECT a, b, typeof(b) AS tb, c, typeof(c) AS tc FROM g"),
            run("CREATE TABLE bad (a TEXT, b INTEGER AS (a)) STRICT"),
            run("INSERT INTO bad (a) VALUES ('nan')"),
            run("INSERT INTO bad (a) VALUES ('12')"),
            all("SELECT a, b, typeof(b) AS tb FROM bad"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Constraints and foreign key actions
// ---------------------------------------------------------------------------------

fn constraints(v: &mut Vec<Scenario>) {
    v.push(sc(
        "constraints/not_null_and_defaults",
        vec![
            run(
                "CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT NOT NULL DEFAULT 'd', \
                 b INTEGER NOT NULL ON CONFLICT REPLACE DEFAULT 5, c DEFAULT (abs(-3)), \
                 e NOT NULL ON CONFLICT IGNORE)",
            ),
            run("INSERT INTO t (e) VALUES (1)"),
            run("INSERT INTO t (a, e) VALUES (NULL, 1)"),
            run("INSERT INTO t (b, e) VALUES (NULL, 2)"),
            run("INSERT INTO t (e) VALUES (NULL)"),
            run("UPDATE t SET b = NULL"),
            run("UPDATE t SET a = NULL"),
            all("SELECT id, a, b, c, e FROM t ORDER BY id"),
        ],
    ));
    v.push(
        sc(
            "constraints/check_expressions",
            vec![
                run("CREATE TABLE t (a INTEGER CHECK (a BETWEEN 1 AND 10), b TEXT CHECK (length(b) < 3), \
                     CHECK (a <> 5 OR b IS NULL))"),
                run("INSERT INTO t VALUES (0, 'x')"),
                run("INSERT INTO t VALUES (5, 'abcd')"),
                run("INSERT INTO t VALUES (5, 'x')"),
                run("INSERT INTO t VALUES (NULL, NULL)"),
                run("INSERT INTO t VALUES (5, NULL)"),
                run("UPDATE t SET a = a + 20"),
                all("SELECT a, b FROM t ORDER BY rowid"),
                run("CREATE TABLE bad (a CHECK (nope > 1))"),
                run("CREATE TABLE bad2 (a CHECK ((SELECT 1)))"),
            ],
        ),
    );
    v.push(sc(
        "constraints/unique_variants",
        vec![
            run("CREATE TABLE t (a, b, c COLLATE NOCASE UNIQUE, UNIQUE (a, b))"),
            run("INSERT INTO t VALUES (1, 1, 'x')"),
            run("INSERT INTO t VALUES (1, 1, 'y')"),
            run("INSERT INTO t VALUES (1, 2, 'X')"),
            run("INSERT INTO t VALUES (1, NULL, 'p'), (1, NULL, 'q')"),
            run("CREATE UNIQUE INDEX t_expr ON t(lower(b || ''))"),
            run("CREATE UNIQUE INDEX t_part ON t(a) WHERE a > 10"),
            run("INSERT INTO t VALUES (11, 100, 'r'), (11, 101, 's')"),
            run("INSERT INTO t VALUES (9, 100, 'u')"),
            all("SELECT a, b, c FROM t ORDER BY rowid"),
        ],
    ));
    // A partial index gets entries only for the rows its `WHERE` takes: the rows
    // written as it is built and as rows are inserted.
    v.push(sc(
        "constraints/partial_index_rows",
        vec![
            run("CREATE TABLE t (a, b)"),
            run("CREATE INDEX t_none ON t(a) WHERE a > 0"),
            run("INSERT INTO t VALUES (1, 1), (2, 2), (11, 3), (12, 4), (13, 5), (3, 6)"),
            run("CREATE INDEX t0 ON t(a) WHERE a > 100"),
            run("CREATE INDEX t1 ON t(a) WHERE a > 12"),
            run("CREATE INDEX t3 ON t(b) WHERE a > 10"),
            run("CREATE UNIQUE INDEX t4 ON t(b) WHERE a > 2"),
            run("CREATE INDEX t6 ON t(a, b) WHERE b IS NOT NULL"),
            run("INSERT INTO t VALUES (20, 7)"),
            run("INSERT INTO t VALUES (0, 8)"),
            run("INSERT INTO t VALUES (0, 9), (30, 10), (1, NULL)"),
            run("INSERT INTO t VALUES (?, ?)").bind(vec![P::from(40), P::from(11)]),
            run("UPDATE t SET b = NULL WHERE rowid = 2"),
            run("UPDATE t SET a = 0 WHERE rowid = 3"),
            run("CREATE TABLE e (a)"),
            run("INSERT INTO e VALUES (1)"),
            run("CREATE INDEX e1 ON e(a) WHERE a > 1"),
            run("CREATE INDEX e2 ON e(a) WHERE a > 0"),
            run("INSERT INTO e VALUES (?), (?), (?)").bind(vec![P::from(0), P::from(5), NULL]),
            all("SELECT a FROM t WHERE a > 12 ORDER BY a"),
        ],
    ));
    v.push(sc(
        "constraints/conflict_clauses_on_statements",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, u UNIQUE, n NOT NULL)"),
            run("INSERT INTO t VALUES (1, 'a', 1), (2, 'b', 2)"),
            run("INSERT OR IGNORE INTO t VALUES (3, 'a', 3), (4, 'd', 4)"),
            run("INSERT OR REPLACE INTO t VALUES (5, 'b', 5)"),
            run("INSERT OR ABORT INTO t VALUES (6, 'e', 6), (7, 'e', 7)"),
            run("UPDATE OR IGNORE t SET u = 'a' WHERE id > 1"),
            run("UPDATE OR REPLACE t SET u = 'a' WHERE id = 4"),
            run("INSERT OR REPLACE INTO t VALUES (10, 'g', NULL)"),
            all("SELECT id, u, n FROM t ORDER BY id"),
        ],
    ));
    v.push(sc(
        "constraints/rollback_conflicts",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, u UNIQUE)"),
            run("CREATE TRIGGER rb BEFORE INSERT ON t WHEN new.u = 'rollback' BEGIN \
                 SELECT RAISE(ROLLBACK, 'rolled back'); END"),
            run("INSERT INTO t VALUES (1, 'a')"),
            run("INSERT OR ROLLBACK INTO t VALUES (2, 'b'), (3, 'b')"),
            first("SELECT count(*) AS n FROM t"),
            run("INSERT INTO t VALUES (4, 'c'), (5, 'rollback')"),
            first("SELECT count(*) AS n FROM t"),
            batch(vec![
                stmt("INSERT INTO t VALUES (6, 'd')"),
                stmt("INSERT INTO t VALUES (7, 'rollback')"),
            ]),
            first("SELECT group_concat(u) AS us FROM t"),
            run("INSERT INTO t VALUES (8, 'e')"),
        ],
    )
    .diverges(
        "a ROLLBACK conflict resolution (INSERT OR ROLLBACK, RAISE(ROLLBACK)) ends the \
         transaction D1 runs each call in, which D1 reports as an opaque internal error; the \
         reference backend reports SQLite's error; both keep nothing of the call",
        {
            let sqlite_error = |text: &str| {
                json!({ "error": format!("D1_ERROR: {text}: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_{})",
                    if text == "rolled back" { "TRIGGER" } else { "UNIQUE" }) })
            };
            json!([
                rows(0, 0, true),
                rows(0, 0, false),
                rows(1, 1, true),
                sqlite_error("UNIQUE constraint failed: t.u"),
                {"row": {"n": 1}},
                sqlite_error("rolled back"),
                {"row": {"n": 1}},
                sqlite_error("rolled back"),
                {"row": {"us": "a"}},
                rows(1, 8, true),
            ])
        },
        json!([
            rows(0, 0, true),
            rows(0, 0, false),
            rows(1, 1, true),
            {"error": "internal error; reference = *"},
            {"row": {"n": 1}},
            {"error": "internal error; reference = *"},
            {"row": {"n": 1}},
            {"error": "internal error; reference = *"},
            {"row": {"us": "a"}},
            rows(1, 8, true),
        ]),
    ));
    const PARENT: &str = "CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)";
    v.push(
        sc(
            "constraints/fk_on_delete_actions",
            vec![
                run(PARENT),
                run("CREATE TABLE cascade (pid REFERENCES p(id) ON DELETE CASCADE)"),
                run("CREATE TABLE setnull (pid REFERENCES p(id) ON DELETE SET NULL)"),
                run("CREATE TABLE setdefault (pid DEFAULT 2 REFERENCES p(id) ON DELETE SET DEFAULT)"),
                run("CREATE TABLE restrict (pid REFERENCES p(id) ON DELETE RESTRICT)"),
                run("INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b'), (3, 'c')"),
                batch(vec![
                    stmt("INSERT INTO cascade VALUES (1), (1)"),
                    stmt("INSERT INTO setnull VALUES (1)"),
                    stmt("INSERT INTO setdefault VALUES (1)"),
                    stmt("INSERT INTO restrict VALUES (3)"),
                ]),
                run("DELETE FROM p WHERE id = 1"),
                all("SELECT (SELECT count(*) FROM cascade) AS cascade, (SELECT pid FROM setnull) AS setnull, \
                     (SELECT pid FROM setdefault) AS setdefault"),
                run("DELETE FROM p WHERE id = 3"),
                run("DELETE FROM p WHERE id = 2"),
                all("SELECT id FROM p ORDER BY id"),
            ],
        ),
    );
    v.push(sc(
        "constraints/fk_on_update_actions",
        vec![
            run(PARENT),
            run("CREATE TABLE c1 (code REFERENCES p(code) ON UPDATE CASCADE)"),
            run("CREATE TABLE c2 (code REFERENCES p(code) ON UPDATE SET NULL)"),
            run("CREATE TABLE c3 (code REFERENCES p(code) ON UPDATE NO ACTION)"),
            run("INSERT INTO p (id, code) VALUES (1, 'a'), (2, 'b')"),
            batch(vec![
                stmt("INSERT INTO c1 VALUES ('a')"),
                stmt("INSERT INTO c2 VALUES ('a')"),
                stmt("INSERT INTO c3 VALUES ('b')"),
            ]),
            run("UPDATE p SET code = 'A' WHERE id = 1"),
            all("SELECT (SELECT code FROM c1) AS c1, (SELECT code FROM c2) AS c2"),
            run("UPDATE p SET code = 'B' WHERE id = 2"),
            run("UPDATE p SET id = 20 WHERE id = 2"),
            all("SELECT id, code FROM p ORDER BY id"),
        ],
    ));
    v.push(sc(
        "constraints/fk_errors",
        vec![
            run("CREATE TABLE c (pid REFERENCES missing(id))"),
            run("INSERT INTO c VALUES (1)"),
            run("INSERT INTO c VALUES (NULL)"),
            run("CREATE TABLE p (id INTEGER PRIMARY KEY, x)"),
            run("CREATE TABLE c2 (px REFERENCES p(x))"),
            run("INSERT INTO p VALUES (1, 1)"),
            run("INSERT INTO c2 VALUES (1)"),
            run("CREATE TABLE c3 (a, b, FOREIGN KEY (a, b) REFERENCES p(id))"),
            run("CREATE TABLE self (id INTEGER PRIMARY KEY, parent REFERENCES self(id))"),
            run("INSERT INTO self VALUES (1, NULL), (2, 1), (3, 3)"),
            run("INSERT INTO self VALUES (4, 9)"),
            run("DELETE FROM self WHERE id = 1"),
            all("SELECT id, parent FROM self ORDER BY id"),
        ],
    ));
    v.push(sc(
        "constraints/fk_cascade_chains_and_changes",
        vec![
            run("CREATE TABLE a (id INTEGER PRIMARY KEY)"),
            run("CREATE TABLE b (id INTEGER PRIMARY KEY, a_id REFERENCES a(id) ON DELETE CASCADE)"),
            run("CREATE TABLE c (id INTEGER PRIMARY KEY, b_id REFERENCES b(id) ON DELETE CASCADE)"),
            run("INSERT INTO a VALUES (1), (2)"),
            run("INSERT INTO b VALUES (10, 1), (11, 1), (12, 2)"),
            run("INSERT INTO c VALUES (100, 10), (101, 11), (102, 11), (103, 12)"),
            run("DELETE FROM a WHERE id = 1"),
            all("SELECT (SELECT count(*) FROM b) AS b, (SELECT count(*) FROM c) AS c"),
            run("DROP TABLE a"),
            all("SELECT (SELECT count(*) FROM b) AS b, (SELECT count(*) FROM c) AS c"),
        ],
    ));
}

/// Foreign key checks and actions whose rows read depend on the keys and on how many
/// rows each action changes (see `d1orm-sqlite`'s `counters`).
fn foreign_key_counts(v: &mut Vec<Scenario>) {
    v.push(sc(
        "constraints/fk_null_and_self_keys",
        vec![
            run("CREATE TABLE self (id INTEGER PRIMARY KEY, parent REFERENCES self(id))"),
            run("INSERT INTO self VALUES (1, NULL), (2, 1), (3, 3)"),
            run("INSERT INTO self VALUES (4, NULL)"),
            run("INSERT INTO self VALUES (5, 4)"),
            run("INSERT INTO self VALUES (6, 6)"),
            run("INSERT INTO self (parent) VALUES (NULL), (5)"),
            run("INSERT INTO self VALUES (10, '5'), (11, 'x')"),
            run("INSERT INTO self VALUES (12, '5'), (13, NULL)"),
            run("CREATE TABLE c (pid REFERENCES self(id))"),
            run("INSERT INTO c VALUES (NULL), (1), (NULL)"),
            run("INSERT INTO c VALUES (NULL)"),
            run("INSERT INTO c VALUES (2)"),
            run("CREATE TABLE t (a TEXT UNIQUE, b REFERENCES t(a))"),
            run("INSERT INTO t VALUES ('x', NULL), ('y', 'x'), ('z', 'z')"),
            all("SELECT (SELECT count(*) FROM self) AS self, (SELECT count(*) FROM c) AS c"),
        ],
    ));
    v.push(sc(
        "constraints/fk_actions_over_many_rows",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)"),
            run("CREATE TABLE k1 (pid REFERENCES p(id) ON DELETE CASCADE ON UPDATE CASCADE)"),
            run(
                "CREATE TABLE k2 (pid REFERENCES p(id) ON DELETE SET NULL ON UPDATE SET NULL, \
                 code REFERENCES p(code) ON UPDATE CASCADE ON DELETE CASCADE)",
            ),
            run("INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')"),
            run("INSERT INTO k1 VALUES (1), (1), (2), (3)"),
            run("INSERT INTO k2 VALUES (1, 'a'), (2, 'b'), (2, 'b'), (4, 'd')"),
            run("DELETE FROM p WHERE id IN (1, 2)"),
            run("UPDATE p SET id = id + 10"),
            all("SELECT (SELECT group_concat(pid) FROM k1) AS k1, \
                 (SELECT group_concat(coalesce(pid, '-') || code) FROM k2) AS k2"),
        ],
    ));
    v.push(sc(
        "constraints/fk_update_of_parents_some_referred_to",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)"),
            run("CREATE TABLE k (code REFERENCES p(code) ON UPDATE CASCADE)"),
            run("CREATE TABLE n (code REFERENCES p(code) ON UPDATE SET NULL)"),
            run("INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')"),
            run("INSERT INTO k VALUES ('a'), ('a'), ('c')"),
            run("INSERT INTO n VALUES ('c')"),
            run("UPDATE p SET code = code || 'x'"),
            run("UPDATE p SET code = 'q' WHERE id = 2"),
            run("UPDATE p SET code = 'r' WHERE id = 1"),
            run("DELETE FROM k"),
            run("DELETE FROM p WHERE id = 1"),
            all("SELECT (SELECT group_concat(code) FROM p) AS p, \
                 (SELECT group_concat(coalesce(code, '-')) FROM n) AS n"),
        ],
    ));
    v.push(sc(
        "constraints/fk_two_keys_of_a_child_alike",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY, code TEXT UNIQUE)"),
            run("INSERT INTO p VALUES (1, 'a'), (2, 'b'), (3, 'c'), (4, 'd')"),
            run("CREATE TABLE two (x REFERENCES p(code) ON UPDATE SET NULL, y REFERENCES p(code) ON UPDATE SET NULL)"),
            run("INSERT INTO two VALUES ('a', 'a'), ('b', 'a'), (NULL, 'b'), ('c', 'd')"),
            run("UPDATE p SET code = 's' WHERE id = 1"),
            run("UPDATE p SET code = 'e' WHERE id = 2"),
            run("UPDATE p SET code = code || 'z'"),
            run("CREATE TABLE m (s REFERENCES p(id) ON DELETE CASCADE, r REFERENCES p(id) ON DELETE CASCADE)"),
            run("INSERT INTO m VALUES (1, 2), (2, 1), (3, 3), (1, 1), (4, 3)"),
            run("DELETE FROM p WHERE id = 1"),
            all("SELECT (SELECT count(*) FROM m) AS m, \
                 (SELECT group_concat(coalesce(x, '-') || coalesce(y, '-')) FROM two) AS two"),
        ],
    ));
    v.push(sc(
        "constraints/fk_actions_on_one_child_and_without_rowid",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY)"),
            run("CREATE TABLE two (a REFERENCES p(id) ON DELETE CASCADE, b REFERENCES p(id) ON DELETE SET NULL)"),
            run("CREATE TABLE w (k INTEGER PRIMARY KEY, pid REFERENCES p(id) ON DELETE CASCADE) WITHOUT ROWID"),
            run("CREATE TABLE x (pid REFERENCES p(id) ON DELETE SET NULL)"),
            run("INSERT INTO p VALUES (1), (2), (3)"),
            run("INSERT INTO two VALUES (1, 2), (2, 1), (3, 3)"),
            run("INSERT INTO w VALUES (1, 1), (2, 2)"),
            run("INSERT INTO x VALUES (1), (2)"),
            run("DELETE FROM p WHERE id = 1"),
            run("CREATE TABLE tree (id INTEGER PRIMARY KEY, up REFERENCES tree(id) ON DELETE CASCADE)"),
            run("INSERT INTO tree VALUES (1, NULL), (2, 1), (3, 2), (4, 1)"),
            run("DELETE FROM tree WHERE id = 1"),
            run("DROP TABLE x"),
            all("SELECT (SELECT count(*) FROM two) AS two, (SELECT count(*) FROM w) AS w, \
                 (SELECT count(*) FROM tree) AS tree"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Triggers
// ---------------------------------------------------------------------------------

fn triggers(v: &mut Vec<Scenario>) {
    const T: &str = "CREATE TABLE t (id INTEGER PRIMARY KEY, v)";
    const LOG: &str = "CREATE TABLE log (msg)";
    v.push(
        sc(
            "trigger/before_and_after_each_event",
            vec![
                run(T),
                run(LOG),
                run("CREATE TRIGGER bi BEFORE INSERT ON t BEGIN INSERT INTO log VALUES ('bi ' || new.v); END"),
                run("CREATE TRIGGER ai AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('ai ' || new.id); END"),
                run("CREATE TRIGGER bu BEFORE UPDATE ON t BEGIN INSERT INTO log VALUES ('bu ' || old.v || '>' || new.v); END"),
                run("CREATE TRIGGER au AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('au ' || new.v); END"),
                run("CREATE TRIGGER bd BEFORE DELETE ON t BEGIN INSERT INTO log VALUES ('bd ' || old.v); END"),
                run("CREATE TRIGGER ad AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('ad ' || old.id); END"),
                run("INSERT INTO t (v) VALUES ('x'), ('y')"),
                run("UPDATE t SET v = v || '2'"),
                run("DELETE FROM t WHERE id = 1"),
                all("SELECT msg FROM log ORDER BY rowid"),
            ],
        ),
    );
    v.push(
        sc(
            "trigger/update_of_columns_and_when",
            vec![
                run("CREATE TABLE t (id INTEGER PRIMARY KEY, a, b)"),
                run(LOG),
                run("CREATE TRIGGER only_a AFTER UPDATE OF a ON t BEGIN INSERT INTO log VALUES ('a ' || new.a); END"),
                run("CREATE TRIGGER big AFTER INSERT ON t WHEN new.a > 10 BEGIN INSERT INTO log VALUES ('big ' || new.a); END"),
                run("INSERT INTO t (a, b) VALUES (1, 1), (20, 2)"),
                run("UPDATE t SET b = b + 1"),
                run("UPDATE t SET a = a + 1 WHERE id = 1"),
                run("UPDATE t SET a = a, b = 0"),
                all("SELECT msg FROM log ORDER BY rowid"),
            ],
        ),
    );
    v.push(
        sc(
            "trigger/instead_of_on_views",
            vec![
                run(T),
                run("CREATE VIEW v AS SELECT id, upper(v) AS up FROM t"),
                run("INSERT INTO v (up) VALUES ('x')"),
                run("CREATE TRIGGER vi INSTEAD OF INSERT ON v BEGIN INSERT INTO t (v) VALUES (lower(new.up)); END"),
                run("CREATE TRIGGER vu INSTEAD OF UPDATE ON v BEGIN UPDATE t SET v = lower(new.up) WHERE id = old.id; END"),
                run("CREATE TRIGGER vd INSTEAD OF DELETE ON v BEGIN DELETE FROM t WHERE id = old.id; END"),
                run("INSERT INTO v (up) VALUES ('HELLO'), ('WORLD')"),
                run("UPDATE v SET up = 'BYE' WHERE id = 1"),
                run("DELETE FROM v WHERE id = 2"),
                all("SELECT id, up FROM v ORDER BY id"),
                all("SELECT id, v FROM t ORDER BY id"),
                run("CREATE TRIGGER bad INSTEAD OF INSERT ON t BEGIN SELECT 1; END"),
                run("CREATE TRIGGER bad2 BEFORE INSERT ON v BEGIN SELECT 1; END"),
            ],
        ),
    );
    v.push(
        sc(
            "trigger/raise_kinds",
            vec![
                run(T),
                run(LOG),
                run("CREATE TRIGGER ign BEFORE INSERT ON t WHEN new.v = 'ignore' BEGIN SELECT RAISE(IGNORE); END"),
                run("CREATE TRIGGER abt BEFORE INSERT ON t WHEN new.v = 'abort' BEGIN SELECT RAISE(ABORT, 'aborted here'); END"),
                run("CREATE TRIGGER fl BEFORE INSERT ON t WHEN new.v = 'fail' BEGIN SELECT RAISE(FAIL, 'failed here'); END"),
                run("CREATE TRIGGER upd BEFORE UPDATE ON t BEGIN SELECT RAISE(ABORT, 'no updates: ' || old.v); END"),
                run("INSERT INTO t (v) VALUES ('ok'), ('ignore'), ('ok2')"),
                run("INSERT INTO t (v) VALUES ('x'), ('abort')"),
                run("INSERT INTO t (v) VALUES ('y'), ('fail')"),
                run("UPDATE t SET v = 'changed'"),
                batch(vec![
                    stmt("INSERT INTO t (v) VALUES ('in batch')"),
                    stmt("INSERT INTO t (v) VALUES ('fail')"),
                ]),
                all("SELECT v FROM t ORDER BY id"),
                all("SELECT RAISE(ABORT, 'outside')"),
            ],
        ),
    );
    v.push(sc(
        "trigger/new_and_old_references",
        vec![
            run("CREATE TABLE acct (id INTEGER PRIMARY KEY, balance INTEGER NOT NULL)"),
            run("CREATE TABLE hist (acct INTEGER, delta INTEGER)"),
            run("CREATE TRIGGER track AFTER UPDATE OF balance ON acct \
                 WHEN new.balance <> old.balance BEGIN \
                 INSERT INTO hist VALUES (new.id, new.balance - old.balance); END"),
            run(
                "CREATE TRIGGER nonneg BEFORE UPDATE ON acct WHEN new.balance < 0 BEGIN \
                 SELECT RAISE(ABORT, 'insufficient funds'); END",
            ),
            run("INSERT INTO acct VALUES (1, 100), (2, 50)"),
            batch(vec![
                stmt("UPDATE acct SET balance = balance - 30 WHERE id = 1"),
                stmt("UPDATE acct SET balance = balance + 30 WHERE id = 2"),
            ]),
            batch(vec![
                stmt("UPDATE acct SET balance = balance + 500 WHERE id = 1"),
                stmt("UPDATE acct SET balance = balance - 500 WHERE id = 2"),
            ]),
            all("SELECT id, balance FROM acct ORDER BY id"),
            all("SELECT acct, delta FROM hist ORDER BY rowid"),
            run("CREATE TRIGGER bad AFTER INSERT ON acct BEGIN SELECT old.id; END"),
            run("INSERT INTO acct VALUES (3, 0)"),
        ],
    ));
    v.push(sc(
        "trigger/errors_at_run_time_and_changes",
        vec![
            run(T),
            run(LOG),
            run("CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO missing VALUES (1); END"),
            run("INSERT INTO t (v) VALUES (1)"),
            run("DROP TRIGGER tr"),
            run(
                "CREATE TRIGGER tr2 AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); \
                 INSERT INTO log VALUES (new.v * 2); DELETE FROM log WHERE msg = 0; END",
            ),
            run("INSERT INTO t (v) VALUES (1), (0)"),
            all("SELECT msg FROM log ORDER BY rowid"),
            run("CREATE TRIGGER tr2 AFTER INSERT ON t BEGIN SELECT 1; END"),
            run("CREATE TRIGGER IF NOT EXISTS tr2 AFTER INSERT ON t BEGIN SELECT 1; END"),
            run("DROP TRIGGER IF EXISTS nope"),
            all("SELECT name, tbl_name FROM sqlite_master WHERE type = 'trigger'"),
        ],
    ));
    v.push(sc(
        "trigger/rows_counted_per_firing",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"),
            run("CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT, at INTEGER)"),
            run("CREATE INDEX log_at ON log(at)"),
            run("CREATE TRIGGER ti AFTER INSERT ON t BEGIN \
                     INSERT INTO log (msg, at) VALUES ('ins ' || new.v, new.id); END"),
            run("CREATE TRIGGER tu AFTER UPDATE ON t BEGIN \
                     UPDATE log SET msg = 'upd ' || new.v WHERE at = new.id; END"),
            run(
                "CREATE TRIGGER td BEFORE DELETE ON t WHEN old.v <> 'keep' BEGIN \
                     DELETE FROM log WHERE at = old.id; END",
            ),
            run("INSERT INTO t (v) VALUES ('a'), ('b'), ('c')"),
            run("UPDATE t SET v = 'keep' WHERE id = 3"),
            run("UPDATE t SET v = v || '!' WHERE id = 2"),
            run("DELETE FROM t WHERE id = 1"),
            run("DELETE FROM t WHERE id = 3"),
            all("SELECT msg, at FROM log ORDER BY id"),
        ],
    ));
    v.push(sc(
        "trigger/chains_and_when_per_row",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, n INTEGER)"),
            run("CREATE TABLE log (msg)"),
            run("CREATE TABLE tally (k TEXT PRIMARY KEY, c INTEGER)"),
            run("INSERT INTO tally VALUES ('big', 0), ('log', 0)"),
            run(
                "CREATE TRIGGER big AFTER INSERT ON t WHEN new.n > 10 BEGIN \
                     INSERT INTO log VALUES ('big ' || new.n); \
                     UPDATE tally SET c = c + 1 WHERE k = 'big'; END",
            ),
            run("CREATE TRIGGER logged AFTER INSERT ON log BEGIN \
                     UPDATE tally SET c = c + 1 WHERE k = 'log'; END"),
            run("INSERT INTO t (n) VALUES (5), (50), (7), (70)"),
            run("INSERT INTO t (n) VALUES (99)"),
            run("INSERT INTO t (n) VALUES (3)"),
            run("UPDATE tally SET c = 0"),
            run("CREATE TABLE box (id INTEGER PRIMARY KEY, n INTEGER)"),
            run(
                "CREATE TRIGGER boxed AFTER INSERT ON box WHEN new.n > 10 BEGIN \
                     UPDATE t SET n = n + 1 WHERE id = 1; END",
            ),
            run("INSERT INTO box VALUES (1, 5)"),
            run("INSERT INTO box VALUES (2, 50)"),
            run("INSERT INTO t (n) SELECT n + 1 FROM t WHERE n > 60"),
            all("SELECT k, c FROM tally ORDER BY k"),
        ],
    ));
    v.push(
        sc(
            "trigger/multi_row_changes",
            vec![
                run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"),
                run("CREATE TABLE log (msg)"),
                run("CREATE TRIGGER td AFTER DELETE ON t BEGIN INSERT INTO log VALUES ('del ' || old.v); END"),
                run("CREATE TRIGGER tu AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('upd ' || old.v); END"),
                run("INSERT INTO t (v) VALUES ('a'), ('b'), ('c'), ('d')"),
                run("UPDATE t SET v = v || '!' WHERE id IN (1, 2)"),
                run("UPDATE t SET v = v || '?' WHERE v > 'b'"),
                run("DELETE FROM t WHERE id IN (1, 3)"),
                run("DELETE FROM t WHERE v = 'd?'"),
                all("SELECT msg FROM log ORDER BY rowid"),
            ],
        ),
    );
    v.push(
        sc(
            "trigger/touch_and_replace",
            vec![
                run("CREATE TABLE doc (id INTEGER PRIMARY KEY, slug TEXT UNIQUE, body TEXT, edits INTEGER DEFAULT 0)"),
                run("CREATE TABLE stats (k TEXT PRIMARY KEY, n INTEGER)"),
                run("INSERT INTO stats VALUES ('docs', 0)"),
                run("CREATE TRIGGER touch AFTER UPDATE OF body ON doc BEGIN \
                     UPDATE doc SET edits = edits + 1 WHERE id = new.id; END"),
                run("CREATE TRIGGER counted AFTER INSERT ON doc BEGIN \
                     UPDATE stats SET n = n + 1 WHERE k = 'docs'; END"),
                run("INSERT INTO doc (slug, body) VALUES ('a', 'x'), ('b', 'y'), ('c', 'z')"),
                run("UPDATE doc SET body = body || '!'"),
                run("UPDATE doc SET body = 'new' WHERE slug = 'b'"),
                run("INSERT OR REPLACE INTO doc (id, slug, body) VALUES (1, 'a2', 'r')"),
                run("INSERT INTO doc (slug, body) VALUES ('b', 'up') \
                     ON CONFLICT (slug) DO UPDATE SET body = excluded.body"),
                run("INSERT INTO doc (slug, body) VALUES ('e', 'new') \
                     ON CONFLICT (slug) DO UPDATE SET body = excluded.body"),
                all("SELECT id, slug, body, edits FROM doc ORDER BY id"),
                all("SELECT n FROM stats"),
            ],
        ),
    );
    v.push(sc(
        "trigger/one_trigger_run_from_two_statements",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"),
            run("CREATE TABLE log (id INTEGER PRIMARY KEY, msg TEXT)"),
            run("CREATE TABLE seen (k INTEGER PRIMARY KEY, n INTEGER)"),
            run("INSERT INTO seen VALUES (1, 0)"),
            run("CREATE TRIGGER twice AFTER INSERT ON t BEGIN \
                     INSERT INTO log (msg) VALUES ('a ' || new.v); \
                     INSERT INTO log (msg) VALUES ('b ' || new.v); END"),
            run("CREATE TRIGGER count_log AFTER INSERT ON log BEGIN \
                     UPDATE seen SET n = n + 1 WHERE k = 1; END"),
            run("INSERT INTO t (v) VALUES ('x'), ('y')"),
            run("INSERT INTO t (v) VALUES ('z')"),
            all("SELECT n FROM seen"),
        ],
    ));
    v.push(sc(
        "cte/recursive_links_to_the_root",
        vec![
            run("CREATE TABLE node (id INTEGER PRIMARY KEY, parent INTEGER)"),
            run("INSERT INTO node VALUES (1, NULL), (2, 1), (3, 2), (4, 3), (5, NULL), (6, 5)"),
            all(
                "WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM node WHERE id = 4 \
                     UNION ALL SELECT n.id, n.parent FROM node n JOIN up ON n.id = up.parent) \
                     SELECT id FROM up",
            ),
            all("WITH RECURSIVE up(id, parent) AS (SELECT 6, 5 \
                     UNION ALL SELECT n.id, n.parent FROM node n JOIN up ON n.id = up.parent) \
                     SELECT count(*) AS n FROM up"),
            all(
                "WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM node WHERE id = 3 \
                     UNION ALL SELECT n.id, n.parent FROM node n JOIN up ON n.id = up.parent) \
                     DELETE FROM node WHERE id IN (SELECT id FROM up) RETURNING id",
            ),
        ],
    ));
    v.push(sc(
        "trigger/dropped_with_their_table",
        vec![
            run(T),
            run(LOG),
            run("CREATE TRIGGER tr AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.v); END"),
            run("ALTER TABLE t RENAME TO t2"),
            run("INSERT INTO t2 (v) VALUES ('renamed')"),
            all("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'"),
            run("DROP TABLE t2"),
            all("SELECT count(*) AS n FROM sqlite_master WHERE type = 'trigger'"),
            all("SELECT msg FROM log"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Window functions
// ---------------------------------------------------------------------------------

fn scores() -> Vec<Step> {
    vec![
        run("CREATE TABLE s (id INTEGER PRIMARY KEY, team TEXT, pts INTEGER)"),
        run(
            "INSERT INTO s (team, pts) VALUES ('a', 10), ('a', 20), ('a', 20), ('b', 5), \
             ('b', 15), ('c', 30)",
        ),
    ]
}

fn with(mut setup: Vec<Step>, steps: Vec<Step>) -> Vec<Step> {
    setup.extend(steps);
    setup
}

fn windows(v: &mut Vec<Scenario>) {
    v.push(sc(
        "window/ranking_functions",
        with(
            scores(),
            vec![all(
                "SELECT id, pts, row_number() OVER w AS rn, rank() OVER w AS rk, \
                 dense_rank() OVER w AS dr, percent_rank() OVER w AS pr, cume_dist() OVER w AS cd, \
                 ntile(4) OVER w AS nt FROM s WINDOW w AS (ORDER BY pts DESC) ORDER BY id",
            )],
        ),
    ));
    v.push(sc(
        "window/partitions_and_value_functions",
        with(
            scores(),
            vec![all(
                "SELECT id, team, pts, lag(pts) OVER p AS prev, lead(pts, 1, -1) OVER p AS next, \
                     first_value(pts) OVER p AS first, last_value(pts) OVER p AS last_so_far, \
                     nth_value(pts, 2) OVER p AS second, \
                     sum(pts) OVER (PARTITION BY team) AS team_total, \
                     row_number() OVER (PARTITION BY team ORDER BY pts DESC, id) AS place \
                     FROM s WINDOW p AS (PARTITION BY team ORDER BY id) ORDER BY id",
            )],
        ),
    ));
    v.push(
        sc(
            "window/frames",
            with(
                scores(),
                vec![
                    all("SELECT id, sum(pts) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING) AS r3, \
                         sum(pts) OVER (ORDER BY pts RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) AS rng, \
                         sum(pts) OVER (ORDER BY pts GROUPS BETWEEN 1 PRECEDING AND CURRENT ROW) AS grp, \
                         count(*) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest, \
                         sum(pts) OVER (ORDER BY id ROWS UNBOUNDED PRECEDING EXCLUDE CURRENT ROW) AS before, \
                         sum(pts) OVER (ORDER BY pts RANGE UNBOUNDED PRECEDING EXCLUDE TIES) AS ties, \
                         sum(pts) OVER (ORDER BY pts ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING EXCLUDE GROUP) AS grp_ex \
                         FROM s ORDER BY id"),
                    all("SELECT id, last_value(pts) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS lv \
                         FROM s ORDER BY id"),
                ],
            ),
        ),
    );
    v.push(sc(
        "window/aggregates_with_filter",
        with(
            scores(),
            vec![
                all(
                    "SELECT id, count(*) FILTER (WHERE pts > 10) OVER (ORDER BY id) AS big_so_far, \
                         avg(pts) OVER (PARTITION BY team) AS team_avg, \
                         max(pts) OVER (ORDER BY id ROWS 2 PRECEDING) AS recent_max, \
                         group_concat(pts, '+') OVER (PARTITION BY team ORDER BY id) AS gc, \
                         total(pts) FILTER (WHERE team <> 'a') OVER () AS not_a \
                         FROM s ORDER BY id",
                ),
                all(
                    "SELECT team, sum(pts) AS s, rank() OVER (ORDER BY sum(pts) DESC) AS r FROM s \
                         GROUP BY team ORDER BY team",
                ),
            ],
        ),
    ));
    v.push(
        sc(
            "window/in_subqueries_and_ctes",
            with(
                scores(),
                vec![
                    all("SELECT team, pts FROM (SELECT team, pts, row_number() OVER (PARTITION BY team \
                         ORDER BY pts DESC, id) AS rn FROM s) WHERE rn = 1 ORDER BY team"),
                    all("WITH ranked AS (SELECT id, pts, pts - lag(pts, 1, pts) OVER (ORDER BY id) AS delta \
                         FROM s) SELECT id, delta FROM ranked WHERE delta <> 0 ORDER BY id"),
                    run("UPDATE s SET pts = (SELECT r FROM (SELECT id, rank() OVER (ORDER BY pts) AS r FROM s) x \
                         WHERE x.id = s.id)"),
                    all("SELECT id, pts FROM s ORDER BY id"),
                ],
            ),
        ),
    );
    // A window reads its partition's table once per row of its input and once per
    // partition: an input filtered, partitions over a filtered input bound by a value,
    // by an expression, over a common table, rows handed on in another order;
    // `nth_value`, `first_value` read their row only where the frame has it; `min()`,
    // `max()` over a moving frame read its index per row (or set of peers) and per row
    // leaving it.
    v.push(
        sc(
            "window/reads_per_row_and_partition",
            with(
                scores(),
                vec![
                    all("SELECT id, lag(pts) OVER (ORDER BY id) AS prev FROM s WHERE pts > 10 ORDER BY id"),
                    all("SELECT id, row_number() OVER w AS rn, sum(pts) OVER (w ROWS UNBOUNDED PRECEDING) AS run \
                         FROM s WHERE team <> ? WINDOW w AS (PARTITION BY team ORDER BY id) ORDER BY id")
                    .bind(p!["c"]),
                    all("SELECT id, sum(pts) OVER (PARTITION BY pts > 10) AS s FROM s ORDER BY id"),
                    all("WITH big AS (SELECT * FROM s WHERE pts >= 10) SELECT id, team, \
                         count(*) OVER (PARTITION BY team) AS n FROM big ORDER BY id"),
                    all("SELECT team, lead(pts, 1, 0) OVER (PARTITION BY team ORDER BY pts DESC, id) AS next \
                         FROM s ORDER BY id"),
                    all("SELECT id, nth_value(pts, 3) OVER (ORDER BY pts) AS third, \
                         nth_value(pts, id % 3 + 1) OVER (ORDER BY id) AS some FROM s ORDER BY id"),
                    all("SELECT id, first_value(pts) OVER (ORDER BY id ROWS BETWEEN 1 FOLLOWING AND 2 FOLLOWING) AS f, \
                         nth_value(id, 2) OVER (PARTITION BY team ORDER BY pts RANGE 5 PRECEDING) AS n FROM s ORDER BY id"),
                    all("SELECT id, min(pts) FILTER (WHERE pts > 10) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS lo, \
                         max(pts) OVER (PARTITION BY team ORDER BY id ROWS 1 PRECEDING) AS hi FROM s ORDER BY id"),
                    all("SELECT id, max(pts) OVER (ORDER BY pts RANGE BETWEEN 5 PRECEDING AND CURRENT ROW) AS r, \
                         min(id) OVER (ORDER BY pts GROUPS 1 PRECEDING) AS g FROM s ORDER BY id"),
                ],
            ),
        ),
    );
}

// ---------------------------------------------------------------------------------
// CTEs
// ---------------------------------------------------------------------------------

fn ctes(v: &mut Vec<Scenario>) {
    v.push(sc(
        "cte/recursive_sequences",
        vec![
            all("WITH RECURSIVE fib(a, b, n) AS (SELECT 0, 1, 1 UNION ALL SELECT b, a + b, n + 1 \
                 FROM fib WHERE n < 20) SELECT group_concat(a, ',') AS f FROM fib"),
            all("WITH RECURSIVE d(day) AS (SELECT '2024-02-26' UNION ALL SELECT date(day, '+1 day') \
                 FROM d WHERE day < '2024-03-02') SELECT day FROM d"),
            all("WITH RECURSIVE c(x) AS (SELECT 1 UNION SELECT x % 3 + 1 FROM c) SELECT x FROM c ORDER BY x"),
            all("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n LIMIT 5) SELECT sum(x) AS s FROM n"),
        ],
    ));
    v.push(sc(
        "cte/tree_traversal",
        vec![
            run("CREATE TABLE node (id INTEGER PRIMARY KEY, parent INTEGER, name TEXT)"),
            run("INSERT INTO node VALUES (1, NULL, 'root'), (2, 1, 'a'), (3, 1, 'b'), (4, 2, 'a1'), \
                 (5, 4, 'a1x'), (6, 3, 'b1')"),
            all("WITH RECURSIVE sub(id, name, depth, path) AS (SELECT id, name, 0, name FROM node WHERE id = 1 \
                 UNION ALL SELECT n.id, n.name, depth + 1, path || '/' || n.name FROM node n \
                 JOIN sub ON n.parent = sub.id) SELECT id, depth, path FROM sub ORDER BY path"),
            all("WITH RECURSIVE up(id, parent) AS (SELECT id, parent FROM node WHERE id = 5 \
                 UNION ALL SELECT n.id, n.parent FROM node n JOIN up ON n.id = up.parent) \
                 SELECT group_concat(id, '<') AS chain FROM up"),
            all("WITH RECURSIVE sub(id) AS (SELECT 2 UNION ALL SELECT n.id FROM node n, sub WHERE n.parent = sub.id) \
                 DELETE FROM node WHERE id IN sub RETURNING id"),
        ],
    ));
    v.push(
        sc(
            "cte/several_and_materialized",
            vec![
                run("CREATE TABLE t (k TEXT, n INTEGER)"),
                run("INSERT INTO t VALUES ('a', 1), ('b', 2), ('a', 3)"),
                all("WITH a AS (SELECT k, sum(n) AS s FROM t GROUP BY k), b AS MATERIALIZED (SELECT max(s) AS m FROM a), \
                     c AS NOT MATERIALIZED (SELECT k FROM a, b WHERE s = m) SELECT * FROM c"),
                all("WITH x(a, b) AS (VALUES (1, 2), (3, 4)) SELECT a + b AS s FROM x ORDER BY s"),
                all("WITH x(a) AS (SELECT 1, 2) SELECT * FROM x"),
                all("WITH x AS (SELECT 1 AS a), x AS (SELECT 2 AS a) SELECT * FROM x"),
                all("WITH RECURSIVE r(x) AS (SELECT x FROM r) SELECT * FROM r"),
            ],
        ),
    );
    v.push(
        sc(
            "cte/in_writes",
            vec![
                run("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"),
                run("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 10) \
                     INSERT INTO t (v) SELECT x * x FROM n"),
                run("WITH big AS (SELECT id FROM t WHERE v > 50) UPDATE t SET v = -v WHERE id IN big"),
                run("WITH odd AS (SELECT id FROM t WHERE v % 2 = 1) DELETE FROM t WHERE id IN (SELECT id FROM odd)"),
                all("SELECT id, v FROM t ORDER BY id"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// Upserts
// ---------------------------------------------------------------------------------

fn upserts(v: &mut Vec<Scenario>) {
    v.push(
        sc(
            "upsert/do_update_with_where",
            vec![
                run("CREATE TABLE kv (k TEXT PRIMARY KEY, v INTEGER, hits INTEGER DEFAULT 1)"),
                run("INSERT INTO kv (k, v) VALUES ('a', 1)"),
                run("INSERT INTO kv (k, v) VALUES ('a', 5) ON CONFLICT (k) DO UPDATE SET v = excluded.v, \
                     hits = hits + 1 WHERE excluded.v > kv.v"),
                run("INSERT INTO kv (k, v) VALUES ('a', 2) ON CONFLICT (k) DO UPDATE SET v = excluded.v, \
                     hits = hits + 1 WHERE excluded.v > kv.v"),
                run("INSERT INTO kv (k, v) VALUES ('b', 1), ('a', 9), ('b', 2) ON CONFLICT (k) DO UPDATE \
                     SET v = kv.v + excluded.v, hits = hits + 1"),
                all("SELECT k, v, hits FROM kv ORDER BY k"),
            ],
        ),
    );
    v.push(
        sc(
            "upsert/multiple_conflict_targets",
            vec![
                run("CREATE TABLE u (id INTEGER PRIMARY KEY, email TEXT UNIQUE, name TEXT, n INTEGER DEFAULT 0)"),
                run("INSERT INTO u (id, email, name) VALUES (1, 'a@x', 'a')"),
                run("INSERT INTO u (id, email, name) VALUES (2, 'a@x', 'dup') \
                     ON CONFLICT (id) DO UPDATE SET n = n + 10 \
                     ON CONFLICT (email) DO UPDATE SET n = n + 1"),
                run("INSERT INTO u (id, email, name) VALUES (1, 'b@x', 'dup') \
                     ON CONFLICT (id) DO UPDATE SET n = n + 10 \
                     ON CONFLICT (email) DO UPDATE SET n = n + 1"),
                run("INSERT INTO u (id, email, name) VALUES (1, 'c@x', 'z') ON CONFLICT (email) DO NOTHING"),
                run("INSERT INTO u (id, email, name) VALUES (3, 'a@x', 'z') ON CONFLICT DO UPDATE SET name = 'last'"),
                all("SELECT id, email, name, n FROM u ORDER BY id"),
            ],
        ),
    );
    v.push(
        sc(
            "upsert/errors",
            vec![
                run("CREATE TABLE t (a TEXT UNIQUE, b, c)"),
                run("INSERT INTO t VALUES ('x', 1, 1) ON CONFLICT (b) DO NOTHING"),
                run("INSERT INTO t VALUES ('x', 1, 1) ON CONFLICT (nope) DO NOTHING"),
                run("INSERT INTO t VALUES ('x', 1, 1) ON CONFLICT DO NOTHING ON CONFLICT (a) DO NOTHING"),
                run("INSERT INTO t VALUES ('x', 1, 1) ON CONFLICT (a) DO UPDATE SET nope = 1"),
                run("INSERT INTO t SELECT 'y', 2, 3 ON CONFLICT (a) DO NOTHING"),
                run("INSERT INTO t SELECT 'y', 2, 3 FROM (SELECT 1) WHERE true ON CONFLICT (a) DO UPDATE SET b = 9"),
                all("SELECT a, b, c FROM t ORDER BY a"),
            ],
        ),
    );
    v.push(
        sc(
            "upsert/composite_and_partial_targets",
            vec![
                run("CREATE TABLE t (a, b, v, PRIMARY KEY (a, b))"),
                run("CREATE UNIQUE INDEX t_v ON t(v) WHERE v > 0"),
                run("INSERT INTO t VALUES (1, 1, 1), (1, 2, -1)"),
                run("INSERT INTO t VALUES (1, 2, 5) ON CONFLICT (a, b) DO UPDATE SET v = excluded.v"),
                run("INSERT INTO t VALUES (2, 2, 5) ON CONFLICT (v) WHERE v > 0 DO UPDATE SET v = 50"),
                run("INSERT INTO t VALUES (3, 3, 5) ON CONFLICT (v) DO NOTHING"),
                run("INSERT INTO t VALUES (1, 1, 7) ON CONFLICT (b, a) DO UPDATE SET v = excluded.v * 10"),
                all("SELECT a, b, v FROM t ORDER BY a, b"),
            ],
        ),
    );
    v.push(
        sc(
            "upsert/counters_and_changes",
            vec![
                run("CREATE TABLE c (name TEXT PRIMARY KEY, n INTEGER NOT NULL)"),
                run("INSERT INTO c VALUES ('x', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1"),
                run("INSERT INTO c VALUES ('x', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1"),
                run("INSERT INTO c VALUES ('x', 1), ('y', 1), ('x', 1) ON CONFLICT (name) DO UPDATE SET n = n + 1"),
                run("INSERT INTO c VALUES ('x', 1) ON CONFLICT (name) DO UPDATE SET n = NULL"),
                all("SELECT name, n FROM c ORDER BY name"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// Generated columns
// ---------------------------------------------------------------------------------

fn generated(v: &mut Vec<Scenario>) {
    v.push(sc(
        "generated/virtual_and_stored",
        vec![
            run("CREATE TABLE t (w REAL, h REAL, area REAL AS (w * h), \
                 label TEXT GENERATED ALWAYS AS (printf('%gx%g', w, h)) STORED, \
                 big INTEGER AS (area > 10) VIRTUAL)"),
            run("INSERT INTO t (w, h) VALUES (2, 3), (4, 5)"),
            all("SELECT w, h, area, label, big FROM t ORDER BY rowid"),
            run("UPDATE t SET w = 10 WHERE rowid = 1"),
            all("SELECT * FROM t ORDER BY rowid"),
            all("SELECT label FROM t WHERE big ORDER BY area DESC"),
        ],
    ));
    v.push(sc(
        "generated/write_errors",
        vec![
            run("CREATE TABLE t (a INTEGER, g AS (a + 1))"),
            run("INSERT INTO t (a, g) VALUES (1, 2)"),
            run("INSERT INTO t VALUES (1, 2)"),
            run("INSERT INTO t VALUES (1)"),
            run("UPDATE t SET g = 5"),
            run("ALTER TABLE t ADD COLUMN s AS (a * 2) STORED"),
            run("ALTER TABLE t ADD COLUMN v AS (a * 3)"),
            all("SELECT a, g, v FROM t"),
            run("CREATE TABLE bad (a, g AS (g + 1))"),
            run("CREATE TABLE bad2 (a AS (b), b AS (a))"),
            run("CREATE TABLE bad3 (a INTEGER PRIMARY KEY AS (1))"),
            run("CREATE TABLE bad4 (a, g AS (random()))"),
        ],
    ));
    v.push(
        sc(
            "generated/indexed_and_constrained",
            vec![
                run("CREATE TABLE t (doc TEXT, k TEXT AS (doc ->> 'k'), n INTEGER AS (doc ->> 'n') NOT NULL, \
                     CHECK (n >= 0))"),
                run("CREATE UNIQUE INDEX tk ON t(k)"),
                run("INSERT INTO t (doc) VALUES ('{\"k\":\"a\",\"n\":1}')"),
                run("INSERT INTO t (doc) VALUES ('{\"k\":\"a\",\"n\":2}')"),
                run("INSERT INTO t (doc) VALUES ('{\"k\":\"b\"}')"),
                run("INSERT INTO t (doc) VALUES ('{\"k\":\"c\",\"n\":-1}')"),
                all("SELECT k, n FROM t WHERE k = 'a'"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// Views
// ---------------------------------------------------------------------------------

fn views(v: &mut Vec<Scenario>) {
    v.push(sc(
        "view/select_join_and_aggregate",
        vec![
            run("CREATE TABLE u (id INTEGER PRIMARY KEY, name TEXT)"),
            run("CREATE TABLE o (id INTEGER PRIMARY KEY, uid INTEGER, amount REAL)"),
            run("INSERT INTO u VALUES (1, 'ada'), (2, 'bob')"),
            run("INSERT INTO o (uid, amount) VALUES (1, 10), (1, 5.5), (2, 1)"),
            run(
                "CREATE VIEW totals (who, total, orders) AS SELECT u.name, sum(o.amount), count(*) \
                     FROM u JOIN o ON o.uid = u.id GROUP BY u.id",
            ),
            all("SELECT * FROM totals ORDER BY who"),
            all("SELECT who FROM totals WHERE total > ?").bind(p![2.5]),
            run("CREATE VIEW IF NOT EXISTS totals AS SELECT 1"),
            run("CREATE VIEW nested AS SELECT who, total * 2 AS doubled FROM totals"),
            all("SELECT * FROM nested ORDER BY doubled"),
        ],
    ));
    v.push(sc(
        "view/writes_and_errors",
        vec![
            run("CREATE TABLE t (a)"),
            run("CREATE VIEW v AS SELECT a FROM t"),
            run("INSERT INTO v VALUES (1)"),
            run("UPDATE v SET a = 2"),
            run("DELETE FROM v"),
            run("CREATE VIEW bad AS SELECT nope FROM t"),
            run("CREATE VIEW bad2 AS SELECT * FROM missing"),
            run("CREATE VIEW w (x, y) AS SELECT a FROM t"),
            run("CREATE VIEW p AS SELECT ? AS x"),
            run("CREATE INDEX vi ON v(a)"),
            run("ALTER TABLE v ADD COLUMN b"),
            all("SELECT name FROM sqlite_master ORDER BY name"),
        ],
    ));
    v.push(sc(
        "view/breaks_when_its_table_goes",
        vec![
            run("CREATE TABLE t (a, b)"),
            run("INSERT INTO t VALUES (1, 2)"),
            run("CREATE VIEW v AS SELECT a, b FROM t"),
            run("ALTER TABLE t RENAME COLUMN b TO c"),
            all("SELECT * FROM v"),
            all("SELECT sql FROM sqlite_master WHERE name = 'v'"),
            run("ALTER TABLE t DROP COLUMN c"),
            run("DROP TABLE t"),
            all("SELECT * FROM v"),
            run("DROP VIEW v"),
            all("SELECT count(*) AS n FROM sqlite_master"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Date and time (fixed inputs only)
// ---------------------------------------------------------------------------------

fn dates(v: &mut Vec<Scenario>) {
    v.push(sc(
        "datetime/core_functions",
        vec![all(
            "SELECT date('2024-02-29 13:45:10') AS a, time('2024-02-29 13:45:10.123') AS b, \
             datetime('2024-02-29T13:45:10Z') AS c, julianday('2024-02-29') AS d, \
             unixepoch('2024-02-29 00:00:00') AS e, datetime(1709164800, 'unixepoch') AS f, \
             date(2460369.5) AS g, datetime('2024-02-29 13:45:10+02:00') AS h, \
             time('13:45') AS i, datetime('2024-02-29 13:45') AS j, date('20240229') AS k, \
             date('2024-13-01') AS l, date('2024-02-30') AS m, datetime('garbage') AS n, \
             date(NULL) AS o, typeof(julianday('2000-01-01')) AS p",
        )],
    ));
    v.push(sc(
        "datetime/strftime_formats",
        vec![all(
            "SELECT strftime('%Y-%m-%d %H:%M:%S', '2024-03-05 07:08:09') AS a, \
             strftime('%j %w %W %u', '2024-03-05') AS b, strftime('%s', '2024-03-05') AS c, \
             strftime('%f', '2024-03-05 07:08:09.250') AS d, strftime('%J', '2024-03-05') AS e, \
             strftime('%%|%e|%k|%l|%p|%I', '2024-03-05 17:08:09') AS f, strftime('%G-%V', '2021-01-01') AS g, \
             strftime('%d/%m/%Y', '2024-03-05') AS h, strftime('%Q', '2024-03-05') AS i, \
             strftime('%y %b %a', '2024-03-05') AS j, typeof(strftime('%s', '2024-03-05')) AS k, \
             strftime('%H:%M', 1709625600, 'unixepoch') AS l, strftime(NULL, '2024-03-05') AS m",
        )],
    ));
    v.push(sc(
        "datetime/modifiers",
        vec![all(
            "SELECT date('2024-01-31', '+1 month') AS a, date('2024-02-29', '+1 year') AS b, \
             date('2024-03-15', 'start of month') AS c, date('2024-03-15', 'start of year') AS d, \
             datetime('2024-03-15 10:20:30', 'start of day') AS e, date('2024-03-15', 'weekday 0') AS f, \
             date('2024-03-15', '-1 day', 'weekday 1') AS g, datetime('2024-03-15', '+90 minutes') AS h, \
             datetime('2024-03-15', '+1.5 hours') AS i, date('2024-03-15', '+2 years', '-3 months') AS j, \
             datetime(1709164800.5, 'unixepoch', 'subsec') AS k, datetime(1709164800, 'auto') AS l, \
             date('2024-03-15', 'nonsense') AS m, date('2024-03-31', '-1 month') AS n, \
             datetime('2024-03-15 12:00', '+1 day', '-0.5 seconds') AS o, \
             date('2024-01-31', '+1 month', 'floor') AS p, date('2024-01-31', '+1 month', 'ceiling') AS q, \
             datetime('2024-03-15', '+01:30') AS r, date(0, 'julianday') AS s",
        )],
    ));
    v.push(sc(
        "datetime/timediff_and_arithmetic",
        vec![all(
            "SELECT timediff('2024-03-01', '2024-02-01') AS a, timediff('2024-02-01', '2024-03-01 12:00') AS b, \
             julianday('2024-03-01') - julianday('2024-02-01') AS c, \
             unixepoch('2024-03-01') - unixepoch('2024-02-28') AS d, \
             (julianday('2024-03-01 06:00') - julianday('2024-03-01')) * 24 AS e, \
             date('2024-02-29', '+' || 30 || ' days') AS f, datetime(0, 'unixepoch') AS g, \
             datetime(-1, 'unixepoch') AS h, date('0000-01-01') AS i, date('9999-12-31', '+1 day') AS j",
        )],
    ));
    v.push(
        sc(
            "datetime/stored_timestamps",
            vec![
                run("CREATE TABLE ev (id INTEGER PRIMARY KEY, at TEXT, ts INTEGER)"),
                run("INSERT INTO ev (at, ts) VALUES ('2024-03-01 10:00:00', 1709287200), \
                     ('2024-03-02 23:59:59', 1709423999), ('2024-02-28 00:00:00', 1709078400)"),
                all("SELECT date(at) AS d, count(*) AS n FROM ev GROUP BY date(at) ORDER BY d"),
                all("SELECT id FROM ev WHERE at BETWEEN '2024-03-01' AND '2024-03-02 23:59:59' ORDER BY id"),
                all("SELECT id, datetime(ts, 'unixepoch') = at AS same, strftime('%s', at) - ts AS diff FROM ev ORDER BY id"),
                all("SELECT strftime('%Y-%m', at) AS month, max(at) AS latest FROM ev GROUP BY month ORDER BY month"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// String functions
// ---------------------------------------------------------------------------------

fn strings(v: &mut Vec<Scenario>) {
    v.push(sc(
        "string/substr_instr_replace",
        vec![all(
            "SELECT substr('hello', 2) AS a, substr('hello', -3) AS b, substr('hello', 0, 2) AS c, \
             substr('hello', 2, -1) AS d, substr('hello', 10) AS e, substring('hello', 1, 3) AS f, \
             substr('日本語テキスト', 2, 3) AS g, substr(x'01020304', 2, 2) AS h, \
             instr('hello', 'l') AS i, instr('hello', 'z') AS j, instr('日本語', '語') AS k, \
             instr(x'010203', x'03') AS l, replace('aaa', 'a', 'bb') AS m, replace('abc', 'B', 'x') AS n, \
             replace(NULL, 'a', 'b') AS o, replace('a.b.c', '.', '') AS p",
        )],
    ));
    v.push(sc(
        "string/trim_case_and_padding",
        vec![all(
            "SELECT trim('  x  ') AS a, ltrim('  x  ') AS b, rtrim('  x  ') AS c, trim('xxhixx', 'x') AS d, \
             ltrim('abcba', 'ab') AS e, rtrim('12300', '0') AS f, upper('straße ÿ') AS g, \
             lower('ÀBC') AS h, upper(NULL) AS i, length(trim(char(9, 10, 32) || 'x')) AS j, \
             printf('%-5s|', 'ab') AS k, printf('%5s|', 'ab') AS l, printf('%05d', 42) AS m, \
             printf('%.3s', 'abcdef') AS n",
        )],
    ));
    v.push(sc(
        "string/printf_formats",
        vec![all(
            "SELECT printf('%d %i %u', 42, -7, 3) AS a, printf('%x %X %o', 255, 255, 8) AS b, \
             printf('%e', 12345.678) AS c, printf('%g %g', 0.0001, 1e20) AS d, printf('%c', 'xyz') AS e, \
             printf('%q', 'it''s') AS f, printf('%Q', 'it''s') AS g, printf('%Q', NULL) AS h, \
             printf('%w', 'a\"b') AS i, printf('%,d', 1234567) AS j, printf('%!.3g', 1.0) AS k, \
             printf('%+d % d', 5, 5) AS l, printf('%#x %#o', 255, 8) AS m, printf('%10.4f|', 3.14159) AS n, \
             printf('%s %s', 'only one') AS o, printf('%z') AS p, printf() AS q, printf(NULL) AS r, \
             format('%s-%s', 1, 2.5) AS s, printf('%lld', 9007199254740991) AS t, printf('%.0f', 2.5) AS u",
        )],
    ));
    v.push(sc(
        "string/quote_hex_char_unicode",
        vec![all(
            "SELECT quote('it''s') AS a, quote(1) AS b, quote(1.5) AS c, quote(NULL) AS d, \
             quote(x'0aff') AS e, hex('é') AS f, hex(255) AS g, hex(NULL) AS h, char(72, 105, 128512) AS i, \
             unicode('€') AS j, unicode('') AS k, char() AS l, unhex('e282ac') AS m, \
             CAST(unhex('e282ac') AS TEXT) AS n, unhex('E282AC', '-') AS o, unhex('e2-82-ac', '-') AS p, \
             concat('a', NULL, 1, 2.5) AS q, concat_ws(',', 'a', NULL, 'b') AS r, 'a' || NULL AS s, \
             octet_length('€') AS t, length(x'0000') AS u, length(123.5) AS v",
        )],
    ));
    v.push(sc(
        "string/like_glob_and_escape",
        vec![all(
            "SELECT 'abc' LIKE 'a_c' AS a, 'ABC' LIKE 'abc' AS b, 'a%c' LIKE 'a\\%c' ESCAPE '\\' AS c, \
             'abc' LIKE 'a\\%c' ESCAPE '\\' AS d, 'ÄBC' LIKE 'äbc' AS e, 'abc' GLOB 'a*' AS f, \
             'abc' GLOB 'A*' AS g, 'abc' GLOB '[a-c]b?' AS h, 'a1' GLOB '*[0-9]' AS i, \
             'abc' GLOB '[^a]*' AS j, 'x' NOT LIKE 'y' AS k, NULL LIKE 'a' AS l, 'a' LIKE NULL AS m, \
             like('a%', 'abc') AS n, glob('a*', 'abc') AS o, 'a_c' LIKE 'a|_c' ESCAPE '|' AS p, \
             'abc' REGEXP 'b' AS q",
        )],
    ));
    v.push(sc(
        "string/like_escape_errors",
        vec![
            all("SELECT 'a' LIKE 'a' ESCAPE 'xy'"),
            all("SELECT 'a' LIKE 'a' ESCAPE ''"),
            all("SELECT 'abc' MATCH 'a'"),
            all("SELECT like('a', 'b', 'cd')"),
        ],
    ));
    v.push(
        sc(
            "string/comparison_and_concatenation",
            vec![
                all("SELECT 'a' < 'b' AS a, 'B' < 'a' AS b, 'abc' = 'ABC' AS c, 'abc' = 'ABC' COLLATE NOCASE AS d, \
                     'a ' = 'a' AS e, 'a ' = 'a' COLLATE RTRIM AS f, '10' < '9' AS g, 10 < '9' AS h, \
                     1 || 2 AS i, 1.5 || 'x' AS j, x'41' || 'b' AS k, '' = x'' AS l, 'é' > 'z' AS m, \
                     max('a', 'B', 'c') AS n, min('a', 'B', 1) AS o"),
                run("CREATE TABLE t (s TEXT)"),
                run("INSERT INTO t VALUES ('b'), ('B'), ('a'), ('é'), ('10'), ('9'), (''), ('A')"),
                all("SELECT group_concat(s, ' ') AS sorted FROM (SELECT s FROM t ORDER BY s)"),
            ],
        ),
    );
}

// ---------------------------------------------------------------------------------
// Aggregates
// ---------------------------------------------------------------------------------

fn aggregates(v: &mut Vec<Scenario>) {
    const T: &str = "CREATE TABLE t (g TEXT, n INTEGER, r REAL, s TEXT)";
    const ROWS: &str = "INSERT INTO t VALUES ('a', 1, 1.5, 'x'), ('a', 2, NULL, 'y'), ('a', 2, 2.5, NULL), \
                        ('b', NULL, NULL, 'z'), ('b', 5, -1, 'x'), ('c', NULL, NULL, NULL)";
    v.push(
        sc(
            "aggregate/basic_per_group",
            vec![
                run(T),
                run(ROWS),
                all("SELECT g, count(*) AS c, count(n) AS cn, count(DISTINCT n) AS cd, sum(n) AS s, total(n) AS t, \
                     avg(n) AS a, min(r) AS lo, max(r) AS hi, min(s) AS ms, max(s) AS xs \
                     FROM t GROUP BY g ORDER BY g"),
                all("SELECT count(*) AS c, sum(n) AS s, avg(r) AS a, max(s) AS m FROM t WHERE g = 'none'"),
                all("SELECT g, sum(n) AS s FROM t GROUP BY g HAVING sum(n) > 2 OR sum(n) IS NULL ORDER BY g"),
            ],
        ),
    );
    v.push(
        sc(
            "aggregate/group_concat_and_string_agg",
            vec![
                run(T),
                run(ROWS),
                all("SELECT g, group_concat(s) AS a, group_concat(s, '') AS b, group_concat(DISTINCT s) AS c, \
                     string_agg(s, ';') AS d, group_concat(n, '-' ORDER BY n DESC) AS e, \
                     string_agg(s, ',' ORDER BY s DESC) AS f FROM t GROUP BY g ORDER BY g"),
                all("SELECT group_concat(r) AS r, group_concat(NULL) AS n FROM t"),
                all("SELECT string_agg(s) FROM t"),
            ],
        ),
    );
    v.push(
        sc(
            "aggregate/filter_distinct_and_order",
            vec![
                run(T),
                run(ROWS),
                all("SELECT count(*) FILTER (WHERE n > 1) AS big, sum(n) FILTER (WHERE g = 'a') AS a_sum, \
                     avg(DISTINCT n) AS ad, sum(DISTINCT n) AS sd, max(n) FILTER (WHERE g <> 'b') AS mx, \
                     count(DISTINCT g) AS groups FROM t"),
                all("SELECT g, count(*) AS c FROM t GROUP BY g ORDER BY c DESC, g"),
                all("SELECT g FROM t GROUP BY g ORDER BY sum(n) DESC NULLS LAST"),
                all("SELECT g FROM t GROUP BY g ORDER BY max(r) ASC NULLS FIRST, g"),
            ],
        ),
    );
    v.push(
        sc(
            "aggregate/scalar_min_max_and_bare_columns",
            vec![
                run(T),
                run(ROWS),
                all("SELECT max(1, 2.5, '3') AS a, min(1, 2.5, '3') AS b, max(NULL, 1) AS c, \
                     max(x'00', 'a', 9) AS d, typeof(max(1, 2.5)) AS e"),
                all("SELECT g, max(n) AS m, s FROM t WHERE n IS NOT NULL GROUP BY g ORDER BY g"),
                all("SELECT count(*) AS c, sum(n) + 0.5 AS s, (SELECT count(*) FROM t WHERE n > 1) AS sub FROM t"),
                all("SELECT max(r) AS hi, min(r) AS lo, sum(r) AS s, typeof(sum(r)) AS ts, \
                     sum(n) * 1.0 / count(n) AS mean FROM t"),
            ],
        ),
    );
    v.push(sc(
        "aggregate/median_and_percentiles_absent",
        vec![
            all("SELECT median(1) AS m"),
            all("SELECT percentile_cont(1, 0.5) AS m"),
            all("SELECT stddev(1) AS m"),
            all("SELECT any_value(1) AS m"),
            all("SELECT bool_and(1) AS m"),
            all("SELECT count(*, 1) AS m"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Collations
// ---------------------------------------------------------------------------------

fn collations(v: &mut Vec<Scenario>) {
    v.push(
        sc(
            "collation/binary_nocase_rtrim_ordering",
            vec![
                run("CREATE TABLE t (s TEXT)"),
                run("INSERT INTO t VALUES ('b'), ('B'), ('a '), ('a'), ('A'), ('é'), ('É')"),
                all("SELECT group_concat(s, '|') AS binary FROM (SELECT s FROM t ORDER BY s, rowid)"),
                all("SELECT group_concat(s, '|') AS nocase FROM (SELECT s FROM t ORDER BY s COLLATE NOCASE, rowid)"),
                all("SELECT group_concat(s, '|') AS rtrim FROM (SELECT s FROM t ORDER BY s COLLATE RTRIM DESC, rowid)"),
                all("SELECT count(DISTINCT s COLLATE NOCASE) AS nocase, count(DISTINCT s) AS binary, \
                     count(DISTINCT s COLLATE RTRIM) AS rtrim FROM t"),
            ],
        ),
    );
    v.push(sc(
        "collation/column_collation_and_indexes",
        vec![
            run("CREATE TABLE t (name TEXT COLLATE NOCASE UNIQUE, code TEXT COLLATE RTRIM)"),
            run("INSERT INTO t VALUES ('Ada', 'x  ')"),
            run("INSERT INTO t VALUES ('ADA', 'y')"),
            run("INSERT INTO t VALUES ('bob', 'x')"),
            all("SELECT name FROM t WHERE name = 'ada'"),
            all("SELECT name FROM t WHERE name = 'ada' COLLATE BINARY"),
            all("SELECT name FROM t WHERE code = 'x'"),
            all("SELECT name, code FROM t ORDER BY code, name"),
            run("CREATE INDEX t_code ON t(code COLLATE NOCASE)"),
            all("SELECT name FROM t WHERE code = 'X' COLLATE NOCASE ORDER BY name"),
        ],
    ));
    v.push(sc(
        "collation/errors_and_group_by",
        vec![
            all("SELECT 'a' COLLATE nope"),
            run("CREATE TABLE bad (a TEXT COLLATE nope)"),
            run("CREATE TABLE t (s TEXT)"),
            run("INSERT INTO t VALUES ('x'), ('X'), ('y')"),
            all("SELECT s COLLATE NOCASE AS k, count(*) AS n FROM t GROUP BY 1 ORDER BY 1"),
            all("SELECT DISTINCT s COLLATE NOCASE AS k FROM t ORDER BY k"),
            all("SELECT s FROM t WHERE s COLLATE NOCASE IN ('X') ORDER BY s"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// D1's SQLite build: its printf cap, and what its SQLite version does differently
// ---------------------------------------------------------------------------------

fn sqlite_build(v: &mut Vec<Scenario>) {
    // D1 lowers any printf/format width or precision above 100,000 to 100,000, silently.
    v.push(sc(
        "build/printf_width_and_precision_cap",
        vec![
            all("SELECT length(printf('%100000d', 1)) AS a, length(printf('%100001d', 1)) AS b, \
                 length(printf('%-250000s|', 'x')) AS c, length(format('%.200000f', 1.5)) AS d, \
                 length(printf('%.150000s', hex(zeroblob(60000)))) AS e, \
                 substr(printf('%0150000d', 7), -3) AS f, substr(printf('%.150000f', 1.0), 1, 4) AS g, \
                 length(printf('%4294967297d', 1)) AS h, length(printf('%200000.200000lld', 1)) AS i"),
            all("SELECT length(printf('%*d', 150000, 1)) AS a, length(printf('%*d|', -150000, 1)) AS b, \
                 substr(printf('%*d|', -150000, 1), 1, 2) AS c, length(printf('%.*f', 150000, 1.0)) AS d, \
                 length(printf('%*.*e', '150000', 200000, 2.0)) AS e, length(printf('%.*c', 150000, 'é')) AS f, \
                 length(printf('%.200000q', hex(zeroblob(60000)))) AS g, length(printf('%*d', 4295117296, 1)) AS h, \
                 length(printf('%.*s', 1e9, hex(zeroblob(60000)))) AS i, length(printf('%150000%')) AS j"),
            all("SELECT printf('%d|%5s|%-3d|%.2f|%c|%q', 1, 'x', 2, 3.14159, 'yz', 'it''s') AS a, \
                 hex(printf('%.1s', 'é')) AS b, printf('%s %T %200000d', 'kept') AS c, typeof(printf(5)) AS d, \
                 printf(x'2564', 7) AS e, printf('%d' || char(0) || '%d', 1, 2) AS f"),
            all("SELECT length(printf(replace(hex(zeroblob(19)), '00', '%100000d'), 1)) AS long"),
            run("CREATE TABLE t (n INTEGER, s TEXT AS (printf('%.*d', n, 1)) STORED)"),
            run("INSERT INTO t (n) VALUES (3), (150000)"),
            all("SELECT n, length(s) AS len FROM t ORDER BY n"),
        ],
    ));
    // Averages are a sum divided by a count, on D1 as here: 0.19999999999999998 on both
    // (read exactly: serde_json's default reader makes 0.2 of it, and d1orm-worker's own
    // reader of D1's answers rounds correctly, as JSON.parse does).
    v.push(
        sc(
            "build/avg_of_tenths",
            vec![
                run("CREATE TABLE t (g, r REAL)"),
                run("INSERT INTO t VALUES (1, ?), (1, ?), (1, ?), (2, 0.3), (2, 0.2), (2, 0.1), (3, 1), (3, 0.1), (3, 0.2)")
                    .bind(p![0.1, 0.2, 0.3]),
                all("SELECT g, avg(r) AS a, sum(r) AS s, total(r) AS t, avg(r) * 3 = sum(r) AS mean FROM t GROUP BY g ORDER BY g"),
                all("SELECT avg(r) OVER (ORDER BY rowid ROWS 2 PRECEDING) AS w FROM t ORDER BY rowid"),
                all("SELECT avg(value) AS a, avg(DISTINCT value) AS d FROM json_each('[0.1, 0.2, 0.3, 0.3]')"),
                all("SELECT avg(x) AS a FROM (SELECT 0.1 AS x UNION ALL SELECT 0.2 UNION ALL SELECT 0.3)"),
            ],
        ),
    );
    // Function names as written: the authorizer sees a DEFAULT's functions by the name
    // written (SQLite 3.54), other calls by SQLite's own (lower-case) name.
    v.push(sc(
        "build/function_names_in_any_case",
        vec![
            all("SELECT ABS(-1) AS a, Upper('x') AS u, CURRENT_DATE IS NOT NULL AS d, typeof(Current_Timestamp) AS t"),
            run("CREATE TABLE a (x DEFAULT CURRENT_TIMESTAMP, y DEFAULT current_date, z DEFAULT Current_Time)"),
            run("CREATE TABLE b (x DEFAULT (ABS(-1)))"),
            run("CREATE TABLE c (x DEFAULT (abs(-1)), y DEFAULT (Printf('%d', 2)))"),
            all("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"),
            all("SELECT SQLITE_VERSION() AS v"),
        ],
    ));
    // SQLite 3.54 runs the authorizer over a column's DEFAULT expression at CREATE TABLE
    // (3.53 did not look).
    v.push(sc(
        "build/authorizer_sees_default_expressions",
        vec![
            run("CREATE TABLE t (a DEFAULT (sqlite_version()))"),
            run("CREATE TABLE u (a, b DEFAULT (abs(-1)), c DEFAULT (printf('%05d', 7)))"),
            run("INSERT INTO u (a) VALUES (1)"),
            all("SELECT a, b, c FROM u"),
            all("SELECT name FROM sqlite_master WHERE name IN ('t', 'u') ORDER BY name"),
        ],
    ));
    // A COLLATE on the value of a one-value IN list: SQLite 3.54 keeps the left side's
    // collation, as for longer lists (3.53 turned the list into `=`, where it applied).
    v.push(sc(
        "build/collate_inside_an_in_list",
        vec![
            run("CREATE TABLE t (s TEXT)"),
            run("INSERT INTO t VALUES ('x'), ('X'), ('y'), ('Y')"),
            all("SELECT s FROM t WHERE s IN ('X' COLLATE NOCASE) ORDER BY s"),
            all("SELECT s FROM t WHERE s IN ('X' COLLATE NOCASE, 'y') ORDER BY s"),
            all("SELECT s FROM t WHERE s COLLATE NOCASE IN ('X', 'y') ORDER BY s"),
            all("SELECT s FROM t WHERE s NOT IN ('X' COLLATE NOCASE) ORDER BY s"),
            all(
                "SELECT 'x' IN ('X' COLLATE NOCASE) AS a, 'x' COLLATE NOCASE IN ('X') AS b, \
                 'x' IN (SELECT 'X' COLLATE NOCASE) AS c",
            ),
            run("CREATE INDEX t_s ON t(s)"),
            all("SELECT s FROM t WHERE s IN ('X' COLLATE NOCASE, 'y') ORDER BY s"),
        ],
    ));
}

// ---------------------------------------------------------------------------------
// Row counters where the reference backend's inference runs out
// ---------------------------------------------------------------------------------

/// Statements at the limits of d1orm-sqlite's counting: where `rows_read` or
/// `rows_written` depend on what no counter of SQLite tells, `row_counters.rs` declares
/// the step, and why.
fn counter_limits(v: &mut Vec<Scenario>) {
    v.push(sc(
        "counters/upsert_of_several_rows_with_triggers",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"),
            run("CREATE TABLE log (msg)"),
            run("CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('i ' || new.id); END"),
            run("CREATE TRIGGER tu AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('u ' || new.id); END"),
            run("INSERT INTO t VALUES (1, 'a')"),
            run("INSERT INTO t VALUES (1, 'b'), (2, 'c') ON CONFLICT (id) DO UPDATE SET v = excluded.v"),
            all("SELECT msg FROM log ORDER BY rowid"),
        ],
    ));
    v.push(sc(
        "counters/groups_dropped_by_having",
        vec![
            run("CREATE TABLE t (g TEXT, s TEXT)"),
            run("INSERT INTO t VALUES ('a', 'x'), ('a', 'y'), ('b', 'z'), ('c', 'w'), ('c', 'v')"),
            all("SELECT g, group_concat(s, ',' ORDER BY s) AS c FROM t GROUP BY g HAVING count(*) > 1 ORDER BY g"),
        ],
    ));
    v.push(sc(
        "counters/update_of_a_range_with_a_trigger_looping_an_index",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"),
            run("CREATE TABLE h (k INTEGER, n INTEGER)"),
            run("CREATE INDEX h_k ON h(k)"),
            run("INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)"),
            run("INSERT INTO h VALUES (1, 0), (1, 0), (2, 0), (3, 0)"),
            run("CREATE TRIGGER tu AFTER UPDATE ON t BEGIN UPDATE h SET n = n + 1 WHERE k = new.id; END"),
            run("UPDATE t SET v = v + 1 WHERE id <= 2"),
            all("SELECT k, n FROM h ORDER BY rowid"),
        ],
    ));
    v.push(sc(
        "counters/delete_of_rows_with_a_when_trigger",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, v INTEGER)"),
            run("CREATE TABLE log (id)"),
            run("INSERT INTO t VALUES (1, 1), (2, 5), (3, 7), (4, 2)"),
            run("CREATE TRIGGER td AFTER DELETE ON t WHEN old.v > 4 BEGIN INSERT INTO log VALUES (old.id); END"),
            run("DELETE FROM t WHERE id > 1"),
            all("SELECT id FROM log ORDER BY id"),
        ],
    ));
    v.push(sc(
        "counters/windows_over_two_partitionings",
        vec![
            run("CREATE TABLE s (id INTEGER PRIMARY KEY, team TEXT, kind TEXT, pts INTEGER)"),
            run("INSERT INTO s VALUES (1, 'a', 'x', 3), (2, 'a', 'y', 5), (3, 'b', 'x', 1), (4, 'b', 'x', 4), (5, 'c', 'y', 2)"),
            all("SELECT id, sum(pts) OVER (PARTITION BY team) AS t, sum(pts) OVER (PARTITION BY kind) AS k FROM s ORDER BY id"),
        ],
    ));
    v.push(sc(
        "counters/window_cut_short_by_a_limit",
        vec![
            run("CREATE TABLE s (id INTEGER PRIMARY KEY, team TEXT, pts INTEGER)"),
            run("INSERT INTO s VALUES (1, 'a', 3), (2, 'a', 5), (3, 'b', 1), (4, 'b', 4), (5, 'c', 2)"),
            all("SELECT id, sum(pts) OVER (PARTITION BY team) AS t FROM s LIMIT 2"),
        ],
    ));
    v.push(sc(
        "counters/upsert_of_several_rows_with_triggers_and_an_index",
        vec![
            run("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, n INTEGER)"),
            run("CREATE INDEX t_v ON t(v)"),
            run("CREATE TABLE log (msg)"),
            run("CREATE TRIGGER ti AFTER INSERT ON t BEGIN INSERT INTO log VALUES ('i ' || new.id); END"),
            run("CREATE TRIGGER tu AFTER UPDATE ON t BEGIN INSERT INTO log VALUES ('u ' || new.id); END"),
            run("INSERT INTO t VALUES (1, 'a', 0), (3, 'c', 0)"),
            run("INSERT INTO t VALUES (1, 'b', 1), (2, 'x', 1), (3, 'd', 1) ON CONFLICT (id) DO UPDATE SET v = excluded.v, n = n + 1"),
            all("SELECT msg FROM log ORDER BY rowid"),
        ],
    ));
    v.push(sc(
        "counters/update_over_a_scan_with_a_partial_index",
        vec![
            run("CREATE TABLE t (a INTEGER, b INTEGER)"),
            run("CREATE INDEX t_p ON t(a) WHERE b > 2"),
            run("INSERT INTO t VALUES (1, 1), (2, 3), (3, 5), (4, 0)"),
            run("UPDATE t SET a = a + 10 WHERE b < 4"),
            all("SELECT a, b FROM t ORDER BY rowid"),
        ],
    ));
    v.push(sc(
        "counters/cascade_to_children_with_a_null_second_key",
        vec![
            run("CREATE TABLE p (id INTEGER PRIMARY KEY)"),
            run("CREATE TABLE q (id INTEGER PRIMARY KEY)"),
            run("CREATE TABLE c (id INTEGER PRIMARY KEY, p_id INTEGER REFERENCES p(id) ON DELETE CASCADE, \
                 q_id INTEGER REFERENCES q(id))"),
            run("INSERT INTO p VALUES (1), (2)"),
            run("INSERT INTO q VALUES (1)"),
            run("INSERT INTO c VALUES (1, 1, NULL), (2, 1, 1), (3, 2, NULL)"),
            run("DELETE FROM p WHERE id = 1"),
            all("SELECT id FROM c ORDER BY id"),
        ],
    ));
}
