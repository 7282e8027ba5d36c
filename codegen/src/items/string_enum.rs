//! String enums, with an `Unknown(String)` fallback.

use proc_macro2::{Ident, TokenStream};
use quote::quote;

use super::doc_or;
use crate::doc;
use crate::ir::Enum;

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
