//! `mod.rs`, `error_code.rs` and `spec_table.rs`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::doc;
use crate::ir::{Family, Http, Ir, Method, PageStyle, Tier, TokenKind, Wire};
use crate::items::string_enum;
use crate::names::{camel, ident, screaming};

/// `mod.rs`: the module tree, one feature-gated module per family.
pub(crate) fn mod_rs(ir: &Ir) -> TokenStream {
    let fams = ir.families.iter().map(|f| {
        let name = &f.name;
        let id = ident(name);
        let d = f.doc.as_deref().map(str::trim).filter(|d| !d.is_empty());
        let ns = &f.namespace;
        let d = doc(&match d {
            Some(d) => format!("`{ns}.*` methods: {d}"),
            None => format!("`{ns}.*` methods."),
        });
        quote! {
            #d
            #[cfg(feature = #name)]
            pub mod #id;
        }
    });
    let kit_doc = doc(ir
        .block_kit_doc
        .as_deref()
        .unwrap_or("Block Kit: blocks, elements, views and attachments, sent and received."));
    quote! {
        /// Shared objects: messages, conversations, users, files and more.
        pub mod types;
        #kit_doc
        pub mod block_kit;
        /// Events Slack pushes over RTM and the Events API.
        #[cfg(feature = "events")]
        pub mod events;
        /// The error codes methods return.
        pub(crate) mod error_code;
        /// The method table and typed decoding of any method's response.
        pub(crate) mod spec_table;
        #(#fams)*
    }
}

/// `error_code.rs`: one `ErrorCode` enum for every code.
pub(crate) fn error_code_rs(ir: &Ir) -> TokenStream {
    string_enum(&ir.error_code)
}

/// Every method with its family, sorted by name.
fn methods(ir: &Ir) -> Vec<(&Family, &Method)> {
    let mut v: Vec<(&Family, &Method)> = ir
        .families
        .iter()
        .flat_map(|f| f.methods.iter().map(move |m| (f, m)))
        .collect();
    v.sort_by(|a, b| a.1.name.cmp(&b.1.name));
    v
}

fn strs(v: &[String]) -> TokenStream {
    quote!(&[#(#v),*])
}

fn method_spec(fam: &str, m: &Method) -> TokenStream {
    let name = &m.name;
    let http = match m.http {
        Http::Get => quote!(Get),
        Http::Post => quote!(Post),
    };
    let json = m.json_body;
    let tokens = m.tokens.iter().map(|t| match t {
        TokenKind::Bot => quote!(crate::spec::TokenKind::Bot),
        TokenKind::User => quote!(crate::spec::TokenKind::User),
        TokenKind::App => quote!(crate::spec::TokenKind::App),
        TokenKind::None => quote!(crate::spec::TokenKind::None),
    });
    let bot = strs(&m.scopes.bot);
    let user = strs(&m.scopes.user);
    let tier = match m.tier {
        None => quote!(None),
        Some(t) => {
            let v = match t {
                Tier::Tier1 => quote!(Tier1),
                Tier::Tier2 => quote!(Tier2),
                Tier::Tier3 => quote!(Tier3),
                Tier::Tier4 => quote!(Tier4),
                Tier::Special => quote!(Special),
            };
            quote!(Some(crate::spec::RateTier::#v))
        }
    };
    let retry = m.retry_safe;
    let deprecated = m.deprecated.is_some();
    let replacement = match m.deprecated.as_ref().and_then(Option::as_ref) {
        Some(r) => quote!(Some(#r)),
        None => quote!(None),
    };
    let args = m.args.iter().map(|a| {
        let n = &a.json;
        let k = match a.wire {
            Wire::String => quote!(String),
            Wire::Integer => quote!(Integer),
            Wire::Number => quote!(Number),
            Wire::Boolean => quote!(Boolean),
            Wire::List => quote!(List),
            Wire::Json => quote!(Json),
        };
        let r = a.required;
        quote!(crate::spec::ArgSpec { name: #n, kind: crate::spec::ArgKind::#k, required: #r })
    });
    let errors = strs(&m.errors);
    let pagination = match &m.pagination {
        None => quote!(None),
        Some(p) => {
            let i = &p.items;
            let l = match &p.limit {
                Some(l) => quote!(Some(#l)),
                None => quote!(None),
            };
            let style = match &p.style {
                PageStyle::Cursor { arg, .. } => {
                    quote!(crate::spec::PageStyle::Cursor { arg: #arg })
                }
                PageStyle::Number { arg, paging, .. } => {
                    quote!(crate::spec::PageStyle::Number { arg: #arg, paging_field: #paging })
                }
            };
            quote!(Some(crate::spec::Pagination { style: #style, limit_arg: #l, items_field: #i }))
        }
    };
    quote! {
        crate::spec::MethodSpec {
            name: #name,
            family: #fam,
            http: crate::spec::HttpVerb::#http,
            json_body: #json,
            tokens: &[#(#tokens),*],
            bot_scopes: #bot,
            user_scopes: #user,
            tier: #tier,
            retry_safe: #retry,
            deprecated: #deprecated,
            replacement: #replacement,
            args: &[#(#args),*],
            errors: #errors,
            pagination: #pagination,
        }
    }
}

/// `spec_table.rs`: one static per method, `METHODS`, `Response` and `decode_response`.
pub(crate) fn spec_table_rs(ir: &Ir) -> TokenStream {
    let ms = methods(ir);
    let mut statics = TokenStream::new();
    let mut refs = Vec::new();
    let mut variants = TokenStream::new();
    let mut arms = TokenStream::new();
    let root = ir.mount.path();
    for (fam, m) in &ms {
        let fam = fam.name.as_str();
        let stat = format_ident!("{}", screaming(&m.name));
        let value = method_spec(fam, m);
        let name = &m.name;
        let sd = doc(&format!("`{name}`."));
        statics.extend(quote! { #sd pub(crate) static #stat: crate::spec::MethodSpec = #value; });
        refs.push(quote!(&#stat));
        let var = format_ident!("{}", camel(name));
        let fam_id = ident(fam);
        let resp = format_ident!("{}Response", m.base);
        let vd = doc(&format!("The response of `{name}`."));
        variants.extend(quote! {
            #vd
            #[cfg(feature = #fam)]
            #var(#root::#fam_id::#resp),
        });
        arms.extend(quote! {
            #[cfg(feature = #fam)]
            #name => crate::de::from_slice::<#root::#fam_id::#resp>(body).map(Response::#var),
        });
    }
    let fams: Vec<&str> = ir.families.iter().map(|f| f.name.as_str()).collect();
    quote! {
        #statics

        /// Every method of the spec, whatever the enabled features, sorted by name.
        pub static METHODS: &[&crate::spec::MethodSpec] = &[#(#refs),*];

        /// Any method's successful response, typed (methods of enabled features only).
        // Made once per `decode_response` call and matched at once: a box per
        // variant would add an allocation to every call for no saving.
        #[allow(clippy::large_enum_variant)]
        #[derive(Debug, Clone, PartialEq)]
        #[non_exhaustive]
        pub enum Response {
            #variants
        }

        /// Decodes a response body of `method` into its typed form.
        ///
        /// The `ok`/`error` envelope is not checked: a body with `ok: false` next to
        /// success fields still decodes. Fails with the JSON path of the first field
        /// that does not decode, or when `method` is unknown (or its feature is off).
        // With every family feature off, no arm reads `body`.
        #[cfg_attr(not(any(#(feature = #fams),*)), allow(unused_variables))]
        pub fn decode_response(method: &str, body: &[u8]) -> Result<Response, crate::de::DecodeError> {
            match method {
                #arms
                // A method Slack has, in a family this build leaves out,
                // says which feature to enable.
                _ => Err(match METHODS.iter().find(|m| m.name == method) {
                    Some(m) => crate::de::DecodeError::family_off(method, m.family),
                    None => crate::de::DecodeError::unknown_method(method),
                }),
            }
        }
    }
}
