//! The D1 layer: a [`Database`] handle with D1's binding API in Rust naming.

use serde::de::DeserializeOwned;

use crate::backend::{
    Backend, BatchEntry, Bookmarked, SessionBackend, SessionConstraint, Sql, Statement,
};
use crate::error::{Error, Prefix, Result};
use crate::result::{D1Result, ExecResult};
use crate::sinks::{ArrayRows, FirstColumn, ObjectRows};
use crate::value::Params;

/// A row as a JSON object, for callers that do not name a type.
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
    pub fn new(backend: B) -> Self {
        Database { backend }
    }

    /// The backend.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// A statement to bind and run (D1's `prepare`).
    pub fn prepare(&self, sql: impl Into<Sql>) -> PreparedStatement<'_, B> {
        PreparedStatement::new(&self.backend, sql.into())
    }

    /// Runs the statements atomically in one transaction (D1's `batch`), decoding every
    /// result's rows as `T`.
    ///
    /// # Failure
    /// An empty batch, or the first statement that fails; nothing is applied then.
    pub async fn batch<'s, T: DeserializeOwned + Send>(
        &'s self,
        statements: impl IntoIterator<Item = PreparedStatement<'s, B>>,
    ) -> Result<Vec<D1Result<T>>> {
        run_batch(&self.backend, statements).await
    }

    /// Runs SQL text without parameters, one statement per line, in one transaction
    /// (D1's `exec`).
    ///
    /// # Failure
    /// Any line that fails: `D1_EXEC_ERROR`, and no line is applied.
    pub async fn exec(&self, sql: &str) -> Result<ExecResult> {
        self.backend.exec(sql).await
    }

    /// The typed chain over the rows of table `T` (the derive also generates a named
    /// accessor, such as `db.users()`).
    pub fn table<T: crate::Table>(&self) -> crate::table::Query<'_, B, T> {
        crate::table::Query::new(&self.backend)
    }

    /// The database as the bytes of an SQLite file (D1's `dump`).
    pub async fn dump(&self) -> Result<Vec<u8>> {
        self.backend.dump().await
    }
}

impl<B: SessionBackend> Database<B> {
    /// Opens a session (D1's `withSession`): `"first-unconstrained"` (the default),
    /// `"first-primary"`, or a bookmark from an earlier session.
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
#[derive(Debug)]
pub struct Session<S> {
    backend: S,
}

impl<S: Backend + Bookmarked> Session<S> {
    /// A statement to run in this session.
    pub fn prepare(&self, sql: impl Into<Sql>) -> PreparedStatement<'_, S> {
        PreparedStatement::new(&self.backend, sql.into())
    }

    /// Runs a batch in this session (see [`Database::batch`]).
    ///
    /// # Failure
    /// As [`Database::batch`].
    pub async fn batch<'s, T: DeserializeOwned + Send>(
        &'s self,
        statements: impl IntoIterator<Item = PreparedStatement<'s, S>>,
    ) -> Result<Vec<D1Result<T>>> {
        run_batch(&self.backend, statements).await
    }

    /// The latest bookmark this session has seen (D1's `getBookmark`); `None` before its
    /// first query.
    pub fn bookmark(&self) -> Option<String> {
        self.backend.bookmark()
    }
}

async fn run_batch<'a, B: Backend, T: DeserializeOwned + Send>(
    backend: &'a B,
    statements: impl IntoIterator<Item = PreparedStatement<'a, B>>,
) -> Result<Vec<D1Result<T>>> {
    let mut bound = Vec::new();
    for s in statements {
        if let Some(e) = s.bind_error {
            return Err(e);
        }
        // D1 drops blank and `--`-comment-only statements from a batch.
        if !is_blank_or_line_comments(&s.statement.sql) {
            bound.push(s.statement);
        }
    }
    if bound.is_empty() {
        return Err(Error::d1(Prefix::Error, "No SQL statements detected."));
    }
    let mut sinks: Vec<ObjectRows<T>> = bound.iter().map(|_| ObjectRows::new(usize::MAX)).collect();
    let mut entries: Vec<BatchEntry<'_>> = bound
        .iter()
        .zip(sinks.iter_mut())
        .map(|(statement, sink)| BatchEntry { statement, sink })
        .collect();
    let metas = backend.batch(&mut entries).await?;
    drop(entries);
    Ok(sinks
        .into_iter()
        .zip(metas)
        .map(|(sink, meta)| D1Result {
            success: true,
            meta,
            results: sink.rows,
        })
        .collect())
}

/// Whether `sql` holds nothing but whitespace and `--` comments.
fn is_blank_or_line_comments(sql: &str) -> bool {
    sql.lines()
        .all(|line| line.split("--").next().unwrap_or("").trim().is_empty())
}

/// A statement with its parameters, ready to run (D1's `D1PreparedStatement`).
///
/// Binding never panics: a value that cannot be bound is reported by the call that runs
/// the statement (or by the batch that holds it).
#[derive(Debug, Clone)]
pub struct PreparedStatement<'a, B> {
    backend: &'a B,
    statement: Statement,
    bind_error: Option<Error>,
}

impl<'a, B: Backend> PreparedStatement<'a, B> {
    fn new(backend: &'a B, sql: Sql) -> Self {
        PreparedStatement {
            backend,
            statement: Statement::new(sql),
            bind_error: None,
        }
    }

    /// A copy bound to `params` (replacing any earlier ones): one value, a tuple, an
    /// array or a `Vec<Value>`.
    pub fn bind(&self, params: impl Params) -> Self {
        let (params, bind_error) = match params.into_params() {
            Ok(p) => (p, None),
            Err(e) => (Vec::new(), Some(e)),
        };
        PreparedStatement {
            backend: self.backend,
            statement: Statement::with_params(self.statement.sql.clone(), params),
            bind_error,
        }
    }

    /// The statement as the backend will run it.
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    fn checked(&self) -> Result<&Statement> {
        match &self.bind_error {
            Some(e) => Err(e.clone()),
            None => Ok(&self.statement),
        }
    }

    /// Runs the statement and decodes every row as `T` (D1's `all`).
    ///
    /// # Failure
    /// A bind error, SQLite's error, or a row that does not decode as `T`.
    pub async fn all<T: DeserializeOwned + Send>(&self) -> Result<D1Result<T>> {
        let mut sink = ObjectRows::new(usize::MAX);
        let meta = self.backend.query(self.checked()?, &mut sink).await?;
        Ok(D1Result {
            success: true,
            meta,
            results: sink.rows,
        })
    }

    /// Runs the statement (D1's `run`): the same result as [`all`](Self::all), rows as
    /// JSON objects.
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub async fn run(&self) -> Result<D1Result<JsonRow>> {
        self.all().await
    }

    /// The first row, or `None` when there is none (D1's `first()`).
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub async fn first<T: DeserializeOwned + Send>(&self) -> Result<Option<T>> {
        let mut sink = ObjectRows::new(1);
        self.backend.query(self.checked()?, &mut sink).await?;
        Ok(sink.rows.pop())
    }

    /// One column of the first row, or `None` when there is no row (D1's
    /// `first(column)`).
    ///
    /// # Failure
    /// `D1_COLUMN_NOTFOUND` when there is a row but no such column; as
    /// [`all`](Self::all) otherwise.
    pub async fn first_column<T: DeserializeOwned + Send>(
        &self,
        column: &str,
    ) -> Result<Option<T>> {
        let mut sink = FirstColumn::new(column);
        self.backend.query(self.checked()?, &mut sink).await?;
        Ok(sink.value)
    }

    /// Rows as arrays in column order (D1's `raw()`): tuples, `Vec`s or arrays.
    ///
    /// # Failure
    /// As [`all`](Self::all).
    pub async fn raw<T: DeserializeOwned + Send>(&self) -> Result<Vec<T>> {
        Ok(self.raw_with_columns().await?.1)
    }

    /// The column names and the rows as arrays (D1's `raw({columnNames: true})`); the
    /// names are there even when no row is.
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
        self.backend.query(self.checked()?, &mut sink).await?;
        Ok((sink.columns, sink.rows))
    }
}
