//! A tagged union held in a field, decoded by the parser already running.
//!
//! An Events API body holds its event in `event`. Taking that value's text
//! and decoding it with a parser of its own read every event twice: serde_json
//! skipping it as raw text was a fifth of an envelope's instructions. Here
//! the union reads the object's first key; when that is its tag (Slack
//! writes `type` first, then `subtype`), the variant decodes the rest of the
//! same map, with its tag fields set from what was read. The variants'
//! `Object::field` are the ones a bare event decodes with, so no decoding
//! code is doubled.
//!
//! The rest takes the buffered path, on the object's text rebuilt from what
//! was read and the rest of the map: a tag that is not first, a tag that is
//! not a string, a drift session (which tracks paths through the buffered
//! path), and a decode outside a depth-checked text.

// Tagged unions outside Block Kit are generated in `events` only, today.
#![cfg_attr(not(feature = "events"), allow(dead_code))]

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Unexpected, Visitor};
use serde_json::Value;

use super::direct::TagSeed;
use super::keep::{Kept, Key};
use super::object::{Object, Seen, fill_from, missing};
use super::raw::RawText;
use super::{DecodeError, Lenient, budget, tagged};

/// How many tags one object may carry (`type`, then `subtype`); the
/// generator refuses unions nested deeper.
pub(crate) const MAX_TAGS: usize = 4;

/// A generated tagged union outside Block Kit (the events, today).
pub(crate) trait Tagged: Sized {
    /// The key it dispatches on.
    const TAG: &'static str;

    /// The buffered path: the union's `from_json`.
    fn from_json(s: &str) -> Result<Self, DecodeError>;

    /// An object whose tag names no variant, kept raw.
    fn unknown(raw: Value) -> Self;

    /// Decodes the variant `tag` selects from the rest of `map`.
    fn variant<'de, A: MapAccess<'de>>(
        read: Read<'de>,
        tag: &str,
        map: A,
    ) -> Result<Self, A::Error>;

    /// For a union nested in another's variant whose own tag was not the
    /// next key (`read.pending` holds that key, if any): the buffered path,
    /// unless the union has a variant for an absent tag.
    fn untagged<'de, A: MapAccess<'de>>(read: Read<'de>, map: A) -> Result<Self, A::Error> {
        buffered(read, map)
    }
}

/// What was read of an object before its variant was known: its tags, and
/// a key whose value is next in the map, or that the map ended.
#[derive(Default)]
pub(crate) struct Read<'de> {
    tags: [Option<(&'static str, Cow<'de, str>)>; MAX_TAGS],
    pending: Option<Key<'de>>,
    ended: bool,
}

impl<'de> Read<'de> {
    fn tags(&self) -> impl Iterator<Item = &(&'static str, Cow<'de, str>)> {
        self.tags.iter().flatten()
    }

    fn push_tag<E: de::Error>(&mut self, key: &'static str, tag: Cow<'de, str>) -> Result<(), E> {
        match self.tags.iter_mut().find(|t| t.is_none()) {
            Some(slot) => {
                *slot = Some((key, tag));
                Ok(())
            }
            None => Err(E::custom(format_args!(
                "tagged unions nest more than {MAX_TAGS} deep"
            ))),
        }
    }
}

/// [`Lenient::decode_field`] for a tagged union.
pub(crate) fn field<'de, D, T>(d: D, required: bool) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Tagged + Lenient,
{
    if !budget::inside() || !matches!(crate::drift::mode(), crate::drift::Mode::Off) {
        return tagged::union_field(d, required, T::from_json);
    }
    d.deserialize_any(FieldVisitor::<T>(required, PhantomData))
}

struct FieldVisitor<T>(bool, PhantomData<T>);

impl<T> FieldVisitor<T> {
    /// A value that is not an object: an error in a required field, absent
    /// in an optional one (as the buffered path decides).
    fn not_object<E: de::Error>(&self, got: Unexpected<'_>) -> Result<Option<T>, E> {
        if self.0 {
            return Err(E::invalid_type(got, &"an object"));
        }
        crate::drift::type_mismatch::<T>(|| got.to_string());
        Ok(None)
    }
}

impl<'de, T: Tagged> Visitor<'de> for FieldVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<T>, A::Error> {
        let Some(key) = map.next_key::<Key<'de>>()? else {
            return T::from_json("{}").map(Some).map_err(de::Error::custom);
        };
        let read = Read::default();
        if key.as_str() != T::TAG {
            return buffered(
                Read {
                    pending: Some(key),
                    ..read
                },
                map,
            )
            .map(Some);
        }
        tag_then_variant(read, map).map(Some)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        if self.0 {
            return Err(E::invalid_type(Unexpected::Unit, &self));
        }
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        self.visit_unit()
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Option<T>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        self.not_object(Unexpected::Seq)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<T>, E> {
        self.not_object(Unexpected::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<T>, E> {
        self.not_object(Unexpected::Signed(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<T>, E> {
        self.not_object(Unexpected::Unsigned(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Option<T>, E> {
        self.not_object(Unexpected::Float(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<T>, E> {
        self.not_object(Unexpected::Str(v))
    }
}

/// With `T`'s tag key just read: its value, then the variant it selects.
fn tag_then_variant<'de, A: MapAccess<'de>, T: Tagged>(
    mut read: Read<'de>,
    mut map: A,
) -> Result<T, A::Error> {
    match map.next_value_seed(TagSeed)? {
        Kept::Typed(tag) => {
            read.push_tag(T::TAG, tag.clone())?;
            T::variant(read, &tag, map)
        }
        // A tag that is not a string: the object raw, as the buffered path
        // keeps it.
        Kept::Raw(v) => {
            let mut object = read_value(read, &mut map)?;
            object.insert(T::TAG.to_owned(), v);
            rest_value(&mut object, false, map)?;
            Ok(T::unknown(Value::Object(object)))
        }
    }
}

/// The variant `T` of a union, from the tags read and the rest of `map`.
pub(crate) fn rest<'de, A: MapAccess<'de>, T: Object>(
    read: Read<'de>,
    mut map: A,
) -> Result<Box<T>, A::Error> {
    let mut out = Box::<T>::default();
    let mut seen = Seen::default();
    let Read {
        tags,
        pending,
        ended,
    } = read;
    for (key, tag) in tags.into_iter().flatten() {
        if let Some((i, slot)) = out.tag_slot(key) {
            seen.first(i, key)?;
            *slot = Some(tag.into_owned());
        }
    }
    if let Some(key) = pending {
        out.field(key.as_str(), &mut map, &mut seen)?;
    }
    if ended {
        missing(&seen, T::REQUIRED)?;
    } else {
        fill_from(&mut *out, map, seen)?;
    }
    Ok(out)
}

/// A union nested in a variant of another (a `message`, by `subtype`): its
/// tag is most likely the next key.
pub(crate) fn nested<'de, A: MapAccess<'de>, T: Tagged>(
    mut read: Read<'de>,
    mut map: A,
) -> Result<T, A::Error> {
    match map.next_key::<Key<'de>>()? {
        Some(key) if key.as_str() == T::TAG => tag_then_variant(read, map),
        next => {
            read.ended = next.is_none();
            read.pending = next;
            T::untagged(read, map)
        }
    }
}

/// [`Tagged::untagged`] for a union with a variant `T` for an absent tag,
/// whose tag field `keep` checks. When the object ended after the outer
/// tags it is that variant. Otherwise the tag may still come: the variant
/// is decoded as a guess only inside [`tagged::guess`], whose caller
/// decodes again when it was wrong; elsewhere the buffered path decides.
pub(crate) fn guess_rest<'de, A: MapAccess<'de>, U: Tagged, T: Object>(
    read: Read<'de>,
    map: A,
    keep: fn(&T) -> bool,
) -> Result<Result<Box<T>, U>, A::Error> {
    if read.ended {
        return rest(read, map).map(Ok);
    }
    if !tagged::guessing() {
        return buffered(read, map).map(Err);
    }
    let v = rest(read, map)?;
    if keep(&v) {
        Ok(Ok(v))
    } else {
        Err(de::Error::custom("the guessed variant carries a tag"))
    }
}

/// An object whose tag names no variant: kept raw.
pub(crate) fn rest_unknown<'de, A: MapAccess<'de>, T: Tagged>(
    read: Read<'de>,
    mut map: A,
) -> Result<T, A::Error> {
    let ended = read.ended;
    let mut object = read_value(read, &mut map)?;
    rest_value(&mut object, ended, map)?;
    Ok(T::unknown(Value::Object(object)))
}

/// The entries read so far as a `Value` map: the tags, and the pending key
/// with its value.
fn read_value<'de, A: MapAccess<'de>>(
    read: Read<'de>,
    map: &mut A,
) -> Result<serde_json::Map<String, Value>, A::Error> {
    let mut object = serde_json::Map::new();
    for (key, tag) in read.tags() {
        object.insert((*key).to_owned(), Value::String(tag.clone().into_owned()));
    }
    if let Some(key) = read.pending {
        let v: Value = map.next_value()?;
        object.insert(key.into_string(), v);
    }
    Ok(object)
}

fn rest_value<'de, A: MapAccess<'de>>(
    object: &mut serde_json::Map<String, Value>,
    ended: bool,
    mut map: A,
) -> Result<(), A::Error> {
    while !ended && let Some((k, v)) = map.next_entry::<String, Value>()? {
        object.insert(k, v);
    }
    Ok(())
}

/// The buffered path: the object's text, from what was read and the rest
/// of `map`, decoded by `T::from_json`.
fn buffered<'de, A: MapAccess<'de>, T: Tagged>(read: Read<'de>, mut map: A) -> Result<T, A::Error> {
    let mut s = String::with_capacity(256);
    s.push('{');
    for (key, tag) in read.tags() {
        push_entry(&mut s, key, &serde_json::to_string(tag).unwrap_or_default());
    }
    if let Some(key) = &read.pending {
        let v: RawText<'de> = map.next_value()?;
        push_entry(&mut s, key.as_str(), v.get());
    }
    while !read.ended
        && let Some(key) = map.next_key::<Key<'de>>()?
    {
        let v: RawText<'de> = map.next_value()?;
        push_entry(&mut s, key.as_str(), v.get());
    }
    s.push('}');
    T::from_json(&s).map_err(de::Error::custom)
}

fn push_entry(s: &mut String, key: &str, value: &str) {
    if s.len() > 1 {
        s.push(',');
    }
    s.push_str(&serde_json::to_string(key).unwrap_or_default());
    s.push(':');
    s.push_str(value);
}

#[cfg(all(test, feature = "events"))]
mod tests {
    use crate::events::{Event, EventsApiPayload, MessageEvent};

    fn envelope(event: &str) -> String {
        format!(
            r#"{{"token":"t","team_id":"T1","event":{event},"type":"event_callback","event_id":"Ev1"}}"#
        )
    }

    /// The event of an envelope, decoded in the envelope's parser.
    fn inner(event: &str) -> Event {
        match EventsApiPayload::from_json(&envelope(event)) {
            Ok(EventsApiPayload::EventCallback(cb)) => cb.event,
            other => panic!("{event}: {other:?}"),
        }
    }

    #[test]
    fn an_event_in_an_envelope_decodes_as_it_does_alone() {
        let events = [
            // `type` first: from the running parser.
            r#"{"type":"reaction_added","user":"U1","reaction":"tada","item":{"type":"message","channel":"C1","ts":"1.2"},"event_ts":"1.3"}"#,
            // A plain message: no `subtype` after `type`, guessed.
            r#"{"type":"message","channel":"C1","user":"U1","text":"hi","ts":"1.2"}"#,
            // Ends after its tag.
            r#"{"type":"message"}"#,
            // `subtype` second.
            r#"{"type":"message","subtype":"bot_message","bot_id":"B1","text":"hi","ts":"1.2"}"#,
            // `subtype` later: the guess is wrong, and decoded again.
            r#"{"type":"message","channel":"C1","subtype":"message_deleted","deleted_ts":"1.1","ts":"1.2"}"#,
            r#"{"type":"message","channel":"C1","subtype":"","text":"empty subtype","ts":"1.2"}"#,
            // `type` not first: the buffered path.
            r#"{"client_msg_id":"x","type":"message","text":"hi","ts":"1.2"}"#,
            r#"{"user":"U1","subtype":"me_message","type":"message","text":"waves","ts":"1.2"}"#,
            // Unknown tags, a tag that is not a string, escapes, no tag.
            r#"{"type":"future_kind","payload":{"n":[1,2]},"event_ts":"1.3"}"#,
            r#"{"type":"message","subtype":"future_subtype","text":"x"}"#,
            r#"{"type":7,"user":"U1"}"#,
            r#"{"type":"message","subtype":7,"text":"x"}"#,
            r#"{"type":"mess\u0061ge","text":"escaped tag","ts":"1.2"}"#,
            r#"{"ok":true,"reply_to":1,"ts":"1.2","text":"ack"}"#,
            r#"{}"#,
        ];
        for e in events {
            assert_eq!(inner(e), Event::from_json(e).unwrap(), "{e}");
        }
        assert!(matches!(
            inner(events[4]),
            Event::Message(MessageEvent::MessageDeleted(_))
        ));
        assert!(matches!(
            inner(events[1]),
            Event::Message(MessageEvent::Plain(_))
        ));
    }

    #[test]
    fn a_variant_fails_as_it_does_alone() {
        // A repeated tag, a field of the wrong kind where it is required.
        for e in [
            r#"{"type":"message","subtype":"bot_message","subtype":"x"}"#,
            r#"{"type":"message","type":"message"}"#,
        ] {
            let alone = Event::from_json(e);
            let inside = EventsApiPayload::from_json(&envelope(e));
            assert_eq!(
                alone.is_err(),
                inside.is_err(),
                "{e}: {alone:?} / {inside:?}"
            );
        }
    }

    #[test]
    fn an_event_that_is_not_an_object_is_an_error() {
        for e in ["null", "[1]", "\"message\"", "3"] {
            let err = EventsApiPayload::from_json(&envelope(e)).unwrap_err();
            assert!(err.message().contains("an object"), "{e}: {err}");
            assert_eq!(err.path(), "event", "{e}: {err}");
        }
    }
}
