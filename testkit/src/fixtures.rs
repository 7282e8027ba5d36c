//! Replay fixtures: recorded (or hand-made) Web API exchanges and RTM transcripts.
//!
//! A fixture is a JSON file (format version [`FORMAT_VERSION`]) that says
//! which requests it answers and with what. Give the fake a folder of them
//! with [`FakeSlackBuilder::fixtures_dir`](crate::FakeSlackBuilder::fixtures_dir)
//! (fixtures first, then the simulated workspace) or
//! [`FakeSlack::replay`](crate::FakeSlack::replay) (fixtures only), or add one
//! in code with [`FakeSlackBuilder::fixture`](crate::FakeSlackBuilder::fixture)
//! and [`FakeSlack::add_fixture`](crate::FakeSlack::add_fixture).
//!
//! # Folders
//!
//! A fixture folder is searched recursively: every `*.json` file in it and
//! in its subfolders, at any depth, is loaded, in path order (`a/b.json`
//! before `a/c/d.json` before `b.json`). Files whose name starts with `_` or
//! `README` are skipped, so drafts and notes can sit beside fixtures. A file
//! with `"kind": "rtm"` is an [RTM transcript](#rtm-transcripts); any other is
//! a Web API fixture. A file that does not parse, or has another `version`,
//! stops the fake from starting ([`FakeSlackBuilder::try_start`](crate::FakeSlackBuilder::try_start)
//! says which file and why).
//!
//! # Web API fixtures
//!
//! ```json
//! {
//!   "version": 1,
//!   "method": "conversations.history",
//!   "match": {
//!     "args": { "channel": "C_GENERAL", "limit": 5, "inclusive": true },
//!     "token_kind": "bot"
//!   },
//!   "response": {
//!     "status": 200,
//!     "headers": { "retry-after": "30" },
//!     "body": { "ok": true, "messages": [], "has_more": false, "channel_actions_count": 0 }
//!   },
//!   "description": "optional note"
//! }
//! ```
//!
//! | key | meaning |
//! |---|---|
//! | `version` | Always `1`. Other versions are refused when loading. |
//! | `method` | Slack method name. |
//! | `match.args` | Arguments the request must carry, with these values; other arguments are ignored. Query string, form and JSON body are one argument map. Optional, default `{}` (any arguments). |
//! | `match.token_kind` | `bot`, `user`, `app`, `basic` (HTTP Basic client credentials) or `none`. Optional: any. |
//! | `response.status` | HTTP status, default 200. |
//! | `response.headers` | Extra headers, e.g. `retry-after` with a 429. Optional. |
//! | `response.body` | The JSON body. For `rtm.connect`, `rtm.start` and `apps.connections.open`, `url` is rewritten to the fake's own websocket. |
//! | `description` | A note for readers. Optional. |
//!
//! ## How values compare
//!
//! A request argument arrives as text (a query or form field), or as a JSON
//! value in a JSON body; a fixture's value compares with it by meaning:
//!
//! | fixture value | matches |
//! |---|---|
//! | a number, `5` | the same number in any spelling: `5`, `"5"`, `5.0` |
//! | a boolean, `true` | `true` or `1` (and `false`: `false` or `0`) |
//! | a list of strings or numbers, `["U1", "U2"]` | the comma list `U1,U2` (spaces around items ignored), or a JSON array with the same items, in the same order |
//! | an object or a list of objects, `[{"type": "divider"}]` | the same JSON, sent as a value or as text in a form field (`blocks=[{"type":"divider"}]`); numbers compare by value, key order does not matter |
//! | a string, `"hello"` | that text, exactly; a string holding a JSON object or array (`"[{\"type\":\"divider\"}]"`) compares as JSON, and a JSON array sent as text matches its comma list |
//! | `null` | an empty argument |
//!
//! ## Which fixture answers
//!
//! When several fixtures match, the one with the most `match.args` wins, then
//! the first in path order (fixtures added in code come after the folders').
//!
//! A method the simulator (when on) does not answer and no fixture is
//! given for is answered `testkit_not_simulated`, with the method in
//! `method` and in `response_metadata.messages`. A request that fixtures of
//! its method exist for but none matches (and that the simulator, when on,
//! does not answer) gets Slack's error shape, so the error your code
//! receives names the nearest fixture (the one with the fewest differences)
//! and what differs:
//!
//! ```json
//! {
//!   "ok": false,
//!   "error": "testkit_no_fixture",
//!   "nearest": "history.json",
//!   "differences": ["limit: expected 5, got \"6\""],
//!   "response_metadata": {
//!     "messages": ["nearest fixture: history.json", "limit: expected 5, got \"6\""]
//!   }
//! }
//! ```
//!
//! With `slack_api`, that is an [`slack_api::Error::Api`] whose `messages()`
//! are these lines and whose `Display` ends with them. The miss is also a
//! problem for [`FakeSlack::verify`](crate::FakeSlack::verify) (and for the
//! check when the fake is dropped), which fails with the same lines; so is
//! a `testkit_not_simulated` answer. Secrets
//! in the request are scrubbed from both.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use slack_testkit::{FakeSlack, Fixture};
//!
//! let fixture = Fixture::from_json(r#"{
//!     "version": 1,
//!     "method": "conversations.history",
//!     "match": { "args": { "channel": "C_GENERAL", "limit": 5, "inclusive": true } },
//!     "response": { "body": {
//!         "ok": true, "messages": [], "has_more": false, "channel_actions_count": 0
//!     } }
//! }"#).unwrap();
//! let slack = FakeSlack::builder().simulate(false).fixture(fixture).start().await;
//! let client = slack.client("xoxb-test");
//!
//! // The client sends `limit=5&inclusive=true`: the fixture matches by meaning.
//! let page = client.conversations().history("C_GENERAL").limit(5).inclusive(true).await.unwrap();
//! assert!(page.messages.is_empty());
//!
//! // A near miss: the error names the fixture and the difference.
//! let err = client.conversations().history("C_GENERAL").limit(6).await.unwrap_err();
//! assert!(err.to_string().contains(r#"limit: expected 5, got "6""#), "{err}");
//! assert_eq!(slack.problems().len(), 1); // `verify()` would fail with it
//! slack.reset();
//! # }
//! ```
//!
//! # RTM transcripts
//!
//! ```json
//! {
//!   "version": 1,
//!   "kind": "rtm",
//!   "steps": [
//!     { "send": { "type": "hello" } },
//!     { "expect_call": { "method": "chat.postMessage", "args": { "channel": "C_GENERAL" } } },
//!     { "send": { "type": "reaction_added", "reaction": "+1" } },
//!     { "expect_client": { "type": "message" } },
//!     { "send": { "ok": true, "reply_to": "$id", "ts": "1700000004.000100" } },
//!     { "close": true }
//!   ]
//! }
//! ```
//!
//! The n-th websocket connection runs the n-th transcript (in path order);
//! later connections get the live behaviour. Steps run in order:
//!
//! | step | meaning |
//! |---|---|
//! | `send` | Push this frame now. `"$id"` anywhere in it becomes the `id` of the client frame last matched by `expect_client`. |
//! | `expect_client` | Wait until this connection sends a frame containing these fields (nested objects compare as subsets). |
//! | `expect_call` | Wait until a Web API call to `method` with these arguments (a subset, compared as in `match.args`) arrives after the previous anchor. |
//! | `close` | Close the websocket. |
//!
//! Server pushes are anchored to what the client does, never to time, so
//! replay needs no sleeps. While a transcript runs, pings are still answered
//! with pongs; nothing else is sent automatically.
//!
//! ```
//! use slack_testkit::{Step, Transcript};
//!
//! let t = Transcript::from_json(r#"{"version": 1, "kind": "rtm", "steps": [
//!     {"send": {"type": "hello"}},
//!     {"expect_client": {"type": "message"}},
//!     {"close": true}
//! ]}"#).unwrap();
//! assert_eq!(t.steps.len(), 3);
//! assert_eq!(t.steps[2], Step::Close);
//! ```
//!
//! # Recording
//!
//! [`record::Recorder`](crate::record::Recorder) writes Web API fixtures in
//! this format from real traffic, and
//! [`record::TranscriptRecorder`](crate::record::TranscriptRecorder) RTM
//! transcripts; both scrub tokens, secrets and hook URLs and refuse to save a
//! file that still holds one.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::request::{CredentialKind, arg_matches};
use crate::secrets::{REDACTED, is_secret_arg, scrub_str};

/// The fixture format version this crate reads and writes.
pub const FORMAT_VERSION: u32 = 1;

/// A recorded Web API exchange: which requests it answers, and the answer.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Fixture {
    /// Format version, [`FORMAT_VERSION`].
    pub version: u32,
    /// Slack method name, e.g. `chat.postMessage`.
    pub method: String,
    /// What a request must carry to be answered by this fixture.
    #[serde(default, rename = "match")]
    pub matcher: Matcher,
    /// The answer.
    pub response: FixtureResponse,
    /// Optional note for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// File the fixture was loaded from (not serialized).
    #[serde(skip)]
    pub file: String,
}

/// The request side of a fixture.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Matcher {
    /// Arguments the request must have, with these values (a subset: other
    /// arguments are ignored), compared by meaning: see
    /// [how values compare](self#how-values-compare).
    #[serde(default)]
    pub args: BTreeMap<String, Value>,
    /// The kind of token the request must carry, if it matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_kind: Option<CredentialKind>,
}

/// The response side of a fixture.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct FixtureResponse {
    /// HTTP status, 200 unless said otherwise.
    #[serde(default = "ok_status")]
    pub status: u16,
    /// Extra response headers, e.g. `Retry-After`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    /// The JSON body.
    pub body: Value,
}

fn ok_status() -> u16 {
    200
}

/// An RTM transcript: what the server sends, anchored to what the client does.
#[derive(Debug, Clone, PartialEq)]
pub struct Transcript {
    /// The steps, run in order on one websocket connection.
    pub steps: Vec<Step>,
    /// File the transcript was loaded from.
    pub file: String,
}

/// One step of an RTM transcript.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Send this frame now. The string `"$id"` anywhere in it is replaced by
    /// the `id` of the client frame last matched by [`Step::ExpectClient`].
    Send(Value),
    /// Wait until the client sends a frame containing these fields.
    ExpectClient(Value),
    /// Wait until a Web API call to `method` with these arguments arrives.
    ExpectCall {
        /// Method name.
        method: String,
        /// Argument subset.
        args: BTreeMap<String, Value>,
    },
    /// Close the websocket.
    Close,
}

/// Why a fixture file could not be read.
#[derive(Debug)]
pub struct FixtureError {
    /// The file.
    pub path: PathBuf,
    /// What was wrong.
    pub message: String,
}

impl fmt::Display for FixtureError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fixture {}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for FixtureError {}

/// What a request that no fixture answered looked like next to the closest one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Miss {
    pub(crate) method: String,
    pub(crate) nearest: Option<String>,
    pub(crate) differences: Vec<String>,
}

impl Miss {
    /// The body the client gets: Slack's error shape, so the SDK's error
    /// (`Display` and `messages()`) names the nearest fixture and the differences.
    pub(crate) fn body(&self) -> Value {
        serde_json::json!({
            "ok": false,
            "error": "testkit_no_fixture",
            "nearest": self.nearest,
            "differences": self.differences,
            "response_metadata": {"messages": self.messages()},
        })
    }

    /// The line `verify()` reports, with the request's arguments (secrets scrubbed).
    pub(crate) fn report(&self, args: &BTreeMap<String, String>) -> String {
        let shown: BTreeMap<&str, String> = args
            .iter()
            .map(|(k, v)| (k.as_str(), shown_arg(k, v)))
            .collect();
        format!(
            "no fixture answered {} {}: {}",
            self.method,
            serde_json::to_string(&shown).unwrap_or_default(),
            self.messages().join("; ")
        )
    }

    /// `nearest fixture: <file>` and then each difference.
    fn messages(&self) -> Vec<String> {
        let nearest = self.nearest.iter().map(|f| format!("nearest fixture: {f}"));
        nearest.chain(self.differences.iter().cloned()).collect()
    }
}

/// An argument's value as a report may show it: secret-named arguments
/// redacted, tokens and hook URLs scrubbed.
fn shown_arg(name: &str, value: &str) -> String {
    if is_secret_arg(name) {
        REDACTED.to_string()
    } else {
        scrub_str(value)
    }
}

/// All fixtures and transcripts loaded for one fake.
#[derive(Debug, Clone, Default)]
pub(crate) struct FixtureSet {
    pub(crate) fixtures: Vec<Fixture>,
    pub(crate) transcripts: Vec<Transcript>,
}

impl Fixture {
    /// Reads one Web API fixture from JSON text.
    pub fn from_json(text: &str) -> Result<Fixture, String> {
        let f: Fixture = serde_json::from_str(text).map_err(|e| e.to_string())?;
        if f.version != FORMAT_VERSION {
            return Err(format!(
                "unsupported version {} (this testkit reads {FORMAT_VERSION})",
                f.version
            ));
        }
        Ok(f)
    }

    /// The file it came from; for a fixture added in code, which has none,
    /// its description.
    fn name(&self) -> String {
        match (&self.file, &self.description) {
            (file, _) if !file.is_empty() => file.clone(),
            (_, Some(d)) => format!("(added in code: {d})"),
            (_, None) => "(added in code)".to_string(),
        }
    }

    /// Differences between this fixture's matcher and a request; empty when it matches.
    pub(crate) fn differences(
        &self,
        args: &BTreeMap<String, String>,
        token_kind: CredentialKind,
    ) -> Vec<String> {
        let mut out = Vec::new();
        for (name, want) in &self.matcher.args {
            match args.get(name) {
                None => out.push(format!("{name}: expected {want}, missing")),
                Some(got) if !arg_matches(got, want) => out.push(format!(
                    "{name}: expected {want}, got {}",
                    Value::String(shown_arg(name, got))
                )),
                Some(_) => {}
            }
        }
        if let Some(kind) = self.matcher.token_kind
            && kind != token_kind
        {
            out.push(format!(
                "token_kind: expected {}, got {}",
                kind.as_str(),
                token_kind.as_str()
            ));
        }
        out
    }
}

impl Transcript {
    /// Reads a transcript from JSON text (`{"version":1,"kind":"rtm","steps":[...]}`).
    pub fn from_json(text: &str) -> Result<Transcript, String> {
        let v: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        Transcript::from_value(&v)
    }

    fn from_value(v: &Value) -> Result<Transcript, String> {
        if v.get("version").and_then(Value::as_u64) != Some(u64::from(FORMAT_VERSION)) {
            return Err(format!("transcript version must be {FORMAT_VERSION}"));
        }
        let steps = v
            .get("steps")
            .and_then(Value::as_array)
            .ok_or("transcript has no `steps` array")?;
        let mut out = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            let step = if let Some(frame) = s.get("send") {
                Step::Send(frame.clone())
            } else if let Some(want) = s.get("expect_client") {
                Step::ExpectClient(want.clone())
            } else if let Some(call) = s.get("expect_call") {
                let method = call
                    .get("method")
                    .and_then(Value::as_str)
                    .ok_or(format!("step {i}: expect_call needs a method"))?;
                let args = match call.get("args") {
                    Some(Value::Object(m)) => m.clone().into_iter().collect(),
                    None => BTreeMap::new(),
                    Some(_) => return Err(format!("step {i}: expect_call.args must be an object")),
                };
                Step::ExpectCall {
                    method: method.to_string(),
                    args,
                }
            } else if s.get("close").is_some() {
                Step::Close
            } else {
                return Err(format!(
                    "step {i}: expected one of send, expect_client, expect_call, close"
                ));
            };
            out.push(step);
        }
        Ok(Transcript {
            steps: out,
            file: String::new(),
        })
    }
}

/// Whether `frame` holds every field of `want` with an equal value (recursively for objects).
pub(crate) fn json_contains(frame: &Value, want: &Value) -> bool {
    match (frame, want) {
        (Value::Object(f), Value::Object(w)) => w
            .iter()
            .all(|(k, wv)| f.get(k).is_some_and(|fv| json_contains(fv, wv))),
        (f, w) => f == w,
    }
}

impl FixtureSet {
    /// Loads every `*.json` file under `dir` (recursively, in path order).
    /// Files named `README*` or starting with `_` are skipped.
    pub(crate) fn load_dir(dir: &Path) -> Result<FixtureSet, FixtureError> {
        let mut files = Vec::new();
        collect(dir, &mut files).map_err(|e| FixtureError {
            path: dir.to_path_buf(),
            message: e.to_string(),
        })?;
        files.sort();
        let mut set = FixtureSet::default();
        for path in files {
            let err = |message: String| FixtureError {
                path: path.clone(),
                message,
            };
            let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
            let v: Value = serde_json::from_str(&text).map_err(|e| err(e.to_string()))?;
            let name = path
                .strip_prefix(dir)
                .unwrap_or(&path)
                .to_string_lossy()
                .replace('\\', "/");
            if v.get("kind").and_then(Value::as_str) == Some("rtm") {
                let mut t = Transcript::from_value(&v).map_err(err)?;
                t.file = name;
                set.transcripts.push(t);
            } else {
                let mut f = Fixture::from_json(&text).map_err(err)?;
                f.file = name;
                set.fixtures.push(f);
            }
        }
        Ok(set)
    }

    /// The fixture answering this request: the matching one with the most
    /// argument constraints, the first loaded on a tie.
    pub(crate) fn find(
        &self,
        method: &str,
        args: &BTreeMap<String, String>,
        token_kind: CredentialKind,
    ) -> Result<&Fixture, Miss> {
        let mut best: Option<&Fixture> = None;
        let mut nearest: Option<(&Fixture, Vec<String>)> = None;
        for f in self.fixtures.iter().filter(|f| f.method == method) {
            let diff = f.differences(args, token_kind);
            if diff.is_empty() {
                if best.is_none_or(|b| f.matcher.args.len() > b.matcher.args.len()) {
                    best = Some(f);
                }
            } else if nearest.as_ref().is_none_or(|(_, d)| diff.len() < d.len()) {
                nearest = Some((f, diff));
            }
        }
        if let Some(f) = best {
            return Ok(f);
        }
        let (nearest, differences) = match nearest {
            Some((f, differences)) => (Some(f.name()), differences),
            None => (None, vec![format!("no fixture for method {method}")]),
        };
        Err(Miss {
            method: method.to_string(),
            nearest,
            differences,
        })
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if path.is_dir() {
            collect(&path, out)?;
        } else if name.ends_with(".json") && !name.starts_with('_') && !name.starts_with("README") {
            out.push(path);
        }
    }
    Ok(())
}
