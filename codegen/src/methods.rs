//! One family module: handle, request builders, responses, pagination.

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ir::{
    Arg, Family, Ir, Method, Module, PageStyle, Pagination, Scalar, Slot, Step, Tier, Type,
};
use crate::items::{object, type_defs};
use crate::names::{camel, ident, screaming};
use crate::{Error, doc};

/// `x` (of a scalar type) as a `String`.
fn to_string(s: Scalar, x: TokenStream) -> TokenStream {
    match s {
        Scalar::Str => x,
        Scalar::Secret => quote!(#x.expose().to_owned()),
        Scalar::Id => quote!(String::from(#x)),
        Scalar::Enum => quote!(#x.as_str().to_owned()),
        Scalar::Int | Scalar::Float | Scalar::Bool | Scalar::Json | Scalar::Kit => {
            quote!(#x.to_string())
        }
    }
}

/// `x` (of a scalar type) as a `serde_json::Value`.
fn to_value(s: Scalar, x: TokenStream) -> TokenStream {
    match s {
        Scalar::Json => x,
        Scalar::Int | Scalar::Float | Scalar::Bool => quote!(serde_json::Value::from(#x)),
        s => {
            let st = to_string(s, x);
            quote!(serde_json::Value::String(#st))
        }
    }
}

/// Parameter type of the constructor or setter, and how to store it
/// (`None`: as it is).
fn param(a: &Arg, scope: &Module) -> (TokenStream, Option<TokenStream>) {
    let id = &a.ident;
    match &a.ty {
        Type::String => (quote!(impl Into<String>), Some(quote!(#id.into()))),
        Type::Secret => (quote!(impl Into<crate::Secret>), Some(quote!(#id.into()))),
        Type::Id(_) => {
            let t = a.ty.in_module(scope);
            (quote!(impl Into<#t>), Some(quote!(#id.into())))
        }
        Type::List(t) => {
            let t = t.in_module(scope);
            // Items convert as a single value does: `["U1", "U2"]`
            // for a list of user IDs.
            (
                quote!(impl IntoIterator<Item = impl Into<#t>>),
                Some(quote!(#id.into_iter().map(Into::into).collect())),
            )
        }
        t => (t.in_module(scope), None),
    }
}

/// The statement pushing the stored value `v` onto `args`; Block Kit values
/// (`[Block]`, `View`) go through `Args::push_block_kit`.
fn push(a: &Arg, v: TokenStream) -> TokenStream {
    let json = &a.json;
    if a.scalar == Scalar::Kit {
        return quote!(args.push_block_kit(#json, &#v, check_limits););
    }
    let v = value(a, v);
    quote!(args.push(#json, #v);)
}

/// The `crate::web::request::ArgValue` for the stored value `v` (not Block Kit).
fn value(a: &Arg, v: TokenStream) -> TokenStream {
    match (&a.ty, a.scalar) {
        (Type::List(_), s) => {
            let map = match s {
                Scalar::Str => quote!(),
                Scalar::Id => quote!(.map(String::from)),
                s => {
                    let x = to_string(s, quote!(x));
                    quote!(.map(|x| #x))
                }
            };
            quote!(crate::web::request::ArgValue::List(#v.into_iter()#map.collect()))
        }
        (Type::Map(_), s) => {
            let x = to_value(s, quote!(x));
            quote!(crate::web::request::ArgValue::Json(serde_json::Value::Object(#v.into_iter().map(|(k, x)| (k, #x)).collect())))
        }
        (_, Scalar::Int) => quote!(crate::web::request::ArgValue::Int(#v)),
        (_, Scalar::Float) => quote!(crate::web::request::ArgValue::Float(#v)),
        (_, Scalar::Bool) => quote!(crate::web::request::ArgValue::Bool(#v)),
        (_, Scalar::Json) => quote!(crate::web::request::ArgValue::Json(#v)),
        (_, Scalar::Secret) => quote!(crate::web::request::ArgValue::Secret(#v)),
        (_, s) => {
            let st = to_string(s, v);
            quote!(crate::web::request::ArgValue::Str(#st))
        }
    }
}

fn doc_line(a: &Arg) -> String {
    let d = a.doc.as_deref().unwrap_or("").trim();
    let req = if a.required { ", required" } else { "" };
    let ty = a.ty.text();
    if d.is_empty() {
        format!("`{}` ({ty}{req})", a.json)
    } else {
        format!("`{}` ({ty}{req}): {d}", a.json)
    }
}

/// The doc comment of a method's handle function.
fn method_doc(m: &Method) -> String {
    let mut d = format!("`{}`: {}\n", m.name, m.doc.as_deref().unwrap_or("").trim());
    if let Some(replacement) = &m.deprecated {
        d.push_str("\n**Deprecated** by Slack");
        match replacement {
            Some(r) => d.push_str(&format!("; use `{r}` instead.\n")),
            None => d.push_str(".\n"),
        }
    }
    d.push('\n');
    if !m.tokens.is_empty() {
        let t: Vec<&str> = m.tokens.iter().map(|t| t.as_str()).collect();
        d.push_str(&format!("- Tokens: {}\n", t.join(", ")));
    }
    let scopes: Vec<String> = m
        .scopes
        .by_kind()
        .into_iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(k, s)| {
            let s: Vec<String> = s.iter().map(|s| format!("`{s}`")).collect();
            format!("{k}: {}", s.join(", "))
        })
        .collect();
    if !scopes.is_empty() {
        d.push_str(&format!("- Scopes: {}\n", scopes.join("; ")));
    }
    let tier = match m.tier {
        Some(Tier::Tier1) => "Tier 1",
        Some(Tier::Tier2) => "Tier 2",
        Some(Tier::Tier3) => "Tier 3",
        Some(Tier::Tier4) => "Tier 4",
        Some(Tier::Special) => "special",
        None => "not documented",
    };
    d.push_str(&format!("- Rate limit: {tier}\n"));
    d.push_str(&format!(
        "- Safe to retry: {}\n",
        if m.retry_safe { "yes" } else { "no" }
    ));
    if let Some(p) = &m.pagination {
        match &p.style {
            PageStyle::Cursor { arg, .. } => d.push_str(&format!(
                "- Paginated: cursor `{arg}`, items in `{}`\n",
                p.items
            )),
            PageStyle::Number { arg, paging, .. } => d.push_str(&format!(
                "- Paginated: page number `{arg}` (paging in `{paging}`), items in `{}`\n",
                p.items
            )),
        }
    }
    if !m.args.is_empty() {
        d.push_str("\n# Arguments\n\n");
        for a in &m.args {
            d.push_str(&format!("- {}\n", doc_line(a)));
        }
    }
    if !m.errors.is_empty() {
        let e: Vec<String> = m.errors.iter().map(|e| format!("`{e}`")).collect();
        d.push_str(&format!(
            "\n# Errors\n\nBesides the common ones: {}.\n",
            e.join(", ")
        ));
    }
    d.push_str(&format!("\n<https://api.slack.com/methods/{}>\n", m.name));
    d
}

/// The module for one `methods/<family>.json`.
pub(crate) fn family_rs(ir: &Ir, fam: &Family) -> Result<TokenStream, Error> {
    let scope = &fam.module;
    let types = type_defs(ir, scope)?;
    let handle = format_ident!("{}", camel(&fam.name));
    let handle_fn = ident(&fam.name);
    let fam_doc = fam.doc.as_deref().unwrap_or("").trim();
    let ns = &fam.namespace;
    let handle_doc = doc(&format!(
        "The `{}.*` methods{}. Made by [`Client::{}`](crate::Client::{}).",
        ns,
        if fam_doc.is_empty() {
            String::new()
        } else {
            format!(": {}", fam_doc.trim_end_matches('.'))
        },
        fam.name,
        fam.name
    ));
    let client_fn_doc = doc(&format!("The `{ns}.*` methods."));
    let mut handle_fns = TokenStream::new();
    let mut items = TokenStream::new();
    for m in &fam.methods {
        let (f, it) = method(ir, m, scope);
        handle_fns.extend(f);
        items.extend(it);
    }
    Ok(quote! {
        #types

        #handle_doc
        #[derive(Debug, Clone)]
        pub struct #handle {
            client: crate::Client,
        }

        impl crate::Client {
            #client_fn_doc
            pub fn #handle_fn(&self) -> #handle {
                #handle { client: self.clone() }
            }
        }

        impl #handle {
            #handle_fns
        }

        #items
    })
}

/// The handle function and the items (builder, response, impls) of one method.
fn method(ir: &Ir, m: &Method, scope: &Module) -> (TokenStream, TokenStream) {
    let root = ir.mount.path();
    let fn_name = &m.fn_name;
    let fn_id = ident(fn_name);
    let base = &m.base;
    let req = format_ident!("{base}Request");
    let resp = format_ident!("{base}Response");
    let stat = format_ident!("{}", screaming(&m.name));

    // Handle function: required arguments positional.
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut fields = Vec::new();
    let mut setters = TokenStream::new();
    let mut pushes = TokenStream::new();
    for a in &m.args {
        let id = &a.ident;
        let stored = a.ty.in_module(scope);
        let (pty, conv) = param(a, scope);
        let fd = doc(&doc_line(a));
        if a.required {
            params.push(quote!(#id: #pty));
            match &conv {
                None => inits.push(quote!(#id)),
                Some(conv) => inits.push(quote!(#id: #conv)),
            }
            fields.push(quote!(#id: #stored));
            pushes.extend(push(a, quote!(self.#id)));
        } else {
            let conv = conv.unwrap_or_else(|| quote!(#id));
            inits.push(quote!(#id: None));
            fields.push(quote!(#id: Option<#stored>));
            setters.extend(quote! {
                #fd
                pub fn #id(mut self, #id: #pty) -> Self { self.#id = Some(#conv); self }
            });
            let push = push(a, quote!(v));
            pushes.extend(quote!(if let Some(v) = self.#id { #push }));
        }
    }
    if m.args.iter().any(|a| a.scalar == Scalar::Kit) {
        inits.push(quote!(check_limits: true));
        fields.push(quote!(check_limits: bool));
        setters.extend(quote! {
            /// Sends the Block Kit values as they are, without checking
            /// Slack's limits first (Slack still checks them).
            pub fn skip_limit_checks(mut self) -> Self { self.check_limits = false; self }
        });
        pushes = quote! {
            let check_limits = self.check_limits;
            #pushes
        };
    }
    let mdoc = doc(&method_doc(m));
    let deprecated = match &m.deprecated {
        Some(replacement) => {
            let note = match replacement {
                Some(r) => format!("retired by Slack; use {r}"),
                None => "retired by Slack".to_owned(),
            };
            quote!(#[deprecated(note = #note)])
        }
        None => quote!(),
    };
    let handle_fn = quote! {
        #mdoc
        #deprecated
        pub fn #fn_id(&self #(, #params)*) -> #req {
            #req { client: self.client.clone() #(, #inits)* }
        }
    };

    let name = &m.name;
    let req_doc = doc(&format!(
        "A `{name}` request; set optional arguments, then `.send()` or `.await` it.\n\nMade by [`{}::{fn_name}`], which documents the arguments.",
        m.handle
    ));
    let resp_item = object(scope, &m.response);
    let args_mut = if pushes.is_empty() {
        quote!()
    } else {
        quote!(mut)
    };
    let mut items = quote! {
        #req_doc
        #[derive(Debug, Clone)]
        #[must_use = "a request does nothing until it is sent or awaited"]
        pub struct #req {
            client: crate::Client,
            #(#fields,)*
        }

        impl #req {
            #setters

            /// Sends the request and decodes the response.
            pub async fn send(self) -> crate::Result<#resp> {
                let (client, args) = self.into_args();
                client.execute(&#root::spec_table::#stat, args).await
            }

            /// The client and the encoding-neutral argument list, for
            /// [`Client::execute_raw_response`](crate::Client::execute_raw_response).
            pub fn into_args(self) -> (crate::Client, crate::web::request::Args) {
                let #args_mut args = crate::web::request::Args::new();
                #pushes
                (self.client, args)
            }
        }

        impl std::future::IntoFuture for #req {
            type Output = crate::Result<#resp>;
            type IntoFuture = crate::web::retry::BoxFuture<'static, crate::Result<#resp>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }

        #resp_item
    };
    if let Some(p) = &m.pagination {
        items.extend(pagination(m, p, scope, &req, &resp));
    }
    (handle_fn, items)
}

/// Borrows the path's end from `page` (a `&Response`) inside a function
/// returning `Option`: a missing optional object returns `None`.
fn borrow(steps: &[Step]) -> TokenStream {
    let mut e = quote!(page);
    for (i, s) in steps.iter().enumerate() {
        let id = &s.ident;
        let last = i + 1 == steps.len();
        e = match (s.slot, last) {
            (Slot::Optional, _) => quote!(#e.#id.as_ref()?),
            (_, true) => quote!(&#e.#id),
            (_, false) => quote!(#e.#id),
        };
    }
    e
}

/// Moves the items array out of `page` (a `Response`), empty when an
/// object on the way is missing.
fn take(steps: &[Step]) -> TokenStream {
    let Some((last, objects)) = steps.split_last() else {
        return quote!(Vec::new());
    };
    let mut out = TokenStream::new();
    let mut from = quote!(page);
    for s in objects {
        let id = &s.ident;
        out.extend(match s.slot {
            Slot::Optional => quote!(let Some(x) = #from.#id else { return Vec::new(); };),
            _ => quote!(let x = #from.#id;),
        });
        from = quote!(x);
    }
    let id = &last.ident;
    quote!(#out #from.#id)
}

/// A field of the paging object as an `Option<i64>` expression.
fn paging_number(s: &Step) -> TokenStream {
    let id = &s.ident;
    match s.slot {
        Slot::Optional => quote!(paging.#id),
        _ => quote!(Some(paging.#id)),
    }
}

fn pagination(
    m: &Method,
    p: &Pagination,
    scope: &Module,
    req: &proc_macro2::Ident,
    resp: &proc_macro2::Ident,
) -> TokenStream {
    let item_ty = p.item.in_module(scope);
    let (set_next, next_page, what) = match &p.style {
        PageStyle::Cursor {
            arg_ident,
            metadata,
            next_cursor,
            ..
        } => {
            let meta_id = &metadata.ident;
            let nc_id = &next_cursor.ident;
            let meta = match metadata.slot {
                Slot::Optional => quote!(page.#meta_id.as_ref()?),
                _ => quote!(page.#meta_id),
            };
            let next = match next_cursor.slot {
                Slot::Optional => quote!(#meta.#nc_id.as_deref()),
                _ => quote!(Some(#meta.#nc_id.as_str())),
            };
            (
                quote! {
                    if let crate::web::paginate::Next::Cursor(c) = next {
                        self.#arg_ident = Some(c);
                    }
                },
                quote!(crate::web::paginate::next_cursor(#next)),
                "following `response_metadata.next_cursor`",
            )
        }
        PageStyle::Number {
            arg_ident,
            paging_steps,
            page,
            pages,
            ..
        } => {
            let number = paging_number(page);
            let pages = paging_number(pages);
            let items = borrow(&p.items_steps);
            let paging_e = borrow(paging_steps);
            let pg = arg_ident;
            (
                quote! {
                    if let crate::web::paginate::Next::Page(n) = next {
                        self.#pg = Some(n);
                    }
                },
                quote! {
                    let items = #items;
                    let paging = #paging_e;
                    crate::web::paginate::next_number(self.#pg, #number, #pages, items.is_empty())
                },
                "asking for the next page number while the paging object has more",
            )
        }
    };
    let into_items = take(&p.items_steps);
    let pages_doc = doc(&format!("Every page, {what}."));
    let method = &m.name;
    quote! {
        impl crate::web::paginate::Paginate for #req {
            const METHOD: &'static str = #method;
            type Page = #resp;
            type Item = #item_ty;
            fn set_next(&mut self, next: crate::web::paginate::Next) {
                #set_next
            }
            fn next_page(&self, page: &#resp) -> Option<crate::web::paginate::Next> {
                #next_page
            }
            fn into_items(page: #resp) -> Vec<Self::Item> {
                #into_items
            }
            fn send_page(self) -> crate::web::retry::BoxFuture<'static, crate::Result<#resp>> {
                Box::pin(self.send())
            }
        }

        impl #req {
            #pages_doc
            pub fn pages(self) -> crate::web::paginate::Pages<Self> {
                crate::web::paginate::Pages::new(self)
            }

            /// Every item of every page.
            pub fn items(self) -> crate::web::paginate::Items<Self> {
                crate::web::paginate::Items::new(self)
            }
        }
    }
}
