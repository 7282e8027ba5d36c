//! Objects, string enums, shape unions and tagged unions.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::ir::{
    Directions, Enum, Field, Ir, ItemKind, Module, Object, Payload, Shape, ShapeUnion, Slot,
    TaggedUnion, Type,
};
use crate::{Error, doc};

/// `types.rs`: the shared objects, with the ID newtypes re-exported.
///
/// A shared item that some family or `events` reaches compiles only when one
/// of those features is on (`#[cfg(any(feature = ..))]`), so a family that is
/// off costs nothing; items nothing reaches stay ungated.
pub(crate) fn types_rs(ir: &Ir) -> Result<TokenStream, Error> {
    let items = type_defs(ir, &Module::Types)?;
    Ok(quote! {
        pub use crate::ids::*;
        #items
    })
}

/// `#[cfg(any(feature = "a", ...))]` on every item of `ts`.
fn gate(
    ts: TokenStream,
    features: &std::collections::BTreeSet<String>,
) -> Result<TokenStream, Error> {
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
pub(crate) fn events_rs(ir: &Ir) -> Result<TokenStream, Error> {
    type_defs(ir, &Module::Events)
}

/// Every object, enum and union of one module, sorted by name, each gated
/// on the features that reach it.
pub(crate) fn type_defs(ir: &Ir, m: &Module) -> Result<TokenStream, Error> {
    let mut out = TokenStream::new();
    for item in ir.items_in(m) {
        let ctx = |e: Error| e.context(format!("{}: {}", m.spec_file(), item.name));
        let ts = match &item.kind {
            ItemKind::Object(o) => object(m, o),
            ItemKind::Enum(e) => string_enum(e),
            ItemKind::ShapeUnion(u) => shape_union(m, u),
            ItemKind::TaggedUnion(u) => tagged_union(m, u).map_err(ctx)?,
        };
        if item.features.is_empty() {
            out.extend(ts);
        } else {
            out.extend(gate(ts, &item.features).map_err(ctx)?);
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

/// The field declaration; `serialized` adds the attributes that leave
/// absent values out when writing (decoding is [`decode_arm`]).
fn field_tokens(f: &Field, scope: &Module, serialized: bool) -> TokenStream {
    let ty = f.rust_ty(scope);
    let id = &f.ident;
    let json = &f.json;
    let attr = if serialized {
        // serde derives the key from the identifier without `r#`.
        let rename = if id.to_string().trim_start_matches("r#") != json {
            quote!(rename = #json,)
        } else {
            quote!()
        };
        match f.slot {
            Slot::Required => quote!(#[serde(#rename)]),
            Slot::Optional => quote!(#[serde(#rename skip_serializing_if = "Option::is_none")]),
            Slot::List => quote!(#[serde(#rename skip_serializing_if = "Vec::is_empty")]),
        }
    } else {
        TokenStream::new()
    };
    let d = doc_or(f.doc.as_deref(), || format!("`{json}`."));
    quote! { #d #attr pub #id: #ty, }
}

/// The field's arm in its struct's `crate::de::Object::field`: the
/// field's index `i` is what duplicates and missing fields are found by.
fn decode_arm(f: &Field, i: usize) -> TokenStream {
    let id = &f.ident;
    let json = &f.json;
    let func = match f.slot {
        Slot::Required => quote!(req_field),
        Slot::Optional => quote!(opt_field),
        Slot::List => quote!(vec_field),
    };
    let i = proc_macro2::Literal::usize_unsuffixed(i);
    quote! { #json => crate::de::#func(map, seen, #i, #json, &mut self.#id), }
}

/// A `#[non_exhaustive]` struct deserialized field by field.
pub(crate) fn object(scope: &Module, o: &Object) -> TokenStream {
    let name = &o.name;
    let id = crate::names::ident(name);
    let d = doc_or(o.doc.as_deref(), || format!("The `{name}` object."));
    let mut fs = TokenStream::new();
    let mut arms = TokenStream::new();
    let mut required = Vec::new();
    let serialized = o.directions == Directions::Both;
    for (i, f) in o.fields.iter().enumerate() {
        fs.extend(field_tokens(f, scope, serialized));
        arms.extend(decode_arm(f, i));
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
    quote! {
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
    }
}

/// A string enum with an `Unknown(String)` fallback (also used for `ErrorCode`).
pub(crate) fn string_enum(e: &Enum) -> TokenStream {
    let name = &e.name;
    let id = crate::names::ident(name);
    let d = doc_or(e.doc.as_deref(), || format!("The `{name}` values."));
    let vs: Vec<&Ident> = e.values.iter().map(|(_, v)| v).collect();
    let strs: Vec<&String> = e.values.iter().map(|(s, _)| s).collect();
    let vdocs: Vec<TokenStream> = strs.iter().map(|s| doc(&format!("`{s}`"))).collect();
    let expecting = format!("a {name} string");
    quote! {
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
    }
}

/// A union told apart by JSON shape, decoded through one visitor.
fn shape_union(scope: &Module, u: &ShapeUnion) -> TokenStream {
    let name = &u.name;
    let id = crate::names::ident(name);
    let d = doc_or(u.doc.as_deref(), || format!("The `{name}` union."));
    let mut variants = TokenStream::new();
    for v in &u.variants {
        let vid = &v.ident;
        let rt = v.ty.in_module(scope);
        let vd = doc_or(v.doc.as_deref(), || format!("Sent as `{}`.", v.spec_ty));
        // Objects are boxed, as in tagged unions: the union stays small.
        let held = if v.boxed { quote!(Box<#rt>) } else { rt };
        variants.extend(quote!(#vd #vid(#held),));
    }
    let mut by_shape: Vec<_> = u.variants.iter().collect();
    by_shape.sort_by_key(|v| v.shape);
    let has_int = u.variants.iter().any(|v| v.shape == Shape::Int);
    let first = &u.variants[0].ident;
    let mut visits = TokenStream::new();
    let mut expecting = Vec::new();
    for v in by_shape {
        let vid = &v.ident;
        let rt = v.ty.in_module(scope);
        match v.shape {
            Shape::Str if v.ty == Type::String => {
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
            Shape::Str => {
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
            Shape::Int => {
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
            Shape::Float => {
                expecting.push("a number");
                visits.extend(quote! {
                    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<#id, E> {
                        Ok(#id::#vid(v))
                    }
                });
                if !has_int {
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
            Shape::Bool => {
                expecting.push("a boolean");
                visits.extend(quote! {
                    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<#id, E> {
                        Ok(#id::#vid(v))
                    }
                });
            }
            Shape::Seq => {
                expecting.push("an array");
                visits.extend(quote! {
                    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<#id, A::Error> {
                        serde::Deserialize::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(#id::#vid)
                    }
                });
            }
            Shape::Map => {
                expecting.push("an object");
                let body = if v.tagged {
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
    quote! {
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
    }
}

/// A union dispatching on a tag field, decoded with a borrowed tag read.
///
/// A Block Kit union (`kit`) also serializes, checks its variants' limits,
/// and keeps a known variant whose object does not decode as `Unknown`
/// instead of failing: a block Slack changed must not lose the message.
pub(crate) fn tagged_union(scope: &Module, u: &TaggedUnion) -> Result<TokenStream, Error> {
    let name = &u.name;
    let id = crate::names::ident(name);
    let tag = &u.tag;
    let kit = u.kit;
    let d = doc_or(u.doc.as_deref(), || {
        format!("The `{name}` union, by `{tag}`.")
    });
    let keys = &u.keys;
    let tag_vars: Vec<Ident> = (0..keys.len()).map(|i| format_ident!("t{i}")).collect();
    let key_count = proc_macro2::Literal::usize_unsuffixed(keys.len());
    let mut variants = TokenStream::new();
    let mut arms = TokenStream::new();
    // Block Kit: the variant of each tag, from the rest of an opened map.
    let mut map_arms = TokenStream::new();
    // Tag values whose variant is itself a union, which needs more tags read.
    let mut nested_tags = Vec::new();
    // What a tag the scan did not look for decodes as (`Tag::Unseen`): the
    // `missing` variant on a guess, checked by its own tag field; without
    // one, the union scans for its tag itself.
    let mut unseen = quote!(return Self::from_json(s));
    // The `likely` variant, tried before the scan.
    let mut likely = TokenStream::new();
    for v in &u.variants {
        let vid = &v.ident;
        let rt = Type::Named(v.ty.clone()).in_module(scope);
        // Objects are boxed so the union stays small: one variant with many
        // fields would otherwise make every value, and every move, that big.
        // Nested unions are small themselves and stay inline, so a pattern
        // like `Event::Message(MessageEvent::Plain(m))` still matches.
        let (held, decode) = match &v.payload {
            Payload::Object { .. } if kit => {
                let Some(t) = &v.tag else {
                    return Err(Error::new(format!(
                        "Block Kit variant {} has no tag",
                        v.name
                    )));
                };
                (
                    quote!(Box<#rt>),
                    quote!(match crate::de::from_str::<#rt>(s) {
                        Ok(v) => Ok(Self::#vid(Box::new(v))),
                        Err(e) => crate::de::unreadable(#name, #t, &e, s).map(Self::Unknown),
                    }),
                )
            }
            Payload::Object { .. } => (
                quote!(Box<#rt>),
                quote!(crate::de::from_str::<#rt>(s).map(|v| Self::#vid(Box::new(v)))),
            ),
            Payload::Union { passed } => {
                nested_tags.extend(v.tag.clone());
                let passed = passed.iter().map(|&i| &tag_vars[i]);
                (
                    rt.clone(),
                    quote!(<#rt>::dispatch(s, [#(#passed),*]).map(Self::#vid)),
                )
            }
        };
        if v.missing
            && let Some(f) = &v.guess_field
        {
            unseen = quote! {
                if let Some(v) = crate::de::guess::<#rt>(s, |v| matches!(v.#f.as_deref(), None | Some(""))) {
                    return Ok(Self::#vid(Box::new(v)));
                }
                return Self::from_json(s);
            };
        }
        if v.likely {
            let (Some(f), Some(t)) = (&v.guess_field, &v.tag) else {
                return Err(Error::new(format!(
                    "likely variant {} has no tag field",
                    v.name
                )));
            };
            likely = quote! {
                if let Some(v) = crate::de::likely::<#rt>(s, #tag, #t, |v| v.#f.as_deref()) {
                    return Ok(Self::#vid(Box::new(v)));
                }
            };
        }
        let vd = match &v.tag {
            Some(t) => format!("`{tag}: \"{t}\"`"),
            None => format!("No `{tag}` field"),
        };
        let vd = match &v.doc {
            Some(t) => format!("{vd}: {t}"),
            None => format!("{vd}."),
        };
        let vd = doc(&vd);
        variants.extend(quote!(#vd #vid(#held),));
        if let (true, Some(t)) = (kit, &v.tag) {
            map_arms.extend(match v.payload {
                Payload::Object { exact: true } => quote! {
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
            arms.extend(quote!(Some(#t) => #decode,));
        }
        if v.missing {
            arms.extend(quote!(None | Some("") => #decode,));
        }
    }
    let needs_rest = if nested_tags.is_empty() {
        quote!(|_| false)
    } else {
        quote!(|t| matches!(t, #(#nested_tags)|*))
    };
    let mut methods = TokenStream::new();
    for (mname, reads) in &u.accessors {
        let Some(a) = reads.first() else { continue };
        let m = &a.ident;
        let ret = a.returns.tokens();
        let plain = mname.trim_start_matches("r#");
        let ad = doc(&match &a.doc {
            Some(t) => format!("`{plain}` of any known variant: {t}"),
            None => format!("`{plain}` of any known variant."),
        });
        // Each variant reads it its own way (a field, boxed or not, or a
        // nested union's accessor).
        let arms: Vec<TokenStream> = u
            .variants
            .iter()
            .zip(reads)
            .map(|(v, r)| {
                let vid = &v.ident;
                let expr = r.expr();
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
    let kit_impls = if kit {
        let vids: Vec<&Ident> = u.variants.iter().map(|v| &v.ident).collect();
        let mut froms = TokenStream::new();
        for v in &u.variants {
            if let Payload::Object { .. } = v.payload {
                let rt = Type::Named(v.ty.clone()).in_module(scope);
                let vid = &v.ident;
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
    let (deserialize, decode_field, keep_field) = if kit {
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
