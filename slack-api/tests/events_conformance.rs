//! Every Events API sample in Slack's public reference data decodes as an
//! Events API payload whose inner event is a typed variant.
//!
//! The samples live in `shared/reference` beside the repository root. Without
//! that folder the test prints a note and passes, unless `REFERENCE_REQUIRED=1`
//! (set by `.ci/run`), which turns the absence into a failure.

use serde_json::Value;
use slack_api::events::{Event, EventsApiPayload, MessageEvent};

mod reference;
use reference::{json_files, samples};

/// Decodes one sample; `Err` says why it is not a typed event callback.
fn check(text: &str) -> Result<(), String> {
    let mut v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    // The samples are templates whose outer `type` is often left empty;
    // Slack always sends `event_callback` for these.
    if v.get("type")
        .and_then(Value::as_str)
        .unwrap_or("")
        .is_empty()
    {
        v["type"] = Value::from("event_callback");
    }
    let payload = EventsApiPayload::from_json(&v.to_string()).map_err(|e| e.to_string())?;
    let EventsApiPayload::EventCallback(cb) = payload else {
        return Err(format!("not an event_callback: {payload:?}"));
    };
    match cb.event {
        Event::Unknown(raw) => Err(format!("event fell back to raw: {}", raw["type"])),
        Event::Message(MessageEvent::Unknown(raw)) => Err(format!(
            "message subtype fell back to raw: {}",
            raw["subtype"]
        )),
        _ => Ok(()),
    }
}

#[test]
fn every_events_api_sample_decodes_to_a_typed_event() {
    let Some(dir) = samples("events") else { return };
    let mut decoded = 0;
    let mut failures = Vec::new();
    for path in json_files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        match check(&text) {
            Ok(()) => decoded += 1,
            Err(why) => failures.push(format!("{name}: {why}")),
        }
    }
    println!("decoded {decoded} Events API samples");
    assert!(
        failures.is_empty(),
        "samples not decoded to a typed event:\n{}",
        failures.join("\n")
    );
    assert_eq!(decoded, 96, "expected the 96 Events API samples");
}

#[test]
fn the_checker_rejects_what_it_should() {
    // An unknown event type and an unknown message subtype are failures.
    assert!(check(r#"{"type":"event_callback","event":{"type":"no_such_event"}}"#).is_err());
    assert!(
        check(r#"{"type":"","event":{"type":"message","subtype":"no_such_subtype"}}"#).is_err()
    );
    assert!(check(r#"{"type":"url_verification","challenge":"c"}"#).is_err());
    assert!(check(r#"{"type":"","event":{"type":"app_mention","text":"hi"}}"#).is_ok());
}

/// Interactivity samples: every payload type decodes to its typed variant,
/// the legacy ones (attachment actions, dialogs) too.
#[test]
fn interaction_samples_decode() {
    use slack_api::events::InteractionPayload;
    let Some(events) = samples("events") else {
        return;
    };
    let dir = events.with_file_name("app-backend");
    let mut typed = Vec::new();
    let mut failures = Vec::new();
    for path in json_files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let v: Value = serde_json::from_str(&text).unwrap();
        let kind = v["type"].as_str().unwrap_or("").to_owned();
        if kind.is_empty() {
            continue; // the slash command form, tested in slash.rs
        }
        match InteractionPayload::from_json(&text) {
            Ok(InteractionPayload::Unknown(_)) => {
                failures.push(format!("{name}: {kind} fell back to raw"))
            }
            Ok(p) => {
                assert_eq!(p.r#type(), Some(kind.as_str()), "{name}");
                typed.push(kind);
            }
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    assert!(
        failures.is_empty(),
        "interaction samples:\n{}",
        failures.join("\n")
    );
    typed.sort();
    assert_eq!(
        typed,
        [
            "block_actions",
            "dialog_cancellation",
            "dialog_submission",
            "dialog_suggestion",
            "interactive_message",
            "message_action",
            "view_closed",
            "view_submission",
        ]
    );
}

/// A union held in a field (the callback's `event`) is decoded from its own
/// text, whatever the key order, spacing or escapes; a wrong shape is an error.
#[test]
fn a_union_in_a_field_decodes_whatever_the_layout() {
    let event_of = |text: &str| match EventsApiPayload::from_json(text) {
        Ok(EventsApiPayload::EventCallback(cb)) => Ok(cb.event),
        Ok(other) => panic!("not an event_callback: {other:?}"),
        Err(e) => Err(e.to_string()),
    };
    let layouts = [
        r#"{"type":"event_callback","event":{"type":"message","subtype":"bot_message","bot_id":"B1"}}"#,
        r#"{"event":{"bot_id":"B1","subtype":"bot_message","type":"message"},"type":"event_callback"}"#,
        "{\n  \"type\" : \"event_callback\",\n  \"event\" : {\n    \"subtype\" : \"bot_message\" , \"type\" : \"message\", \"bot_id\": \"B1\"\n  }\n}",
        r#"{"type":"event_callback","event":{"typ\u0065":"message","subtype":"bot_\u006dessage","bot_id":"B1"}}"#,
        // `subtype` after a nested value, past where the scan stops.
        r#"{"type":"event_callback","event":{"type":"message","blocks":[{"type":"divider"}],"subtype":"bot_message","bot_id":"B1"}}"#,
    ];
    for text in layouts {
        match event_of(text) {
            Ok(Event::Message(MessageEvent::BotMessage(m))) => {
                assert_eq!(m.bot_id.as_ref().map(|b| b.as_str()), Some("B1"), "{text}");
            }
            other => panic!("{text}: {other:?}"),
        }
    }
    let bad = [
        r#"{"type":"event_callback","event":"oops"}"#,
        r#"{"type":"event_callback","event":null}"#,
        r#"{"type":"event_callback","event":{"type":"message","text":}}"#,
        // `type` after the event: the likely variant is tried first.
        r#"{"event":"oops","type":"event_callback"}"#,
        r#"{"event":{"type":"message","text":},"type":"event_callback"}"#,
    ];
    for text in bad {
        assert!(event_of(text).is_err(), "{text} should not decode");
    }
}

/// Blocks decode alike whatever their key order: with `type` first (one
/// pass), after the other keys (the object rewritten with its tags first),
/// or missing (kept raw); a `message` without `subtype` alike whether its
/// second key is `subtype` or not.
#[test]
fn blocks_and_messages_decode_alike_in_any_key_order() {
    let frames = [
        (
            r#"{"type":"message","text":"hi","blocks":[{"type":"rich_text","block_id":"b","elements":[{"type":"rich_text_section","elements":[{"type":"text","text":"hi"},{"type":"future_kind","x":[1]}]}]},{"type":"divider"}],"ts":"1.2"}"#,
            r#"{"blocks":[{"block_id":"b","elements":[{"elements":[{"text":"hi","type":"text"},{"type":"future_kind","x":[1]}],"type":"rich_text_section"}],"type":"rich_text"},{"type":"divider"}],"text":"hi","ts":"1.2","type":"message"}"#,
        ),
        (
            r#"{"type":"message","blocks":[{"block_id":"b","elements":[]}],"ts":"1.2"}"#,
            r#"{"blocks":[{"elements":[],"block_id":"b"}],"ts":"1.2","type":"message"}"#,
        ),
        (
            r#"{"type":"message","subtype":"bot_message","bot_id":"B1","blocks":[{"type":"section","text":{"type":"mrkdwn","text":"*hi*"}}]}"#,
            r#"{"blocks":[{"text":{"text":"*hi*","type":"mrkdwn"},"type":"section"}],"bot_id":"B1","subtype":"bot_message","type":"message"}"#,
        ),
    ];
    for (slack, sorted) in frames {
        let a = Event::from_json(slack).unwrap_or_else(|e| panic!("{slack}: {e}"));
        let b = Event::from_json(sorted).unwrap_or_else(|e| panic!("{sorted}: {e}"));
        assert_eq!(a, b, "{sorted}");
    }
    let plain = Event::from_json(r#"{"type":"message","text":"hi","subtype":""}"#).unwrap();
    assert!(
        matches!(plain, Event::Message(MessageEvent::Plain(_))),
        "{plain:?}"
    );
    let late =
        Event::from_json(r#"{"type":"message","text":"hi","subtype":"bot_message"}"#).unwrap();
    assert!(
        matches!(late, Event::Message(MessageEvent::BotMessage(_))),
        "{late:?}"
    );
    let unknown =
        Event::from_json(r#"{"type":"message","text":"hi","subtype":"no_such"}"#).unwrap();
    assert!(
        matches!(unknown, Event::Message(MessageEvent::Unknown(_))),
        "{unknown:?}"
    );
}
