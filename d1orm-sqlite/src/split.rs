//! Splitting SQL text into statements the way D1 does, so one `prepare` may hold several
//! statements and comments are judged as D1 judges them.

use std::ffi::CString;

use d1orm::Result;
use smallvec::SmallVec;

use crate::errors::{empty_statement, no_statements};

/// The statements of one text: nearly always one, kept without an allocation.
pub(crate) type Pieces<'a> = SmallVec<[&'a str; 1]>;

/// The statements of a piece of SQL text, in order.
pub(crate) fn statements(sql: &str) -> Result<Pieces<'_>> {
    // Generated SQL holds no `;` and no comment: one statement, found without a scan.
    if memchr::memchr3(b';', b'-', b'/', sql.as_bytes()).is_none() {
        return if sql.trim().is_empty() {
            Err(no_statements())
        } else {
            Ok(smallvec::smallvec![sql])
        };
    }
    let pieces = scan(sql);
    if pieces.iter().all(|p| !p.has_code) {
        // Only whitespace and comments: D1 sees no statement at all, unless the text
        // has a `;` or a block comment, which it reports as an empty statement.
        let separators = sql.contains(';') || sql.contains("/*");
        return Err(if separators {
            empty_statement()
        } else {
            no_statements()
        });
    }
    pieces
        .into_iter()
        .map(|p| {
            if p.has_code {
                Ok(p.text)
            } else {
                Err(empty_statement())
            }
        })
        .collect()
}

struct Piece<'a> {
    text: &'a str,
    has_code: bool,
}

/// Cuts `sql` after every `;` that ends a complete statement (quotes, comments and
/// trigger bodies respected); trailing text after the last `;` is a piece of its own
/// unless it is only whitespace.
fn scan(sql: &str) -> Vec<Piece<'_>> {
    let bytes = sql.as_bytes();
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut has_code = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            quote @ (b'\'' | b'"' | b'`' | b'[') => {
                let close = if quote == b'[' { b']' } else { quote };
                has_code = true;
                i += 1;
                while i < bytes.len() {
                    if bytes[i] == close {
                        // A doubled quote is an escaped quote.
                        if close != b']' && bytes.get(i + 1) == Some(&close) {
                            i += 2;
                            continue;
                        }
                        break;
                    }
                    i += 1;
                }
                i += 1;
                continue;
            }
            b';' if is_complete(&sql[start..=i]) => {
                pieces.push(Piece {
                    text: &sql[start..=i],
                    has_code,
                });
                start = i + 1;
                has_code = false;
            }
            b if !b.is_ascii_whitespace() && b != b';' => has_code = true,
            _ => {}
        }
        i += 1;
    }
    let rest = &sql[start.min(sql.len())..];
    if !rest.trim().is_empty() {
        pieces.push(Piece {
            text: rest,
            has_code,
        });
    }
    pieces
}

/// Whether `sql` ends a complete statement, by SQLite's own judgement (which knows that a
/// `;` inside `CREATE TRIGGER ... BEGIN ... END` does not end it).
fn is_complete(sql: &str) -> bool {
    let Ok(text) = CString::new(sql) else {
        return true;
    };
    // SAFETY: `text` is a valid NUL-terminated string that outlives the call;
    // sqlite3_complete only reads it.
    unsafe { rusqlite::ffi::sqlite3_complete(text.as_ptr()) != 0 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(sql: &str) -> Result<Vec<String>, String> {
        statements(sql)
            .map(|v| v.into_iter().map(|s| s.trim().to_owned()).collect())
            .map_err(|e| e.to_string())
    }

    #[test]
    fn splits_on_statement_ends_only() {
        assert_eq!(split("SELECT 1").unwrap(), ["SELECT 1"]);
        assert_eq!(
            split("SELECT 1; SELECT 2;").unwrap(),
            ["SELECT 1;", "SELECT 2;"]
        );
        assert_eq!(
            split("SELECT ';'; SELECT 2").unwrap(),
            ["SELECT ';';", "SELECT 2"]
        );
        assert_eq!(split("SELECT 1 -- x; y").unwrap(), ["SELECT 1 -- x; y"]);
        let trigger =
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; END; SELECT 1";
        assert_eq!(
            split(trigger).unwrap(),
            [
                "CREATE TRIGGER t AFTER INSERT ON a BEGIN UPDATE b SET n = n + 1; END;",
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn comments_and_empties_follow_d1() {
        let none = "D1_ERROR: No SQL statements detected.";
        let empty = "D1_ERROR: SQL code did not contain a statement.";
        assert_eq!(split("").unwrap_err(), none);
        assert_eq!(split("  \n ").unwrap_err(), none);
        assert_eq!(split("-- only a comment").unwrap_err(), none);
        assert_eq!(split(";").unwrap_err(), empty);
        assert_eq!(split("/* x */").unwrap_err(), empty);
        assert_eq!(split("SELECT 1; -- x").unwrap_err(), empty);
        assert_eq!(split("SELECT 1 -- x").unwrap(), ["SELECT 1 -- x"]);
    }
}
