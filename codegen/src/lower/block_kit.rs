//! What Block Kit needs beyond the response types: which objects write
//! back exactly what they read, and the tag each union variant writes.

use std::collections::{BTreeMap, BTreeSet};

use super::Lower;
use crate::Error;
use crate::ir::Module;
use crate::spec::TypeDefs;
use crate::ty::{Def, Ty};

impl Lower<'_> {
    /// The Block Kit objects that write back exactly what they read, so one
    /// missing a required field can be kept raw by writing itself back: every
    /// field a string, ID, boolean, integer, raw JSON, enum, an exact object, a
    /// union of exact objects, or a list of those. A number reads `3` as `3.0`,
    /// and a response type is lenient (it coerces and drops).
    pub(super) fn exact_objects(&self, kit: &TypeDefs) -> Result<BTreeSet<String>, Error> {
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
            Ty::Number | Ty::Secret | Ty::Seconds | Ty::Map(_) => false,
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
}

/// For each Block Kit object that is a variant of a Block Kit union, the tag
/// key and value it writes.
pub(super) fn variant_tags(kit: &TypeDefs) -> Result<BTreeMap<String, (String, String)>, Error> {
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
