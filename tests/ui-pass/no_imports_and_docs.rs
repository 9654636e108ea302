//! The derive works with nothing imported, no prelude, and documents what it generates.
#![no_implicit_prelude]
#![deny(missing_docs)]

/// A documented table.
#[derive(::d1orm::Table, ::std::fmt::Debug)]
pub struct Account {
    /// Key.
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    /// Name.
    pub name: ::std::string::String,
    /// Settings.
    #[d1orm(json)]
    pub settings: ::std::vec::Vec<::std::string::String>,
    /// Optional.
    pub note: ::std::option::Option<::std::string::String>,
}

/// A documented table with relations to `Account`: a belongs-to, a has-many and a
/// has-one.
#[derive(::d1orm::Table, ::std::fmt::Debug)]
pub struct Entry {
    /// Key.
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    /// Owner.
    #[d1orm(references(Account::id))]
    pub account_id: i64,
    /// Reviewer.
    #[d1orm(references(Account::id), unique, inverse = "reviewed_entry")]
    pub reviewer_id: ::std::option::Option<i64>,
}

/// A column type whose name a generic parameter could take.
#[derive(::std::fmt::Debug, ::d1orm::TextEnum)]
pub enum C0 {
    /// One.
    One,
}

/// A table with one required column, of a type named like a generic parameter.
#[derive(::d1orm::Table, ::std::fmt::Debug)]
pub struct Tag {
    /// Key.
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    /// Label.
    pub label: ::std::option::Option<::std::string::String>,
    /// Of a type named like a generic parameter.
    pub kind: C0,
}

/// A table whose every column may be left to the database: `build` is there at once.
#[derive(::d1orm::Table, ::std::fmt::Debug)]
pub struct Mark {
    /// Key.
    #[d1orm(primary_key, auto_increment)]
    pub id: i64,
    /// Label.
    pub label: ::std::option::Option<::std::string::String>,
}

fn main() {
    let _ = NewMark::builder().build();
    let _ = NewTag::builder().kind(C0::One).build();
    let _ = NewTag::builder().kind(C0::One).label("rust").maybe_label(::std::option::Option::Some("sql")).build();
    let row = NewAccount::builder()
        .name(::std::string::String::new())
        .settings(::std::vec::Vec::new())
        .build();
    let _ = row.note;
    let _ = <Account as ::d1orm::Table>::NAME;
    let entry = <Entry as ::d1orm::Table>::columns();
    let _ = (entry.account(), entry.reviewer());
    let account = <Account as ::d1orm::Table>::columns();
    let _ = EntryRelations::entries(&account);
    let _ = EntryReviewedEntryRelation::reviewed_entry(&account);
}
