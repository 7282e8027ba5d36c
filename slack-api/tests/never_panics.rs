//! Arbitrary input never panics the decoders: they return `Ok` or `Err`.

use proptest::prelude::*;
use slack_api::events::Event;
use slack_api::spec::{self, METHODS};

/// Arbitrary JSON values, nested a few levels, with keys Slack uses so the
/// typed paths (not just the "unknown field" path) get exercised.
fn json() -> impl Strategy<Value = serde_json::Value> {
    let key = prop_oneof![
        Just("type".to_owned()),
        Just("subtype".to_owned()),
        Just("ts".to_owned()),
        Just("channel".to_owned()),
        Just("user".to_owned()),
        Just("text".to_owned()),
        Just("messages".to_owned()),
        Just("members".to_owned()),
        Just("ok".to_owned()),
        Just("message".to_owned()),
        Just("profile".to_owned()),
        "[a-z_]{1,8}",
    ];
    let tag = prop_oneof![
        Just("message".to_owned()),
        Just("bot_message".to_owned()),
        Just("message_changed".to_owned()),
        Just("reaction_added".to_owned()),
        Just("hello".to_owned()),
        Just("channel_created".to_owned()),
        ".{0,6}",
    ];
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(serde_json::Value::from),
        tag.prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(serde_json::Value::from),
            prop::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| serde_json::Value::Object(m.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn arbitrary_json_never_panics(value in json(), index in 0usize..1000) {
        let text = value.to_string();
        let _ = Event::from_json(&text);
        let method = METHODS[index % METHODS.len()];
        let _ = spec::decode_response(method.name, text.as_bytes());
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..256), index in 0usize..1000) {
        let method = METHODS[index % METHODS.len()];
        let _ = spec::decode_response(method.name, &bytes);
        if let Ok(text) = std::str::from_utf8(&bytes) {
            let _ = Event::from_json(text);
        }
    }
}
