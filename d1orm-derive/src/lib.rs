//! `#[derive(Table)]` for d1orm. Use it through `d1orm::Table`; see that crate's docs.
//!
//! The derive runs in three steps: [`ast`] reads the input into its own representation
//! (attributes parsed by [`attr`]), [`check`] validates it as a whole, and [`expand`]
//! generates code. Every error is collected with its span, so one compile reports every
//! mistake.

mod ast;
mod attr;
mod check;
mod ctxt;
mod expand;

use proc_macro::TokenStream;
use syn::{DeriveInput, parse_macro_input};

/// Maps a struct with named fields to a table. See `d1orm::Table` for the attributes.
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
