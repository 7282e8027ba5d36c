//! Recording real traffic into fixtures, with secrets scrubbed.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use slack_testkit::record::Recorder;
//!
//! let recorder = Recorder::new("fixtures/recorded").missing_only();
//! let client = slack_api::Client::builder()
//!     .token(std::env::var("SLACK_BOT_TOKEN")?)
//!     .observer(recorder.observer())
//!     .build()?;
//! // ... use `client` against the real Slack; each exchange lands in a fixture ...
//! assert!(recorder.errors().is_empty());
//! # let _ = client; Ok(()) }
//! ```
//!
//! Scrubbed: tokens (`xoxb-`, `xoxp-`, any `xox?-`, `xapp-`), client and
//! signing secrets, `response_url`s and webhook URLs. [`save`] refuses to write
//! a fixture in which [`find_secret`] still finds one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::fixtures::{FORMAT_VERSION, Fixture, FixtureResponse, FixtureSet, Matcher};
use crate::request::{CredentialKind, value_to_arg};
pub use crate::secrets::scrub_str;
use crate::secrets::{REDACTED, SECRET_KEYS, hook_at, token_at};

const URL_KEYS: &[&str] = &["response_url", "webhook_url"];
/// Response headers worth replaying; the rest (dates, request ids) would only add noise.
const KEPT_HEADERS: &[&str] = &["retry-after"];

/// Why a fixture was not written.
#[derive(Debug)]
pub enum RecordError {
    /// The fixture still holds something that looks like a secret.
    Secret {
        /// Method of the exchange.
        method: String,
        /// Which kind of secret was found.
        kind: &'static str,
    },
    /// Writing the file failed.
    Io(std::io::Error),
}

impl fmt::Display for RecordError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecordError::Secret { method, kind } => {
                write!(
                    f,
                    "refusing to save a {method} fixture that still holds a {kind}"
                )
            }
            RecordError::Io(e) => write!(f, "cannot write fixture: {e}"),
        }
    }
}

impl std::error::Error for RecordError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RecordError::Io(e) => Some(e),
            RecordError::Secret { .. } => None,
        }
    }
}

/// Scrubs a JSON value in place: every string, plus secret-named keys.
pub fn scrub(v: &mut Value) {
    match v {
        Value::String(s) => *s = scrub_str(s),
        Value::Array(items) => items.iter_mut().for_each(scrub),
        Value::Object(m) => scrub_map(m),
        _ => {}
    }
}

fn scrub_map(m: &mut Map<String, Value>) {
    for (k, v) in m.iter_mut() {
        let key = k.to_ascii_lowercase();
        if SECRET_KEYS.contains(&key.as_str()) && v.is_string() {
            *v = Value::String(REDACTED.into());
        } else if URL_KEYS.contains(&key.as_str()) && v.is_string() {
            *v = Value::String(format!("https://hooks.slack.com/{REDACTED}"));
        } else if key == "incoming_webhook" {
            if let Some(url) = v.get_mut("url") {
                *url = Value::String(format!("https://hooks.slack.com/{REDACTED}"));
            }
            scrub(v);
        } else {
            scrub(v);
        }
    }
}

/// The first kind of secret found in `text`, if any.
pub fn find_secret(text: &str) -> Option<&'static str> {
    for (i, _) in text.char_indices() {
        let rest = &text[i..];
        if token_at(rest).is_some() {
            return Some("token");
        }
        if hook_at(rest).is_some() {
            return Some("Slack hook URL");
        }
    }
    let v: Value = serde_json::from_str(text).ok()?;
    secret_key_in(&v)
}

fn secret_key_in(v: &Value) -> Option<&'static str> {
    match v {
        Value::Object(m) => m.iter().find_map(|(k, v)| {
            let key = k.to_ascii_lowercase();
            match v {
                Value::String(s)
                    if SECRET_KEYS.contains(&key.as_str()) && s != REDACTED && !s.is_empty() =>
                {
                    Some("secret")
                }
                _ => secret_key_in(v),
            }
        }),
        Value::Array(items) => items.iter().find_map(secret_key_in),
        _ => None,
    }
}

/// Writes a fixture as `<dir>/<method>-<hash of its matcher>.json` (so the same
/// request recorded again replaces its file), refusing one that holds a secret.
pub fn save(dir: &Path, fixture: &Fixture) -> Result<PathBuf, RecordError> {
    let text = serde_json::to_string_pretty(fixture).map_err(|e| RecordError::Io(e.into()))?;
    if let Some(kind) = find_secret(&text) {
        return Err(RecordError::Secret {
            method: fixture.method.clone(),
            kind,
        });
    }
    std::fs::create_dir_all(dir).map_err(RecordError::Io)?;
    let matcher = serde_json::to_string(&fixture.matcher).unwrap_or_default();
    let path = dir.join(format!(
        "{}-{:08x}.json",
        fixture.method,
        fnv(matcher.as_bytes()) as u32
    ));
    std::fs::write(&path, text + "\n").map_err(RecordError::Io)?;
    Ok(path)
}

fn fnv(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// One HTTP exchange, in the terms the recorder needs.
#[derive(Debug, Clone)]
pub struct Exchange {
    /// Slack method name.
    pub method: String,
    /// Arguments as sent (query, form or JSON merged).
    pub args: BTreeMap<String, String>,
    /// Kind of token sent, if known.
    pub token_kind: Option<CredentialKind>,
    /// HTTP status.
    pub status: u16,
    /// Response headers.
    pub headers: Vec<(String, String)>,
    /// Response body.
    pub body: Vec<u8>,
}

/// Writes fixtures from exchanges; see the [module docs](self).
#[derive(Debug, Clone)]
pub struct Recorder {
    dir: PathBuf,
    missing_only: bool,
    token_kind: Option<CredentialKind>,
    state: Arc<Mutex<RecorderState>>,
}

#[derive(Debug, Default)]
struct RecorderState {
    existing: FixtureSet,
    written: Vec<PathBuf>,
    errors: Vec<String>,
}

impl Recorder {
    /// Records into `dir` (created when needed).
    pub fn new(dir: impl AsRef<Path>) -> Recorder {
        Recorder {
            dir: dir.as_ref().to_path_buf(),
            missing_only: false,
            token_kind: None,
            state: Arc::default(),
        }
    }

    /// Only writes exchanges no fixture already in the folder answers.
    pub fn missing_only(self) -> Recorder {
        let existing = FixtureSet::load_dir(&self.dir).unwrap_or_default();
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .existing = existing;
        Recorder {
            missing_only: true,
            ..self
        }
    }

    /// Adds a `token_kind` constraint to every fixture (the client observer does not expose the token).
    pub fn token_kind(self, kind: CredentialKind) -> Recorder {
        Recorder {
            token_kind: Some(kind),
            ..self
        }
    }

    /// Records one exchange. Returns the file written, or `None` when skipped
    /// (missing-only mode and a fixture already answers it, or the body is not JSON).
    pub fn record(&self, ex: &Exchange) -> Result<Option<PathBuf>, RecordError> {
        let Ok(mut body) = serde_json::from_slice::<Value>(&ex.body) else {
            return Ok(None);
        };
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let kind = ex
            .token_kind
            .or(self.token_kind)
            .unwrap_or(CredentialKind::Bot);
        if self.missing_only && st.existing.find(&ex.method, &ex.args, kind).is_ok() {
            return Ok(None);
        }
        scrub(&mut body);
        let mut args = BTreeMap::new();
        for (k, v) in &ex.args {
            if k == "token" || SECRET_KEYS.contains(&k.as_str()) {
                continue;
            }
            let mut value = serde_json::from_str::<Value>(v)
                .ok()
                .filter(|j| j.is_object() || j.is_array())
                .unwrap_or_else(|| Value::String(v.clone()));
            scrub(&mut value);
            args.insert(k.clone(), value);
        }
        let headers = ex
            .headers
            .iter()
            .filter(|(k, _)| KEPT_HEADERS.contains(&k.to_ascii_lowercase().as_str()))
            .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
            .collect();
        let fixture = Fixture {
            version: FORMAT_VERSION,
            method: ex.method.clone(),
            matcher: Matcher {
                args,
                token_kind: ex.token_kind.or(self.token_kind),
            },
            response: FixtureResponse {
                status: ex.status,
                headers,
                body,
            },
            description: Some("recorded".into()),
            file: String::new(),
        };
        let path = save(&self.dir, &fixture)?;
        st.written.push(path.clone());
        Ok(Some(path))
    }

    /// Files written so far.
    pub fn written(&self) -> Vec<PathBuf> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .written
            .clone()
    }

    /// Exchanges that could not be saved (from [`observer`](Self::observer)), as messages.
    pub fn errors(&self) -> Vec<String> {
        self.state
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .errors
            .clone()
    }

    /// A hook for `slack_api::ClientBuilder::observer` that records every
    /// exchange that got a response. Errors are kept for [`errors`](Self::errors).
    pub fn observer(&self) -> impl Fn(&slack_api::Exchange<'_>) + Send + Sync + 'static {
        let me = self.clone();
        move |ex: &slack_api::Exchange<'_>| {
            let Some(status) = ex.status else {
                return;
            };
            let exchange = Exchange {
                method: ex.method.to_string(),
                args: wire_args(ex.url, ex.request_content_type, ex.request_body),
                token_kind: None,
                status,
                headers: ex.response_headers.to_vec(),
                body: ex.response_body.to_vec(),
            };
            if let Err(e) = me.record(&exchange) {
                me.state
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .errors
                    .push(e.to_string());
            }
        }
    }
}

/// Arguments from a request's URL query and body, as the fake decodes them.
fn wire_args(url: &str, content_type: Option<&str>, body: &[u8]) -> BTreeMap<String, String> {
    let mut args = BTreeMap::new();
    if let Ok(u) = url::Url::parse(url) {
        for (k, v) in u.query_pairs() {
            args.insert(k.into_owned(), v.into_owned());
        }
    }
    if content_type.is_some_and(|c| c.starts_with("application/json")) {
        if let Ok(Value::Object(m)) = serde_json::from_slice::<Value>(body) {
            for (k, v) in m {
                args.insert(k, value_to_arg(&v));
            }
        }
    } else {
        for (k, v) in url::form_urlencoded::parse(body) {
            args.insert(k.into_owned(), v.into_owned());
        }
    }
    args
}

/// Builds RTM transcripts (see `fixtures/README.md`) from the frames of a
/// live session. Feed it from `slack_rtm::RtmBuilder::observer`:
/// `.observer(move |f| match f.direction { Direction::Incoming =>
/// rec.incoming(f.text), _ => rec.outgoing(f.text) })`.
///
/// ```
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use slack_testkit::record::TranscriptRecorder;
///
/// let rec = TranscriptRecorder::new();
/// rec.incoming(r#"{"type":"hello"}"#);
/// rec.outgoing(r#"{"id":1,"type":"message","channel":"C1","text":"hi"}"#);
/// rec.incoming(r#"{"ok":true,"reply_to":1,"ts":"1.0"}"#);
/// let steps = &rec.transcripts()[0]["steps"];
/// assert_eq!(steps[1]["expect_client"]["text"], "hi");
/// assert_eq!(steps[2]["send"]["reply_to"], "$id");
/// // rec.save("fixtures/rtm", "greeting")? writes fixtures/rtm/greeting-001.json
/// # Ok(()) }
/// ```
///
/// Frames from the server become `send` steps, frames from the client
/// `expect_client` steps (without their `id`, which differs between runs),
/// and an ack's `reply_to` naming the client frame just sent becomes
/// `"$id"`. Pings and pongs are left out: the fake answers pings itself.
/// Each `hello` starts the transcript of a new connection. Frames are
/// scrubbed like fixtures, and [`save`](Self::save) refuses to write one
/// that still holds a secret.
#[derive(Debug, Clone, Default)]
pub struct TranscriptRecorder {
    state: Arc<Mutex<TranscriptState>>,
}

#[derive(Debug, Default)]
struct TranscriptState {
    /// Steps of each connection seen, in order.
    connections: Vec<Vec<Value>>,
    /// `id` of the last client frame recorded, for `"$id"` in its ack.
    last_id: Option<Value>,
    /// Frames that were not JSON objects, as messages.
    skipped: Vec<String>,
}

impl TranscriptState {
    fn steps(&mut self) -> &mut Vec<Value> {
        if self.connections.is_empty() {
            self.connections.push(Vec::new());
        }
        let last = self.connections.len() - 1;
        &mut self.connections[last]
    }
}

fn frame_object(text: &str) -> Option<Map<String, Value>> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(m)) => Some(m),
        _ => None,
    }
}

impl TranscriptRecorder {
    /// An empty recorder.
    pub fn new() -> TranscriptRecorder {
        TranscriptRecorder::default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, TranscriptState> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Records a frame the server sent.
    pub fn incoming(&self, text: &str) {
        let mut st = self.lock();
        let Some(mut frame) = frame_object(text) else {
            st.skipped.push(format!(
                "incoming frame that is not a JSON object: {:.80}",
                scrub_str(text)
            ));
            return;
        };
        match frame.get("type").and_then(Value::as_str) {
            Some("pong") => return,
            Some("hello") => {
                st.connections.push(Vec::new());
                st.last_id = None;
            }
            _ => {}
        }
        if let (Some(reply_to), Some(id)) = (frame.get("reply_to"), &st.last_id)
            && reply_to == id
        {
            frame.insert("reply_to".into(), Value::String("$id".into()));
        }
        let mut frame = Value::Object(frame);
        scrub(&mut frame);
        st.steps().push(serde_json::json!({ "send": frame }));
    }

    /// Records a frame the client sent.
    pub fn outgoing(&self, text: &str) {
        let mut st = self.lock();
        let Some(mut frame) = frame_object(text) else {
            st.skipped.push(format!(
                "outgoing frame that is not a JSON object: {:.80}",
                scrub_str(text)
            ));
            return;
        };
        if frame.get("type").and_then(Value::as_str) == Some("ping") {
            return;
        }
        st.last_id = frame.remove("id");
        let mut frame = Value::Object(frame);
        scrub(&mut frame);
        st.steps()
            .push(serde_json::json!({ "expect_client": frame }));
    }

    /// Frames left out because they were not JSON objects.
    pub fn skipped(&self) -> Vec<String> {
        self.lock().skipped.clone()
    }

    /// The transcripts recorded so far, one per connection, in the fixtures
    /// format (`{"version":1,"kind":"rtm","steps":[...]}`).
    pub fn transcripts(&self) -> Vec<Value> {
        self.lock()
            .connections
            .iter()
            .map(|steps| {
                serde_json::json!({
                    "version": FORMAT_VERSION,
                    "kind": "rtm",
                    "description": "recorded",
                    "steps": steps,
                })
            })
            .collect()
    }

    /// Writes each connection's transcript as `<dir>/<name>-<n>.json` (`n`
    /// from 1, zero-padded so path order is connection order), refusing all
    /// of them if any still holds a secret. Returns the files written.
    pub fn save(&self, dir: impl AsRef<Path>, name: &str) -> Result<Vec<PathBuf>, RecordError> {
        let dir = dir.as_ref();
        let mut texts = Vec::new();
        for t in self.transcripts() {
            let text = serde_json::to_string_pretty(&t).map_err(|e| RecordError::Io(e.into()))?;
            if let Some(kind) = find_secret(&text) {
                return Err(RecordError::Secret {
                    method: format!("rtm transcript {name}"),
                    kind,
                });
            }
            texts.push(text);
        }
        std::fs::create_dir_all(dir).map_err(RecordError::Io)?;
        let mut written = Vec::new();
        for (i, text) in texts.into_iter().enumerate() {
            let path = dir.join(format!("{name}-{:03}.json", i + 1));
            std::fs::write(&path, text + "\n").map_err(RecordError::Io)?;
            written.push(path);
        }
        Ok(written)
    }
}
