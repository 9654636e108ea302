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
const CHECK: &str = "check";
const INDEX: &str = "index";
const UNIQUE_INDEX: &str = "unique_index";
const CONTAINER_KEYS: &[&str] = &[
    TABLE,
    PRIMARY_KEY,
    UNIQUE,
    INSERT,
    CHECK,
    INDEX,
    UNIQUE_INDEX,
];

/// Field keys.
const RENAME: &str = "rename";
const AUTO_INCREMENT: &str = "auto_increment";
const UNIQUE: &str = "unique";
const DEFAULT: &str = "default";
const JSON: &str = "json";
const REFERENCES: &str = "references";
const ON_DELETE: &str = "on_delete";
const ON_UPDATE: &str = "on_update";
const RELATION: &str = "relation";
const INVERSE: &str = "inverse";
const FIELD_KEYS: &[&str] = &[
    RENAME,
    PRIMARY_KEY,
    AUTO_INCREMENT,
    UNIQUE,
    DEFAULT,
    JSON,
    CHECK,
    INDEX,
    REFERENCES,
    ON_DELETE,
    ON_UPDATE,
    RELATION,
    INVERSE,
];

/// The actions SQLite knows for `ON DELETE` / `ON UPDATE`.
const FK_ACTIONS: &[&str] = &[
    "cascade",
    "restrict",
    "set null",
    "set default",
    "no action",
];

#[derive(Default)]
pub(crate) struct ContainerAttrs {
    pub(crate) table: Option<LitStr>,
    /// A composite primary key, by field name.
    pub(crate) primary_key: Option<(Span, Vec<Ident>)>,
    /// Composite UNIQUE keys, by field name (the key may be repeated).
    pub(crate) unique: Vec<(Span, Vec<Ident>)>,
    pub(crate) insert: Option<Ident>,
    /// Table CHECK constraints, as SQL.
    pub(crate) checks: Vec<String>,
    pub(crate) indexes: Vec<IndexAttr>,
}

/// `index(a, b, filter = "sql", name = "...")` or `unique_index(...)`.
pub(crate) struct IndexAttr {
    pub(crate) fields: Vec<Ident>,
    pub(crate) unique: bool,
    pub(crate) filter: Option<String>,
    pub(crate) name: Option<String>,
}

/// `references(Type::field)` with its actions.
pub(crate) struct ReferenceAttr {
    pub(crate) table: syn::Path,
    pub(crate) field: Ident,
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
    pub(crate) check: Option<String>,
    pub(crate) index: Option<Span>,
    pub(crate) references: Option<ReferenceAttr>,
    pub(crate) on_delete: Option<(Span, String)>,
    pub(crate) on_update: Option<(Span, String)>,
    /// The belongs-to relation's method name, `relation = "writer"`.
    pub(crate) relation: Option<Ident>,
    /// The name of the has-many (has-one) relation on the referenced table,
    /// `inverse = "written_notes"`.
    pub(crate) inverse: Option<Ident>,
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

fn index_attr(meta: &ParseNestedMeta<'_>, unique: bool) -> syn::Result<IndexAttr> {
    let mut out = IndexAttr {
        fields: Vec::new(),
        unique,
        filter: None,
        name: None,
    };
    meta.parse_nested_meta(|inner| {
        // `filter = ..` and `name = ..` are options; a bare `name` is a field.
        let option = inner.input.peek(syn::Token![=]);
        if option && inner.path.is_ident("filter") {
            out.filter = Some(inner.value()?.parse::<LitStr>()?.value());
        } else if option && inner.path.is_ident("name") {
            out.name = Some(inner.value()?.parse::<LitStr>()?.value());
        } else {
            out.fields.push(inner.path.require_ident()?.clone());
        }
        Ok(())
    })?;
    if out.fields.is_empty() {
        return Err(meta.error("an index needs at least one field: `index(a, b)`"));
    }
    Ok(out)
}

fn fk_action(meta: &ParseNestedMeta<'_>) -> syn::Result<(Span, String)> {
    let lit: LitStr = meta.value()?.parse()?;
    let action = lit.value().to_ascii_lowercase();
    if !FK_ACTIONS.contains(&action.as_str()) {
        return Err(syn::Error::new(
            lit.span(),
            format!(
                "unknown action `{}`; expected one of: {}",
                lit.value(),
                FK_ACTIONS.join(", ")
            ),
        ));
    }
    Ok((lit.span(), action.to_ascii_uppercase()))
}

/// `key = "name"`: a method name, as an identifier spanned at the string.
fn method_name(meta: &ParseNestedMeta<'_>) -> syn::Result<Ident> {
    let lit: LitStr = meta.value()?.parse()?;
    match syn::parse_str::<Ident>(&lit.value()) {
        Ok(ident) => Ok(Ident::new(&ident.to_string(), lit.span())),
        Err(_) => Err(syn::Error::new(
            lit.span(),
            format!("`{}` is not a method name", lit.value()),
        )),
    }
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
                Some(CHECK) => out.checks.push(meta.value()?.parse::<LitStr>()?.value()),
                Some(INDEX) => out.indexes.push(index_attr(&meta, false)?),
                Some(UNIQUE_INDEX) => out.indexes.push(index_attr(&meta, true)?),
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
                Some(CHECK) => {
                    seen.first(&meta, CHECK)?;
                    out.check = Some(meta.value()?.parse::<LitStr>()?.value());
                }
                Some(INDEX) => {
                    seen.first(&meta, INDEX)?;
                    out.index = Some(span);
                }
                Some(REFERENCES) => {
                    seen.first(&meta, REFERENCES)?;
                    let mut target: Option<syn::Path> = None;
                    meta.parse_nested_meta(|inner| {
                        if target.is_some() {
                            return Err(inner.error("`references` takes one `Table::field`"));
                        }
                        target = Some(inner.path.clone());
                        Ok(())
                    })?;
                    let target = target
                        .filter(|p| p.segments.len() >= 2)
                        .ok_or_else(|| meta.error("expected `references(Table::field)`"))?;
                    let mut segments: Vec<syn::PathSegment> =
                        target.segments.iter().cloned().collect();
                    let field = segments
                        .pop()
                        .map(|s| s.ident)
                        .ok_or_else(|| meta.error("expected `references(Table::field)`"))?;
                    let table = syn::Path {
                        leading_colon: target.leading_colon,
                        segments: segments.into_iter().collect(),
                    };
                    out.references = Some(ReferenceAttr { table, field });
                }
                Some(ON_DELETE) => {
                    seen.first(&meta, ON_DELETE)?;
                    out.on_delete = Some(fk_action(&meta)?);
                }
                Some(ON_UPDATE) => {
                    seen.first(&meta, ON_UPDATE)?;
                    out.on_update = Some(fk_action(&meta)?);
                }
                Some(RELATION) => {
                    seen.first(&meta, RELATION)?;
                    out.relation = Some(method_name(&meta)?);
                }
                Some(INVERSE) => {
                    seen.first(&meta, INVERSE)?;
                    out.inverse = Some(method_name(&meta)?);
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
