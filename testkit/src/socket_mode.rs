//! Playing Slack's side of Socket Mode and the Events API: `apps.connections.open`,
//! the connections of the `/link` websocket, envelopes with acks and
//! redelivery, and the payloads for signed Events API POSTs to an app URL.
//! The socket loop is `ws.rs`'s; the server runs it.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};

use crate::faults::SocketModeFault;
use crate::journal::Frame;
use crate::request::{CredentialKind, Decoded};
use crate::simulator::{APP_ID, BOT_USER, TEAM_ID};
use crate::ws::Out;

/// The Web API method that opens a Socket Mode connection.
pub(crate) const OPEN_METHOD: &str = "apps.connections.open";
/// Journal name of Events API POSTs made to the app's URL.
pub const EVENTS_API_POST: &str = "events_api";

/// Frames that are RTM protocol, not workspace events.
const NOT_EVENTS: &[&str] = &["hello", "goodbye", "pong", "error", "reconnect_url"];

#[derive(Debug)]
struct Conn {
    id: usize,
    tx: mpsc::UnboundedSender<Out>,
    /// Told to go away: gets no new envelopes.
    leaving: bool,
    /// Gone silent ([`SocketModeFault::Silent`]): gets no new envelopes.
    silent: bool,
    /// Tells the connection's task to go silent.
    silence: Option<oneshot::Sender<()>>,
}

#[derive(Debug)]
struct Pending {
    envelope: Value,
    sent: Instant,
}

/// Socket Mode and Events API state.
#[derive(Debug)]
pub(crate) struct SocketModeState {
    conns: Vec<Conn>,
    /// Set once any app connected: only then are workspace changes queued.
    active: bool,
    pending: BTreeMap<String, Pending>,
    counter: u64,
    next_conn: usize,
    redelivery: Duration,
    http: Option<mpsc::UnboundedSender<String>>,
    /// Websocket pings received from apps, on every connection.
    pings: usize,
    /// Connection URLs `apps.connections.open` handed out, and connections
    /// made, since the start or the last reset.
    issued: usize,
    accepted: usize,
    /// URLs `sm-1` to `sm-{stale_up_to}` were handed out before the last
    /// reset and are refused.
    stale_up_to: u64,
}

impl Default for SocketModeState {
    fn default() -> Self {
        SocketModeState {
            conns: Vec::new(),
            active: false,
            pending: BTreeMap::new(),
            counter: 0,
            next_conn: 0,
            redelivery: Duration::from_secs(1),
            http: None,
            pings: 0,
            issued: 0,
            accepted: 0,
            stale_up_to: 0,
        }
    }
}

impl SocketModeState {
    /// [`FakeSlack::reset`](crate::FakeSlack::reset): connections closed and
    /// undelivered envelopes dropped; the settings (redelivery delay, the
    /// Events API URL) stay.
    pub(crate) fn reset(&mut self) {
        for c in self.conns.drain(..) {
            let _ = c.tx.send(Out::Close);
        }
        self.active = false;
        self.pending.clear();
        self.issued = 0;
        self.accepted = 0;
        self.stale_up_to = self.counter;
    }

    /// Wraps a workspace change as an Events API payload and delivers it.
    pub(crate) fn deliver_event(&mut self, event: &Value) -> Option<String> {
        self.deliver_event_in(TEAM_ID, None, event)
    }

    /// [`deliver_event`](Self::deliver_event) for workspace `team` (of
    /// organization `enterprise`); returns the `event_id`, or `None` when
    /// nothing was delivered.
    pub(crate) fn deliver_event_in(
        &mut self,
        team: &str,
        enterprise: Option<&str>,
        event: &Value,
    ) -> Option<String> {
        let kind = event.get("type").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() || NOT_EVENTS.contains(&kind) || (!self.active && self.http.is_none()) {
            return None;
        }
        self.counter += 1;
        let event_id = format!("Ev{:08}", self.counter);
        let payload = json!({
            "token": "fake-verification-token",
            "team_id": team,
            "enterprise_id": enterprise,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": event_id,
            "event_time": 1_700_000_000 + self.counter,
            "event": event,
            "authorizations": [{"team_id": team, "enterprise_id": enterprise, "user_id": BOT_USER, "is_bot": true, "is_enterprise_install": false}],
            "is_ext_shared_channel": false,
        });
        if let Some(http) = &self.http {
            let _ = http.send(payload.to_string());
        } else {
            self.push("events_api", payload, false);
        }
        Some(event_id)
    }

    /// Sends a new envelope to one live connection (round robin); it stays
    /// pending until acked. Returns its `envelope_id`.
    pub(crate) fn push(&mut self, kind: &str, payload: Value, accepts: bool) -> String {
        self.counter += 1;
        let id = format!("env-{:06}", self.counter);
        let mut envelope = json!({
            "envelope_id": id,
            "type": kind,
            "payload": payload,
            "accepts_response_payload": accepts,
        });
        if kind == "events_api" {
            envelope["retry_attempt"] = json!(0);
            envelope["retry_reason"] = json!("");
        }
        self.send_one(&envelope);
        self.pending.insert(
            id.clone(),
            Pending {
                envelope,
                sent: Instant::now(),
            },
        );
        id
    }

    fn send_one(&mut self, envelope: &Value) -> bool {
        self.conns.retain(|c| !c.tx.is_closed());
        let live: Vec<usize> = (0..self.conns.len())
            .filter(|&i| !self.conns[i].leaving && !self.conns[i].silent)
            .collect();
        if live.is_empty() {
            return false;
        }
        self.next_conn = self.next_conn.wrapping_add(1);
        let c = &self.conns[live[self.next_conn % live.len()]];
        c.tx.send(Out::Text(envelope.to_string())).is_ok()
    }

    /// The envelopes not acked yet, for a failure message: id, type, the
    /// event's type, and the redelivery attempt.
    pub(crate) fn describe_pending(&self) -> String {
        if self.pending.is_empty() {
            return "no envelope unacked".to_string();
        }
        let list: Vec<String> = self
            .pending
            .iter()
            .map(|(id, p)| {
                let e = &p.envelope;
                let mut s = format!("{id} ({}", e["type"].as_str().unwrap_or("?"));
                if let Some(k) = e["payload"]["event"]["type"].as_str() {
                    s.push_str(&format!(", event {k}"));
                }
                if let Some(n) = e["retry_attempt"].as_i64() {
                    s.push_str(&format!(", retry_attempt {n}"));
                }
                s.push(')');
                s
            })
            .collect();
        format!("unacked: {}", list.join(", "))
    }

    /// Redelivers envelopes unacked for longer than the redelivery delay.
    pub(crate) fn redeliver_due(&mut self) {
        let due: Vec<String> = self
            .pending
            .iter()
            .filter(|(_, p)| p.sent.elapsed() >= self.redelivery)
            .map(|(k, _)| k.clone())
            .collect();
        for id in due {
            let Some(mut p) = self.pending.remove(&id) else {
                continue;
            };
            let attempt = p.envelope["retry_attempt"].as_i64().unwrap_or(0) + 1;
            p.envelope["retry_attempt"] = json!(attempt);
            p.envelope["retry_reason"] = json!("timeout");
            self.send_one(&p.envelope);
            p.sent = Instant::now();
            self.pending.insert(id, p);
        }
    }
}

/// The `envelope_id` a client frame acks, if it is an ack.
pub(crate) fn ack_of(f: &Frame) -> Option<&str> {
    f.json.get("envelope_id").and_then(Value::as_str)
}

/// `apps.connections.open`; see the table in `methods.rs`.
pub(crate) type Handler = fn(&mut SocketModeState, &Decoded, &str) -> Result<Value, String>;

/// Answers `apps.connections.open`: a URL of the `/link` websocket beside
/// `rtm_url`, with a ticket of its own.
pub(crate) fn open(sm: &mut SocketModeState, d: &Decoded, rtm_url: &str) -> Result<Value, String> {
    if d.token_kind != CredentialKind::App {
        return Err("not_allowed_token_type".into());
    }
    sm.counter += 1;
    sm.issued += 1;
    let base = rtm_url.strip_suffix("/rtm").unwrap_or(rtm_url);
    Ok(json!({
        "url": format!("{base}/link/?ticket=sm-{}&app_id={APP_ID}", sm.counter),
    }))
}

/// Socket Mode connections and their envelopes.
impl SocketModeState {
    /// Whether a socket opened with `ticket` got its URL before the last reset.
    pub(crate) fn is_stale(&self, ticket: Option<&str>) -> bool {
        ticket
            .and_then(|t| t.strip_prefix("sm-"))
            .and_then(|n| n.parse::<u64>().ok())
            .is_some_and(|n| n <= self.stale_up_to)
    }

    /// Registers connection `id` and queues its `hello`; returns the
    /// redelivery delay.
    pub(crate) fn admit(
        &mut self,
        id: usize,
        tx: &mpsc::UnboundedSender<Out>,
        silence: oneshot::Sender<()>,
    ) -> Duration {
        self.active = true;
        self.accepted += 1;
        self.conns.retain(|c| !c.tx.is_closed());
        self.conns.push(Conn {
            id,
            tx: tx.clone(),
            leaving: false,
            silent: false,
            silence: Some(silence),
        });
        let hello = json!({
            "type": "hello",
            "num_connections": self.conns.len(),
            "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 3600},
            "connection_info": {"app_id": APP_ID},
        });
        let _ = tx.send(Out::Text(hello.to_string()));
        self.redelivery
    }

    /// Forgets connection `id`.
    pub(crate) fn leave(&mut self, id: usize) {
        self.conns.retain(|c| c.id != id);
    }

    /// A frame from the app: an ack settles its envelope.
    pub(crate) fn on_frame(&mut self, frame: &Frame) {
        if let Some(env) = ack_of(frame) {
            self.pending.remove(env);
        }
    }

    /// A websocket ping from the app.
    pub(crate) fn on_ping(&mut self) {
        self.pings += 1;
    }

    /// Websocket pings received so far.
    pub(crate) fn pings(&self) -> usize {
        self.pings
    }

    /// Envelopes sent and not acked yet.
    pub(crate) fn pending(&self) -> usize {
        self.pending.len()
    }

    /// How many connections are open.
    pub(crate) fn clients(&mut self) -> usize {
        self.conns.retain(|c| !c.tx.is_closed());
        self.conns.len()
    }

    /// Live connections (neither told to go nor silent), the others, and
    /// URLs handed out that no socket used yet.
    pub(crate) fn connected(&mut self) -> (usize, usize, usize) {
        let all = self.clients();
        let live = self
            .conns
            .iter()
            .filter(|c| !c.leaving && !c.silent)
            .count();
        (live, all - live, self.issued.saturating_sub(self.accepted))
    }

    /// How long an unacked envelope waits before it is sent again.
    pub(crate) fn set_redelivery(&mut self, delay: Duration) {
        self.redelivery = delay;
    }

    /// From now on, Events API payloads go to `http` instead of Socket
    /// Mode (`None`: back to Socket Mode).
    pub(crate) fn set_http(&mut self, http: Option<mpsc::UnboundedSender<String>>) {
        self.http = http;
    }

    /// Sends `disconnect` with `reason` to every connection; see
    /// [`FakeSlack::socket_mode_disconnect`](crate::FakeSlack::socket_mode_disconnect).
    /// Must run inside a tokio runtime (a soft disconnect closes later).
    pub(crate) fn disconnect(&mut self, reason: &str, grace: Duration) -> usize {
        let frame = json!({
            "type": "disconnect",
            "reason": reason,
            "debug_info": {"host": "fake-slack"},
        })
        .to_string();
        let soft = matches!(reason, "warning" | "refresh_requested");
        self.conns.retain(|c| !c.tx.is_closed());
        let mut told = Vec::new();
        for c in &mut self.conns {
            let _ = c.tx.send(Out::Text(frame.clone()));
            c.leaving = true;
            if soft {
                told.push(c.tx.clone());
            } else {
                let _ = c.tx.send(Out::Close);
            }
        }
        if !told.is_empty() {
            tokio::spawn(async move {
                tokio::time::sleep(grace).await;
                for tx in told {
                    let _ = tx.send(Out::Close);
                }
            });
        }
        self.conns.len()
    }

    /// Applies a [`SocketModeFault`]; returns how many connections it reached.
    /// Must run inside a tokio runtime (a soft disconnect closes later).
    pub(crate) fn apply_fault(&mut self, fault: &SocketModeFault) -> usize {
        match fault {
            SocketModeFault::Silent => {
                self.conns.retain(|c| !c.tx.is_closed());
                let mut n = 0;
                for c in &mut self.conns {
                    if let Some(tx) = c.silence.take() {
                        c.silent = true;
                        let _ = tx.send(());
                        n += 1;
                    }
                }
                n
            }
            SocketModeFault::Disconnect {
                reason,
                grace_millis,
            } => {
                let grace = Duration::from_millis(grace_millis.unwrap_or(1000));
                self.disconnect(reason, grace)
            }
            SocketModeFault::RawFrame { text } => {
                self.conns.retain(|c| !c.tx.is_closed());
                self.conns
                    .iter()
                    .filter(|c| c.tx.send(Out::Text(text.clone())).is_ok())
                    .count()
            }
        }
    }
}
