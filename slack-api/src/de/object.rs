//! The decoding every generated Web API object and event struct shares.
//!
//! serde's derive emits, for each struct and deserializer, a map visitor, a
//! sequence visitor, a key visitor and one wrapper type per
//! `deserialize_with` field. The generator instead emits one `match` from key
//! to field per struct ([`Object::field`]); the loop around it, the
//! duplicate and missing-field checks and the per-field decoders here are
//! shared, instantiated once per field *type* rather than once per field.
//! Decoding is what the derive did: unknown keys are skipped through
//! `IgnoredAny` (so drift sessions still see them), a key given twice is an
//! error, a missing required field is an error, and every field goes
//! through [`opt`](super::opt), [`req`](super::req) or [`vec`](super::vec()).

use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};

use super::{Key, Lenient};

/// A generated struct decoded key by key.
pub(crate) trait Object: Default {
    /// The struct's name, for "expected struct `NAME`" errors.
    const NAME: &'static str;
    /// The required fields: their index in the struct and JSON name, in
    /// declaration order (the first one absent is the one reported).
    const REQUIRED: &'static [(usize, &'static str)];

    /// Decodes the value of `key` into its field, or skips an unknown key.
    fn field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        seen: &mut Seen,
    ) -> Result<(), A::Error>;

    /// The field holding the union tag `key` (an optional string), with
    /// its index: for a variant decoded after its tags were read
    /// (`de::stream`). `None` when the struct keeps no such field.
    fn tag_slot(&mut self, key: &str) -> Option<(usize, &mut Option<String>)> {
        let _ = key;
        None
    }
}

/// Which fields were given, by their index in the struct (at most 256; the
/// generator refuses larger structs).
#[derive(Default)]
pub(crate) struct Seen([u64; 4]);

impl Seen {
    /// Marks field `i`; a second time is serde's "duplicate field" error.
    pub(super) fn first<E: de::Error>(&mut self, i: usize, name: &'static str) -> Result<(), E> {
        let (word, bit) = (i / 64, 1u64 << (i % 64));
        if self.0[word] & bit != 0 {
            return Err(E::duplicate_field(name));
        }
        self.0[word] |= bit;
        Ok(())
    }

    fn has(&self, i: usize) -> bool {
        self.0[i / 64] & (1u64 << (i % 64)) != 0
    }
}

/// The `Deserialize` of every generated object.
pub(crate) fn decode_object<'de, D: Deserializer<'de>, T: Object>(d: D) -> Result<T, D::Error> {
    d.deserialize_map(ObjectVisitor::<T>(PhantomData))
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        fill(&mut out, map)?;
        Ok(out)
    }
}

/// Decodes the entries of `map` into `out`, in place.
fn fill<'de, A: MapAccess<'de>, T: Object>(out: &mut T, map: A) -> Result<(), A::Error> {
    fill_from(out, map, Seen::default())
}

/// [`fill`] for an object some of whose fields were already set (`seen`).
pub(super) fn fill_from<'de, A: MapAccess<'de>, T: Object>(
    out: &mut T,
    mut map: A,
    mut seen: Seen,
) -> Result<(), A::Error> {
    while let Some(key) = map.next_key::<Key<'de>>()? {
        out.field(key.as_str(), &mut map, &mut seen)?;
    }
    missing(&seen, T::REQUIRED)
}

/// A generated struct decoded straight into its box, as a union's variant.
///
/// Event structs run to kilobytes (a message event is about 2 KiB): decoded
/// by value, one is copied at every layer between the decoder and the box,
/// which was a sixth of an event stream's decode time.
pub(crate) struct Boxed<T>(pub(crate) Box<T>);

impl<'de, T: Object> Deserialize<'de> for Boxed<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(BoxedVisitor::<T>(PhantomData))
    }
}

struct BoxedVisitor<T>(PhantomData<T>);

impl<'de, T: Object> Visitor<'de> for BoxedVisitor<T> {
    type Value = Boxed<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "struct {}", T::NAME)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Boxed<T>, A::Error> {
        let mut out = Box::<T>::default();
        fill(&mut *out, map)?;
        Ok(Boxed(out))
    }
}

/// The first required field not given, as serde's "missing field" error.
pub(super) fn missing<E: de::Error>(
    seen: &Seen,
    required: &'static [(usize, &'static str)],
) -> Result<(), E> {
    match required.iter().find(|(i, _)| !seen.has(*i)) {
        Some((_, name)) => Err(E::missing_field(name)),
        None => Ok(()),
    }
}

/// An optional field ([`opt`](super::opt)).
pub(crate) fn opt_field<'de, A, T>(
    map: &mut A,
    seen: &mut Seen,
    i: usize,
    name: &'static str,
    slot: &mut Option<T>,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Lenient,
{
    seen.first(i, name)?;
    *slot = map.next_value_seed(Opt(PhantomData))?;
    Ok(())
}

/// A required field ([`req`](super::req)).
pub(crate) fn req_field<'de, A, T>(
    map: &mut A,
    seen: &mut Seen,
    i: usize,
    name: &'static str,
    slot: &mut T,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Lenient,
{
    seen.first(i, name)?;
    *slot = map.next_value_seed(Req(PhantomData))?;
    Ok(())
}

/// An array field ([`vec`](super::vec())).
pub(crate) fn vec_field<'de, A, T>(
    map: &mut A,
    seen: &mut Seen,
    i: usize,
    name: &'static str,
    slot: &mut Vec<T>,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Lenient,
{
    seen.first(i, name)?;
    *slot = map.next_value_seed(List(PhantomData))?;
    Ok(())
}

/// A key the struct does not have: skipped as the derive skipped it.
pub(crate) fn skip_field<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<de::IgnoredAny>().map(drop)
}

struct Opt<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient> DeserializeSeed<'de> for Opt<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        super::opt(d)
    }
}

struct Req<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient> DeserializeSeed<'de> for Req<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<T, D::Error> {
        super::req(d)
    }
}

struct List<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient> DeserializeSeed<'de> for List<T> {
    type Value = Vec<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Vec<T>, D::Error> {
        super::vec(d)
    }
}
