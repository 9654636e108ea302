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

fn main() {
    let row = NewAccount::new(::std::string::String::new(), ::std::vec::Vec::new());
    let _ = row.note;
    let _ = <Account as ::d1orm::Table>::NAME;
}
