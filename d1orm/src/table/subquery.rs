//! Subqueries inside a filter: `IN` over another chain's column
//! ([`Column::in_`](super::Column::in_) taking a chain), and the existence of
//! related rows ([`Relation::exists`]). Each stays one statement.
//!
//! ```
//! use d1orm::{Backend, Database, Table};
//!
//! #[derive(Debug, Table)]
//! struct User {
//!     #[d1orm(primary_key, auto_increment)]
//!     id: i64,
//!     org_id: i64,
//! }
//!
//! #[derive(Debug, Table)]
//! struct Note {
//!     #[d1orm(primary_key, auto_increment)]
//!     id: i64,
//!     #[d1orm(references(User::id))]
//!     author_id: i64,
//!     published: bool,
//! }
//!
//! async fn queries<B: Backend>(db: &Database<B>) -> d1orm::Result<()> {
//!     // Notes by the members of org 7:
//!     // `"author_id" IN (SELECT "id" FROM "users" WHERE "org_id" = ?)`.
//!     let notes = db
//!         .notes()
//!         .where_(|n| n.author_id.in_(db.users().where_(|u| u.org_id.eq(7)).select(|u| u.id)))
//!         .many()
//!         .await?;
//!     // Users with a published note: `"id" IN (SELECT "author_id" FROM "notes" WHERE ..)`.
//!     let writers = db
//!         .users()
//!         .where_(|u| u.notes().where_(|n| n.published.eq(true)).exists())
//!         .many()
//!         .await?;
//!     # let _ = (notes, writers);
//!     Ok(())
//! }
//! ```

use super::Table;
use super::column_type::ColumnValue;
use super::condition::{Condition, Fragment};
use super::projection::Projection;
use super::query::Query;
use super::relation::Relation;
use crate::backend::push_cloned;
use crate::error::{Error, Prefix};

/// What `in_` and `not_in` take: a list of values (anything iterable over values for
/// the column), or a chain on another table (or the same) selecting one value of the
/// column's type, which becomes a subquery of the same statement. A chain selecting
/// values of another type does not compile.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is neither values nor a subquery for a column of type `{V}`",
    label = "expected a list of `{V}` values, or a chain selecting one `{V}` column",
    note = "a subquery selects one column of the column's type: `db.users().where_(..).select(|u| u.id)`"
)]
pub trait InValues<V> {
    /// `column [NOT] IN (..)` on a column of table `T`.
    #[doc(hidden)]
    fn in_condition<T>(self, column: &str, negated: bool) -> Condition<T>;
}

impl<V, I> InValues<V> for I
where
    I: IntoIterator,
    I::Item: ColumnValue<V>,
{
    fn in_condition<T>(self, column: &str, negated: bool) -> Condition<T> {
        Condition::from_fragment(Fragment::in_list(
            column,
            negated,
            self.into_iter().map(ColumnValue::operand).collect(),
        ))
    }
}

/// A chain as a subquery: its `SELECT` of one column, with its filter, order and limit.
impl<B, T2: Table, F, S, R, V> InValues<V> for Query<'_, B, T2, F, S, R>
where
    S: Projection<T2> + Clone,
    S::Output: ColumnValue<V>,
    R: Projection<T2> + Clone,
{
    fn in_condition<T>(self, column: &str, negated: bool) -> Condition<T> {
        let not = if negated { "NOT " } else { "" };
        let fragment = match self.select_statement_of_projection() {
            Ok(inner) => {
                let mut f = Fragment::raw(format!("{column} {not}IN ({})", &*inner.sql));
                f.params = inner.params;
                f
            }
            Err(e) => Fragment {
                error: Some(Box::new(e)),
                ..Fragment::raw("0")
            },
        };
        Condition::from_fragment(fragment)
    }
}

/// A subquery over a relation's rows.
impl<P: Table, C: Table, K, S> Relation<P, C, K, S> {
    /// The row has related rows (matching the relation's filter): on a has-many,
    /// `db.users().where_(|u| u.notes().where_(|n| n.published.eq(true)).exists())`;
    /// negate it with `.not()`. One statement: written `"id" IN (SELECT "author_id" FROM
    /// "notes" WHERE "author_id" IS NOT NULL AND (<filter>))`, which SQLite runs once
    /// for all rows, and which names the row's key without its table, so it holds in
    /// any filter: a chain's, an included relation's, another `exists`'s, a relation of
    /// a table to itself.
    ///
    /// # Failure
    /// A relation with a `limit` or `offset` (they choose rows per parent, which
    /// existence does not): an error before anything is sent.
    pub fn exists(&self) -> Condition<P> {
        let c = self.correlation();
        let mut f = Fragment::raw(format!(
            "{} IN (SELECT {child} FROM {} WHERE {child} IS NOT NULL",
            super::quote_identifier(c.parent_key),
            C::QUOTED_NAME,
            child = super::quote_identifier(c.child_key),
        ));
        if let Some(filter) = c.filter {
            let sql = f.sql.to_mut();
            sql.push_str(" AND (");
            sql.push_str(&filter.sql);
            sql.push(')');
            push_cloned(&mut f.params, &filter.params);
            f.error = filter.error.clone();
        }
        f.sql.to_mut().push(')');
        if c.limit.is_some() || c.offset.is_some() {
            f.error = Some(Box::new(Error::d1(
                Prefix::Error,
                format!(
                    "exists over relation {} of {}: a relation's limit and offset choose rows per parent, which existence does not take",
                    c.name,
                    P::NAME
                ),
            )));
        }
        Condition::from_fragment(f)
    }
}
