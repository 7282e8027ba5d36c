//! Objects, string enums, shape unions and tagged unions, one module each,
//! and the feature gates of `types.rs`.

mod object;
mod shape_union;
mod string_enum;
mod tagged_union;

use proc_macro2::TokenStream;
use quote::quote;

use crate::ir::{Ir, ItemKind, Module};
use crate::{Error, doc};
pub(crate) use object::object;
use shape_union::shape_union;
pub(crate) use string_enum::string_enum;
pub(crate) use tagged_union::tagged_union;

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
