//! Response and event objects: a struct decoded field by field through
//! `crate::de::Object`.

use proc_macro2::TokenStream;
use quote::quote;

use super::doc_or;
use crate::ir::{Directions, Field, Module, Object, Slot};

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
    // Held boxed somewhere: decoded straight into the box, not moved there.
    let decode_boxed = if o.held_boxed {
        quote! {
            fn decode_boxed<'de, D: serde::Deserializer<'de>>(
                d: D,
                required: bool,
            ) -> Result<Option<Box<Self>>, D::Error> {
                crate::de::object_boxed(d, required)
            }
        }
    } else {
        TokenStream::new()
    };
    // Set from the tags read when decoded as a union variant (`de::stream`).
    let tag_slot = if o.tag_slots.is_empty() {
        TokenStream::new()
    } else {
        let arms = o.tag_slots.iter().map(|&i| {
            let f = &o.fields[i];
            let (id, json) = (&f.ident, &f.json);
            let i = proc_macro2::Literal::usize_unsuffixed(i);
            quote!(#json => Some((#i, &mut self.#id)),)
        });
        quote! {
            fn tag_slot(&mut self, key: &str) -> Option<(usize, &mut Option<String>)> {
                match key {
                    #(#arms)*
                    _ => None,
                }
            }
        }
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

            #tag_slot
        }

        impl crate::de::Lenient for #id {
            const SHAPE: crate::de::Shape = crate::de::Shape::Object;
            #decode_boxed
        }
    }
}
