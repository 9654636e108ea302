//! Inserts: the generated insert types, and splitting many rows into statements within
//! D1's 100 bound parameters.

use super::Table;
use crate::backend::Statement;
use crate::error::Result;
use crate::result::Meta;
use crate::value::Value;

/// D1's limit of bound parameters per statement.
pub const MAX_PARAMS: usize = 100;

/// A row to insert into table `T`: implemented by the insert type `#[derive(Table)]`
/// generates (columns the database assigns or defaults may be left out).
pub trait InsertRow<T>: Send {
    /// Appends the quoted names of the columns this row gives and their values.
    ///
    /// # Failure
    /// A value that cannot be bound.
    fn write(&self, columns: &mut Vec<&'static str>, values: &mut Vec<Value>) -> Result<()>;
}

/// What a write did: each statement's meta, and the rows `RETURNING` gave back.
#[derive(Debug, Clone, PartialEq)]
pub struct WriteResult<R> {
    /// Rows returned (empty without `returning`).
    pub rows: Vec<R>,
    /// The meta of every statement run (several when a multi-row insert was split).
    pub metas: Vec<Meta>,
}

impl<R> WriteResult<R> {
    /// Rows changed, over every statement.
    pub fn changes(&self) -> u64 {
        self.metas.iter().map(|m| m.changes).sum()
    }

    /// `last_row_id` after the last statement.
    pub fn last_row_id(&self) -> Option<i64> {
        self.metas.last().map(|m| m.last_row_id)
    }
}

/// The INSERT statements for `rows`: consecutive rows giving the same columns share a
/// multi-row `VALUES` statement of at most [`MAX_PARAMS`] parameters.
pub(crate) fn insert_statements<T: Table>(
    rows: &[&dyn InsertRow<T>],
    returning: Option<&str>,
) -> Result<Vec<Statement>> {
    let mut statements = Vec::new();
    let mut group_columns: Vec<&'static str> = Vec::new();
    let mut group_values: Vec<Vec<Value>> = Vec::new();
    for row in rows {
        let mut columns = Vec::new();
        let mut values = Vec::new();
        row.write(&mut columns, &mut values)?;
        let per_statement = (MAX_PARAMS / columns.len().max(1)).max(1);
        if columns != group_columns || group_values.len() >= per_statement {
            flush::<T>(
                &group_columns,
                &mut group_values,
                returning,
                &mut statements,
            );
            group_columns = columns;
        }
        group_values.push(values);
    }
    flush::<T>(
        &group_columns,
        &mut group_values,
        returning,
        &mut statements,
    );
    Ok(statements)
}

fn flush<T: Table>(
    columns: &[&'static str],
    rows: &mut Vec<Vec<Value>>,
    returning: Option<&str>,
    out: &mut Vec<Statement>,
) {
    if rows.is_empty() {
        return;
    }
    let mut sql = format!("INSERT INTO {}", T::QUOTED_NAME);
    if columns.is_empty() {
        // Only one row can be inserted with every column defaulted.
        for _ in 0..rows.len() {
            let mut one = format!("{sql} DEFAULT VALUES");
            push_returning(&mut one, returning);
            out.push(Statement::new(one));
        }
        rows.clear();
        return;
    }
    sql.push_str(" (");
    sql.push_str(&columns.join(", "));
    sql.push_str(") VALUES ");
    let marks = format!("({})", vec!["?"; columns.len()].join(", "));
    sql.push_str(&vec![marks; rows.len()].join(", "));
    push_returning(&mut sql, returning);
    let params = rows.drain(..).flatten().collect();
    out.push(Statement::with_params(sql, params));
}

pub(crate) fn push_returning(sql: &mut String, returning: Option<&str>) {
    if let Some(list) = returning {
        sql.push_str(" RETURNING ");
        sql.push_str(list);
    }
}
