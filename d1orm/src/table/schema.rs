//! `CREATE TABLE` from what the derive knows of a table.

use super::{Table, quote_identifier};

/// `CREATE TABLE IF NOT EXISTS` for `T`, every identifier quoted: column types,
/// `NOT NULL` for non-`Option` fields, the primary key (an auto-assigned single
/// `INTEGER PRIMARY KEY` is SQLite's rowid), `UNIQUE` (single and composite) and
/// `DEFAULT`.
pub fn create_table_sql<T: Table>() -> String {
    let keys: Vec<_> = T::COLUMNS.iter().filter(|c| c.primary_key).collect();
    let mut parts: Vec<String> = T::COLUMNS
        .iter()
        .map(|c| {
            let mut def = format!("{} {}", quote_identifier(c.name), c.sql_type);
            if keys.len() == 1 && c.primary_key {
                def.push_str(" PRIMARY KEY");
            }
            // An auto-assigned key is SQLite's rowid, never NULL; saying so is redundant.
            if !(c.nullable || c.primary_key && c.auto_increment) {
                def.push_str(" NOT NULL");
            }
            if c.unique {
                def.push_str(" UNIQUE");
            }
            if let Some(default) = c.default {
                def.push_str(&format!(" DEFAULT ({default})"));
            }
            def
        })
        .collect();
    if keys.len() > 1 {
        let names: Vec<String> = keys.iter().map(|c| quote_identifier(c.name)).collect();
        parts.push(format!("PRIMARY KEY ({})", names.join(", ")));
    }
    for key in T::UNIQUE_KEYS {
        let names: Vec<String> = key.iter().map(|c| quote_identifier(c)).collect();
        parts.push(format!("UNIQUE ({})", names.join(", ")));
    }
    format!(
        "CREATE TABLE IF NOT EXISTS {} ({})",
        T::QUOTED_NAME,
        parts.join(", ")
    )
}
