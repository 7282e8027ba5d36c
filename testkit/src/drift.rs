//! Drift reports: decode recorded traffic with the generated types and list
//! what the spec does not describe.
//!
//! This is the library behind `cargo xtask drift` (the `slack-drift` binary).
//! A [`Report`] takes Web API response bodies and RTM / Events API / Socket
//! Mode frames, decodes each inside a [`slack_api::drift::collect`] session
//! and groups the findings by method or event, path and kind.
//!
//! ```
//! let mut report = slack_testkit::drift::Report::new();
//! report.add_response("auth.test", br#"{"ok": true, "user_id": "U1", "colour": "teal"}"#, "inline");
//! let entry = &report.entries()[0];
//! assert_eq!((entry.target.as_str(), entry.path.as_str()), ("auth.test", "colour"));
//! ```
//!
//! Inputs [`Report::add_path`] understands (directories are walked in name
//! order; files starting with `_` or `README` are skipped):
//! - testkit fixtures (`fixtures/web/*.json`, and what [`record`](crate::record)
//!   writes): the response body, under the fixture's method;
//! - RTM transcripts (`fixtures/rtm/*.json`): every frame a `send` step pushes;
//! - raw response bodies named by method: `conversations.history.json`,
//!   `chat.postMessage.2.json`;
//! - `*.jsonl`: one RTM, Events API or Socket Mode frame per line;
//! - any other `*.json` holding one frame (an object with `type`, `event` or
//!   `envelope_id`, or a slash command), or every `*.json` when `events` is set.
//!
//! Interactivity payloads (`block_actions`, `view_submission`, ...) decode as
//! [`InteractionPayload`](slack_api::events::InteractionPayload). A slash
//! command has no `type`: an object with a `command` and no `type` is read
//! as one, the JSON a Socket Mode `slash_commands` envelope carries, with
//! [`SlashCommand::from_json`], the decoder apps use (slash commands are
//! hand-written, not in the spec).
//!
//! Slack's merged reference samples (java-slack-sdk's) hold shapes no real
//! payload has; a report made with [`Report::for_samples`] counts the
//! findings that match one of the [`artifacts`] rules apart, as tolerated.

pub mod artifacts;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::Value;
use slack_api::drift::{DriftKind, ENVELOPE_KEYS, Finding};
use slack_api::inbound::slash::{FormError, SlashCommand};

use artifacts::Artifact;

/// Events API `type`s (the delivery, not the event inside).
const EVENTS_API_TYPES: &[&str] = &["app_rate_limited", "event_callback", "url_verification"];
/// Socket Mode frame types that RTM does not use as well.
const SOCKET_MODE_TYPES: &[&str] = &["events_api", "interactive", "slash_commands"];
/// Interactivity payload types (including legacy ones the spec may lack).
const INTERACTION_TYPES: &[&str] = &[
    "block_actions",
    "block_suggestion",
    "dialog_cancellation",
    "dialog_submission",
    "dialog_suggestion",
    "interactive_message",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
];

/// One kind of drift at one place, with how often it was seen.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Entry {
    /// The method (`conversations.history`) or event (`event reaction_added`,
    /// `event message/bot_message`, `event_callback/app_mention`).
    pub target: String,
    /// What kind of difference.
    pub kind: DriftKind,
    /// JSON path inside the payload, `[]` for any array element.
    pub path: String,
    /// What the spec expected there (a type, or a decode error's message).
    pub expected: String,
    /// How many times it was seen.
    pub count: usize,
    /// The first value seen, as JSON text.
    pub example: String,
    /// Where the first one was seen (file, and line for JSON lines).
    pub source: String,
    /// The sample artifact rule it matched, for a tolerated entry.
    pub artifact: Option<&'static str>,
}

type Key = (String, DriftKind, String, String);

/// Findings over a corpus of recorded traffic, grouped by target, kind and path.
#[derive(Debug, Default, Clone)]
pub struct Report {
    entries: BTreeMap<Key, Entry>,
    /// Findings matching a sample artifact rule, with `samples` on.
    tolerated: BTreeMap<Key, Entry>,
    samples: bool,
    seen: BTreeMap<String, usize>,
    responses: usize,
    events: usize,
    skipped: Vec<String>,
}

impl Report {
    /// An empty report.
    pub fn new() -> Report {
        Report::default()
    }

    /// An empty report over Slack's merged reference samples: findings
    /// matching an [`artifacts::ARTIFACTS`] rule are [`tolerated`](Self::tolerated),
    /// not drift.
    pub fn for_samples() -> Report {
        Report {
            samples: true,
            ..Report::default()
        }
    }

    /// Whether nothing drifted (tolerated sample artifacts aside).
    pub fn is_clean(&self) -> bool {
        self.entries.is_empty()
    }

    /// The grouped findings, by target, kind, path.
    pub fn entries(&self) -> Vec<&Entry> {
        self.entries.values().collect()
    }

    /// The findings tolerated as sample artifacts, each naming its rule;
    /// always empty unless made with [`for_samples`](Self::for_samples).
    pub fn tolerated(&self) -> Vec<&Entry> {
        self.tolerated.values().collect()
    }

    /// Response bodies decoded so far.
    pub fn responses(&self) -> usize {
        self.responses
    }

    /// Event frames decoded so far.
    pub fn events(&self) -> usize {
        self.events
    }

    /// Files that were not read, with the reason.
    pub fn skipped(&self) -> &[String] {
        &self.skipped
    }

    fn add(&mut self, target: &str, finding: Finding, source: &str) {
        let artifact = if self.samples {
            Artifact::matching(&finding)
        } else {
            None
        };
        let key = (
            target.to_owned(),
            finding.kind(),
            finding.path().to_owned(),
            finding.expected().to_owned(),
        );
        let entries = if artifact.is_some() {
            &mut self.tolerated
        } else {
            &mut self.entries
        };
        entries
            .entry(key)
            .and_modify(|e| e.count += 1)
            .or_insert_with(|| Entry {
                target: target.to_owned(),
                kind: finding.kind(),
                path: finding.path().to_owned(),
                expected: finding.expected().to_owned(),
                count: 1,
                example: finding.example().to_owned(),
                source: source.to_owned(),
                artifact: artifact.map(|a| a.name),
            });
    }

    /// Decodes one Web API response body of `method`.
    ///
    /// An error answer (`"ok": false` and nothing beyond the envelope) is
    /// counted but not decoded: the client reads it as the error, never as
    /// the method's response.
    pub fn add_response(&mut self, method: &str, body: &[u8], source: &str) {
        self.responses += 1;
        *self.seen.entry(method.to_owned()).or_default() += 1;
        if is_error_answer(body) {
            return;
        }
        let (result, findings) =
            slack_api::drift::collect(|| slack_api::spec::decode_response(method, body));
        for f in findings {
            let envelope = f.kind() == DriftKind::IgnoredField && ENVELOPE_KEYS.contains(&f.path());
            if !envelope {
                self.add(method, f, source);
            }
        }
        if let Err(e) = result {
            self.add(method, error_finding(&e), source);
        }
    }

    /// Decodes one RTM, Events API, Socket Mode or interactivity frame, or
    /// a slash command (see the module docs).
    pub fn add_event(&mut self, frame: &str, source: &str) {
        self.events += 1;
        let parsed: Option<Value> = serde_json::from_str(frame).ok();
        if let Some(Value::Object(payload)) = parsed.as_ref().filter(|v| is_slash_command(v)) {
            *self.seen.entry(SLASH_COMMAND.to_owned()).or_default() += 1;
            self.add_slash_command(payload, source);
            return;
        }
        let target = parsed
            .as_ref()
            .map_or_else(|| "event".to_owned(), event_label);
        *self.seen.entry(target.clone()).or_default() += 1;
        let kind = parsed.as_ref().map_or(FrameKind::Event, frame_kind);
        let (result, findings) = slack_api::drift::collect(|| -> Result<(), _> {
            use slack_api::events as ev;
            match kind {
                FrameKind::Event => ev::Event::from_json(frame).map(drop),
                FrameKind::EventsApi => ev::EventsApiPayload::from_json(frame).map(drop),
                FrameKind::Callback => {
                    slack_api::de::from_str::<ev::EventCallback>(frame).map(drop)
                }
                FrameKind::SocketMode => ev::SocketModeMessage::from_json(frame).map(drop),
                FrameKind::Interaction => ev::InteractionPayload::from_json(frame).map(drop),
            }
        });
        for f in findings {
            self.add(&target, f, source);
        }
        if let Err(e) = result {
            self.add(&target, error_finding(&e), source);
        }
    }

    /// Reads a slash command with [`SlashCommand::from_json`]: a form field it
    /// does not know is an ignored field; a required one absent is missing,
    /// one left empty (`""`) a decode error of `SlashCommand`. The decoder
    /// stops at the first of those, so each is filled in and the payload
    /// read again, until one report lists them all.
    fn add_slash_command(&mut self, payload: &serde_json::Map<String, Value>, source: &str) {
        let mut payload = payload.clone();
        let mut filled = Vec::new();
        let command = loop {
            match SlashCommand::from_json(&payload) {
                Ok(command) => break command,
                Err(FormError::MissingField(field)) if !filled.contains(&field) => {
                    let finding = match payload.get(field) {
                        None | Some(Value::Null) => {
                            Finding::new(DriftKind::MissingRequired, field, "", "")
                        }
                        Some(v) => Finding::new(
                            DriftKind::DecodeError,
                            field,
                            "SlashCommand",
                            &v.to_string(),
                        ),
                    };
                    self.add(SLASH_COMMAND, finding, source);
                    filled.push(field);
                    payload.insert(field.to_owned(), Value::String("filled-in".into()));
                }
                Err(e) => {
                    let finding = Finding::new(DriftKind::DecodeError, "", e.to_string(), "");
                    self.add(SLASH_COMMAND, finding, source);
                    return;
                }
            }
        };
        for (key, value) in &command.extra {
            let example = payload
                .get(key)
                .map_or_else(|| value.clone(), Value::to_string);
            let finding = Finding::new(DriftKind::IgnoredField, key.as_str(), "", &example);
            self.add(SLASH_COMMAND, finding, source);
        }
    }

    /// Reads a file or a directory of recorded traffic (see the module docs).
    /// `events` treats plain `*.json` files as single frames. Fails only when
    /// a path cannot be read; unusable files are listed in [`skipped`](Self::skipped).
    pub fn add_path(&mut self, path: &Path, events: bool) -> std::io::Result<()> {
        if path.is_dir() {
            let mut children: Vec<_> = std::fs::read_dir(path)?
                .map(|e| e.map(|e| e.path()))
                .collect::<Result<_, _>>()?;
            children.sort();
            for child in children {
                let name = child.file_name().and_then(|n| n.to_str()).unwrap_or("");
                if name.starts_with('_') || name.starts_with("README") || name.starts_with('.') {
                    continue;
                }
                if child.is_dir() || name.ends_with(".json") || name.ends_with(".jsonl") {
                    self.add_path(&child, events)?;
                }
            }
            return Ok(());
        }
        let text = std::fs::read_to_string(path)?;
        let source = path.display().to_string();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.ends_with(".jsonl") {
            for (i, line) in text.lines().enumerate() {
                if !line.trim().is_empty() {
                    self.add_event(line, &format!("{source}:{}", i + 1));
                }
            }
            return Ok(());
        }
        let value: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                self.skipped.push(format!("{source}: not JSON ({e})"));
                return Ok(());
            }
        };
        if let Some((method, body)) = fixture_body(&value) {
            let body = serde_json::to_vec(body).unwrap_or_default();
            self.add_response(method, &body, &source);
        } else if value.get("kind").and_then(Value::as_str) == Some("rtm") {
            let steps = value.get("steps").and_then(Value::as_array);
            for (i, step) in steps.into_iter().flatten().enumerate() {
                if let Some(frame) = step.get("send") {
                    // The fake replaces "$id" with the client's message id when replaying.
                    let frame = frame.to_string().replace(r#""$id""#, "1");
                    self.add_event(&frame, &format!("{source} step {}", i + 1));
                }
            }
        } else if events {
            self.add_event(&text, &source);
        } else if let Some(method) = method_of_file(name) {
            self.add_response(method, text.as_bytes(), &source);
        } else if ["type", "event", "envelope_id"]
            .iter()
            .any(|k| value.get(k).is_some())
            || is_slash_command(&value)
        {
            self.add_event(&text, &source);
        } else {
            self.skipped.push(format!(
                "{source}: neither a fixture, a known method's response nor an event frame"
            ));
        }
        Ok(())
    }

    /// A readable report grouped by method or event.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        let targets = self
            .entries
            .values()
            .map(|e| &e.target)
            .collect::<std::collections::BTreeSet<_>>();
        let _ = writeln!(
            out,
            "drift: {} responses and {} event frames read; {} findings in {} places under {} methods/events",
            self.responses,
            self.events,
            self.entries.values().map(|e| e.count).sum::<usize>(),
            self.entries.len(),
            targets.len(),
        );
        if self.samples {
            self.write_tolerated(&mut out);
        }
        for target in targets {
            let seen = self.seen.get(target).copied().unwrap_or(0);
            let _ = writeln!(out, "\n{target} ({seen} read)");
            for e in self.entries.values().filter(|e| &e.target == target) {
                let path = if e.path.is_empty() { "(root)" } else { &e.path };
                let _ = write!(out, "  {:<18} {path}", e.kind.as_str());
                if !e.expected.is_empty() {
                    let _ = write!(out, " (expected {})", e.expected);
                }
                let _ = write!(out, "  x{}", e.count);
                if !e.example.is_empty() {
                    let _ = write!(out, "  e.g. {}", e.example);
                }
                let _ = writeln!(out, "  [{}]", e.source);
            }
        }
        if !self.skipped.is_empty() {
            let _ = writeln!(out, "\nskipped:");
            for s in &self.skipped {
                let _ = writeln!(out, "  {s}");
            }
        }
        out
    }

    /// `sample artifacts tolerated: N findings in M places`, then the same
    /// for each rule.
    fn write_tolerated(&self, out: &mut String) {
        let (n, places) = tally(self.tolerated.values());
        let _ = writeln!(
            out,
            "sample artifacts tolerated (--samples): {n} findings in {places} places"
        );
        for rule in artifacts::ARTIFACTS {
            let matched = self.tolerated.values();
            let (n, places) = tally(matched.filter(|e| e.artifact == Some(rule.name)));
            let _ = writeln!(out, "  {:<38} x{n} in {places} places", rule.name);
        }
    }

    /// The same as JSON, for tooling: `{"responses", "events", "skipped",
    /// "findings": [{"target", "kind", "path", "expected", "count", "example",
    /// "source"}], "tolerated": [the same, with "artifact": the rule's name]}`.
    pub fn to_json(&self) -> Value {
        let json = |e: &Entry| {
            let mut v = serde_json::json!({
                "target": e.target,
                "kind": e.kind.as_str(),
                "path": e.path,
                "expected": e.expected,
                "count": e.count,
                "example": e.example,
                "source": e.source,
            });
            if let Some(rule) = e.artifact {
                v["artifact"] = rule.into();
            }
            v
        };
        serde_json::json!({
            "responses": self.responses,
            "events": self.events,
            "skipped": self.skipped,
            "findings": self.entries.values().map(json).collect::<Vec<_>>(),
            "tolerated": self.tolerated.values().map(json).collect::<Vec<_>>(),
        })
    }
}

/// (findings, places) over some entries.
fn tally<'a>(entries: impl Iterator<Item = &'a Entry>) -> (usize, usize) {
    entries.fold((0, 0), |(n, places), e| (n + e.count, places + 1))
}

/// The report's target for slash commands.
const SLASH_COMMAND: &str = "slash command";

#[derive(Clone, Copy)]
enum FrameKind {
    Event,
    EventsApi,
    Callback,
    SocketMode,
    Interaction,
}

/// An object with a `command` and no `type`: what a slash command carries.
fn is_slash_command(v: &Value) -> bool {
    v.get("type").is_none() && v.get("command").is_some_and(Value::is_string)
}

fn frame_kind(v: &Value) -> FrameKind {
    let ty = v.get("type").and_then(Value::as_str).unwrap_or("");
    if v.get("envelope_id").is_some() || SOCKET_MODE_TYPES.contains(&ty) {
        FrameKind::SocketMode
    } else if EVENTS_API_TYPES.contains(&ty) {
        FrameKind::EventsApi
    } else if INTERACTION_TYPES.contains(&ty) {
        FrameKind::Interaction
    } else if ty.is_empty() && v.get("event").is_some_and(Value::is_object) {
        // A delivery whose `type` was blanked (as in sample corpora).
        FrameKind::Callback
    } else {
        FrameKind::Event
    }
}

/// `event reaction_added`, `event message/bot_message`,
/// `event_callback/app_mention`, `events_api/event_callback/message`.
fn event_label(v: &Value) -> String {
    let mut parts = Vec::new();
    let mut cur = Some(v);
    while let Some(obj) = cur {
        let ty = obj.get("type").and_then(Value::as_str).unwrap_or("");
        if !ty.is_empty() {
            parts.push(ty.to_owned());
        }
        if let Some(sub) = obj
            .get("subtype")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            parts.push(sub.to_owned());
        }
        cur = obj
            .get("payload")
            .filter(|p| p.is_object())
            .or_else(|| obj.get("event").filter(|e| e.is_object()));
        if cur.is_some() && ty.is_empty() && parts.is_empty() {
            parts.push("event_callback".to_owned());
        }
    }
    if parts.is_empty() {
        return "event (no type)".to_owned();
    }
    let label = parts.join("/");
    if parts.len() == 1 || v.get("type").and_then(Value::as_str) == Some("message") {
        format!("event {label}")
    } else {
        label
    }
}

fn fixture_body(v: &Value) -> Option<(&str, &Value)> {
    v.get("version")?;
    let method = v.get("method")?.as_str()?;
    let body = v.get("response")?.get("body")?;
    Some((method, body))
}

/// `conversations.history.json` or `chat.postMessage.2.json` -> the method,
/// when the spec has it.
fn method_of_file(name: &str) -> Option<&'static str> {
    let stem = name.strip_suffix(".json")?;
    let known = |s: &str| slack_api::spec::method(s).map(|m| m.name);
    known(stem).or_else(|| {
        let (base, n) = stem.rsplit_once('.')?;
        (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
            .then(|| known(base))
            .flatten()
    })
}

/// A decode failure as a finding: a missing field names the field's path.
fn error_finding(e: &slack_api::de::DecodeError) -> Finding {
    let path = normalize(e.path());
    let message = e.message();
    if let Some((before, after)) = message.split_once("missing field `") {
        let field = after.split('`').next().unwrap_or("");
        // A nested union's error carries its own path: "... at `event`: missing field ..".
        let inner = before
            .rsplit_once(" at `")
            .and_then(|(_, p)| p.split('`').next())
            .map(normalize)
            .unwrap_or_default();
        let full = [path.as_str(), inner.as_str(), field]
            .iter()
            .filter(|p| !p.is_empty())
            .copied()
            .collect::<Vec<_>>()
            .join(".");
        return Finding::new(DriftKind::MissingRequired, full, "", "");
    }
    Finding::new(DriftKind::DecodeError, path, message, e.excerpt())
}

/// `messages[3].files[0]` -> `messages[].files[]`; `?` (unknown) and `.` (root) -> empty.
fn normalize(path: &str) -> String {
    if path == "." || path == "?" {
        return String::new();
    }
    let mut out = String::with_capacity(path.len());
    let mut in_index = false;
    for c in path.chars() {
        match c {
            '[' => {
                in_index = true;
                out.push_str("[]");
            }
            ']' if in_index => in_index = false,
            _ if in_index => {}
            _ => out.push(c),
        }
    }
    out
}

/// `"ok": false` with only envelope keys (`error`, `needed`, ...).
fn is_error_answer(body: &[u8]) -> bool {
    let Ok(Value::Object(o)) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    o.get("ok") == Some(&Value::Bool(false))
        && o.keys().all(|k| ENVELOPE_KEYS.contains(&k.as_str()))
}
