//! Which features (families, `events`) reach each `types.json` item, so it
//! compiles only with one of them on.

use std::collections::{BTreeMap, BTreeSet};

use super::Lower;
use crate::Error;
use crate::ir::Module;
use crate::spec::{Spec, TypeDefs};
use crate::ty::{Def, Ty};

impl Lower<'_> {
    /// For each `types.json` name, the features (families, `events`) whose
    /// methods, family types or events reach it, directly or through other
    /// shared types.
    pub(super) fn shared_features(
        &self,
        spec: &Spec,
    ) -> Result<BTreeMap<String, BTreeSet<String>>, Error> {
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
}

/// The type expressions a definition holds directly.
fn inner_types<'a>(def: Def<'a>) -> Vec<&'a str> {
    match def {
        Def::Object(o) => o.fields.iter().map(|f| f.ty.as_str()).collect(),
        Def::Union(u) => u.variants.iter().map(|v| v.ty.as_str()).collect(),
        Def::Enum => Vec::new(),
    }
}
