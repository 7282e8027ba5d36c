//! One deserializer for every scalar a tolerant decoder hands back to a
//! type's own `Deserialize`.
//!
//! serde has a value deserializer per kind (`bool`, `i64`, `u64`, `f64`,
//! borrowed and owned strings): handing each to `T::deserialize` compiles
//! it six times for every field type. This one deserializer behaves as
//! those do (every request goes to `deserialize_any`, strings also decode
//! unit enum variants) and compiles it once.

use serde::de::value::{BorrowedStrDeserializer, Error, StringDeserializer};
use serde::de::{Deserializer, IntoDeserializer, Visitor};

/// A scalar value as a deserializer.
pub(crate) enum ScalarValue<'de> {
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Borrowed(&'de str),
    Owned(String),
}

impl<'de> Deserializer<'de> for ScalarValue<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        match self {
            ScalarValue::Bool(v) => visitor.visit_bool(v),
            ScalarValue::I64(v) => visitor.visit_i64(v),
            ScalarValue::U64(v) => visitor.visit_u64(v),
            ScalarValue::F64(v) => visitor.visit_f64(v),
            ScalarValue::Borrowed(v) => visitor.visit_borrowed_str(v),
            ScalarValue::Owned(v) => visitor.visit_string(v),
        }
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Error> {
        match self {
            ScalarValue::Borrowed(v) => {
                BorrowedStrDeserializer::new(v).deserialize_enum(name, variants, visitor)
            }
            ScalarValue::Owned(v) => {
                let owned: StringDeserializer<Error> = v.into_deserializer();
                owned.deserialize_enum(name, variants, visitor)
            }
            other => other.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct identifier ignored_any
    }
}
