//! `lower`: the spec resolved once into the [`Ir`]. Every type expression is
//! parsed, every name resolved and every rule checked here, so emitters
//! only print; an error names the spec file and the definition.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::Ident;

use crate::Error;
use crate::ir::{
    Access, Arg, DefKind, Directions, Enum, Family, Field, Ir, Item, ItemKind, Key, Limits, Method,
    Module, Object, PageStyle, Pagination, Payload, Scalar, Shape, ShapeUnion, ShapeVariant, Slot,
    Step, TaggedUnion, Type, TypeRef, Variant, Wire,
};
use crate::lint;
use crate::mount::Mount;
use crate::names::{camel, ident, is_ident, snake};
use crate::spec::{
    self, ArgDef, EnumDef, FamilyDef, FieldDef, Http, MethodDef, ObjectDef, PaginationDef, Spec,
    TypeDefs, UnionDef,
};
use crate::ty::{Def, Registry, Ty};

/// The most fields an object may have: `crate::de::Seen` holds 256 bits.
const MAX_FIELDS: usize = 256;

/// Builder method names an argument setter must not take.
const BUILDER_METHODS: &[&str] = &[
    "send",
    "into_args",
    "into_future",
    "pages",
    "items",
    "client",
];

/// How deep tagged unions may nest in one another.
const MAX_NESTING: usize = 8;

/// Lowers the whole spec.
pub(crate) fn lower(spec: &Spec, mount: &Mount) -> Result<Ir, Error> {
    check_docs(spec)?;
    let reg = Registry::new(spec)?;
    let mut l = Lower {
        mount: mount.clone(),
        reg,
        exact: BTreeSet::new(),
        kit_tags: BTreeMap::new(),
    };
    l.exact = l.exact_objects(&spec.block_kit)?;
    l.kit_tags = variant_tags(&spec.block_kit)?;
    let features = l.shared_features(spec)?;
    let mut items = BTreeMap::new();
    l.type_defs(&mut items, &Module::Types, &spec.types, &features)?;
    l.type_defs(&mut items, &Module::Events, &spec.events, &BTreeMap::new())?;
    l.type_defs(
        &mut items,
        &Module::BlockKit,
        &spec.block_kit,
        &BTreeMap::new(),
    )?;
    let mut families = Vec::new();
    for (name, fam) in &spec.families {
        for (section, ty) in fam.types.sections() {
            if lint::stutters(name, ty) {
                return Err(Error::new(format!(
                    "spec/methods/{name}.json: at `{section}.{ty}`: the type name repeats the family \
                     name (it is `{name}::{ty}` in Rust); drop the prefix"
                )));
            }
        }
        let m = Module::Family(name.clone());
        l.type_defs(&mut items, &m, &fam.types, &BTreeMap::new())?;
        families.push(
            l.family(fam, &m)
                .map_err(|e| e.context(format!("spec/methods/{name}.json")))?,
        );
    }
    let mut names = BTreeSet::new();
    for m in families.iter().flat_map(|f| &f.methods) {
        if !names.insert(m.name.as_str()) {
            return Err(Error::new(format!("method {} is defined twice", m.name)));
        }
    }
    let error_code = lower_enum(
        "ErrorCode",
        &EnumDef {
            doc: Some(
                "An error code Slack returns in `error` when `ok` is false. Codes this version \
                 does not know are kept in `Unknown`."
                    .to_owned(),
            ),
            values: all_errors(spec),
        },
    )?;
    Ok(Ir {
        mount: l.mount,
        items,
        block_kit_doc: spec.block_kit_doc.clone(),
        families,
        error_code,
    })
}

/// Every object, response field and argument doc says more than the
/// name it documents (`lint::restates`).
fn check_docs(spec: &Spec) -> Result<(), Error> {
    let check_one = |file: &str, path: &str, name: &str, doc: Option<&String>| match doc {
        Some(doc) if lint::restates(name, doc) => Err(Error::new(format!(
            "spec/{file}: at `{path}.doc`: {doc:?} only restates the name `{name}`; \
             say what it holds"
        ))),
        _ => Ok(()),
    };
    let check = |file: &str, path: String, fields: &[FieldDef]| {
        for (i, f) in fields.iter().enumerate() {
            check_one(file, &format!("{path}[{i}]"), &f.name, f.doc.as_ref())?;
        }
        Ok::<(), Error>(())
    };
    let shared = [
        ("types.json", &spec.types),
        ("events.json", &spec.events),
        ("block_kit.json", &spec.block_kit),
    ];
    for (file, defs) in shared {
        for (name, o) in &defs.objects {
            check(file, format!("objects.{name}.fields"), &o.fields)?;
        }
    }
    for (fam, f) in &spec.families {
        let file = format!("methods/{fam}.json");
        for (name, o) in &f.types.objects {
            check(&file, format!("objects.{name}.fields"), &o.fields)?;
        }
        for (i, m) in f.methods.iter().enumerate() {
            check(
                &file,
                format!("methods[{i}].response.fields"),
                &m.response.fields,
            )?;
        }
    }
    Ok(())
}

/// Every error code of the spec, sorted and unique.
fn all_errors(spec: &Spec) -> Vec<String> {
    let mut set: BTreeSet<&str> = spec.common_errors.iter().map(String::as_str).collect();
    for f in spec.families.values() {
        for m in &f.methods {
            set.extend(m.errors.iter().map(String::as_str));
        }
    }
    set.into_iter().map(str::to_owned).collect()
}

struct Lower<'a> {
    mount: Mount,
    reg: Registry<'a>,
    /// Block Kit objects that write back exactly what they read.
    exact: BTreeSet<String>,
    /// For each Block Kit object that is a union variant, its tag key and value.
    kit_tags: BTreeMap<String, (String, String)>,
}

impl Lower<'_> {
    /// A parsed type expression, resolved in `scope`.
    fn resolve(&self, scope: &Module, ty: &Ty) -> Result<Type, Error> {
        Ok(match ty {
            Ty::String => Type::String,
            Ty::Secret => Type::Secret,
            Ty::Integer => Type::Integer,
            Ty::Time => Type::Time,
            Ty::Number => Type::Number,
            Ty::Boolean => Type::Boolean,
            Ty::Json => Type::Json,
            Ty::Id(id) => Type::Id(id.clone()),
            Ty::Named(n) => Type::Named(self.type_ref(scope, n)?),
            Ty::Array(t) => Type::List(Box::new(self.resolve(scope, t)?)),
            Ty::Map(t) => Type::Map(Box::new(self.resolve(scope, t)?)),
        })
    }

    fn type_ref(&self, scope: &Module, name: &str) -> Result<TypeRef, Error> {
        let (module, def) = self.reg.resolve(scope, name)?;
        Ok(TypeRef {
            mount: self.mount.clone(),
            module,
            name: name.to_owned(),
            kind: def.kind(),
        })
    }

    fn parse(&self, scope: &Module, expr: &str) -> Result<Type, Error> {
        self.resolve(scope, &Ty::parse(expr)?)
    }

    /// Every object, enum and union of one spec file.
    fn type_defs(
        &self,
        items: &mut BTreeMap<Key, Item>,
        m: &Module,
        t: &TypeDefs,
        features: &BTreeMap<String, BTreeSet<String>>,
    ) -> Result<(), Error> {
        let ctx = |name: &str, e: Error| e.context(format!("{}: {name}", m.spec_file()));
        let mut add = |name: &String, kind: ItemKind| {
            let item = Item {
                name: name.clone(),
                features: features.get(name).cloned().unwrap_or_default(),
                kind,
            };
            items.insert((m.clone(), name.clone()), item);
        };
        for (name, o) in &t.objects {
            let key = (m.clone(), name.clone());
            let o = self
                .object(m, name, o.doc.as_deref(), &o.fields, &key)
                .map_err(|e| ctx(name, e))?;
            add(name, ItemKind::Object(o));
        }
        for (name, e) in &t.enums {
            add(
                name,
                ItemKind::Enum(lower_enum(name, e).map_err(|e| ctx(name, e))?),
            );
        }
        for (name, u) in &t.unions {
            let kind = if *m == Module::BlockKit && (u.tag.is_none() || u.missing.is_some()) {
                Err(Error::new("Block Kit unions are tagged, without `missing`"))
            } else if u.tag.is_some() {
                self.tagged_union(m, name, u).map(ItemKind::TaggedUnion)
            } else {
                self.shape_union(m, name, u).map(ItemKind::ShapeUnion)
            };
            add(name, kind.map_err(|e| ctx(name, e))?);
        }
        Ok(())
    }

    /// One field of `container`, declared in module `scope`.
    fn field(&self, scope: &Module, container: &Key, f: &FieldDef) -> Result<Field, Error> {
        let ty = Ty::parse(&f.ty).map_err(|e| e.context(&f.name))?;
        let rust = match &f.rust_name {
            Some(r) => r.clone(),
            None => snake(&f.name),
        };
        if !is_ident(&rust) {
            return Err(Error::new(format!(
                "field {:?}: bad Rust name {rust:?}",
                f.name
            )));
        }
        let slot = match (&ty, f.required) {
            (Ty::Array(_), _) => Slot::List,
            (_, true) => Slot::Required,
            (_, false) => Slot::Optional,
        };
        let ty = self.resolve(scope, &ty).map_err(|e| e.context(&f.name))?;
        let boxed = match &ty {
            Type::Named(r) if slot != Slot::List => self
                .reg
                .needs_box(&(r.module.clone(), r.name.clone()), container),
            _ => false,
        };
        let json = &f.name;
        let limits = Limits {
            max_length: f.max_length.map(|n| n as usize),
            min_items: f.min_items.map(|n| n as usize),
            max_items: f.max_items.map(|n| n as usize),
        };
        if limits.max_length.is_some() && matches!(ty, Type::List(_) | Type::Map(_)) {
            return Err(Error::new(format!("{json}: `max_length` on a list")));
        }
        if (limits.min_items.is_some() || limits.max_items.is_some()) && slot != Slot::List {
            return Err(Error::new(format!(
                "{json}: `min_items` / `max_items` on a field that is not a list"
            )));
        }
        // Response types a Block Kit type holds carry no limits.
        let mut inner = &ty;
        while let Type::List(t) | Type::Map(t) = inner {
            inner = t;
        }
        let checked = matches!(
            inner,
            Type::Named(r) if r.module == Module::BlockKit && r.kind != DefKind::Enum
        );
        Ok(Field {
            json: f.name.clone(),
            ident: ident(&rust),
            ty,
            slot,
            boxed,
            required: f.required,
            doc: f.doc.clone(),
            limits,
            checked,
        })
    }

    fn object(
        &self,
        scope: &Module,
        name: &str,
        doc: Option<&str>,
        defs: &[FieldDef],
        key: &Key,
    ) -> Result<Object, Error> {
        if defs.len() > MAX_FIELDS {
            return Err(Error::new(format!(
                "{} fields: an object holds at most {MAX_FIELDS} (crate::de::Seen)",
                defs.len()
            )));
        }
        let kit = *scope == Module::BlockKit;
        let directions = if kit || self.reg.is_serialized(key) {
            Directions::Both
        } else {
            Directions::Deserialize
        };
        let tag = if kit {
            self.kit_tags.get(name).cloned()
        } else {
            None
        };
        let mut seen = BTreeSet::new();
        let mut fields = Vec::new();
        for d in defs {
            if kit && d.name == "extra" {
                return Err(Error::new("a field may not be named `extra`"));
            }
            if tag.as_ref().is_some_and(|(k, _)| *k == d.name) {
                return Err(Error::new(format!(
                    "field {} is the union tag; the generator writes it",
                    d.name
                )));
            }
            let f = self.field(scope, key, d)?;
            if !seen.insert(f.ident.to_string()) {
                return Err(Error::new(format!("field {} appears twice", f.ident)));
            }
            if !kit && directions == Directions::Both && f.ty == Type::Secret {
                return Err(Error::new(format!(
                    "field {}: a Block Kit type holds this type, and secrets are never serialized",
                    f.ident
                )));
            }
            fields.push(f);
        }
        Ok(Object {
            name: name.to_owned(),
            doc: doc.map(str::to_owned),
            fields,
            directions,
            tag,
            exact: kit && self.exact.contains(name),
        })
    }

    fn shape_union(&self, scope: &Module, name: &str, u: &UnionDef) -> Result<ShapeUnion, Error> {
        if u.variants.is_empty() {
            return Err(Error::new("a union needs variants"));
        }
        let mut shapes = BTreeSet::new();
        let mut variants = Vec::new();
        for v in &u.variants {
            let ty = self.parse(scope, &v.ty)?;
            let (shape, tagged) = match &ty {
                Type::String | Type::Secret | Type::Id(_) => (Shape::Str, false),
                Type::Integer | Type::Time => (Shape::Int, false),
                Type::Number => (Shape::Float, false),
                Type::Boolean => (Shape::Bool, false),
                Type::List(_) => (Shape::Seq, false),
                Type::Map(_) => (Shape::Map, false),
                Type::Json => return Err(Error::new("a shape union variant cannot be `json`")),
                Type::Named(r) => match r.kind {
                    DefKind::Enum => (Shape::Str, false),
                    DefKind::Object => (Shape::Map, false),
                    DefKind::TaggedUnion => (Shape::Map, true),
                    DefKind::ShapeUnion => {
                        return Err(Error::new("a shape union cannot nest a shape union"));
                    }
                },
            };
            if !shapes.insert(shape) {
                return Err(Error::new(format!(
                    "two variants have the JSON shape {shape:?}"
                )));
            }
            variants.push(ShapeVariant {
                ident: ident(&v.name),
                spec_ty: v.ty.clone(),
                ty,
                doc: v.doc.clone(),
                shape,
                boxed: shape == Shape::Map && !tagged,
                tagged,
            });
        }
        Ok(ShapeUnion {
            name: name.to_owned(),
            doc: u.doc.clone(),
            variants,
        })
    }

    fn tagged_union(&self, scope: &Module, name: &str, u: &UnionDef) -> Result<TaggedUnion, Error> {
        let kit = *scope == Module::BlockKit;
        let tag = u
            .tag
            .clone()
            .ok_or_else(|| Error::new("a tagged union needs `tag`"))?;
        let keys = self.tag_keys(scope, u)?;
        let mut names = BTreeSet::new();
        let mut tags = BTreeSet::new();
        let mut variants = Vec::new();
        for v in &u.variants {
            if v.name == "Unknown" || !names.insert(v.name.clone()) {
                return Err(Error::new(format!(
                    "variant name {} is reserved or repeated",
                    v.name
                )));
            }
            let not_held = || {
                Error::new(format!(
                    "variant {}: type must be an object or tagged union",
                    v.name
                ))
            };
            let Ty::Named(tn) = Ty::parse(&v.ty)? else {
                return Err(not_held());
            };
            let (m, def) = self.reg.resolve(scope, &tn)?;
            let (payload, type_doc, guess_field) = match def {
                Def::Object(o) => (
                    Payload::Object {
                        exact: kit && m == Module::BlockKit && self.exact.contains(&tn),
                    },
                    o.doc.clone(),
                    if kit { None } else { tag_field(o, &tag) },
                ),
                Def::Union(inner) if inner.tag.is_some() => {
                    // The nested union is handed the tags it reads, from this scan.
                    let passed = self
                        .tag_keys(&m, inner)?
                        .iter()
                        .map(|k| {
                            keys.iter().position(|x| x == k).ok_or_else(|| {
                                Error::new(format!("tag key {k} of {tn} is not scanned"))
                            })
                        })
                        .collect::<Result<Vec<_>, Error>>()?;
                    (Payload::Union { passed }, inner.doc.clone(), None)
                }
                _ => return Err(not_held()),
            };
            let missing = u.missing.as_deref() == Some(v.name.as_str());
            let likely = u.likely.as_deref() == Some(v.name.as_str());
            if likely && (guess_field.is_none() || v.tag.is_none()) {
                return Err(Error::new(format!(
                    "likely variant {}: needs a tag and an object with an optional string field `{tag}`",
                    v.name
                )));
            }
            match &v.tag {
                Some(t) if t.is_empty() || !tags.insert(t.clone()) => {
                    return Err(Error::new(format!("tag {t:?} is empty or repeated")));
                }
                None if !missing => {
                    return Err(Error::new(format!(
                        "variant {} has no tag and is not `missing`",
                        v.name
                    )));
                }
                _ => {}
            }
            variants.push(Variant {
                name: v.name.clone(),
                ident: ident(&v.name),
                tag: v.tag.clone(),
                missing,
                ty: TypeRef {
                    mount: self.mount.clone(),
                    module: m,
                    name: tn,
                    kind: def.kind(),
                },
                doc: v.doc.clone().or(type_doc),
                payload,
                guess_field,
                likely,
            });
        }
        for (what, want) in [("missing", &u.missing), ("likely", &u.likely)] {
            if let Some(w) = want
                && !names.contains(w)
            {
                return Err(Error::new(format!(
                    "{what} variant {w} is not among the variants"
                )));
            }
        }
        let accessors = self.common_accessors(scope, u, 0)?;
        Ok(TaggedUnion {
            name: name.to_owned(),
            doc: u.doc.clone(),
            tag,
            keys,
            variants,
            accessors,
            kit,
        })
    }

    /// The tag keys a tagged union reads: its own first, then those of the
    /// tagged unions among its variants (recursively), each once. One scan of
    /// the object finds them all, and nested unions dispatch on what it found.
    fn tag_keys(&self, scope: &Module, u: &UnionDef) -> Result<Vec<String>, Error> {
        let own = u
            .tag
            .clone()
            .ok_or_else(|| Error::new("a tagged union needs `tag`"))?;
        let mut keys = vec![own];
        for v in &u.variants {
            let Ty::Named(tn) = Ty::parse(&v.ty)? else {
                continue;
            };
            let (m, def) = self.reg.resolve(scope, &tn)?;
            if let Def::Union(inner) = def
                && inner.tag.is_some()
            {
                for k in self.tag_keys(&m, inner)? {
                    if !keys.contains(&k) {
                        keys.push(k);
                    }
                }
            }
        }
        Ok(keys)
    }

    /// Accessors present with the same return type in every variant of a
    /// tagged union declared in `scope`, with each variant's read.
    fn common_accessors(
        &self,
        scope: &Module,
        u: &UnionDef,
        depth: usize,
    ) -> Result<BTreeMap<String, Vec<Access>>, Error> {
        if depth > MAX_NESTING {
            return Err(Error::new(format!(
                "tagged unions nest more than {MAX_NESTING} deep"
            )));
        }
        let mut common: Option<BTreeMap<String, Vec<Access>>> = None;
        for v in &u.variants {
            let Ty::Named(n) = Ty::parse(&v.ty)? else {
                return Err(Error::new(format!(
                    "variant {} is not a named type",
                    v.name
                )));
            };
            let (m, def) = self.reg.resolve(scope, &n)?;
            let key = (m.clone(), n);
            let mut acc: BTreeMap<String, Access> = BTreeMap::new();
            match def {
                Def::Object(o) => {
                    for f in &o.fields {
                        let f = self.field(&m, &key, f)?;
                        acc.insert(f.ident.to_string(), f.access());
                    }
                }
                Def::Union(inner) if inner.tag.is_some() => {
                    for (k, reads) in self.common_accessors(&m, inner, depth + 1)? {
                        if let Some(first) = reads.first() {
                            acc.insert(k, first.through_method());
                        }
                    }
                }
                _ => {}
            }
            common = Some(match common {
                None => acc.into_iter().map(|(k, a)| (k, vec![a])).collect(),
                Some(c) => c
                    .into_iter()
                    .filter_map(|(k, mut reads)| {
                        let a = acc.remove(&k)?;
                        (a.returns == reads[0].returns).then(|| {
                            reads.push(a);
                            (k, reads)
                        })
                    })
                    .collect(),
            });
        }
        Ok(common.unwrap_or_default())
    }

    /// For each `types.json` name, the features (families, `events`) whose
    /// methods, family types or events reach it, directly or through other
    /// shared types.
    fn shared_features(&self, spec: &Spec) -> Result<BTreeMap<String, BTreeSet<String>>, Error> {
        let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        let mut visit = |feature: &str, scope: &Module, roots: Vec<&str>| -> Result<(), Error> {
            let mut stack: Vec<(Module, Ty)> = Vec::new();
            for r in roots {
                stack.push((scope.clone(), Ty::parse(r)?));
            }
            let mut seen = BTreeSet::new();
            while let Some((sc, ty)) = stack.pop() {
                match ty {
                    Ty::Array(t) | Ty::Map(t) => stack.push((sc, *t)),
                    Ty::Named(n) => {
                        let (m, def) = self.reg.resolve(&sc, &n)?;
                        if m != Module::Types || !seen.insert(n.clone()) {
                            continue;
                        }
                        out.entry(n).or_default().insert(feature.to_owned());
                        for t in inner_types(def) {
                            stack.push((Module::Types, Ty::parse(t)?));
                        }
                    }
                    _ => {}
                }
            }
            Ok(())
        };
        fn own_types(t: &TypeDefs) -> Vec<&str> {
            let mut v: Vec<&str> = Vec::new();
            for o in t.objects.values() {
                v.extend(o.fields.iter().map(|f| f.ty.as_str()));
            }
            for u in t.unions.values() {
                v.extend(u.variants.iter().map(|x| x.ty.as_str()));
            }
            v
        }
        for (name, fam) in &spec.families {
            let mut roots = own_types(&fam.types);
            for m in &fam.methods {
                roots.extend(m.args.iter().map(|a| a.ty.as_str()));
                roots.extend(m.response.fields.iter().map(|f| f.ty.as_str()));
            }
            visit(name, &Module::Family(name.clone()), roots)?;
        }
        visit("events", &Module::Events, own_types(&spec.events))?;
        Ok(out)
    }

    /// The Block Kit objects that write back exactly what they read, so one
    /// missing a required field can be kept raw by writing itself back: every
    /// field a string, ID, boolean, integer, raw JSON, enum, an exact object, a
    /// union of exact objects, or a list of those. A number reads `3` as `3.0`,
    /// and a response type is lenient (it coerces and drops).
    fn exact_objects(&self, kit: &TypeDefs) -> Result<BTreeSet<String>, Error> {
        let mut exact: BTreeSet<String> = kit.objects.keys().cloned().collect();
        loop {
            let mut changed = false;
            for (name, o) in &kit.objects {
                if !exact.contains(name) {
                    continue;
                }
                for f in &o.fields {
                    if !self.exact_ty(&Ty::parse(&f.ty)?, &exact)? {
                        exact.remove(name);
                        changed = true;
                        break;
                    }
                }
            }
            if !changed {
                return Ok(exact);
            }
        }
    }

    fn exact_ty(&self, ty: &Ty, exact: &BTreeSet<String>) -> Result<bool, Error> {
        Ok(match ty {
            Ty::String | Ty::Id(_) | Ty::Integer | Ty::Time | Ty::Boolean | Ty::Json => true,
            Ty::Number | Ty::Secret | Ty::Map(_) => false,
            Ty::Array(t) => self.exact_ty(t, exact)?,
            Ty::Named(n) => match self.reg.resolve(&Module::BlockKit, n)? {
                (Module::BlockKit, Def::Enum) => true,
                (Module::BlockKit, Def::Object(_)) => exact.contains(n),
                (Module::BlockKit, Def::Union(u)) => {
                    let mut all = true;
                    for v in &u.variants {
                        all &= self.exact_ty(&Ty::parse(&v.ty)?, exact)?;
                    }
                    all
                }
                _ => false,
            },
        })
    }

    fn family(&self, fam: &FamilyDef, scope: &Module) -> Result<Family, Error> {
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

/// The type expressions a definition holds directly.
fn inner_types<'a>(def: Def<'a>) -> Vec<&'a str> {
    match def {
        Def::Object(o) => o.fields.iter().map(|f| f.ty.as_str()).collect(),
        Def::Union(u) => u.variants.iter().map(|v| v.ty.as_str()).collect(),
        Def::Enum => Vec::new(),
    }
}

/// What an argument's (element) type converts as.
fn scalar(ty: &Type) -> Result<Scalar, Error> {
    Ok(match ty {
        Type::String => Scalar::Str,
        Type::Secret => Scalar::Secret,
        Type::Id(_) => Scalar::Id,
        Type::Integer => Scalar::Int,
        Type::Time => {
            return Err(Error::new(
                "a `time` argument is not supported: arguments take `integer` seconds",
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

/// For each Block Kit object that is a variant of a Block Kit union, the tag
/// key and value it writes.
fn variant_tags(kit: &TypeDefs) -> Result<BTreeMap<String, (String, String)>, Error> {
    let mut out: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (uname, u) in &kit.unions {
        let Some(key) = &u.tag else {
            continue;
        };
        for v in &u.variants {
            let Some(value) = &v.tag else {
                continue;
            };
            if !kit.objects.contains_key(&v.ty) {
                continue;
            }
            let tag = (key.clone(), value.clone());
            match out.insert(v.ty.clone(), tag.clone()) {
                Some(prev) if prev != tag => {
                    return Err(Error::new(format!(
                        "spec/block_kit.json: {} is `{}: {}` in one union and `{key}: {value}` in {uname}",
                        v.ty, prev.0, prev.1
                    )));
                }
                _ => {}
            }
        }
    }
    Ok(out)
}

/// The Rust name of `object`'s optional string field named `tag`, which a
/// guessed variant is checked by (`crate::de::guess`).
fn tag_field(object: &ObjectDef, tag: &str) -> Option<Ident> {
    let f = object
        .fields
        .iter()
        .find(|f| f.name == tag && f.ty == "string" && !f.required)?;
    Some(ident(f.rust_name.as_deref().unwrap_or(&snake(&f.name))))
}

/// A string enum: variant names for its values, unique and never `Unknown`.
fn lower_enum(name: &str, e: &EnumDef) -> Result<Enum, Error> {
    let mut seen = BTreeSet::new();
    let mut values_seen = BTreeSet::new();
    let mut values = Vec::new();
    for v in &e.values {
        if !values_seen.insert(v) {
            return Err(Error::new(format!("value {v:?} appears twice")));
        }
        let mut n = camel(v);
        if n == "Unknown" {
            n = "UnknownValue".into();
        }
        let base = n.clone();
        let mut i = 2;
        while !seen.insert(n.clone()) {
            n = format!("{base}{i}");
            i += 1;
        }
        values.push((v.clone(), ident(&n)));
    }
    Ok(Enum {
        name: name.to_owned(),
        doc: e.doc.clone(),
        values,
    })
}
