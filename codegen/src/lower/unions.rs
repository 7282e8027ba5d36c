//! Shape unions and tagged unions: variants, tag keys, the tags nested
//! unions are handed, and the accessors every variant shares.

use std::collections::{BTreeMap, BTreeSet};

use proc_macro2::Ident;

use super::{Lower, MAX_NESTING};
use crate::Error;
use crate::ir::{
    Access, DefKind, Module, Payload, Shape, ShapeUnion, ShapeVariant, TaggedUnion, Type, TypeRef,
    Variant,
};
use crate::names::{ident, snake};
use crate::spec::{ObjectDef, UnionDef};
use crate::ty::{Def, Ty};

impl Lower<'_> {
    pub(super) fn shape_union(
        &self,
        scope: &Module,
        name: &str,
        u: &UnionDef,
    ) -> Result<ShapeUnion, Error> {
        if u.variants.is_empty() {
            return Err(Error::new("a union needs variants"));
        }
        let mut shapes = BTreeSet::new();
        let mut variants = Vec::new();
        for v in &u.variants {
            let ty = self.parse(scope, &v.ty)?;
            let (shape, tagged) = match &ty {
                Type::String | Type::Secret | Type::Id(_) => (Shape::Str, false),
                Type::Integer | Type::Time | Type::Seconds => (Shape::Int, false),
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

    pub(super) fn tagged_union(
        &self,
        scope: &Module,
        name: &str,
        u: &UnionDef,
    ) -> Result<TaggedUnion, Error> {
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
