//! Playing Slack's side of Socket Mode and the Events API: `apps.connections.open`,
//! the `/link` websocket, envelopes with acks and redelivery, and signed
//! Events API POSTs to an app URL.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use slack_api::signing::Signer;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;

use crate::faults::SocketModeFault;
use crate::journal::{Entry, Frame};
use crate::request::{Decoded, TokenKind};
use crate::rtm::write_out;
use crate::server::{DEFAULT_WAIT, FakeSlack, Inner, Out, State};
use crate::simulator::{APP_ID, TEAM_ID};

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

/// Socket Mode and Events API state, inside the fake's [`State`].
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
    pub(crate) fn deliver_event(&mut self, event: &Value) {
        let kind = event.get("type").and_then(Value::as_str).unwrap_or("");
        if kind.is_empty() || NOT_EVENTS.contains(&kind) || (!self.active && self.http.is_none()) {
            return;
        }
        self.counter += 1;
        let payload = json!({
            "token": "fake-verification-token",
            "team_id": TEAM_ID,
            "api_app_id": APP_ID,
            "type": "event_callback",
            "event_id": format!("Ev{:08}", self.counter),
            "event_time": 1_700_000_000 + self.counter,
            "event": event,
            "authorizations": [{"team_id": TEAM_ID, "user_id": crate::simulator::BOT_USER, "is_bot": true, "is_enterprise_install": false}],
            "is_ext_shared_channel": false,
        });
        if let Some(http) = &self.http {
            let _ = http.send(payload.to_string());
        }
        if self.active {
            self.push("events_api", payload, false);
        }
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
    fn describe_pending(&self) -> String {
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
    fn redeliver_due(&mut self) {
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
fn ack_of(f: &Frame) -> Option<&str> {
    f.json.get("envelope_id").and_then(Value::as_str)
}

/// `apps.connections.open`; see the table in `methods.rs`.
pub(crate) type Handler = fn(&mut SocketModeState, &Decoded, &str) -> Result<Value, String>;

/// Answers `apps.connections.open`: a URL of the `/link` websocket beside
/// `rtm_url`, with a ticket of its own.
pub(crate) fn open(sm: &mut SocketModeState, d: &Decoded, rtm_url: &str) -> Result<Value, String> {
    if d.token_kind != TokenKind::App {
        return Err("not_allowed_token_type".into());
    }
    sm.counter += 1;
    sm.issued += 1;
    let base = rtm_url.strip_suffix("/rtm").unwrap_or(rtm_url);
    Ok(json!({
        "url": format!("{base}/link/?ticket=sm-{}&app_id={APP_ID}", sm.counter),
    }))
}

/// Registers a new Socket Mode connection and queues its `hello`; returns
/// its id and the redelivery delay.
fn admit(
    st: &mut State,
    tx: &mpsc::UnboundedSender<Out>,
    silence: oneshot::Sender<()>,
) -> (usize, Duration) {
    st.connections += 1;
    let id = st.connections;
    let sm = &mut st.socket_mode;
    sm.active = true;
    sm.accepted += 1;
    sm.conns.retain(|c| !c.tx.is_closed());
    sm.conns.push(Conn {
        id,
        tx: tx.clone(),
        leaving: false,
        silent: false,
        silence: Some(silence),
    });
    let hello = json!({
        "type": "hello",
        "num_connections": sm.conns.len(),
        "debug_info": {"host": "fake-slack", "build_number": 1, "approximate_connection_time": 3600},
        "connection_info": {"app_id": APP_ID},
    });
    let _ = tx.send(Out::Text(hello.to_string()));
    (id, sm.redelivery)
}

/// Serves one Socket Mode websocket until it closes.
pub(crate) async fn serve<S>(ws: WebSocketStream<S>, inner: Arc<Inner>, ticket: Option<String>)
where
    S: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin,
{
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (silence, mut silenced) = oneshot::channel();
    let admitted = {
        let st = &mut *inner.lock();
        let number = ticket
            .as_deref()
            .and_then(|t| t.strip_prefix("sm-"))
            .and_then(|n| n.parse::<u64>().ok());
        if number.is_some_and(|n| n <= st.socket_mode.stale_up_to) {
            None
        } else {
            Some(admit(st, &tx, silence))
        }
    };
    // Handed out before a reset: closed without `hello`, so the app asks
    // `apps.connections.open` for a fresh URL.
    let Some((id, redelivery)) = admitted else {
        let (mut sink, _) = ws.split();
        let _ = write_out(&mut sink, Some(Out::Close)).await;
        return;
    };
    inner.changed.notify_waiters();
    let (mut sink, mut stream) = ws.split();
    let mut tick = tokio::time::interval((redelivery / 4).max(Duration::from_millis(5)));
    loop {
        tokio::select! {
            // Silence first: a frame read after the fault went silent must
            // not be answered, whichever woke the task.
            biased;
            Ok(()) = &mut silenced => {
                // Half-open: the socket stays open, nothing is read or sent,
                // until the fake closes it (reset, a disconnect).
                while let Some(out) = rx.recv().await {
                    if !matches!(out, Out::Text(_)) {
                        break;
                    }
                }
                break;
            }
            out = rx.recv() => if !write_out(&mut sink, out).await {
                break;
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    inner.record_frame_then(id, text.as_str(), |st, frame| {
                        if let Some(env) = ack_of(frame) {
                            st.socket_mode.pending.remove(env);
                        }
                    });
                }
                Some(Ok(Message::Ping(p))) => {
                    inner.lock().socket_mode.pings += 1;
                    let _ = sink.send(Message::Pong(p)).await;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            _ = tick.tick() => inner.lock().socket_mode.redeliver_due(),
        }
    }
    inner.lock().socket_mode.conns.retain(|c| c.id != id);
    inner.changed.notify_waiters();
}

/// POSTs each Events API payload, signed, to `url`, journaling the answer.
async fn http_worker(
    inner: Weak<Inner>,
    url: String,
    secret: String,
    mut rx: mpsc::UnboundedReceiver<String>,
) {
    let client = reqwest::Client::new();
    while let Some(body) = rx.recv().await {
        let signed = Signer::new(&secret).sign_now(body.as_bytes());
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .header(slack_api::signing::TIMESTAMP_HEADER, &signed.timestamp)
            .header(slack_api::signing::SIGNATURE_HEADER, &signed.signature)
            .body(body.clone())
            .timeout(Duration::from_secs(3))
            .send()
            .await;
        let (status, text) = match r {
            Ok(resp) => {
                let s = resp.status().as_u16();
                (s, resp.text().await.unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        };
        let Some(inner) = inner.upgrade() else { return };
        {
            let mut st = inner.lock();
            let mut args = BTreeMap::new();
            args.insert("body".to_string(), body);
            crate::http::record_endpoint(
                &mut st.journal,
                EVENTS_API_POST,
                "POST",
                args,
                status,
                json!(text),
            );
        }
        inner.changed.notify_waiters();
    }
}

/// Sends `disconnect` with `reason` to every connection; see
/// [`FakeSlack::socket_mode_disconnect`]. Must run inside a tokio runtime.
fn disconnect(inner: &Inner, reason: &str, grace: Duration) -> usize {
    let frame = json!({
        "type": "disconnect",
        "reason": reason,
        "debug_info": {"host": "fake-slack"},
    })
    .to_string();
    let soft = matches!(reason, "warning" | "refresh_requested");
    let mut st = inner.lock();
    st.socket_mode.conns.retain(|c| !c.tx.is_closed());
    let mut told = Vec::new();
    for c in &mut st.socket_mode.conns {
        let _ = c.tx.send(Out::Text(frame.clone()));
        c.leaving = true;
        if soft {
            told.push(c.tx.clone());
        } else {
            let _ = c.tx.send(Out::Close);
        }
    }
    let n = st.socket_mode.conns.len();
    drop(st);
    if !told.is_empty() {
        tokio::spawn(async move {
            tokio::time::sleep(grace).await;
            for tx in told {
                let _ = tx.send(Out::Close);
            }
        });
    }
    n
}

/// Applies a [`SocketModeFault`]; returns how many connections it reached.
/// Must run inside a tokio runtime (a soft disconnect closes later).
pub(crate) fn apply_fault(inner: &Inner, fault: &SocketModeFault) -> usize {
    match fault {
        SocketModeFault::Silent => {
            let mut st = inner.lock();
            st.socket_mode.conns.retain(|c| !c.tx.is_closed());
            let mut n = 0;
            for c in &mut st.socket_mode.conns {
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
            disconnect(inner, reason, grace)
        }
        SocketModeFault::RawFrame { text } => {
            let mut st = inner.lock();
            st.socket_mode.conns.retain(|c| !c.tx.is_closed());
            st.socket_mode
                .conns
                .iter()
                .filter(|c| c.tx.send(Out::Text(text.clone())).is_ok())
                .count()
        }
    }
}

/// Socket Mode and the Events API.
impl FakeSlack {
    /// How many Socket Mode connections are open.
    pub fn socket_mode_clients(&self) -> usize {
        let mut st = self.inner().lock();
        st.socket_mode.conns.retain(|c| !c.tx.is_closed());
        st.socket_mode.conns.len()
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until `n` Socket Mode connections are open.
    ///
    /// # Panics
    /// On timeout, naming the caller's line and how many were open.
    #[track_caller]
    pub fn wait_for_socket_mode_clients(&self, n: usize) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    st.socket_mode.conns.retain(|c| !c.tx.is_closed());
                    (st.socket_mode.conns.len() >= n).then_some(())
                })
                .await;
            if ok.is_none() {
                panic!(
                    "slack-testkit: at {at}: timed out after {DEFAULT_WAIT:?} waiting for {n} \
                     Socket Mode connection(s); {} open",
                    self.socket_mode_clients()
                );
            }
        }
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until the app is connected over Socket
    /// Mode and stable: at least one connection is open, neither told to go
    /// away (`disconnect`) nor silent ([`SocketModeFault::Silent`]), and every
    /// URL `apps.connections.open` handed out has been used, so no reconnect
    /// is under way. Use it after a fault instead of sleeping until the app
    /// is back:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// use slack_testkit::SocketModeFault;
    /// slack.wait_for_socket_mode_connected().await;
    /// slack.socket_mode_fault(SocketModeFault::disconnect("link_disabled"));
    /// slack.wait_for_socket_mode_connected().await; // the app reconnected
    /// assert_eq!(slack.calls_to("apps.connections.open").len(), 2);
    /// # }
    /// ```
    ///
    /// # Panics
    /// On timeout, naming the caller's line, the connections and the URLs
    /// not used yet.
    #[track_caller]
    pub fn wait_for_socket_mode_connected(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let probe = |st: &mut State| {
                let sm = &mut st.socket_mode;
                sm.conns.retain(|c| !c.tx.is_closed());
                let live = sm.conns.iter().filter(|c| !c.leaving && !c.silent).count();
                (
                    live,
                    sm.conns.len() - live,
                    sm.issued.saturating_sub(sm.accepted),
                )
            };
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    let (live, _, unused) = probe(st);
                    (live > 0 && unused == 0).then_some(())
                })
                .await;
            if ok.is_none() {
                let (live, other, unused) = probe(&mut self.inner().lock());
                panic!(
                    "slack-testkit: at {at}: no stable Socket Mode connection within \
                     {DEFAULT_WAIT:?}: {live} live, {other} told to disconnect or silent, \
                     {unused} apps.connections.open URL(s) not used yet"
                );
            }
        }
    }

    /// How long an unacked envelope waits before it is redelivered with a
    /// higher `retry_attempt` (default 1 s; Slack waits a few seconds).
    /// Applies to connections opened afterwards.
    pub fn set_socket_mode_redelivery(&self, delay: Duration) {
        self.inner().lock().socket_mode.redelivery = delay;
    }

    /// Sends an envelope of `kind` (`events_api`, `slash_commands`,
    /// `interactive`, or anything) with `payload`; returns its `envelope_id`.
    pub fn push_envelope(
        &self,
        kind: &str,
        payload: Value,
        accepts_response_payload: bool,
    ) -> String {
        self.inner()
            .lock()
            .socket_mode
            .push(kind, payload, accepts_response_payload)
    }

    /// Runs slash command `command` with `text` as Alice in `C_GENERAL`
    /// over Socket Mode; returns the `envelope_id`.
    pub fn socket_mode_slash_command(&self, command: &str, text: &str) -> String {
        let payload = json!({
            "token": "fake-verification-token",
            "team_id": TEAM_ID,
            "team_domain": "fake-team",
            "channel_id": "C_GENERAL",
            "channel_name": "general",
            "user_id": crate::simulator::DEFAULT_USER,
            "user_name": "alice",
            "command": command,
            "text": text,
            "api_app_id": APP_ID,
            "is_enterprise_install": "false",
            "response_url": format!("{}/response_url/sm", self.uri()),
            "trigger_id": "trigger.fake",
        });
        self.push_envelope("slash_commands", payload, true)
    }

    /// Sends `disconnect` with `reason` to every Socket Mode connection.
    /// For `warning` and `refresh_requested` the sockets stay open for
    /// `grace`, then close (as Slack does); for other reasons they close now.
    pub fn socket_mode_disconnect(&self, reason: &str, grace: Duration) -> usize {
        disconnect(self.inner(), reason, grace)
    }

    /// Injects a Socket Mode fault on the open connections; returns how many
    /// were affected. See [`SocketModeFault`].
    pub fn socket_mode_fault(&self, fault: SocketModeFault) -> usize {
        apply_fault(self.inner(), &fault)
    }

    /// Websocket pings received from Socket Mode apps so far (the fake
    /// answers each with a pong unless the connection is silent).
    pub fn socket_mode_pings(&self) -> usize {
        self.inner().lock().socket_mode.pings
    }

    /// Envelopes sent but not yet acknowledged.
    pub fn pending_envelopes(&self) -> usize {
        self.inner().lock().socket_mode.pending.len()
    }

    /// Waits (up to [`DEFAULT_WAIT`]) for the client's ack of `envelope_id`
    /// and returns the ack frame (with its `payload`, if any).
    ///
    /// # Panics
    /// On timeout, naming the caller's line and the envelopes the app did ack.
    #[track_caller]
    pub fn wait_for_ack(&self, envelope_id: &str) -> impl Future<Output = Value> + Send + '_ {
        let at = Location::caller();
        let envelope_id = envelope_id.to_string();
        async move {
            let got = self
                .wait(DEFAULT_WAIT, |st| {
                    st.journal.entries.iter().find_map(|e| match e {
                        Entry::Frame(f) if ack_of(f) == Some(envelope_id.as_str()) => {
                            Some(f.json.clone())
                        }
                        _ => None,
                    })
                })
                .await;
            got.unwrap_or_else(|| {
                let acked: Vec<String> = self
                    .frames()
                    .iter()
                    .filter_map(|f| ack_of(f).map(str::to_string))
                    .collect();
                panic!(
                    "slack-testkit: at {at}: no ack of {envelope_id} within {DEFAULT_WAIT:?}; \
                     acked so far: {}; {}",
                    if acked.is_empty() {
                        "none".to_string()
                    } else {
                        acked.join(", ")
                    },
                    self.inner().lock().socket_mode.describe_pending()
                )
            })
        }
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until every envelope sent so far (by
    /// [`push_envelope`](Self::push_envelope), a slash command, or a
    /// workspace change) has been acked, redeliveries included. Use it where
    /// a test would otherwise sleep before checking what the app did:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// slack.post_as_user("U_ALICE", "C_GENERAL", "deploy").await;
    /// slack.wait_for_all_acks().await;
    /// assert_eq!(slack.pending_envelopes(), 0);
    /// # }
    /// ```
    ///
    /// # Panics
    /// On timeout, naming the caller's line and each envelope still unacked.
    #[track_caller]
    pub fn wait_for_all_acks(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    st.socket_mode.pending.is_empty().then_some(())
                })
                .await;
            if ok.is_none() {
                let st = self.inner().lock();
                panic!(
                    "slack-testkit: at {at}: envelopes not acked within {DEFAULT_WAIT:?}; {}; \
                     {} Socket Mode connection(s) open",
                    st.socket_mode.describe_pending(),
                    st.socket_mode
                        .conns
                        .iter()
                        .filter(|c| !c.tx.is_closed())
                        .count()
                );
            }
        }
    }

    /// From now on, POSTs every workspace change as a signed Events API
    /// payload to `url` (journaled as [`EVENTS_API_POST`] calls with the
    /// app's status and body). Must be called inside a tokio runtime.
    pub fn set_events_api_url(&self, url: impl Into<String>, signing_secret: impl Into<String>) {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(http_worker(
            Arc::downgrade(self.inner()),
            url.into(),
            signing_secret.into(),
            rx,
        ));
        self.inner().lock().socket_mode.http = Some(tx);
    }
}
