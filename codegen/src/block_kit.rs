//! `block_kit.rs`: the Block Kit types, which go both ways.
//!
//! Unlike the response types, a Block Kit object is also sent, and sent
//! back after it was read: it serializes, and it keeps what it does not
//! understand. Each object gets a hand-rolled visitor that decodes its known
//! keys and keeps every other key (and every known key whose value has an
//! unexpected shape) in its `extra` field, and a `Serialize` that writes the
//! known fields, then `extra`. A variant object of a tagged union writes
//! its tag itself, so a `Button` serializes with `"type": "button"` whether
//! or not it sits in an `Element`.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::items::{Field, Slot, field, string_enum, tagged_union};
use crate::spec::{FieldDef, ObjectDef, Spec};
use crate::ty::{Def, Module, Registry, Ty};
use crate::{Error, doc};

/// The module: every Block Kit object, enum and union, sorted by name.
pub(crate) fn block_kit_rs(spec: &Spec, reg: &Registry<'_>) -> Result<TokenStream, Error> {
    let m = Module::BlockKit;
    let defs = &spec.block_kit;
    let tags = variant_tags(spec)?;
    let exact = exact_objects(spec, reg)?;
    let ctx = |name: &str, e: Error| e.context(format!("spec/block_kit.json: {name}"));
    let mut items: BTreeMap<&str, TokenStream> = BTreeMap::new();
    for (name, o) in &defs.objects {
        let ts = object(reg, name, o, tags.get(name.as_str()), exact.contains(name))
            .map_err(|e| ctx(name, e))?;
        items.insert(name, ts);
    }
    for (name, e) in &defs.enums {
        let ts = string_enum(name, e).map_err(|e| ctx(name, e))?;
        let id = crate::names::ident(name);
        items.insert(
            name,
            quote! {
                #ts
                impl crate::kit::Check for #id {
                    fn check(&self, _: &crate::kit::Path<'_>, _: &mut Vec<crate::kit::LimitError>) {}
                }
            },
        );
    }
    for (name, u) in &defs.unions {
        if u.tag.is_none() || u.missing.is_some() {
            return Err(ctx(
                name,
                Error::new("Block Kit unions are tagged, without `missing`"),
            ));
        }
        let key = (m.clone(), name.clone());
        let ts = tagged_union(reg, &m, name, u, &key, Some(&exact)).map_err(|e| ctx(name, e))?;
        items.insert(name, ts);
    }
    let items = items.into_values();
    Ok(quote! {
        pub use crate::kit::{Check, Extra, LimitError, MessageContent, Path};
        #(#items)*
    })
}

/// For each object that is a variant of a Block Kit union, the tag key and
/// value it writes.
fn variant_tags(spec: &Spec) -> Result<BTreeMap<&str, (&str, &str)>, Error> {
    let mut out: BTreeMap<&str, (&str, &str)> = BTreeMap::new();
    for (uname, u) in &spec.block_kit.unions {
        let Some(key) = u.tag.as_deref() else {
            continue;
        };
        for v in &u.variants {
            let Some(value) = v.tag.as_deref() else {
                continue;
            };
            if !spec.block_kit.objects.contains_key(&v.ty) {
                continue;
            }
            match out.insert(&v.ty, (key, value)) {
                Some(prev) if prev != (key, value) => {
                    return Err(Error::new(format!(
                        "spec/block_kit.json: {} is `{}: {}` in one union and `{key}: {value}` in {uname}",
                        v.ty, prev.0, prev.1
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The Block Kit objects that write back exactly what they read, so one
/// missing a required field can be kept raw by writing itself back: every
/// field a string, ID, boolean, integer, raw JSON, enum, an exact object, a
/// union of exact objects, or a list of those. A number reads `3` as `3.0`,
/// and a response type is lenient (it coerces and drops).
fn exact_objects(spec: &Spec, reg: &Registry<'_>) -> Result<BTreeSet<String>, Error> {
    let objects = &spec.block_kit.objects;
    let mut exact: BTreeSet<String> = objects.keys().cloned().collect();
    loop {
        let mut changed = false;
        for (name, o) in objects {
            if !exact.contains(name) {
                continue;
            }
            for f in &o.fields {
                if !exact_ty(reg, &Ty::parse(&f.ty)?, &exact)? {
                    exact.remove(name);
                    changed = true;
                    break;
                }
            }
        }
        if !changed {
            return Ok(exact);
        }
    }
}

fn exact_ty(reg: &Registry<'_>, ty: &Ty, exact: &BTreeSet<String>) -> Result<bool, Error> {
    Ok(match ty {
        Ty::String | Ty::Id(_) | Ty::Integer | Ty::Time | Ty::Boolean | Ty::Json => true,
        Ty::Number | Ty::Secret | Ty::Map(_) => false,
        Ty::Array(t) => exact_ty(reg, t, exact)?,
        Ty::Named(n) => match reg.resolve(&Module::BlockKit, n)? {
            (Module::BlockKit, Def::Enum) => true,
            (Module::BlockKit, Def::Object(_)) => exact.contains(n),
            (Module::BlockKit, Def::Union(u)) => {
                let mut all = true;
                for v in &u.variants {
                    all &= exact_ty(reg, &Ty::parse(&v.ty)?, exact)?;
                }
                all
            }
            _ => false,
        },
    })
}

/// One Block Kit object: the struct, its visitor, `Serialize` and `Check`.
fn object(
    reg: &Registry<'_>,
    name: &str,
    o: &ObjectDef,
    tag: Option<&(&str, &str)>,
    exact: bool,
) -> Result<TokenStream, Error> {
    let m = Module::BlockKit;
    let key = (m.clone(), name.to_owned());
    let id = crate::names::ident(name);
    let d = doc(o.doc.as_deref().unwrap_or(name));
    let mut fields: Vec<(Field, &FieldDef)> = Vec::new();
    for f in &o.fields {
        if f.name == "extra" {
            return Err(Error::new("a field may not be named `extra`"));
        }
        if tag.is_some_and(|(k, _)| *k == f.name) {
            return Err(Error::new(format!(
                "field {} is the union tag; the generator writes it",
                f.name
            )));
        }
        fields.push((field(reg, &m, &key, f)?, f));
    }

    let mut decls = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut writes = TokenStream::new();
    let mut set_arms = TokenStream::new();
    let mut checks = TokenStream::new();
    let mut required_flags = TokenStream::new();
    let mut required_checks = TokenStream::new();
    let mut tag_check = TokenStream::new();
    if let Some((k, v)) = tag {
        let required = o.fields.iter().any(|f| f.required);
        if required {
            // A raw copy of an incomplete object has the tag only if it came.
            required_flags.extend(quote!(let mut seen_tag = false;));
            arms.extend(quote! {
                #k => {
                    crate::de::tag(&mut map, key, #v, &mut out.extra)?;
                    seen_tag = true;
                }
            });
            tag_check = quote! {
                if !seen_tag && !missing.is_empty() {
                    missing.push(#k);
                }
            };
        } else {
            arms.extend(quote!(#k => crate::de::tag(&mut map, key, #v, &mut out.extra)?,));
        }
        // A tag kept in `extra` (it said otherwise) is written from there.
        writes.extend(quote! {
            if self.extra.get(#k).is_none() {
                map.serialize_entry(#k, #v)?;
            }
        });
    }
    for (f, def) in &fields {
        let ty = f.rust_ty(reg, &m)?;
        let fid = &f.ident;
        let json = &f.json;
        let fd = doc(f.doc.as_deref().unwrap_or(json));
        decls.extend(quote!(#fd pub #fid: #ty,));
        let flag = quote::format_ident!("seen_{}", fid.to_string().trim_start_matches("r#"));
        match f.slot {
            Slot::Required => {
                required_flags.extend(quote!(let mut #flag = false;));
                arms.extend(quote! {
                    #json => #flag = crate::de::keep_req(&mut map, key, &mut out.#fid, &mut out.extra)?,
                });
                required_checks.extend(quote! {
                    if !#flag {
                        missing.push(#json);
                    }
                });
                writes.extend(quote!(map.serialize_entry(#json, &self.#fid)?;));
                set_arms.extend(quote!(#json => true,));
            }
            Slot::Optional => {
                arms.extend(quote! {
                    #json => crate::de::keep_opt(&mut map, key, &mut out.#fid, &mut out.extra)?,
                });
                writes.extend(quote! {
                    if let Some(v) = &self.#fid {
                        map.serialize_entry(#json, v)?;
                    }
                });
                set_arms.extend(quote!(#json => self.#fid.is_some(),));
            }
            Slot::List => {
                let required = def.required;
                if required {
                    required_flags.extend(quote!(let mut #flag = false;));
                    arms.extend(quote! {
                        #json => #flag = crate::de::list(&mut map, key, &mut out.#fid, &mut out.extra, true)?,
                    });
                    required_checks.extend(quote! {
                        if !#flag {
                            missing.push(#json);
                        }
                    });
                } else {
                    arms.extend(quote! {
                        #json => {
                            crate::de::list(&mut map, key, &mut out.#fid, &mut out.extra, false)?;
                        }
                    });
                }
                if required {
                    writes.extend(quote!(map.serialize_entry(#json, &self.#fid)?;));
                    set_arms.extend(quote!(#json => true,));
                } else {
                    writes.extend(quote! {
                        if !self.#fid.is_empty() {
                            map.serialize_entry(#json, &self.#fid)?;
                        }
                    });
                    set_arms.extend(quote!(#json => !self.#fid.is_empty(),));
                }
            }
        }
        checks.extend(field_checks(reg, f, def)?);
    }
    let expecting = format!("a Block Kit `{name}` object");
    let tag_key = match tag {
        Some((k, _)) => quote!(Some(#k)),
        None => quote!(None),
    };
    let missing = if required_checks.is_empty() {
        quote!(let missing = crate::de::Missing::new();)
    } else {
        quote! {
            let mut missing = crate::de::Missing::new();
            #required_checks
            #tag_check
        }
    };
    // Only required fields can fail a decode; an object holding one keeps
    // itself raw when it fails, so no failure reaches the object around it.
    let keep_field = if o.fields.iter().any(|f| f.required) {
        quote! {
            fn keep_field<'de, D>(d: D) -> Result<crate::de::Kept<Self>, D::Error>
            where
                D: serde::Deserializer<'de>,
                Self: serde::Deserialize<'de>,
            {
                crate::de::object_keep(d, #name)
            }
        }
    } else {
        TokenStream::new()
    };
    let check_body = if checks.is_empty() {
        quote!(let _ = (at, out);)
    } else {
        checks
    };
    Ok(quote! {
        #d
        #[derive(Debug, Clone, Default, PartialEq)]
        #[non_exhaustive]
        pub struct #id {
            #decls
            /// Keys this version of the spec does not know, and values of an
            /// unexpected shape, written back as they came.
            pub extra: crate::kit::Extra,
        }

        impl<'de> serde::Deserialize<'de> for #id {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Visitor;
                impl<'de> serde::de::Visitor<'de> for Visitor {
                    type Value = #id;
                    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                        f.write_str(#expecting)
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<#id, A::Error> {
                        let (out, missing) = <#id as crate::de::KitObject>::decode_map(map)?;
                        if !missing.is_empty() {
                            return Err(crate::de::incomplete(&missing, &out.extra));
                        }
                        Ok(out)
                    }
                }
                deserializer.deserialize_map(Visitor)
            }
        }

        impl crate::de::KitObject for #id {
            const EXACT: bool = #exact;
            const TAG: Option<&'static str> = #tag_key;

            fn decode_map<'de, A: serde::de::MapAccess<'de>>(mut map: A) -> Result<(Self, crate::de::Missing), A::Error> {
                let mut out = Self::default();
                #required_flags
                while let Some(key) = map.next_key::<crate::de::Key<'de>>()? {
                    match key.as_str() {
                        #arms
                        _ => crate::de::unknown(&mut map, key, &mut out.extra)?,
                    }
                }
                #missing
                Ok((out, missing))
            }

            fn extra(&self) -> &crate::kit::Extra {
                &self.extra
            }
        }

        impl serde::Serialize for #id {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap as _;
                let mut map = serializer.serialize_map(None)?;
                #writes
                self.extra.write(&mut map, |k| match k {
                    #set_arms
                    _ => false,
                })?;
                map.end()
            }
        }

        impl crate::de::Lenient for #id {
            const SHAPE: crate::de::Shape = crate::de::Shape::Object;
            #keep_field
        }

        impl crate::kit::Check for #id {
            fn check(&self, at: &crate::kit::Path<'_>, out: &mut Vec<crate::kit::LimitError>) {
                #check_body
            }
        }
    })
}

/// The limit checks of one field, then the checks of the Block Kit values
/// it holds.
fn field_checks(reg: &Registry<'_>, f: &Field, def: &FieldDef) -> Result<TokenStream, Error> {
    let fid = &f.ident;
    let json = &f.json;
    let mut out = TokenStream::new();
    if let Some(max) = def.max_length {
        let max = max as usize;
        if matches!(f.ty, Ty::Array(_) | Ty::Map(_)) {
            return Err(Error::new(format!("{json}: `max_length` on a list")));
        }
        out.extend(match f.slot {
            Slot::Optional => quote! {
                if let Some(v) = &self.#fid {
                    crate::kit::check_length(at, #json, v, #max, out);
                }
            },
            _ => quote!(crate::kit::check_length(at, #json, &self.#fid, #max, out);),
        });
    }
    if def.min_items.is_some() || def.max_items.is_some() {
        if f.slot != Slot::List {
            return Err(Error::new(format!(
                "{json}: `min_items` / `max_items` on a field that is not a list"
            )));
        }
        let bound = |b: Option<u32>| match b {
            Some(n) => {
                let n = n as usize;
                quote!(Some(#n))
            }
            None => quote!(None),
        };
        let (min, max) = (bound(def.min_items), bound(def.max_items));
        let required = def.required;
        out.extend(quote! {
            crate::kit::check_items(at, #json, &self.#fid, [#min, #max], #required, out);
        });
    }
    let mut inner = &f.ty;
    while let Ty::Array(t) | Ty::Map(t) = inner {
        inner = t;
    }
    if let Ty::Named(n) = inner {
        // Response types a Block Kit type holds carry no limits.
        let (m, def) = reg.resolve(&Module::BlockKit, n)?;
        if m == Module::BlockKit && !matches!(def, Def::Enum) {
            out.extend(quote!(crate::kit::Check::check(&self.#fid, &at.key(#json), out);));
        }
    }
    Ok(out)
}
