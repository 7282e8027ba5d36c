//! Tolerant decoding of Slack's JSON.
//!
//! Slack is loose about JSON types: integers sometimes arrive as strings
//! (`"12"`, or `""` for "none"), strings as numbers, and optional fields as
//! `null` or as a value of an unexpected shape. Generated structs route every
//! field through [`opt`], [`req`] or [`vec()`], which coerce what is safe to
//! coerce and, for optional fields, treat anything else as absent instead of
//! failing the whole response. Whole bodies are decoded by [`from_slice`] /
//! [`from_str`], which report the JSON path and a short excerpt on failure.

mod budget;
mod direct;
mod keep;
mod object;
mod raw;
mod reorder;
mod scalar;
mod stream;
mod tagged;

// Generated tagged unions (in `events` only, today) check the depth themselves.
#[cfg_attr(not(feature = "events"), allow(unused_imports))]
pub(crate) use budget::checked;
pub use budget::{MAX_DEPTH, MAX_RECURSION};
// For the guessed decodes of `tagged`.
use budget::inside;

use crate::redact::redact_tokens;
use scalar::ScalarValue;

// Tagged unions are generated in `events` only, today.
#[cfg_attr(not(feature = "events"), allow(unused_imports))]
pub(crate) use tagged::{Tag, guess, likely, read_tags};
// Used by the generated tagged unions outside Block Kit.
#[cfg_attr(not(feature = "events"), allow(unused_imports))]
pub(crate) use stream::{
    Read, Tagged, field as tagged_field, guess_rest, nested, rest, rest_unknown,
};

// Used by the generated Block Kit objects and unions.
pub(crate) use direct::{
    KitObject, KitUnion, Missing, incomplete, object_keep, rest_text, union_deserialize,
    union_field as kit_union_field, union_keep, variant,
};
// Used by the generated Web API objects and event structs.
pub(crate) use keep::{
    Kept, Key, list, opt as keep_opt, req as keep_req, tag, unknown, unreadable,
};
pub(crate) use object::{
    Boxed, Object, Seen, decode_object, opt_field, req_field, skip_field, vec_field,
};

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::Deserialize;
use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, IgnoredAny, IntoDeserializer, MapAccess,
    SeqAccess, Unexpected, Visitor,
};

/// The JSON kind a type is normally sent as.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Shape {
    /// A JSON string (text, IDs, string enums).
    String,
    /// A JSON number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A JSON array.
    Array,
    /// A JSON object (objects and tagged unions).
    Object,
    /// Several shapes are valid (shape unions, raw JSON).
    Any,
}

/// A scalar JSON value offered to [`Lenient::coerce`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar<'a> {
    /// A string.
    Str(&'a str),
    /// A negative (or any signed) integer.
    I64(i64),
    /// A non-negative integer.
    U64(u64),
    /// A number with a fraction or exponent.
    F64(f64),
    /// A boolean.
    Bool(bool),
}

impl Scalar<'_> {
    /// The decimal text of a number, `None` for strings and booleans.
    pub(crate) fn number_text(self) -> Option<String> {
        match self {
            Scalar::I64(v) => Some(v.to_string()),
            Scalar::U64(v) => Some(v.to_string()),
            Scalar::F64(v) if v.is_finite() => Some(v.to_string()),
            _ => None,
        }
    }

    fn unexpected(&self) -> Unexpected<'_> {
        match *self {
            Scalar::Str(s) => Unexpected::Str(s),
            Scalar::I64(v) => Unexpected::Signed(v),
            Scalar::U64(v) => Unexpected::Unsigned(v),
            Scalar::F64(v) => Unexpected::Float(v),
            Scalar::Bool(v) => Unexpected::Bool(v),
        }
    }
}

/// A type the tolerant field decoders know how to handle.
///
/// Every type that can appear in a generated field implements it: the
/// primitives here, the IDs, and every generated object, enum and union.
pub(crate) trait Lenient: Sized {
    /// The JSON shape the type is normally sent as. A value of another shape
    /// is offered to [`coerce`](Self::coerce), and otherwise rejected.
    const SHAPE: Shape;

    /// Converts a scalar that the type's own `Deserialize` did not accept,
    /// such as the string `"12"` for an integer. `None` rejects it.
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        let _ = value;
        None
    }

    /// The value of a JSON string, for a type that is text and nothing else
    /// (`String`, the IDs, `Ts`): taken straight from the string rather than
    /// through the type's `Deserialize`. `None` for every other type.
    fn from_text(text: &str) -> Option<Self> {
        let _ = text;
        None
    }

    /// Decodes a field's value: the work behind [`opt`], [`req`] and
    /// [`vec()`]. `Ok(None)` is `null`, or a wrong shape in an optional field.
    ///
    /// Tagged unions override it to take the value's raw text and dispatch
    /// on its tag once, rather than buffering it into a `Value` first.
    fn decode_field<'de, D>(d: D, required: bool) -> Result<Option<Self>, D::Error>
    where
        D: Deserializer<'de>,
        Self: Deserialize<'de>,
    {
        d.deserialize_any(LenientVisitor::<Self> {
            required,
            marker: PhantomData,
        })
    }

    /// [`decode_field`](Self::decode_field) for a field that holds the
    /// type boxed. Generated objects decode straight into the box.
    fn decode_boxed<'de, D>(d: D, required: bool) -> Result<Option<Box<Self>>, D::Error>
    where
        D: Deserializer<'de>,
        Box<Self>: Deserialize<'de>,
    {
        d.deserialize_any(LenientVisitor::<Box<Self>> {
            required,
            marker: PhantomData,
        })
    }

    /// Decodes a Block Kit field's value, keeping it raw when it is `null`
    /// or of a shape the type does not take (see [`keep`]).
    fn keep_field<'de, D>(d: D) -> Result<Kept<Self>, D::Error>
    where
        D: Deserializer<'de>,
        Self: Deserialize<'de>,
    {
        d.deserialize_any(keep::KeepVisitor::<Self>(PhantomData))
    }
}

impl Lenient for String {
    const SHAPE: Shape = Shape::String;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        value.number_text()
    }
    fn from_text(text: &str) -> Option<Self> {
        Some(text.to_owned())
    }
}

fn parse_integer<T: TryFrom<i64> + TryFrom<u64> + std::str::FromStr>(
    value: Scalar<'_>,
) -> Option<T> {
    match value {
        Scalar::Str(s) => {
            let s = s.trim();
            s.parse().ok().or_else(|| {
                // "12.0" is still a whole number.
                let f: f64 = s.parse().ok()?;
                whole(f)
            })
        }
        Scalar::I64(v) => T::try_from(v).ok(),
        Scalar::U64(v) => T::try_from(v).ok(),
        Scalar::F64(v) => whole(v),
        Scalar::Bool(_) => None,
    }
}

fn whole<T: TryFrom<i64> + TryFrom<u64>>(f: f64) -> Option<T> {
    if f.fract() != 0.0 || !f.is_finite() {
        return None;
    }
    // The casts saturate; the range checks reject values that did.
    if f < 0.0 && f >= i64::MIN as f64 {
        T::try_from(f as i64).ok()
    } else if f >= 0.0 && f < u64::MAX as f64 {
        T::try_from(f as u64).ok()
    } else {
        None
    }
}

impl Lenient for i64 {
    const SHAPE: Shape = Shape::Number;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        parse_integer(value)
    }
}

impl Lenient for u64 {
    const SHAPE: Shape = Shape::Number;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        parse_integer(value)
    }
}

impl Lenient for f64 {
    const SHAPE: Shape = Shape::Number;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        match value {
            Scalar::Str(s) => s.trim().parse().ok().filter(|f: &f64| f.is_finite()),
            _ => None,
        }
    }
}

/// A length of time Slack sends as whole seconds (`expires_in`); a negative
/// or fractional one is rejected.
impl Lenient for std::time::Duration {
    const SHAPE: Shape = Shape::Number;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        parse_integer::<u64>(value).map(std::time::Duration::from_secs)
    }
}

impl Lenient for bool {
    const SHAPE: Shape = Shape::Bool;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        match value {
            Scalar::Str("true" | "1") | Scalar::I64(1) | Scalar::U64(1) => Some(true),
            Scalar::Str("false" | "0") | Scalar::I64(0) | Scalar::U64(0) => Some(false),
            _ => None,
        }
    }
}

impl Lenient for crate::Secret {
    const SHAPE: Shape = Shape::String;
}

impl Lenient for serde_json::Value {
    const SHAPE: Shape = Shape::Any;
}

impl<T> Lenient for Vec<T> {
    const SHAPE: Shape = Shape::Array;
}

impl<T> Lenient for BTreeMap<String, T> {
    const SHAPE: Shape = Shape::Object;
}

/// Generated fields are boxed where a type reaches itself (a message's
/// `root` is a message) or is large (see the generator's `INLINE_MAX`).
/// Decoding one is a step of recursion: each step takes from a budget of
/// [`MAX_RECURSION`], so a hostile chain of roots is an error after a few
/// frames instead of a stack overflow.
impl<T: Lenient> Lenient for Box<T> {
    const SHAPE: Shape = T::SHAPE;
    fn coerce(value: Scalar<'_>) -> Option<Self> {
        T::coerce(value).map(Box::new)
    }

    fn decode_field<'de, D>(d: D, required: bool) -> Result<Option<Self>, D::Error>
    where
        D: Deserializer<'de>,
        Self: Deserialize<'de>,
    {
        let _step = budget::Recursion::enter().map_err(de::Error::custom)?;
        T::decode_boxed(d, required)
    }
}

/// [`Lenient::decode_boxed`] of a generated object: decoded straight into
/// its box ([`Boxed`]) rather than by value and then moved there.
pub(crate) fn object_boxed<'de, D, T>(d: D, required: bool) -> Result<Option<Box<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Object + Lenient,
{
    let boxed = d.deserialize_any(LenientVisitor::<Boxed<T>> {
        required,
        marker: PhantomData,
    })?;
    Ok(boxed.map(|b| b.0))
}

impl<T: Object> Lenient for Boxed<T> {
    const SHAPE: Shape = Shape::Object;
}

/// Decodes an optional field: `null`, or a value of the wrong shape that
/// cannot be coerced, gives `None`. Errors inside a well-shaped nested object
/// or array still fail.
pub(crate) fn opt<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Lenient,
{
    T::decode_field(d, false)
}

/// Decodes a required field with the same coercions as [`opt`]; `null` or a
/// wrong shape is an error.
pub(crate) fn req<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Lenient,
{
    T::decode_field(d, true)?.ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"a value"))
}

/// Decodes an array field: `null` or a non-array gives an empty `Vec`, and
/// elements that are `null` or of the wrong shape are skipped.
pub(crate) fn vec<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Lenient,
{
    d.deserialize_any(VecVisitor::<T>(PhantomData))
}

struct LenientVisitor<T> {
    required: bool,
    marker: PhantomData<T>,
}

impl<'de, T: Deserialize<'de> + Lenient> LenientVisitor<T> {
    fn accepts(shape: Shape) -> bool {
        T::SHAPE == shape || T::SHAPE == Shape::Any
    }

    /// A scalar: the type's own `Deserialize` when the shape fits, then its
    /// coercion, then `None` (optional) or an error (required).
    fn scalar<E: de::Error>(
        &self,
        shape: Shape,
        de: ScalarValue<'de>,
        value: Scalar<'_>,
    ) -> Result<Option<T>, E> {
        let mut direct_err = None;
        if Self::accepts(shape) {
            match T::deserialize(de) {
                Ok(v) => return Ok(Some(v)),
                Err(e) => direct_err = Some(e),
            }
        }
        if let Some(v) = T::coerce(value) {
            return Ok(Some(v));
        }
        match (self.required, direct_err) {
            (false, _) => {
                // `""` is how Slack often says "none"; not worth reporting.
                if value != Scalar::Str("") {
                    crate::drift::type_mismatch::<T>(|| scalar_json(value));
                }
                Ok(None)
            }
            (true, Some(e)) => Err(E::custom(e)),
            (true, None) => Err(E::invalid_type(value.unexpected(), self)),
        }
    }

    fn mismatch<E: de::Error>(&self, unexpected: Unexpected<'_>) -> Result<Option<T>, E> {
        if self.required {
            Err(E::invalid_type(unexpected, self))
        } else {
            Ok(None)
        }
    }

    /// Reports a dropped array or object to a drift session, then keeps
    /// what is skipped next from being reported as well.
    fn report_skipped(got: &'static str) -> crate::drift::Suppress {
        crate::drift::type_mismatch::<T>(|| got.to_owned());
        crate::drift::suppress()
    }
}

impl<'de, T: Deserialize<'de> + Lenient> Visitor<'de> for LenientVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match T::SHAPE {
            Shape::String => f.write_str("a string"),
            Shape::Number => f.write_str("a number"),
            Shape::Bool => f.write_str("a boolean"),
            Shape::Array => f.write_str("an array"),
            Shape::Object => f.write_str("an object"),
            Shape::Any => f.write_str("any JSON value"),
        }
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        self.scalar(Shape::Bool, ScalarValue::Bool(v), Scalar::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        self.scalar(Shape::Number, ScalarValue::I64(v), Scalar::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        self.scalar(Shape::Number, ScalarValue::U64(v), Scalar::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        self.scalar(Shape::Number, ScalarValue::F64(v), Scalar::F64(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        if let Some(text) = T::from_text(v) {
            return Ok(Some(text));
        }
        self.scalar(Shape::String, ScalarValue::Borrowed(v), Scalar::Str(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        if let Some(text) = T::from_text(v) {
            return Ok(Some(text));
        }
        // A transient `&str` cannot be lent for `'de`; hand over an owned copy.
        self.scalar(
            Shape::String,
            ScalarValue::Owned(v.to_owned()),
            Scalar::Str(v),
        )
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        let scalar_copy = v.clone();
        self.scalar(
            Shape::String,
            ScalarValue::Owned(v),
            Scalar::Str(&scalar_copy),
        )
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        if !self.required {
            return Ok(None);
        }
        if T::SHAPE == Shape::Any {
            let de: de::value::UnitDeserializer<de::value::Error> = ().into_deserializer();
            return T::deserialize(de).map(Some).map_err(E::custom);
        }
        Err(E::invalid_type(Unexpected::Unit, &self))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        if Self::accepts(Shape::Array) {
            return T::deserialize(SeqAccessDeserializer::new(seq)).map(Some);
        }
        let _quiet = (!self.required).then(|| Self::report_skipped("[…]"));
        // The rest of the input must still be consumed.
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.mismatch(Unexpected::Seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        if Self::accepts(Shape::Object) {
            return T::deserialize(MapAccessDeserializer::new(map)).map(Some);
        }
        let _quiet = (!self.required).then(|| Self::report_skipped("{…}"));
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        self.mismatch(Unexpected::Map)
    }
}

struct OptSeed<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de> + Lenient> DeserializeSeed<'de> for OptSeed<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<T>, D::Error> {
        opt(d)
    }
}

struct VecVisitor<T>(PhantomData<T>);

impl<T> VecVisitor<T> {
    /// A scalar where an array belongs: reported to a drift session, then
    /// decoded as empty.
    fn not_array<E>(value: Scalar<'_>) -> Result<Vec<T>, E> {
        crate::drift::type_mismatch::<Vec<T>>(|| scalar_json(value));
        Ok(Vec::new())
    }
}

/// A scalar as JSON text, for drift reports.
fn scalar_json(value: Scalar<'_>) -> String {
    match value {
        Scalar::Str(s) => serde_json::to_string(s).unwrap_or_default(),
        Scalar::Bool(b) => b.to_string(),
        other => other.number_text().unwrap_or_else(|| "NaN".to_owned()),
    }
}

impl<'de, T: Deserialize<'de> + Lenient> Visitor<'de> for VecVisitor<T> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        while let Some(item) = seq.next_element_seed(OptSeed::<T>(PhantomData))? {
            out.extend(item);
        }
        Ok(out)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Vec<T>, A::Error> {
        crate::drift::type_mismatch::<Vec<T>>(|| "{…}".to_owned());
        let _quiet = crate::drift::suppress();
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Vec::new())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_none<E: de::Error>(self) -> Result<Vec<T>, E> {
        Ok(Vec::new())
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Vec<T>, E> {
        Self::not_array(Scalar::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Vec<T>, E> {
        Self::not_array(Scalar::I64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Vec<T>, E> {
        Self::not_array(Scalar::U64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Vec<T>, E> {
        Self::not_array(Scalar::F64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Vec<T>, E> {
        Self::not_array(Scalar::Str(v))
    }
}

/// A response body that could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct DecodeError {
    method: Option<String>,
    path: String,
    message: String,
    excerpt: String,
}

impl DecodeError {
    /// An error for a method name the decoder does not know.
    pub fn unknown_method(name: &str) -> Self {
        Self {
            method: Some(name.to_owned()),
            path: String::new(),
            message: format!("unknown method `{name}`"),
            excerpt: String::new(),
        }
    }

    /// An error for a method whose family's Cargo feature is off.
    pub fn family_off(name: &str, family: &str) -> Self {
        Self {
            method: Some(name.to_owned()),
            path: String::new(),
            message: format!(
                "`{name}` belongs to the `{family}` family: enable slack-api's `{family}` feature to decode it"
            ),
            excerpt: String::new(),
        }
    }

    /// An error with a message and no position, for checks outside serde.
    pub fn custom(message: impl fmt::Display) -> Self {
        Self {
            method: None,
            path: String::new(),
            message: redact_tokens(&message.to_string()),
            excerpt: String::new(),
        }
    }

    /// Names the Web API method whose response this was.
    pub fn with_method(mut self, method: &str) -> Self {
        self.method = Some(method.to_owned());
        self
    }

    /// The Web API method, when known.
    pub fn method(&self) -> Option<&str> {
        self.method.as_deref()
    }

    /// JSON path of the value that failed, such as `channels[3].created`;
    /// empty when the failure is not at a value (for example invalid JSON at
    /// the top level).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What went wrong.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// A short piece of the body around the failure, with tokens redacted.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not decode the response")?;
        if let Some(m) = &self.method {
            write!(f, " of `{m}`")?;
        }
        if !self.path.is_empty() {
            write!(f, " at `{}`", self.path)?;
        }
        write!(f, ": {}", self.message)?;
        if !self.excerpt.is_empty() {
            write!(f, " (near `{}`)", self.excerpt)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {}

/// Decodes a whole body, reporting the JSON path and an excerpt on failure.
///
/// Inside a [drift session](crate::drift::collect), or with a drift hook
/// installed, the body is decoded with path tracking and what it carried
/// beyond the spec is reported.
///
/// A body nested deeper than [`MAX_DEPTH`] is an error, never a stack
/// overflow.
pub fn from_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    budget::checked(body, || decode_slice(body))
}

fn decode_slice<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    match std::str::from_utf8(body) {
        Ok(text) => decode_checked(text),
        Err(_) => Err(not_utf8(body)),
    }
}

/// A body that is not UTF-8, located by serde_json (which checks the bytes
/// of strings while reading them into a `Value`).
fn not_utf8(body: &[u8]) -> DecodeError {
    match serde_json::from_slice::<serde_json::Value>(body) {
        Err(e) => error_at(body, String::new(), &e),
        Ok(_) => DecodeError::custom("the body is not UTF-8"),
    }
}

/// Decodes checked text as drift detection asks: plainly when nobody
/// listens, in the session otherwise, and opening one for the hook.
fn decode_checked<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    match crate::drift::mode() {
        crate::drift::Mode::Off => decode_fast(text),
        crate::drift::Mode::Track => decode_tracked(text),
        crate::drift::Mode::Hook => {
            let (result, findings) = crate::drift::collect(|| decode_tracked(text));
            crate::drift::report(std::any::type_name::<T>(), findings);
            result
        }
    }
}

/// The decoder inside a drift session: serde_json's `str` reader (which
/// skips validating every string again) behind
/// [`Tracked`](crate::drift::Tracked), which follows the path and reports
/// what nothing reads.
pub(crate) fn decode_text<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(crate::drift::Tracked(&mut de))?;
    de.end()?;
    Ok(value)
}

/// The decoder when nobody listens: serde_json's `str` reader with no
/// wrapper. A second instantiation of every type's decoding beside
/// [`decode_text`]'s, for 10-15 % of decode speed (BENCHMARKS.md rows 10).
pub(crate) fn decode_plain<T: DeserializeOwned>(text: &str) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = T::deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}

/// The plain decode; only a failure is decoded again, in a session of its
/// own whose findings are dropped, to find where it failed.
fn decode_fast<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    match decode_plain(text) {
        Ok(v) => Ok(v),
        Err(_) => crate::drift::collect(|| decode_tracked(text)).0,
    }
}

/// Decodes inside this thread's drift session, with the path of a failure.
fn decode_tracked<T: DeserializeOwned>(text: &str) -> Result<T, DecodeError> {
    let (result, path) = crate::drift::with_error_path(|| decode_text(text));
    result.map_err(|e| error_at(text.as_bytes(), path, &e))
}

fn error_at(body: &[u8], path: String, inner: &serde_json::Error) -> DecodeError {
    DecodeError {
        method: None,
        path,
        message: redact_tokens(&strip_position(&inner.to_string())),
        excerpt: excerpt(body, inner.line(), inner.column()),
    }
}

/// [`from_slice`] for a body the caller reads only in part, such as the
/// client's own envelope check: what it leaves out is not drift, so nothing
/// is reported, whatever hook or session is active.
pub(crate) fn from_slice_unreported<T: DeserializeOwned>(body: &[u8]) -> Result<T, DecodeError> {
    budget::checked(body, || match crate::drift::mode() {
        crate::drift::Mode::Off => decode_slice(body),
        // A session of its own, whose findings are dropped.
        _ => crate::drift::collect(|| decode_slice(body)).0,
    })
}

/// [`from_slice`] for text.
pub fn from_str<T: DeserializeOwned>(body: &str) -> Result<T, DecodeError> {
    budget::checked(body.as_bytes(), || decode_checked(body))
}

/// serde_json appends " at line L column C"; the excerpt shows it better.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_owned(),
        None => msg.to_owned(),
    }
}

const EXCERPT_RADIUS: usize = 40;

/// Up to 40 bytes either side of (1-based) line and column, on one line.
fn excerpt(body: &[u8], line: usize, column: usize) -> String {
    if line == 0 {
        return String::new();
    }
    let text = String::from_utf8_lossy(body);
    let line_start: usize = text
        .split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum();
    let at = (line_start + column.saturating_sub(1)).min(text.len());
    let mut start = at.saturating_sub(EXCERPT_RADIUS);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = (at + EXCERPT_RADIUS).min(text.len());
    while !text.is_char_boundary(end) {
        end += 1;
    }
    let piece: String = text[start..end]
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    redact_tokens(&piece)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn decoding_a_method_of_a_family_left_out_names_its_feature() {
        // Only a build without `views` has this to check: CI runs these
        // unit tests with `chat` alone too.
        if cfg!(feature = "views") {
            return;
        }
        let err = crate::spec::decode_response("views.open", b"{}")
            .unwrap_err()
            .to_string();
        assert!(err.contains("enable slack-api's `views` feature"), "{err}");
        let unknown = crate::spec::decode_response("nope.never", b"{}")
            .unwrap_err()
            .to_string();
        assert!(unknown.contains("unknown method `nope.never`"), "{unknown}");
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Inner {
        #[serde(deserialize_with = "req")]
        id: String,
    }

    impl Lenient for Inner {
        const SHAPE: Shape = Shape::Object;
    }

    #[derive(Debug, Default, PartialEq, Deserialize)]
    struct Outer {
        #[serde(default, deserialize_with = "opt")]
        int: Option<i64>,
        #[serde(default, deserialize_with = "opt")]
        uint: Option<u64>,
        #[serde(default, deserialize_with = "opt")]
        float: Option<f64>,
        #[serde(default, deserialize_with = "opt")]
        flag: Option<bool>,
        #[serde(default, deserialize_with = "opt")]
        text: Option<String>,
        #[serde(default, deserialize_with = "opt")]
        raw: Option<serde_json::Value>,
        #[serde(default, deserialize_with = "opt")]
        inner: Option<Box<Inner>>,
        #[serde(default, deserialize_with = "vec")]
        list: Vec<i64>,
        #[serde(default, deserialize_with = "vec")]
        inners: Vec<Inner>,
        #[serde(default, deserialize_with = "opt")]
        map: Option<BTreeMap<String, i64>>,
    }

    fn check(json: &str, expected: Outer) {
        let got: Outer = from_str(json).unwrap_or_else(|e| panic!("{json}: {e}"));
        assert_eq!(got, expected, "{json}");
    }

    fn inner(id: &str) -> Inner {
        Inner { id: id.into() }
    }

    #[test]
    fn a_body_that_is_not_utf8_is_an_error_naming_where() {
        // Wherever the bytes are: a field nobody reads included.
        for body in [
            &b"{\"skipped\":\"\xff\",\"id\":\"U1\"}"[..],
            b"{\"id\":\"\xff\"}",
        ] {
            let err = from_slice::<Inner>(body).unwrap_err();
            assert!(err.message().contains("invalid unicode"), "{err}");
            assert!(err.excerpt().contains('"'), "{err}");
        }
    }

    #[test]
    fn lenient_fields() {
        check("{}", Outer::default());
        check(
            r#"{"int": 5}"#,
            Outer {
                int: Some(5),
                ..Default::default()
            },
        );
        check(
            r#"{"int": "12"}"#,
            Outer {
                int: Some(12),
                ..Default::default()
            },
        );
        check(
            r#"{"int": " 7 "}"#,
            Outer {
                int: Some(7),
                ..Default::default()
            },
        );
        check(r#"{"int": ""}"#, Outer::default());
        check(r#"{"int": null}"#, Outer::default());
        check(
            r#"{"int": 3.0}"#,
            Outer {
                int: Some(3),
                ..Default::default()
            },
        );
        check(r#"{"int": 3.5}"#, Outer::default());
        check(
            r#"{"int": -4}"#,
            Outer {
                int: Some(-4),
                ..Default::default()
            },
        );
        check(r#"{"int": [1]}"#, Outer::default());
        check(r#"{"int": {"a": 1}}"#, Outer::default());
        check(r#"{"uint": -1}"#, Outer::default());
        check(
            r#"{"uint": "18446744073709551615"}"#,
            Outer {
                uint: Some(u64::MAX),
                ..Default::default()
            },
        );
        check(
            r#"{"float": "1.5"}"#,
            Outer {
                float: Some(1.5),
                ..Default::default()
            },
        );
        check(
            r#"{"float": 2}"#,
            Outer {
                float: Some(2.0),
                ..Default::default()
            },
        );
        check(
            r#"{"flag": "true"}"#,
            Outer {
                flag: Some(true),
                ..Default::default()
            },
        );
        check(
            r#"{"flag": 0}"#,
            Outer {
                flag: Some(false),
                ..Default::default()
            },
        );
        check(r#"{"flag": "maybe"}"#, Outer::default());
        check(
            r#"{"text": 42}"#,
            Outer {
                text: Some("42".into()),
                ..Default::default()
            },
        );
        check(
            r#"{"text": "a\"b"}"#,
            Outer {
                text: Some("a\"b".into()),
                ..Default::default()
            },
        );
        check(r#"{"text": false}"#, Outer::default());
        check(
            r#"{"raw": [1, {"x": null}]}"#,
            Outer {
                raw: Some(serde_json::json!([1, {"x": null}])),
                ..Default::default()
            },
        );
        check(r#"{"raw": null}"#, Outer::default());
        check(
            r#"{"inner": {"id": "X", "extra": [1, 2]}}"#,
            Outer {
                inner: Some(Box::new(inner("X"))),
                ..Default::default()
            },
        );
        check(r#"{"inner": "X"}"#, Outer::default());
        check(r#"{"inner": [{"id": "X"}]}"#, Outer::default());
        check(
            r#"{"list": [1, "2", null, "x", 4]}"#,
            Outer {
                list: vec![1, 2, 4],
                ..Default::default()
            },
        );
        check(r#"{"list": null}"#, Outer::default());
        check(r#"{"list": {"a": 1}}"#, Outer::default());
        check(r#"{"list": "1,2"}"#, Outer::default());
        check(
            r#"{"inners": [{"id": "A"}, 3, {"id": 7}]}"#,
            Outer {
                inners: vec![inner("A"), inner("7")],
                ..Default::default()
            },
        );
        check(
            r#"{"map": {"a": 1}}"#,
            Outer {
                map: Some([("a".to_owned(), 1)].into()),
                ..Default::default()
            },
        );
        check(r#"{"map": []}"#, Outer::default());
        check(
            r#"{"unknown": {"deep": [1, 2, {"x": 3}]}, "int": 1}"#,
            Outer {
                int: Some(1),
                ..Default::default()
            },
        );
    }

    fn check_err(json: &str, path: &str, message_part: &str) {
        let err = from_str::<Outer>(json).unwrap_err();
        assert_eq!(err.path(), path, "{json}: {err}");
        assert!(err.message().contains(message_part), "{json}: {err}");
    }

    #[test]
    fn errors_carry_paths() {
        check_err(r#"{"inner": {}}"#, "inner", "missing field `id`");
        check_err(
            r#"{"inner": {"id": null}}"#,
            "inner.id",
            "invalid type: null",
        );
        check_err(
            r#"{"inners": [{"id": "a"}, {"id": [1]}]}"#,
            "inners[1].id",
            "invalid type: sequence",
        );
        check_err(r#"{"int": 1"#, "?", "EOF");
        check_err(r#"{"int": 1} x"#, "", "trailing characters");
    }

    #[test]
    fn excerpt_is_short_and_redacted() {
        let body = format!(
            r#"{{"padding": "{}", "token": "xoxb-1234-secret", "inners": [{{"id": null}}]}}"#,
            "p".repeat(100)
        );
        let err = from_str::<Outer>(&body).unwrap_err();
        assert_eq!(err.path(), "inners[0].id");
        assert!(
            err.excerpt().len() <= 2 * EXCERPT_RADIUS + 16,
            "{}",
            err.excerpt()
        );
        assert!(
            err.excerpt().contains(r#"[{"id": null"#),
            "{}",
            err.excerpt()
        );
        assert!(
            err.excerpt().contains("xoxb-[redacted]"),
            "{}",
            err.excerpt()
        );
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn lengths_of_time_are_durations() {
        use std::time::Duration;
        #[derive(Debug, Deserialize)]
        struct S {
            #[serde(deserialize_with = "opt")]
            d: Option<Duration>,
        }
        let d = |json: &str| from_str::<S>(json).unwrap().d;
        assert_eq!(d(r#"{"d": 43200}"#), Some(Duration::from_secs(43_200)));
        assert_eq!(d(r#"{"d": "60"}"#), Some(Duration::from_secs(60)));
        // Not a length of time: dropped, as any optional value of a wrong shape.
        assert_eq!(d(r#"{"d": -5}"#), None);
        assert_eq!(d(r#"{"d": 1.5}"#), None);
    }

    #[test]
    fn required_fields() {
        #[derive(Debug, Deserialize)]
        struct R {
            #[serde(deserialize_with = "req")]
            n: i64,
            #[serde(deserialize_with = "req")]
            v: serde_json::Value,
        }
        let r: R = from_str(r#"{"n": "3", "v": null}"#).unwrap();
        assert_eq!((r.n, r.v), (3, serde_json::Value::Null));
        let e = from_str::<R>(r#"{"n": "x", "v": 1}"#).unwrap_err();
        assert_eq!(e.path(), "n");
        let e = from_str::<R>(r#"{"n": [], "v": 1}"#).unwrap_err();
        assert!(e.message().contains("expected a number"), "{e}");
    }
}
