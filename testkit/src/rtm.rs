//! The RTM protocol on the fake: who is connected and as whom, the faults
//! on their sockets, and the answers to what clients send (pongs, acks of
//! messages). The socket loop is `ws.rs`'s; the server runs it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::faults::{RtmFault, RtmScope};
use crate::journal::Frame;
use crate::simulator::{BOT_USER, Workspace};
use crate::ws::Out;

/// One RTM connection.
#[derive(Debug)]
struct Client {
    id: usize,
    tx: mpsc::UnboundedSender<Out>,
    /// Whom the connection acts as (from its `rtm.connect` ticket): it gets
    /// the events of that user's conversations.
    user: String,
    /// Sent `goodbye` or dropped by a fault: closing, so not "connected".
    leaving: bool,
    /// Under [`RtmFault::NoPong`]: its pings go unanswered.
    no_pong: bool,
}

impl Client {
    /// Does `fault` to this connection now.
    fn apply(&mut self, fault: &RtmFault) {
        let outs: Vec<Out> = match fault {
            RtmFault::NoPong => {
                self.no_pong = true;
                return;
            }
            RtmFault::Goodbye => vec![
                Out::Text(json!({"type": "goodbye"}).to_string()),
                Out::Close,
            ],
            RtmFault::DropSocket => vec![Out::Drop],
            RtmFault::ErrorFrame { code, msg } => vec![Out::Text(
                json!({"type": "error", "error": {"code": code, "msg": msg}}).to_string(),
            )],
            RtmFault::UnknownEvent => vec![Out::Text(
                json!({"type": "testkit_unknown_event", "payload": {"answer": 42}}).to_string(),
            )],
            RtmFault::Malformed => vec![Out::Text("{\"type\": \"message\", \"text\": ".into())],
            RtmFault::RawFrame { text } => vec![Out::Text(text.clone())],
        };
        if matches!(fault, RtmFault::Goodbye | RtmFault::DropSocket) {
            self.leaving = true;
        }
        for o in outs {
            let _ = self.tx.send(o);
        }
    }
}

/// An RTM fault waiting for connections not open yet (see [`RtmScope`]).
#[derive(Debug, Clone)]
struct RtmRule {
    fault: RtmFault,
    /// `None`: every future connection.
    remaining: Option<usize>,
}

/// RTM state: the connections, the faults waiting for new ones, and the
/// tickets used.
#[derive(Debug, Default)]
pub(crate) struct RtmState {
    clients: Vec<Client>,
    /// RTM faults for connections opened later.
    rules: Vec<RtmRule>,
    /// Tickets handed out before the last reset: a socket opened with one
    /// is refused (`Socket URL has expired`).
    stale_tickets: BTreeSet<String>,
    /// Tickets (from `rtm.connect`/`rtm.start`) a websocket has used.
    redeemed: BTreeSet<String>,
}

impl RtmState {
    /// How many connections are open (closing ones included).
    pub(crate) fn clients(&mut self) -> usize {
        self.clients.retain(|c| !c.tx.is_closed());
        self.clients.len()
    }

    /// Open connections not closing, closing ones, and tickets of `tickets`
    /// (those handed out) no socket used yet.
    pub(crate) fn connected(
        &mut self,
        tickets: &BTreeMap<String, String>,
    ) -> (usize, usize, usize) {
        let all = self.clients();
        let open = self.clients.iter().filter(|c| !c.leaving).count();
        let unused = tickets
            .keys()
            .filter(|t| !self.redeemed.contains(*t))
            .count();
        (open, all - open, unused)
    }

    /// Whether `ticket` was handed out before the last reset.
    pub(crate) fn is_stale(&self, ticket: Option<&str>) -> bool {
        ticket.is_some_and(|t| self.stale_tickets.contains(t))
    }

    /// Registers connection `id`, acting as whom its ticket names (the bot
    /// without one); returns that user and the scoped faults it gets.
    pub(crate) fn admit(
        &mut self,
        id: usize,
        ticket: Option<String>,
        tickets: &BTreeMap<String, String>,
        tx: &mpsc::UnboundedSender<Out>,
    ) -> (String, Vec<RtmFault>) {
        let user = ticket
            .and_then(|t| {
                let user = tickets.get(&t).cloned()?;
                self.redeemed.insert(t);
                Some(user)
            })
            .unwrap_or_else(|| BOT_USER.to_string());
        self.clients.push(Client {
            id,
            tx: tx.clone(),
            user: user.clone(),
            leaving: false,
            no_pong: false,
        });
        (user, self.take_rules())
    }

    /// Forgets connection `id`.
    pub(crate) fn leave(&mut self, id: usize) {
        self.clients.retain(|c| c.id != id);
    }

    /// The RTM faults a connection opening now gets, each counted once.
    fn take_rules(&mut self) -> Vec<RtmFault> {
        let faults = self.rules.iter().map(|r| r.fault.clone()).collect();
        for r in &mut self.rules {
            if let Some(n) = &mut r.remaining {
                *n = n.saturating_sub(1);
            }
        }
        self.rules.retain(|r| r.remaining != Some(0));
        faults
    }

    /// Does `faults` to connection `id` now.
    pub(crate) fn apply_to(&mut self, id: usize, faults: &[RtmFault]) {
        if let Some(c) = self.clients.iter_mut().find(|c| c.id == id) {
            for f in faults {
                c.apply(f);
            }
        }
    }

    /// Applies `fault` to the connections `scope` names; returns how many
    /// open ones it reached now.
    pub(crate) fn apply_fault(&mut self, fault: &RtmFault, scope: RtmScope) -> usize {
        self.clients.retain(|c| !c.tx.is_closed());
        let remaining = match scope {
            RtmScope::Open => None,
            RtmScope::All => Some(None),
            RtmScope::Next(0) => None,
            RtmScope::Next(n) => Some(Some(n)),
        };
        if let Some(remaining) = remaining {
            self.rules.push(RtmRule {
                fault: fault.clone(),
                remaining,
            });
        }
        if matches!(scope, RtmScope::Next(_)) {
            return 0;
        }
        for c in &mut self.clients {
            c.apply(fault);
        }
        self.clients.len()
    }

    /// Ends every lasting fault: the waiting rules, and `NoPong` on open sockets.
    pub(crate) fn clear_faults(&mut self) {
        self.rules.clear();
        for c in &mut self.clients {
            c.no_pong = false;
        }
    }

    /// Sends `frame` to every connection but `except` whose user `reaches`
    /// accepts; returns how many got it.
    pub(crate) fn deliver(
        &mut self,
        frame: &Value,
        except: Option<usize>,
        reaches: impl Fn(&str) -> bool,
    ) -> usize {
        self.clients.retain(|c| !c.tx.is_closed());
        let mut text = None;
        let mut n = 0;
        for c in &self.clients {
            if Some(c.id) == except || !reaches(&c.user) {
                continue;
            }
            let text = text.get_or_insert_with(|| frame.to_string());
            if c.tx.send(Out::Text(text.clone())).is_ok() {
                n += 1;
            }
        }
        n
    }

    /// Closes every connection; tickets in `handed_out` are refused from now on.
    pub(crate) fn reset(&mut self, handed_out: impl IntoIterator<Item = String>) {
        self.stale_tickets.extend(handed_out);
        self.redeemed.clear();
        for c in self.clients.drain(..) {
            let _ = c.tx.send(Out::Close);
        }
    }

    /// Answers a frame client `conn` (acting as `user`) sent: the frames
    /// to send back, and the workspace events it caused. A `scripted`
    /// connection (replaying a transcript) gets only pongs.
    pub(crate) fn on_frame(
        &self,
        workspace: &mut Workspace,
        conn: usize,
        user: &str,
        frame: &Frame,
        scripted: bool,
    ) -> (Vec<String>, Vec<Value>) {
        let v = &frame.json;
        let id = v.get("id").cloned().unwrap_or(Value::Null);
        match frame.kind() {
            Some("ping") => {
                if self.clients.iter().any(|c| c.id == conn && c.no_pong) {
                    return (Vec::new(), Vec::new());
                }
                // Slack echoes the ping's other fields (such as `time`) in the pong.
                let mut pong = v.clone();
                pong["type"] = json!("pong");
                pong["reply_to"] = id;
                if let Some(m) = pong.as_object_mut() {
                    m.remove("id");
                }
                (vec![pong.to_string()], Vec::new())
            }
            _ if scripted => (Vec::new(), Vec::new()),
            Some("message") => {
                let channel = v.get("channel").and_then(Value::as_str).unwrap_or("");
                let body = v.get("text").and_then(Value::as_str).unwrap_or("");
                let thread = v.get("thread_ts").and_then(Value::as_str);
                if body.is_empty() {
                    return (
                        vec![rtm_error(&id, 2, "message text is missing")],
                        Vec::new(),
                    );
                }
                match workspace.post_as_user(user, channel, body, thread) {
                    Ok((message, events)) => {
                        let ack =
                            json!({"ok": true, "reply_to": id, "ts": message["ts"], "text": body});
                        (vec![ack.to_string()], events)
                    }
                    Err(code) => (vec![rtm_error(&id, 1, &code)], Vec::new()),
                }
            }
            Some(_) => (Vec::new(), Vec::new()),
            None if v.is_null() => {
                let e = json!({"type": "error", "error": {"code": 1, "msg": "invalid JSON"}});
                (vec![e.to_string()], Vec::new())
            }
            None => (vec![rtm_error(&id, 3, "missing type")], Vec::new()),
        }
    }
}

fn rtm_error(id: &Value, code: i64, msg: &str) -> String {
    json!({"ok": false, "reply_to": id, "error": {"code": code, "msg": msg}}).to_string()
}
