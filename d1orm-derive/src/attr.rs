//! The `#[d1orm(...)]` attributes: one table of keys, typed values, exact errors for
//! unknown and repeated keys.

use proc_macro2::Span;
use syn::meta::ParseNestedMeta;
use syn::{Attribute, Ident, Lit, LitStr};

use crate::ctxt::Ctxt;

/// Container keys.
const TABLE: &str = "table";
const PRIMARY_KEY: &str = "primary_key";
const INSERT: &str = "insert";
const CONTAINER_KEYS: &[&str] = &[TABLE, PRIMARY_KEY, UNIQUE, INSERT];

/// Field keys.
const RENAME: &str = "rename";
const AUTO_INCREMENT: &str = "auto_increment";
const UNIQUE: &str = "unique";
const DEFAULT: &str = "default";
const JSON: &str = "json";
const FIELD_KEYS: &[&str] = &[RENAME, PRIMARY_KEY, AUTO_INCREMENT, UNIQUE, DEFAULT, JSON];

#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) table: Option<LitStr>,
    /// A composite primary key, by field name.
    pub(crate) primary_key: Option<(Span, Vec<Ident>)>,
    /// Composite UNIQUE keys, by field name (the key may be repeated).
    pub(crate) unique: Vec<(Span, Vec<Ident>)>,
    pub(crate) insert: Option<Ident>,
}

#[derive(Default)]
pub(crate) struct FieldAttrs {
    pub(crate) rename: Option<LitStr>,
    pub(crate) primary_key: Option<Span>,
    pub(crate) auto_increment: Option<Span>,
    pub(crate) unique: Option<Span>,
    /// The SQL text of the default.
    pub(crate) default: Option<(Span, String)>,
    pub(crate) json: Option<Span>,
}

/// Remembers which keys were given, to refuse repeats.
struct Seen(Vec<String>);

impl Seen {
    fn first(&mut self, meta: &ParseNestedMeta<'_>, key: &str) -> syn::Result<()> {
        if self.0.iter().any(|k| k == key) {
            return Err(meta.error(format!("duplicate d1orm attribute `{key}`")));
        }
        self.0.push(key.to_owned());
        Ok(())
    }
}

fn unknown(meta: &ParseNestedMeta<'_>, keys: &[&str], place: &str) -> syn::Error {
    let name = meta
        .path
        .get_ident()
        .map_or_else(|| "?".to_owned(), Ident::to_string);
    meta.error(format!(
        "unknown d1orm {place} attribute `{name}`; expected one of: {}",
        keys.join(", ")
    ))
}

fn d1orm_attrs(attrs: &[Attribute]) -> impl Iterator<Item = &Attribute> {
    attrs.iter().filter(|a| a.path().is_ident("d1orm"))
}

/// `key(a, b)`: the key's span and the fields it names.
fn field_list(meta: &ParseNestedMeta<'_>) -> syn::Result<(Span, Vec<Ident>)> {
    let mut fields = Vec::new();
    meta.parse_nested_meta(|inner| {
        fields.push(inner.path.require_ident()?.clone());
        Ok(())
    })?;
    let span = meta
        .path
        .get_ident()
        .map_or_else(Span::call_site, Ident::span);
    Ok((span, fields))
}

pub(crate) fn container(attrs: &[Attribute], ctxt: &mut Ctxt) -> ContainerAttrs {
    let mut out = ContainerAttrs::default();
    let mut seen = Seen(Vec::new());
    for attr in d1orm_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(Ident::to_string);
            match key.as_deref() {
                Some(TABLE) => {
                    seen.first(&meta, TABLE)?;
                    out.table = Some(meta.value()?.parse()?);
                }
                Some(PRIMARY_KEY) => {
                    seen.first(&meta, PRIMARY_KEY)?;
                    out.primary_key = Some(field_list(&meta)?);
                }
                Some(UNIQUE) => out.unique.push(field_list(&meta)?),
                Some(INSERT) => {
                    seen.first(&meta, INSERT)?;
                    out.insert = Some(meta.value()?.parse()?);
                }
                _ => return Err(unknown(&meta, CONTAINER_KEYS, "container")),
            }
            Ok(())
        });
        if let Err(e) = result {
            ctxt.push(e);
        }
    }
    out
}

pub(crate) fn field(attrs: &[Attribute], ctxt: &mut Ctxt) -> FieldAttrs {
    let mut out = FieldAttrs::default();
    let mut seen = Seen(Vec::new());
    for attr in d1orm_attrs(attrs) {
        let result = attr.parse_nested_meta(|meta| {
            let key = meta.path.get_ident().map(Ident::to_string);
            let span = meta.path.get_ident().map_or_else(Span::call_site, Ident::span);
            match key.as_deref() {
                Some(RENAME) => {
                    seen.first(&meta, RENAME)?;
                    out.rename = Some(meta.value()?.parse()?);
                }
                Some(PRIMARY_KEY) => {
                    seen.first(&meta, PRIMARY_KEY)?;
                    out.primary_key = Some(span);
                }
                Some(AUTO_INCREMENT) => {
                    seen.first(&meta, AUTO_INCREMENT)?;
                    out.auto_increment = Some(span);
                }
                Some(UNIQUE) => {
                    seen.first(&meta, UNIQUE)?;
                    out.unique = Some(span);
                }
                Some(JSON) => {
                    seen.first(&meta, JSON)?;
                    out.json = Some(span);
                }
                Some(DEFAULT) => {
                    seen.first(&meta, DEFAULT)?;
                    let lit: Lit = meta.value()?.parse()?;
                    let sql = match &lit {
                        Lit::Str(s) => s.value(),
                        Lit::Int(i) => i.base10_digits().to_owned(),
                        Lit::Float(f) => f.base10_digits().to_owned(),
                        Lit::Bool(b) => if b.value { "1" } else { "0" }.to_owned(),
                        _ => {
                            return Err(syn::Error::new_spanned(
                                lit,
                                "`default` takes an SQL expression as a string, or a number or bool literal",
                            ));
                        }
                    };
                    out.default = Some((span, sql));
                }
                _ => return Err(unknown(&meta, FIELD_KEYS, "field")),
            }
            Ok(())
        });
        if let Err(e) = result {
            ctxt.push(e);
        }
    }
    out
}
