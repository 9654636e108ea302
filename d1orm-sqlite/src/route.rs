//! What the backend learnt of SQL texts, to run them where they belong next time.
//!
//! A call goes to an idle reader first; a reader stops, before anything runs, at a
//! statement SQLite does not find read-only (`sqlite3_stmt_readonly`), a `PRAGMA` or a
//! schema change, and the call goes to the writer. Its text is remembered
//! ([`KnownSql`]), so the next call with it goes to the writer straight away. So are
//! reads that ran long on an async worker thread, which then start off it.

use std::collections::HashSet;
use std::sync::Mutex;

use d1orm::Sql;

type Hasher = foldhash::fast::RandomState;

/// Texts remembered of each kind before the set starts over: an application has far
/// fewer distinct writes, and one that builds its SQL anew each call only costs each
/// text one extra visit to a reader.
const CAPACITY: usize = 4096;

/// A set of SQL texts.
#[derive(Default)]
pub(crate) struct KnownSql {
    known: Mutex<Known>,
}

#[derive(Default)]
struct Known {
    /// `&'static str` SQL, by address and length: its bytes never change.
    by_address: HashSet<(usize, usize), Hasher>,
    by_text: HashSet<Box<str>, Hasher>,
}

impl KnownSql {
    /// Whether `sql` is in the set.
    pub(crate) fn contains(&self, sql: &Sql) -> bool {
        let known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        match sql.as_static() {
            Some(text) => known.by_address.contains(&address(text)),
            None => known.by_text.contains(&**sql),
        }
    }

    /// Puts `sql` in the set.
    pub(crate) fn insert(&self, sql: &Sql) {
        let mut known = self.known.lock().unwrap_or_else(|p| p.into_inner());
        match sql.as_static() {
            Some(text) => {
                if known.by_address.len() >= CAPACITY {
                    known.by_address.clear();
                }
                known.by_address.insert(address(text));
            }
            None => {
                if known.by_text.len() >= CAPACITY {
                    known.by_text.clear();
                }
                known.by_text.insert(Box::from(&**sql));
            }
        }
    }
}

fn address(text: &'static str) -> (usize, usize) {
    (text.as_ptr() as usize, text.len())
}
