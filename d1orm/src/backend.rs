//! The contract between d1orm and a database: the [`Backend`] trait, the statements it
//! runs and the row interface through which results reach decoders by position.

use std::fmt;
use std::future::Future;
use std::ops::Deref;
use std::sync::Arc;

use crate::error::Result;
use crate::result::{ExecResult, Meta};
use crate::send::{BoxFuture, MaybeSend, MaybeSync};
use crate::value::{Value, ValueRef};

/// SQL text: a `&'static str` kept as is, a string built for one statement, or a shared
/// string (cheap to clone, for a prepared statement bound many times).
///
/// ```
/// use d1orm::Sql;
/// let fixed: Sql = "SELECT 1".into();               // a &'static str, kept as is
/// let built: Sql = format!("SELECT {}", 2).into();  // built for one statement
/// assert_eq!((fixed.as_static(), built.as_static()), (Some("SELECT 1"), None));
/// ```
#[derive(Clone)]
pub struct Sql {
    text: SqlText,
    /// Built by d1orm as exactly one statement, with no comment: a backend need not
    /// split it.
    single: bool,
    /// Matches at most one row by construction (a lookup by a key).
    one_row: bool,
}

#[derive(Clone)]
enum SqlText {
    Static(&'static str),
    Owned(String),
    Shared(Arc<str>),
}

impl Sql {
    fn new(text: SqlText) -> Sql {
        Sql {
            text,
            single: false,
            one_row: false,
        }
    }

    /// SQL that d1orm built as exactly one statement, with no comment.
    pub(crate) fn single(sql: String) -> Sql {
        Sql {
            text: SqlText::Owned(sql),
            single: true,
            one_row: false,
        }
    }

    /// A lookup by primary key the derive wrote: one statement, no comment, and at most
    /// one row.
    pub(crate) fn key_lookup(sql: &'static str) -> Sql {
        Sql {
            text: SqlText::Static(sql),
            single: true,
            one_row: true,
        }
    }

    /// The same SQL, marked as matching at most one row (a key equal to a value).
    pub(crate) fn at_most_one_row(self) -> Sql {
        Sql {
            one_row: true,
            ..self
        }
    }

    /// Whether the statement can match at most one row whatever its parameters (d1orm
    /// built it to look a row up by a key: the primary key, or a UNIQUE column). A
    /// backend may then stop after the first row instead of stepping once more to find
    /// the end; the result is the same.
    ///
    /// ```
    /// let sql: d1orm::Sql = "SELECT * FROM t WHERE id = ?".into();
    /// assert!(!sql.is_at_most_one_row());      // only SQL d1orm wrote for a key lookup says so
    /// ```
    pub fn is_at_most_one_row(&self) -> bool {
        self.one_row
    }

    /// Whether d1orm built this text as exactly one statement with no comment, so a
    /// backend can run it without looking for statement boundaries. `false` for any
    /// text given by the application, whatever it holds.
    ///
    /// ```
    /// let sql: d1orm::Sql = "SELECT 1; SELECT 2".into();
    /// assert!(!sql.is_single_statement());     // application text: a backend splits it
    /// ```
    pub fn is_single_statement(&self) -> bool {
        self.single
    }

    /// The text, when it lives as long as the program (SQL given as a `&'static str`):
    /// a backend may then know it by its address without reading it.
    ///
    /// ```
    /// let sql: d1orm::Sql = "SELECT 1".into();
    /// assert_eq!(sql.as_static(), Some("SELECT 1"));
    /// ```
    pub fn as_static(&self) -> Option<&'static str> {
        match self.text {
            SqlText::Static(s) => Some(s),
            SqlText::Owned(_) | SqlText::Shared(_) => None,
        }
    }

    /// The same text, cheap to clone from now on.
    pub(crate) fn into_shared(self) -> Sql {
        let text = match self.text {
            SqlText::Owned(s) => SqlText::Shared(s.into()),
            other => other,
        };
        Sql {
            text,
            single: self.single,
            one_row: self.one_row,
        }
    }
}

impl Deref for Sql {
    type Target = str;
    fn deref(&self) -> &str {
        match &self.text {
            SqlText::Static(s) => s,
            SqlText::Owned(s) => s,
            SqlText::Shared(s) => s,
        }
    }
}

impl fmt::Debug for Sql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl PartialEq for Sql {
    fn eq(&self, other: &Self) -> bool {
        **self == **other
    }
}

impl From<&'static str> for Sql {
    fn from(s: &'static str) -> Self {
        Sql::new(SqlText::Static(s))
    }
}

impl From<String> for Sql {
    fn from(s: String) -> Self {
        Sql::new(SqlText::Owned(s))
    }
}

impl From<&String> for Sql {
    fn from(s: &String) -> Self {
        Sql::new(SqlText::Shared(s.as_str().into()))
    }
}

impl From<Arc<str>> for Sql {
    fn from(s: Arc<str>) -> Self {
        Sql::new(SqlText::Shared(s))
    }
}

/// The statements of one chain or prepared statement: nearly always one, kept without a
/// heap allocation.
pub(crate) type Statements = smallvec::SmallVec<[Statement; 1]>;

/// A statement's parameter values, in order. Two stay inline: most statements a chain
/// builds bind one or two values, and each heap list costs a point lookup measurably.
///
/// ```
/// use d1orm::{ParamValues, Value};
/// let params: ParamValues = smallvec_like(vec![Value::Integer(1), Value::Null]);
/// assert_eq!(params.len(), 2);
/// fn smallvec_like(v: Vec<Value>) -> ParamValues { v.into_iter().collect() }
/// ```
pub type ParamValues = smallvec::SmallVec<[Value; 2]>;

/// Appends copies of `values`: a plain loop, as `extend` with a cloning iterator (and
/// `SmallVec`'s `clone`) costs more for the one or two values a filter usually has.
#[inline]
pub(crate) fn push_cloned(params: &mut ParamValues, values: &[Value]) {
    for value in values {
        params.push(value.clone());
    }
}

/// Moves `more` to the end of `params`: one function for every caller, where `extend`
/// would compile smallvec's general code for each.
pub(crate) fn append_params(params: &mut ParamValues, more: ParamValues) {
    for value in more {
        params.push(value);
    }
}

/// A statement as a backend runs it: SQL text and its bound parameters.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
/// struct Ids(Vec<i64>);
/// impl RowSink for Ids {
///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
///         Ok(())
///     }
/// }
/// let statement = Statement::with_params("SELECT id FROM users WHERE age > ?", vec![d1orm::Value::Integer(18)]);
/// let mut ids = Ids(Vec::new());
/// db.backend().query(&statement, &mut ids).await?;
/// assert_eq!(ids.0, [1]);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Statement {
    /// The SQL; it may hold several statements separated by `;`.
    pub sql: Sql,
    /// Values for the parameters, in order.
    pub params: ParamValues,
}

impl Statement {
    /// A statement with no parameters.
    ///
    /// ```
    /// let s = d1orm::Statement::new("SELECT 1");
    /// assert!(s.params.is_empty());
    /// ```
    pub fn new(sql: impl Into<Sql>) -> Self {
        Statement {
            sql: sql.into(),
            params: ParamValues::new(),
        }
    }

    /// A statement with parameters.
    ///
    /// ```
    /// use d1orm::{Statement, Value};
    /// let s = Statement::with_params("SELECT ?", vec![Value::Integer(7)]);
    /// assert_eq!(s.params[0], Value::Integer(7));
    /// ```
    pub fn with_params(sql: impl Into<Sql>, params: impl Into<ParamValues>) -> Self {
        Statement {
            sql: sql.into(),
            params: params.into(),
        }
    }
}

/// The current row of a result, read by column position.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
/// struct Ids(Vec<i64>);
/// impl RowSink for Ids {
///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
///         Ok(())
///     }
/// }
/// let mut ids = Ids(Vec::new());
/// db.backend().query(&Statement::new("SELECT id FROM users ORDER BY id"), &mut ids).await?;
/// assert_eq!(ids.0, [1, 2]);
/// # Ok(()) }
/// ```
pub trait Row {
    /// Number of columns.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{QueryBackend, Row, RowSink, Statement};
    /// struct Widths(Vec<usize>);
    /// impl RowSink for Widths {
    ///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
    ///         self.0.push(row.column_count());
    ///         Ok(())
    ///     }
    /// }
    /// let mut widths = Widths(Vec::new());
    /// db.backend().query(&Statement::new("SELECT id, email FROM users"), &mut widths).await?;
    /// assert_eq!(widths.0, [2, 2]);
    /// # Ok(()) }
    /// ```
    fn column_count(&self) -> usize;
    /// The value at a column position (0-based).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
    /// struct Ids(Vec<i64>);
    /// impl RowSink for Ids {
    ///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
    ///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
    ///         Ok(())
    ///     }
    /// }
    /// let mut ids = Ids(Vec::new());
    /// db.backend().query(&Statement::new("SELECT age FROM users ORDER BY id"), &mut ids).await?;
    /// assert_eq!(ids.0, [36, 17]);
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A position out of range, or text that is not UTF-8.
    fn value(&self, index: usize) -> Result<ValueRef<'_>>;
}

/// The column names of a result, in SQL order (duplicates kept).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{Columns, QueryBackend, Row, RowSink, Statement};
/// #[derive(Default)]
/// struct Names(Vec<String>);
/// impl RowSink for Names {
///     fn columns(&mut self, columns: &dyn Columns) -> d1orm::Result<()> {
///         self.0 = (0..columns.count()).map(|i| columns.name(i).to_string()).collect();
///         Ok(())
///     }
///     fn row<R: Row + ?Sized>(&mut self, _row: &R) -> d1orm::Result<()> { Ok(()) }
/// }
/// let mut names = Names::default();
/// db.backend().query(&Statement::new("SELECT id, email AS address FROM users"), &mut names).await?;
/// assert_eq!(names.0, ["id", "address"]);
/// # Ok(()) }
/// ```
pub trait Columns {
    /// Number of columns.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{Columns, QueryBackend, Row, RowSink, Statement};
    /// #[derive(Default)]
    /// struct Names(Vec<String>);
    /// impl RowSink for Names {
    ///     fn columns(&mut self, columns: &dyn Columns) -> d1orm::Result<()> {
    ///         self.0 = (0..columns.count()).map(|i| columns.name(i).to_string()).collect();
    ///         Ok(())
    ///     }
    ///     fn row<R: Row + ?Sized>(&mut self, _row: &R) -> d1orm::Result<()> { Ok(()) }
    /// }
    /// let mut names = Names::default();
    /// db.backend().query(&Statement::new("SELECT id, email AS address FROM users"), &mut names).await?;
    /// assert_eq!(names.0, ["id", "address"]);
    /// # Ok(()) }
    /// ```
    fn count(&self) -> usize;
    /// The name at a column position (0-based).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{Columns, QueryBackend, Row, RowSink, Statement};
    /// #[derive(Default)]
    /// struct Names(Vec<String>);
    /// impl RowSink for Names {
    ///     fn columns(&mut self, columns: &dyn Columns) -> d1orm::Result<()> {
    ///         self.0 = (0..columns.count()).map(|i| columns.name(i).to_string()).collect();
    ///         Ok(())
    ///     }
    ///     fn row<R: Row + ?Sized>(&mut self, _row: &R) -> d1orm::Result<()> { Ok(()) }
    /// }
    /// let mut names = Names::default();
    /// db.backend().query(&Statement::new("SELECT id, email AS address FROM users"), &mut names).await?;
    /// assert_eq!(names.0, ["id", "address"]);
    /// # Ok(()) }
    /// ```
    fn name(&self, index: usize) -> &str;
}

impl<S: AsRef<str>> Columns for &[S] {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, index: usize) -> &str {
        self[index].as_ref()
    }
}

impl<S: AsRef<str>> Columns for Vec<S> {
    fn count(&self) -> usize {
        self.len()
    }
    fn name(&self, index: usize) -> &str {
        self[index].as_ref()
    }
}

impl Row for [Value] {
    fn column_count(&self) -> usize {
        self.len()
    }
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        self.get(index).map(Value::as_ref).ok_or_else(|| {
            crate::error::DecodeError::new(format!(
                "column index {index} out of range for a row of {} columns",
                self.len()
            ))
            .into()
        })
    }
}

/// Receives a statement's result: its columns once, then each row while it is current.
/// A decoder implements this; the backend drives it straight from the driver's rows.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
/// struct Ids(Vec<i64>);
/// impl RowSink for Ids {
///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
///         Ok(())
///     }
/// }
/// let mut ids = Ids(Vec::new());
/// let meta = db.backend().query(&Statement::new("SELECT id FROM users"), &mut ids).await?;
/// assert_eq!((ids.0.len(), meta.rows_read), (2, 2));
/// # Ok(()) }
/// ```
pub trait RowSink {
    /// Called once, before any row, with the result's column names.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{Columns, QueryBackend, Row, RowSink, Statement};
    /// #[derive(Default)]
    /// struct Names(Vec<String>);
    /// impl RowSink for Names {
    ///     fn columns(&mut self, columns: &dyn Columns) -> d1orm::Result<()> {
    ///         self.0 = (0..columns.count()).map(|i| columns.name(i).to_string()).collect();
    ///         Ok(())
    ///     }
    ///     fn row<R: Row + ?Sized>(&mut self, _row: &R) -> d1orm::Result<()> { Ok(()) }
    /// }
    /// let mut names = Names::default();
    /// db.backend().query(&Statement::new("SELECT id, email AS address FROM users"), &mut names).await?;
    /// assert_eq!(names.0, ["id", "address"]);
    /// # Ok(()) }
    /// ```
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        let _ = columns;
        Ok(())
    }
    /// Called for each row, in order. An error stops the statement and fails it.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
    /// struct Ids(Vec<i64>);
    /// impl RowSink for Ids {
    ///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
    ///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
    ///         Ok(())
    ///     }
    /// }
    /// let mut ids = Ids(Vec::new());
    /// db.backend().query(&Statement::new("SELECT id FROM users WHERE id > 1"), &mut ids).await?;
    /// assert_eq!(ids.0, [2]);
    /// # Ok(()) }
    /// ```
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()>;

    /// Whether the caller reads the statement's [`Meta`]. When it does not (`first()`,
    /// `one()`, `count()` of the table layer return no meta), a backend may leave out
    /// what only the meta reports, such as the duration and the rows read, and return
    /// those fields at their defaults. Defaults to `true`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{QueryBackend, Row, RowSink, Statement};
    /// struct Quiet;
    /// impl RowSink for Quiet {
    ///     fn row<R: Row + ?Sized>(&mut self, _row: &R) -> d1orm::Result<()> { Ok(()) }
    ///     fn reads_meta(&self) -> bool { false }      // the backend may skip the counters
    /// }
    /// db.backend().query(&Statement::new("SELECT * FROM users"), &mut Quiet).await?;
    /// # Ok(()) }
    /// ```
    fn reads_meta(&self) -> bool {
        true
    }
}

/// The object-safe form of [`RowSink`], for batches that mix decoders of different types.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{BatchEntry, DiscardRows, DynRowSink, QueryBackend, Statement};
/// let (a, b) = (Statement::new("UPDATE users SET age = age + 1"), Statement::new("SELECT * FROM users"));
/// let mut discard = DiscardRows;
/// let mut other = DiscardRows;
/// let sink: &mut (dyn DynRowSink + Send) = &mut other;   // any RowSink, behind dyn
/// let metas = db.backend().batch(&mut [
///     BatchEntry { statement: &a, sink: &mut discard },
///     BatchEntry { statement: &b, sink },
/// ]).await?;
/// assert_eq!(metas[0].changes, 2);
/// # Ok(()) }
/// ```
pub trait DynRowSink {
    /// See [`RowSink::columns`].
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{BatchEntry, DiscardRows, DynRowSink, QueryBackend, Statement};
    /// let (a, b) = (Statement::new("UPDATE users SET age = age + 1"), Statement::new("SELECT * FROM users"));
    /// let mut discard = DiscardRows;
    /// let mut other = DiscardRows;
    /// let sink: &mut (dyn DynRowSink + Send) = &mut other;   // any RowSink, behind dyn
    /// let metas = db.backend().batch(&mut [
    ///     BatchEntry { statement: &a, sink: &mut discard },
    ///     BatchEntry { statement: &b, sink },
    /// ]).await?;
    /// assert_eq!(metas[0].changes, 2);
    /// # Ok(()) }
    /// ```
    fn columns_dyn(&mut self, columns: &dyn Columns) -> Result<()>;
    /// See [`RowSink::row`].
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{BatchEntry, DiscardRows, DynRowSink, QueryBackend, Statement};
    /// let (a, b) = (Statement::new("UPDATE users SET age = age + 1"), Statement::new("SELECT * FROM users"));
    /// let mut discard = DiscardRows;
    /// let mut other = DiscardRows;
    /// let sink: &mut (dyn DynRowSink + Send) = &mut other;   // any RowSink, behind dyn
    /// let metas = db.backend().batch(&mut [
    ///     BatchEntry { statement: &a, sink: &mut discard },
    ///     BatchEntry { statement: &b, sink },
    /// ]).await?;
    /// assert_eq!(metas[0].changes, 2);
    /// # Ok(()) }
    /// ```
    fn row_dyn(&mut self, row: &dyn Row) -> Result<()>;
    /// See [`RowSink::reads_meta`]. Defaults to `true`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{BatchEntry, DiscardRows, DynRowSink, QueryBackend, Statement};
    /// let (a, b) = (Statement::new("UPDATE users SET age = age + 1"), Statement::new("SELECT * FROM users"));
    /// let mut discard = DiscardRows;
    /// let mut other = DiscardRows;
    /// let sink: &mut (dyn DynRowSink + Send) = &mut other;   // any RowSink, behind dyn
    /// let metas = db.backend().batch(&mut [
    ///     BatchEntry { statement: &a, sink: &mut discard },
    ///     BatchEntry { statement: &b, sink },
    /// ]).await?;
    /// assert_eq!(metas[0].changes, 2);
    /// # Ok(()) }
    /// ```
    fn reads_meta_dyn(&self) -> bool {
        true
    }
}

impl<S: RowSink> DynRowSink for S {
    fn columns_dyn(&mut self, columns: &dyn Columns) -> Result<()> {
        self.columns(columns)
    }
    fn row_dyn(&mut self, row: &dyn Row) -> Result<()> {
        self.row(row)
    }
    fn reads_meta_dyn(&self) -> bool {
        self.reads_meta()
    }
}

impl RowSink for dyn DynRowSink + Send + '_ {
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.columns_dyn(columns)
    }
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.row_dyn(&RowRef(row))
    }
    fn reads_meta(&self) -> bool {
        self.reads_meta_dyn()
    }
}

/// A sink whose caller does not read the meta (see [`RowSink::reads_meta`]).
pub(crate) struct MetaUnread<'a, S>(pub(crate) &'a mut S);

impl<S: RowSink> RowSink for MetaUnread<'_, S> {
    #[inline]
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.0.columns(columns)
    }
    #[inline]
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.0.row(row)
    }
    fn reads_meta(&self) -> bool {
        false
    }
}

/// A sink whose caller may not read the meta, said at run time rather than by a type
/// (see [`RowSink::reads_meta`]): whether it is read or not, the backend's future for
/// it is the same code.
pub(crate) struct MetaRead<'a, S: ?Sized>(pub(crate) &'a mut S, pub(crate) bool);

impl<S: RowSink + ?Sized> RowSink for MetaRead<'_, S> {
    #[inline]
    fn columns(&mut self, columns: &dyn Columns) -> Result<()> {
        self.0.columns(columns)
    }
    #[inline]
    fn row<R: Row + ?Sized>(&mut self, row: &R) -> Result<()> {
        self.0.row(row)
    }
    fn reads_meta(&self) -> bool {
        self.1 && self.0.reads_meta()
    }
}

/// Lets an unsized row be passed where `&dyn Row` is wanted.
struct RowRef<'a, R: ?Sized>(&'a R);

impl<R: Row + ?Sized> Row for RowRef<'_, R> {
    fn column_count(&self) -> usize {
        self.0.column_count()
    }
    fn value(&self, index: usize) -> Result<ValueRef<'_>> {
        self.0.value(index)
    }
}

/// A sink that discards rows, for statements whose rows nobody reads.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{DiscardRows, QueryBackend, Statement};
/// let meta = db.backend().query(&Statement::new("DELETE FROM users WHERE id = 2"), &mut DiscardRows).await?;
/// assert_eq!(meta.changes, 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Default, Clone, Copy)]
pub struct DiscardRows;

impl RowSink for DiscardRows {
    fn row<R: Row + ?Sized>(&mut self, _row: &R) -> Result<()> {
        Ok(())
    }
}

/// One statement of a batch with the sink that receives its rows.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{BatchEntry, DiscardRows, DynRowSink, QueryBackend, Statement};
/// let (a, b) = (Statement::new("UPDATE users SET age = age + 1"), Statement::new("SELECT * FROM users"));
/// let mut discard = DiscardRows;
/// let mut other = DiscardRows;
/// let sink: &mut (dyn DynRowSink + Send) = &mut other;   // any RowSink, behind dyn
/// let metas = db.backend().batch(&mut [
///     BatchEntry { statement: &a, sink: &mut discard },
///     BatchEntry { statement: &b, sink },
/// ]).await?;
/// assert_eq!(metas[0].changes, 2);
/// # Ok(()) }
/// ```
pub struct BatchEntry<'a> {
    /// The statement.
    pub statement: &'a Statement,
    /// Where its rows go.
    pub sink: &'a mut (dyn DynRowSink + Send),
}

/// What runs statements, with D1's semantics: a database or a D1 session. Chains,
/// prepared statements and batches need nothing more.
///
/// On native targets a backend is `Sync` and its futures are `Send`, so chains run in
/// tokio tasks and axum handlers; on wasm32 (D1 in a Worker, single-threaded) neither
/// is asked. Implementations may use `async fn`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// // What `Database` runs on: generic code takes any backend.
/// async fn adults<B: d1orm::QueryBackend>(db: &d1orm::Database<B>) -> d1orm::Result<u64>
/// where B: d1orm::Backend {
///     db.users().where_(|u| u.age.gte(18)).count().await
/// }
/// assert_eq!(adults(&db).await?, 1);
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a backend that runs statements",
    note = "inside `db.batch(|tx| ...)` writes are staged, and reads cannot run: read before or after the batch"
)]
pub trait QueryBackend: MaybeSync {
    /// Runs one statement (which may hold several; only the last returns rows), sending
    /// its rows to `sink`, and returns its meta.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
    /// struct Ids(Vec<i64>);
    /// impl RowSink for Ids {
    ///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
    ///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
    ///         Ok(())
    ///     }
    /// }
    /// let mut ids = Ids(Vec::new());
    /// db.backend().query(&Statement::new("SELECT id FROM users"), &mut ids).await?;
    /// assert_eq!(ids.0.len(), 2);
    /// # Ok(()) }
    /// ```
    fn query<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> impl Future<Output = Result<Meta>> + MaybeSend;

    /// [`query`](Self::query) done at once, by a backend that blocks anyway (SQLite):
    /// awaiting a single statement then needs no boxed future. `None`, the default,
    /// means the statement must be awaited through `query`; nothing has run then.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{QueryBackend, Row, RowSink, Statement, ValueRef};
    /// struct Ids(Vec<i64>);
    /// impl RowSink for Ids {
    ///     fn row<R: Row + ?Sized>(&mut self, row: &R) -> d1orm::Result<()> {
    ///         if let ValueRef::Integer(n) = row.value(0)? { self.0.push(n) }
    ///         Ok(())
    ///     }
    /// }
    /// let mut ids = Ids(Vec::new());
    /// // SQLite answers at once; a D1 backend gives None and must be awaited through `query`.
    /// let meta = db.backend().query_now(&Statement::new("SELECT id FROM users"), &mut ids);
    /// assert!(meta.is_some() && ids.0.len() == 2);
    /// # Ok(()) }
    /// ```
    fn query_now<S: RowSink + Send + ?Sized>(
        &self,
        statement: &Statement,
        sink: &mut S,
    ) -> Option<Result<Meta>> {
        let _ = (statement, sink);
        None
    }

    /// Runs the statements in one transaction, in order: all of them or none. On failure
    /// the first error is returned, as [`Error::Batch`](crate::Error::Batch) with the
    /// failing statement's position when the backend knows it (d1orm finds it when the
    /// backend does not), and every earlier statement is rolled back.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{BatchEntry, DiscardRows, DynRowSink, QueryBackend, Statement};
    /// let (a, b) = (Statement::new("UPDATE users SET age = age + 1"), Statement::new("SELECT * FROM users"));
    /// let mut discard = DiscardRows;
    /// let mut other = DiscardRows;
    /// let sink: &mut (dyn DynRowSink + Send) = &mut other;   // any RowSink, behind dyn
    /// let metas = db.backend().batch(&mut [
    ///     BatchEntry { statement: &a, sink: &mut discard },
    ///     BatchEntry { statement: &b, sink },
    /// ]).await?;
    /// assert_eq!(metas[0].changes, 2);
    /// # Ok(()) }
    /// ```
    fn batch(
        &self,
        entries: &mut [BatchEntry<'_>],
    ) -> impl Future<Output = Result<Vec<Meta>>> + MaybeSend;
}

/// A [`QueryBackend`] behind `dyn`, for what d1orm runs after the backend did not answer
/// at once: a batch, or a lone statement of a backend that must be awaited (D1). That
/// code is then compiled once, not once per backend type (a Worker with a D1 binding
/// and a Durable Object has two). Each call boxes the backend's future; SQLite's lone
/// statements never come here (`query_now`).
pub(crate) trait DynBackend: MaybeSync {
    /// [`QueryBackend::query`], boxed.
    fn query_boxed<'a>(
        &'a self,
        statement: &'a Statement,
        sink: &'a mut (dyn DynRowSink + Send),
    ) -> BoxFuture<'a, Result<Meta>>;

    /// [`QueryBackend::batch`], boxed.
    fn batch_boxed<'a>(
        &'a self,
        entries: &'a mut [BatchEntry<'_>],
    ) -> BoxFuture<'a, Result<Vec<Meta>>>;
}

impl<B: QueryBackend> DynBackend for B {
    fn query_boxed<'a>(
        &'a self,
        statement: &'a Statement,
        sink: &'a mut (dyn DynRowSink + Send),
    ) -> BoxFuture<'a, Result<Meta>> {
        Box::pin(self.query(statement, sink))
    }

    fn batch_boxed<'a>(
        &'a self,
        entries: &'a mut [BatchEntry<'_>],
    ) -> BoxFuture<'a, Result<Vec<Meta>>> {
        Box::pin(self.batch(entries))
    }
}

/// A database d1orm runs statements on: a [`QueryBackend`] that also runs SQL text
/// ([`exec`](Self::exec)), which D1 offers on a database and not on a session.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::Backend;
/// let r = db.backend().exec("CREATE TABLE t (x)").await?;
/// assert_eq!(r.count, 1);
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a database backend",
    note = "a D1 session runs statements and batches (`QueryBackend`), but has no `exec`"
)]
pub trait Backend: QueryBackend {
    /// Runs SQL text line by line in one transaction, with no parameters.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::Backend;
    /// let r = db.backend().exec("CREATE TABLE t (x)\nINSERT INTO t VALUES (1)").await?;
    /// assert_eq!(r.count, 2);
    /// # Ok(()) }
    /// ```
    fn exec(&self, sql: &str) -> impl Future<Output = Result<ExecResult>> + MaybeSend;
}

/// A database that copies itself whole as an SQLite file (D1's `dump`). Durable Object
/// storage has no such call, so its backend has no `dump` at all.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::DumpBackend;
/// let file = db.backend().dump().await?;
/// assert!(file.starts_with(b"SQLite format 3"));
/// # Ok(()) }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot dump its database",
    note = "`dump` is D1's (and the reference backend's); Durable Object storage and D1 sessions have none"
)]
pub trait DumpBackend: Backend {
    /// The database as an SQLite file.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let file = db.dump().await?;
    /// assert!(!file.is_empty());
    /// # Ok(()) }
    /// ```
    fn dump(&self) -> impl Future<Output = Result<Vec<u8>>> + MaybeSend;
}

/// A backend that opens D1 sessions (sequential consistency across replicas).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::{Bookmarked, DiscardRows, QueryBackend, SessionBackend, SessionConstraint, Statement};
/// let session = db.backend().with_session(&SessionConstraint::FirstPrimary)?;
/// session.query(&Statement::new("SELECT 1"), &mut DiscardRows).await?;   // no exec, no dump
/// assert!(session.bookmark().is_some());
/// # Ok(()) }
/// ```
pub trait SessionBackend: Backend {
    /// The backend a session runs its statements on: statements and batches only, as
    /// D1 sessions have no `exec` or `dump`.
    type Session: QueryBackend + Bookmarked;

    /// Opens a session whose first query is served under `constraint`.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{SessionBackend, SessionConstraint};
    /// let constraint = SessionConstraint::parse("first-unconstrained")?;
    /// db.backend().with_session(&constraint)?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Failure
    /// A constraint that is neither `first-unconstrained`, `first-primary`, nor a
    /// well-formed bookmark (`D1_SESSION_ERROR`).
    fn with_session(&self, constraint: &SessionConstraint) -> Result<Self::Session>;
}

/// A session's latest bookmark.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let session = db.with_session("first-primary")?;
/// session.prepare("SELECT 1").run().await?;
/// assert!(session.bookmark().is_some());
/// # Ok(()) }
/// ```
pub trait Bookmarked {
    /// The bookmark of the latest state this session has seen, `None` before its first
    /// query.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::{Bookmarked, SessionBackend, SessionConstraint};
    /// let session = db.backend().with_session(&SessionConstraint::FirstUnconstrained)?;
    /// assert_eq!(session.bookmark(), None);
    /// # Ok(()) }
    /// ```
    fn bookmark(&self) -> Option<String>;
}

/// Where a session's first query may be served.
///
/// ```
/// use d1orm::SessionConstraint;
/// assert_eq!(SessionConstraint::parse("first-primary")?, SessionConstraint::FirstPrimary);
/// # Ok::<(), d1orm::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum SessionConstraint {
    /// Any replica (`"first-unconstrained"`, the default).
    #[default]
    FirstUnconstrained,
    /// The primary (`"first-primary"`).
    FirstPrimary,
    /// A replica at least as recent as the bookmark.
    Bookmark(String),
}

impl SessionConstraint {
    /// Reads a constraint as D1's `withSession` takes it.
    ///
    /// ```
    /// use d1orm::SessionConstraint;
    /// assert!(SessionConstraint::parse("first-unconstrained").is_ok());
    /// assert!(SessionConstraint::parse("last-secondary").is_err());
    /// ```
    ///
    /// # Failure
    /// Anything else than the two names or a bookmark of the form
    /// `00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683`.
    pub fn parse(text: &str) -> Result<SessionConstraint> {
        match text {
            "first-unconstrained" => Ok(SessionConstraint::FirstUnconstrained),
            "first-primary" => Ok(SessionConstraint::FirstPrimary),
            b if is_bookmark(b) => Ok(SessionConstraint::Bookmark(b.to_owned())),
            other => Err(crate::Error::d1(
                crate::Prefix::SessionError,
                format!("Invalid session constraint or bookmark: {other}"),
            )),
        }
    }
}

/// Whether `text` has the shape of a D1 bookmark: 8-8-8-32 hexadecimal digits.
///
/// ```
/// assert!(d1orm::is_bookmark("00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683"));
/// assert!(!d1orm::is_bookmark("first-primary"));
/// ```
pub fn is_bookmark(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() == 4
        && parts
            .iter()
            .zip([8, 8, 8, 32])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}
