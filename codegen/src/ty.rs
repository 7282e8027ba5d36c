//! Type expressions and name resolution across the spec's modules, for
//! [`crate::lower`].

use std::collections::{BTreeMap, BTreeSet};

use crate::Error;
use crate::ir::{DefKind, Key, Module};
use crate::spec::{ObjectDef, Spec, TypeDefs, UnionDef};

/// The hand-written ID newtypes in `crate::ids`.
pub(crate) const IDS: &[&str] = &[
    "AppId",
    "BotId",
    "ChannelId",
    "EnterpriseId",
    "FileId",
    "TeamId",
    "Ts",
    "UserGroupId",
    "UserId",
];

/// Names generated code uses unqualified; a spec type may not shadow them.
const RESERVED: &[&str] = &[
    "Option", "Some", "None", "Vec", "String", "Box", "Result", "Ok", "Err", "Default", "Self",
    "Client",
];

/// A parsed type expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Ty {
    String,
    /// A string that must never be printed: `crate::Secret`.
    Secret,
    Integer,
    /// Whole seconds since the Unix epoch: `crate::ids::UnixTime`.
    Time,
    /// A length of time in whole seconds (`expires_in`): `std::time::Duration`.
    Seconds,
    Number,
    Boolean,
    Json,
    Id(String),
    Named(String),
    Array(Box<Ty>),
    Map(Box<Ty>),
}

impl Ty {
    pub(crate) fn parse(s: &str) -> Result<Ty, Error> {
        let s = s.trim();
        if let Some(inner) = s.strip_prefix('[').and_then(|r| r.strip_suffix(']')) {
            return Ok(Ty::Array(Box::new(Ty::parse(inner)?)));
        }
        if let Some(inner) = s.strip_prefix('{').and_then(|r| r.strip_suffix('}')) {
            return Ok(Ty::Map(Box::new(Ty::parse(inner)?)));
        }
        Ok(match s {
            "string" => Ty::String,
            "secret" => Ty::Secret,
            "integer" => Ty::Integer,
            "time" => Ty::Time,
            "seconds" => Ty::Seconds,
            "number" => Ty::Number,
            "boolean" => Ty::Boolean,
            "json" => Ty::Json,
            id if IDS.contains(&id) => Ty::Id(id.to_owned()),
            name if crate::names::is_ident(name) => Ty::Named(name.to_owned()),
            other => return Err(Error::new(format!("bad type expression {other:?}"))),
        })
    }
}

/// A definition, by kind.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Def<'a> {
    Object(&'a ObjectDef),
    Enum,
    Union(&'a UnionDef),
}

impl Def<'_> {
    pub(crate) fn kind(&self) -> DefKind {
        match self {
            Def::Object(_) => DefKind::Object,
            Def::Enum => DefKind::Enum,
            Def::Union(u) if u.tag.is_some() => DefKind::TaggedUnion,
            Def::Union(_) => DefKind::ShapeUnion,
        }
    }
}

/// Every definition of the spec, for resolving names and finding cycles.
pub(crate) struct Registry<'a> {
    pub(crate) defs: BTreeMap<Key, Def<'a>>,
    /// Keys each definition reaches through direct (unboxed) containment.
    reach: BTreeMap<Key, BTreeSet<Key>>,
    /// Response types a Block Kit type holds (an attachment's files): they
    /// are sent back too, so they also derive `Serialize`.
    serialized: BTreeSet<Key>,
    /// Objects too large to hold inline where [`boxed_if_large`] allows
    /// boxing them (see [`INLINE_MAX`]).
    large: BTreeSet<Key>,
    /// Objects some field holds boxed.
    held_boxed: BTreeSet<Key>,
}

/// The estimated size in bytes above which an object in another object's
/// optional field is boxed. A struct is copied whole whenever it moves:
/// held inline, a bot profile made every message event 600 bytes larger,
/// and a reaction event that may hold a message was 3.5 KiB. Required
/// fields stay inline, as they are read on every use; Block Kit types too:
/// they are also built by hand, and their unions box their variants.
const INLINE_MAX: usize = 128;

/// Whether a field of `container` holding `target` is boxed when `target`
/// is larger than [`INLINE_MAX`]: an optional field, neither side Block Kit.
fn boxed_if_large(target: &Key, container: &Key, optional: bool) -> bool {
    optional && target.0 != Module::BlockKit && container.0 != Module::BlockKit
}

fn add_defs<'a>(
    defs: &mut BTreeMap<Key, Def<'a>>,
    m: &Module,
    t: &'a TypeDefs,
) -> Result<(), Error> {
    let mut seen = BTreeSet::new();
    let names = t
        .objects
        .iter()
        .map(|(n, d)| (n, Def::Object(d)))
        .chain(t.enums.keys().map(|n| (n, Def::Enum)))
        .chain(t.unions.iter().map(|(n, d)| (n, Def::Union(d))));
    for (name, def) in names {
        if !seen.insert(name.clone()) {
            return Err(Error::new(format!(
                "{}: {name} is defined twice",
                m.spec_file()
            )));
        }
        if !crate::names::is_ident(name) || RESERVED.contains(&name.as_str()) {
            return Err(Error::new(format!(
                "{}: {name:?} is not a usable type name",
                m.spec_file()
            )));
        }
        if IDS.contains(&name.as_str()) {
            return Err(Error::new(format!(
                "{}: {name} shadows an ID type",
                m.spec_file()
            )));
        }
        defs.insert((m.clone(), name.clone()), def);
    }
    Ok(())
}

impl<'a> Registry<'a> {
    pub(crate) fn new(spec: &'a Spec) -> Result<Registry<'a>, Error> {
        let mut defs = BTreeMap::new();
        add_defs(&mut defs, &Module::Types, &spec.types)?;
        add_defs(&mut defs, &Module::Events, &spec.events)?;
        add_defs(&mut defs, &Module::BlockKit, &spec.block_kit)?;
        for name in spec.block_kit.names() {
            if defs.contains_key(&(Module::Types, name.to_owned())) {
                return Err(Error::new(format!(
                    "spec/block_kit.json: {name} is also defined in spec/types.json"
                )));
            }
        }
        for (name, fam) in &spec.families {
            add_defs(&mut defs, &Module::Family(name.clone()), &fam.types)?;
        }
        let mut reg = Registry {
            defs,
            reach: BTreeMap::new(),
            serialized: BTreeSet::new(),
            large: BTreeSet::new(),
            held_boxed: BTreeSet::new(),
        };
        // Direct containment edges; arrays and maps are already indirect.
        let mut edges: BTreeMap<Key, Vec<Key>> = BTreeMap::new();
        for (key, def) in &reg.defs {
            let mut out = Vec::new();
            let tys: Vec<&str> = match def {
                Def::Object(o) => o.fields.iter().map(|f| f.ty.as_str()).collect(),
                Def::Union(u) => u.variants.iter().map(|v| v.ty.as_str()).collect(),
                Def::Enum => Vec::new(),
            };
            for t in tys {
                let ty = Ty::parse(t)
                    .map_err(|e| Error::new(format!("{}: {}: {e}", key.0.spec_file(), key.1)))?;
                if let Ty::Named(n) = ty {
                    let (m, _) = reg.resolve(&key.0, &n).map_err(|e| {
                        Error::new(format!("{}: {}: {e}", key.0.spec_file(), key.1))
                    })?;
                    out.push((m, n));
                }
            }
            edges.insert(key.clone(), out);
        }
        for key in reg.defs.keys() {
            let mut seen = BTreeSet::new();
            let mut stack: Vec<&Key> = edges[key].iter().collect();
            while let Some(k) = stack.pop() {
                if seen.insert(k.clone()) {
                    stack.extend(edges[k].iter());
                }
            }
            reg.reach.insert(key.clone(), seen);
        }
        // Everything Block Kit reaches, through arrays and maps too.
        let mut stack: Vec<Key> = reg
            .defs
            .keys()
            .filter(|k| k.0 == Module::BlockKit)
            .cloned()
            .collect();
        let mut seen = BTreeSet::new();
        while let Some(key) = stack.pop() {
            if !seen.insert(key.clone()) {
                continue;
            }
            let tys: Vec<&str> = match reg.defs[&key] {
                Def::Object(o) => o.fields.iter().map(|f| f.ty.as_str()).collect(),
                Def::Union(u) => u.variants.iter().map(|v| v.ty.as_str()).collect(),
                Def::Enum => Vec::new(),
            };
            for t in tys {
                let mut ty = Ty::parse(t)?;
                while let Ty::Array(inner) | Ty::Map(inner) = ty {
                    ty = *inner;
                }
                if let Ty::Named(n) = ty {
                    let (m, _) = reg.resolve(&key.0, &n)?;
                    stack.push((m, n));
                }
            }
        }
        reg.serialized = seen
            .into_iter()
            .filter(|k| k.0 != Module::BlockKit)
            .collect();
        let mut sizes = BTreeMap::new();
        for key in reg.defs.keys() {
            reg.estimate(key, &mut sizes)?;
        }
        reg.large = sizes
            .into_iter()
            .filter(|(k, size)| *size > INLINE_MAX && matches!(reg.defs[k], Def::Object(_)))
            .map(|(k, _)| k)
            .collect();
        let mut held_boxed = BTreeSet::new();
        for (container, def) in &reg.defs {
            let Def::Object(o) = def else { continue };
            for f in &o.fields {
                if let Ty::Named(n) = Ty::parse(&f.ty)? {
                    let (m, def) = reg.resolve(&container.0, &n)?;
                    let target = (m, n);
                    if matches!(def, Def::Object(_)) && reg.boxes(&target, container, !f.required) {
                        held_boxed.insert(target);
                    }
                }
            }
        }
        reg.held_boxed = held_boxed;
        Ok(reg)
    }

    /// Whether some field holds the object `key` boxed.
    pub(crate) fn is_held_boxed(&self, key: &Key) -> bool {
        self.held_boxed.contains(key)
    }

    /// The estimated size of the Rust type of `key` held inline, with its
    /// own fields boxed as [`Registry::boxes`] decides. A field's size is
    /// that of its 64-bit layout, an `Option` costing nothing extra where
    /// the type has a spare bit pattern; unions count their boxed variants.
    fn estimate(&self, key: &Key, sizes: &mut BTreeMap<Key, usize>) -> Result<usize, Error> {
        if let Some(&size) = sizes.get(key) {
            return Ok(size);
        }
        let size = match self.defs[key] {
            Def::Enum => 24,
            Def::Union(_) => 40,
            Def::Object(o) => {
                let mut total = 0;
                for f in &o.fields {
                    total += match Ty::parse(&f.ty)? {
                        Ty::Array(_) | Ty::Map(_) | Ty::String | Ty::Secret | Ty::Id(_) => 24,
                        Ty::Integer | Ty::Number | Ty::Time | Ty::Seconds => 16,
                        Ty::Boolean => 1,
                        Ty::Json => 32,
                        Ty::Named(n) => {
                            let (m, def) = self.resolve(&key.0, &n)?;
                            let target = (m, n);
                            match def {
                                Def::Enum => 24,
                                Def::Union(_) => 40,
                                Def::Object(_) if self.needs_box(&target, key) => 8,
                                Def::Object(_) => {
                                    let inner = self.estimate(&target, sizes)?;
                                    if inner > INLINE_MAX
                                        && boxed_if_large(&target, key, !f.required)
                                    {
                                        8
                                    } else {
                                        inner
                                    }
                                }
                            }
                        }
                    };
                }
                total
            }
        };
        sizes.insert(key.clone(), size);
        Ok(size)
    }

    /// Resolves a type name seen in `scope`: the scope's own definitions
    /// first, then `types.json`, then `block_kit.json`.
    pub(crate) fn resolve(&self, scope: &Module, name: &str) -> Result<(Module, Def<'a>), Error> {
        let key = (scope.clone(), name.to_owned());
        if let Some(d) = self.defs.get(&key) {
            return Ok((scope.clone(), *d));
        }
        for m in [Module::Types, Module::BlockKit] {
            if let Some(d) = self.defs.get(&(m.clone(), name.to_owned())) {
                return Ok((m, *d));
            }
        }
        Err(Error::new(format!("unknown type {name}")))
    }

    /// Whether a response type must also serialize: a Block Kit type holds it.
    pub(crate) fn is_serialized(&self, key: &Key) -> bool {
        self.serialized.contains(key)
    }

    /// Whether a field holding the definition `target` directly inside
    /// `container` is boxed: it must be ([`Registry::needs_box`]), or it is
    /// `optional` and `target` too large to hold inline in a response or
    /// event type.
    pub(crate) fn boxes(&self, target: &Key, container: &Key, optional: bool) -> bool {
        self.needs_box(target, container)
            || (boxed_if_large(target, container, optional) && self.large.contains(target))
    }

    /// Whether a field holding the definition `target` directly inside
    /// `container` must be boxed: `target` contains `container`.
    fn needs_box(&self, target: &Key, container: &Key) -> bool {
        target == container
            || self
                .reach
                .get(target)
                .is_some_and(|r| r.contains(container))
    }
}
