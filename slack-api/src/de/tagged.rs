//! Decoding tagged unions: finding the tag without parsing the whole
//! object, and reading a union held in a field.
//!
//! A tagged union used to deserialize a one-field struct to learn its tag,
//! which walks every byte of the frame with serde's full parser before the
//! variant is decoded: two parses per event, three for a message with a
//! subtype. The scanner here reads only the top-level keys, skips values by
//! their brackets and quotes, and stops at the tags it needs. Anything it is
//! not sure about (an escaped key or tag, a tag that is not a string, text
//! that is not an object) makes it give up, and the caller falls back to
//! serde.

// Tagged unions are generated in `events` only, today.
#![cfg_attr(not(feature = "events"), allow(dead_code))]

use std::borrow::Cow;
use std::cell::Cell;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde::de::{self, Deserializer, Unexpected};

use super::{DecodeError, Lenient};

/// A union's tag as read from its JSON object.
#[derive(Debug)]
pub(crate) enum Tag<'a> {
    /// The object has no such key.
    Absent,
    /// The key's string value.
    Str(Cow<'a, str>),
    /// The value is not a string, or the text is not a JSON object.
    Unusable,
    /// Not read: the object's first key was the outer union's tag and its
    /// second key was not this one. Slack writes a nested tag (`subtype`)
    /// right after `type`, so it is most likely absent; rather than scan
    /// the whole object to be sure, the nested union decodes the variant
    /// for an absent tag and keeps it only when that variant's own tag
    /// field comes out empty (see [`guess`]).
    Unseen,
}

/// The tags at the top-level `keys` of a union's JSON object. Generated
/// `from_json` functions dispatch on them: the union's own tag first, then
/// those of the unions nested in its variants (`subtype` under
/// `type: "message"`), so one pass finds them all. `nested` tells which
/// values of the first tag select a nested union; for the others the rest
/// of the tags are not needed, and may be left `Absent`.
pub(crate) fn read_tags<'a, const N: usize>(
    s: &'a str,
    keys: [&str; N],
    nested: fn(&str) -> bool,
) -> [Tag<'a>; N] {
    if let Some((tags, unseen)) = scan(s, keys, nested, true) {
        return tags.map(|t| match t {
            Some(t) => Tag::Str(Cow::Borrowed(t)),
            None if unseen => Tag::Unseen,
            None => Tag::Absent,
        });
    }
    // The scanner gave up (escapes, repeated keys, a tag that is not a
    // string, invalid text): parse for real.
    let Ok(object) = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(s) else {
        return [const { Tag::Unusable }; N];
    };
    keys.map(|key| match object.get(key) {
        None => Tag::Absent,
        Some(serde_json::Value::String(tag)) => Tag::Str(Cow::Owned(tag.clone())),
        Some(_) => Tag::Unusable,
    })
}

/// [`Lenient::decode_field`] for a tagged union, given its `from_json`.
pub(crate) fn union_field<'de, D, T>(
    d: D,
    required: bool,
    from_json: fn(&str) -> Result<T, DecodeError>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Lenient,
{
    let raw = super::raw::RawText::deserialize(d)?;
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'{') => from_json(text).map(Some).map_err(de::Error::custom),
        Some(b'n') if !required => Ok(None),
        _ if required => Err(de::Error::invalid_type(
            Unexpected::Other("a value that is not an object"),
            &"an object",
        )),
        _ => {
            crate::drift::type_mismatch::<T>(|| text.to_owned());
            Ok(None)
        }
    }
}

/// The unescaped string values of the top-level `keys` of the JSON object
/// `s`, each `None` when the object has no such key.
///
/// It stops once all are found, or as soon as the first key's value is found
/// and `needs_rest` says the other keys do not matter for it (Slack sends
/// `type` first, so most events are read no further than their first key).
///
/// `None` when the scanner cannot tell (a key or tag with an escape, a tag
/// that is not a string, a repeated tag, text that is not an object): fall
/// back to a real parse. It does not validate the rest of the text; the
/// decode that follows does.
#[cfg(test)]
pub(crate) fn tags<'a, const N: usize>(
    s: &'a str,
    keys: [&str; N],
    needs_rest: fn(&str) -> bool,
) -> Option<[Option<&'a str>; N]> {
    scan(s, keys, needs_rest, false).map(|(found, _)| found)
}

/// [`tags`], and with `peek`: when the first key is `keys[0]` and the rest
/// are needed, the second key is looked at, and if it is none of `keys` the
/// scan stops there. The `bool` says it stopped so: the keys not found
/// were not looked for ([`Tag::Unseen`]).
fn scan<'a, const N: usize>(
    s: &'a str,
    keys: [&str; N],
    needs_rest: fn(&str) -> bool,
    peek: bool,
) -> Option<([Option<&'a str>; N], bool)> {
    let b = s.as_bytes();
    let mut found = [None; N];
    let mut missing = N;
    let mut first = true;
    let mut i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'}') {
        return Some((found, false));
    }
    loop {
        if b.get(i) != Some(&b'"') {
            return None;
        }
        let (end, escaped) = string_end(b, i)?;
        if escaped {
            // It might spell a key; only a real parse can tell.
            return None;
        }
        let name = &b[i + 1..end];
        i = skip_ws(b, end + 1);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        if let Some(k) = keys.iter().position(|k| k.as_bytes() == name) {
            if found[k].is_some() || b.get(i) != Some(&b'"') {
                return None;
            }
            let (end, escaped) = string_end(b, i)?;
            if escaped {
                return None;
            }
            // Both ends are ASCII quotes, so these are char boundaries.
            let tag = &s[i + 1..end];
            found[k] = Some(tag);
            missing -= 1;
            if missing == 0 || (k == 0 && !needs_rest(tag)) {
                return Some((found, false));
            }
            i = end + 1;
            if peek && first && k == 0 && !next_key_among(b, i, &keys) {
                return Some((found, true));
            }
        } else {
            i = skip_value(b, i)?;
        }
        first = false;
        i = skip_ws(b, i);
        match b.get(i)? {
            b',' => i = skip_ws(b, i + 1),
            b'}' => return Some((found, false)),
            _ => return None,
        }
    }
}

/// Whether the key after the value ending at `i` may be one of `keys`: it
/// is, or the text there is not a plain next key (the end of the object,
/// an escape, odd text), which the full scan then settles.
fn next_key_among(b: &[u8], i: usize, keys: &[&str]) -> bool {
    let i = skip_ws(b, i);
    if b.get(i) != Some(&b',') {
        return true;
    }
    let i = skip_ws(b, i + 1);
    if b.get(i) != Some(&b'"') {
        return true;
    }
    match string_end(b, i) {
        Some((end, false)) => keys.iter().any(|k| k.as_bytes() == &b[i + 1..end]),
        _ => true,
    }
}

/// For a guessed variant (a nested tag [`Tag::Unseen`], or a union's
/// likely variant): `T` decoded from `s`, if it decodes and `keep` accepts
/// it; `None` sends the caller back to the full scan. Only outside drift
/// detection (a wrong guess would report the other variant's fields as
/// unknown) and inside a depth-checked decode.
///
/// Inside it, a union held in a field may guess too ([`guessing`]): a wrong
/// guess fails this decode, and the caller decodes again.
pub(crate) fn guess<T: DeserializeOwned>(s: &str, keep: impl FnOnce(&T) -> bool) -> Option<T> {
    if !super::inside() || !matches!(crate::drift::mode(), crate::drift::Mode::Off) {
        return None;
    }
    let was = GUESSING.replace(true);
    // Restored even when the decode panics (a caller may catch it).
    let _restore = Restore(was);
    let v = super::decode_plain::<T>(s).ok()?;
    keep(&v).then_some(v)
}

thread_local! {
    /// Whether this thread is inside a [`guess`].
    static GUESSING: Cell<bool> = const { Cell::new(false) };
}

struct Restore(bool);

impl Drop for Restore {
    fn drop(&mut self) {
        GUESSING.set(self.0);
    }
}

/// Whether a wrong guess may fail the decode running on this thread: only
/// inside [`guess`], whose caller then decodes without guessing.
pub(crate) fn guessing() -> bool {
    GUESSING.get()
}

/// A union's likely variant `T` (Events API bodies: `event_callback`, whose
/// `type` Slack writes after the `event`, so finding it means scanning past
/// the whole event): decoded at once when the object does not open with
/// `key`, and kept when its own tag field (`tag_of`) names it.
pub(crate) fn likely<T: DeserializeOwned>(
    s: &str,
    key: &str,
    tag: &str,
    tag_of: impl FnOnce(&T) -> Option<&str>,
) -> Option<T> {
    let b = s.as_bytes();
    let i = skip_ws(b, 0);
    if b.get(i) != Some(&b'{') {
        return None;
    }
    let i = skip_ws(b, i + 1);
    if b.get(i) == Some(&b'"')
        && let Some((end, _)) = string_end(b, i)
        && &b[i + 1..end] == key.as_bytes()
    {
        // The tag comes first: the scan finds it at once.
        return None;
    }
    guess(s, |v| tag_of(v) == Some(tag))
}

pub(super) fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while let Some(b' ' | b'\n' | b'\r' | b'\t') = b.get(i) {
        i += 1;
    }
    i
}

/// The index of the quote closing the string that opens at `start`, and
/// whether the string holds an escape.
pub(super) fn string_end(b: &[u8], start: usize) -> Option<(usize, bool)> {
    let mut i = start + 1;
    let mut escaped = false;
    loop {
        i += memchr::memchr2(b'"', b'\\', b.get(i..)?)?;
        if b[i] == b'"' {
            return Some((i, escaped));
        }
        escaped = true;
        i += 2;
    }
}

/// Bytes that matter while skipping a nested object or array.
pub(super) const STRUCTURAL: [bool; 256] = {
    let mut t = [false; 256];
    t[b'"' as usize] = true;
    t[b'{' as usize] = true;
    t[b'}' as usize] = true;
    t[b'[' as usize] = true;
    t[b']' as usize] = true;
    t
};

/// The index just past the value that starts at `i`.
fn skip_value(b: &[u8], mut i: usize) -> Option<usize> {
    match b.get(i)? {
        b'"' => string_end(b, i).map(|(end, _)| end + 1),
        b'{' | b'[' => {
            let mut depth = 0usize;
            loop {
                i += b.get(i..)?.iter().position(|&c| STRUCTURAL[c as usize])?;
                match b[i] {
                    b'"' => i = string_end(b, i)?.0,
                    b'{' | b'[' => depth += 1,
                    _ => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(i + 1);
                        }
                    }
                }
                i += 1;
            }
        }
        // A number, `true`, `false` or `null`: runs to the next delimiter.
        _ => {
            let len = b[i..]
                .iter()
                .position(|c| matches!(c, b',' | b'}' | b']' | b' ' | b'\n' | b'\r' | b'\t'))?;
            (len > 0).then_some(i + len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::tags;

    fn tag<'a>(s: &'a str, key: &str) -> Option<Option<&'a str>> {
        tags(s, [key], |_| false).map(|[t]| t)
    }
    use proptest::prelude::*;
    use serde_json::Value;

    fn json() -> impl Strategy<Value = Value> {
        let key = prop_oneof![
            Just("type".to_owned()),
            Just("subtype".to_owned()),
            "[a-z\\\\\"{}]{0,4}"
        ];
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::from),
            any::<i64>().prop_map(Value::from),
            "[a-z\\\\\"{}\\[\\], ]{0,6}".prop_map(Value::from),
        ];
        leaf.prop_recursive(3, 32, 5, move |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
                prop::collection::btree_map(key.clone(), inner, 0..5)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        /// Whenever the scanner answers, it answers what a full parse would.
        #[test]
        fn agrees_with_a_full_parse(value in json(), pretty in any::<bool>()) {
            let text = if pretty {
                serde_json::to_string_pretty(&value).unwrap()
            } else {
                value.to_string()
            };
            if let Some(found) = tags(&text, ["type", "subtype"], |_| true) {
                let object = value.as_object().expect("only objects are answered");
                let expected = ["type", "subtype"].map(|k| object.get(k).map(|t| t.as_str().unwrap()));
                prop_assert_eq!(found, expected);
            }
        }

        #[test]
        fn arbitrary_text_never_panics(text in ".{0,40}") {
            let _ = tag(&text, "type");
        }
    }

    #[test]
    fn reads_no_further_than_a_second_key_that_is_no_tag() {
        use super::{Tag, read_tags};
        let message = |t: &str| t == "message";
        let read = |s| read_tags(s, ["type", "subtype"], message).map(|t| format!("{t:?}"));
        assert_eq!(
            read(r#"{"type":"message","text":"hi","subtype":"x"}"#),
            [r#"Str("message")"#, "Unseen"]
        );
        assert_eq!(
            read(r#"{"type":"message","subtype":"x","text":"hi"}"#),
            [r#"Str("message")"#, r#"Str("x")"#]
        );
        assert_eq!(
            read(r#"{"type":"message"}"#),
            [r#"Str("message")"#, "Absent"]
        );
        // Not first, or an escaped second key: the full scan.
        assert_eq!(
            read(r#"{"text":"hi","type":"message","ts":"1"}"#),
            [r#"Str("message")"#, "Absent"]
        );
        assert_eq!(
            read(r#"{"type":"message","subtyp\u0065":"x"}"#),
            [r#"Str("message")"#, r#"Str("x")"#]
        );
        assert!(matches!(
            read_tags(
                r#"{"type":"hello","text":"x"}"#,
                ["type", "subtype"],
                message
            ),
            [Tag::Str(_), Tag::Absent]
        ));
    }

    #[test]
    fn finds_the_tag_at_the_top_level_only() {
        let s = r#"{"msg":{"type":"inner"},"list":[{"type":"x"}],"n":1,"type":"message"}"#;
        assert_eq!(tag(s, "type"), Some(Some("message")));
        assert_eq!(tag(s, "subtype"), Some(None));
    }

    #[test]
    fn skips_strings_holding_brackets_quotes_and_escapes() {
        let s = r#"{ "text" : "a } \" ] { [", "ok": true , "subtype" : "bot_message" }"#;
        assert_eq!(tag(s, "subtype"), Some(Some("bot_message")));
        assert_eq!(tag("{}", "type"), Some(None));
        assert_eq!(tag(" { } ", "type"), Some(None));
    }

    #[test]
    fn gives_up_when_unsure() {
        // Escaped tag, escaped key, non-string tag, not an object, truncated.
        assert_eq!(tag(r#"{"type":"mess\u0061ge"}"#, "type"), None);
        assert_eq!(tag(r#"{"typ\u0065":"message"}"#, "type"), None);
        assert_eq!(tag(r#"{"type":5}"#, "type"), None);
        assert_eq!(tag(r#"[{"type":"message"}]"#, "type"), None);
        assert_eq!(tag(r#"{"a":[1,2"#, "type"), None);
        assert_eq!(tag(r#"{"a":"#, "type"), None);
        assert_eq!(tag(r#"{"a" "b"}"#, "type"), None);
        assert_eq!(tag("", "type"), None);
        // A repeated tag while still looking: which one wins is the parser's call.
        assert_eq!(
            tags(r#"{"type":"a","type":"b"}"#, ["type", "subtype"], |_| true),
            None
        );
    }

    #[test]
    fn reads_several_tags_in_one_pass() {
        let message = |t: &str| t == "message";
        let s = r#"{"subtype":"bot_message","type":"message","text":"hi"}"#;
        assert_eq!(
            tags(s, ["type", "subtype"], message),
            Some([Some("message"), Some("bot_message")])
        );
        // Stops at the last one it needs: what follows is not looked at.
        assert_eq!(
            tags(
                r#"{"type":"message","subtype":"x", oops"#,
                ["type", "subtype"],
                message
            ),
            Some([Some("message"), Some("x")])
        );
        assert_eq!(
            tags(r#"{"type":"message"}"#, ["type", "subtype"], message),
            Some([Some("message"), None])
        );
        // A type without nested tags: the rest is not read.
        assert_eq!(
            tags(
                r#"{"type":"hello","subtype":"x"}"#,
                ["type", "subtype"],
                message
            ),
            Some([Some("hello"), None])
        );
        // Found before the first key: still read.
        assert_eq!(
            tags(
                r#"{"subtype":"x","type":"hello"}"#,
                ["type", "subtype"],
                message
            ),
            Some([Some("hello"), Some("x")])
        );
    }
}
