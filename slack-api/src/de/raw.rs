//! A value's JSON text, borrowed from the input when the parser can lend it.
//!
//! Unions decode a field's value from its text. `Box<RawValue>` copies
//! every value it captures, and `&RawValue` fails on a parser that cannot
//! lend (one reading from an `io::Read`, or a `Value`), so this speaks
//! serde_json's raw-value protocol itself and takes either: no copy for the
//! text and bytes that every body and frame is decoded from.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};

/// serde_json's marker for a raw value (also passed through by `drift`).
const TOKEN: &str = "$serde_json::private::RawValue";

/// The text of one JSON value, exactly as it appears in the input.
pub(crate) struct RawText<'de>(Cow<'de, str>);

impl RawText<'_> {
    pub(crate) fn get(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for RawText<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_newtype_struct(TOKEN, RawVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawText<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any valid JSON value")
    }

    // serde_json hands the text over as a one-entry map: the marker, then
    // the text.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawText<'de>, A::Error> {
        if map.next_key::<IgnoredAny>()?.is_none() {
            return Err(de::Error::invalid_type(Unexpected::Map, &self));
        }
        map.next_value::<TextOf<'de>>().map(|t| RawText(t.0))
    }
}

struct TextOf<'de>(Cow<'de, str>);

impl<'de> Deserialize<'de> for TextOf<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = TextOf<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("raw JSON text")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<TextOf<'de>, E> {
                Ok(TextOf(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TextOf<'de>, E> {
                Ok(TextOf(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<TextOf<'de>, E> {
                Ok(TextOf(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}
