//! `#[derive(Table)]` for d1orm. Use it through `d1orm::Table`; see that crate's docs.
//!
//! The derive runs in three steps: `ast` reads the input into its own representation
//! (attributes parsed by `attr`), `check` validates it as a whole, and `expand`
//! generates code. Every error is collected with its span, so one compile reports every
//! mistake.

#![warn(missing_docs)]

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;
mod from_row;
mod json;
mod relations;
mod text_enum;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Maps a struct with named fields to a table and generates its typed chain.
///
/// For `struct User`, the derive implements `d1orm::Table` and generates
/// `UserColumns` (typed column handles for the chain's closures), `NewUser` (the row to
/// insert: columns the database assigns or defaults, and nullable ones, are `Option`s;
/// `NewUser::builder()` sets columns by name and builds once every required column is
/// set) and the trait `UserTable`, which adds `db.users()` to `Database`.
///
/// # Attributes
///
/// ## Container
/// - `#[d1orm(table = "name")]`: the table's name (default: the struct's name in snake
///   case, plural: `AuditLog` is `audit_logs`).
/// - `#[d1orm(primary_key(a, b))]`: a composite primary key.
/// - `#[d1orm(insert = NewName)]`: the name of the generated insert type.
/// - `#[d1orm(unique(a, b))]`: a composite UNIQUE key (repeatable).
/// - `#[d1orm(check = "sql")]`: a table CHECK constraint (repeatable).
/// - `#[d1orm(index(a, b))]`, `#[d1orm(unique_index(a, b))]`: an index, optionally
///   partial (`filter = "sql"`) and named (`name = "..."`).
///
/// ## Field
/// - `#[d1orm(rename = "column")]`: the column's name (default: the field's).
/// - `#[d1orm(primary_key)]`: the primary key.
/// - `#[d1orm(auto_increment)]`: with `primary_key` on an integer: the database assigns it.
/// - `#[d1orm(unique)]`: a UNIQUE column.
/// - `#[d1orm(default = "sql")]` (or a number or bool literal): the SQL `DEFAULT`.
/// - `#[d1orm(json)]`: store any `Serialize + DeserializeOwned` type as JSON text;
///   `#[derive(d1orm::Json)]` on the type gives the column typed paths (`u.settings.path()`).
/// - `#[d1orm(check = "sql")]`: a column CHECK constraint.
/// - `#[d1orm(index)]`: an index on the column.
/// - `#[d1orm(references(User::id))]`: a foreign key to a column of another derived
///   table, with `on_delete = "cascade"` / `on_update = "..."` (`cascade`, `restrict`,
///   `set null`, `set default`, `no action`).
///   It gives the two tables relations, loaded with `include` (see `d1orm::table::Relation`):
///   a belongs-to method on this table's columns, named after the field without `_id`
///   (`author_id` gives `n.author()`), or `relation = "writer"`; and on the referenced
///   table's columns a has-many named after this table's accessor (`u.notes()`), or a
///   has-one named after this struct (`u.profile()`) when the key is UNIQUE (or the
///   whole primary key), or `inverse = "written_notes"`. That second method lives in a
///   trait this derive generates, to import where it is used: `NoteRelations` for a
///   has-many, `ProfileRelation` for a has-one, `NoteWrittenNotesRelation` for an
///   `inverse` name.
///
/// Field types: `i8`–`i64`, `u8`–`u64` (a `u64` above `i64::MAX` is an error), `f32`,
/// `f64`, `bool` (0/1), `String`, `Vec<u8>`, `Option<T>` (nullable; every other column
/// is NOT NULL), and any type implementing `d1orm::ColumnType`.
#[proc_macro_derive(Table, attributes(d1orm))]
pub fn derive_table(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    derive_table_inner(&input).into()
}

fn derive_table_inner(input: &DeriveInput) -> proc_macro2::TokenStream {
    let mut ctxt = ctxt::Ctxt::default();
    let table = ast::Table::from_syn(input, &mut ctxt);
    if let Some(table) = &table {
        check::check(table, &mut ctxt);
    }
    match (table, ctxt.into_error()) {
        (Some(table), None) => expand::expand(&table),
        (_, Some(error)) => error.to_compile_error(),
        (None, None) => proc_macro2::TokenStream::new(),
    }
}

/// Reads some columns of a table into a struct: `#[d1orm(table = User)]` names the
/// table's struct; each field is named after one of its fields, with the same type.
/// Select it with `query.select_as::<Summary>()`.
#[proc_macro_derive(FromRow, attributes(d1orm))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    from_row::derive(&input).into()
}

/// Stores a fieldless enum as TEXT: each variant as its name, or as
/// `#[d1orm(rename = "...")]`. A table column of this type gets a CHECK constraint
/// listing the values; a stored value outside them is a decode error.
#[proc_macro_derive(TextEnum, attributes(d1orm))]
pub fn derive_text_enum(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    text_enum::derive(&input).into()
}

/// Typed JSON paths into a serde type stored in a `#[d1orm(json)]` column: derive it
/// beside serde's derives, and `u.settings.path()` reaches the document's fields by
/// name, typed (`u.settings.path().notifications.email.set(true)`). See
/// `d1orm::table::json_path`.
///
/// - A struct with named fields gets `<Name>Paths`, a field per serialized field, under
///   the key serde writes (`#[serde(rename)]`, `rename_all`, read from serde's own
///   parsing of the attributes). Fields serde skips have none.
/// - An enum of unit variants (stored as strings) and a tuple struct are leaves,
///   compared and set as a whole.
///
/// Refused, with an error on the item: `#[serde(flatten)]` fields, `with`-style fields
/// (unless `#[d1orm(unchecked)]`), enums with data or tagged otherwise than by name,
/// `transparent`/`from`/`into` containers and generic types.
///
/// # Attributes
///
/// ## Field
/// - `#[d1orm(unchecked)]`: the field's path is untyped (`d1orm::table::JsonPath`), for
///   a type with no typed paths (a type of another crate).
#[proc_macro_derive(Json, attributes(d1orm))]
pub fn derive_json(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    json::derive(&input).into()
}
