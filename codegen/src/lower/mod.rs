//! `lower`: the spec resolved once into the [`Ir`]. Every type expression is
//! parsed, every name resolved and every rule checked here, so emitters
//! only print; an error names the spec file and the definition.

mod block_kit;
mod features;
mod methods;
mod unions;

use std::collections::{BTreeMap, BTreeSet};

use crate::Error;
use crate::ir::{
    DefKind, Directions, Enum, Field, Ir, Item, ItemKind, Key, Limits, Module, Object, Slot, Type,
    TypeRef,
};
use crate::lint;
use crate::mount::Mount;
use crate::names::{camel, ident, is_ident, snake};
use crate::spec::{EnumDef, FieldDef, Spec, TypeDefs};
use crate::ty::{Registry, Ty};
use block_kit::variant_tags;

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
        union_tags: union_tags(spec),
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
    /// The tagged unions outside Block Kit: their tag keys, and the names of
    /// their variants' types.
    union_tags: (BTreeSet<String>, BTreeSet<String>),
}

/// The tag keys of every tagged union outside Block Kit, and its variants'
/// type names.
fn union_tags(spec: &Spec) -> (BTreeSet<String>, BTreeSet<String>) {
    let unions = || {
        std::iter::once(&spec.types)
            .chain([&spec.events])
            .chain(spec.families.values().map(|f| &f.types))
            .flat_map(|t| t.unions.values())
            .filter(|u| u.tag.is_some())
    };
    let keys = unions().filter_map(|u| u.tag.clone()).collect();
    let variants = unions()
        .flat_map(|u| &u.variants)
        .map(|v| v.ty.rsplit('.').next().unwrap_or(&v.ty).to_owned())
        .collect();
    (keys, variants)
}

impl Lower<'_> {
    /// A parsed type expression, resolved in `scope`.
    fn resolve(&self, scope: &Module, ty: &Ty) -> Result<Type, Error> {
        Ok(match ty {
            Ty::String => Type::String,
            Ty::Secret => Type::Secret,
            Ty::Integer => Type::Integer,
            Ty::Time => Type::Time,
            Ty::Seconds => Type::Seconds,
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
            Type::Named(r) if slot != Slot::List => self.reg.boxes(
                &(r.module.clone(), r.name.clone()),
                container,
                slot == Slot::Optional,
            ),
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
        let mut tag_slots = Vec::new();
        for (i, d) in defs.iter().enumerate() {
            let (tag_keys, variants) = &self.union_tags;
            if !kit
                && variants.contains(name)
                && d.ty == "string"
                && !d.required
                && tag_keys.contains(&d.name)
            {
                tag_slots.push(i);
            }
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
            // `Duration` would serialize as serde's `{secs, nanos}`, not seconds.
            if directions == Directions::Both && f.ty.element() == &Type::Seconds {
                return Err(Error::new(format!(
                    "field {}: `seconds` fields are read only, and this type is also sent",
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
            held_boxed: self.reg.is_held_boxed(key),
            tag_slots,
        })
    }
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
