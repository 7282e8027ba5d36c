//! [`ShortStr`]: the text behind the IDs and [`Ts`](super::Ts).
//!
//! Nearly every ID and timestamp Slack sends is 9 to 17 bytes, and a decoded
//! event carries several: as `String`s they were two fifths of an event
//! stream's allocations. Up to [`INLINE`] bytes are kept in the value
//! itself, which stays the size of a `String` (24 bytes).

use std::cmp::Ordering;
use std::fmt;
use std::hash::{Hash, Hasher};

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::{Serialize, Serializer};

/// The longest text kept inline: what fits beside the length and the tag.
const INLINE: usize = 22;

/// An immutable string, inline up to [`INLINE`] bytes, boxed beyond.
#[derive(Clone)]
pub(crate) struct ShortStr(Repr);

#[derive(Clone)]
enum Repr {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<str>),
}

impl ShortStr {
    pub(crate) fn new(text: &str) -> Self {
        match Self::inline(text) {
            Some(short) => short,
            None => Self(Repr::Heap(text.into())),
        }
    }

    /// Takes `text`'s buffer when it is too long to be kept inline.
    pub(crate) fn from_string(text: String) -> Self {
        match Self::inline(&text) {
            Some(short) => short,
            None => Self(Repr::Heap(text.into_boxed_str())),
        }
    }

    fn inline(text: &str) -> Option<Self> {
        let len = text.len();
        if len > INLINE {
            return None;
        }
        let mut bytes = [0; INLINE];
        bytes[..len].copy_from_slice(text.as_bytes());
        Some(Self(Repr::Inline {
            len: len as u8,
            bytes,
        }))
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        match &self.0 {
            Repr::Inline { len, bytes } => &bytes[..usize::from(*len)],
            Repr::Heap(text) => text.as_bytes(),
        }
    }

    pub(crate) fn as_str(&self) -> &str {
        match &self.0 {
            // The bytes were copied from a `str`, so they are UTF-8 and the
            // check cannot fail (the crate forbids `unsafe`, which would
            // skip it).
            Repr::Inline { .. } => std::str::from_utf8(self.as_bytes()).unwrap_or_default(),
            Repr::Heap(text) => text,
        }
    }

    pub(crate) fn into_string(self) -> String {
        match self.0 {
            Repr::Heap(text) => text.into_string(),
            Repr::Inline { .. } => self.as_str().to_owned(),
        }
    }
}

impl Default for ShortStr {
    fn default() -> Self {
        Self::new("")
    }
}

// Equality, order and hash are those of the text, whichever way it is kept.
impl PartialEq for ShortStr {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for ShortStr {}

impl PartialOrd for ShortStr {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for ShortStr {
    fn cmp(&self, other: &Self) -> Ordering {
        // Byte order is `str`'s order.
        self.as_bytes().cmp(other.as_bytes())
    }
}

impl Hash for ShortStr {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl fmt::Debug for ShortStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl Serialize for ShortStr {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for ShortStr {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = ShortStr;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ShortStr, E> {
                Ok(ShortStr::new(v))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ShortStr, E> {
                Ok(ShortStr::from_string(v))
            }
        }
        d.deserialize_string(V)
    }
}

#[cfg(test)]
mod tests {
    use super::ShortStr;
    use std::collections::hash_map::DefaultHasher;
    use std::hash::{Hash, Hasher};

    fn hash<T: Hash + ?Sized>(v: &T) -> u64 {
        let mut h = DefaultHasher::new();
        v.hash(&mut h);
        h.finish()
    }

    #[test]
    fn inline_and_boxed_text_behave_as_the_string() {
        let texts = [
            "",
            "C1",
            "1700000000.000100",
            "é✓ 22 bytes inline.",
            "twenty-three bytes long",
            "a".repeat(100).leak(),
        ];
        for text in texts {
            for short in [ShortStr::new(text), ShortStr::from_string(text.to_owned())] {
                assert_eq!(short.as_str(), text);
                assert_eq!(short.clone().into_string(), text);
                assert_eq!(hash(&short), hash(text));
                assert_eq!(format!("{short:?}"), format!("{text:?}"));
                assert_eq!(
                    serde_json::to_string(&short).unwrap(),
                    serde_json::to_string(text).unwrap()
                );
                let back: ShortStr =
                    serde_json::from_str(&serde_json::to_string(text).unwrap()).unwrap();
                assert_eq!(back, short);
            }
        }
        let mut sorted: Vec<ShortStr> = texts.iter().map(|t| ShortStr::new(t)).collect();
        sorted.sort();
        let mut expected = texts.to_vec();
        expected.sort();
        assert_eq!(
            sorted.iter().map(ShortStr::as_str).collect::<Vec<_>>(),
            expected
        );
        assert_eq!(
            std::mem::size_of::<ShortStr>(),
            std::mem::size_of::<String>()
        );
        assert_eq!(
            std::mem::size_of::<Option<ShortStr>>(),
            std::mem::size_of::<String>()
        );
    }
}
