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

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Field, Ir, ItemKind, Module, Object, Slot};
use crate::items::{string_enum, tagged_union};
use crate::{Error, doc};

/// The module: every Block Kit object, enum and union, sorted by name.
pub(crate) fn block_kit_rs(ir: &Ir) -> Result<TokenStream, Error> {
    let m = Module::BlockKit;
    let mut items = Vec::new();
    for item in ir.items_in(&m) {
        items.push(match &item.kind {
            ItemKind::Object(o) => object(o),
            ItemKind::Enum(e) => {
                let ts = string_enum(e);
                let id = crate::names::ident(&e.name);
                quote! {
                    #ts
                    impl crate::kit::Check for #id {
                        fn check(&self, _: &crate::kit::Path<'_>, _: &mut Vec<crate::kit::LimitError>) {}
                    }
                }
            }
            ItemKind::TaggedUnion(u) => tagged_union(&m, u)
                .map_err(|e| e.context(format!("spec/block_kit.json: {}", item.name)))?,
            ItemKind::ShapeUnion(_) => {
                return Err(Error::new(format!(
                    "spec/block_kit.json: {}: Block Kit unions are tagged",
                    item.name
                )));
            }
        });
    }
    Ok(quote! {
        pub use crate::kit::{Check, Extra, LimitError, MessageContent, Path};
        #(#items)*
    })
}

/// One Block Kit object: the struct, its visitor, `Serialize` and `Check`.
fn object(o: &Object) -> TokenStream {
    let m = Module::BlockKit;
    let name = &o.name;
    let id = crate::names::ident(name);
    let d = doc(o.doc.as_deref().unwrap_or(name));
    let exact = o.exact;

    let mut decls = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut writes = TokenStream::new();
    let mut set_arms = TokenStream::new();
    let mut checks = TokenStream::new();
    let mut required_flags = TokenStream::new();
    let mut required_checks = TokenStream::new();
    let mut tag_check = TokenStream::new();
    if let Some((k, v)) = &o.tag {
        if o.has_required() {
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
    for f in &o.fields {
        let ty = f.rust_ty(&m);
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
                let required = f.required;
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
        checks.extend(field_checks(f));
    }
    let expecting = format!("a Block Kit `{name}` object");
    let tag_key = match &o.tag {
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
    let keep_field = if o.has_required() {
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
    quote! {
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
    }
}

/// The limit checks of one field, then the checks of the Block Kit values
/// it holds.
fn field_checks(f: &Field) -> TokenStream {
    let fid = &f.ident;
    let json = &f.json;
    let mut out = TokenStream::new();
    if let Some(max) = f.limits.max_length {
        out.extend(match f.slot {
            Slot::Optional => quote! {
                if let Some(v) = &self.#fid {
                    crate::kit::check_length(at, #json, v, #max, out);
                }
            },
            _ => quote!(crate::kit::check_length(at, #json, &self.#fid, #max, out);),
        });
    }
    if f.limits.min_items.is_some() || f.limits.max_items.is_some() {
        let bound = |b: Option<usize>| match b {
            Some(n) => quote!(Some(#n)),
            None => quote!(None),
        };
        let (min, max) = (bound(f.limits.min_items), bound(f.limits.max_items));
        let required = f.required;
        out.extend(quote! {
            crate::kit::check_items(at, #json, &self.#fid, [#min, #max], #required, out);
        });
    }
    if f.checked {
        out.extend(quote!(crate::kit::Check::check(&self.#fid, &at.key(#json), out);));
    }
    out
}
