//! SQLite's errors in D1's words.

use d1orm::{DecodeError, Error, Prefix, SqliteCode};

use crate::auth::Denial;

/// D1's answer to `BEGIN`, `COMMIT`, `ROLLBACK`, `SAVEPOINT` and `RELEASE`.
pub(crate) const TRANSACTION_REFUSED: &str = "To execute a transaction, please use the state.storage.transaction() or state.storage.transactionSync() APIs instead of the SQL BEGIN TRANSACTION or SAVEPOINT statements. The JavaScript API is safer because it will automatically roll back on exceptions, and because it interacts correctly with Durable Objects' automatic atomic write coalescing.";

/// D1's answer to a parameter count that does not match the statement.
pub(crate) fn wrong_parameter_count() -> Error {
    Error::d1(
        Prefix::Error,
        "Wrong number of parameter bindings for SQL query.",
    )
}

/// D1's answer to SQL with no statement in it.
pub(crate) fn no_statements() -> Error {
    Error::d1(Prefix::Error, "No SQL statements detected.")
}

/// D1's answer to a piece of SQL between `;` that holds only comments.
pub(crate) fn empty_statement() -> Error {
    Error::d1(Prefix::Error, "SQL code did not contain a statement.")
}

/// D1's answer to SQL text over its length limit.
pub(crate) fn statement_too_long() -> Error {
    Error::sqlite(
        Prefix::Error,
        "statement too long",
        None,
        SqliteCode::TOOBIG,
        None,
    )
}

/// D1's error list (its "Debug D1" page) has no entry for the 30-second query limit
/// alone; this is the one for a storage operation that ran past D1's timeout, which D1
/// raises when a query runs past 30 seconds.
const TIME_LIMIT_TEXT: &str =
    "D1 DB storage operation exceeded timeout which caused object to be reset.";

/// D1's answer to a query that ran past its time limit.
pub(crate) fn time_limit_exceeded() -> Error {
    Error::d1(Prefix::Error, TIME_LIMIT_TEXT)
}

/// Converts a rusqlite error, given what the authorizer refused while it arose.
pub(crate) fn from_rusqlite(error: rusqlite::Error, denial: Denial) -> Error {
    if denial == Denial::Transaction {
        return Error::d1(Prefix::Error, TRANSACTION_REFUSED);
    }
    if denial == Denial::MissingFunction
        && let rusqlite::Error::SqlInputError {
            error, msg, offset, ..
        } = &error
        && let Some(name) = msg.strip_prefix("not authorized to use function: ")
    {
        return sqlite_error(
            *error,
            format!("no such function: {name}"),
            u32::try_from(*offset).ok(),
        );
    }
    match error {
        rusqlite::Error::SqliteFailure(e, message) => {
            sqlite_error(e, message.unwrap_or_else(|| e.to_string()), None)
        }
        rusqlite::Error::SqlInputError {
            error, msg, offset, ..
        } => sqlite_error(error, msg, u32::try_from(offset).ok()),
        rusqlite::Error::Utf8Error(..) => {
            Error::Decode(DecodeError::new("text is not valid UTF-8"))
        }
        other => Error::d1(Prefix::Error, other.to_string()),
    }
}

fn sqlite_error(e: rusqlite::ffi::Error, message: String, offset: Option<u32>) -> Error {
    // D1's SQLite words the trigger-depth limit differently.
    let message = if message == "too many levels of trigger recursion" {
        "triggers nested too deep".to_owned()
    } else {
        message
    };
    let code = SqliteCode(e.extended_code & 0xff);
    let extended = (e.extended_code != code.0).then_some(SqliteCode(e.extended_code));
    Error::sqlite(Prefix::Error, message, offset, code, extended)
}
