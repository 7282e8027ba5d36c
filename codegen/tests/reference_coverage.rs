//! The spec covers Slack's reference: every method file in
//! `slack-api-ref/methods/` is a method of some `spec/methods/<family>.json`,
//! and every event type in `slack-api-ref/events/` is a variant of the `Event`
//! union (or, for message subtypes and `message.*` channel kinds, of
//! `MessageEvent` / the `message` variant, and for `url_verification` of the
//! `EventsApiPayload` envelope) in `spec/events.json`.
//!
//! The reference lives in `shared/reference` beside the repository root.
//! Without it the tests print a note and pass, unless `REFERENCE_REQUIRED=1`
//! (set by CI), which turns the absence into a failure.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("codegen sits one level below the repository root")
        .to_path_buf()
}

/// `<repo>/../shared/reference/slack-api-ref/<kind>`, or `None` (after a
/// note) when the reference is absent and not required.
fn reference(kind: &str) -> Option<PathBuf> {
    let dir = repo()
        .parent()
        .expect("the repository has a parent folder")
        .join("shared/reference/slack-api-ref")
        .join(kind);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("REFERENCE_REQUIRED").as_deref() == Ok("1") {
        panic!("REFERENCE_REQUIRED=1 but {} is missing", dir.display());
    }
    eprintln!(
        "note: {} not found; skipping the reference coverage check",
        dir.display()
    );
    None
}

fn read_json(p: &Path) -> Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    v.sort();
    v
}

fn stem(p: &Path) -> String {
    p.file_stem().unwrap().to_string_lossy().into_owned()
}

/// Every method name in `spec/methods/*.json`.
fn spec_methods() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for p in json_files(&repo().join("spec/methods")) {
        for m in read_json(&p)["methods"]
            .as_array()
            .expect("a methods array")
        {
            out.insert(m["name"].as_str().expect("a method name").to_owned());
        }
    }
    out
}

/// The tags of a union of `spec/events.json`.
fn union_tags(events: &Value, union: &str) -> BTreeSet<String> {
    events["unions"][union]["variants"]
        .as_array()
        .unwrap_or_else(|| panic!("spec/events.json has no union {union}"))
        .iter()
        .filter_map(|v| v["tag"].as_str().map(str::to_owned))
        .collect()
}

/// Reference methods the spec lacks. `methods.json` is the reference's index
/// of every method: each name it lists must be in the spec too.
fn missing_methods(dir: &Path, spec: &BTreeSet<String>) -> (usize, Vec<String>) {
    let mut wanted = BTreeSet::new();
    for p in json_files(dir) {
        let name = stem(&p);
        if name == "methods" {
            let index = read_json(&p);
            for m in index.as_array().expect("methods.json is a list") {
                wanted.insert(m["name"].as_str().expect("a method name").to_owned());
            }
        } else {
            wanted.insert(name);
        }
    }
    let missing = wanted
        .iter()
        .filter(|n| !spec.contains(*n))
        .cloned()
        .collect();
    (wanted.len(), missing)
}

/// Reference event types the spec lacks.
fn missing_events(
    dir: &Path,
    events: &BTreeSet<String>,
    subtypes: &BTreeSet<String>,
    envelopes: &BTreeSet<String>,
) -> (usize, Vec<String>) {
    let mut n = 0;
    let mut missing = Vec::new();
    for p in json_files(dir) {
        let name = stem(&p);
        n += 1;
        let covered = events.contains(&name)
            || subtypes.contains(&name)
            // `url_verification` is an Events API envelope, not an inner event.
            || envelopes.contains(&name)
            // `message.channels`, `message.im`, ...: where a message was posted.
            || (name.starts_with("message.") && events.contains("message"));
        if !covered {
            missing.push(name);
        }
    }
    (n, missing)
}

#[test]
fn every_reference_method_is_in_the_spec() {
    let Some(dir) = reference("methods") else {
        return;
    };
    let spec = spec_methods();
    let (n, missing) = missing_methods(&dir, &spec);
    println!("{n} reference methods; {} methods in the spec", spec.len());
    assert!(
        n >= 322,
        "only {n} reference methods found in {}",
        dir.display()
    );
    assert!(
        missing.is_empty(),
        "reference methods missing from spec/methods/: {missing:?}"
    );
}

#[test]
fn every_reference_event_is_in_the_spec() {
    let Some(dir) = reference("events") else {
        return;
    };
    let events = read_json(&repo().join("spec/events.json"));
    let (n, missing) = missing_events(
        &dir,
        &union_tags(&events, "Event"),
        &union_tags(&events, "MessageEvent"),
        &union_tags(&events, "EventsApiPayload"),
    );
    println!("{n} reference event types");
    assert!(
        missing.is_empty(),
        "reference events missing from spec/events.json: {missing:?}"
    );
}

/// The checks are not vacuous: dropping a method or an event from the spec
/// is reported.
#[test]
fn a_missing_method_or_event_is_reported() {
    let (Some(methods), Some(event_dir)) = (reference("methods"), reference("events")) else {
        return;
    };
    let mut spec = spec_methods();
    assert!(spec.remove("bookmarks.add") && spec.remove("admin.users.list"));
    let (_, missing) = missing_methods(&methods, &spec);
    assert_eq!(missing, ["admin.users.list", "bookmarks.add"]);

    let events = read_json(&repo().join("spec/events.json"));
    let mut tags = union_tags(&events, "Event");
    assert!(tags.remove("function_executed"));
    let (_, missing) = missing_events(
        &event_dir,
        &tags,
        &union_tags(&events, "MessageEvent"),
        &union_tags(&events, "EventsApiPayload"),
    );
    assert_eq!(missing, ["function_executed"]);
}

/// Keys of every Web API response that the client reads itself.
const ENVELOPE: &[&str] = &[
    "ok",
    "error",
    "warning",
    "needed",
    "provided",
    "response_metadata",
];

/// Each spec method's response fields by name, keyed by method name.
fn spec_responses() -> BTreeMap<String, Vec<Value>> {
    let mut out = BTreeMap::new();
    for p in json_files(&repo().join("spec/methods")) {
        for m in read_json(&p)["methods"].as_array().expect("methods") {
            let fields = m["response"]["fields"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            out.insert(m["name"].as_str().expect("a name").to_owned(), fields);
        }
    }
    out
}

/// Whether the reference lets a value be `null` (an organization-wide
/// install's `team`, say).
fn may_be_null(schema: &Value) -> bool {
    let ty = &schema["type"];
    ty == "null"
        || ty.as_array().is_some_and(|t| t.iter().any(|t| t == "null"))
        || ["anyOf", "oneOf"].iter().any(|k| {
            schema[*k]
                .as_array()
                .is_some_and(|arms| arms.iter().any(may_be_null))
        })
}

/// Where the spec's response of a method disagrees with the reference's
/// `output`: a property it lacks (`method: field missing`), or a required,
/// non-null, single-valued property it keeps optional although its sample
/// (when it has one beyond the envelope) does not leave it out (`method: field optional`).
fn output_gaps(
    methods: &Path,
    samples: Option<&Path>,
    spec: &BTreeMap<String, Vec<Value>>,
) -> Vec<String> {
    let mut gaps = Vec::new();
    for p in json_files(methods) {
        let name = stem(&p);
        let (reference, Some(fields)) = (read_json(&p), spec.get(&name)) else {
            continue;
        };
        let output = &reference["output"];
        let sample = samples
            .map(|dir| dir.join(format!("{name}.json")))
            .filter(|s| s.is_file())
            .map(|s| read_json(&s))
            // Only the envelope: an error answer, no evidence of fields.
            .filter(|s| {
                s.as_object()
                    .is_some_and(|o| o.keys().any(|k| !ENVELOPE.contains(&k.as_str())))
            });
        let required: BTreeSet<&str> = output["required"]
            .as_array()
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        let Some(props) = output["properties"].as_object() else {
            continue;
        };
        for (key, schema) in props {
            if ENVELOPE.contains(&key.as_str()) {
                continue;
            }
            let Some(field) = fields.iter().find(|f| f["name"] == key.as_str()) else {
                gaps.push(format!("{name}: {key} missing"));
                continue;
            };
            let ty = field["type"].as_str().unwrap_or_default();
            let single = !ty.starts_with('[') && !ty.starts_with('{');
            let omitted = sample.as_ref().is_some_and(|s| s.get(key).is_none());
            if required.contains(key.as_str())
                && single
                && !may_be_null(schema)
                && !omitted
                && field["required"] != true
            {
                gaps.push(format!("{name}: {key} optional"));
            }
        }
    }
    gaps
}

fn api_samples() -> Option<PathBuf> {
    let dir = repo()
        .parent()?
        .join("shared/reference/java-slack-sdk-samples/api");
    dir.is_dir().then_some(dir)
}

/// Every property of a method's documented output is a field of its
/// response, and one Slack always sends is not an `Option`.
#[test]
fn every_documented_response_field_is_in_the_spec() {
    let Some(dir) = reference("methods") else {
        return;
    };
    let gaps = output_gaps(&dir, api_samples().as_deref(), &spec_responses());
    assert!(
        gaps.is_empty(),
        "responses that differ from the reference's output:\n{}",
        gaps.join("\n")
    );
}

/// The check is not vacuous: a dropped field and a demoted one are reported.
#[test]
fn a_missing_or_optional_response_field_is_reported() {
    let Some(dir) = reference("methods") else {
        return;
    };
    let mut spec = spec_responses();
    let stop = spec.get_mut("chat.stopStream").expect("chat.stopStream");
    stop.retain(|f| f["name"] != "message");
    for f in stop.iter_mut() {
        if f["name"] == "ts" {
            f["required"] = Value::Bool(false);
        }
    }
    let gaps: Vec<String> = output_gaps(&dir, api_samples().as_deref(), &spec)
        .into_iter()
        .filter(|g| g.starts_with("chat.stopStream:"))
        .collect();
    assert_eq!(
        gaps,
        [
            "chat.stopStream: message missing",
            "chat.stopStream: ts optional"
        ]
    );
}
