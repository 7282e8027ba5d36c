//! One family module: handle, request builders, responses, pagination.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::items::{Slot, field, object, type_defs};
use crate::names::{camel, ident, screaming, snake};
use crate::spec::{ArgDef, FamilyDef, MethodDef};
use crate::ty::{Def, Module, Registry, Ty};
use crate::{Error, doc};

/// Builder method names an argument setter must not take.
const BUILDER_METHODS: &[&str] = &[
    "send",
    "into_args",
    "into_future",
    "pages",
    "items",
    "client",
];

/// Wire encodings of an argument.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Enc {
    Plain,
    List,
    Json,
    Bool,
}

/// What a scalar type is, for conversions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scalar {
    Str,
    Secret,
    Id,
    Enum,
    Int,
    Float,
    Bool,
    Json,
    /// A Block Kit object or union: serialized, its limits checked.
    Kit,
}

struct Arg {
    json: String,
    ident: Ident,
    ty: Ty,
    enc: Enc,
    required: bool,
    doc: Option<String>,
}

fn scalar(reg: &Registry<'_>, scope: &Module, ty: &Ty) -> Result<Scalar, Error> {
    Ok(match ty {
        Ty::String => Scalar::Str,
        Ty::Secret => Scalar::Secret,
        Ty::Id(_) => Scalar::Id,
        Ty::Integer => Scalar::Int,
        Ty::Number => Scalar::Float,
        Ty::Boolean => Scalar::Bool,
        Ty::Json => Scalar::Json,
        Ty::Named(n) => match reg.resolve(scope, n)? {
            (_, Def::Enum) => Scalar::Enum,
            (Module::BlockKit, _) => Scalar::Kit,
            _ => {
                return Err(Error::new(format!(
                    "argument type {n} is not a string enum; use `json`"
                )));
            }
        },
        Ty::Array(_) | Ty::Map(_) => {
            return Err(Error::new("nested arrays and maps are not argument types"));
        }
    })
}

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

impl Arg {
    fn new(reg: &Registry<'_>, scope: &Module, a: &ArgDef) -> Result<Arg, Error> {
        let ty = Ty::parse(&a.ty)?;
        let enc = match a.encoding.as_deref() {
            Some("plain") => Enc::Plain,
            Some("list") => Enc::List,
            Some("json") => Enc::Json,
            Some("bool") => Enc::Bool,
            Some(o) => return Err(Error::new(format!("unknown encoding {o:?}"))),
            None => match ty {
                Ty::Array(_) => Enc::List,
                Ty::Json | Ty::Map(_) => Enc::Json,
                Ty::Boolean => Enc::Bool,
                _ => Enc::Plain,
            },
        };
        // Check the type converts; the error names the argument.
        match &ty {
            Ty::Array(t) | Ty::Map(t) => scalar(reg, scope, t)?,
            t => scalar(reg, scope, t)?,
        };
        let mut name = snake(&a.name);
        if BUILDER_METHODS.contains(&name.as_str()) {
            name.push_str("_arg");
        }
        Ok(Arg {
            json: a.name.clone(),
            ident: ident(&name),
            ty,
            enc,
            required: a.required,
            doc: a.doc.clone(),
        })
    }

    /// Stored type (before `Option` for optional arguments).
    fn stored(&self, reg: &Registry<'_>, scope: &Module) -> Result<TokenStream, Error> {
        reg.rust_ty(scope, &self.ty)
    }

    /// Parameter type of the constructor or setter, and how to store it.
    fn param(
        &self,
        reg: &Registry<'_>,
        scope: &Module,
    ) -> Result<(TokenStream, TokenStream), Error> {
        let id = &self.ident;
        Ok(match &self.ty {
            Ty::String => (quote!(impl Into<String>), quote!(#id.into())),
            Ty::Secret => (quote!(impl Into<crate::Secret>), quote!(#id.into())),
            Ty::Id(_) => {
                let t = reg.rust_ty(scope, &self.ty)?;
                (quote!(impl Into<#t>), quote!(#id.into()))
            }
            Ty::Array(t) => {
                let t = reg.rust_ty(scope, t)?;
                // Items convert as a single value does: `["U1", "U2"]`
                // for a list of user IDs.
                (
                    quote!(impl IntoIterator<Item = impl Into<#t>>),
                    quote!(#id.into_iter().map(Into::into).collect()),
                )
            }
            t => (reg.rust_ty(scope, t)?, quote!(#id)),
        })
    }

    /// Whether the argument holds Block Kit values (`[Block]`, `View`),
    /// which go through `crate::kit::arg`.
    fn is_kit(&self, reg: &Registry<'_>, scope: &Module) -> Result<bool, Error> {
        let t = match &self.ty {
            Ty::Array(t) | Ty::Map(t) => t,
            t => t,
        };
        let kit = scalar(reg, scope, t)? == Scalar::Kit;
        if kit && self.enc != Enc::Json {
            return Err(Error::new(
                "a Block Kit argument needs `\"encoding\": \"json\"`",
            ));
        }
        Ok(kit)
    }

    /// The statement pushing the stored value `v` onto `args`.
    fn push(
        &self,
        reg: &Registry<'_>,
        scope: &Module,
        v: TokenStream,
    ) -> Result<TokenStream, Error> {
        let json = &self.json;
        if self.is_kit(reg, scope)? {
            return Ok(quote! {
                let value = crate::kit::arg(&#v, #json, check_limits, &mut args);
                args.push(#json, value);
            });
        }
        let v = self.value(reg, scope, v)?;
        Ok(quote!(args.push(#json, #v);))
    }

    /// The `crate::request::ArgValue` for the stored value `v`.
    fn value(
        &self,
        reg: &Registry<'_>,
        scope: &Module,
        v: TokenStream,
    ) -> Result<TokenStream, Error> {
        Ok(match (&self.ty, self.enc) {
            (Ty::Array(t), Enc::Json) => {
                let x = to_value(scalar(reg, scope, t)?, quote!(x));
                quote!(crate::request::ArgValue::Json(serde_json::Value::Array(#v.into_iter().map(|x| #x).collect())))
            }
            (Ty::Array(t), _) => {
                let x = to_string(scalar(reg, scope, t)?, quote!(x));
                let map = match x.to_string().as_str() {
                    "x" => quote!(),
                    "String :: from (x)" => quote!(.map(String::from)),
                    _ => quote!(.map(|x| #x)),
                };
                quote!(crate::request::ArgValue::List(#v.into_iter()#map.collect()))
            }
            (Ty::Map(t), _) => {
                let x = to_value(scalar(reg, scope, t)?, quote!(x));
                quote!(crate::request::ArgValue::Json(serde_json::Value::Object(#v.into_iter().map(|(k, x)| (k, #x)).collect())))
            }
            (t, enc) => match (scalar(reg, scope, t)?, enc) {
                (Scalar::Int, _) => quote!(crate::request::ArgValue::Int(#v)),
                (Scalar::Float, _) => quote!(crate::request::ArgValue::Float(#v)),
                (Scalar::Bool, _) => quote!(crate::request::ArgValue::Bool(#v)),
                (Scalar::Json, _) => quote!(crate::request::ArgValue::Json(#v)),
                (Scalar::Secret, _) => quote!(crate::request::ArgValue::Secret(#v)),
                (s, _) => {
                    let st = to_string(s, v);
                    quote!(crate::request::ArgValue::Str(#st))
                }
            },
        })
    }

    fn doc_line(&self) -> String {
        let d = self.doc.as_deref().unwrap_or("").trim();
        let req = if self.required { ", required" } else { "" };
        let ty = match &self.ty {
            Ty::String => "string".to_owned(),
            _ => type_text(&self.ty),
        };
        if d.is_empty() {
            format!("`{}` ({ty}{req})", self.json)
        } else {
            format!("`{}` ({ty}{req}): {d}", self.json)
        }
    }
}

fn type_text(t: &Ty) -> String {
    match t {
        Ty::String => "string".into(),
        Ty::Secret => "secret string".into(),
        Ty::Integer => "integer".into(),
        Ty::Number => "number".into(),
        Ty::Boolean => "boolean".into(),
        Ty::Json => "JSON".into(),
        Ty::Id(n) | Ty::Named(n) => n.clone(),
        Ty::Array(t) => format!("list of {}", type_text(t)),
        Ty::Map(t) => format!("map of {}", type_text(t)),
    }
}

/// The doc comment of a method's handle function.
fn method_doc(m: &MethodDef, args: &[Arg]) -> String {
    let mut d = format!("`{}`: {}\n", m.name, m.doc.as_deref().unwrap_or("").trim());
    if let Some(dep) = &m.deprecated {
        d.push_str("\n**Deprecated** by Slack");
        match &dep.replacement {
            Some(r) => d.push_str(&format!("; use `{r}` instead.\n")),
            None => d.push_str(".\n"),
        }
    }
    d.push('\n');
    if !m.tokens.is_empty() {
        d.push_str(&format!("- Tokens: {}\n", m.tokens.join(", ")));
    }
    let scopes: Vec<String> = m
        .scopes
        .iter()
        .filter(|(_, s)| !s.is_empty())
        .map(|(k, s)| {
            let s: Vec<String> = s.iter().map(|s| format!("`{s}`")).collect();
            format!("{k}: {}", s.join(", "))
        })
        .collect();
    if !scopes.is_empty() {
        d.push_str(&format!("- Scopes: {}\n", scopes.join("; ")));
    }
    let tier = match m.tier.as_deref() {
        Some(t) if t.starts_with("tier") => format!("Tier {}", &t[4..]),
        Some(t) => t.to_owned(),
        None => "not documented".to_owned(),
    };
    d.push_str(&format!("- Rate limit: {tier}\n"));
    d.push_str(&format!(
        "- Safe to retry: {}\n",
        if m.retry_safe { "yes" } else { "no" }
    ));
    if let Some(p) = &m.pagination {
        d.push_str(&format!(
            "- Paginated: cursor `{}`, items in `{}`\n",
            p.cursor, p.items
        ));
    }
    if !args.is_empty() {
        d.push_str("\n# Arguments\n\n");
        for a in args {
            d.push_str(&format!("- {}\n", a.doc_line()));
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
pub(crate) fn family_rs(fam: &FamilyDef, reg: &Registry<'_>) -> Result<TokenStream, Error> {
    let scope = Module::Family(fam.family.clone());
    let types = type_defs(&fam.types, &scope, reg)?;
    let handle = format_ident!("{}", camel(&fam.family));
    let handle_fn = ident(&fam.family);
    let fam_doc = fam.doc.as_deref().unwrap_or("").trim();
    let ns = fam.namespace();
    let handle_doc = doc(&format!(
        "The `{}.*` methods{}. Made by [`Client::{}`](crate::Client::{}).",
        ns,
        if fam_doc.is_empty() {
            String::new()
        } else {
            format!(": {}", fam_doc.trim_end_matches('.'))
        },
        fam.family,
        fam.family
    ));
    let client_fn_doc = doc(&format!("The `{ns}.*` methods."));
    let mut methods: Vec<&MethodDef> = fam.methods.iter().collect();
    methods.sort_by(|a, b| a.name.cmp(&b.name));
    let mut handle_fns = TokenStream::new();
    let mut items = TokenStream::new();
    let mut seen = BTreeSet::new();
    for m in methods {
        if m.name.split('.').next().map(snake).as_deref() != Some(fam.family.as_str()) {
            return Err(Error::new(format!(
                "method {} is not in family {}",
                m.name, fam.family
            )));
        }
        if !seen.insert(m.rust_fn()) {
            return Err(Error::new(format!(
                "method {} maps to a Rust name already used",
                m.name
            )));
        }
        let (f, it) = method(m, &scope, reg).map_err(|e| e.context(&m.name))?;
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
fn method(
    m: &MethodDef,
    scope: &Module,
    reg: &Registry<'_>,
) -> Result<(TokenStream, TokenStream), Error> {
    let fn_name = m.rust_fn();
    let fn_id = ident(&fn_name);
    let base = camel(&fn_name);
    let req = format_ident!("{base}Request");
    let resp = format_ident!("{base}Response");
    let stat = format_ident!("{}", screaming(&m.name));
    let mut args = Vec::new();
    let mut seen = BTreeSet::new();
    for a in &m.args {
        let arg = Arg::new(reg, scope, a).map_err(|e| e.context(format!("argument {}", a.name)))?;
        if !seen.insert(arg.ident.to_string()) {
            return Err(Error::new(format!("argument {} appears twice", a.name)));
        }
        args.push(arg);
    }

    // Handle function: required arguments positional.
    let mut params = Vec::new();
    let mut inits = Vec::new();
    let mut fields = Vec::new();
    let mut setters = TokenStream::new();
    let mut pushes = TokenStream::new();
    for a in &args {
        let id = &a.ident;
        let stored = a.stored(reg, scope)?;
        let (pty, conv) = a.param(reg, scope)?;
        let fd = doc(&a.doc_line());
        if a.required {
            params.push(quote!(#id: #pty));
            if *id == conv.to_string() {
                inits.push(quote!(#id));
            } else {
                inits.push(quote!(#id: #conv));
            }
            fields.push(quote!(#id: #stored));
            pushes.extend(a.push(reg, scope, quote!(self.#id))?);
        } else {
            inits.push(quote!(#id: None));
            fields.push(quote!(#id: Option<#stored>));
            setters.extend(quote! {
                #fd
                pub fn #id(mut self, #id: #pty) -> Self { self.#id = Some(#conv); self }
            });
            let push = a.push(reg, scope, quote!(v))?;
            pushes.extend(quote!(if let Some(v) = self.#id { #push }));
        }
    }
    let mut has_kit = false;
    for a in &args {
        has_kit |= a.is_kit(reg, scope)?;
    }
    if has_kit {
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
    let mdoc = doc(&method_doc(m, &args));
    let deprecated = match &m.deprecated {
        Some(d) => {
            let note = match &d.replacement {
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
        camel(m.name.split('.').next().unwrap_or_default())
    ));
    let resp_key = (scope.clone(), format!("{base}Response"));
    let resp_item = object(
        reg,
        scope,
        &format!("{base}Response"),
        Some(&format!("The successful response of `{name}`.")),
        &m.response.fields,
        &resp_key,
    )?;
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
                client.execute(&crate::generated::spec_table::#stat, args).await
            }

            /// The client and the encoding-neutral argument list, for
            /// [`Client::execute_raw_response`](crate::Client::execute_raw_response).
            pub fn into_args(self) -> (crate::Client, crate::request::Args) {
                let #args_mut args = crate::request::Args::new();
                #pushes
                (self.client, args)
            }
        }

        impl std::future::IntoFuture for #req {
            type Output = crate::Result<#resp>;
            type IntoFuture = crate::BoxFuture<'static, crate::Result<#resp>>;
            fn into_future(self) -> Self::IntoFuture {
                Box::pin(self.send())
            }
        }

        #resp_item
    };
    if let Some(p) = &m.pagination {
        items.extend(pagination(m, p, &args, scope, reg, &req, &resp)?);
    }
    Ok((handle_fn, items))
}

fn pagination(
    m: &MethodDef,
    p: &crate::spec::PaginationDef,
    args: &[Arg],
    scope: &Module,
    reg: &Registry<'_>,
    req: &Ident,
    resp: &Ident,
) -> Result<TokenStream, Error> {
    let cursor = args
        .iter()
        .find(|a| a.json == p.cursor)
        .ok_or_else(|| Error::new(format!("pagination cursor {} is not an argument", p.cursor)))?;
    if cursor.required || cursor.ty != Ty::String {
        return Err(Error::new("the cursor argument must be an optional string"));
    }
    if let Some(l) = &p.limit
        && !args.iter().any(|a| &a.json == l)
    {
        return Err(Error::new(format!(
            "pagination limit {l} is not an argument"
        )));
    }
    let resp_key = (scope.clone(), resp.to_string());
    let find = |name: &str| {
        m.response
            .fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::new(format!("paginated, but the response has no `{name}` field")))
    };
    let items_f = field(reg, scope, &resp_key, find(&p.items)?)?;
    let Ty::Array(item_ty) = &items_f.ty else {
        return Err(Error::new(format!(
            "items field {} is not an array",
            p.items
        )));
    };
    let item_ty = reg.rust_ty(scope, item_ty)?;
    let meta_f = field(reg, scope, &resp_key, find("response_metadata")?)?;
    let Ty::Named(meta_name) = &meta_f.ty else {
        return Err(Error::new("response_metadata must be an object"));
    };
    let (meta_mod, Def::Object(meta_obj)) = reg.resolve(scope, meta_name)? else {
        return Err(Error::new("response_metadata must be an object"));
    };
    let nc = meta_obj
        .fields
        .iter()
        .find(|f| f.name == "next_cursor")
        .ok_or_else(|| Error::new(format!("{meta_name} has no next_cursor field")))?;
    let nc_f = field(reg, &meta_mod, &(meta_mod.clone(), meta_name.clone()), nc)?;
    if nc_f.ty != Ty::String {
        return Err(Error::new("next_cursor must be a string"));
    }
    let meta_id = &meta_f.ident;
    let nc_id = &nc_f.ident;
    let meta = match meta_f.slot {
        Slot::Optional => quote!(page.#meta_id.as_ref()?),
        _ => quote!(page.#meta_id),
    };
    let next = match nc_f.slot {
        Slot::Optional => quote!(#meta.#nc_id.as_deref()),
        _ => quote!(Some(#meta.#nc_id.as_str())),
    };
    let items_id = &items_f.ident;
    let cur = &cursor.ident;
    let method = &m.name;
    Ok(quote! {
        impl crate::paginate::Paginate for #req {
            const METHOD: &'static str = #method;
            type Page = #resp;
            type Item = #item_ty;
            fn set_cursor(&mut self, cursor: String) {
                self.#cur = Some(cursor);
            }
            fn next_cursor(page: &#resp) -> Option<&str> {
                #next
            }
            fn into_items(page: #resp) -> Vec<Self::Item> {
                page.#items_id
            }
            fn send_page(self) -> crate::BoxFuture<'static, crate::Result<#resp>> {
                Box::pin(self.send())
            }
        }

        impl #req {
            /// Every page, following `response_metadata.next_cursor`.
            pub fn pages(self) -> crate::paginate::Pages<Self> {
                crate::paginate::Pages::new(self)
            }

            /// Every item of every page.
            pub fn items(self) -> crate::paginate::Items<Self> {
                crate::paginate::Items::new(self)
            }
        }
    })
}
