//! One family module: handle, request builders, responses, pagination.

use std::collections::BTreeSet;

use proc_macro2::{Ident, TokenStream};
use quote::{format_ident, quote};

use crate::items::{Slot, field, object, type_defs};
use crate::names::{camel, ident, screaming, snake};
use crate::spec::{ArgDef, FamilyDef, FieldDef, MethodDef, PageStyle, PaginationDef, Tier};
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
        Ty::Time => {
            return Err(Error::new(
                "a `time` argument is not supported: arguments take `integer` seconds",
            ));
        }
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
        // Block Kit values always travel as JSON; the rest by their type.
        let elem = match &ty {
            Ty::Array(t) | Ty::Map(t) => t,
            t => t,
        };
        let enc = match ty {
            _ if scalar(reg, scope, elem)? == Scalar::Kit => Enc::Json,
            Ty::Array(_) => Enc::List,
            Ty::Json | Ty::Map(_) => Enc::Json,
            Ty::Boolean => Enc::Bool,
            _ => Enc::Plain,
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
    /// which go through `Args::push_block_kit`.
    fn is_kit(&self, reg: &Registry<'_>, scope: &Module) -> Result<bool, Error> {
        let t = match &self.ty {
            Ty::Array(t) | Ty::Map(t) => t,
            t => t,
        };
        Ok(scalar(reg, scope, t)? == Scalar::Kit)
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
            return Ok(quote!(args.push_block_kit(#json, &#v, check_limits);));
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
        Ty::Time => "Unix time".into(),
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
        match p.style() {
            Ok(PageStyle::Cursor { cursor, .. }) => d.push_str(&format!(
                "- Paginated: cursor `{cursor}`, items in `{}`\n",
                p.items
            )),
            Ok(PageStyle::Number { page, paging, .. }) => d.push_str(&format!(
                "- Paginated: page number `{page}` (paging in `{paging}`), items in `{}`\n",
                p.items
            )),
            // `pagination` reports it.
            Err(_) => {}
        }
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

/// One step of a dotted response path: the field, as generated.
struct Step {
    ident: Ident,
    slot: Slot,
    ty: Ty,
}

/// The fields a dotted path (`messages.matches`) walks through, from the
/// response's own fields; every step but the last is an object. Also the
/// module the last step's type is named in.
fn walk(
    reg: &Registry<'_>,
    scope: &Module,
    resp: &Ident,
    fields: &[FieldDef],
    path: &str,
) -> Result<(Vec<Step>, Module), Error> {
    let mut steps = Vec::new();
    let mut module = scope.clone();
    let mut container = (scope.clone(), resp.to_string());
    let mut fields = fields;
    let parts: Vec<&str> = path.split('.').collect();
    for (i, name) in parts.iter().enumerate() {
        let def = fields
            .iter()
            .find(|f| f.name == *name)
            .ok_or_else(|| Error::new(format!("paginated, but `{path}` has no `{name}` field")))?;
        let f = field(reg, &module, &container, def)?;
        if i + 1 < parts.len() {
            let Ty::Named(n) = &f.ty else {
                return Err(Error::new(format!("`{name}` in `{path}` is not an object")));
            };
            let (m, Def::Object(o)) = reg.resolve(&module, n)? else {
                return Err(Error::new(format!("`{name}` in `{path}` is not an object")));
            };
            if f.boxed {
                return Err(Error::new(format!("`{name}` in `{path}` is boxed")));
            }
            container = (m.clone(), n.clone());
            module = m;
            fields = &o.fields;
        }
        steps.push(Step {
            ident: f.ident,
            slot: f.slot,
            ty: f.ty,
        });
    }
    Ok((steps, module))
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
fn paging_number(
    reg: &Registry<'_>,
    obj_mod: &Module,
    obj: &str,
    fields: &[FieldDef],
    name: &str,
) -> Result<TokenStream, Error> {
    let def = fields
        .iter()
        .find(|f| f.name == name)
        .ok_or_else(|| Error::new(format!("paging object {obj} has no `{name}` field")))?;
    let f = field(reg, obj_mod, &(obj_mod.clone(), obj.to_owned()), def)?;
    if f.ty != Ty::Integer {
        return Err(Error::new(format!("{obj}.{name} must be an integer")));
    }
    let id = &f.ident;
    Ok(match f.slot {
        Slot::Optional => quote!(paging.#id),
        _ => quote!(Some(paging.#id)),
    })
}

fn pagination(
    m: &MethodDef,
    p: &PaginationDef,
    args: &[Arg],
    scope: &Module,
    reg: &Registry<'_>,
    req: &Ident,
    resp: &Ident,
) -> Result<TokenStream, Error> {
    let style = p.style().map_err(Error::new)?;
    let fields = &m.response.fields;
    let (items_steps, items_mod) = walk(reg, scope, resp, fields, &p.items)?;
    let items_end = items_steps.last().expect("a path has a step");
    let Ty::Array(item_ty) = &items_end.ty else {
        return Err(Error::new(format!(
            "items field {} is not an array",
            p.items
        )));
    };
    // Named from this family's module, where the impl goes: the name must
    // mean the same there as where the items field is declared.
    if let Ty::Named(n) = &**item_ty
        && reg.resolve(&items_mod, n)?.0 != reg.resolve(scope, n)?.0
    {
        return Err(Error::new(format!(
            "item type {n} of {} means another type in this family",
            p.items
        )));
    }
    let item_ty = reg.rust_ty(scope, item_ty)?;
    let arg = |name: &str, what: &str| {
        args.iter()
            .find(|a| a.json == name)
            .ok_or_else(|| Error::new(format!("pagination {what} {name} is not an argument")))
    };
    let (set_next, next_page, what) = match style {
        PageStyle::Cursor { cursor, limit } => {
            let cursor = arg(cursor, "cursor")?;
            if cursor.required || cursor.ty != Ty::String {
                return Err(Error::new("the cursor argument must be an optional string"));
            }
            if let Some(l) = limit {
                arg(l, "limit")?;
            }
            let cur = &cursor.ident;
            let (meta, _) = walk(reg, scope, resp, fields, "response_metadata")?;
            let Ty::Named(meta_name) = &meta[0].ty else {
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
            let meta_id = &meta[0].ident;
            let nc_id = &nc_f.ident;
            let meta = match meta[0].slot {
                Slot::Optional => quote!(page.#meta_id.as_ref()?),
                _ => quote!(page.#meta_id),
            };
            let next = match nc_f.slot {
                Slot::Optional => quote!(#meta.#nc_id.as_deref()),
                _ => quote!(Some(#meta.#nc_id.as_str())),
            };
            (
                quote! {
                    if let crate::paginate::Next::Cursor(c) = next {
                        self.#cur = Some(c);
                    }
                },
                quote!(crate::paginate::next_cursor(#next)),
                "following `response_metadata.next_cursor`",
            )
        }
        PageStyle::Number {
            page,
            count,
            paging,
        } => {
            let page_arg = arg(page, "page")?;
            if page_arg.required || page_arg.ty != Ty::Integer {
                return Err(Error::new("the page argument must be an optional integer"));
            }
            if let Some(c) = count {
                arg(c, "count")?;
            }
            let (paging_steps, paging_mod) = walk(reg, scope, resp, fields, paging)?;
            let end = paging_steps.last().expect("a path has a step");
            let Ty::Named(obj) = &end.ty else {
                return Err(Error::new(format!(
                    "paging field {paging} is not an object"
                )));
            };
            let (obj_mod, Def::Object(o)) = reg.resolve(&paging_mod, obj)? else {
                return Err(Error::new(format!(
                    "paging field {paging} is not an object"
                )));
            };
            let number = paging_number(reg, &obj_mod, obj, &o.fields, "page")?;
            let pages = paging_number(reg, &obj_mod, obj, &o.fields, "pages")?;
            let items = borrow(&items_steps);
            let paging_e = borrow(&paging_steps);
            let pg = &page_arg.ident;
            (
                quote! {
                    if let crate::paginate::Next::Page(n) = next {
                        self.#pg = Some(n);
                    }
                },
                quote! {
                    let items = #items;
                    let paging = #paging_e;
                    crate::paginate::next_number(self.#pg, #number, #pages, items.is_empty())
                },
                "asking for the next page number while the paging object has more",
            )
        }
    };
    let into_items = take(&items_steps);
    let pages_doc = doc(&format!("Every page, {what}."));
    let method = &m.name;
    Ok(quote! {
        impl crate::paginate::Paginate for #req {
            const METHOD: &'static str = #method;
            type Page = #resp;
            type Item = #item_ty;
            fn set_next(&mut self, next: crate::paginate::Next) {
                #set_next
            }
            fn next_page(&self, page: &#resp) -> Option<crate::paginate::Next> {
                #next_page
            }
            fn into_items(page: #resp) -> Vec<Self::Item> {
                #into_items
            }
            fn send_page(self) -> crate::BoxFuture<'static, crate::Result<#resp>> {
                Box::pin(self.send())
            }
        }

        impl #req {
            #pages_doc
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
