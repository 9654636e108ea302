//! The one error type of d1orm. Its `Display` is D1's error text, so an error seen in a
//! test against SQLite reads exactly as the same failure would on D1.

use std::fmt;

/// `Result` with d1orm's [`Error`] as the default error type.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// fn adults(n: i64) -> d1orm::Result<i64> { Ok(n) }
/// assert_eq!(adults(1)?, 1);
/// # Ok(()) }
/// ```
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong in d1orm.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// use d1orm::Error;
/// match db.users().where_(|u| u.age.gt(99)).one().await {
///     Err(Error::NotFound { table }) => assert_eq!(table, "users"),
///     other => panic!("{other:?}"),
/// }
/// let dup = db.users().insert(NewUser::builder().email("ada@example.com").age(1).tags(vec![]).build()).await.unwrap_err();
/// assert!(matches!(dup, Error::Database(_)) && dup.is_unique_violation());
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The database (or D1's API in front of it) refused a call; `Display` is D1's text.
    Database(DatabaseError),
    /// A row or a value could not be turned into the Rust type asked for.
    Decode(DecodeError),
    /// `one()` found no matching row.
    NotFound {
        /// The table queried.
        table: &'static str,
    },
    /// `one()` found more than one matching row.
    TooMany {
        /// The table queried.
        table: &'static str,
    },
    /// A migration cannot bring the database to the schema without an opt-in (a
    /// rebuild, a drop) or a change to the structs; the message says what and why.
    Migration {
        /// Every refused change, one a line.
        message: String,
    },
    /// The runtime around D1 failed the call with text of its own, not D1's (a Worker's
    /// runtime throwing `internal error; reference = ...`); `Display` is that text, as
    /// JavaScript shows it.
    Runtime {
        /// The runtime's message.
        message: String,
    },
    /// A statement of a batch failed, so none of the batch was applied. `Display` is the
    /// statement's error followed by its position.
    Batch {
        /// The failing statement's position in the batch, from 0.
        index: usize,
        /// How many statements the batch held.
        count: usize,
        /// The statement's error.
        error: Box<Error>,
    },
}

impl Error {
    /// An error with D1's prefix and a free-form detail and no SQLite code, such as
    /// `D1_ERROR: No SQL statements detected.`
    ///
    /// ```
    /// use d1orm::{Error, Prefix};
    /// let e = Error::d1(Prefix::Error, "No SQL statements detected.");
    /// assert_eq!(e.to_string(), "D1_ERROR: No SQL statements detected.");
    /// ```
    pub fn d1(prefix: Prefix, message: impl Into<String>) -> Self {
        Error::Database(DatabaseError {
            prefix,
            message: message.into(),
            offset: None,
            code: None,
            extended_code: None,
        })
    }

    /// An error raised by SQLite, carrying its primary and extended result codes.
    ///
    /// ```
    /// use d1orm::{Error, Prefix, SqliteCode};
    /// let e = Error::sqlite(Prefix::Error, "no such table: t", None, SqliteCode::ERROR, None);
    /// assert_eq!(e.to_string(), "D1_ERROR: no such table: t: SQLITE_ERROR");
    /// ```
    pub fn sqlite(
        prefix: Prefix,
        message: impl Into<String>,
        offset: Option<u32>,
        code: SqliteCode,
        extended_code: Option<SqliteCode>,
    ) -> Self {
        Error::Database(DatabaseError {
            prefix,
            message: message.into(),
            offset,
            code: Some(code),
            extended_code,
        })
    }

    /// A value that cannot be bound, in D1's words:
    /// `D1_TYPE_ERROR: Type 'u64' not supported for value '18446744073709551615'`.
    ///
    /// ```
    /// let e = d1orm::Error::unsupported_type("u64", u64::MAX);
    /// assert_eq!(e.to_string(), "D1_TYPE_ERROR: Type 'u64' not supported for value '18446744073709551615'");
    /// ```
    pub fn unsupported_type(type_name: &str, value: impl fmt::Display) -> Self {
        Error::d1(
            Prefix::TypeError,
            format!("Type '{type_name}' not supported for value '{value}'"),
        )
    }

    /// `error` as the failure of statement `index` of a batch of `count` (an error that
    /// already has a position keeps it).
    ///
    /// ```
    /// use d1orm::{Error, Prefix};
    /// let e = Error::d1(Prefix::Error, "boom").in_batch(1, 3);
    /// assert_eq!(e.batch_index(), Some(1));
    /// assert!(e.to_string().ends_with("(statement 2 of 3 in the batch)"));
    /// ```
    pub fn in_batch(self, index: usize, count: usize) -> Self {
        match self {
            Error::Batch { .. } => self,
            error => Error::Batch {
                index,
                count,
                error: Box::new(error),
            },
        }
    }

    /// The same error located at `column` of `table` when it is a decode error (one
    /// already located keeps its place); any other error unchanged. For a value the
    /// backend could not hand out (text that is not UTF-8, an integer D1 would round).
    #[cold]
    #[inline(never)]
    pub(crate) fn located(self, table: &str, column: &str) -> Self {
        match self {
            Error::Decode(e) => Error::Decode(e.in_column(column).in_table(table)),
            other => other,
        }
    }

    /// As [`located`](Self::located), for a column of a result with no table known
    /// (the D1 layer's rows).
    #[cold]
    #[inline(never)]
    pub(crate) fn located_column(self, column: &str) -> Self {
        match self {
            Error::Decode(e) => Error::Decode(e.in_column(column)),
            other => other,
        }
    }

    /// The failing statement's position in its batch, from 0, when the error came from
    /// a batch.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.batch((
    ///     db.users().where_(|u| u.id.eq(1)).update(|u| u.age.add(1)),
    ///     db.users().insert(NewUser::builder().email("ada@example.com").age(1).tags(vec![]).build()),   // a duplicate
    /// )).await.unwrap_err();
    /// assert_eq!(err.batch_index(), Some(1));
    /// assert_eq!(db.users().find(1).await?.map(|u| u.age), Some(36));          // nothing applied
    /// # Ok(()) }
    /// ```
    pub fn batch_index(&self) -> Option<usize> {
        match self {
            Error::Batch { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// The error itself, without the batch position around it.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.batch((
    ///     db.users().where_(|u| u.id.eq(1)).update(|u| u.age.add(1)),
    ///     db.users().insert(NewUser::builder().email("ada@example.com").age(1).tags(vec![]).build()),
    /// )).await.unwrap_err();
    /// assert!(matches!(err.root(), d1orm::Error::Database(_)));
    /// # Ok(()) }
    /// ```
    pub fn root(&self) -> &Error {
        match self {
            Error::Batch { error, .. } => error.root(),
            other => other,
        }
    }

    /// The database error, if this is one (inside a batch error too).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("SELECT * FROM nowhere").run().await.unwrap_err();
    /// assert_eq!(err.as_database().map(|e| e.message.as_str()), Some("no such table: nowhere"));
    /// # Ok(()) }
    /// ```
    pub fn as_database(&self) -> Option<&DatabaseError> {
        match self.root() {
            Error::Database(e) => Some(e),
            _ => None,
        }
    }

    /// D1's prefix (`D1_ERROR`, `D1_TYPE_ERROR`, ...), for database errors.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("SELECT * FROM nowhere").run().await.unwrap_err();
    /// assert_eq!(err.prefix(), Some(d1orm::Prefix::Error));
    /// # Ok(()) }
    /// ```
    pub fn prefix(&self) -> Option<Prefix> {
        self.as_database().map(|e| e.prefix)
    }

    /// SQLite's primary result code, when SQLite raised the error.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("SELECT * FROM nowhere").run().await.unwrap_err();
    /// assert_eq!(err.code(), Some(d1orm::SqliteCode::ERROR));
    /// # Ok(()) }
    /// ```
    pub fn code(&self) -> Option<SqliteCode> {
        self.as_database().and_then(|e| e.code)
    }

    /// SQLite's extended result code, when SQLite gave one.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let dup = db.users().insert(NewUser::builder().email("bo@example.com").age(1).tags(vec![]).build()).await.unwrap_err();
    /// assert_eq!(dup.extended_code(), Some(d1orm::SqliteCode::CONSTRAINT_UNIQUE));
    /// # Ok(()) }
    /// ```
    pub fn extended_code(&self) -> Option<SqliteCode> {
        self.as_database().and_then(|e| e.extended_code)
    }

    /// True for a UNIQUE or PRIMARY KEY constraint violation.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let dup = db.users().insert(NewUser::builder().email("bo@example.com").age(1).tags(vec![]).build()).await.unwrap_err();
    /// assert!(dup.is_unique_violation());
    /// # Ok(()) }
    /// ```
    pub fn is_unique_violation(&self) -> bool {
        matches!(
            self.extended_code(),
            Some(SqliteCode::CONSTRAINT_UNIQUE | SqliteCode::CONSTRAINT_PRIMARYKEY)
        )
    }

    /// True for a FOREIGN KEY constraint violation.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.exec("CREATE TABLE posts (author INTEGER NOT NULL REFERENCES users(id))").await?;
    /// let err = db.prepare("INSERT INTO posts VALUES (99)").run().await.unwrap_err();
    /// assert!(err.is_foreign_key_violation());
    /// # Ok(()) }
    /// ```
    pub fn is_foreign_key_violation(&self) -> bool {
        self.extended_code() == Some(SqliteCode::CONSTRAINT_FOREIGNKEY)
    }

    /// True for a CHECK constraint violation.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// db.exec("CREATE TABLE sizes (n INTEGER CHECK (n > 0))").await?;
    /// let err = db.prepare("INSERT INTO sizes VALUES (0)").run().await.unwrap_err();
    /// assert!(err.is_check_violation());
    /// # Ok(()) }
    /// ```
    pub fn is_check_violation(&self) -> bool {
        self.extended_code() == Some(SqliteCode::CONSTRAINT_CHECK)
    }

    /// True for a NOT NULL constraint violation.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("INSERT INTO users (email, age, tags) VALUES (NULL, 1, '[]')").run().await.unwrap_err();
    /// assert!(err.is_not_null_violation() && err.is_constraint_violation());
    /// # Ok(()) }
    /// ```
    pub fn is_not_null_violation(&self) -> bool {
        self.extended_code() == Some(SqliteCode::CONSTRAINT_NOTNULL)
    }

    /// True for any constraint violation.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("INSERT INTO users (id, email, age, tags) VALUES (1, 'x', 1, '[]')").run().await.unwrap_err();
    /// assert!(err.is_constraint_violation());
    /// # Ok(()) }
    /// ```
    pub fn is_constraint_violation(&self) -> bool {
        self.code() == Some(SqliteCode::CONSTRAINT)
    }

    /// True when the database was busy or locked by another connection.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("SELECT * FROM nowhere").run().await.unwrap_err();
    /// assert!(!err.is_busy());    // SQLITE_BUSY / SQLITE_LOCKED: another connection holds the lock
    /// # Ok(()) }
    /// ```
    pub fn is_busy(&self) -> bool {
        matches!(self.code(), Some(SqliteCode::BUSY | SqliteCode::LOCKED))
    }

    /// True when D1 (or the reference backend) refused the statement as not allowed
    /// (a forbidden PRAGMA, ATTACH, a `_cf_` name, ...).
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// let err = db.prepare("PRAGMA writable_schema = ON").run().await.unwrap_err();
    /// assert!(err.is_not_authorized());
    /// # Ok(()) }
    /// ```
    pub fn is_not_authorized(&self) -> bool {
        self.code() == Some(SqliteCode::AUTH)
            || self
                .as_database()
                .is_some_and(|e| e.message.starts_with("not authorized"))
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Database(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::NotFound { table } => write!(f, "no row of {table} matched"),
            Error::TooMany { table } => write!(f, "more than one row of {table} matched"),
            Error::Migration { message } => write!(f, "migration refused: {message}"),
            Error::Runtime { message } => f.write_str(message),
            Error::Batch {
                index,
                count,
                error,
            } => write!(
                f,
                "{error} (statement {} of {count} in the batch)",
                index + 1
            ),
        }
    }
}

impl std::error::Error for Error {}

impl From<DatabaseError> for Error {
    fn from(e: DatabaseError) -> Self {
        Error::Database(e)
    }
}

impl From<DecodeError> for Error {
    fn from(e: DecodeError) -> Self {
        Error::Decode(e)
    }
}

/// An error reported by D1 or SQLite. Displays as
/// `PREFIX: message[ at offset N][: SQLITE_CODE][ (extended: SQLITE_EXT)]`.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let err = db.prepare("SELECT * FROM nowhere").run().await.unwrap_err();
/// let e = err.as_database().unwrap();
/// assert_eq!((e.prefix, e.message.as_str()), (d1orm::Prefix::Error, "no such table: nowhere"));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DatabaseError {
    /// D1's prefix.
    pub prefix: Prefix,
    /// The detail: SQLite's message, or D1's own text.
    pub message: String,
    /// The byte offset in the SQL that SQLite pointed at, when it did.
    pub offset: Option<u32>,
    /// SQLite's primary result code.
    pub code: Option<SqliteCode>,
    /// SQLite's extended result code, when it differs from the primary one.
    pub extended_code: Option<SqliteCode>,
}

impl DatabaseError {
    /// Reads D1's error text back into its parts: the inverse of `Display`. Text without
    /// a known prefix is kept whole as a `D1_ERROR` message.
    ///
    /// ```
    /// use d1orm::{DatabaseError, SqliteCode};
    /// let e = DatabaseError::parse("D1_ERROR: UNIQUE constraint failed: users.email: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)");
    /// assert_eq!(e.message, "UNIQUE constraint failed: users.email");
    /// assert_eq!(e.extended_code, Some(SqliteCode::CONSTRAINT_UNIQUE));
    /// ```
    pub fn parse(text: &str) -> DatabaseError {
        let (prefix, mut rest) = Prefix::ALL
            .iter()
            .find_map(|p| {
                text.strip_prefix(p.as_str())
                    .and_then(|r| r.strip_prefix(": "))
                    .map(|r| (*p, r))
            })
            .unwrap_or((Prefix::Error, text));
        let mut extended_code = None;
        if let Some(start) = rest.rfind(" (extended: ")
            && rest.ends_with(')')
            && let Some(code) = SqliteCode::from_name(&rest[start + 12..rest.len() - 1])
        {
            extended_code = Some(code);
            rest = &rest[..start];
        }
        let mut code = None;
        if let Some(start) = rest.rfind(": SQLITE_")
            && let Some(c) = SqliteCode::from_name(&rest[start + 2..])
        {
            code = Some(c);
            rest = &rest[..start];
        } else if extended_code.is_some() {
            extended_code = None;
        }
        let mut offset = None;
        if code.is_some()
            && let Some(start) = rest.rfind(" at offset ")
            && let Ok(n) = rest[start + 11..].parse::<u32>()
        {
            offset = Some(n);
            rest = &rest[..start];
        }
        DatabaseError {
            prefix,
            message: rest.to_owned(),
            offset,
            code,
            extended_code,
        }
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.prefix.as_str(), self.message)?;
        if let Some(code) = self.code {
            if let Some(offset) = self.offset {
                write!(f, " at offset {offset}")?;
            }
            write!(f, ": {}", code.name())?;
            if let Some(ext) = self.extended_code {
                write!(f, " (extended: {})", ext.name())?;
            }
        }
        Ok(())
    }
}

/// The prefix D1 puts before every error message.
///
/// ```
/// use d1orm::{Error, Prefix};
/// assert_eq!(Error::unsupported_type("u64", u64::MAX).prefix(), Some(Prefix::TypeError));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Prefix {
    /// `D1_ERROR`: the statement failed.
    Error,
    /// `D1_TYPE_ERROR`: a value could not be bound.
    TypeError,
    /// `D1_COLUMN_NOTFOUND`: `first(column)` named a column the result does not have.
    ColumnNotFound,
    /// `D1_EXEC_ERROR`: a line of `exec` failed.
    ExecError,
    /// `D1_DUMP_ERROR`: the database could not be dumped.
    DumpError,
    /// `D1_SESSION_ERROR`: a session constraint or bookmark was not valid.
    SessionError,
}

impl Prefix {
    const ALL: [Prefix; 6] = [
        Prefix::Error,
        Prefix::TypeError,
        Prefix::ColumnNotFound,
        Prefix::ExecError,
        Prefix::DumpError,
        Prefix::SessionError,
    ];

    /// The prefix as D1 writes it.
    ///
    /// ```
    /// assert_eq!(d1orm::Prefix::TypeError.as_str(), "D1_TYPE_ERROR");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Prefix::Error => "D1_ERROR",
            Prefix::TypeError => "D1_TYPE_ERROR",
            Prefix::ColumnNotFound => "D1_COLUMN_NOTFOUND",
            Prefix::ExecError => "D1_EXEC_ERROR",
            Prefix::DumpError => "D1_DUMP_ERROR",
            Prefix::SessionError => "D1_SESSION_ERROR",
        }
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A row or value that could not be decoded into the requested Rust type.
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// db.prepare("UPDATE users SET tags = 'not json' WHERE id = 2").run().await?;
/// let err = db.users().find(2).await.unwrap_err();
/// let d1orm::Error::Decode(e) = &err else { panic!("{err}") };
/// assert_eq!((e.table.as_deref(), e.column.as_deref()), (Some("users"), Some("tags")));
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    /// The table the value came from, when known.
    pub table: Option<String>,
    /// The column the value came from, when known.
    pub column: Option<String>,
    /// What went wrong.
    pub message: String,
}

impl DecodeError {
    /// A decode error with no location yet.
    ///
    /// ```
    /// let e = d1orm::DecodeError::new("not a date");
    /// assert_eq!((e.table, e.column), (None, None));
    /// ```
    pub fn new(message: impl Into<String>) -> Self {
        DecodeError {
            table: None,
            column: None,
            message: message.into(),
        }
    }

    /// The same error, located at a column (kept if already located).
    ///
    /// ```
    /// let e = d1orm::DecodeError::new("not a date").in_column("born").in_column("other");
    /// assert_eq!(e.column.as_deref(), Some("born"));
    /// ```
    pub fn in_column(mut self, column: impl Into<String>) -> Self {
        if self.column.is_none() {
            self.column = Some(column.into());
        }
        self
    }

    /// The same error, located in a table (kept if already located).
    ///
    /// ```
    /// let e = d1orm::DecodeError::new("not a date").in_column("born").in_table("people");
    /// assert_eq!(e.table.as_deref(), Some("people"));
    /// ```
    pub fn in_table(mut self, table: impl Into<String>) -> Self {
        if self.table.is_none() {
            self.table = Some(table.into());
        }
        self
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("cannot decode")?;
        match (&self.table, &self.column) {
            (Some(t), Some(c)) => write!(f, " column {t}.{c}")?,
            (None, Some(c)) => write!(f, " column {c}")?,
            (Some(t), None) => write!(f, " a row of {t}")?,
            (None, None) => f.write_str(" row")?,
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for DecodeError {}

impl serde::de::Error for DecodeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DecodeError::new(msg.to_string())
    }
}

/// An SQLite result code (primary or extended), named as SQLite names it.
///
/// ```
/// use d1orm::SqliteCode;
/// assert_eq!(SqliteCode::CONSTRAINT_UNIQUE, SqliteCode(2067));
/// assert_eq!(SqliteCode::CONSTRAINT_UNIQUE.name(), "SQLITE_CONSTRAINT_UNIQUE");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SqliteCode(pub i32);

macro_rules! sqlite_codes {
    ($($name:ident = $value:expr, $text:literal;)*) => {
        #[allow(missing_docs)]
        impl SqliteCode {
            $(pub const $name: SqliteCode = SqliteCode($value);)*

            /// Every code with its name. Searched in order rather than matched: a
            /// `match` on a hundred strings compiles to kilobytes of comparisons, and
            /// this runs only when an error is made or shown.
            const NAMES: &[(i32, &str)] = &[$(($value, $text)),*];

            /// SQLite's name for the code (`SQLITE_CONSTRAINT_UNIQUE`), or
            /// `SQLITE_UNKNOWN` for a code SQLite does not define.
            ///
            /// ```
            /// assert_eq!(d1orm::SqliteCode(5).name(), "SQLITE_BUSY");
            /// ```
            pub fn name(self) -> &'static str {
                Self::NAMES
                    .iter()
                    .find(|(value, _)| *value == self.0)
                    .map_or("SQLITE_UNKNOWN", |(_, text)| text)
            }

            /// The code of a name such as `SQLITE_BUSY`.
            ///
            /// ```
            /// assert_eq!(d1orm::SqliteCode::from_name("SQLITE_BUSY"), Some(d1orm::SqliteCode::BUSY));
            /// ```
            pub fn from_name(name: &str) -> Option<SqliteCode> {
                Self::NAMES
                    .iter()
                    .find(|(_, text)| *text == name)
                    .map(|(value, _)| SqliteCode(*value))
            }
        }
    };
}

sqlite_codes! {
    ERROR = 1, "SQLITE_ERROR";
    INTERNAL = 2, "SQLITE_INTERNAL";
    PERM = 3, "SQLITE_PERM";
    ABORT = 4, "SQLITE_ABORT";
    BUSY = 5, "SQLITE_BUSY";
    LOCKED = 6, "SQLITE_LOCKED";
    NOMEM = 7, "SQLITE_NOMEM";
    READONLY = 8, "SQLITE_READONLY";
    INTERRUPT = 9, "SQLITE_INTERRUPT";
    IOERR = 10, "SQLITE_IOERR";
    CORRUPT = 11, "SQLITE_CORRUPT";
    NOTFOUND = 12, "SQLITE_NOTFOUND";
    FULL = 13, "SQLITE_FULL";
    CANTOPEN = 14, "SQLITE_CANTOPEN";
    PROTOCOL = 15, "SQLITE_PROTOCOL";
    EMPTY = 16, "SQLITE_EMPTY";
    SCHEMA = 17, "SQLITE_SCHEMA";
    TOOBIG = 18, "SQLITE_TOOBIG";
    CONSTRAINT = 19, "SQLITE_CONSTRAINT";
    MISMATCH = 20, "SQLITE_MISMATCH";
    MISUSE = 21, "SQLITE_MISUSE";
    NOLFS = 22, "SQLITE_NOLFS";
    AUTH = 23, "SQLITE_AUTH";
    FORMAT = 24, "SQLITE_FORMAT";
    RANGE = 25, "SQLITE_RANGE";
    NOTADB = 26, "SQLITE_NOTADB";
    NOTICE = 27, "SQLITE_NOTICE";
    WARNING = 28, "SQLITE_WARNING";
    ERROR_MISSING_COLLSEQ = 1 | (1 << 8), "SQLITE_ERROR_MISSING_COLLSEQ";
    ERROR_RETRY = 1 | (2 << 8), "SQLITE_ERROR_RETRY";
    ERROR_SNAPSHOT = 1 | (3 << 8), "SQLITE_ERROR_SNAPSHOT";
    IOERR_READ = 10 | (1 << 8), "SQLITE_IOERR_READ";
    IOERR_SHORT_READ = 10 | (2 << 8), "SQLITE_IOERR_SHORT_READ";
    IOERR_WRITE = 10 | (3 << 8), "SQLITE_IOERR_WRITE";
    IOERR_FSYNC = 10 | (4 << 8), "SQLITE_IOERR_FSYNC";
    IOERR_NOMEM = 10 | (12 << 8), "SQLITE_IOERR_NOMEM";
    LOCKED_SHAREDCACHE = 6 | (1 << 8), "SQLITE_LOCKED_SHAREDCACHE";
    LOCKED_VTAB = 6 | (2 << 8), "SQLITE_LOCKED_VTAB";
    BUSY_RECOVERY = 5 | (1 << 8), "SQLITE_BUSY_RECOVERY";
    BUSY_SNAPSHOT = 5 | (2 << 8), "SQLITE_BUSY_SNAPSHOT";
    BUSY_TIMEOUT = 5 | (3 << 8), "SQLITE_BUSY_TIMEOUT";
    CANTOPEN_NOTEMPDIR = 14 | (1 << 8), "SQLITE_CANTOPEN_NOTEMPDIR";
    CANTOPEN_ISDIR = 14 | (2 << 8), "SQLITE_CANTOPEN_ISDIR";
    CANTOPEN_FULLPATH = 14 | (3 << 8), "SQLITE_CANTOPEN_FULLPATH";
    CORRUPT_VTAB = 11 | (1 << 8), "SQLITE_CORRUPT_VTAB";
    READONLY_RECOVERY = 8 | (1 << 8), "SQLITE_READONLY_RECOVERY";
    READONLY_CANTLOCK = 8 | (2 << 8), "SQLITE_READONLY_CANTLOCK";
    READONLY_ROLLBACK = 8 | (3 << 8), "SQLITE_READONLY_ROLLBACK";
    READONLY_DBMOVED = 8 | (4 << 8), "SQLITE_READONLY_DBMOVED";
    ABORT_ROLLBACK = 4 | (2 << 8), "SQLITE_ABORT_ROLLBACK";
    CONSTRAINT_CHECK = 19 | (1 << 8), "SQLITE_CONSTRAINT_CHECK";
    CONSTRAINT_COMMITHOOK = 19 | (2 << 8), "SQLITE_CONSTRAINT_COMMITHOOK";
    CONSTRAINT_FOREIGNKEY = 19 | (3 << 8), "SQLITE_CONSTRAINT_FOREIGNKEY";
    CONSTRAINT_FUNCTION = 19 | (4 << 8), "SQLITE_CONSTRAINT_FUNCTION";
    CONSTRAINT_NOTNULL = 19 | (5 << 8), "SQLITE_CONSTRAINT_NOTNULL";
    CONSTRAINT_PRIMARYKEY = 19 | (6 << 8), "SQLITE_CONSTRAINT_PRIMARYKEY";
    CONSTRAINT_TRIGGER = 19 | (7 << 8), "SQLITE_CONSTRAINT_TRIGGER";
    CONSTRAINT_UNIQUE = 19 | (8 << 8), "SQLITE_CONSTRAINT_UNIQUE";
    CONSTRAINT_VTAB = 19 | (9 << 8), "SQLITE_CONSTRAINT_VTAB";
    CONSTRAINT_ROWID = 19 | (10 << 8), "SQLITE_CONSTRAINT_ROWID";
    CONSTRAINT_PINNED = 19 | (11 << 8), "SQLITE_CONSTRAINT_PINNED";
    CONSTRAINT_DATATYPE = 19 | (12 << 8), "SQLITE_CONSTRAINT_DATATYPE";
    AUTH_USER = 23 | (1 << 8), "SQLITE_AUTH_USER";
}

impl SqliteCode {
    /// The primary code of an extended code (`CONSTRAINT_UNIQUE` gives `CONSTRAINT`).
    ///
    /// ```
    /// use d1orm::SqliteCode;
    /// assert_eq!(SqliteCode::CONSTRAINT_UNIQUE.primary(), SqliteCode::CONSTRAINT);
    /// ```
    pub fn primary(self) -> SqliteCode {
        SqliteCode(self.0 & 0xff)
    }
}

impl fmt::Display for SqliteCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_has_its_name_both_ways() {
        for (code, name) in SqliteCode::NAMES {
            assert!(name.starts_with("SQLITE_"), "{name}");
            assert_eq!(SqliteCode(*code).name(), *name);
            assert_eq!(SqliteCode::from_name(name), Some(SqliteCode(*code)));
        }
        assert_eq!(
            SqliteCode::CONSTRAINT_UNIQUE.name(),
            "SQLITE_CONSTRAINT_UNIQUE"
        );
        assert_eq!(SqliteCode(12345).name(), "SQLITE_UNKNOWN");
        for other in [
            "",
            "SQLITE_ERROR SQLITE_INTERNAL",
            "SQLITE_UNKNOWN",
            "sqlite_error",
        ] {
            assert_eq!(SqliteCode::from_name(other), None, "{other:?}");
        }
    }

    #[test]
    fn display_is_d1_text_and_parse_is_its_inverse() {
        let texts = [
            "D1_ERROR: UNIQUE constraint failed: t.name: SQLITE_CONSTRAINT (extended: SQLITE_CONSTRAINT_UNIQUE)",
            "D1_ERROR: too many SQL variables at offset 7: SQLITE_ERROR",
            "D1_ERROR: No SQL statements detected.",
            "D1_TYPE_ERROR: Type 'bigint' not supported for value '10'",
            "D1_COLUMN_NOTFOUND: Column not found (nope)",
            "D1_EXEC_ERROR: Error in line 1: SELECT x: no such column: x: SQLITE_ERROR",
        ];
        for text in texts {
            let parsed = DatabaseError::parse(text);
            assert_eq!(parsed.to_string(), text);
        }
        let e = Error::from(DatabaseError::parse(texts[0]));
        assert!(e.is_unique_violation());
        assert!(e.is_constraint_violation());
        assert_eq!(e.code(), Some(SqliteCode::CONSTRAINT));
        assert_eq!(e.prefix(), Some(Prefix::Error));
        let e = DatabaseError::parse(texts[1]);
        assert_eq!(e.offset, Some(7));
        assert_eq!(e.message, "too many SQL variables");
    }

    #[test]
    fn extended_code_names_round_trip() {
        assert_eq!(
            SqliteCode::CONSTRAINT_UNIQUE.name(),
            "SQLITE_CONSTRAINT_UNIQUE"
        );
        assert_eq!(SqliteCode::from_name("SQLITE_BUSY"), Some(SqliteCode::BUSY));
        assert_eq!(
            SqliteCode::CONSTRAINT_UNIQUE.primary(),
            SqliteCode::CONSTRAINT
        );
        assert_eq!(SqliteCode(9999).name(), "SQLITE_UNKNOWN");
    }
}
