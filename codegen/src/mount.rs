//! Where the generated modules are mounted in the crate that compiles them.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use crate::Error;

/// The module path of the generated modules: `crate::generated` in
/// `slack-api`; the generator cases mount theirs elsewhere so each case
/// compiles beside the real output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mount {
    segments: Vec<String>,
}

impl Default for Mount {
    /// `crate::generated`, where `slack-api` declares them.
    fn default() -> Self {
        Mount {
            segments: vec!["crate".into(), "generated".into()],
        }
    }
}

impl Mount {
    /// A mount at `path`, a `crate::`-rooted module path.
    pub fn at(path: &str) -> Result<Mount, Error> {
        let segments: Vec<String> = path.split("::").map(str::to_owned).collect();
        let plain = |s: &String| crate::names::is_ident(s) && s != "crate";
        if segments.first().map(String::as_str) != Some("crate") || !segments[1..].iter().all(plain)
        {
            return Err(Error::new(format!(
                "mount {path:?} is not a `crate::` module path"
            )));
        }
        Ok(Mount { segments })
    }

    /// The path as tokens.
    pub(crate) fn path(&self) -> TokenStream {
        let segs = self
            .segments
            .iter()
            .map(|s| Ident::new(s, Span::call_site()));
        quote!(#(#segs)::*)
    }
}
