//! Block Kit values decoded in one pass, by the parser already running.
//!
//! A rich text block is three nested unions, and each used to take its
//! value's text (a copy), scan it for the tag and parse it again with a
//! parser of its own; an object with a required field was copied and parsed
//! twice the same way, so it could be kept raw when the field was missing.
//! Here a union reads its first key, and when that is the tag (Slack writes
//! `type` first) the variant decodes the rest of the same map. An object
//! records the required fields it did not find instead of failing, and one
//! that misses any is turned back into JSON from itself: exact for objects
//! whose every field writes back what it read ([`KitObject::EXACT`]).
//!
//! The rest takes the buffered path, on the value's text: a tag that is not
//! first, an object that might not write back exactly, and a decode outside
//! a depth-checked text (the buffered path checks the depth itself).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, Deserializer, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keep::{Kept, Key};
use super::raw::RawText;
use super::{DecodeError, Lenient, budget};
use crate::kit::Extra;

/// The required fields an object did not find (or found of another shape).
pub(crate) type Missing = Vec<&'static str>;

/// A generated Block Kit object.
pub(crate) trait KitObject: Serialize + Sized {
    /// Whether every field writes back exactly what it read (no `f64`, no
    /// response types), so a copy of the input is never needed.
    const EXACT: bool;

    /// The union tag it writes, for a variant object.
    const TAG: Option<&'static str>;

    /// Decodes the keys of `map`, without failing on a missing required
    /// field. An incomplete object that was not given its tag lists the tag
    /// last, so its raw copy has none either.
    fn decode_map<'de, A: MapAccess<'de>>(map: A) -> Result<(Self, Missing), A::Error>;

    fn extra(&self) -> &Extra;
}

/// A generated Block Kit union.
pub(crate) trait KitUnion: Sized {
    const NAME: &'static str;
    const TAG: &'static str;

    /// Decodes the variant tagged `tag` from the rest of its object, or
    /// gives the map back when the tag is unknown.
    fn variant<'de, A: MapAccess<'de>>(tag: &str, map: A) -> Result<Result<Self, A>, A::Error>;

    fn unknown(raw: Value) -> Self;

    /// The buffered path: the union's `from_json`.
    fn from_text(s: &str) -> Result<Self, DecodeError>;
}

/// The error a strict decode (`Deserialize`) gives for an incomplete object.
pub(crate) fn incomplete<E: de::Error>(missing: &[&'static str], extra: &Extra) -> E {
    let field = missing[0];
    match extra.get(field) {
        Some(v) => E::custom(format_args!("`{field}`: unexpected value {v}")),
        None => E::missing_field(field),
    }
}

/// An incomplete object as the JSON it came from: itself written back,
/// without the required fields it did not find (the slots hold defaults),
/// with what `extra` kept for them.
fn rebuild<T: KitObject>(v: &T, missing: &[&'static str]) -> Value {
    let mut raw = serde_json::to_value(v).unwrap_or(Value::Null);
    if let Value::Object(m) = &mut raw {
        for &k in missing {
            m.remove(k);
            if let Some(x) = v.extra().get(k) {
                m.insert(k.to_owned(), x.clone());
            }
        }
    }
    raw
}

/// Decodes a union variant from the rest of its map: the object, or its raw
/// JSON (reported to drift detection) when a required field is missing.
pub(crate) fn variant<'de, A, T>(
    map: A,
    union: &'static str,
    tag: &str,
) -> Result<Result<T, Value>, A::Error>
where
    A: MapAccess<'de>,
    T: KitObject,
{
    let (v, missing) = T::decode_map(map)?;
    if missing.is_empty() {
        return Ok(Ok(v));
    }
    crate::drift::unreadable_variant(union, tag, &format!("missing field `{}`", missing[0]));
    let mut raw = rebuild(&v, &missing);
    // The union read the tag: it came, unless the object kept another.
    if let (Value::Object(m), Some(k)) = (&mut raw, T::TAG) {
        m.entry(k).or_insert_with(|| Value::String(tag.to_owned()));
    }
    Ok(Err(raw))
}

/// The JSON text of an object whose first key (and its raw value) was read,
/// with the rest of `map`: for the buffered path.
fn object_text<'de, A: MapAccess<'de>>(
    mut map: A,
    key: &str,
    first: &str,
) -> Result<String, A::Error> {
    let mut s = String::with_capacity(first.len() + 64);
    s.push('{');
    push_key(&mut s, key);
    s.push_str(first);
    while let Some(k) = map.next_key::<Key<'de>>()? {
        let v: RawText<'de> = map.next_value()?;
        s.push(',');
        push_key(&mut s, k.as_str());
        s.push_str(v.get());
    }
    s.push('}');
    Ok(s)
}

fn push_key(s: &mut String, key: &str) {
    if key.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        s.push('"');
        s.push_str(key);
        s.push('"');
    } else {
        s.push_str(&serde_json::to_string(key).unwrap_or_default());
    }
    s.push(':');
}

/// For a variant that takes the buffered path: the text of its object, the
/// tag (already read) first.
pub(crate) fn rest_text<'de, A: MapAccess<'de>>(
    map: A,
    tag_key: &str,
    tag: &str,
) -> Result<String, A::Error> {
    object_text(
        map,
        tag_key,
        &serde_json::to_string(tag).unwrap_or_default(),
    )
}

/// The rest of `map` as a `Value`, after its first entry.
#[cold]
#[inline(never)]
fn rest_value<'de, A: MapAccess<'de>>(
    mut map: A,
    key: Key<'de>,
    first: Value,
) -> Result<Value, A::Error> {
    let mut m = serde_json::Map::new();
    m.insert(key.into_string(), first);
    while let Some((k, v)) = map.next_entry::<String, Value>()? {
        m.insert(k, v);
    }
    Ok(Value::Object(m))
}

/// A union's object, read from an opened map. Only the path of an object
/// whose first key is a known tag is inline here: this runs once per block
/// and element, and the rest is kept out of the way of its cache lines.
#[inline(always)]
fn union_map<'de, A: MapAccess<'de>, T: KitUnion>(mut map: A) -> Result<T, A::Error> {
    let Some(key) = map.next_key::<Key<'de>>()? else {
        return Ok(T::unknown(empty_union(T::NAME, T::TAG)));
    };
    if key.as_str() != T::TAG {
        return tag_later(map, key);
    }
    match map.next_value_seed(TagSeed)? {
        Kept::Typed(tag) => match T::variant(&tag, map)? {
            Ok(v) => Ok(v),
            Err(map) => unknown_raw(map, key, tag, T::NAME, T::TAG).map(T::unknown),
        },
        // A tag that is not a string: kept raw, as the buffered path does.
        Kept::Raw(v) => rest_value(map, key, v).map(T::unknown),
    }
}

/// A union's empty object: no tag, kept raw.
#[cold]
#[inline(never)]
fn empty_union(name: &'static str, tag_key: &'static str) -> Value {
    crate::drift::unknown_tag(name, tag_key, None);
    Value::Object(serde_json::Map::new())
}

/// A union's object whose first key is not the tag: the tag comes later
/// (or not at all). The object's text, with the tag moved first in it and
/// in every object inside, decoded in one pass; failing that, the buffered
/// path.
#[cold]
#[inline(never)]
fn tag_later<'de, A: MapAccess<'de>, T: KitUnion>(
    mut map: A,
    key: Key<'de>,
) -> Result<T, A::Error> {
    let first: RawText<'de> = map.next_value()?;
    let text = object_text(map, key.as_str(), first.get())?;
    if matches!(crate::drift::mode(), crate::drift::Mode::Off)
        && let Some(text) = super::reorder::tag_first(&text, T::TAG)
    {
        return tag_first_decode(&text);
    }
    T::from_text(&text).map_err(de::Error::custom)
}

/// A union's object whose tag no variant has: the whole object, raw.
#[cold]
#[inline(never)]
fn unknown_raw<'de, A: MapAccess<'de>>(
    map: A,
    key: Key<'de>,
    tag: Cow<'de, str>,
    name: &'static str,
    tag_key: &'static str,
) -> Result<Value, A::Error> {
    crate::drift::unknown_tag(name, tag_key, Some(&tag));
    rest_value(map, key, Value::String(tag.into_owned()))
}

/// A union's object text with its tag first in every object, decoded by a
/// parser of its own in one pass (the same decoder as every body's). Used
/// outside drift detection only.
fn tag_first_decode<T: KitUnion, E: de::Error>(text: &str) -> Result<T, E> {
    let mut de = serde_json::Deserializer::from_str(text);
    let v = de::Deserializer::deserialize_map(&mut de, UnionVisitor::<T>(PhantomData))
        .and_then(|v| de.end().map(|()| v))
        .map_err(E::custom)?;
    match v {
        Kept::Typed(v) => Ok(v),
        Kept::Raw(v) => Ok(T::unknown(v)),
    }
}

/// A union's value: typed when it is an object, raw otherwise.
struct UnionVisitor<T>(PhantomData<T>);

/// The visits of a value that is not an object: kept raw as it came, for
/// a union's or an object's visitor alike.
macro_rules! keep_non_objects_raw {
    () => {
        fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Kept<T>, A::Error> {
            Value::deserialize(SeqAccessDeserializer::new(seq)).map(Kept::Raw)
        }

        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::Bool(v)))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::from(v)))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::from(v)))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::from(v)))
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::String(v.to_owned())))
        }

        fn visit_unit<E: de::Error>(self) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::Null))
        }

        fn visit_none<E: de::Error>(self) -> Result<Kept<T>, E> {
            Ok(Kept::Raw(Value::Null))
        }
    };
}

impl<'de, T: KitUnion> Visitor<'de> for UnionVisitor<T> {
    type Value = Kept<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    #[inline(always)]
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Kept<T>, A::Error> {
        union_map(map).map(Kept::Typed)
    }

    keep_non_objects_raw!();
}

/// A union tag: the string, borrowed when it has no escapes, or the raw
/// value when it is not a string.
pub(super) struct TagSeed;

impl<'de> de::DeserializeSeed<'de> for TagSeed {
    type Value = Kept<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for TagSeed {
    type Value = Kept<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a tag")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Kept::Typed(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Kept::Typed(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Kept::Typed(Cow::Owned(v)))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Kept::Raw)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Kept::Raw)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::from(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::from(v)))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::from(v)))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::Null))
    }
}

/// The old path for a union value: its raw text, dispatched by `from_json`.
#[cold]
#[inline(never)]
fn union_buffered<'de, D: Deserializer<'de>, T: KitUnion>(d: D) -> Result<Kept<T>, D::Error> {
    let raw = RawText::deserialize(d)?;
    let text = raw.get();
    if text.starts_with('{') {
        return T::from_text(text)
            .map(Kept::Typed)
            .map_err(de::Error::custom);
    }
    serde_json::from_str(text)
        .map(Kept::Raw)
        .map_err(de::Error::custom)
}

/// A union's value, typed when it is an object (a variant that does not
/// decode is kept as `Unknown`), raw otherwise.
#[inline(always)]
fn union_value<'de, D: Deserializer<'de>, T: KitUnion>(d: D) -> Result<Kept<T>, D::Error> {
    if budget::inside() {
        d.deserialize_any(UnionVisitor::<T>(PhantomData))
    } else {
        union_buffered(d)
    }
}

/// [`Lenient::keep_field`] for a Block Kit union.
#[inline(always)]
pub(crate) fn union_keep<'de, D: Deserializer<'de>, T: KitUnion>(
    d: D,
) -> Result<Kept<T>, D::Error> {
    union_value(d)
}

/// `Deserialize` for a Block Kit union: anything but an object is `Unknown`.
/// Outside a checked decode the value is buffered, for any deserializer
/// (a `Value`, an opened map), and dispatched by `from_json`.
pub(crate) fn union_deserialize<'de, D: Deserializer<'de>, T: KitUnion>(
    d: D,
) -> Result<T, D::Error> {
    if !budget::inside() {
        let value = Value::deserialize(d)?;
        return T::from_text(&value.to_string()).map_err(de::Error::custom);
    }
    Ok(match d.deserialize_any(UnionVisitor::<T>(PhantomData))? {
        Kept::Typed(v) => v,
        Kept::Raw(v) => T::unknown(v),
    })
}

/// [`Lenient::decode_field`] for a Block Kit union held by a response type.
pub(crate) fn union_field<'de, D: Deserializer<'de>, T: KitUnion>(
    d: D,
    required: bool,
) -> Result<Option<T>, D::Error> {
    match union_value(d)? {
        Kept::Typed(v) => Ok(Some(v)),
        Kept::Raw(Value::Null) if !required => Ok(None),
        Kept::Raw(_) if required => Err(de::Error::invalid_type(
            Unexpected::Other("a value that is not an object"),
            &"an object",
        )),
        Kept::Raw(v) => {
            crate::drift::type_mismatch::<T>(|| v.to_string());
            Ok(None)
        }
    }
}

/// [`Lenient::keep_field`] for a Block Kit object with required fields:
/// when one is missing the object is kept raw, and reported to drift
/// detection, rather than failing the object holding it.
pub(crate) fn object_keep<'de, D, T>(d: D, type_name: &'static str) -> Result<Kept<T>, D::Error>
where
    D: Deserializer<'de>,
    T: KitObject + Lenient + de::DeserializeOwned,
{
    if T::EXACT && budget::inside() {
        return d.deserialize_any(ObjectVisitor::<T>(type_name, PhantomData));
    }
    let raw = RawText::deserialize(d)?;
    let text = raw.get();
    if text.starts_with('{')
        && let Ok(v) = super::from_str::<T>(text)
    {
        return Ok(Kept::Typed(v));
    }
    if text.starts_with('{') {
        unreadable_object(type_name);
    }
    serde_json::from_str(text)
        .map(Kept::Raw)
        .map_err(de::Error::custom)
}

fn unreadable_object(type_name: &'static str) {
    crate::drift::unreadable_variant(type_name, "", "a required field is missing or unreadable");
}

/// An exact object's value: typed, or rebuilt raw when incomplete; any
/// other shape raw.
struct ObjectVisitor<T>(&'static str, PhantomData<T>);

impl<'de, T: KitObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = Kept<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Kept<T>, A::Error> {
        let (v, missing) = T::decode_map(map)?;
        if missing.is_empty() {
            return Ok(Kept::Typed(v));
        }
        unreadable_object(self.0);
        Ok(Kept::Raw(rebuild(&v, &missing)))
    }

    keep_non_objects_raw!();
}
