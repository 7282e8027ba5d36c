//! What the code under test sent: every Web API call and every websocket frame.

use std::collections::BTreeMap;
use std::fmt;

use serde_json::Value;

use crate::request::TokenKind;

/// One Web API request the fake answered, with its decoded arguments and the reply.
#[derive(Clone, PartialEq)]
pub struct Call {
    /// Position in the journal (calls and frames share one sequence), from 0.
    pub seq: usize,
    /// Slack method name, e.g. `chat.postMessage`.
    pub method: String,
    /// HTTP verb used (`GET`, `POST`).
    pub http_method: String,
    /// Arguments from the query string, form or JSON body, as one map.
    /// Non-string JSON values are kept as JSON text; lists are comma-joined.
    pub args: BTreeMap<String, String>,
    /// Kind of credential sent.
    pub token_kind: TokenKind,
    pub(crate) token: Option<String>,
    /// HTTP status of the reply.
    pub status: u16,
    /// Body of the reply (`Value::Null` when it was empty or a dropped connection).
    pub response: Value,
    /// Where the answer came from: `simulator`, `fixture:<file>`, `fault`, `no_fixture`, `invalid`.
    pub source: String,
}

impl Call {
    /// The argument as sent, e.g. `call.arg("thread_ts")`.
    pub fn arg(&self, name: &str) -> Option<&str> {
        self.args.get(name).map(String::as_str)
    }

    /// The argument parsed as JSON (`blocks`, `attachments`, numbers); a plain
    /// string that is not JSON comes back as a JSON string.
    pub fn json_arg(&self, name: &str) -> Option<Value> {
        let raw = self.args.get(name)?;
        Some(serde_json::from_str(raw).unwrap_or_else(|_| Value::String(raw.clone())))
    }

    /// The token the call carried, if any.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// Whether the reply had `"ok": true`.
    pub fn ok(&self) -> bool {
        self.response.get("ok").and_then(Value::as_bool) == Some(true)
    }

    /// The reply's `error` code, if it was an error.
    pub fn error(&self) -> Option<&str> {
        self.response.get("error").and_then(Value::as_str)
    }
}

impl fmt::Debug for Call {
    // The token is left out on purpose: journals end up in logs and snapshots.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Call")
            .field("seq", &self.seq)
            .field("method", &self.method)
            .field("args", &self.args)
            .field("token_kind", &self.token_kind)
            .field("status", &self.status)
            .field("response", &self.response)
            .field("source", &self.source)
            .finish()
    }
}

/// One frame a websocket client sent to the fake.
#[derive(Debug, Clone, PartialEq)]
pub struct Frame {
    /// Position in the journal (calls and frames share one sequence), from 0.
    pub seq: usize,
    /// Which connection sent it, numbered from 1 in connection order.
    pub connection: usize,
    /// The frame as text.
    pub text: String,
    /// The frame parsed as JSON (`Value::Null` when it was not JSON).
    pub json: Value,
}

impl Frame {
    /// The frame's `type` field.
    pub fn kind(&self) -> Option<&str> {
        self.json.get("type").and_then(Value::as_str)
    }
}

/// One journal entry.
#[derive(Debug, Clone)]
pub(crate) enum Entry {
    Call(Call),
    Frame(Frame),
}

#[derive(Debug, Default)]
pub(crate) struct Journal {
    pub(crate) entries: Vec<Entry>,
    /// Per method, how many calls `wait_for_call` has handed out already.
    pub(crate) call_cursor: BTreeMap<String, usize>,
    pub(crate) frame_cursor: BTreeMap<String, usize>,
}

impl Journal {
    pub(crate) fn next_seq(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn calls(&self) -> impl Iterator<Item = &Call> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Call(c) => Some(c),
            Entry::Frame(_) => None,
        })
    }

    pub(crate) fn frames(&self) -> impl Iterator<Item = &Frame> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Frame(f) => Some(f),
            Entry::Call(_) => None,
        })
    }

    /// The next call to `method` not yet handed out, advancing the cursor.
    pub(crate) fn take_call(&mut self, method: &str) -> Option<Call> {
        let seen = self.call_cursor.get(method).copied().unwrap_or(0);
        let call = self
            .calls()
            .filter(|c| c.method == method)
            .nth(seen)
            .cloned()?;
        self.call_cursor.insert(method.to_string(), seen + 1);
        Some(call)
    }

    /// The next frame of that `type` (`*` for any) not yet handed out.
    pub(crate) fn take_frame(&mut self, kind: &str) -> Option<Frame> {
        let seen = self.frame_cursor.get(kind).copied().unwrap_or(0);
        let frame = self
            .frames()
            .filter(|f| kind == "*" || f.kind() == Some(kind))
            .nth(seen)
            .cloned()?;
        self.frame_cursor.insert(kind.to_string(), seen + 1);
        Some(frame)
    }

    /// A stable, token-free text dump, one entry per line, for snapshot tests.
    pub(crate) fn snapshot(&self) -> String {
        let mut out = String::new();
        for e in &self.entries {
            match e {
                Entry::Call(c) => {
                    let args = serde_json::to_string(&c.args).unwrap_or_default();
                    let outcome = match (c.ok(), c.error()) {
                        (true, _) => "ok".to_string(),
                        (false, Some(code)) => format!("error={code}"),
                        (false, None) => "no body".to_string(),
                    };
                    out.push_str(&format!(
                        "{} {} [{}] {} -> {} {}\n",
                        c.http_method,
                        c.method,
                        c.token_kind.as_str(),
                        args,
                        c.status,
                        outcome
                    ));
                }
                Entry::Frame(f) => {
                    out.push_str(&format!("WS#{} {}\n", f.connection, f.text));
                }
            }
        }
        out
    }
}
