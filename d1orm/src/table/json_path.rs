//! Typed JSON paths: the paths into a JSON column's documents that the column's Rust
//! type allows, each typed by the value it reaches.
//!
//! ```
//! use d1orm::{Json, Table};
//! use serde::{Deserialize, Serialize};
//!
//! #[derive(Serialize, Deserialize, Json)]
//! struct Settings {
//!     notifications: Notifications,
//!     #[serde(rename = "colour")]
//!     theme: Option<String>,
//! }
//!
//! #[derive(Serialize, Deserialize, Json)]
//! struct Notifications {
//!     email: bool,
//! }
//!
//! #[derive(Serialize, Deserialize, Table)]
//! struct User {
//!     #[d1orm(primary_key, auto_increment)]
//!     id: i64,
//!     #[d1orm(json)]
//!     settings: Settings,
//! }
//!
//! async fn mute<B: d1orm::Backend>(db: &d1orm::Database<B>) -> d1orm::Result<Vec<(i64, bool)>> {
//!     db.users()
//!         .where_(|u| u.settings.path().theme.eq("dark"))
//!         .update(|u| u.settings.path().notifications.email.set(false))
//!         .await?;
//!     let rows = db.users().select(|u| (u.id, u.settings.path().notifications.email)).many().await?;
//!     Ok(rows.rows)
//! }
//! ```
//!
//! `#[derive(Json)]` on a serde struct generates one field per serialized field, named as
//! the Rust field and reaching the key serde writes (`rename`, `rename_all`); a field whose
//! type derives `Json` too continues the path. A leaf is a [`TypedPath`]: compared with,
//! set to, ordered by and selected as its field's type. `Vec` elements are reached by
//! index ([`TypedPath::at`]), maps with `String` keys by key ([`TypedPath::key`]).
//!
//! What may be absent: a path through an `Option`, a `Vec` index, a map key or a field
//! serde may leave out (`skip_serializing_if`, `default`) selects an `Option` of its type
//! ([`MaybeAbsent`]). A `set` under such a step changes a document only where the object
//! or array it writes into exists: creating it would store a partial object that the
//! column's type could not read back.
//!
//! Rendered with SQLite's `json_extract` (filters and orders), `->` (selections, which
//! give JSON text, so a `bool` comes back as `true`, not SQLite's `1`) and `json_set`
//! (assignments, with the value bound as JSON text inside `json(?)`).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::marker::PhantomData;

use serde::Serialize;
use serde::de::DeserializeOwned;
use smallvec::SmallVec;

use super::Table;
use super::column::{Assignment, JsonColumn, JsonPath, Order, PathStep};
use super::condition::{Condition, Fragment};
use super::projection::Projection;
use crate::backend::Row;
use crate::error::{Error, Prefix, Result};
use crate::json::{self, Target};
use crate::value::Value;

/// Whether a path reaches a value in every valid document ([`Present`]) or may find
/// nothing ([`MaybeAbsent`]): what selecting it decodes into.
pub trait Presence: sealed::Sealed {
    /// Whether the value is there in every valid document.
    const ALWAYS: bool;
    /// What a selection of a path to a `W` decodes into: `W`, or an `Option` of it.
    type Out<W: JsonNode>;
}

/// The path reaches a value in every valid document: a selection decodes its type.
#[derive(Debug, Clone, Copy)]
pub struct Present;

/// The path may reach nothing (it goes through an `Option`, a `Vec` index, a map key or a
/// field serde may leave out): a selection decodes an `Option` of its type.
#[derive(Debug, Clone, Copy)]
pub struct MaybeAbsent;

impl Presence for Present {
    const ALWAYS: bool = true;
    type Out<W: JsonNode> = W;
}

impl Presence for MaybeAbsent {
    const ALWAYS: bool = false;
    type Out<W: JsonNode> = W::Nullable;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::Present {}
    impl Sealed for super::MaybeAbsent {}
}

/// A Rust type that can stand at a JSON path, and what its path offers.
///
/// `#[derive(d1orm::Json)]` implements it for a struct (its path has a field per
/// serialized field) or an enum of unit variants (a leaf). Scalars, `String`, `Option`,
/// `Vec`, `VecDeque`, sets, maps with `String` keys and `serde_json::Value` have it; any
/// other serde type can be a leaf, compared and set as a whole, through [`JsonLeaf`].
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no typed JSON paths",
    label = "not a type a JSON path can reach",
    note = "derive `d1orm::Json` on it beside serde's derives, or implement `d1orm::table::JsonLeaf` for it to compare and set it as a whole; a foreign type can be marked `#[d1orm(unchecked)]` on the field for an untyped path"
)]
pub trait JsonNode: Serialize + DeserializeOwned {
    /// What the path to a value of this type offers, in a column of table `T`, where
    /// the whole value is compared and set as a `W` and `R` says whether it is there.
    type Node<T, W, R: Presence>: Clone;
    /// This type, or an `Option` of it when it is not one already: what a selection
    /// decodes into when the path may reach nothing.
    type Nullable;

    /// The path's node, from the path to the value.
    #[doc(hidden)]
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> Self::Node<T, W, R>;
}

/// A type compared and set as a whole at a JSON path (no deeper path): implement it for
/// a serde type of yours that has no `#[derive(Json)]` (an enum with data, a type of
/// another crate wrapped in yours).
// Named here too: a type that is no `JsonNode` fails the blanket impl's bound, on this
// trait.
#[diagnostic::on_unimplemented(
    message = "`{Self}` has no typed JSON paths",
    label = "not a type a JSON path can reach",
    note = "derive `d1orm::Json` on it beside serde's derives, or implement `d1orm::table::JsonLeaf` for it to compare and set it as a whole; a foreign type can be marked `#[d1orm(unchecked)]` on the field for an untyped path"
)]
pub trait JsonLeaf: Serialize + DeserializeOwned {}

impl<L: JsonLeaf> JsonNode for L {
    type Node<T, W, R: Presence> = TypedPath<T, W, R>;
    type Nullable = Option<L>;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> TypedPath<T, W, R> {
        path
    }
}

macro_rules! leaves {
    ($($t:ty),+) => {$(impl JsonLeaf for $t {})+};
}
leaves!(
    bool, i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64, char, String
);

/// A box is a leaf: it ends a recursive type's paths.
impl<X: Serialize + DeserializeOwned> JsonLeaf for Box<X> {}

/// An `Option` is transparent: the path goes on into the value, and may reach nothing.
impl<X: JsonNode> JsonNode for Option<X> {
    type Node<T, W, R: Presence> = X::Node<T, W, MaybeAbsent>;
    type Nullable = Option<X>;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> Self::Node<T, W, R> {
        X::node(path.presence())
    }
}

macro_rules! sequences {
    ($($t:ident),+) => {$(
        impl<X: JsonNode> JsonNode for $t<X> {
            type Node<T, W, R: Presence> = TypedPath<T, W, R>;
            type Nullable = Option<$t<X>>;
            fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> TypedPath<T, W, R> {
                path
            }
        }
        impl<X: JsonNode> JsonSeq for $t<X> {
            type Element = X;
        }
    )+};
}
sequences!(Vec, VecDeque);

/// A set is a leaf: its order in the document is not one to index by.
impl<X: JsonNode + Ord> JsonNode for BTreeSet<X> {
    type Node<T, W, R: Presence> = TypedPath<T, W, R>;
    type Nullable = Option<BTreeSet<X>>;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> TypedPath<T, W, R> {
        path
    }
}

/// A set is a leaf: its order in the document is not one to index by.
impl<X: JsonNode + Eq + std::hash::Hash, S: std::hash::BuildHasher + Default> JsonNode
    for HashSet<X, S>
{
    type Node<T, W, R: Presence> = TypedPath<T, W, R>;
    type Nullable = Option<HashSet<X, S>>;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> TypedPath<T, W, R> {
        path
    }
}

impl<X: JsonNode> JsonNode for BTreeMap<String, X> {
    type Node<T, W, R: Presence> = TypedPath<T, W, R>;
    type Nullable = Option<BTreeMap<String, X>>;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> TypedPath<T, W, R> {
        path
    }
}
impl<X: JsonNode> JsonMap for BTreeMap<String, X> {
    type Value = X;
}

impl<X: JsonNode, S: std::hash::BuildHasher + Default> JsonNode for HashMap<String, X, S> {
    type Node<T, W, R: Presence> = TypedPath<T, W, R>;
    type Nullable = Option<HashMap<String, X, S>>;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> TypedPath<T, W, R> {
        path
    }
}
impl<X: JsonNode, S: std::hash::BuildHasher + Default> JsonMap for HashMap<String, X, S> {
    type Value = X;
}

/// Untyped JSON inside a typed document: the path goes on unchecked, as on a
/// `serde_json::Value` column.
impl JsonNode for serde_json::Value {
    type Node<T, W, R: Presence> = JsonPath<T>;
    type Nullable = serde_json::Value;
    fn node<T, W, R: Presence>(path: TypedPath<T, W, R>) -> JsonPath<T> {
        path.unchecked()
    }
}

/// A type stored as a JSON array whose elements a path reaches by index.
pub trait JsonSeq {
    /// The type of one element.
    type Element: JsonNode;
}

impl<S: JsonSeq> JsonSeq for Option<S> {
    type Element = S::Element;
}

/// A type stored as a JSON object whose values a path reaches by key.
pub trait JsonMap {
    /// The type of one value.
    type Value: JsonNode;
}

impl<M: JsonMap> JsonMap for Option<M> {
    type Value = M::Value;
}

/// The types of column whose documents are untyped JSON: `.at("key")` is for them.
#[diagnostic::on_unimplemented(
    message = "`.at(..)` is for columns of untyped JSON (`serde_json::Value`); this column's documents are `{Self}`",
    label = "a string path here is not checked against `{Self}`",
    note = "use `.path()` for typed paths (`#[derive(d1orm::Json)]` on `{Self}`), or `.at_unchecked(..)` for a path nothing checks"
)]
pub trait UntypedJson {}
impl UntypedJson for serde_json::Value {}
impl UntypedJson for Option<serde_json::Value> {}
impl UntypedJson for serde_json::Map<String, serde_json::Value> {}
impl UntypedJson for Option<serde_json::Map<String, serde_json::Value>> {}

/// A value a path to a `W` takes in a comparison or an assignment: a `W`, a reference
/// to one, a `&str` for a `String`, and a plain value for an `Option`.
#[diagnostic::on_unimplemented(
    message = "this JSON path holds `{W}`, not `{Self}`",
    label = "expected a value of type `{W}`",
    note = "a typed JSON path takes values of the type of the field it reaches"
)]
pub trait PathValue<W>: Serialize {}
impl<W: Serialize> PathValue<W> for W {}
impl<W: Serialize> PathValue<W> for &W {}
impl<X: Serialize> PathValue<Option<X>> for X {}
impl PathValue<String> for &str {}
impl PathValue<Option<String>> for &str {}

/// How a `set` under a step that may be absent begins: the document and the value
/// enter a CTE (`d1orm_set`), and the document is written only where the object or
/// array the value goes into exists.
pub(crate) const GUARDED_SET: &str = "(WITH d1orm_set(d1orm_document, d1orm_value) AS (SELECT ";

/// One step of a typed path.
#[derive(Debug, Clone)]
enum Step {
    /// A struct field's key, as serde writes it.
    Field(&'static str),
    /// A map's key.
    Key(Box<str>),
    /// An array's index.
    Index(usize),
}

/// What a [`TypedPath`] is typed by, owned by no value (the path holds no `T`, `W` or
/// `R`).
type Typed<T, W, R> = fn() -> (T, W, R);

/// A typed path into the JSON documents of a column of table `T`, reaching a value
/// compared and set as a `W`; `R` ([`Present`] or [`MaybeAbsent`]) says what a
/// selection decodes into.
pub struct TypedPath<T, W, R> {
    /// The table and the column's name, for errors.
    table: &'static str,
    name: &'static str,
    /// The quoted column: the target of `set`.
    column: &'static str,
    /// The column as a value (the incoming one in an upsert's `new.settings.path()`).
    source: Cow<'static, str>,
    steps: SmallVec<[Step; 4]>,
    /// The object or array the last step is in may be missing or null: `set` then
    /// writes only where it exists.
    parent_may_be_absent: bool,
    _marker: PhantomData<Typed<T, W, R>>,
}

impl<T, W, R> Clone for TypedPath<T, W, R> {
    fn clone(&self) -> Self {
        TypedPath {
            table: self.table,
            name: self.name,
            column: self.column,
            source: self.source.clone(),
            steps: self.steps.clone(),
            parent_may_be_absent: self.parent_may_be_absent,
            _marker: PhantomData,
        }
    }
}

impl<T, W, R> std::fmt::Debug for TypedPath<T, W, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TypedPath({} {})", self.column, render(&self.steps))
    }
}

/// The steps in SQLite's JSON path syntax: `$."a"[0]."b"`.
fn render(steps: &[Step]) -> String {
    let mut path = "$".to_owned();
    for step in steps {
        path = match step {
            Step::Field(key) => key.push(path),
            Step::Key(key) => (&**key).push(path),
            Step::Index(i) => i.push(path),
        };
    }
    path
}

/// A JSON path as an SQL string literal.
fn literal(path: &str) -> String {
    format!("'{}'", path.replace('\'', "''"))
}

impl<T: Table, V: JsonNode> JsonColumn<T, V> {
    /// The typed paths into the column's documents (`#[derive(d1orm::Json)]` on the
    /// column's type): `u.settings.path().notifications.email` is a path to the `bool`
    /// at `$.notifications.email`; see [the module](crate::table::json_path).
    pub fn path(self) -> V::Node<T, V, Present> {
        V::node(TypedPath {
            table: T::NAME,
            name: self.name(),
            column: self.quoted(),
            source: self.reference(),
            steps: SmallVec::new(),
            parent_may_be_absent: false,
            _marker: PhantomData,
        })
    }
}

impl<T, W, R: Presence> TypedPath<T, W, R> {
    /// The path one step further, to a `W2` there as `R2` says.
    fn step<W2, R2>(&self, step: Step) -> TypedPath<T, W2, R2> {
        let mut steps = self.steps.clone();
        steps.push(step);
        TypedPath {
            table: self.table,
            name: self.name,
            column: self.column,
            source: self.source.clone(),
            steps,
            parent_may_be_absent: !R::ALWAYS,
            _marker: PhantomData,
        }
    }

    /// The path to a struct field's key, written by `#[derive(Json)]`.
    #[doc(hidden)]
    pub fn __field<F, R2: Presence>(&self, key: &'static str) -> TypedPath<T, F, R2> {
        self.step(Step::Field(key))
    }

    /// The path to a struct field marked `#[d1orm(unchecked)]`, written by
    /// `#[derive(Json)]`.
    #[doc(hidden)]
    pub fn __unchecked_field(&self, key: &'static str) -> JsonPath<T> {
        self.step::<(), R>(Step::Field(key)).unchecked()
    }

    /// The same path, with another presence.
    fn presence<R2>(self) -> TypedPath<T, W, R2> {
        TypedPath {
            table: self.table,
            name: self.name,
            column: self.column,
            source: self.source,
            steps: self.steps,
            parent_may_be_absent: self.parent_may_be_absent,
            _marker: PhantomData,
        }
    }

    /// The same place as an untyped path.
    fn unchecked(self) -> JsonPath<T> {
        JsonPath::from_parts(
            self.table,
            self.name,
            self.column,
            self.source,
            render(&self.steps),
        )
    }

    /// The path going on unchecked: an object key (`&str`) or an array index, then
    /// `.at(..)` as on a `serde_json::Value` column. Nothing checks that the keys exist
    /// or what the values are.
    pub fn at_unchecked(&self, step: impl PathStep) -> JsonPath<T> {
        self.clone().unchecked().at(step)
    }

    /// The path in SQLite's syntax.
    ///
    /// # Failure
    /// A map key holding a NUL character, which SQL text cannot carry: a `D1_ERROR`
    /// naming the column.
    fn sql_path(&self) -> Result<String> {
        let path = render(&self.steps);
        if path.contains('\0') {
            return Err(Error::d1(
                Prefix::Error,
                format!(
                    "JSON path {} on column {}.{} has a NUL character in a key, which SQL text cannot carry",
                    path.replace('\0', "\\u0000"),
                    self.table,
                    self.name
                ),
            ));
        }
        Ok(literal(&path))
    }

    /// `json_extract(column, path)`, or the path's error.
    fn extract_sql(&self) -> Result<String> {
        Ok(format!(
            "json_extract({}, {})",
            self.source,
            self.sql_path()?
        ))
    }

    /// A condition on `json_extract(column, path)`: `sql` with `{}` for it.
    fn condition(
        &self,
        sql: impl FnOnce(&str) -> String,
        value: Option<Result<Value>>,
    ) -> Condition<T> {
        let fragment = match (self.extract_sql(), value) {
            (Err(e), _) => Fragment::column_expr("NULL", Err(e)),
            (Ok(extract), Some(value)) => Fragment::column_expr(sql(&extract), value),
            (Ok(extract), None) => Fragment::raw(sql(&extract)),
        };
        Condition::from_fragment(fragment)
    }

    /// JSON text of a value written at (or compared with) the path.
    fn json_text(&self, value: &impl Serialize) -> Result<String> {
        let path = render(&self.steps);
        json::to_text(
            value,
            Target {
                table: self.table,
                column: self.name,
                path: &path,
            },
        )
    }

    fn compare(&self, op: &str, value: &impl Serialize) -> Condition<T> {
        // The value travels as JSON text and is read back by SQLite's JSON parser, so a
        // `true` compares equal to the stored `true` (both 1) and a number stays a
        // number whatever type the backend binds it as.
        let text = self.json_text(value);
        self.condition(
            |extract| format!("{extract} {op} json_extract(json(?), '$')"),
            Some(text.map(Value::Text)),
        )
    }

    /// A test against JSON null: `IS NULL` for `=` and `IS NOT NULL` for `<>` (SQL's
    /// `= NULL` would match nothing), or a comparison with the value.
    fn equality(&self, op: &str, null_op: &str, value: &impl Serialize) -> Condition<T> {
        match self.json_text(value) {
            Ok(text) if text == "null" => self.condition(|e| format!("{e} {null_op}"), None),
            text => self.condition(
                |extract| format!("{extract} {op} json_extract(json(?), '$')"),
                Some(text.map(Value::Text)),
            ),
        }
    }

    /// The path is missing or JSON null.
    pub fn is_null(&self) -> Condition<T> {
        self.condition(|e| format!("{e} IS NULL"), None)
    }
    /// The path holds a value other than JSON null.
    pub fn is_not_null(&self) -> Condition<T> {
        self.condition(|e| format!("{e} IS NOT NULL"), None)
    }

    /// Ascending order on the path's value.
    pub fn asc(&self) -> Order<T> {
        self.order("ASC")
    }
    /// Descending order on the path's value.
    pub fn desc(&self) -> Order<T> {
        self.order("DESC")
    }

    fn order(&self, direction: &str) -> Order<T> {
        match self.extract_sql() {
            Ok(extract) => Order::new(extract, direction),
            Err(e) => Order::new("NULL".to_owned(), direction).with_error(Err(e)),
        }
    }
}

impl<T, W: Serialize, R: Presence> TypedPath<T, W, R> {
    /// `path = value`; `eq(None)` on an `Option` matches a missing key or JSON null.
    pub fn eq(&self, value: impl PathValue<W>) -> Condition<T> {
        self.equality("=", "IS NULL", &value)
    }
    /// `path <> value`; `ne(None)` on an `Option` matches every value that is there and
    /// not null. As in SQL, `ne(value)` does not match a missing key.
    pub fn ne(&self, value: impl PathValue<W>) -> Condition<T> {
        self.equality("<>", "IS NOT NULL", &value)
    }
    /// `path > value`
    pub fn gt(&self, value: impl PathValue<W>) -> Condition<T> {
        self.compare(">", &value)
    }
    /// `path >= value`
    pub fn gte(&self, value: impl PathValue<W>) -> Condition<T> {
        self.compare(">=", &value)
    }
    /// `path < value`
    pub fn lt(&self, value: impl PathValue<W>) -> Condition<T> {
        self.compare("<", &value)
    }
    /// `path <= value`
    pub fn lte(&self, value: impl PathValue<W>) -> Condition<T> {
        self.compare("<=", &value)
    }

    /// `SET column = json_set(column, path, json(?))`: the value, serialized by serde,
    /// replaces what is at the path (or is added under its key); the rest of the
    /// document is kept. Under a step that may be absent it is written only where the
    /// object or array it goes into exists (see [the module](crate::table::json_path)).
    pub fn set(&self, value: impl PathValue<W>) -> Assignment<T> {
        let text = self.json_text(&value).map(Value::Text);
        let expr = if self.steps.is_empty() {
            // The whole document, as `JsonColumn::set` writes it: `None` is NULL.
            let value = text.map(|v| match v {
                Value::Text(t) if t == "null" => Value::Null,
                v => v,
            });
            Fragment::column_expr("?", value)
        } else {
            match self.sql_path() {
                Err(e) => Fragment::column_expr("NULL", Err(e)),
                Ok(path) if self.parent_may_be_absent => {
                    // The column is named once, first, so that several sets on one column
                    // nest (`push_assignments`); the value goes through the CTE as text.
                    let parent = literal(&render(&self.steps[..self.steps.len() - 1]));
                    let sql = format!(
                        "{GUARDED_SET}{column}, ?) SELECT CASE WHEN json_type(d1orm_document, {parent}) IN ('object', 'array') \
                         THEN json_set(d1orm_document, {path}, json(d1orm_value)) ELSE d1orm_document END FROM d1orm_set)",
                        column = self.column
                    );
                    Fragment::column_expr(sql, text)
                }
                Ok(path) => Fragment::column_expr(
                    format!("json_set({}, {path}, json(?))", self.column),
                    text,
                ),
            }
        };
        Assignment::new(self.column, expr)
    }
}

impl<T, W: JsonSeq, R: Presence> TypedPath<T, W, R> {
    /// The element at `index` (from 0), typed by the element: a path that may reach
    /// nothing (an index past the end).
    pub fn at(&self, index: usize) -> <W::Element as JsonNode>::Node<T, W::Element, MaybeAbsent> {
        W::Element::node(self.step(Step::Index(index)))
    }
}

impl<T, W: JsonMap, R: Presence> TypedPath<T, W, R> {
    /// The value under `key`, typed by the map's values: a path that may reach nothing.
    /// A key holding a NUL character cannot be written in SQL: every statement using
    /// the path is then a `D1_ERROR`, before anything is sent.
    pub fn key(&self, key: &str) -> <W::Value as JsonNode>::Node<T, W::Value, MaybeAbsent> {
        W::Value::node(self.step(Step::Key(key.into())))
    }
}

/// A path selects the value found there, decoded as its type (an `Option` of it when
/// the path may reach nothing). The value is read as JSON text (`->`), so a `bool`
/// decodes from `true`, not from SQLite's `1`.
impl<T: Table, W: JsonNode, R: Presence> Projection<T> for TypedPath<T, W, R>
where
    R::Out<W>: DeserializeOwned + Send,
{
    type Output = R::Out<W>;
    fn width(&self) -> usize {
        1
    }
    fn check(&self) -> Result<()> {
        self.sql_path().map(drop)
    }
    fn write_sql(&self, sql: &mut String) {
        // `check` has refused a path that cannot be written.
        let path = self.sql_path().unwrap_or_else(|_| "'$'".to_owned());
        sql.push_str(&format!("{} -> {path}", self.source));
    }
    fn decode<Rw: Row + ?Sized>(&self, row: &Rw, offset: usize) -> Result<R::Out<W>> {
        crate::private::decode_json(row, offset, T::NAME, self.name)
    }
}
