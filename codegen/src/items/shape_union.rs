//! Unions told apart by JSON shape.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_or;
use crate::ir::{Module, Shape, ShapeUnion, Type};

/// A union told apart by JSON shape, decoded through one visitor.
pub(super) fn shape_union(scope: &Module, u: &ShapeUnion) -> TokenStream {
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
