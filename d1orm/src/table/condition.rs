//! Boolean conditions on a table's rows: what `where_` takes.

use std::borrow::Cow;
use std::marker::PhantomData;

use super::column_type::Operand;
use crate::backend::{ParamValues, append_params, push_cloned};
use crate::error::{Error, Result};
use crate::value::Value;

/// Lists longer than this bind as one JSON array (`IN (SELECT value FROM json_each(?))`),
/// so no list can push a statement past D1's 100 bound parameters.
const INLINE_LIST: usize = 32;

/// SQL text with its parameters, and the first error met while building it.
#[derive(Debug, Default)]
pub(crate) struct Fragment {
    /// Borrowed when the text is fixed (`"id" = ?`, written by the derive): the
    /// commonest filter then allocates nothing, and copying a chain copies no text.
    pub(crate) sql: Cow<'static, str>,
    pub(crate) params: ParamValues,
    /// Boxed: a fragment moves several times while a chain is built, and an error is
    /// rare.
    pub(crate) error: Option<Box<Error>>,
    /// Matches at most one row whatever the data: a key column equal to a value, alone
    /// or ANDed with other conditions.
    pub(crate) one_row: bool,
}

impl Fragment {
    /// `(self) op (other)`: parameters in order, the first error kept, and one row only
    /// if either side of an AND pins one.
    pub(crate) fn joined(mut self, op: &str, other: Fragment) -> Fragment {
        self.one_row = op == "AND" && (self.one_row || other.one_row);
        self.sql = format!("({}) {op} ({})", self.sql, other.sql).into();
        append_params(&mut self.params, other.params);
        if self.error.is_none() {
            self.error = other.error;
        }
        self
    }

    /// Adds `new` to a chain's filter, ANDed with what it holds: every chain (a table's,
    /// a relation's, a join's) filters this way.
    pub(crate) fn and_into(filter: &mut Option<Fragment>, new: Fragment) {
        *filter = Some(match filter.take() {
            None => new,
            Some(old) => old.joined("AND", new),
        });
    }
}

// By hand, for the cheaper copy of the parameters: every step of a filtered chain
// copies its filter.
impl Clone for Fragment {
    fn clone(&self) -> Self {
        let mut params = ParamValues::new();
        push_cloned(&mut params, &self.params);
        Fragment {
            sql: self.sql.clone(),
            params,
            error: self.error.clone(),
            one_row: self.one_row,
        }
    }
}

impl Fragment {
    pub(crate) fn raw(sql: impl Into<Cow<'static, str>>) -> Self {
        Fragment {
            sql: sql.into(),
            ..Fragment::default()
        }
    }

    fn bind(&mut self, value: Result<Value>) {
        match value {
            Ok(v) => self.params.push(v),
            Err(e) => {
                self.error.get_or_insert_with(|| Box::new(e));
            }
        }
    }

    /// Appends an operand: `?` with its value bound, or its SQL.
    pub(crate) fn push_operand(&mut self, operand: Operand) {
        match operand {
            Operand::Value(v) => {
                self.sql.to_mut().push('?');
                self.bind(v);
            }
            Operand::Sql(sql) => self.sql.to_mut().push_str(&sql),
            Operand::Expr(sql, params) => super::expr::push_expr(self, &sql, params),
        }
    }

    /// `sql` followed by the operand.
    pub(crate) fn with_operand(sql: impl Into<Cow<'static, str>>, operand: Operand) -> Self {
        let mut f = Fragment::raw(sql);
        f.push_operand(operand);
        f
    }

    pub(crate) fn column_op(column: &str, op: &str, operand: Operand) -> Self {
        let mut sql = String::with_capacity(column.len() + op.len() + 3);
        sql.push_str(column);
        sql.push(' ');
        sql.push_str(op);
        sql.push(' ');
        Fragment::with_operand(sql, operand)
    }

    pub(crate) fn column_expr(sql: impl Into<Cow<'static, str>>, value: Result<Value>) -> Self {
        let mut f = Fragment::raw(sql);
        f.bind(value);
        f
    }

    pub(crate) fn between(column: &str, low: Operand, high: Operand) -> Self {
        let mut f = Fragment::raw(format!("{column} BETWEEN "));
        f.push_operand(low);
        f.sql.to_mut().push_str(" AND ");
        f.push_operand(high);
        f
    }

    pub(crate) fn in_list(column: &str, negated: bool, operands: Vec<Operand>) -> Self {
        let not = if negated { "NOT " } else { "" };
        if operands.is_empty() {
            // `x IN ()` is not SQL: an empty list matches nothing, its negation everything.
            return Fragment::raw(if negated { "1" } else { "0" });
        }
        let mut f = Fragment::raw(format!("{column} {not}IN ("));
        let values: Option<Vec<Value>> = (operands.len() > INLINE_LIST)
            .then(|| {
                operands
                    .iter()
                    .map(|o| match o {
                        Operand::Value(Ok(v)) => Some(v.clone()),
                        _ => None,
                    })
                    .collect()
            })
            .flatten();
        match values.as_deref().and_then(json_array) {
            Some(array) => {
                f.sql.to_mut().push_str("SELECT value FROM json_each(?))");
                f.params.push(Value::Text(array));
            }
            None => {
                for (i, o) in operands.into_iter().enumerate() {
                    if i > 0 {
                        f.sql.to_mut().push_str(", ");
                    }
                    f.push_operand(o);
                }
                f.sql.to_mut().push(')');
            }
        }
        f
    }
}

/// The values as one JSON array, or `None` when one of them (a BLOB) has no JSON form.
fn json_array(values: &[Value]) -> Option<String> {
    let items: Option<Vec<serde_json::Value>> = values
        .iter()
        .map(|v| match v {
            Value::Null => Some(serde_json::Value::Null),
            Value::Integer(i) => Some((*i).into()),
            Value::Real(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number),
            Value::Text(s) => Some(serde_json::Value::String(s.clone())),
            Value::Blob(_) => None,
        })
        .collect();
    items.map(|i| serde_json::Value::Array(i).to_string())
}

/// A condition on rows of table `T`: built from its columns, combined with
/// [`and`](Condition::and), [`or`](Condition::or) and [`not`](Condition::not).
///
/// ```
/// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// # let db = fixture().await?;
/// let adult_rustacean = |u: &UserColumns| u.age.gte(18).and(u.tags.contains("rust"));
/// assert_eq!(db.users().where_(adult_rustacean).count().await?, 1);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct Condition<T> {
    pub(crate) fragment: Fragment,
    _marker: PhantomData<fn() -> T>,
}

impl<T> Condition<T> {
    pub(crate) fn from_fragment(fragment: Fragment) -> Self {
        Condition {
            fragment,
            _marker: PhantomData,
        }
    }

    fn combine(self, op: &str, other: Condition<T>) -> Self {
        Condition::from_fragment(self.fragment.joined(op, other.fragment))
    }

    /// Both conditions hold.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.age.gt(10).and(u.age.lt(20))).count().await?, 1);
    /// # Ok(()) }
    /// ```
    pub fn and(self, other: Condition<T>) -> Self {
        self.combine("AND", other)
    }

    /// Either condition holds.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.id.eq(1).or(u.age.lt(18))).count().await?, 2);
    /// # Ok(()) }
    /// ```
    pub fn or(self, other: Condition<T>) -> Self {
        self.combine("OR", other)
    }

    /// Every condition holds: the conditions ANDed, or `None` when there are none (then
    /// [`where_opt`](crate::table::Query::where_opt) filters nothing). For filters
    /// gathered at run time:
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::Condition;
    /// let (min_age, text): (Option<i64>, Option<String>) = (Some(18), Some("ada".into()));
    /// let n = db.users().where_opt(|u| {
    ///     let mut all = Vec::new();
    ///     if let Some(age) = min_age { all.push(u.age.gte(age)); }
    ///     if let Some(text) = &text { all.push(u.email.contains(text)); }
    ///     Condition::all(all)
    /// }).count().await?;
    /// assert_eq!(n, 1);
    /// # Ok(()) }
    /// ```
    pub fn all(conditions: impl IntoIterator<Item = Condition<T>>) -> Option<Self> {
        conditions.into_iter().reduce(Condition::and)
    }

    /// At least one condition holds: the conditions ORed, or `None` when there are none.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// use d1orm::table::Condition;
    /// let emails = ["bo@example.com", "cy@example.com"];
    /// let n = db.users().where_opt(|u| Condition::any(emails.iter().map(|e| u.email.eq(*e)))).count().await?;
    /// assert_eq!(n, 1);
    /// # Ok(()) }
    /// ```
    pub fn any(conditions: impl IntoIterator<Item = Condition<T>>) -> Option<Self> {
        conditions.into_iter().reduce(Condition::or)
    }

    /// The condition does not hold.
    ///
    /// ```
    /// # include!(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/fixture.rs"));
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> d1orm::Result<()> {
    /// # let db = fixture().await?;
    /// assert_eq!(db.users().where_(|u| u.tags.contains("rust").not()).count().await?, 1);
    /// # Ok(()) }
    /// ```
    #[allow(clippy::should_implement_trait)]
    pub fn not(self) -> Self {
        let mut f = self.fragment;
        f.sql = format!("NOT ({})", f.sql).into();
        f.one_row = false;
        Condition::from_fragment(f)
    }
}
