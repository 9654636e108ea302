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
///
/// # Example
///
/// Every attribute above, each once (run on an in-memory reference backend):
///
/// ```
/// use d1orm::{Database, Schema, Table};
/// use d1orm_sqlite::SqliteBackend;
///
/// #[derive(Debug, Table)]
/// #[d1orm(table = "orgs")]                             // the default would be "orgs" too
/// struct Org {
///     #[d1orm(primary_key, auto_increment)]            // INTEGER PRIMARY KEY, assigned
///     id: i64,
///     #[d1orm(unique)]                                 // UNIQUE
///     name: String,
/// }
///
/// #[derive(Debug, Table)]
/// #[d1orm(
///     table = "members",
///     primary_key(org_id, email),                      // a composite primary key
///     unique(org_id, handle),                          // a composite UNIQUE key
///     check = "length(email) > 3",                     // a table CHECK
///     index(org_id, joined),                           // an index
///     unique_index(org_id, rank, filter = "active = 1", name = "one_rank_per_org"),
///     insert = Joiner,                                 // the insert type's name
/// )]
/// struct Member {
///     #[d1orm(references(Org::id), on_delete = "cascade", relation = "org", inverse = "people")]
///     org_id: i64,
///     email: String,
///     #[d1orm(rename = "nick")]                        // the column is "nick"
///     handle: String,
///     #[d1orm(default = "'member'", check = "role IN ('member', 'admin')")]
///     role: String,
///     #[d1orm(default = 1)]
///     active: bool,
///     rank: i64,
///     #[d1orm(index)]
///     joined: i64,
///     #[d1orm(json)]                                   // any serde type, as JSON text
///     tags: Vec<String>,
///     #[d1orm(references(Org::id), on_update = "cascade")] // m.sponsor(), o.members()
///     sponsor_id: Option<i64>,
/// }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// let db = Database::new(SqliteBackend::open_in_memory()?);
/// db.migrate(&Schema::new().table::<Org>().table::<Member>()).await?;
/// let org = db.orgs().returning(|o| o.id).insert(NewOrg::builder().name("Acme").build()).await?.rows[0];
/// let ada = Joiner::builder()                          // columns by name, in any order
///     .org_id(org).email("ada@acme.test").handle("ada").rank(1).joined(2026).tags(vec![])
///     .role("admin")                                   // a defaulted column, set
///     .build();                                        // compiles once all required are set
/// db.members().insert(ada).await?;
/// let (org, people) = db.orgs().include(|o| o.people()).one().await?;
/// assert_eq!((org.name.as_str(), people[0].handle.as_str(), people[0].active), ("Acme", "ada", true));
/// let bad = Joiner::builder().org_id(org.id).email("bo@acme.test").handle("bo").rank(1).joined(2026).tags(vec![]).build();
/// assert!(db.members().insert(bad).await.unwrap_err().is_unique_violation()); // rank 1 taken
/// # Ok(()) }
/// ```
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
///
/// ```
/// use d1orm::{Database, FromRow, Table, table::create_table_sql};
///
/// #[derive(Debug, Table)]
/// struct User { #[d1orm(primary_key, auto_increment)] id: i64, email: String, bio: String }
///
/// #[derive(Debug, PartialEq, FromRow)]
/// #[d1orm(table = User)]
/// struct Summary { id: i64, email: String }              // reads only these columns
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// let db = Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
/// db.exec(&create_table_sql::<User>()).await?;
/// db.users().insert(NewUser::builder().email("ada@example.com").bio("a long text").build()).await?;
/// let summary: Summary = db.users().select_as::<Summary>().one().await?;
/// assert_eq!(summary, Summary { id: 1, email: "ada@example.com".into() });
/// # Ok(()) }
/// ```
#[proc_macro_derive(FromRow, attributes(d1orm))]
pub fn derive_from_row(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    from_row::derive(&input).into()
}

/// Stores a fieldless enum as TEXT: each variant as its name, or as
/// `#[d1orm(rename = "...")]`. A table column of this type gets a CHECK constraint
/// listing the values; a stored value outside them is a decode error.
///
/// ```
/// use d1orm::{Database, Table, TextEnum, table::create_table_sql};
///
/// #[derive(Debug, Clone, Copy, PartialEq, TextEnum)]
/// enum Plan {
///     Free,                                               // stored as "Free"
///     #[d1orm(rename = "pro")]
///     Pro,                                                // stored as "pro"
/// }
///
/// #[derive(Debug, Table)]
/// struct Account { #[d1orm(primary_key, auto_increment)] id: i64, plan: Plan }
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> d1orm::Result<()> {
/// let db = Database::new(d1orm_sqlite::SqliteBackend::open_in_memory()?);
/// db.exec(&create_table_sql::<Account>()).await?;
/// db.accounts().insert(NewAccount::builder().plan(Plan::Pro).build()).await?;
/// assert_eq!(db.accounts().where_(|a| a.plan.eq(Plan::Pro)).count().await?, 1);
/// let stored: Option<String> = db.prepare("SELECT plan FROM accounts").first_column("plan").await?;
/// assert_eq!(stored.as_deref(), Some("pro"));
/// // The column's CHECK refuses any other text.
/// assert!(db.prepare("INSERT INTO accounts (plan) VALUES ('gold')").run().await.is_err());
/// # Ok(()) }
/// ```
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
