//! What the generated [`block_kit`](crate::block_kit) types are built on:
//! the keys they keep ([`Extra`]), the limits they check ([`Check`]) and
//! the constructors that make them pleasant to build.

mod build;
mod content;
mod limits;

use serde::ser::SerializeMap;
use serde_json::Value;

pub use content::MessageContent;
pub use limits::{Check, LimitError, Path};
pub(crate) use limits::{check_items, check_length};

/// Keys of a Block Kit object that this version of the spec does not know,
/// and values of known keys in a shape it does not expect, in the order
/// they came. Serializing the object writes them back, so what Slack sends
/// survives a read-modify-write (`chat.update` of a message read back).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extra(Vec<(String, Value)>);

impl Extra {
    /// Whether nothing was kept.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The kept value of `key`.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets a key the spec does not know, replacing a kept value.
    pub fn insert(&mut self, key: impl Into<String>, value: Value) {
        let key = key.into();
        match self.0.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.0.push((key, value)),
        }
    }

    /// Removes a kept key.
    pub fn remove(&mut self, key: &str) -> Option<Value> {
        let i = self.0.iter().position(|(k, _)| k == key)?;
        Some(self.0.remove(i).1)
    }

    /// The kept keys and values, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// Keeps a decoded key (a repeated key keeps its last value, as serde does).
    pub(crate) fn push(&mut self, key: String, value: Value) {
        self.insert(key, value);
    }

    /// Writes the kept entries, except keys whose typed field `is_set`
    /// (the field wins once code has set it).
    pub(crate) fn write<M: SerializeMap>(
        &self,
        map: &mut M,
        is_set: impl Fn(&str) -> bool,
    ) -> Result<(), M::Error> {
        for (k, v) in &self.0 {
            if !is_set(k) {
                map.serialize_entry(k, v)?;
            }
        }
        Ok(())
    }
}
