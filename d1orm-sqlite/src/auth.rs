//! D1's forbidden SQL, enforced with SQLite's authorizer: transactions, PRAGMAs outside
//! D1's allow-list (and their arguments), ATTACH, the temp database, most virtual
//! tables, `_cf_` names and the functions outside D1's allow-list.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use rusqlite::hooks::{AuthAction, AuthContext, Authorization};

/// Shared between the backend and the authorizer callback it installs.
#[derive(Debug, Default)]
pub(crate) struct AuthState {
    /// Set while the backend runs its own statements (transaction control, size
    /// queries), which D1's rules do not apply to.
    internal: AtomicBool,
    /// Why the last statement was refused, so its error can carry D1's text.
    denial: AtomicU8,
    /// A statement set `defer_foreign_keys`, which D1's end of call resets.
    defer_fk_set: AtomicBool,
    /// An `ANALYZE` was authorized (`PRAGMA optimize` runs one inside).
    analyzed: AtomicBool,
}

/// What the authorizer refused last.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Denial {
    None = 0,
    Transaction = 1,
    Other = 2,
    /// A function D1's SQLite does not have, although the bundled one does.
    MissingFunction = 3,
}

impl AuthState {
    /// Runs `f` outside D1's rules: the backend's own statements (`EXPLAIN`, the
    /// counters' side queries, sizes, transaction control). The rules are back on
    /// after it, even if it unwinds.
    pub(crate) fn internally<R>(&self, f: impl FnOnce() -> R) -> R {
        struct Back<'a>(&'a AtomicBool);
        impl Drop for Back<'_> {
            fn drop(&mut self) {
                self.0.store(false, Ordering::Relaxed);
            }
        }
        self.internal.store(true, Ordering::Relaxed);
        let _back = Back(&self.internal);
        f()
    }

    pub(crate) fn take_denial(&self) -> Denial {
        match self.denial.swap(Denial::None as u8, Ordering::Relaxed) {
            1 => Denial::Transaction,
            2 => Denial::Other,
            3 => Denial::MissingFunction,
            _ => Denial::None,
        }
    }

    /// Whether a statement prepared since the last call set `defer_foreign_keys`.
    pub(crate) fn take_defer_fk_set(&self) -> bool {
        take(&self.defer_fk_set)
    }

    /// Whether an `ANALYZE` was authorized since the last call.
    pub(crate) fn take_analyzed(&self) -> bool {
        take(&self.analyzed)
    }

    fn deny(&self, why: Denial) -> Authorization {
        self.denial.store(why as u8, Ordering::Relaxed);
        Authorization::Deny
    }
}

/// Reads and clears a flag that is nearly always clear: asked after every statement, so
/// a plain load comes first (a swap is a locked write each time).
#[inline]
fn take(flag: &AtomicBool) -> bool {
    flag.load(Ordering::Relaxed) && flag.swap(false, Ordering::Relaxed)
}

/// The authorizer callback D1's rules ask for: those of workerd's SQLite wrapper
/// (`SqliteDatabase::isAuthorized` in `src/workerd/util/sqlite.c++`), which local D1
/// runs and whose answers the conformance suite observes.
pub(crate) fn authorizer(state: Arc<AuthState>) -> impl FnMut(AuthContext<'_>) -> Authorization {
    move |ctx| {
        if state.internal.load(Ordering::Relaxed) {
            return Authorization::Allow;
        }
        // SQLite gives ALTER TABLE's database as its first argument, and DROP COLUMN
        // the column's name where other actions give the database's.
        let database = match ctx.action {
            AuthAction::AlterTable { database_name, .. } => Some(database_name),
            _ => ctx.database_name,
        };
        match database {
            // The temp database: reading and updating only (ALTER TABLE updates the temp
            // schema's views and triggers; `SELECT * FROM sqlite_temp_master` reads it),
            // so nothing can be created in it, whatever words asked for it.
            Some("temp") => {
                return match ctx.action {
                    AuthAction::Read { table_name, .. } | AuthAction::Update { table_name, .. }
                        if !is_reserved(table_name) =>
                    {
                        Authorization::Allow
                    }
                    _ => state.deny(Denial::Other),
                };
            }
            Some("main") | None => {}
            // No database but main (and temp) exists for D1.
            Some(_) => return state.deny(Denial::Other),
        }
        let allowed = |name: &str| {
            if is_reserved(name) {
                state.deny(Denial::Other)
            } else {
                Authorization::Allow
            }
        };
        match ctx.action {
            AuthAction::Select | AuthAction::Recursive => Authorization::Allow,
            AuthAction::Analyze { .. } => {
                state.analyzed.store(true, Ordering::Relaxed);
                Authorization::Allow
            }
            AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => {
                state.deny(Denial::Transaction)
            }
            AuthAction::Pragma {
                pragma_name,
                pragma_value,
            } => pragma(&state, pragma_name, pragma_value),
            AuthAction::CreateTable { table_name: name }
            | AuthAction::DropTable { table_name: name }
            | AuthAction::Insert { table_name: name }
            | AuthAction::Delete { table_name: name }
            | AuthAction::Read {
                table_name: name, ..
            }
            | AuthAction::Update {
                table_name: name, ..
            }
            | AuthAction::CreateView { view_name: name }
            | AuthAction::DropView { view_name: name }
            | AuthAction::Reindex { index_name: name }
            | AuthAction::AlterTable {
                table_name: name, ..
            } => allowed(name),
            AuthAction::CreateIndex {
                index_name: a,
                table_name: b,
            }
            | AuthAction::DropIndex {
                index_name: a,
                table_name: b,
            }
            | AuthAction::CreateTrigger {
                trigger_name: a,
                table_name: b,
            }
            | AuthAction::DropTrigger {
                trigger_name: a,
                table_name: b,
            } => {
                if is_reserved(a) || is_reserved(b) {
                    state.deny(Denial::Other)
                } else {
                    Authorization::Allow
                }
            }
            AuthAction::CreateVtable {
                table_name,
                module_name,
            }
            | AuthAction::DropVtable {
                table_name,
                module_name,
            } => {
                if ["fts5", "fts5vocab", "rtree", "rtree_i32"]
                    .iter()
                    .any(|m| m.eq_ignore_ascii_case(module_name))
                {
                    allowed(table_name)
                } else {
                    state.deny(Denial::Other)
                }
            }
            AuthAction::Function { function_name } if is_missing_function(function_name) => {
                state.deny(Denial::MissingFunction)
            }
            AuthAction::Function { function_name } => {
                // SQLite 3.54 reports a DEFAULT expression's functions by the name as
                // written (`CURRENT_TIMESTAMP`), other calls by its own lower-case one.
                if ALLOWED_FUNCTIONS
                    .iter()
                    .any(|f| f.eq_ignore_ascii_case(function_name))
                {
                    Authorization::Allow
                } else {
                    state.deny(Denial::Other)
                }
            }
            // ATTACH, DETACH, TEMP objects, and whatever else SQLite asks about
            // (rusqlite reports `ATTACH ?`, whose file name is not known when the
            // statement is prepared, as `Unknown`).
            _ => state.deny(Denial::Other),
        }
    }
}

/// The functions D1 allows (workerd's `ALLOWED_SQLITE_FUNCTIONS`), and the internal ones
/// newer SQLite's `ALTER TABLE` runs (internal functions cannot be called from SQL).
/// Anything else is `not authorized to use function: …`: the functions that reveal the
/// SQLite build (`sqlite_version()` …), `if`, `ceiling`, `power`, `log10`,
/// `json_error_position`, `json_pretty`, `unistr`, `fts5_locale` ….
const ALLOWED_FUNCTIONS: &[&str] = &[
    // Core functions.
    "abs",
    "changes",
    "char",
    "coalesce",
    "concat",
    "concat_ws",
    "format",
    "glob",
    "hex",
    "ifnull",
    "iif",
    "instr",
    "last_insert_rowid",
    "length",
    "like",
    "likelihood",
    "likely",
    "load_extension",
    "lower",
    "ltrim",
    "max_scalar",
    "min_scalar",
    "nullif",
    "octet_length",
    "printf",
    "quote",
    "random",
    "randomblob",
    "replace",
    "round",
    "rtrim",
    "sign",
    "soundex",
    "substr",
    "substring",
    "total_changes",
    "trim",
    "typeof",
    "unhex",
    "unicode",
    "unlikely",
    "upper",
    "zeroblob",
    // Date and time.
    "date",
    "time",
    "datetime",
    "julianday",
    "unixepoch",
    "strftime",
    "timediff",
    "current_date",
    "current_time",
    "current_timestamp",
    // Aggregates.
    "avg",
    "count",
    "group_concat",
    "max",
    "min",
    "string_agg",
    "sum",
    "total",
    // Window functions.
    "row_number",
    "rank",
    "dense_rank",
    "percent_rank",
    "cume_dist",
    "ntile",
    "lag",
    "lead",
    "first_value",
    "last_value",
    "nth_value",
    // Math.
    "acos",
    "acosh",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "ceil",
    "cos",
    "cosh",
    "degrees",
    "exp",
    "floor",
    "ln",
    "log",
    "log2",
    "mod",
    "pi",
    "pow",
    "radians",
    "sin",
    "sinh",
    "sqrt",
    "tan",
    "tanh",
    "trunc",
    // JSON.
    "json",
    "jsonb",
    "json_array",
    "jsonb_array",
    "json_array_length",
    "json_extract",
    "jsonb_extract",
    "->",
    "->>",
    "json_insert",
    "jsonb_insert",
    "json_object",
    "jsonb_object",
    "json_patch",
    "jsonb_patch",
    "json_remove",
    "jsonb_remove",
    "json_replace",
    "jsonb_replace",
    "json_set",
    "jsonb_set",
    "json_type",
    "json_valid",
    "json_quote",
    "json_group_array",
    "jsonb_group_array",
    "json_group_object",
    "jsonb_group_object",
    "json_each",
    "json_tree",
    // FTS5 and R*Tree.
    "match",
    "highlight",
    "bm25",
    "snippet",
    "rtreecheck",
    // What ALTER TABLE runs inside.
    "sqlite_rename_column",
    "sqlite_rename_table",
    "sqlite_rename_test",
    "sqlite_drop_column",
    "sqlite_rename_quotefix",
    "sqlite_drop_constraint",
    "sqlite_fail",
    "sqlite_add_constraint",
    "sqlite_find_constraint",
];

/// Functions the bundled SQLite has and D1's does not (built without SOUNDEX and FTS3):
/// D1 answers `no such function`.
fn is_missing_function(name: &str) -> bool {
    [
        "soundex",
        "matchinfo",
        "offsets",
        "optimize",
        "fts3_tokenizer",
    ]
    .iter()
    .any(|f| f.eq_ignore_ascii_case(name))
}

/// D1 keeps names starting with `_cf_` (any case) for itself.
pub(crate) fn is_reserved(name: &str) -> bool {
    name.get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("_cf_"))
}

fn pragma(state: &AuthState, name: &str, value: Option<&str>) -> Authorization {
    let name = name.to_ascii_lowercase();
    let allow = |yes: bool| {
        if yes {
            Authorization::Allow
        } else {
            state.deny(Denial::Other)
        }
    };
    let object = |v: &str| !is_reserved(v);
    match name.as_str() {
        "table_list" => Authorization::Allow,
        // These need the object they describe.
        "table_info" | "table_xinfo" | "foreign_key_list" | "index_info" | "index_list"
        | "index_xinfo" => allow(value.is_some_and(object)),
        // A table or index name, or (quick_check) a number of rows; or nothing.
        "foreign_key_check" | "quick_check" => allow(value.is_none_or(object)),
        // A bit mask, as a 32-bit integer, or nothing.
        "optimize" => allow(value.is_none_or(|v| parse_i32(v).is_some())),
        "data_version" | "page_size" => allow(value.is_none()),
        "foreign_keys"
        | "case_sensitive_like"
        | "defer_foreign_keys"
        | "ignore_check_constraints"
        | "legacy_alter_table"
        | "recursive_triggers"
        | "reverse_unordered_selects" => match value {
            None => Authorization::Allow,
            Some(v) if !is_boolean(v) => state.deny(Denial::Other),
            // D1 accepts `foreign_keys = OFF` and keeps enforcing foreign keys.
            Some(_) if name == "foreign_keys" => Authorization::Ignore,
            Some(_) => {
                if name == "defer_foreign_keys" {
                    state.defer_fk_set.store(true, Ordering::Relaxed);
                }
                Authorization::Allow
            }
        },
        _ => state.deny(Denial::Other),
    }
}

/// A boolean PRAGMA value as D1 accepts it: one that starts (in any case, quotes
/// removed) with `true`, `false`, `yes`, `no`, `on`, `off`, `1` or `0` (so `10` and
/// `onward` pass, `2` and `-1` do not).
fn is_boolean(value: &str) -> bool {
    let v = value.as_bytes();
    let v = match v {
        [q @ (b'\'' | b'"'), inner @ .., last] if last == q => inner,
        _ => v,
    };
    ["true", "false", "yes", "no", "on", "off", "1", "0"]
        .iter()
        .any(|word| v.len() >= word.len() && v[..word.len()].eq_ignore_ascii_case(word.as_bytes()))
}

/// A 32-bit integer as C's `strtoll` with base 0 reads it (`0x` hexadecimal, a leading
/// `0` octal), the whole text used.
fn parse_i32(value: &str) -> Option<i32> {
    let (negative, digits) = match value.as_bytes().first()? {
        b'-' => (true, &value[1..]),
        b'+' => (false, &value[1..]),
        _ => (false, value),
    };
    let (radix, body) = if let Some(hex) = digits
        .strip_prefix("0x")
        .or_else(|| digits.strip_prefix("0X"))
    {
        (16, hex)
    } else if digits.len() > 1 && digits.starts_with('0') {
        (8, &digits[1..])
    } else {
        (10, digits)
    };
    if body.is_empty() || !body.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = i64::from_str_radix(body, radix).ok()?;
    i32::try_from(if negative { -magnitude } else { magnitude }).ok()
}
