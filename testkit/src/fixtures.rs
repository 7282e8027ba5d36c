//! Replay fixtures: recorded (or hand-made) Web API exchanges and RTM transcripts.
//!
//! The format is documented in `fixtures/README.md`.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::request::{TokenKind, arg_matches};
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
    /// arguments are ignored). JSON-in-form arguments compare by meaning.
    #[serde(default)]
    pub args: BTreeMap<String, Value>,
    /// The kind of token the request must carry, if it matters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_kind: Option<TokenKind>,
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
        token_kind: TokenKind,
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
        token_kind: TokenKind,
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
