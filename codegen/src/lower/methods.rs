//! Families and methods: arguments with their wire form, the response
//! object, and the fields a pagination path walks.

use std::collections::BTreeSet;

use super::{BUILDER_METHODS, Lower};
use crate::Error;
use crate::ir::{
    Arg, DefKind, Family, Field, Key, Method, Module, PageStyle, Pagination, Scalar, Step, Type,
    Wire,
};
use crate::names::{camel, ident, snake};
use crate::spec::{self, ArgDef, FamilyDef, FieldDef, Http, MethodDef, ObjectDef, PaginationDef};
use crate::ty::Def;

impl Lower<'_> {
    pub(super) fn family(&self, fam: &FamilyDef, scope: &Module) -> Result<Family, Error> {
        let mut defs: Vec<&MethodDef> = fam.methods.iter().collect();
        defs.sort_by(|a, b| a.name.cmp(&b.name));
        let mut seen = BTreeSet::new();
        let mut methods = Vec::new();
        for m in defs {
            if snake(namespace_of(&m.name)) != fam.family {
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
            methods.push(self.method(m, scope).map_err(|e| e.context(&m.name))?);
        }
        Ok(Family {
            name: fam.family.clone(),
            module: scope.clone(),
            namespace: fam.namespace().to_owned(),
            doc: fam.doc.clone(),
            methods,
        })
    }

    fn method(&self, m: &MethodDef, scope: &Module) -> Result<Method, Error> {
        if m.http == Http::Get && m.json_body {
            return Err(Error::new(
                "a GET request has no body: `json_body` must be false",
            ));
        }
        let fn_name = m.rust_fn();
        let base = camel(&fn_name);
        let mut args = Vec::new();
        let mut seen = BTreeSet::new();
        for a in &m.args {
            let arg = self
                .arg(scope, a)
                .map_err(|e| e.context(format!("argument {}", a.name)))?;
            if !seen.insert(arg.ident.to_string()) {
                return Err(Error::new(format!("argument {} appears twice", a.name)));
            }
            args.push(arg);
        }
        let resp_name = format!("{base}Response");
        let resp_key = (scope.clone(), resp_name.clone());
        let response = self.object(
            scope,
            &resp_name,
            Some(&format!("The successful response of `{}`.", m.name)),
            &m.response.fields,
            &resp_key,
        )?;
        let pagination = match &m.pagination {
            Some(p) => Some(self.pagination(m, p, &args, scope, &resp_key)?),
            None => None,
        };
        Ok(Method {
            name: m.name.clone(),
            fn_name,
            base,
            handle: camel(namespace_of(&m.name)),
            doc: m.doc.clone(),
            http: m.http,
            json_body: m.json_body,
            tokens: m.tokens.clone(),
            scopes: m.scopes.clone(),
            tier: m.tier,
            retry_safe: m.retry_safe,
            deprecated: m.deprecated.as_ref().map(|d| d.replacement.clone()),
            args,
            errors: m.errors.clone(),
            response,
            pagination,
        })
    }

    fn arg(&self, scope: &Module, a: &ArgDef) -> Result<Arg, Error> {
        let ty = self.parse(scope, &a.ty)?;
        let scalar = match &ty {
            Type::List(t) | Type::Map(t) => scalar(t)?,
            t => scalar(t)?,
        };
        // Block Kit values always travel as JSON; the rest by their type.
        let wire = match &ty {
            _ if scalar == Scalar::Kit => Wire::Json,
            Type::List(_) => Wire::List,
            Type::Map(_) | Type::Json => Wire::Json,
            Type::Integer | Type::Time => Wire::Integer,
            Type::Number => Wire::Number,
            Type::Boolean => Wire::Boolean,
            _ => Wire::String,
        };
        let mut name = snake(&a.name);
        if BUILDER_METHODS.contains(&name.as_str()) {
            name.push_str("_arg");
        }
        Ok(Arg {
            json: a.name.clone(),
            ident: ident(&name),
            ty,
            scalar,
            wire,
            required: a.required,
            doc: a.doc.clone(),
        })
    }

    /// The fields a dotted path (`messages.matches`) walks through, from the
    /// response's own fields; every step but the last is an unboxed object.
    /// Also the last step's field.
    fn walk(
        &self,
        scope: &Module,
        resp: &Key,
        fields: &[FieldDef],
        path: &str,
    ) -> Result<(Vec<Step>, Field), Error> {
        let mut steps = Vec::new();
        let mut module = scope.clone();
        let mut container = resp.clone();
        let mut fields = fields;
        let parts: Vec<&str> = path.split('.').collect();
        for (i, name) in parts.iter().enumerate() {
            let def = fields.iter().find(|f| f.name == *name).ok_or_else(|| {
                Error::new(format!("paginated, but `{path}` has no `{name}` field"))
            })?;
            let f = self.field(&module, &container, def)?;
            steps.push(Step {
                ident: f.ident.clone(),
                slot: f.slot,
            });
            if i + 1 == parts.len() {
                return Ok((steps, f));
            }
            let not_object = || Error::new(format!("`{name}` in `{path}` is not an object"));
            let Type::Named(r) = &f.ty else {
                return Err(not_object());
            };
            let Def::Object(o) = self.reg.resolve(&module, &r.name)?.1 else {
                return Err(not_object());
            };
            if f.boxed {
                return Err(Error::new(format!("`{name}` in `{path}` is boxed")));
            }
            container = (r.module.clone(), r.name.clone());
            module = r.module.clone();
            fields = &o.fields;
        }
        Err(Error::new("an empty pagination path"))
    }

    /// The object a field holds, with its key.
    fn object_of(&self, f: &Field, what: &str) -> Result<(Key, &ObjectDef), Error> {
        let not_object = || Error::new(format!("{what} is not an object"));
        let Type::Named(r) = &f.ty else {
            return Err(not_object());
        };
        let Def::Object(o) = self.reg.resolve(&r.module, &r.name)?.1 else {
            return Err(not_object());
        };
        Ok(((r.module.clone(), r.name.clone()), o))
    }

    /// A field of `obj`, as generated, by JSON name.
    fn field_of(&self, obj: &(Key, &ObjectDef), name: &str) -> Result<Field, Error> {
        let ((m, n), o) = obj;
        let def = o
            .fields
            .iter()
            .find(|f| f.name == name)
            .ok_or_else(|| Error::new(format!("{n} has no `{name}` field")))?;
        self.field(m, &(m.clone(), n.clone()), def)
    }

    fn pagination(
        &self,
        m: &MethodDef,
        p: &PaginationDef,
        args: &[Arg],
        scope: &Module,
        resp: &Key,
    ) -> Result<Pagination, Error> {
        let fields = &m.response.fields;
        let style = p.style().map_err(Error::new)?;
        let (items_steps, items_field) = self.walk(scope, resp, fields, &p.items)?;
        let Type::List(item) = items_field.ty else {
            return Err(Error::new(format!(
                "items field {} is not an array",
                p.items
            )));
        };
        // Named from this family's module, where the impl goes: the name must
        // mean the same there as where the items field is declared.
        if let Type::Named(r) = &*item
            && self.reg.resolve(scope, &r.name)?.0 != r.module
        {
            return Err(Error::new(format!(
                "item type {} of {} means another type in this family",
                r.name, p.items
            )));
        }
        let arg = |name: &str, what: &str| {
            args.iter()
                .find(|a| a.json == name)
                .ok_or_else(|| Error::new(format!("pagination {what} {name} is not an argument")))
        };
        let (style, limit) = match style {
            spec::PageStyle::Cursor { cursor, limit } => {
                let cursor_arg = arg(cursor, "cursor")?;
                if cursor_arg.required || cursor_arg.ty != Type::String {
                    return Err(Error::new("the cursor argument must be an optional string"));
                }
                if let Some(l) = limit {
                    arg(l, "limit")?;
                }
                let (meta, meta_field) = self.walk(scope, resp, fields, "response_metadata")?;
                let meta_obj = self.object_of(&meta_field, "response_metadata")?;
                let next = self.field_of(&meta_obj, "next_cursor")?;
                if next.ty != Type::String {
                    return Err(Error::new("next_cursor must be a string"));
                }
                let style = PageStyle::Cursor {
                    arg: cursor.to_owned(),
                    arg_ident: cursor_arg.ident.clone(),
                    metadata: meta[0].clone(),
                    next_cursor: Step {
                        ident: next.ident,
                        slot: next.slot,
                    },
                };
                (style, limit)
            }
            spec::PageStyle::Number {
                page,
                count,
                paging,
            } => {
                let page_arg = arg(page, "page")?;
                if page_arg.required || page_arg.ty != Type::Integer {
                    return Err(Error::new("the page argument must be an optional integer"));
                }
                if let Some(c) = count {
                    arg(c, "count")?;
                }
                let (paging_steps, paging_field) = self.walk(scope, resp, fields, paging)?;
                let obj = self.object_of(&paging_field, &format!("paging field {paging}"))?;
                let number = |name: &str| -> Result<Step, Error> {
                    let f = self.field_of(&obj, name)?;
                    if f.ty != Type::Integer {
                        return Err(Error::new(format!("{}.{name} must be an integer", obj.0.1)));
                    }
                    Ok(Step {
                        ident: f.ident,
                        slot: f.slot,
                    })
                };
                let style = PageStyle::Number {
                    arg: page.to_owned(),
                    arg_ident: page_arg.ident.clone(),
                    paging: paging.to_owned(),
                    paging_steps,
                    page: number("page")?,
                    pages: number("pages")?,
                };
                (style, count)
            }
        };
        Ok(Pagination {
            items: p.items.clone(),
            items_steps,
            item: *item,
            limit: limit.map(str::to_owned),
            style,
        })
    }
}

/// Slack's namespace of a method: the part of its name before the first dot.
fn namespace_of(method: &str) -> &str {
    method.split_once('.').map_or(method, |(ns, _)| ns)
}

/// What an argument's (element) type converts as.
fn scalar(ty: &Type) -> Result<Scalar, Error> {
    Ok(match ty {
        Type::String => Scalar::Str,
        Type::Secret => Scalar::Secret,
        Type::Id(_) => Scalar::Id,
        Type::Integer => Scalar::Int,
        Type::Time | Type::Seconds => {
            return Err(Error::new(
                "a `time` or `seconds` argument is not supported: arguments take `integer` seconds",
            ));
        }
        Type::Number => Scalar::Float,
        Type::Boolean => Scalar::Bool,
        Type::Json => Scalar::Json,
        Type::Named(r) if r.kind == DefKind::Enum => Scalar::Enum,
        Type::Named(r) if r.module == Module::BlockKit => Scalar::Kit,
        Type::Named(r) => {
            return Err(Error::new(format!(
                "argument type {} is not a string enum; use `json`",
                r.name
            )));
        }
        Type::List(_) | Type::Map(_) => {
            return Err(Error::new("nested arrays and maps are not argument types"));
        }
    })
}
