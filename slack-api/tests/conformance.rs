//! Every response and event sample in Slack's public reference data decodes
//! into its typed form.
//!
//! The samples live in `shared/reference` beside the repository root. Without
//! that folder the tests print a note and pass, unless `REFERENCE_REQUIRED=1`
//! (set by `.ci/run`), which turns the absence into a failure.

use slack_api::events::{Event, MessageEvent};
use slack_api::spec;

mod reference;
use reference::{json_files, samples};

fn only_envelope(body: &[u8]) -> bool {
    let v: serde_json::Value = serde_json::from_slice(body).expect("a JSON sample");
    v.as_object().is_some_and(|o| {
        o.keys()
            .all(|k| slack_api::drift::ENVELOPE_KEYS.contains(&k.as_str()))
    })
}

#[test]
fn every_api_sample_of_a_spec_method_decodes() {
    let Some(dir) = samples("api") else { return };
    let mut decoded = 0;
    let mut skipped = 0;
    let mut errors = 0;
    let mut failures = Vec::new();
    for path in json_files(&dir) {
        let method = path.file_stem().unwrap().to_string_lossy().into_owned();
        let Some(info) = spec::method(&method) else {
            continue;
        };
        let body = std::fs::read(&path).unwrap();
        // A sample holding only the envelope is an error answer: the client
        // reads it as the error and never as the method's response, whose
        // required fields it lacks. (The other samples' `ok` is a placeholder.)
        if only_envelope(&body) {
            errors += 1;
            continue;
        }
        let family_off = slack_api::de::DecodeError::family_off(&method, info.family).to_string();
        match spec::decode_response(&method, &body) {
            Ok(_) => decoded += 1,
            // The method's family feature is off in this build.
            Err(e) if e.to_string() == family_off => skipped += 1,
            Err(e) => failures.push(format!("{method}: {e}")),
        }
    }
    println!(
        "decoded {decoded} response samples with decode_response ({skipped} of families not enabled, {errors} error answers)"
    );
    assert!(
        failures.is_empty(),
        "samples that failed to decode:\n{}",
        failures.join("\n")
    );
    // The seven families plus auth.test and api.test (and the files/apps
    // methods the client issue added).
    assert!(decoded >= 81, "only {decoded} samples matched spec methods");
}

#[test]
fn every_rtm_sample_decodes_to_a_typed_event() {
    let Some(dir) = samples("rtm") else { return };
    let mut decoded = 0;
    let mut failures = Vec::new();
    for path in json_files(&dir) {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        match Event::from_json(&text) {
            Ok(Event::Unknown(raw)) => {
                failures.push(format!("{name}: fell back to raw: {}", raw["type"]))
            }
            Ok(Event::Message(MessageEvent::Unknown(raw))) => {
                failures.push(format!(
                    "{name}: message subtype fell back to raw: {}",
                    raw["subtype"]
                ));
            }
            Ok(_) => decoded += 1,
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    println!("decoded {decoded} RTM event samples with Event::from_json");
    assert!(
        failures.is_empty(),
        "samples not decoded to a typed event:\n{}",
        failures.join("\n")
    );
    assert_eq!(decoded, 90, "expected the 90 RTM samples");
}
