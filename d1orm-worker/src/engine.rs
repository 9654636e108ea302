//! Statements and batches over D1's wire format, whatever carries the request: the
//! binding's fetcher in a Worker, a canned answer in the native tests.

use std::future::Future;

use d1orm::{
    BatchEntry, Columns, DynRowSink, Error, MaybeSend, MaybeSync, Meta, Prefix, Row, RowSink,
    Statement,
};

use crate::wire;

/// Carries a query body to D1 (`POST` to [`wire::QUERY_URL`]) and brings the answer's
/// text back.
pub(crate) trait Transport: MaybeSync {
    /// The answer's text, or the error that stopped the request.
    fn post(&self, body: String) -> impl Future<Output = d1orm::Result<String>> + MaybeSend;
}

/// One statement: one request, whose answer gives the columns, the rows and the meta.
/// As the binding's `all()` does, the first result of the answer is the statement's.
pub(crate) async fn query<T: Transport, S: RowSink + Send + ?Sized>(
    transport: &T,
    statement: &Statement,
    sink: &mut S,
) -> d1orm::Result<Meta> {
    let answer = transport.post(wire::query_body(statement)?).await?;
    // The answer is read once, behind `dyn`, for every transport and sink type: in a
    // Worker's `.wasm` each would otherwise carry its own copy of the reading.
    read_one(&answer, &mut Forward(sink))
}

fn read_one(answer: &str, sink: &mut (dyn DynRowSink + Send)) -> d1orm::Result<Meta> {
    let outcome = wire::parse_answer(answer)?
        .into_iter()
        .next()
        .ok_or_else(|| Error::d1(Prefix::Error, "D1 answered no result"))?;
    outcome.feed(sink)?;
    Ok(outcome.meta)
}

/// A sink of any size seen as a sized one, so that it can be passed as `dyn`.
struct Forward<'a, S: ?Sized>(&'a mut S);

impl<S: RowSink + ?Sized> RowSink for Forward<'_, S> {
    fn columns(&mut self, columns: &dyn Columns) -> d1orm::Result<()> {
        self.0.columns(columns)
    }
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
        self.0.row(row)
    }
    fn reads_meta(&self) -> bool {
        self.0.reads_meta()
    }
}

/// A batch: one request, one D1 transaction. D1 does not say which statement failed;
/// d1orm finds it by probing (see `Database::batch`). A row a sink refuses is reported
/// as its statement's failure, after D1 applied the batch.
pub(crate) async fn batch<T: Transport>(
    transport: &T,
    entries: &mut [BatchEntry<'_>],
) -> d1orm::Result<Vec<Meta>> {
    // Only the request is made per transport type; its body and the answer's reading
    // are compiled once.
    let answer = transport.post(batch_body(entries)?).await?;
    read_batch(&answer, entries)
}

fn batch_body(entries: &[BatchEntry<'_>]) -> d1orm::Result<String> {
    if entries.is_empty() {
        return Err(Error::d1(Prefix::Error, "No SQL statements detected."));
    }
    wire::batch_body(entries.iter().map(|e| e.statement))
}

fn read_batch(answer: &str, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
    let count = entries.len();
    let outcomes = wire::align(
        entries.iter().map(|e| &*e.statement.sql),
        wire::parse_answer(answer)?,
    )?;
    let mut metas = Vec::with_capacity(count);
    for (index, (entry, outcome)) in entries.iter_mut().zip(outcomes).enumerate() {
        match outcome {
            Some(outcome) => {
                outcome
                    .feed(&mut *entry.sink)
                    .map_err(|e| e.in_batch(index, count))?;
                metas.push(outcome.meta);
            }
            None => metas.push(Meta::default()),
        }
    }
    Ok(metas)
}

#[cfg(test)]
mod tests {
    //! The backend's logic end to end through d1orm's D1 layer and table chains, over a
    //! transport that answers as local D1 does.

    use std::collections::VecDeque;
    use std::future::{Future, IntoFuture};
    use std::sync::Mutex;
    use std::task::{Context, Poll, Waker};

    use d1orm::{
        Backend, BatchEntry, Database, DumpBackend, ExecResult, JsonRow, Meta, QueryBackend,
        RowSink, Statement, Table,
    };

    use super::*;

    /// Answers each request with the next canned text, keeping the request bodies.
    #[derive(Default)]
    struct Canned {
        answers: Mutex<VecDeque<String>>,
        requests: Mutex<Vec<String>>,
    }

    impl Canned {
        fn answering(answers: &[&str]) -> Database<Canned> {
            Database::new(Canned {
                answers: Mutex::new(answers.iter().map(|a| (*a).to_owned()).collect()),
                requests: Mutex::default(),
            })
        }

        fn requests(&self) -> Vec<String> {
            self.requests.lock().unwrap().clone()
        }
    }

    impl Transport for Canned {
        async fn post(&self, body: String) -> d1orm::Result<String> {
            self.requests.lock().unwrap().push(body);
            self.answers
                .lock()
                .unwrap()
                .pop_front()
                .ok_or_else(|| Error::d1(Prefix::Error, "no canned answer left"))
        }
    }

    impl QueryBackend for Canned {
        async fn query<S: RowSink + Send + ?Sized>(
            &self,
            statement: &Statement,
            sink: &mut S,
        ) -> d1orm::Result<Meta> {
            query(self, statement, sink).await
        }

        async fn batch(&self, entries: &mut [BatchEntry<'_>]) -> d1orm::Result<Vec<Meta>> {
            batch(self, entries).await
        }
    }

    impl Backend for Canned {
        async fn exec(&self, _sql: &str) -> d1orm::Result<ExecResult> {
            Err(Error::d1(Prefix::ExecError, "not canned"))
        }
    }

    impl DumpBackend for Canned {
        async fn dump(&self) -> d1orm::Result<Vec<u8>> {
            Err(Error::d1(Prefix::DumpError, "not canned"))
        }
    }

    /// Runs a future that never waits (the canned transport answers at once).
    fn now<F: IntoFuture>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future.into_future());
        match future
            .as_mut()
            .poll(&mut Context::from_waker(Waker::noop()))
        {
            Poll::Ready(output) => output,
            Poll::Pending => panic!("the canned transport never waits"),
        }
    }

    fn answer(columns: &str, rows: &str) -> String {
        format!(
            r#"[{{"success":true,"meta":{{"served_by":"miniflare.db","duration":0.1,"changes":0,"last_row_id":0,"changed_db":false,"size_after":8192,"rows_read":1,"rows_written":0}},"results":{{"columns":{columns},"rows":{rows}}}}}]"#
        )
    }

    #[derive(Debug, PartialEq, Table)]
    #[d1orm(table = "users")]
    struct User {
        #[d1orm(primary_key)]
        id: i64,
        name: String,
        avatar: Option<Vec<u8>>,
    }

    #[derive(serde::Deserialize)]
    struct N {
        n: i64,
    }

    #[test]
    fn rows_reach_decoders_in_sql_order_with_duplicates() {
        let text = answer(r#"["b","a","a","1"]"#, r#"[["x","y","z","w"]]"#);
        let db = Canned::answering(&[&text, &text]);
        let (columns, rows): (Vec<String>, Vec<Vec<String>>) = now(db
            .prepare("SELECT 'x' AS b, 'y' AS a, 'z' AS a, 'w' AS \"1\"")
            .raw_with_columns())
        .unwrap();
        assert_eq!(columns, ["b", "a", "a", "1"]);
        assert_eq!(rows, [["x", "y", "z", "w"]]);
        // As objects: D1's key order (integer-like names first), the last duplicate wins.
        let objects = now(db.prepare("SELECT ...").all::<JsonRow>()).unwrap();
        let keys: Vec<&String> = objects.results[0].keys().collect();
        assert_eq!(keys, ["1", "b", "a"]);
        assert_eq!(objects.results[0]["a"], "z");
        assert_eq!(objects.meta.served_by, "miniflare.db");
    }

    #[test]
    fn an_empty_result_still_names_its_columns() {
        let db = Canned::answering(&[&answer(r#"["id","name"]"#, "[]")]);
        let (columns, rows): (Vec<String>, Vec<(i64, String)>) = now(db
            .prepare("SELECT id, name FROM users WHERE 0")
            .raw_with_columns())
        .unwrap();
        assert_eq!(columns, ["id", "name"]);
        assert!(rows.is_empty());
    }

    #[test]
    fn table_chains_decode_by_position_and_blobs_both_ways() {
        let db = Canned::answering(&[&answer(
            r#"["id","name","avatar"]"#,
            r#"[[1,"ada",[1,2,255]],[2,"bo",null]]"#,
        )]);
        let users = now(db.users().order_by(|u| u.id.asc()).many()).unwrap();
        assert_eq!(
            users.rows,
            [
                User {
                    id: 1,
                    name: "ada".into(),
                    avatar: Some(vec![1, 2, 255])
                },
                User {
                    id: 2,
                    name: "bo".into(),
                    avatar: None
                }
            ]
        );
        assert_eq!(users.meta.size_after, 8192);

        let db = Canned::answering(&[&answer("[]", "[]")]);
        now(db.users().insert(NewUser {
            avatar: Some(vec![0, 9]),
            ..NewUser::builder().id(7).name("cy").build()
        }))
        .unwrap();
        let sent = db.backend().requests();
        assert!(
            sent[0].ends_with(r#""params":[7,"cy",[0,9]]}"#),
            "{}",
            sent[0]
        );
    }

    #[test]
    fn inexact_numbers_are_typed_errors_as_integers() {
        for number in ["9007199254740992", "2.5", "1e+21"] {
            let text = answer(
                r#"["id","name","avatar"]"#,
                &format!(r#"[[{number},"a",null]]"#),
            );
            let db = Canned::answering(&[&text, &text]);
            let e = now(db.users().many()).unwrap_err();
            assert!(matches!(e, Error::Decode(_)), "{number}: {e}");
            assert!(e.to_string().contains("users.id"), "{e}");
            let e = now(db.prepare("SELECT id FROM users").first_column::<i64>("id")).unwrap_err();
            assert!(matches!(e, Error::Decode(_)), "{number}: {e}");
        }
        // Within 2^53, an integral double is an integer, and a REAL reads as f64.
        let text = answer(r#"["n","r"]"#, "[[9007199254740991,2.5]]");
        let db = Canned::answering(&[&text]);
        let rows: Vec<(i64, f64)> = now(db.prepare("SELECT n, r").raw()).unwrap();
        assert_eq!(rows, [(9_007_199_254_740_991, 2.5)]);
    }

    #[test]
    fn an_unsafe_integer_is_refused_before_anything_is_sent() {
        let db = Canned::answering(&[]);
        let e = now(db.users().find(1i64 << 53)).unwrap_err();
        assert_eq!(e.prefix(), Some(d1orm::Prefix::TypeError), "{e}");
        assert!(db.backend().requests().is_empty());
    }

    #[test]
    fn a_batch_is_one_request_and_a_failure_is_located_by_probing() {
        let ok = answer(r#"["n"]"#, "[[1]]");
        let two = format!("[{},{}]", &ok[1..ok.len() - 1], &ok[1..ok.len() - 1]);
        let db = Canned::answering(&[&two]);
        let (a, b) = now(db.batch((
            db.prepare("SELECT 1 AS n").all::<JsonRow>(),
            db.prepare("SELECT 1 AS n").first::<N>(),
        )))
        .unwrap();
        assert_eq!(a.results[0]["n"], 1);
        assert_eq!(b.map(|b| b.n), Some(1));
        assert_eq!(db.backend().requests().len(), 1);
        assert!(db.backend().requests()[0].starts_with(r#"[{"sql":"SELECT 1 AS n""#));

        // Statement 3 of 3 fails: D1 says only what failed; probes find where.
        let unique = r#"{"success":false,"error":"UNIQUE constraint failed: users.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY)"}"#;
        let probe =
            r#"{"success":false,"error":"bad JSON path: 'd1orm batch probe': SQLITE_ERROR"}"#;
        let db = Canned::answering(&[unique, probe]);
        let e = now(db.batch([
            db.prepare("INSERT INTO users (id, name) VALUES (1, 'a')"),
            db.prepare("INSERT INTO users (id, name) VALUES (2, 'b')"),
            db.prepare("INSERT INTO users (id, name) VALUES (1, 'c')"),
        ]))
        .unwrap_err();
        assert_eq!(e.batch_index(), Some(2));
        assert!(e.is_unique_violation());
        assert_eq!(
            e.to_string(),
            "D1_ERROR: UNIQUE constraint failed: users.id: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_PRIMARYKEY) (statement 3 of 3 in the batch)"
        );
    }
}
