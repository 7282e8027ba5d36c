//! Unions dispatching on a tag field, response and Block Kit alike.

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use super::doc_or;
use crate::ir::{Module, Payload, TaggedUnion, Type};
use crate::{Error, doc};

/// How many tags one object of a union outside Block Kit may carry
/// (`crate::de::stream::MAX_TAGS`).
const MAX_TAGS: usize = 4;

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
    // Outside Block Kit: the variant of each tag, from the rest of an opened
    // map (`crate::de::stream`), and what an absent nested tag decodes as.
    let mut stream_arms = TokenStream::new();
    let mut untagged = TokenStream::new();
    if !kit && keys.len() > MAX_TAGS {
        return Err(Error::new(format!(
            "{name}: tagged unions nest at most {MAX_TAGS} deep (crate::de::stream::MAX_TAGS)"
        )));
    }
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
            // Decoded in place in its box: by value, a struct of kilobytes
            // would be copied at every layer on its way there.
            Payload::Object { .. } => (
                quote!(Box<#rt>),
                quote!(crate::de::from_str::<crate::de::Boxed<#rt>>(s).map(|v| Self::#vid(v.0))),
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
        if !kit {
            let decode = match &v.payload {
                Payload::Union { .. } => {
                    quote!(Self::#vid(crate::de::nested::<A, #rt>(read, map)?))
                }
                Payload::Object { .. } => quote!(Self::#vid(crate::de::rest::<A, #rt>(read, map)?)),
            };
            if let Some(t) = &v.tag {
                stream_arms.extend(quote!(#t => #decode,));
            }
            if v.missing {
                stream_arms.extend(quote!("" => #decode,));
            }
        }
        if !kit
            && v.missing
            && let (Some(f), Payload::Object { .. }) = (&v.guess_field, &v.payload)
        {
            untagged = quote! {
                fn untagged<'de, A: serde::de::MapAccess<'de>>(
                    read: crate::de::Read<'de>,
                    map: A,
                ) -> Result<Self, A::Error> {
                    Ok(match crate::de::guess_rest::<A, Self, #rt>(read, map, |v| matches!(v.#f.as_deref(), None | Some("")))? {
                        Ok(v) => Self::#vid(v),
                        Err(u) => u,
                    })
                }
            };
        }
        if v.missing
            && let Some(f) = &v.guess_field
        {
            unseen = quote! {
                if let Some(v) = crate::de::guess::<crate::de::Boxed<#rt>>(s, |v| matches!(v.0.#f.as_deref(), None | Some(""))) {
                    return Ok(Self::#vid(v.0));
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
                if let Some(v) = crate::de::likely::<crate::de::Boxed<#rt>>(s, #tag, #t, |v| v.0.#f.as_deref()) {
                    return Ok(Self::#vid(v.0));
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
        quote! {
            impl crate::de::Tagged for #id {
                const TAG: &'static str = #tag;

                fn from_json(s: &str) -> Result<Self, crate::de::DecodeError> {
                    Self::from_json(s)
                }

                fn unknown(raw: serde_json::Value) -> Self {
                    Self::Unknown(raw)
                }

                fn variant<'de, A: serde::de::MapAccess<'de>>(
                    read: crate::de::Read<'de>,
                    tag: &str,
                    map: A,
                ) -> Result<Self, A::Error> {
                    Ok(match tag {
                        #stream_arms
                        _ => return crate::de::rest_unknown(read, map),
                    })
                }

                #untagged
            }
        }
    };
    // A Block Kit union decodes from the running parser (`crate::de::direct`).
    let (deserialize, decode_field, keep_field) = if kit {
        (
            quote!(crate::de::union_deserialize(deserializer)),
            quote!(crate::de::kit_union_field(d, required)),
            quote! {
                #[inline]
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
            // From the running parser when it can (`crate::de::stream`).
            quote!(crate::de::tagged_field(d, required)),
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
