//! D1's forbidden SQL, enforced with SQLite's authorizer: transactions, PRAGMAs outside
//! D1's allow-list, ATTACH, TEMP objects, most virtual tables, `_cf_` names and the
//! functions that reveal the SQLite build.

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
    pub(crate) fn set_internal(&self, internal: bool) {
        self.internal.store(internal, Ordering::Relaxed);
    }

    pub(crate) fn take_denial(&self) -> Denial {
        match self.denial.swap(Denial::None as u8, Ordering::Relaxed) {
            1 => Denial::Transaction,
            2 => Denial::Other,
            3 => Denial::MissingFunction,
            _ => Denial::None,
        }
    }

    fn deny(&self, why: Denial) -> Authorization {
        self.denial.store(why as u8, Ordering::Relaxed);
        Authorization::Deny
    }
}

/// The authorizer callback D1's rules ask for.
pub(crate) fn authorizer(state: Arc<AuthState>) -> impl FnMut(AuthContext<'_>) -> Authorization {
    move |ctx| {
        if state.internal.load(Ordering::Relaxed) {
            return Authorization::Allow;
        }
        // `CREATE TABLE temp.x` is a TEMP object too, whatever words created it.
        if ctx.database_name == Some("temp")
            && matches!(
                ctx.action,
                AuthAction::CreateTable { .. }
                    | AuthAction::CreateIndex { .. }
                    | AuthAction::CreateView { .. }
                    | AuthAction::CreateTrigger { .. }
                    | AuthAction::CreateVtable { .. }
            )
        {
            return state.deny(Denial::Other);
        }
        match ctx.action {
            AuthAction::Transaction { .. } | AuthAction::Savepoint { .. } => {
                state.deny(Denial::Transaction)
            }
            AuthAction::Pragma {
                pragma_name,
                pragma_value,
            } => pragma(&state, pragma_name, pragma_value),
            AuthAction::Attach { .. }
            | AuthAction::Detach { .. }
            | AuthAction::CreateTempIndex { .. }
            | AuthAction::CreateTempTable { .. }
            | AuthAction::CreateTempTrigger { .. }
            | AuthAction::CreateTempView { .. } => state.deny(Denial::Other),
            AuthAction::CreateVtable {
                table_name,
                module_name,
            } => {
                if matches!(module_name, "fts5" | "fts5vocab" | "rtree") && !is_reserved(table_name)
                {
                    Authorization::Allow
                } else {
                    state.deny(Denial::Other)
                }
            }
            AuthAction::CreateTable { table_name: name }
            | AuthAction::CreateIndex {
                index_name: name, ..
            }
            | AuthAction::CreateView { view_name: name }
            | AuthAction::CreateTrigger {
                trigger_name: name, ..
            } if is_reserved(name) => state.deny(Denial::Other),
            AuthAction::Function { function_name } if is_refused_function(function_name) => {
                state.deny(Denial::Other)
            }
            AuthAction::Function { function_name } if is_missing_function(function_name) => {
                state.deny(Denial::MissingFunction)
            }
            _ => Authorization::Allow,
        }
    }
}

/// Functions D1's authorizer refuses (observed on local D1): those that reveal the
/// SQLite build, and some that D1's function list leaves out although its SQLite has
/// them (`ceiling`, `power` and `log10` among the math functions).
fn is_refused_function(name: &str) -> bool {
    [
        "sqlite_version",
        "sqlite_source_id",
        "sqlite_compileoption_used",
        "sqlite_compileoption_get",
        "sqlite_log",
        "ceiling",
        "power",
        "log10",
        "if",
        "json_pretty",
        "subtype",
        "unistr",
        "unistr_quote",
        "fts5",
        "fts5_source_id",
        "rtreedepth",
        "rtreenode",
    ]
    .iter()
    .any(|f| f.eq_ignore_ascii_case(name))
}

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
    match name.as_str() {
        "table_list" | "table_info" | "table_xinfo" | "foreign_key_check" | "foreign_key_list"
        | "index_info" | "index_list" | "index_xinfo" | "quick_check" | "optimize" => {
            Authorization::Allow
        }
        "data_version" | "page_size" if value.is_none() => Authorization::Allow,
        // D1 accepts `foreign_keys = OFF` and keeps enforcing foreign keys.
        "foreign_keys" if value.is_some() => Authorization::Ignore,
        "foreign_keys"
        | "case_sensitive_like"
        | "defer_foreign_keys"
        | "ignore_check_constraints"
        | "legacy_alter_table"
        | "recursive_triggers"
        | "reverse_unordered_selects" => Authorization::Allow,
        _ => state.deny(Denial::Other),
    }
}
