//! Objects, string enums, shape unions and tagged unions.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::names::{camel, ident, snake};
use crate::spec::{EnumDef, FieldDef, ObjectDef, Spec, TypeDefs, UnionDef};
use crate::ty::{Def, Key, Module, Registry, Ty};
use crate::{Error, doc};

/// `types.rs`: the shared objects, with the ID newtypes re-exported.
///
/// A shared item that some family or `events` reaches compiles only when one
/// of those features is on (`#[cfg(any(feature = ..))]`), so a family that is
/// off costs nothing; items nothing reaches stay ungated.
pub(crate) fn types_rs(spec: &Spec, reg: &Registry<'_>) -> Result<TokenStream, Error> {
    let features = shared_features(spec, reg)?;
    let items = type_defs_gated(&spec.types, &Module::Types, reg, Some(&features))?;
    Ok(quote! {
        pub use crate::ids::*;
        #items
    })
}

/// For each `types.json` name, the features (families, `events`) whose
/// methods, family types or events reach it, directly or through other
/// shared types.
pub(crate) fn shared_features(
    spec: &Spec,
    reg: &Registry<'_>,
) -> Result<BTreeMap<String, BTreeSet<String>>, Error> {
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut visit = |feature: &str, scope: &Module, roots: Vec<&str>| -> Result<(), Error> {
        let mut stack: Vec<(Module, Ty)> = Vec::new();
        for r in roots {
            stack.push((scope.clone(), Ty::parse(r)?));
        }
        let mut seen = BTreeSet::new();
        while let Some((sc, ty)) = stack.pop() {
            match ty {
                Ty::Array(t) | Ty::Map(t) => stack.push((sc, *t)),
                Ty::Named(n) => {
                    let (m, def) = reg.resolve(&sc, &n)?;
                    if m != Module::Types || !seen.insert(n.clone()) {
                        continue;
                    }
                    out.entry(n).or_default().insert(feature.to_owned());
                    let inner: Vec<&str> = match def {
                        Def::Object(o) => o.fields.iter().map(|f| f.ty.as_str()).collect(),
                        Def::Union(u) => u.variants.iter().map(|v| v.ty.as_str()).collect(),
                        Def::Enum => Vec::new(),
                    };
                    for t in inner {
                        stack.push((Module::Types, Ty::parse(t)?));
                    }
                }
                _ => {}
            }
        }
        Ok(())
    };
    fn own_types(t: &TypeDefs) -> Vec<&str> {
        let mut v: Vec<&str> = Vec::new();
        for o in t.objects.values() {
            v.extend(o.fields.iter().map(|f| f.ty.as_str()));
        }
        for u in t.unions.values() {
            v.extend(u.variants.iter().map(|x| x.ty.as_str()));
        }
        v
    }
    for (name, fam) in &spec.families {
        let mut roots = own_types(&fam.types);
        for m in &fam.methods {
            roots.extend(m.args.iter().map(|a| a.ty.as_str()));
            roots.extend(m.response.fields.iter().map(|f| f.ty.as_str()));
        }
        visit(name, &Module::Family(name.clone()), roots)?;
    }
    visit("events", &Module::Events, own_types(&spec.events))?;
    Ok(out)
}

/// `#[cfg(any(feature = "a", ...))]` on every item of `ts`.
fn gate(ts: TokenStream, features: &BTreeSet<String>) -> Result<TokenStream, Error> {
    let mut file: syn::File =
        syn::parse2(ts).map_err(|e| Error::new(format!("generated tokens do not parse: {e}")))?;
    let fs = features.iter();
    let cfg = if features.len() == 1 {
        quote!(#[cfg(#(feature = #fs)*)])
    } else {
        quote!(#[cfg(any(#(feature = #fs),*))])
    };
    for item in &mut file.items {
        if let Some(attrs) = item_attrs(item) {
            // After the doc comment, before derives.
            let at = attrs
                .iter()
                .take_while(|a| a.path().is_ident("doc"))
                .count();
            attrs.insert(at, syn::parse_quote!(#cfg));
        }
    }
    Ok(quote!(#file))
}

fn item_attrs(item: &mut syn::Item) -> Option<&mut Vec<syn::Attribute>> {
    Some(match item {
        syn::Item::Struct(i) => &mut i.attrs,
        syn::Item::Enum(i) => &mut i.attrs,
        syn::Item::Impl(i) => &mut i.attrs,
        syn::Item::Fn(i) => &mut i.attrs,
        syn::Item::Const(i) => &mut i.attrs,
        syn::Item::Static(i) => &mut i.attrs,
        syn::Item::Type(i) => &mut i.attrs,
        syn::Item::Mod(i) => &mut i.attrs,
        syn::Item::Use(i) => &mut i.attrs,
        syn::Item::Trait(i) => &mut i.attrs,
        _ => return None,
    })
}

/// `events.rs`'s types: event payloads and the `Event` union.
pub(crate) fn events_rs(spec: &Spec, reg: &Registry<'_>) -> Result<TokenStream, Error> {
    type_defs(&spec.events, &Module::Events, reg)
}

/// Every object, enum and union of one spec file, sorted by name.
pub(crate) fn type_defs(
    t: &TypeDefs,
    m: &Module,
    reg: &Registry<'_>,
) -> Result<TokenStream, Error> {
    type_defs_gated(t, m, reg, None)
}

/// [`type_defs`], each item gated on the features that reach it when
/// `features` says which.
fn type_defs_gated(
    t: &TypeDefs,
    m: &Module,
    reg: &Registry<'_>,
    features: Option<&BTreeMap<String, BTreeSet<String>>>,
) -> Result<TokenStream, Error> {
    let mut items: BTreeMap<&str, TokenStream> = BTreeMap::new();
    let ctx = |name: &str, e: Error| e.context(format!("{}: {name}", m.spec_file()));
    for (name, o) in &t.objects {
        let key = (m.clone(), name.clone());
        let ts =
            object(reg, m, name, o.doc.as_deref(), &o.fields, &key).map_err(|e| ctx(name, e))?;
        items.insert(name, ts);
    }
    for (name, e) in &t.enums {
        items.insert(name, string_enum(name, e).map_err(|e| ctx(name, e))?);
    }
    for (name, u) in &t.unions {
        let key = (m.clone(), name.clone());
        let ts = if u.tag.is_some() {
            tagged_union(reg, m, name, u, &key, None)
        } else {
            shape_union(reg, m, name, u)
        };
        items.insert(name, ts.map_err(|e| ctx(name, e))?);
    }
    let mut out = TokenStream::new();
    for (name, ts) in items {
        match features.and_then(|f| f.get(name)) {
            Some(fs) if !fs.is_empty() => out.extend(gate(ts, fs).map_err(|e| ctx(name, e))?),
            _ => out.extend(ts),
        }
    }
    Ok(out)
}

fn doc_or(d: Option<&str>, fallback: impl FnOnce() -> String) -> TokenStream {
    match d {
        Some(d) if !d.trim().is_empty() => doc(d),
        _ => doc(&fallback()),
    }
}

/// How a field is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Required,
    Optional,
    List,
}

/// A generated struct field.
pub(crate) struct Field {
    pub json: String,
    pub ident: Ident,
    pub ty: Ty,
    pub slot: Slot,
    pub boxed: bool,
    pub doc: Option<String>,
}

pub(crate) fn field(
    reg: &Registry<'_>,
    scope: &Module,
    container: &Key,
    f: &FieldDef,
) -> Result<Field, Error> {
    let ty = Ty::parse(&f.ty).map_err(|e| e.context(&f.name))?;
    let rust = match &f.rust_name {
        Some(r) => r.clone(),
        None => snake(&f.name),
    };
    if !crate::names::is_ident(&rust) {
        return Err(Error::new(format!(
            "field {:?}: bad Rust name {rust:?}",
            f.name
        )));
    }
    let slot = match (&ty, f.required) {
        (Ty::Array(_), _) => Slot::List,
        (_, true) => Slot::Required,
        (_, false) => Slot::Optional,
    };
    let boxed = slot != Slot::List && reg.needs_box(scope, &ty, container);
    Ok(Field {
        json: f.name.clone(),
        ident: ident(&rust),
        ty,
        slot,
        boxed,
        doc: f.doc.clone(),
    })
}

impl Field {
    /// The field's Rust type.
    pub(crate) fn rust_ty(&self, reg: &Registry<'_>, scope: &Module) -> Result<TokenStream, Error> {
        let t = reg.rust_ty(scope, &self.ty)?;
        let t = if self.boxed { quote!(Box<#t>) } else { t };
        Ok(match self.slot {
            Slot::Optional => quote!(Option<#t>),
            _ => t,
        })
    }

    /// The field declaration; `serialized` adds the attributes that leave
    /// absent values out when writing (decoding is [`decode_arm`](Self::decode_arm)).
    fn tokens(
        &self,
        reg: &Registry<'_>,
        scope: &Module,
        serialized: bool,
    ) -> Result<TokenStream, Error> {
        let ty = self.rust_ty(reg, scope)?;
        let id = &self.ident;
        let json = &self.json;
        let attr = if serialized {
            // serde derives the key from the identifier without `r#`.
            let rename = if id.to_string().trim_start_matches("r#") != json {
                quote!(rename = #json,)
            } else {
                quote!()
            };
            match self.slot {
                Slot::Required => quote!(#[serde(#rename)]),
                Slot::Optional => quote!(#[serde(#rename skip_serializing_if = "Option::is_none")]),
                Slot::List => quote!(#[serde(#rename skip_serializing_if = "Vec::is_empty")]),
            }
        } else {
            TokenStream::new()
        };
        let d = doc_or(self.doc.as_deref(), || format!("`{json}`."));
        Ok(quote! { #d #attr pub #id: #ty, })
    }

    /// The field's arm in its struct's `crate::de::Object::field`: the
    /// field's index `i` is what duplicates and missing fields are found by.
    fn decode_arm(&self, i: usize) -> TokenStream {
        let id = &self.ident;
        let json = &self.json;
        let f = match self.slot {
            Slot::Required => quote!(req_field),
            Slot::Optional => quote!(opt_field),
            Slot::List => quote!(vec_field),
        };
        let i = proc_macro2::Literal::usize_unsuffixed(i);
        quote! { #json => crate::de::#f(map, seen, #i, #json, &mut self.#id), }
    }
}

/// A `#[non_exhaustive]` struct deserialized field by field.
pub(crate) fn object(
    reg: &Registry<'_>,
    scope: &Module,
    name: &str,
    d: Option<&str>,
    fields: &[FieldDef],
    key: &Key,
) -> Result<TokenStream, Error> {
    let id = ident(name);
    let d = doc_or(d, || format!("The `{name}` object."));
    let mut seen = BTreeSet::new();
    let mut fs = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut required = Vec::new();
    let serialized = reg.is_serialized(key);
    if fields.len() > MAX_FIELDS {
        return Err(Error::new(format!(
            "{} fields: an object holds at most {MAX_FIELDS} (crate::de::Seen)",
            fields.len()
        )));
    }
    for (i, f) in fields.iter().enumerate() {
        let f = field(reg, scope, key, f)?;
        if !seen.insert(f.ident.to_string()) {
            return Err(Error::new(format!("field {} appears twice", f.ident)));
        }
        if serialized && f.ty == Ty::Secret {
            return Err(Error::new(format!(
                "field {}: a Block Kit type holds this type, and secrets are never serialized",
                f.ident
            )));
        }
        fs.extend(f.tokens(reg, scope, serialized)?);
        arms.extend(f.decode_arm(i));
        if f.slot == Slot::Required {
            let (i, json) = (proc_macro2::Literal::usize_unsuffixed(i), &f.json);
            required.push(quote!((#i, #json)));
        }
    }
    // Decoding goes through `crate::de::Object` rather than serde's derive,
    // which emits a visitor set and a wrapper per field for every struct:
    // generated Deserialize code was most of the crate's build time.
    let body = if arms.is_empty() {
        quote!(crate::de::skip_field(map))
    } else {
        quote!(match key { #arms _ => crate::de::skip_field(map), })
    };
    let (key_arg, seen_arg) = if arms.is_empty() {
        (quote!(_key), quote!(_seen))
    } else {
        (quote!(key), quote!(seen))
    };
    let derives = if serialized {
        quote!(#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)])
    } else {
        quote!(#[derive(Debug, Clone, Default, PartialEq)])
    };
    Ok(quote! {
        #d
        #derives
        #[non_exhaustive]
        pub struct #id { #fs }

        impl<'de> serde::Deserialize<'de> for #id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                crate::de::decode_object(deserializer)
            }
        }

        impl crate::de::Object for #id {
            const NAME: &'static str = #name;
            const REQUIRED: &'static [(usize, &'static str)] = &[#(#required),*];
            fn field<'de, A: serde::de::MapAccess<'de>>(
                &mut self,
                #key_arg: &str,
                map: &mut A,
                #seen_arg: &mut crate::de::Seen,
            ) -> Result<(), A::Error> {
                #body
            }
        }

        impl crate::de::Lenient for #id {
            const SHAPE: crate::de::Shape = crate::de::Shape::Object;
        }
    })
}

/// The most fields an object may have: `crate::de::Seen` holds 256 bits.
const MAX_FIELDS: usize = 256;

/// Variant names for string values, unique and never `Unknown`.
fn variant_names(values: &[String]) -> Result<Vec<Ident>, Error> {
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let mut values_seen = BTreeSet::new();
    for v in values {
        if !values_seen.insert(v) {
            return Err(Error::new(format!("value {v:?} appears twice")));
        }
        let mut n = camel(v);
        if n == "Unknown" {
            n = "UnknownValue".into();
        }
        let base = n.clone();
        let mut i = 2;
        while !seen.insert(n.clone()) {
            n = format!("{base}{i}");
            i += 1;
        }
        out.push(ident(&n));
    }
    Ok(out)
}

/// A string enum with an `Unknown(String)` fallback (also used for `ErrorCode`).
pub(crate) fn string_enum(name: &str, e: &EnumDef) -> Result<TokenStream, Error> {
    let id = ident(name);
    let d = doc_or(e.doc.as_deref(), || format!("The `{name}` values."));
    let vs = variant_names(&e.values)?;
    let strs = &e.values;
    let vdocs: Vec<TokenStream> = strs.iter().map(|s| doc(&format!("`{s}`"))).collect();
    let expecting = format!("a {name} string");
    Ok(quote! {
        #d
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum #id {
            #( #vdocs #vs, )*
            /// A value this version of the spec does not know, kept as sent.
            Unknown(String),
        }

        impl #id {
            /// The value as Slack spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    #( Self::#vs => #strs, )*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl Default for #id {
            fn default() -> Self {
                Self::Unknown(String::new())
            }
        }

        impl From<&str> for #id {
            fn from(s: &str) -> Self {
                match s {
                    #( #strs => Self::#vs, )*
                    _ => Self::Unknown(s.to_owned()),
                }
            }
        }

        impl From<String> for #id {
            fn from(s: String) -> Self {
                match s.as_str() {
                    #( #strs => Self::#vs, )*
                    _ => Self::Unknown(s),
                }
            }
        }

        impl std::fmt::Display for #id {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for #id {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for #id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl serde::de::Visitor<'_> for Visitor {
                    type Value = #id;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<#id, E> {
                        Ok(drift(#id::from(v)))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<#id, E> {
                        Ok(drift(#id::from(v)))
                    }
                }
                // Unknown values are reported to drift detection (a no-op unless enabled).
                fn drift(value: #id) -> #id {
                    if let #id::Unknown(raw) = &value {
                        crate::drift::unknown_enum_value(#name, raw);
                    }
                    value
                }
                deserializer.deserialize_str(Visitor)
            }
        }

        impl crate::de::Lenient for #id {
            const SHAPE: crate::de::Shape = crate::de::Shape::String;
        }
    })
}

/// JSON kinds a shape union dispatches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Str,
    Int,
    Float,
    Bool,
    Seq,
    Map,
}

fn kind_of(reg: &Registry<'_>, scope: &Module, ty: &Ty) -> Result<(Kind, bool), Error> {
    // The bool says whether the map variant is a tagged union (decoded via `from_json`).
    Ok(match ty {
        Ty::String | Ty::Secret | Ty::Id(_) => (Kind::Str, false),
        Ty::Integer | Ty::Time => (Kind::Int, false),
        Ty::Number => (Kind::Float, false),
        Ty::Boolean => (Kind::Bool, false),
        Ty::Array(_) => (Kind::Seq, false),
        Ty::Map(_) => (Kind::Map, false),
        Ty::Json => return Err(Error::new("a shape union variant cannot be `json`")),
        Ty::Named(n) => match reg.resolve(scope, n)?.1 {
            Def::Enum => (Kind::Str, false),
            Def::Object(_) => (Kind::Map, false),
            Def::Union(u) if u.tag.is_some() => (Kind::Map, true),
            Def::Union(_) => return Err(Error::new("a shape union cannot nest a shape union")),
        },
    })
}

/// A union told apart by JSON shape, decoded through one visitor.
fn shape_union(
    reg: &Registry<'_>,
    scope: &Module,
    name: &str,
    u: &UnionDef,
) -> Result<TokenStream, Error> {
    let id = ident(name);
    let d = doc_or(u.doc.as_deref(), || format!("The `{name}` union."));
    if u.variants.is_empty() {
        return Err(Error::new("a union needs variants"));
    }
    let mut by_kind: BTreeMap<Kind, (Ident, TokenStream, bool)> = BTreeMap::new();
    let mut variants = TokenStream::new();
    for v in &u.variants {
        let ty = Ty::parse(&v.ty)?;
        let (k, tagged) = kind_of(reg, scope, &ty)?;
        let vid = ident(&v.name);
        let rt = reg.rust_ty(scope, &ty)?;
        let vd = doc_or(v.doc.as_deref(), || format!("Sent as `{}`.", v.ty));
        // Objects are boxed, as in tagged unions: the union stays small.
        let held = if k == Kind::Map && !tagged {
            quote!(Box<#rt>)
        } else {
            rt.clone()
        };
        variants.extend(quote!(#vd #vid(#held),));
        if by_kind.insert(k, (vid, rt, tagged)).is_some() {
            return Err(Error::new(format!(
                "two variants have the JSON shape {k:?}"
            )));
        }
    }
    let first = ident(&u.variants[0].name);
    let mut visits = TokenStream::new();
    let mut expecting = Vec::new();
    for (k, (vid, rt, tagged)) in &by_kind {
        match k {
            Kind::Str if rt.to_string() == "String" => {
                expecting.push("a string");
                visits.extend(quote! {
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<#id, E> {
                        Ok(#id::#vid(v.to_owned()))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<#id, E> {
                        Ok(#id::#vid(v))
                    }
                });
            }
            Kind::Str => {
                expecting.push("a string");
                visits.extend(quote! {
                    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<#id, E> {
                        Ok(#id::#vid(<#rt>::from(v)))
                    }
                    fn visit_string<E: serde::de::Error>(self, v: String) -> Result<#id, E> {
                        Ok(#id::#vid(<#rt>::from(v)))
                    }
                });
            }
            Kind::Int => {
                expecting.push("an integer");
                visits.extend(quote! {
                    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<#id, E> {
                        Ok(#id::#vid(v))
                    }
                    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<#id, E> {
                        i64::try_from(v)
                            .map(#id::#vid)
                            .map_err(|_| E::invalid_value(serde::de::Unexpected::Unsigned(v), &self))
                    }
                });
            }
            Kind::Float => {
                expecting.push("a number");
                visits.extend(quote! {
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<#id, E> {
                        Ok(#id::#vid(v))
                    }
                });
                if !by_kind.contains_key(&Kind::Int) {
                    visits.extend(quote! {
                        #[allow(clippy::cast_precision_loss)]
                        fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<#id, E> {
                            Ok(#id::#vid(v as f64))
                        }
                        #[allow(clippy::cast_precision_loss)]
                        fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<#id, E> {
                            Ok(#id::#vid(v as f64))
                        }
                    });
                }
            }
            Kind::Bool => {
                expecting.push("a boolean");
                visits.extend(quote! {
                    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<#id, E> {
                        Ok(#id::#vid(v))
                    }
                });
            }
            Kind::Seq => {
                expecting.push("an array");
                visits.extend(quote! {
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<#id, A::Error> {
                        serde::Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(#id::#vid)
                    }
                });
            }
            Kind::Map => {
                expecting.push("an object");
                let body = if *tagged {
                    // A tagged union's own `Deserialize` takes an opened map.
                    quote! {
                        serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                            .map(#id::#vid)
                    }
                } else {
                    quote! {
                        serde::Deserialize::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                            .map(|v| #id::#vid(Box::new(v)))
                    }
                };
                visits.extend(quote! {
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<#id, A::Error> {
                        #body
                    }
                });
            }
        }
    }
    let expecting = expecting.join(" or ");
    Ok(quote! {
        #d
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #id { #variants }

        impl Default for #id {
            fn default() -> Self {
                Self::#first(Default::default())
            }
        }

        impl<'de> serde::Deserialize<'de> for #id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #id;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    #visits
                }
                deserializer.deserialize_any(Visitor)
            }
        }

        impl crate::de::Lenient for #id {
            const SHAPE: crate::de::Shape = crate::de::Shape::Any;
        }
    })
}

/// How a union accessor reads one field.
#[derive(Clone)]
pub(crate) struct Access {
    /// Return type, rendered with absolute paths (also the comparison key).
    pub(crate) ret: TokenStream,
    /// Expression on the variant's payload `v`.
    pub(crate) expr: TokenStream,
    /// The field's spec type, for code that picks accessors by type.
    pub(crate) ty: Ty,
    doc: Option<String>,
}

/// Accessors a definition offers: its fields (objects) or its common
/// accessors (tagged unions).
pub(crate) fn accessors(
    reg: &Registry<'_>,
    key: &Key,
    depth: usize,
) -> Result<BTreeMap<String, Access>, Error> {
    let mut out = BTreeMap::new();
    if depth > 8 {
        return Ok(out);
    }
    let Some(def) = reg.defs.get(key) else {
        return Ok(out);
    };
    // An unused scope so every path prints in full.
    let abs = Module::Family(String::new());
    match def {
        Def::Object(o) => {
            for f in &o.fields {
                let f = field(reg, &key.0, key, f)?;
                // Resolve in the definition's module, print absolute.
                let inner = match &f.ty {
                    Ty::Array(t) => abs_ty(reg, &key.0, t, &abs)?,
                    t => abs_ty(reg, &key.0, t, &abs)?,
                };
                let fid = &f.ident;
                let is_string = f.ty == Ty::String;
                let (ret, expr) = match (f.slot, f.boxed, is_string) {
                    (Slot::List, _, _) => {
                        (quote!(Option<&[#inner]>), quote!(Some(v.#fid.as_slice())))
                    }
                    (Slot::Required, _, true) => {
                        (quote!(Option<&str>), quote!(Some(v.#fid.as_str())))
                    }
                    (Slot::Optional, _, true) => (quote!(Option<&str>), quote!(v.#fid.as_deref())),
                    (Slot::Required, false, _) => (quote!(Option<&#inner>), quote!(Some(&v.#fid))),
                    (Slot::Required, true, _) => (quote!(Option<&#inner>), quote!(Some(&*v.#fid))),
                    (Slot::Optional, false, _) => {
                        (quote!(Option<&#inner>), quote!(v.#fid.as_ref()))
                    }
                    (Slot::Optional, true, _) => {
                        (quote!(Option<&#inner>), quote!(v.#fid.as_deref()))
                    }
                };
                out.insert(
                    fid.to_string(),
                    Access {
                        ret,
                        expr,
                        ty: f.ty.clone(),
                        doc: f.doc.clone(),
                    },
                );
            }
        }
        Def::Union(u) if u.tag.is_some() => {
            let common = common_accessors(reg, key, u, depth + 1)?;
            for (name, a) in common {
                let m: TokenStream = name.parse().map_err(|_| Error::new("bad accessor name"))?;
                out.insert(
                    name,
                    Access {
                        ret: a.ret,
                        expr: quote!(v.#m()),
                        ty: a.ty,
                        doc: a.doc,
                    },
                );
            }
        }
        _ => {}
    }
    Ok(out)
}

fn abs_ty(reg: &Registry<'_>, scope: &Module, ty: &Ty, abs: &Module) -> Result<TokenStream, Error> {
    Ok(match ty {
        Ty::Named(n) => {
            let (m, _) = reg.resolve(scope, n)?;
            let p = m.path();
            let n = ident(n);
            quote!(#p::#n)
        }
        Ty::Array(t) => {
            let t = abs_ty(reg, scope, t, abs)?;
            quote!(Vec<#t>)
        }
        Ty::Map(t) => {
            let t = abs_ty(reg, scope, t, abs)?;
            quote!(std::collections::BTreeMap<String, #t>)
        }
        t => reg.rust_ty(abs, t)?,
    })
}

/// Accessors present with the same type in every typed variant of a tagged union.
fn common_accessors(
    reg: &Registry<'_>,
    key: &Key,
    u: &UnionDef,
    depth: usize,
) -> Result<BTreeMap<String, Access>, Error> {
    let mut common: Option<BTreeMap<String, Access>> = None;
    for v in &u.variants {
        let Ty::Named(n) = Ty::parse(&v.ty)? else {
            return Ok(BTreeMap::new());
        };
        let (m, _) = reg.resolve(&key.0, n.as_str())?;
        let acc = accessors(reg, &(m, n), depth)?;
        common = Some(match common {
            None => acc,
            Some(c) => c
                .into_iter()
                .filter(|(k, a)| {
                    acc.get(k)
                        .is_some_and(|b| b.ret.to_string() == a.ret.to_string())
                })
                .collect(),
        });
    }
    Ok(common.unwrap_or_default())
}

/// The tag keys a tagged union reads: its own first, then those of the
/// tagged unions among its variants (recursively), each once. One scan of the
/// object finds them all, and nested unions dispatch on what it found.
fn tag_keys(reg: &Registry<'_>, scope: &Module, u: &UnionDef) -> Result<Vec<String>, Error> {
    let mut keys = vec![u.tag.clone().unwrap_or_else(|| "type".to_owned())];
    for v in &u.variants {
        let Ty::Named(tn) = Ty::parse(&v.ty)? else {
            continue;
        };
        let (m, def) = reg.resolve(scope, &tn)?;
        if let Def::Union(inner) = def
            && def.is_tagged_union()
        {
            for k in tag_keys(reg, &m, inner)? {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
    }
    Ok(keys)
}

/// The Rust name of `object`'s optional string field named `tag`, which a
/// guessed variant is checked by (`crate::de::guess`).
fn tag_field(object: &ObjectDef, tag: &str) -> Option<Ident> {
    let f = object
        .fields
        .iter()
        .find(|f| f.name == tag && f.ty == "string" && !f.required)?;
    Some(ident(
        &f.rust_name.clone().unwrap_or_else(|| snake(&f.name)),
    ))
}

/// A union dispatching on a tag field, decoded with a borrowed tag read.
///
/// A Block Kit union (`kit`) also serializes, checks its variants' limits,
/// and keeps a known variant whose object does not decode as `Unknown`
/// instead of failing: a block Slack changed must not lose the message.
pub(crate) fn tagged_union(
    reg: &Registry<'_>,
    scope: &Module,
    name: &str,
    u: &UnionDef,
    key: &Key,
    // For a Block Kit union, the objects that write back exactly (see
    // `block_kit::exact_objects`).
    kit: Option<&BTreeSet<String>>,
) -> Result<TokenStream, Error> {
    let id = ident(name);
    let tag = u.tag.as_deref().unwrap_or("type");
    let d = doc_or(u.doc.as_deref(), || {
        format!("The `{name}` union, by `{tag}`.")
    });
    let keys = tag_keys(reg, scope, u)?;
    let tag_vars: Vec<Ident> = (0..keys.len()).map(|i| format_ident!("t{i}")).collect();
    let key_count = proc_macro2::Literal::usize_unsuffixed(keys.len());
    let mut variants = TokenStream::new();
    let mut arms = TokenStream::new();
    // Block Kit: the variant of each tag, from the rest of an opened map.
    let mut map_arms = TokenStream::new();
    let mut tags = BTreeSet::new();
    // Tag values whose variant is itself a union, which needs more tags read.
    let mut nested_tags = Vec::new();
    let mut missing_found = false;
    // What a tag the scan did not look for decodes as (`Tag::Unseen`): the
    // `missing` variant on a guess, checked by its own tag field; without
    // one, the union scans for its tag itself.
    let mut unseen = quote!(return Self::from_json(s));
    // The `likely` variant, tried before the scan.
    let mut likely = TokenStream::new();
    let mut names = BTreeSet::new();
    for v in &u.variants {
        if v.name == "Unknown" || !names.insert(v.name.clone()) {
            return Err(Error::new(format!(
                "variant name {} is reserved or repeated",
                v.name
            )));
        }
        let vid = ident(&v.name);
        let ty = Ty::parse(&v.ty)?;
        let Ty::Named(tn) = &ty else {
            return Err(Error::new(format!(
                "variant {}: type must be an object or tagged union",
                v.name
            )));
        };
        let (_, def) = reg.resolve(scope, tn)?;
        let rt = reg.rust_ty(scope, &ty)?;
        // Objects are boxed so the union stays small: one variant with many
        // fields would otherwise make every value, and every move, that big.
        // Nested unions are small themselves and stay inline, so a pattern
        // like `Event::Message(MessageEvent::Plain(m))` still matches.
        let (held, decode) = match def {
            Def::Object(_) if kit.is_some() => {
                let t = v.tag.as_deref().unwrap_or_default();
                (
                    quote!(Box<#rt>),
                    quote!(match crate::de::from_str::<#rt>(s) {
                        Ok(v) => Ok(Self::#vid(Box::new(v))),
                        Err(e) => crate::de::unreadable(#name, #t, &e, s).map(Self::Unknown),
                    }),
                )
            }
            Def::Object(_) => (
                quote!(Box<#rt>),
                quote!(crate::de::from_str::<#rt>(s).map(|v| Self::#vid(Box::new(v)))),
            ),
            Def::Union(inner) if def.is_tagged_union() => {
                nested_tags.extend(v.tag.clone());
                // Hand the nested union the tags it reads, from this scan.
                let (m, _) = reg.resolve(scope, tn)?;
                let passed = tag_keys(reg, &m, inner)?.into_iter().map(|k| {
                    let i = keys.iter().position(|x| *x == k).unwrap_or_default();
                    &tag_vars[i]
                });
                (
                    rt.clone(),
                    quote!(<#rt>::dispatch(s, [#(#passed),*]).map(Self::#vid)),
                )
            }
            _ => {
                return Err(Error::new(format!(
                    "variant {}: type must be an object or tagged union",
                    v.name
                )));
            }
        };
        let type_doc = match def {
            Def::Object(o) => o.doc.clone(),
            Def::Union(u) => u.doc.clone(),
            Def::Enum => None,
        };
        let is_missing = u.missing.as_deref() == Some(v.name.as_str());
        let guessed = match def {
            Def::Object(o) if kit.is_none() => tag_field(o, tag),
            _ => None,
        };
        if is_missing && let Some(f) = &guessed {
            unseen = quote! {
                if let Some(v) = crate::de::guess::<#rt>(s, |v| matches!(v.#f.as_deref(), None | Some(""))) {
                    return Ok(Self::#vid(Box::new(v)));
                }
                return Self::from_json(s);
            };
        }
        if u.likely.as_deref() == Some(v.name.as_str()) {
            let (Some(f), Some(t)) = (&guessed, &v.tag) else {
                return Err(Error::new(format!(
                    "likely variant {}: needs a tag and an object with an optional string field `{tag}`",
                    v.name
                )));
            };
            likely = quote! {
                if let Some(v) = crate::de::likely::<#rt>(s, #tag, #t, |v| v.#f.as_deref()) {
                    return Ok(Self::#vid(Box::new(v)));
                }
            };
        }
        let vd = match (&v.tag, is_missing) {
            (Some(t), _) => format!("`{tag}: \"{t}\"`"),
            (None, true) => format!("No `{tag}` field"),
            (None, false) => {
                return Err(Error::new(format!(
                    "variant {} has no tag and is not `missing`",
                    v.name
                )));
            }
        };
        let vd = match v.doc.as_ref().or(type_doc.as_ref()) {
            Some(t) => format!("{vd}: {t}"),
            None => format!("{vd}."),
        };
        let vd = doc(&vd);
        variants.extend(quote!(#vd #vid(#held),));
        if let (Some(exact), Some(t)) = (kit, &v.tag) {
            map_arms.extend(match def {
                Def::Object(_) if exact.contains(tn.as_str()) => quote! {
                    #t => crate::de::variant::<A, #rt>(map, #name, #t)?
                        .map_or_else(Self::Unknown, |v| Self::#vid(Box::new(v))),
                },
                // It may not write back exactly: decoded from its text, as before.
                _ => quote! {
                    #t => {
                        let s = crate::de::rest_text(map, #tag, #t)?;
                        Self::from_json(&s).map_err(serde::de::Error::custom)?
                    }
                },
            });
        }
        if let Some(t) = &v.tag {
            if t.is_empty() || !tags.insert(t.clone()) {
                return Err(Error::new(format!("tag {t:?} is empty or repeated")));
            }
            arms.extend(quote!(Some(#t) => #decode,));
        }
        if is_missing {
            missing_found = true;
            arms.extend(quote!(None | Some("") => #decode,));
        }
    }
    if let Some(m) = &u.missing
        && !missing_found
    {
        return Err(Error::new(format!(
            "missing variant {m} is not among the variants"
        )));
    }
    if let Some(l) = &u.likely
        && likely.is_empty()
    {
        return Err(Error::new(format!(
            "likely variant {l} is not among the variants"
        )));
    }
    let needs_rest = if nested_tags.is_empty() {
        quote!(|_| false)
    } else {
        quote!(|t| matches!(t, #(#nested_tags)|*))
    };
    let accessors = common_accessors(reg, key, u, 0)?;
    let mut methods = TokenStream::new();
    for (mname, a) in &accessors {
        let m: TokenStream = mname.parse().map_err(|_| Error::new("bad accessor name"))?;
        let ret = &a.ret;
        let expr = &a.expr;
        let plain = mname.trim_start_matches("r#");
        let ad = doc(&match &a.doc {
            Some(t) => format!("`{plain}` of any known variant: {t}"),
            None => format!("`{plain}` of any known variant."),
        });
        let arms: Vec<TokenStream> = u
            .variants
            .iter()
            .map(|v| {
                let vid = ident(&v.name);
                quote!(Self::#vid(v) => #expr,)
            })
            .collect();
        methods.extend(quote! {
            #ad
            pub fn #m(&self) -> #ret {
                match self {
                    #(#arms)*
                    Self::Unknown(_) => None,
                }
            }
        });
    }
    let from_json_doc = doc(&format!(
        "Decodes one JSON object, dispatching on its `{tag}` field. An unknown `{tag}` \
         gives [`{name}::Unknown`] with the raw JSON; an error means the input is not \
         JSON, nests deeper than [`crate::de::MAX_DEPTH`], or a known variant's fields do not decode."
    ));
    let unknown_doc = doc(&format!(
        "A `{tag}` this version of the spec does not know, kept as raw JSON."
    ));
    let kit_impls = if kit.is_some() {
        let vids: Vec<Ident> = u.variants.iter().map(|v| ident(&v.name)).collect();
        let mut froms = TokenStream::new();
        for v in &u.variants {
            let ty = Ty::parse(&v.ty)?;
            if let Ty::Named(tn) = &ty
                && let (_, Def::Object(_)) = reg.resolve(scope, tn)?
            {
                let rt = reg.rust_ty(scope, &ty)?;
                let vid = ident(&v.name);
                froms.extend(quote! {
                    impl From<#rt> for #id {
                        fn from(v: #rt) -> Self {
                            Self::#vid(Box::new(v))
                        }
                    }
                });
            }
        }
        quote! {
            #froms

            impl crate::de::KitUnion for #id {
                const NAME: &'static str = #name;
                const TAG: &'static str = #tag;

                fn variant<'de, A: serde::de::MapAccess<'de>>(tag: &str, map: A) -> Result<Result<Self, A>, A::Error> {
                    Ok(Ok(match tag {
                        #map_arms
                        _ => return Ok(Err(map)),
                    }))
                }

                fn unknown(raw: serde_json::Value) -> Self {
                    Self::Unknown(raw)
                }

                fn from_text(s: &str) -> Result<Self, crate::de::DecodeError> {
                    Self::from_json(s)
                }
            }

            impl serde::Serialize for #id {
                fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    match self {
                        #(Self::#vids(v) => v.serialize(serializer),)*
                        Self::Unknown(v) => v.serialize(serializer),
                    }
                }
            }

            impl crate::kit::Check for #id {
                fn check(&self, at: &crate::kit::Path<'_>, out: &mut Vec<crate::kit::LimitError>) {
                    match self {
                        #(Self::#vids(v) => v.check(at, out),)*
                        // Slack judges what the spec does not know.
                        Self::Unknown(_) => {}
                    }
                }
            }
        }
    } else {
        TokenStream::new()
    };
    // A Block Kit union decodes from the running parser (`crate::de::direct`).
    let (deserialize, decode_field, keep_field) = if kit.is_some() {
        (
            quote!(crate::de::union_deserialize(deserializer)),
            quote!(crate::de::kit_union_field(d, required)),
            quote! {
                fn keep_field<'de, D>(d: D) -> Result<crate::de::Kept<Self>, D::Error>
                where
                    D: serde::Deserializer<'de>,
                    Self: serde::Deserialize<'de>,
                {
                    crate::de::union_keep(d)
                }
            },
        )
    } else {
        (
            quote! {
                // Fields take the raw text (`decode_field` below); this path
                // serves shape unions, which hand over an already-opened map,
                // so it buffers a `Value` and dispatches as usual.
                let value = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
                Self::from_json(&value.to_string()).map_err(serde::de::Error::custom)
            },
            quote!(crate::de::union_field(d, required, Self::from_json)),
            TokenStream::new(),
        )
    };
    Ok(quote! {
        #d
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum #id {
            #variants
            #unknown_doc
            Unknown(serde_json::Value),
        }

        impl Default for #id {
            fn default() -> Self {
                Self::Unknown(serde_json::Value::Null)
            }
        }

        impl #id {
            #from_json_doc
            pub fn from_json(s: &str) -> Result<Self, crate::de::DecodeError> {
                crate::de::checked(s.as_bytes(), || {
                    #likely
                    Self::dispatch(s, crate::de::read_tags(s, [#(#keys),*], #needs_rest))
                })
            }

            /// Decodes `s` given the tags read from it, in the order `from_json` reads them.
            pub(crate) fn dispatch(
                s: &str,
                [#(#tag_vars),*]: [crate::de::Tag<'_>; #key_count],
            ) -> Result<Self, crate::de::DecodeError> {
                let tag = match t0 {
                    crate::de::Tag::Absent => None,
                    crate::de::Tag::Str(t) => Some(t),
                    crate::de::Tag::Unseen => { #unseen }
                    // Not an object, or a tag that is not a string: keep it raw.
                    crate::de::Tag::Unusable => {
                        return crate::de::from_str::<serde_json::Value>(s).map(Self::Unknown);
                    }
                };
                match tag.as_deref() {
                    #arms
                    other => {
                        // Reported to drift detection (a no-op unless enabled).
                        crate::drift::unknown_tag(#name, #tag, other);
                        crate::de::from_str::<serde_json::Value>(s).map(Self::Unknown)
                    }
                }
            }

            #methods
        }

        impl<'de> serde::Deserialize<'de> for #id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                #deserialize
            }
        }

        impl crate::de::Lenient for #id {
            const SHAPE: crate::de::Shape = crate::de::Shape::Object;

            fn decode_field<'de, D>(d: D, required: bool) -> Result<Option<Self>, D::Error>
            where
                D: serde::Deserializer<'de>,
                Self: serde::Deserialize<'de>,
            {
                #decode_field
            }

            #keep_field
        }

        #kit_impls
    })
}
