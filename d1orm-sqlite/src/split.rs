//! Splitting SQL text into statements the way D1 does, so one `prepare` may hold several
//! statements and comments are judged as D1 judges them.

use d1orm::Result;
use smallvec::SmallVec;

use crate::errors::{empty_statement, no_statements};
use crate::lex::{self, Boundary, Kind};

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
    // D1 skips empty statements (a lone `;`, only comments) before a statement, but not
    // after the last one: `;; SELECT 1` runs, `SELECT 1;;` and `SELECT 1; -- x` fail.
    if pieces.last().is_some_and(|p| !p.has_code) {
        return Err(empty_statement());
    }
    Ok(pieces
        .into_iter()
        .filter(|p| p.has_code)
        .map(|p| p.text)
        .collect())
}

struct Piece<'a> {
    text: &'a str,
    has_code: bool,
}

/// Cuts `sql` after every `;` that ends a complete statement (quotes, comments and
/// trigger bodies respected, as SQLite's `sqlite3_complete` judges them), in one pass;
/// trailing text after the last `;` is a piece of its own unless it is only white space.
fn scan(sql: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut has_code = false;
    let mut boundary = Boundary::Nothing;
    for token in lex::tokens(sql) {
        boundary = boundary.after(&token);
        if token.kind != Kind::Semicolon {
            has_code = true;
        } else if boundary == Boundary::Ended {
            let end = token.start + 1;
            pieces.push(Piece {
                text: &sql[start..end],
                has_code,
            });
            start = end;
            has_code = false;
        }
    }
    let rest = &sql[start..];
    if !rest.trim().is_empty() {
        pieces.push(Piece {
            text: rest,
            has_code,
        });
    }
    pieces
}

/// Whether `sql` ends a complete statement, as SQLite's `sqlite3_complete` says: it
/// also calls a text that ends inside a comment incomplete (a block comment, or since
/// SQLite 3.54 a `--` comment without its newline), where the parser takes the comment
/// as ended.
#[cfg(test)]
pub(crate) fn is_complete(sql: &str) -> bool {
    let mut end = 0;
    let boundary = lex::tokens(sql).fold(Boundary::Nothing, |b, t| {
        end = t.start + t.text.len();
        b.after(&t)
    });
    let mut rest = &sql[end..];
    let open_comment = loop {
        rest = rest.trim_start_matches([' ', '\t', '\n', '\x0c', '\r']);
        if let Some(after) = rest.strip_prefix("--") {
            match after.find('\n') {
                Some(n) => rest = &after[n..],
                None => break true,
            }
        } else if let Some(after) = rest.strip_prefix("/*") {
            match after.find("*/") {
                Some(n) => rest = &after[n + 2..],
                None => break true,
            }
        } else {
            break false;
        }
    };
    boundary == Boundary::Ended && !open_comment
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
        assert_eq!(split("SELECT 1;;").unwrap_err(), empty);
        assert_eq!(split("SELECT 1 -- x").unwrap(), ["SELECT 1 -- x"]);
        assert_eq!(split(";; SELECT 1").unwrap(), ["SELECT 1"]);
        assert_eq!(
            split("SELECT 1;;; SELECT 2").unwrap(),
            ["SELECT 1;", "SELECT 2"]
        );
        assert_eq!(
            split("SELECT 1; /* c */; -- d\n; SELECT 2").unwrap(),
            ["SELECT 1;", "SELECT 2"]
        );
    }
}

/// The splitter against SQLite's own judgement, on random SQL-like text.
#[cfg(test)]
mod fuzz {
    use std::ffi::CString;

    use proptest::prelude::*;
    use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

    use super::*;

    /// SQLite's `sqlite3_complete`.
    fn sqlite_complete(sql: &str) -> bool {
        let text = CString::new(sql).expect("no NUL in generated text");
        // SAFETY: `text` is NUL-terminated and outlives the call, which only reads it.
        unsafe { rusqlite::ffi::sqlite3_complete(text.as_ptr()) != 0 }
    }

    /// Pieces of SQL that move the statement-boundary judgement around.
    fn sql_like() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "SELECT",
            "1",
            ";",
            " ",
            "\n",
            "\t",
            "CREATE",
            "create",
            "TEMP",
            "temporary",
            "TRIGGER",
            "trigger",
            "EXPLAIN",
            "QUERY",
            "END",
            "end",
            "BEGIN",
            "'",
            "\"",
            "`",
            "[",
            "]",
            "--",
            "/*",
            "*/",
            "x",
            "é",
            "ON",
            "(",
            ")",
            ",",
            "-",
            "/",
            "*",
            "_",
            "$",
            "1e5",
            "x'00'",
        ]);
        prop::collection::vec(atoms, 0..40).prop_map(|parts| parts.concat())
    }

    /// Cases from `D1ORM_FUZZ_CASES` (default 2,000), from a fixed seed unless
    /// `D1ORM_FUZZ_SEED` gives another.
    fn runner() -> TestRunner {
        let cases = std::env::var("D1ORM_FUZZ_CASES")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(2_000);
        let config = Config {
            cases,
            failure_persistence: None,
            ..Config::default()
        };
        let rng = match std::env::var("D1ORM_FUZZ_SEED")
            .ok()
            .and_then(|v| v.parse::<u64>().ok())
        {
            Some(seed) => {
                let mut bytes = [0u8; 32];
                bytes[..8].copy_from_slice(&seed.to_le_bytes());
                TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
            }
            None => TestRng::deterministic_rng(RngAlgorithm::ChaCha),
        };
        TestRunner::new_with_rng(config, rng)
    }

    #[test]
    fn statement_ends_are_where_sqlite_puts_them() {
        runner()
            .run(&sql_like(), |sql| {
                prop_assert_eq!(is_complete(&sql), sqlite_complete(&sql), "{:?}", sql);
                // Each piece but the last ends at the first `;` that completes it.
                let pieces = scan(&sql);
                // The pieces are the text, in order, but for trailing white space.
                let joined: String = pieces.iter().map(|p| p.text).collect();
                prop_assert_eq!(joined.as_str(), &sql[..joined.len()]);
                prop_assert!(sql[joined.len()..].trim().is_empty());
                for (n, piece) in pieces.iter().enumerate() {
                    // Every piece but the last was cut where a statement ended.
                    prop_assert!(
                        n + 1 == pieces.len() || sqlite_complete(piece.text),
                        "{:?} in {:?}",
                        piece.text,
                        sql
                    );
                    let before_end = piece.text.strip_suffix(';').unwrap_or(piece.text);
                    for (i, _) in before_end.match_indices(';') {
                        prop_assert!(
                            !sqlite_complete(&piece.text[..=i]),
                            "{:?} in {:?}",
                            piece.text,
                            sql
                        );
                    }
                }
                Ok(())
            })
            .unwrap();
    }

    #[test]
    fn splitting_is_one_pass() {
        // 90 KB of statements inside one trigger body: each byte is read once, where
        // asking SQLite at every `;` rereads the text so far (quadratic).
        let body = "SELECT 1;".repeat(10_000);
        let sql = format!("CREATE TRIGGER t AFTER INSERT ON a BEGIN {body} END; SELECT 2");
        let tokens = lex::tokens(&sql).count();
        assert_eq!(tokens, 8 + 3 * 10_000 + 4);
        let pieces = statements(&sql).unwrap();
        assert_eq!(pieces.len(), 2);
        assert_eq!(pieces[1].trim(), "SELECT 2");
    }
}
