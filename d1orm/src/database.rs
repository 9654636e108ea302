//! The D1 layer: a [`Database`] handle with D1's binding API in Rust naming.

use serde::de::DeserializeOwned;

use crate::backend::{
    Backend, Bookmarked, DumpBackend, ParamValues, QueryBackend, SessionBackend, SessionConstraint,
    Sql, Statement, Statements,
};
use crate::batch::{IntoBatch, IntoPending, Pending};
use crate::error::{Error, Result};
use crate::result::ExecResult;
use crate::send::BoxFuture;
use crate::sinks::{AllRows, ArrayRows, FirstColumn, FirstRow};
use crate::value::Params;

/// A row as a JSON object, for callers that do not name a type.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::JsonRow;
/// let rows: Vec<JsonRow> = db.prepare("SELECT id, email FROM users").all().await?.results;
/// assert_eq!(rows[0]["email"], "ada@example.com");
/// # Ok(()) }
/// ```
pub type JsonRow = serde_json::Map<String, serde_json::Value>;

/// A handle on a database, generic over the [`Backend`] that runs its statements.
///
/// ```
/// # async fn demo<B: d1orm::Backend>(db: d1orm::Database<B>) -> d1orm::Result<()> {
/// #[derive(serde::Deserialize)]
/// struct User { id: i64, name: String }
/// let users = db.prepare("SELECT id, name FROM users WHERE name = ?").bind("ada").all::<User>().await?;
/// println!("{} rows, {} read", users.results.len(), users.meta.rows_read);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Database<B> {
    backend: B,
}

impl<B: Backend> Database<B> {
    /// A database on `backend`.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// use d1orm::Database;
    /// use d1orm_sqlite::SqliteBackend;
    /// let db = Database::new(SqliteBackend::open_in_memory()?);
    /// db.exec("CREATE TABLE t (id INTEGER PRIMARY KEY)").await?;
    /// # Ok(()) }
    /// ```
    pub fn new(backend: B) -> Self {
        Database { backend }
    }

    /// The backend.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // The reference backend's own settings, through the database.
    /// db.backend().set_js_safe_integers(true);
    /// # Ok(()) }
    /// ```
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// A statement to bind and run (D1's `prepare`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let by_email = db.prepare("SELECT id FROM users WHERE email = ?");
    /// let id: Option<i64> = by_email.bind("bo@example.com").first_column("id").await?;
    /// assert_eq!(id, Some(2));
    /// # Ok(()) }
    /// ```
    pub fn prepare(&self, sql: impl Into<Sql>) -> PreparedStatement<'_, B> {
        PreparedStatement::new(&self.backend, sql.into())
    }

    /// Runs statements atomically in one transaction (D1's `batch`): all of them or
    /// none. It takes
    /// - a tuple of chains or prepared statements, giving a tuple of their results,
    ///   each typed as if awaited alone: `db.batch((a.insert(..), b.many())).await?`;
    /// - a `Vec` or array of them, giving a `Vec` (a prepared statement gives its
    ///   result as JSON objects; `stmt.all::<T>()` gives typed rows);
    /// - a closure staging writes on a [`Tx`](crate::Tx):
    ///   `db.batch(|tx| { tx.users().insert(..); })`, giving a [`BatchResult`](crate::BatchResult).
    ///
    /// Every statement runs on this database.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // A tuple gives a tuple of results, each typed as if awaited alone.
    /// let (renamed, adults) = db.batch((
    ///     db.users().where_(|u| u.id.eq(2)).update(|u| u.nickname.set("b")),
    ///     db.users().where_(|u| u.age.gte(18)).count(),
    /// )).await?;
    /// assert_eq!((renamed.changes(), adults), (1, 1));
    ///
    /// // A Vec of prepared statements gives their results as JSON objects.
    /// let results = db.batch(vec![
    ///     db.prepare("UPDATE users SET age = age + 1"),
    ///     db.prepare("SELECT max(age) AS oldest FROM users"),
    /// ]).await?;
    /// assert_eq!(results[1].results[0]["oldest"], 37);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// An empty batch (`D1_ERROR: No SQL statements detected.`), or the first statement
    /// that fails, as [`Error::Batch`] with its position; nothing is applied then.
    pub fn batch<'s, I: IntoBatch<'s, B>>(&'s self, items: I) -> BoxFuture<'s, Result<I::Output>> {
        items.run(&self.backend)
    }

    /// The callback form of [`batch`](Self::batch) without the `&Tx` annotation that
    /// `db.batch(|tx: &Tx| ...)` needs: writes staged on `tx` run together, all or none,
    /// when the callback returns.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let done = db.staged(|tx| {
    ///     tx.users().where_(|u| u.id.eq(1)).update(|u| u.age.add(1));
    ///     tx.users().where_(|u| u.id.eq(2)).delete();
    /// }).await?;
    /// assert!(done.success);
    /// assert_eq!(db.users().count().await?, 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`batch`](Self::batch).
    pub fn staged<'s>(
        &'s self,
        stage: impl FnOnce(&crate::Tx),
    ) -> BoxFuture<'s, Result<crate::BatchResult>> {
        stage.run(&self.backend)
    }

    /// Runs SQL text without parameters, one statement per line, in one transaction
    /// (D1's `exec`). Each line is a statement, as on D1, so a `CREATE TABLE` written over
    /// several lines fails here: it belongs in [`prepare`](Self::prepare) (which splits
    /// statements at `;`) or a migration.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let r = db.exec("CREATE TABLE tags (name TEXT)\nINSERT INTO tags VALUES ('rust')").await?;
    /// assert_eq!(r.count, 2);
    ///
    /// // One statement over two lines is two broken statements.
    /// let err = db.exec("CREATE TABLE notes (\n  body TEXT)").await.unwrap_err();
    /// assert!(err.to_string().starts_with("D1_EXEC_ERROR: Error in line 1"), "{err}");
    /// db.prepare("CREATE TABLE notes (\n  body TEXT)").run().await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// Any line that fails: `D1_EXEC_ERROR`, and no line is applied.
    pub async fn exec(&self, sql: &str) -> Result<ExecResult> {
        self.backend.exec(sql).await
    }

    /// The typed chain over the rows of table `T` (the derive also generates a named
    /// accessor, such as `db.users()`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// // The same chain as db.users(), for generic code.
    /// let n = db.table::<User>().count().await?;
    /// assert_eq!(n, 2);
    /// # Ok(()) }
    /// ```
    pub fn table<T: crate::Table>(&self) -> crate::table::Query<'_, B, T> {
        crate::table::Query::new(&self.backend)
    }
}

impl<B: DumpBackend> Database<B> {
    /// The database as the bytes of an SQLite file (D1's `dump`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let bytes = db.dump().await?;
    /// assert!(bytes.starts_with(b"SQLite format 3\0"));
    /// # Ok(()) }
    /// ```
    pub async fn dump(&self) -> Result<Vec<u8>> {
        self.backend.dump().await
    }
}

impl<B: SessionBackend> Database<B> {
    /// Opens a session (D1's `withSession`): `"first-unconstrained"` (the default),
    /// `"first-primary"`, or a bookmark from an earlier session.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let session = db.with_session("first-primary")?;
    /// session.prepare("SELECT count(*) FROM users").all::<serde_json::Value>().await?;
    /// assert!(session.bookmark().is_some());
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// Any other constraint: `D1_SESSION_ERROR`.
    pub fn with_session(&self, constraint: &str) -> Result<Session<B::Session>> {
        let constraint = SessionConstraint::parse(constraint)?;
        Ok(Session {
            backend: self.backend.with_session(&constraint)?,
        })
    }
}

/// A D1 session: statements in it see every write it has seen, in order.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let session = db.with_session("first-unconstrained")?;
/// let n: Option<i64> = session.prepare("SELECT count(*) AS n FROM users").first_column("n").await?;
/// assert_eq!(n, Some(2));
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct Session<S> {
    backend: S,
}

impl<S: QueryBackend + Bookmarked> Session<S> {
    /// A statement to run in this session.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let session = db.with_session("first-unconstrained")?;
    /// let emails: Vec<(String,)> = session.prepare("SELECT email FROM users ORDER BY id").raw().await?;
    /// assert_eq!(emails[0].0, "ada@example.com");
    /// # Ok(()) }
    /// ```
    pub fn prepare(&self, sql: impl Into<Sql>) -> PreparedStatement<'_, S> {
        PreparedStatement::new(&self.backend, sql.into())
    }

    /// Runs a batch in this session (see [`Database::batch`]).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let session = db.with_session("first-primary")?;
    /// let (n, first) = session.batch((
    ///     session.prepare("SELECT count(*) AS n FROM users").first::<serde_json::Value>(),
    ///     session.prepare("SELECT email FROM users ORDER BY id").first::<serde_json::Value>(),
    /// )).await?;
    /// assert_eq!((n.unwrap()["n"].as_i64(), first.unwrap()["email"].as_str()), (Some(2), Some("ada@example.com")));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`Database::batch`].
    pub fn batch<'s, I: IntoBatch<'s, S>>(&'s self, items: I) -> BoxFuture<'s, Result<I::Output>> {
        items.run(&self.backend)
    }

    /// The latest bookmark this session has seen (D1's `getBookmark`); `None` before its
    /// first query.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let session = db.with_session("first-primary")?;
    /// assert_eq!(session.bookmark(), None);
    /// session.prepare("SELECT 1").run().await?;
    /// let bookmark = session.bookmark().unwrap();
    /// // A later session starts where this one ended.
    /// let next = db.with_session(&bookmark)?;
    /// # Ok(()) }
    /// ```
    pub fn bookmark(&self) -> Option<String> {
        self.backend.bookmark()
    }
}

/// A statement with its parameters, ready to run (D1's `D1PreparedStatement`).
///
/// Binding never panics: a value that cannot be bound is reported by the call that runs
/// the statement (or by the batch that holds it).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let stmt = db.prepare("SELECT email FROM users WHERE age >= ? ORDER BY id");
/// let adults: Vec<(String,)> = stmt.bind(18).raw().await?;
/// let everyone: Vec<(String,)> = stmt.bind(0).raw().await?;
/// assert_eq!((adults.len(), everyone.len()), (1, 2));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct PreparedStatement<'a, B> {
    backend: &'a B,
    statement: Statement,
    bind_error: Option<Error>,
}

impl<'a, B: QueryBackend> PreparedStatement<'a, B> {
    fn new(backend: &'a B, sql: Sql) -> Self {
        PreparedStatement {
            backend,
            statement: Statement::new(sql.into_shared()),
            bind_error: None,
        }
    }

    /// A copy bound to `params` (replacing any earlier ones): one value, a tuple, an
    /// array or a `Vec<Value>`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let insert = db.prepare("INSERT INTO users (email, age, tags) VALUES (?, ?, ?)");
    /// insert.bind(("cy@example.com", 40, "[]")).run().await?;
    /// use d1orm::Value;
    /// let values = vec![Value::Text("di@example.com".into()), Value::Integer(41), Value::Text("[]".into())];
    /// insert.bind(values).run().await?;
    /// # Ok(()) }
    /// ```
    pub fn bind(&self, params: impl Params) -> Self {
        let (params, bind_error) = match params.into_params() {
            Ok(p) => (p, None),
            Err(e) => (ParamValues::new(), Some(e)),
        };
        PreparedStatement {
            backend: self.backend,
            statement: Statement::with_params(self.statement.sql.clone(), params),
            bind_error,
        }
    }

    /// The statement as the backend will run it.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let stmt = db.prepare("SELECT * FROM users WHERE id = ?").bind(1);
    /// assert_eq!(stmt.statement().params.len(), 1);
    /// # Ok(()) }
    /// ```
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    fn checked(&self) -> Result<&Statement> {
        match &self.bind_error {
            Some(e) => Err(e.clone()),
            None => Ok(&self.statement),
        }
    }

    /// The statement to hand to a [`Pending`], taken rather than copied.
    fn into_statements(self) -> Result<Statements> {
        match self.bind_error {
            Some(e) => Err(e),
            None => Ok(smallvec::smallvec![self.statement]),
        }
    }

    /// Runs the statement and decodes every row as `T` (D1's `all`). Await it, or hand
    /// it to [`Database::batch`]. Like the other terminals that give a [`Pending`], it
    /// takes the bound statement (its values move rather than being copied); clone it
    /// to run it again.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// #[derive(serde::Deserialize)]
    /// struct Person { email: String, age: i64 }
    /// let people = db.prepare("SELECT email, age FROM users ORDER BY id").all::<Person>().await?;
    /// assert_eq!((people.results[0].email.as_str(), people.results[0].age), ("ada@example.com", 36));
    /// assert_eq!(people.meta.rows_read, 2);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A bind error, SQLite's error, or a row that does not decode as `T`.
    pub fn all<T: DeserializeOwned + Send>(self) -> Pending<'a, B, AllRows<T>> {
        Pending::new(self.backend, self.into_statements(), AllRows::new())
    }

    /// Runs the statement (D1's `run`): the same result as [`all`](Self::all), rows as
    /// JSON objects.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let r = db.prepare("UPDATE users SET age = age + 1 WHERE id = ?").bind(1).run().await?;
    /// assert_eq!(r.meta.changes, 1);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub fn run(self) -> Pending<'a, B, AllRows<JsonRow>> {
        self.all()
    }

    /// The first row, or `None` when there is none (D1's `first()`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// #[derive(serde::Deserialize)]
    /// struct Person { email: String }
    /// let ada = db.prepare("SELECT email FROM users WHERE id = ?").bind(1).first::<Person>().await?;
    /// assert_eq!(ada.map(|p| p.email).as_deref(), Some("ada@example.com"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub fn first<T: DeserializeOwned + Send>(self) -> Pending<'a, B, FirstRow<T>> {
        Pending::new(self.backend, self.into_statements(), FirstRow::new())
    }

    /// One column of the first row, or `None` when there is no row (D1's
    /// `first(column)`).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let oldest: Option<i64> = db.prepare("SELECT max(age) AS oldest FROM users").first_column("oldest").await?;
    /// assert_eq!(oldest, Some(36));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// `D1_COLUMN_NOTFOUND` when there is a row but no such column; as
    /// [`all`](Self::all) otherwise.
    pub async fn first_column<T: DeserializeOwned + Send>(
        &self,
        column: &str,
    ) -> Result<Option<T>> {
        let mut sink = FirstColumn::new(column);
        crate::trace::query(self.backend, self.checked()?, &mut sink).await?;
        Ok(sink.value)
    }

    /// Rows as arrays in column order (D1's `raw()`): tuples, `Vec`s or arrays.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let rows: Vec<(i64, String)> = db.prepare("SELECT id, email FROM users ORDER BY id").raw().await?;
    /// assert_eq!(rows[1], (2, "bo@example.com".to_string()));
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub async fn raw<T: DeserializeOwned + Send>(&self) -> Result<Vec<T>> {
        Ok(self.raw_with_columns().await?.1)
    }

    /// The column names and the rows as arrays (D1's `raw({columnNames: true})`); the
    /// names are there even when no row is.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let (columns, rows) = db.prepare("SELECT id, age FROM users").raw_with_columns::<(i64, i64)>().await?;
    /// assert_eq!(columns, ["id", "age"]);
    /// assert_eq!(rows.len(), 2);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub async fn raw_with_columns<T: DeserializeOwned + Send>(
        &self,
    ) -> Result<(Vec<String>, Vec<T>)> {
        let mut sink = ArrayRows {
            columns: Vec::new(),
            rows: Vec::new(),
        };
        crate::trace::query(self.backend, self.checked()?, &mut sink).await?;
        Ok((sink.columns, sink.rows))
    }
}

/// A prepared statement in a batch gives D1's result object, rows as JSON objects.
impl<'a, B: QueryBackend> IntoPending<'a, B> for PreparedStatement<'a, B> {
    type Decoder = AllRows<JsonRow>;
    fn into_pending(self) -> Pending<'a, B, AllRows<JsonRow>> {
        self.run()
    }
}
