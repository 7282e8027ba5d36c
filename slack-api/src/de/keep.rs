//! Decoding that loses nothing, for Block Kit objects.
//!
//! An app reads a message, changes one button and sends the blocks back with
//! `chat.update`, so a Block Kit object must write back everything it was
//! given. Generated Block Kit visitors decode each known key into its typed
//! field when the value has the shape the spec expects, and otherwise keep
//! the raw value in the object's [`Extra`], as they do for keys the spec
//! does not know. Nothing goes through serde's `flatten`, which buffers
//! every object into a map first.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Lenient, Scalar, ScalarValue, Shape};
use crate::kit::Extra;

/// A field's value: typed, or kept raw because it was `null`, empty where
/// that matters, or of a shape the spec does not expect.
#[derive(Debug)]
pub(crate) enum Kept<T> {
    Typed(T),
    Raw(Value),
}

/// An object key, borrowed from the input when it has no escapes.
#[derive(Debug)]
pub(crate) struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }

    pub(super) fn into_string(self) -> String {
        self.0.into_owned()
    }
}

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(KeyVisitor)
    }
}

/// The default [`Lenient::keep_field`]: the type's own decoding when the
/// value's shape fits (or coerces), the raw value otherwise.
pub(crate) struct KeepVisitor<T>(pub(crate) PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient> KeepVisitor<T> {
    fn accepts(shape: Shape) -> bool {
        T::SHAPE == shape || T::SHAPE == Shape::Any
    }

    /// A scalar: typed when its shape fits, raw otherwise. No coercion
    /// (`"12"` for an integer): a value is written back as it came. The raw
    /// copy is made only when it is kept.
    fn scalar<E: de::Error>(
        shape: Shape,
        de: ScalarValue<'de>,
        raw: Scalar<'_>,
    ) -> Result<Kept<T>, E> {
        if Self::accepts(shape)
            && let Ok(v) = T::deserialize(de)
        {
            return Ok(Kept::Typed(v));
        }
        Ok(Kept::Raw(scalar_value(raw)))
    }

    /// A string: straight into a text type (see [`Lenient::from_text`]),
    /// else as any scalar.
    fn text<E: de::Error>(de: ScalarValue<'de>, v: &str) -> Result<Kept<T>, E> {
        match T::from_text(v) {
            Some(typed) => Ok(Kept::Typed(typed)),
            None => Self::scalar(Shape::String, de, Scalar::Str(v)),
        }
    }
}

/// A scalar as the JSON value kept raw.
fn scalar_value(s: Scalar<'_>) -> Value {
    match s {
        Scalar::Str(v) => Value::String(v.to_owned()),
        Scalar::I64(v) => Value::from(v),
        Scalar::U64(v) => Value::from(v),
        Scalar::F64(v) => Value::from(v),
        Scalar::Bool(v) => Value::Bool(v),
    }
}

impl<'de, T: Deserialize<'de> + Lenient> Visitor<'de> for KeepVisitor<T> {
    type Value = Kept<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Kept<T>, E> {
        Self::scalar(Shape::Bool, ScalarValue::Bool(v), Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Kept<T>, E> {
        Self::scalar(Shape::Number, ScalarValue::I64(v), Scalar::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Kept<T>, E> {
        Self::scalar(Shape::Number, ScalarValue::U64(v), Scalar::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Kept<T>, E> {
        Self::scalar(Shape::Number, ScalarValue::F64(v), Scalar::F64(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Kept<T>, E> {
        Self::text(ScalarValue::Borrowed(v), v)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Kept<T>, E> {
        match T::from_text(v) {
            Some(typed) => Ok(Kept::Typed(typed)),
            None => Self::scalar(
                Shape::String,
                ScalarValue::Owned(v.to_owned()),
                Scalar::Str(v),
            ),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<Kept<T>, E> {
        Ok(Kept::Raw(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Kept<T>, E> {
        Ok(Kept::Raw(Value::Null))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<Kept<T>, A::Error> {
        if Self::accepts(Shape::Array) {
            return T::deserialize(SeqAccessDeserializer::new(seq)).map(Kept::Typed);
        }
        Value::deserialize(SeqAccessDeserializer::new(seq)).map(Kept::Raw)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Kept<T>, A::Error> {
        if Self::accepts(Shape::Object) {
            return T::deserialize(MapAccessDeserializer::new(map)).map(Kept::Typed);
        }
        Value::deserialize(MapAccessDeserializer::new(map)).map(Kept::Raw)
    }
}

struct KeepSeed<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient> DeserializeSeed<'de> for KeepSeed<T> {
    type Value = Kept<T>;
    #[inline(always)]
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kept<T>, D::Error> {
        T::keep_field(d)
    }
}

/// A list field: typed when every element is, or else the raw list (an
/// element that is `null` or of another shape must come back too).
struct KeepList<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient + Serialize> DeserializeSeed<'de> for KeepList<T> {
    type Value = Kept<Vec<T>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Kept<Vec<T>>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, T: Deserialize<'de> + Lenient + Serialize> Visitor<'de> for KeepList<T> {
    type Value = Kept<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut typed: Vec<T> = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        // Set once an element is kept raw: from then on every element is JSON.
        let mut raw: Option<Vec<Value>> = None;
        while let Some(item) = seq.next_element_seed(KeepSeed::<T>(PhantomData))? {
            match (item, &mut raw) {
                (Kept::Typed(v), None) => typed.push(v),
                (item, r) => keep_raw(item, &mut typed, r)?,
            }
        }
        Ok(match raw {
            Some(values) => Kept::Raw(Value::Array(values)),
            None => Kept::Typed(typed),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Value::deserialize(MapAccessDeserializer::new(map)).map(Kept::Raw)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::Null))
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

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Kept::Raw(Value::String(v.to_owned())))
    }
}

/// A list element once the list is kept raw (this one or an earlier one
/// was): the elements typed so far go back to JSON first. Rare, so out of
/// the list loop's way.
#[cold]
#[inline(never)]
fn keep_raw<E: de::Error, T: Serialize>(
    item: Kept<T>,
    typed: &mut Vec<T>,
    raw: &mut Option<Vec<Value>>,
) -> Result<(), E> {
    let values = match raw {
        Some(values) => values,
        None => {
            let mut values = Vec::with_capacity(typed.len() + 1);
            for t in typed.drain(..) {
                values.push(to_value::<E, T>(&t)?);
            }
            raw.insert(values)
        }
    };
    values.push(match item {
        Kept::Typed(v) => to_value::<E, T>(&v)?,
        Kept::Raw(v) => v,
    });
    Ok(())
}

/// An element already decoded, back to JSON, when its list is kept raw.
fn to_value<E: de::Error, T: Serialize>(v: &T) -> Result<Value, E> {
    serde_json::to_value(v).map_err(E::custom)
}

/// Reads an optional field's value into `slot`, or into `extra`.
pub(crate) fn opt<'de, A, T>(
    map: &mut A,
    key: Key<'de>,
    slot: &mut Option<T>,
    extra: &mut Extra,
) -> Result<(), A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Lenient,
{
    match map.next_value_seed(KeepSeed::<T>(PhantomData))? {
        Kept::Typed(v) => *slot = Some(v),
        Kept::Raw(v) => extra.push(key.into_string(), v),
    }
    Ok(())
}

/// Reads a required field's value into `slot`, or into `extra` when it has
/// another shape; whether it was read typed (the object records the field
/// as missing otherwise).
pub(crate) fn req<'de, A, T>(
    map: &mut A,
    key: Key<'de>,
    slot: &mut T,
    extra: &mut Extra,
) -> Result<bool, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Lenient,
{
    Ok(match map.next_value_seed(KeepSeed::<T>(PhantomData))? {
        Kept::Typed(v) => {
            *slot = v;
            true
        }
        Kept::Raw(v) => {
            extra.push(key.into_string(), v);
            false
        }
    })
}

/// Reads a list field into `slot`; whether it was read typed. An empty
/// optional list and anything that is not a list of readable items go to
/// `extra`, so they are written back exactly as they came.
pub(crate) fn list<'de, A, T>(
    map: &mut A,
    key: Key<'de>,
    slot: &mut Vec<T>,
    extra: &mut Extra,
    required: bool,
) -> Result<bool, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Lenient + Serialize,
{
    Ok(match map.next_value_seed(KeepList::<T>(PhantomData))? {
        Kept::Typed(v) if v.is_empty() && !required => {
            extra.push(key.into_string(), Value::Array(Vec::new()));
            true
        }
        Kept::Typed(v) => {
            *slot = v;
            true
        }
        Kept::Raw(v) => {
            extra.push(key.into_string(), v);
            false
        }
    })
}

/// Keeps a key the spec does not know.
pub(crate) fn unknown<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Key<'de>,
    extra: &mut Extra,
) -> Result<(), A::Error> {
    let v: Value = map.next_value()?;
    extra.push(key.into_string(), v);
    Ok(())
}

/// Reads the union tag of a variant object. The type writes its own tag
/// back, so only a tag that says otherwise (Slack's placeholders send `""`)
/// is kept, in `extra`, to be written back instead.
pub(crate) fn tag<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: Key<'de>,
    expected: &str,
    extra: &mut Extra,
) -> Result<(), A::Error> {
    let found: Value = map.next_value()?;
    if found.as_str() != Some(expected) {
        extra.push(key.into_string(), found);
    }
    Ok(())
}

/// A Block Kit variant whose object did not decode (a required field
/// missing or of the wrong shape): kept raw, and reported to drift
/// detection, rather than failing the message that carries it.
pub(crate) fn unreadable(
    union: &'static str,
    tag: &str,
    error: &super::DecodeError,
    s: &str,
) -> Result<Value, super::DecodeError> {
    crate::drift::unreadable_variant(union, tag, error.message());
    super::from_str::<Value>(s)
}
