//! What the code under test sent: every Web API call and every websocket frame.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use serde_json::Value;

use crate::request::CredentialKind;

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
    pub token_kind: CredentialKind,
    pub(crate) token: Option<String>,
    /// HTTP status of the reply.
    pub status: u16,
    /// Body of the reply (`Value::Null` when it was empty or a dropped connection).
    pub response: Value,
    /// Where the answer came from: `simulator`, `fixture:<file>`, `fault`, `no_fixture`, `not_simulated`, `invalid`.
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

impl Call {
    /// The call as one token-free line, as in the journal snapshot:
    /// `POST chat.postMessage [bot] {"channel":"C_GENERAL"} -> 200 ok`.
    pub(crate) fn summary(&self) -> String {
        let args = serde_json::to_string(&self.args).unwrap_or_default();
        let outcome = match (self.ok(), self.error()) {
            (true, _) => "ok".to_string(),
            (false, Some(code)) => format!("error={code}"),
            (false, None) => "no body".to_string(),
        };
        format!(
            "{} {} [{}] {} -> {} {}",
            self.http_method,
            self.method,
            self.token_kind.as_str(),
            args,
            self.status,
            outcome
        )
    }
}

/// The last ten items, comma-separated, saying how many came before; `none`
/// when empty.
fn last_few(items: &[String]) -> String {
    const SHOWN: usize = 10;
    match items.len() {
        0 => "none".to_string(),
        n if n <= SHOWN => items.join(", "),
        n => format!("({} earlier), {}", n - SHOWN, items[n - SHOWN..].join(", ")),
    }
}

/// The start of a frame that is not JSON with a `type`, for a message.
fn excerpt(text: &str) -> String {
    let mut s: String = text.chars().take(40).collect();
    if s.len() < text.len() {
        s.push_str("...");
    }
    format!("{s:?}")
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
    /// What a position older than a capped journal's window reads as.
    Dropped,
}

static DROPPED: Entry = Entry::Dropped;

/// The entries, indexed by `seq`. Uncapped (the default) it keeps every
/// entry; capped, it keeps the newest `limit` and earlier positions read as
/// [`Entry::Dropped`], so a cursor over positions stays valid either way.
#[derive(Debug, Default)]
pub(crate) struct Entries {
    kept: VecDeque<Entry>,
    /// How many entries were dropped from the front: `kept[0]` has this seq.
    dropped: usize,
    limit: Option<usize>,
}

impl Entries {
    /// Appends an entry (whose `seq` must be [`len`](Self::len)), dropping the
    /// oldest one when the journal is capped and full.
    pub(crate) fn push(&mut self, entry: Entry) {
        if self.limit == Some(0) {
            self.dropped += 1;
            return;
        }
        if self.limit.is_some_and(|l| self.kept.len() >= l) {
            self.kept.pop_front();
            self.dropped += 1;
        }
        self.kept.push_back(entry);
    }

    /// How many entries were ever appended: the next `seq`.
    pub(crate) fn len(&self) -> usize {
        self.dropped + self.kept.len()
    }

    /// The entries still kept, oldest first.
    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = &Entry> {
        self.kept.iter()
    }

    /// The kept entries with `seq >= from`.
    fn since(&self, from: usize) -> impl Iterator<Item = &Entry> {
        self.kept
            .range(from.saturating_sub(self.dropped).min(self.kept.len())..)
    }
}

impl std::ops::Index<usize> for Entries {
    type Output = Entry;

    fn index(&self, seq: usize) -> &Entry {
        match seq.checked_sub(self.dropped) {
            Some(i) => &self.kept[i],
            None => &DROPPED,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Journal {
    pub(crate) entries: Entries,
    /// Per method, the `seq` after the last call `wait_for_call` handed out.
    pub(crate) call_cursor: BTreeMap<String, usize>,
    pub(crate) frame_cursor: BTreeMap<String, usize>,
}

impl Journal {
    /// A journal keeping only the newest `limit` entries (`None`: all of them).
    pub(crate) fn with_limit(limit: Option<usize>) -> Journal {
        Journal {
            entries: Entries {
                limit,
                ..Entries::default()
            },
            ..Journal::default()
        }
    }

    pub(crate) fn next_seq(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn calls(&self) -> impl DoubleEndedIterator<Item = &Call> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Call(c) => Some(c),
            Entry::Frame(_) | Entry::Dropped => None,
        })
    }

    pub(crate) fn frames(&self) -> impl DoubleEndedIterator<Item = &Frame> {
        self.entries.iter().filter_map(|e| match e {
            Entry::Frame(f) => Some(f),
            Entry::Call(_) | Entry::Dropped => None,
        })
    }

    /// The next call to `method` not yet handed out, advancing the cursor.
    /// In a capped journal, calls dropped before they were asked for are skipped.
    pub(crate) fn take_call(&mut self, method: &str) -> Option<Call> {
        let from = self.call_cursor.get(method).copied().unwrap_or(0);
        let call = self.entries.since(from).find_map(|e| match e {
            Entry::Call(c) if c.method == method => Some(c.clone()),
            _ => None,
        })?;
        self.call_cursor.insert(method.to_string(), call.seq + 1);
        Some(call)
    }

    /// The next call to `method` not yet handed out, without advancing the cursor.
    pub(crate) fn peek_call(&self, method: &str) -> Option<&Call> {
        let from = self.call_cursor.get(method).copied().unwrap_or(0);
        self.entries.since(from).find_map(|e| match e {
            Entry::Call(c) if c.method == method => Some(c),
            _ => None,
        })
    }

    /// What a `wait_for_call(method)` that timed out saw: how many calls to
    /// `method` earlier waits returned, and the calls made after the last one
    /// returned (to other methods, since none was to `method`).
    pub(crate) fn calls_missed(&self, method: &str) -> String {
        let from = self.call_cursor.get(method).copied().unwrap_or(0);
        let returned = self
            .calls()
            .filter(|c| c.method == method && c.seq < from)
            .count();
        let since: Vec<String> = self
            .entries
            .since(from)
            .filter_map(|e| match e {
                Entry::Call(c) => Some(c.method.clone()),
                _ => None,
            })
            .collect();
        format!(
            "{returned} call(s) to {method} returned by earlier waits; calls since: {}",
            last_few(&since)
        )
    }

    /// What a `wait_for_frame(kind)` that timed out saw: the types of the
    /// frames sent after the last one returned.
    pub(crate) fn frames_missed(&self, kind: &str) -> String {
        let from = self.frame_cursor.get(kind).copied().unwrap_or(0);
        let since: Vec<String> = self
            .entries
            .since(from)
            .filter_map(|e| match e {
                Entry::Frame(f) => Some(match f.kind() {
                    Some(k) => format!("#{} {k}", f.connection),
                    None => format!("#{} {}", f.connection, excerpt(&f.text)),
                }),
                _ => None,
            })
            .collect();
        format!("frames since (connection, type): {}", last_few(&since))
    }

    /// The next frame of that `type` (`*` for any) not yet handed out.
    pub(crate) fn take_frame(&mut self, kind: &str) -> Option<Frame> {
        let from = self.frame_cursor.get(kind).copied().unwrap_or(0);
        let frame = self.entries.since(from).find_map(|e| match e {
            Entry::Frame(f) if kind == "*" || f.kind() == Some(kind) => Some(f.clone()),
            _ => None,
        })?;
        self.frame_cursor.insert(kind.to_string(), frame.seq + 1);
        Some(frame)
    }

    /// A stable, token-free text dump, one entry per line, for snapshot tests.
    pub(crate) fn snapshot(&self) -> String {
        let mut out = String::new();
        for e in self.entries.iter() {
            match e {
                Entry::Call(c) => {
                    out.push_str(&c.summary());
                    out.push('\n');
                }
                Entry::Frame(f) => {
                    out.push_str(&format!("WS#{} {}\n", f.connection, f.text));
                }
                Entry::Dropped => {}
            }
        }
        out
    }
}
