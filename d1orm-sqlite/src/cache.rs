//! The backend's own prepared-statement cache.
//!
//! rusqlite's `prepare_cached` moves a statement out of an LRU list and back on every
//! call, and hashes the SQL each time: about 1,200 instructions a statement, a fifth of
//! a point lookup. This cache keeps each statement in place and lends it out, finds SQL
//! that lives for the whole program (`&'static str`, as the derive writes and as
//! `db.prepare("...")` is mostly given) by address without reading its text, and evicts
//! by second chance (CLOCK) when full.
//!
//! The statements borrow the connection, so the two live together in a
//! [`CachedConnection`], which frees the statements before the connection.

use std::collections::HashMap;
use std::ptr::NonNull;
use std::sync::Arc;

use rusqlite::{Connection, PrepFlags};
use smallvec::SmallVec;

use crate::counters::Counting;
use crate::split;

type Hasher = foldhash::fast::RandomState;

/// Where SQL text is: its address and length, for text that lives as long as the
/// program, whose bytes therefore never change.
type Address = (usize, usize);

/// SQL to look up: its text, and whether that text is `'static`.
#[derive(Clone, Copy)]
pub(crate) struct Key<'a> {
    text: &'a str,
    forever: bool,
}

/// Keys for the statements of one text.
pub(crate) type Keys<'a> = SmallVec<[Key<'a>; 1]>;

impl Key<'static> {
    /// Text that lives as long as the program: found by its address.
    pub(crate) fn forever(text: &'static str) -> Key<'static> {
        Key {
            text,
            forever: true,
        }
    }
}

impl<'a> Key<'a> {
    /// Text that may be dropped or changed after the call.
    pub(crate) fn transient(text: &'a str) -> Key<'a> {
        Key {
            text,
            forever: false,
        }
    }

    /// The SQL.
    pub(crate) fn text(&self) -> &'a str {
        self.text
    }

    /// The keys of the statements in the text, split as D1 splits it. A slice of text
    /// that lives as long as the program does too.
    pub(crate) fn statements(self) -> d1orm::Result<Keys<'a>> {
        Ok(split::statements(self.text)?
            .into_iter()
            .map(|text| Key {
                text,
                forever: self.forever,
            })
            .collect())
    }

    /// Without surrounding white space, as rusqlite's own cache prepares: error offsets
    /// then count from the statement's first word, as D1's do.
    fn trimmed(self) -> Key<'a> {
        // Most SQL starts and ends with a character that is not white space: answer
        // that from two bytes, without the Unicode-aware scan.
        let not_space = |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_graphic());
        let bytes = self.text.as_bytes();
        if not_space(bytes.first()) && not_space(bytes.last()) {
            return self;
        }
        Key {
            text: self.text.trim(),
            forever: self.forever,
        }
    }

    fn address(&self) -> Address {
        (self.text.as_ptr() as usize, self.text.len())
    }
}

/// A statement kept prepared.
struct Slot {
    text: Arc<str>,
    /// Borrows the connection of the [`CachedConnection`] the cache belongs to.
    statement: rusqlite::Statement<'static>,
    /// Set on every use, cleared as the clock hand passes: a slot used since the hand
    /// last passed gets a second chance.
    used: bool,
    /// The `'static` addresses the text was found under.
    addresses: SmallVec<[Address; 1]>,
    /// The text is known to be one statement that D1 does not refuse and that changes
    /// no schema (see [`StatementCache::mark_plain`]).
    plain: bool,
    /// Its handle and program, for D1's row counters.
    counting: Counting,
}

/// Prepared statements of one connection, by SQL text.
///
/// The statements borrow the connection: the cache lives in a [`CachedConnection`],
/// which drops it before the connection and never moves the connection.
pub(crate) struct StatementCache {
    slots: Vec<Slot>,
    by_text: HashMap<Arc<str>, usize, Hasher>,
    by_address: HashMap<Address, usize, Hasher>,
    hand: usize,
    capacity: usize,
}

impl StatementCache {
    pub(crate) fn new(capacity: usize) -> Self {
        StatementCache {
            slots: Vec::new(),
            by_text: HashMap::default(),
            by_address: HashMap::default(),
            hand: 0,
            capacity: capacity.max(1),
        }
    }

    /// The statement for `key`, prepared on `conn` on first use.
    ///
    /// # Safety
    /// `conn` must be the connection of every call, stay in place, and outlive the
    /// cache (as the [`CachedConnection`] holding the cache ensures); the statement is
    /// used in place, never moved out nor replaced, as its lifetime is the connection's,
    /// not `'static`.
    pub(crate) unsafe fn get<'s>(
        &'s mut self,
        conn: &Connection,
        key: Key<'_>,
    ) -> rusqlite::Result<(&'s mut rusqlite::Statement<'static>, &'s mut Counting)> {
        let key = key.trimmed();
        let index = match self.find_trimmed(key) {
            Some(index) => index,
            None => {
                // Persistent: SQLite then keeps the statement out of the connection's
                // lookaside memory, which stays free for each run's own allocations.
                let statement =
                    conn.prepare_with_flags(key.text, PrepFlags::SQLITE_PREPARE_PERSISTENT)?;
                let counting = Counting::new(conn, key.text);
                // SAFETY: the `CachedConnection` keeps `conn` in place and alive for as
                // long as the cache holds the statement.
                let statement = unsafe {
                    std::mem::transmute::<rusqlite::Statement<'_>, rusqlite::Statement<'static>>(
                        statement,
                    )
                };
                self.insert(key, statement, counting)
            }
        };
        if key.forever && !self.slots[index].addresses.contains(&key.address()) {
            // The same text found at another address: remember this one too.
            self.by_address.insert(key.address(), index);
            self.slots[index].addresses.push(key.address());
        }
        let slot = &mut self.slots[index];
        slot.used = true;
        Ok((&mut slot.statement, &mut slot.counting))
    }

    /// The slot holding `key`'s text, looked up without remembering a new address.
    fn find(&self, key: Key<'_>) -> Option<usize> {
        self.find_trimmed(key.trimmed())
    }

    // Always inlined into `get`, on every statement's path.
    #[inline(always)]
    fn find_trimmed(&self, key: Key<'_>) -> Option<usize> {
        if key.forever
            && let Some(&index) = self.by_address.get(&key.address())
        {
            return Some(index);
        }
        self.by_text.get(key.text).copied()
    }

    /// Whether `key`'s text was marked plain (and is still kept).
    pub(crate) fn is_plain(&self, key: Key<'_>) -> bool {
        self.find(key).is_some_and(|index| self.slots[index].plain)
    }

    /// Records that `key`'s text, kept since it ran, is one statement that D1 does not
    /// refuse and that changes no schema, so that it need not be checked again.
    pub(crate) fn mark_plain(&mut self, key: Key<'_>) {
        if let Some(index) = self.find(key) {
            self.slots[index].plain = true;
        }
    }

    fn insert(
        &mut self,
        key: Key<'_>,
        statement: rusqlite::Statement<'static>,
        counting: Counting,
    ) -> usize {
        let text: Arc<str> = key.text.into();
        let slot = Slot {
            text: text.clone(),
            statement,
            used: true,
            addresses: if key.forever {
                smallvec::smallvec![key.address()]
            } else {
                SmallVec::new()
            },
            plain: false,
            counting,
        };
        let index = if self.slots.len() < self.capacity {
            self.slots.push(slot);
            self.slots.len() - 1
        } else {
            let index = self.victim();
            let old = std::mem::replace(&mut self.slots[index], slot);
            self.by_text.remove(&old.text);
            for address in &old.addresses {
                self.by_address.remove(address);
            }
            index
        };
        self.by_text.insert(text, index);
        if key.forever {
            self.by_address.insert(key.address(), index);
        }
        index
    }

    /// The next slot not used since the clock hand last passed it.
    fn victim(&mut self) -> usize {
        loop {
            let index = self.hand;
            self.hand = (self.hand + 1) % self.slots.len();
            let slot = &mut self.slots[index];
            if !slot.used {
                return index;
            }
            slot.used = false;
        }
    }

    /// Finalizes every statement.
    fn clear(&mut self) {
        self.slots.clear();
        self.by_text.clear();
        self.by_address.clear();
        self.hand = 0;
    }

    /// Statements kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.slots.len()
    }
}

/// The backend's own transaction statements, prepared once and kept apart from the
/// cache, whose statements application SQL finds by its text: a `BEGIN` prepared by
/// the backend must never be found for an application's `BEGIN`, which D1 refuses.
#[derive(Default)]
pub(crate) struct Control {
    statements: [Option<rusqlite::Statement<'static>>; 3],
}

/// One of the backend's transaction statements.
#[derive(Debug, Clone, Copy)]
pub(crate) enum ControlStatement {
    Begin = 0,
    Commit = 1,
    Rollback = 2,
}

impl ControlStatement {
    fn sql(self) -> &'static str {
        match self {
            ControlStatement::Begin => "BEGIN IMMEDIATE",
            ControlStatement::Commit => "COMMIT",
            ControlStatement::Rollback => "ROLLBACK",
        }
    }
}

impl Control {
    /// Runs `which` on `conn`, preparing it on first use.
    ///
    /// # Safety
    /// As [`StatementCache::get`]: `conn` is the connection of every call and outlives
    /// the statements (the [`CachedConnection`] holding both ensures it).
    pub(crate) unsafe fn run(
        &mut self,
        conn: &Connection,
        which: ControlStatement,
    ) -> rusqlite::Result<()> {
        let slot = &mut self.statements[which as usize];
        if slot.is_none() {
            let statement =
                conn.prepare_with_flags(which.sql(), PrepFlags::SQLITE_PREPARE_PERSISTENT)?;
            // SAFETY: the `CachedConnection` keeps `conn` in place and alive for as
            // long as it holds the statement.
            *slot = Some(unsafe {
                std::mem::transmute::<rusqlite::Statement<'_>, rusqlite::Statement<'static>>(
                    statement,
                )
            });
        }
        match slot {
            Some(statement) => statement.raw_execute().map(|_| ()),
            None => Ok(()),
        }
    }
}

/// The statements of a connection, borrowed for one call.
pub(crate) struct Statements<'a> {
    pub(crate) cache: &'a mut StatementCache,
    pub(crate) control: &'a mut Control,
}

/// A connection and the statements prepared on it.
pub(crate) struct CachedConnection {
    statements: StatementCache,
    control: Control,
    /// Owned (made by `Box::leak`, freed in `drop`). Not a `Box`: the statements
    /// keep shared references into it, which a `Box`, a unique owner, must not have
    /// while it is moved or reborrowed.
    conn: NonNull<Connection>,
}

// SAFETY: the statements refer to this connection and to nothing else, and move with
// it. `CachedConnection` has no shared (`&self`) access to the statements, so using
// them takes `&mut`, which the backend's mutex serialises (a file database is opened
// with SQLITE_OPEN_NO_MUTEX, so nothing else does). `Connection` itself is `Send`.
unsafe impl Send for CachedConnection {}

const _: () = {
    const fn sendable<T: Send>() {}
    sendable::<Connection>();
};

impl CachedConnection {
    pub(crate) fn new(conn: Connection, capacity: usize) -> Self {
        CachedConnection {
            statements: StatementCache::new(capacity),
            control: Control::default(),
            conn: NonNull::from(Box::leak(Box::new(conn))),
        }
    }

    /// The connection.
    pub(crate) fn conn(&self) -> &Connection {
        // SAFETY: valid from `new` until `drop`, and only ever shared.
        unsafe { self.conn.as_ref() }
    }

    /// The connection and its statements, borrowed together.
    pub(crate) fn parts(&mut self) -> (&Connection, Statements<'_>) {
        // SAFETY: as in `conn`.
        (
            unsafe { self.conn.as_ref() },
            Statements {
                cache: &mut self.statements,
                control: &mut self.control,
            },
        )
    }
}

impl Drop for CachedConnection {
    fn drop(&mut self) {
        // The statements first: SQLite closes no connection with statements open.
        self.statements.clear();
        self.control = Control::default();
        // SAFETY: made by `Box::leak` in `new`, freed once, here, after every statement
        // that borrowed it.
        drop(unsafe { Box::from_raw(self.conn.as_ptr()) });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(cache: &mut StatementCache, conn: &Connection, key: Key<'_>) -> i64 {
        // SAFETY: one connection, which outlives the cache in each test.
        let (stmt, _) = unsafe { cache.get(conn, key) }.expect("prepare");
        stmt.query_row([], |r| r.get(0)).expect("row")
    }

    #[test]
    fn finds_text_by_content_and_static_text_by_address() {
        let conn = Connection::open_in_memory().unwrap();
        let mut cache = StatementCache::new(4);
        assert_eq!(run(&mut cache, &conn, Key::forever("SELECT 1")), 1);
        let owned = String::from("SELECT 1");
        assert_eq!(run(&mut cache, &conn, Key::transient(&owned)), 1);
        assert_eq!(cache.len(), 1, "same text, one statement");
        assert_eq!(run(&mut cache, &conn, Key::transient("SELECT 2")), 2);
        assert_eq!(cache.len(), 2);
    }

    #[test]
    fn evicts_a_statement_not_used_since_the_hand_passed() {
        let conn = Connection::open_in_memory().unwrap();
        let mut cache = StatementCache::new(3);
        let texts: Vec<String> = (1..=4).map(|i| format!("SELECT {i}")).collect();
        for (i, text) in texts.iter().take(3).enumerate() {
            assert_eq!(run(&mut cache, &conn, Key::transient(text)), i as i64 + 1);
        }
        // A fourth statement evicts one of the first three, and every text still
        // answers with its own statement.
        assert_eq!(run(&mut cache, &conn, Key::transient(&texts[3])), 4);
        assert_eq!(cache.len(), 3);
        for (i, text) in texts.iter().enumerate() {
            assert_eq!(run(&mut cache, &conn, Key::transient(text)), i as i64 + 1);
        }
        assert_eq!(cache.len(), 3);
        assert_eq!(cache.by_text.len(), 3);
    }

    #[test]
    fn an_evicted_static_text_is_forgotten_by_address() {
        let conn = Connection::open_in_memory().unwrap();
        let mut cache = StatementCache::new(1);
        assert_eq!(run(&mut cache, &conn, Key::forever("SELECT 1")), 1);
        assert_eq!(run(&mut cache, &conn, Key::forever("SELECT 2")), 2);
        assert!(cache.by_address.len() == 1 && cache.by_text.len() == 1);
        assert_eq!(run(&mut cache, &conn, Key::forever("SELECT 1")), 1);
    }

    #[test]
    fn a_plain_mark_lasts_as_long_as_its_statement() {
        let conn = Connection::open_in_memory().unwrap();
        let mut cache = StatementCache::new(1);
        let text = String::from(" SELECT 1 ");
        assert!(!cache.is_plain(Key::transient(&text)), "not kept yet");
        cache.mark_plain(Key::transient(&text));
        assert!(!cache.is_plain(Key::transient(&text)), "nothing to mark");
        run(&mut cache, &conn, Key::transient(&text));
        cache.mark_plain(Key::transient(&text));
        assert!(cache.is_plain(Key::transient("SELECT 1")));
        assert!(cache.is_plain(Key::forever("SELECT 1")));
        // Evicted, then prepared again: checked again before it is marked.
        run(&mut cache, &conn, Key::transient("SELECT 2"));
        run(&mut cache, &conn, Key::transient(&text));
        assert!(!cache.is_plain(Key::transient(&text)));
    }
}
