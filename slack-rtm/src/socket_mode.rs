//! Socket Mode: an app receives its events, slash commands and interactions
//! over websockets it opens with an app-level (`xapp-`) token.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use slack_rtm::socket_mode::{SocketModeIncoming, Payload, SocketMode};
//! use slack_rtm::{Event, MessageEvent};
//!
//! let app = slack_api::Client::new("xapp-1-..."); // app-level token
//! let mut events = SocketMode::builder().connections(2).connect(&app).await?;
//! while let Some(item) = events.next().await {
//!     match item {
//!         Ok(SocketModeIncoming::Envelope(mut env)) => {
//!             if let Some(Event::Message(MessageEvent::Plain(m))) = env.event() {
//!                 println!("{:?}", m.text);
//!             }
//!             let acker = env.take_acker();
//!             if let (Payload::SlashCommand(cmd), Some(acker)) = (&env.payload, acker) {
//!                 acker.ack_with(serde_json::json!({ "text": format!("running {}", cmd.text) }));
//!             }
//!         }
//!         Ok(_) => {}
//!         // A payload that could not be decoded; it was acknowledged anyway.
//!         Err(e) => eprintln!("{e}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # How it behaves
//!
//! - [`SocketModeBuilder::connect`] calls `apps.connections.open` once per
//!   connection (one by default; see
//!   [`connections(n)`](SocketModeBuilder::connections)) and waits for each
//!   `hello`; the latest is in [`SocketModeEvents::hello`].
//!   Slack spreads deliveries over all of an app's connections; the stream
//!   merges them.
//! - **Acknowledgements.** Slack redelivers every envelope not acknowledged
//!   within 3 seconds. Envelopes are therefore acknowledged by `envelope_id`
//!   the moment they arrive, before they are yielded, and also when their
//!   payload cannot be decoded (that envelope is then yielded as an `Err`).
//!   The one exception: an envelope that accepts a response payload
//!   (`accepts_response_payload`: slash commands, some interactions) and
//!   decoded fine carries an [`Acker`]. Call [`Acker::ack_with`] to answer
//!   with a payload, or [`Acker::ack`]; dropping it acks at once, and if the
//!   handler does nothing for the [ack window](SocketModeBuilder::ack_window)
//!   (default 2 s) an empty ack goes out by itself, so the 3 seconds are
//!   always kept. A payload given after that is refused ([`Acker::ack_with`]
//!   returns `false`); use the `response_url` then.
//! - Redeliveries (same `event_id`, or the same `envelope_id` for other
//!   envelopes) are acknowledged and not yielded twice; the memory is a
//!   bounded LRU ([`dedup_capacity`](SocketModeBuilder::dedup_capacity)).
//!   [`Envelope::retry_attempt`] and [`Envelope::retry_reason`] say when a
//!   delivery is a retry.
//! - A `disconnect` with reason `warning` or `refresh_requested` makes the
//!   connection open its successor first and only then close, so nothing
//!   in flight is lost; other disconnects and lost sockets reconnect with
//!   backoff as RTM does ([`ReconnectPolicy`]).
//! - A `disconnect` with reason `link_disabled` (Socket Mode was turned off
//!   for the app) is final: reconnecting cannot help until an admin turns
//!   it back on, so the connection yields [`RtmError::LinkDisabled`] and
//!   its stream ends.
//! - **Keepalive.** Socket Mode has no application-level ping. Slack pings
//!   the socket and the client answers; the client also sends a websocket
//!   ping every [`ping_interval`](SocketModeBuilder::ping_interval)
//!   (default 10 s), and when nothing at all (envelope, ping, pong) has
//!   arrived for the [`idle_timeout`](SocketModeBuilder::idle_timeout)
//!   (default 30 s) the socket is presumed dead (half-open, silent) and
//!   dropped with [`DisconnectReason::Idle`], then reopened with backoff.
//!   Nothing is lost: an envelope is acknowledged only once read, and
//!   Slack redelivers what was not.
//! - **Backpressure.** Each connection queues at most
//!   [`event_capacity`](SocketModeBuilder::event_capacity) items (default
//!   100) for the stream. When its queue is full the connection stops
//!   reading its socket (so it acknowledges nothing more) until the
//!   application takes an item; Slack redelivers what it sent meanwhile and
//!   was not acknowledged, and redeliveries are dropped as duplicates. Pings,
//!   sends, acks and [`SocketModeEvents::shutdown`] are served all the while; the idle
//!   clock is stopped while reading is paused.
//! - A write that does not complete within the
//!   [`write_timeout`](SocketModeBuilder::write_timeout) (default 10 s)
//!   drops the connection and reopens it.
//! - The websocket URL from `apps.connections.open` carries a ticket: it is
//!   held in a [`Secret`] and never logged (only scheme
//!   and host are).

use std::fmt;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::task::{Context, Poll};
use std::time::Duration;

use serde_json::{Value, json};
use slack_api::events::{
    Event, EventsApiPayload, InteractionPayload, SocketModeDisconnectReason, SocketModeHello,
};
use slack_api::inbound::events_api::Dedup;
use slack_api::inbound::slash::SlashCommand;
use slack_api::web::retry::Sleeper;
use slack_api::{Client, Secret};

use crate::conn::{self, BoxFuture, Delivered, Handle, Inbound, Output, Ping, Protocol, Settings};
use crate::error::{MalformedFrame, Result, RtmError};
use crate::policy::ReconnectPolicy;
use crate::queue::{self, Full};
use crate::{DisconnectReason, Lifecycle};

/// Default of [`SocketModeBuilder::ping_interval`].
pub const DEFAULT_PING_INTERVAL: Duration = Duration::from_secs(10);
/// Default of [`SocketModeBuilder::idle_timeout`].
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(30);
/// Default of [`SocketModeBuilder::event_capacity`].
pub const DEFAULT_EVENT_CAPACITY: usize = 100;

/// Entry point for configuring Socket Mode; see [`SocketMode::builder`].
#[derive(Debug, Clone, Copy)]
pub struct SocketMode;

impl SocketMode {
    /// A builder with the default settings.
    pub fn builder() -> SocketModeBuilder {
        SocketModeBuilder::default()
    }
}

/// Options of a Socket Mode client.
#[derive(Debug, Clone)]
#[must_use]
pub struct SocketModeBuilder {
    connections: usize,
    ack_window: Duration,
    defer_all_acks: bool,
    dedup_capacity: usize,
    hello_timeout: Duration,
    ping_interval: Duration,
    idle_timeout: Duration,
    write_timeout: Duration,
    event_capacity: usize,
    reconnect: ReconnectPolicy,
    sleeper: Option<Arc<dyn Sleeper>>,
}

impl Default for SocketModeBuilder {
    fn default() -> Self {
        SocketModeBuilder {
            connections: 1,
            ack_window: Duration::from_secs(2),
            defer_all_acks: false,
            dedup_capacity: slack_api::inbound::events_api::DEFAULT_DEDUP_CAPACITY,
            hello_timeout: Duration::from_secs(30),
            ping_interval: DEFAULT_PING_INTERVAL,
            idle_timeout: DEFAULT_IDLE_TIMEOUT,
            write_timeout: crate::DEFAULT_WRITE_TIMEOUT,
            event_capacity: DEFAULT_EVENT_CAPACITY,
            reconnect: ReconnectPolicy::default(),
            sleeper: None,
        }
    }
}

impl SocketModeBuilder {
    /// How many connections to keep open at once (default 1, at least 1;
    /// Slack allows up to 10 per app).
    pub fn connections(mut self, n: usize) -> Self {
        self.connections = n.max(1);
        self
    }

    /// How long an [`Acker`] waits for the handler before sending an empty
    /// ack by itself (default 2 s; keep it under Slack's 3 s).
    pub fn ack_window(mut self, d: Duration) -> Self {
        self.ack_window = d;
        self
    }

    /// Whether every decoded envelope carries an [`Acker`], events too
    /// (default `false`: only envelopes that accept a response payload do,
    /// and the rest are acked on arrival). An app that must look something
    /// up before it may take an event (its installation) turns this on, so
    /// it can [`withhold`](Acker::withhold) the ack and have Slack deliver
    /// the envelope again. The ack window applies to every acker.
    pub fn defer_all_acks(mut self, on: bool) -> Self {
        self.defer_all_acks = on;
        self
    }

    /// How many recent event IDs to remember for dropping redeliveries
    /// (default 1024).
    pub fn dedup_capacity(mut self, n: usize) -> Self {
        self.dedup_capacity = n;
        self
    }

    /// How long to wait for the socket and its `hello` (default 30 s).
    pub fn hello_timeout(mut self, d: Duration) -> Self {
        self.hello_timeout = d;
        self
    }

    /// How often to send a websocket ping (default 10 s). Keep it well
    /// under the [`idle_timeout`](Self::idle_timeout): the pongs are what a
    /// quiet but healthy connection receives.
    pub fn ping_interval(mut self, d: Duration) -> Self {
        self.ping_interval = d;
        self
    }

    /// How long a connection may receive nothing at all (no envelope, ping
    /// or pong) before it is dropped as dead and reopened (default 30 s).
    pub fn idle_timeout(mut self, d: Duration) -> Self {
        self.idle_timeout = d;
        self
    }

    /// How long one websocket write may take before the connection is
    /// dropped and reopened (default 10 s); this also bounds how long
    /// [`SocketModeEvents::shutdown`] can take.
    pub fn write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// How many items each connection queues for the stream before it stops
    /// reading its socket (default 100; at least 1). Slack redelivers what
    /// was not acknowledged meanwhile; see the module docs.
    pub fn event_capacity(mut self, n: usize) -> Self {
        self.event_capacity = n;
        self
    }

    /// How to reconnect; [`ReconnectPolicy::disabled`] turns it off.
    pub fn reconnect_policy(mut self, policy: ReconnectPolicy) -> Self {
        self.reconnect = policy;
        self
    }

    /// What every timeout, interval and backoff waits with (default: the
    /// API client's, [`Client::sleeper`], itself [`TokioSleeper`](slack_api::web::retry::TokioSleeper)
    /// unless set). [`RecordingSleeper`](slack_api::web::retry::RecordingSleeper)
    /// records the waits and runs them a thousand times faster.
    pub fn sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// Opens the connections with `apps.connections.open` (the client must
    /// hold an `xapp-` app-level token) and waits for each `hello`.
    pub async fn connect(self, app_client: &Client) -> Result<SocketModeEvents> {
        let sleeper = self.sleeper.unwrap_or_else(|| app_client.sleeper());
        let settings = Settings {
            ping_interval: self.ping_interval,
            // Websocket pings expect no particular answer: the idle timeout
            // judges liveness.
            pong_timeout: self.idle_timeout,
            ack_timeout: Duration::from_secs(10),
            hello_timeout: self.hello_timeout,
            write_timeout: self.write_timeout,
            idle_timeout: Some(self.idle_timeout),
            queue_capacity: self.event_capacity,
            queue_policy: Full::Wait,
            reconnect: self.reconnect,
            sleeper: sleeper.clone(),
            observer: None,
        };
        let dedup = Dedup::new(self.dedup_capacity);
        let hello = Arc::new(Mutex::new(None));
        let mut conns = Vec::with_capacity(self.connections);
        for index in 0..self.connections {
            let handle = Arc::new(OnceLock::new());
            let protocol = SocketProtocol {
                client: app_client.clone(),
                dedup: dedup.clone(),
                hello: hello.clone(),
                handle: handle.clone(),
                sleeper: sleeper.clone(),
                ack_window: self.ack_window,
                defer_all_acks: self.defer_all_acks,
                replies: Vec::new(),
            };
            let url = open_url(app_client.clone()).await?;
            let (h, rx) = conn::start(protocol, settings.clone(), url).await?;
            let _ = handle.set(h.clone());
            conns.push(Conn {
                index,
                handle: h,
                rx,
                done: false,
            });
        }
        Ok(SocketModeEvents {
            conns,
            next: 0,
            hello,
        })
    }
}

async fn open_url(client: Client) -> Result<Secret> {
    let r = client
        .apps()
        .connections_open()
        .await
        .map_err(|e| RtmError::from_api("apps.connections.open", e))?;
    crate::rtm::secret_url(r.url, "apps.connections.open")
}

/// One item of the Socket Mode [`SocketModeEvents`] stream.
// A few hundred bytes (a slash command's fields), one at a time: not worth a box.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
#[non_exhaustive]
pub enum SocketModeIncoming {
    /// A delivery from Slack (already acknowledged unless it holds an [`Acker`]).
    Envelope(Envelope),
    /// A connection's state changed.
    Lifecycle {
        /// Which connection, from 0.
        connection: usize,
        /// The change.
        change: Lifecycle,
    },
}

/// What an envelope carries, decoded by envelope type.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Payload {
    /// `events_api`: the same payload the Events API POSTs.
    EventsApi(EventsApiPayload),
    /// `slash_commands`: a slash command invocation.
    SlashCommand(SlashCommand),
    /// `interactive`: block actions, view submissions, shortcuts, ...
    Interactive(InteractionPayload),
    /// An envelope type this version does not know, kept as raw JSON.
    Unknown {
        /// The envelope's `type`.
        kind: String,
        /// The envelope's `payload`.
        payload: Value,
    },
}

/// One Socket Mode delivery.
#[derive(Debug)]
#[non_exhaustive]
pub struct Envelope {
    /// The ID the acknowledgement names.
    pub envelope_id: String,
    /// The decoded payload.
    pub payload: Payload,
    /// Whether Slack accepts a payload with the ack.
    pub accepts_response_payload: bool,
    /// How many times this was delivered before (0 or absent on the first delivery).
    pub retry_attempt: Option<i64>,
    /// Why it is being redelivered.
    pub retry_reason: Option<String>,
    /// Which connection it came on, from 0.
    pub connection: usize,
    acker: Option<Acker>,
}

impl Envelope {
    /// The event inside an `events_api` envelope: the same [`Event`] RTM
    /// yields, so one handler serves both.
    pub fn event(&self) -> Option<&Event> {
        match &self.payload {
            Payload::EventsApi(EventsApiPayload::EventCallback(cb)) => Some(&cb.event),
            _ => None,
        }
    }

    /// The `event_id` of an `events_api` envelope.
    pub fn event_id(&self) -> Option<&str> {
        match &self.payload {
            Payload::EventsApi(EventsApiPayload::EventCallback(cb)) => cb.event_id.as_deref(),
            _ => None,
        }
    }

    /// The responder of an envelope that accepts a response payload (or of
    /// any decoded envelope, with [`SocketModeBuilder::defer_all_acks`]) and
    /// has not been acknowledged yet; `None` otherwise (it was acked on
    /// arrival) or once taken.
    pub fn take_acker(&mut self) -> Option<Acker> {
        self.acker.take()
    }
}

/// Acknowledges one envelope, optionally with a response payload.
///
/// Dropping it acknowledges at once with no payload; after the ack window
/// an empty ack has gone out by itself. The ack is queued on the
/// connection before the call returns, so a [`SocketModeEvents::shutdown`] right
/// after still sends it.
pub struct Acker {
    envelope_id: String,
    state: Arc<AckState>,
    /// To forget the envelope when its ack is withheld, so its redelivery is yielded.
    dedup: Dedup,
    dedup_key: String,
}

/// Shared by an [`Acker`] and its window timer: whichever acks first wins.
struct AckState {
    handle: Arc<OnceLock<Handle>>,
    sent: AtomicBool,
}

impl AckState {
    /// Queues the ack unless one was already sent; `true` if this call sent it.
    fn send(&self, envelope_id: &str, payload: Option<Value>) -> bool {
        if self.sent.swap(true, Ordering::AcqRel) {
            return false;
        }
        // The handle is set before `connect` returns, so before any handler runs.
        self.handle
            .get()
            .is_some_and(|h| h.send(ack_frame(envelope_id, payload)).is_ok())
    }
}

impl fmt::Debug for Acker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Acker")
            .field("envelope_id", &self.envelope_id)
            .field("pending", &!self.state.sent.load(Ordering::Acquire))
            .finish()
    }
}

impl Acker {
    /// The envelope this acknowledges.
    pub fn envelope_id(&self) -> &str {
        &self.envelope_id
    }

    /// Acknowledges with `payload` (e.g. `{"text": "..."}` for a slash
    /// command, `{"response_action": "errors", ...}` for a view
    /// submission). `false` when the window had passed and an empty ack
    /// was already sent, or the connection is gone.
    pub fn ack_with(self, payload: Value) -> bool {
        self.state.send(&self.envelope_id, Some(payload))
    }

    /// Sends no ack at all, now or later, so Slack delivers the envelope
    /// again (with `retry_attempt`), and forgets it, so that redelivery is
    /// yielded rather than dropped. `false` when an ack had already gone out.
    pub fn withhold(self) -> bool {
        if self.state.sent.swap(true, Ordering::AcqRel) {
            return false;
        }
        self.dedup.forget(&self.dedup_key);
        true
    }

    /// Acknowledges with no payload; `false` when that had already happened.
    pub fn ack(self) -> bool {
        self.state.send(&self.envelope_id, None)
    }
}

impl Drop for Acker {
    fn drop(&mut self) {
        self.state.send(&self.envelope_id, None);
    }
}

fn ack_frame(envelope_id: &str, payload: Option<Value>) -> String {
    match payload {
        Some(p) => json!({ "envelope_id": envelope_id, "payload": p }).to_string(),
        None => json!({ "envelope_id": envelope_id }).to_string(),
    }
}

struct SocketProtocol {
    client: Client,
    dedup: Dedup,
    hello: Arc<Mutex<Option<SocketModeHello>>>,
    /// This connection's sending side, set right after it starts (deferred acks).
    handle: Arc<OnceLock<Handle>>,
    sleeper: Arc<dyn Sleeper>,
    ack_window: Duration,
    defer_all_acks: bool,
    replies: Vec<String>,
}

impl SocketProtocol {
    fn malformed(text: &str, why: impl fmt::Display) -> Inbound<Envelope> {
        Inbound::Malformed(RtmError::Malformed(MalformedFrame::new(text, why)))
    }

    /// Sends an ack later: on the handler's word, when the acker is dropped,
    /// or when the window closes, whichever comes first.
    fn defer_ack(&self, envelope_id: String, dedup_key: String) -> Acker {
        let state = Arc::new(AckState {
            handle: self.handle.clone(),
            sent: AtomicBool::new(false),
        });
        let window = self.sleeper.sleep(self.ack_window);
        let timer = state.clone();
        let id = envelope_id.clone();
        tokio::spawn(async move {
            window.await;
            if timer.send(&id, None) {
                tracing::debug!(envelope_id = %id, "ack window passed; acked empty");
            }
        });
        Acker {
            envelope_id,
            state,
            dedup: self.dedup.clone(),
            dedup_key,
        }
    }
}

fn decode_payload(kind: &str, payload: &Value) -> std::result::Result<Payload, String> {
    let text = payload.to_string();
    match kind {
        "events_api" => EventsApiPayload::from_json(&text)
            .map(Payload::EventsApi)
            .map_err(|e| e.to_string()),
        "interactive" => InteractionPayload::from_json(&text)
            .map(Payload::Interactive)
            .map_err(|e| e.to_string()),
        "slash_commands" => {
            let Some(map) = payload.as_object() else {
                return Err("slash command payload is not an object".into());
            };
            // Same fields as the form Slack POSTs over HTTP, as JSON values.
            SlashCommand::from_json(map)
                .map(Payload::SlashCommand)
                .map_err(|e| e.to_string())
        }
        other => Ok(Payload::Unknown {
            kind: other.to_owned(),
            payload: payload.clone(),
        }),
    }
}

impl Protocol for SocketProtocol {
    type Item = Envelope;

    fn open(&mut self) -> BoxFuture<Result<Secret>> {
        Box::pin(open_url(self.client.clone()))
    }

    fn check_first_frame(&mut self, text: &str) -> Result<()> {
        let v: Value = serde_json::from_str(text).map_err(|_| RtmError::UnexpectedFirstFrame {
            kind: "a frame that is not JSON".into(),
        })?;
        match v.get("type").and_then(Value::as_str) {
            Some("hello") => {
                if let Ok(h) = serde_json::from_value::<SocketModeHello>(v) {
                    *self.hello.lock().unwrap_or_else(|p| p.into_inner()) = Some(h);
                }
                Ok(())
            }
            Some(other) => Err(RtmError::UnexpectedFirstFrame {
                kind: other.to_owned(),
            }),
            None => Err(RtmError::UnexpectedFirstFrame {
                kind: "a frame without a type".into(),
            }),
        }
    }

    fn ping(&mut self, _id: u64) -> Ping {
        Ping::Websocket
    }

    fn fatal(&mut self, reason: &DisconnectReason) -> Option<RtmError> {
        match reason {
            DisconnectReason::SocketMode(r)
                if SocketModeDisconnectReason::from(r.as_str())
                    == SocketModeDisconnectReason::LinkDisabled =>
            {
                Some(RtmError::LinkDisabled)
            }
            _ => None,
        }
    }

    fn take_reply(&mut self) -> Option<String> {
        self.replies.pop()
    }

    fn classify(&mut self, text: &str) -> Inbound<Envelope> {
        let v: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => return Self::malformed(text, e),
        };
        let kind = v.get("type").and_then(Value::as_str).unwrap_or("");
        let envelope_id = v.get("envelope_id").and_then(Value::as_str);
        let Some(envelope_id) = envelope_id else {
            return match kind {
                "hello" => Inbound::Ignore,
                "disconnect" => {
                    let reason = v.get("reason").and_then(Value::as_str).unwrap_or("");
                    let r = DisconnectReason::SocketMode(reason.to_owned());
                    match SocketModeDisconnectReason::from(reason) {
                        SocketModeDisconnectReason::Warning
                        | SocketModeDisconnectReason::RefreshRequested => Inbound::Refresh(r),
                        _ => Inbound::Disconnect(r),
                    }
                }
                _ => Self::malformed(text, format!("unexpected frame type {kind:?}")),
            };
        };
        let envelope_id = envelope_id.to_owned();
        let accepts = v.get("accepts_response_payload").and_then(Value::as_bool) == Some(true);
        let payload = v.get("payload").cloned().unwrap_or(Value::Null);
        let decoded = decode_payload(kind, &payload);

        // Deduplicate on event_id, falling back to the envelope id.
        let key = payload
            .get("event_id")
            .and_then(Value::as_str)
            .map(|e| format!("event:{e}"))
            .unwrap_or_else(|| format!("envelope:{envelope_id}"));
        if !self.dedup.first_time(&key) {
            tracing::debug!(%envelope_id, "acking a redelivery already handled");
            self.replies.push(ack_frame(&envelope_id, None));
            return Inbound::Ignore;
        }
        match decoded {
            Err(why) => {
                // Acked all the same: otherwise Slack redelivers it forever.
                self.replies.push(ack_frame(&envelope_id, None));
                Self::malformed(text, format!("{kind} payload: {why}"))
            }
            Ok(payload) => {
                let acker = if accepts || self.defer_all_acks {
                    Some(self.defer_ack(envelope_id.clone(), key))
                } else {
                    self.replies.push(ack_frame(&envelope_id, None));
                    None
                };
                Inbound::Item(Envelope {
                    envelope_id,
                    payload,
                    accepts_response_payload: accepts,
                    retry_attempt: v.get("retry_attempt").and_then(Value::as_i64),
                    retry_reason: v
                        .get("retry_reason")
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                    connection: 0,
                    acker,
                })
            }
        }
    }
}

struct Conn {
    index: usize,
    handle: Handle,
    rx: queue::Receiver<Envelope>,
    done: bool,
}

/// The merged stream of all connections: envelopes, lifecycle changes, and
/// `Err` items for frames that could not be decoded. Ends after
/// [`shutdown`](Self::shutdown) or when every connection gave up.
pub struct SocketModeEvents {
    conns: Vec<Conn>,
    next: usize,
    hello: Arc<Mutex<Option<SocketModeHello>>>,
}

impl fmt::Debug for SocketModeEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SocketModeEvents")
            .field("connections", &self.conns.len())
            .finish_non_exhaustive()
    }
}

impl SocketModeEvents {
    /// The next item; `None` once every connection has stopped.
    pub async fn next(&mut self) -> Option<Result<SocketModeIncoming>> {
        std::future::poll_fn(|cx| self.poll_item(cx)).await
    }

    /// The most recent `hello` (its `num_connections`, `debug_info`).
    pub fn hello(&self) -> Option<SocketModeHello> {
        self.hello.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// How many connections are still running.
    pub fn connections(&self) -> usize {
        self.conns.iter().filter(|c| !c.handle.is_closed()).count()
    }

    /// Closes every connection; pending deliveries are left for Slack to
    /// redeliver. Returns once all have stopped.
    pub async fn shutdown(&self) {
        for c in &self.conns {
            c.handle.shutdown().await;
        }
    }

    fn poll_item(&mut self, cx: &mut Context<'_>) -> Poll<Option<Result<SocketModeIncoming>>> {
        let n = self.conns.len();
        // Round-robin so one busy connection cannot starve the others.
        for step in 0..n {
            let i = (self.next + step) % n;
            let conn = &mut self.conns[i];
            if conn.done {
                continue;
            }
            let index = conn.index;
            let polled = loop {
                match conn.rx.poll_recv(cx) {
                    Poll::Ready(Some(o)) => match to_incoming(o, index) {
                        Some(item) => break Poll::Ready(Some(item)),
                        None => continue,
                    },
                    Poll::Ready(None) => break Poll::Ready(None),
                    Poll::Pending => break Poll::Pending,
                }
            };
            match polled {
                Poll::Ready(Some(item)) => {
                    self.next = (i + 1) % n;
                    return Poll::Ready(Some(item));
                }
                Poll::Ready(None) => conn.done = true,
                Poll::Pending => {}
            }
        }
        if self.conns.iter().all(|c| c.done) {
            Poll::Ready(None)
        } else {
            Poll::Pending
        }
    }
}

/// A connection's output as a stream item; `None` for what is not yielded.
fn to_incoming(o: Output<Envelope>, connection: usize) -> Option<Result<SocketModeIncoming>> {
    Some(match o {
        Ok(Delivered::Item(mut e)) => {
            e.connection = connection;
            Ok(SocketModeIncoming::Envelope(e))
        }
        Ok(Delivered::Lifecycle(change)) => {
            Ok(SocketModeIncoming::Lifecycle { connection, change })
        }
        // Backpressure never drops, so there is no lag to report.
        Ok(Delivered::Lagged(_)) => return None,
        Err(e) => Err(e),
    })
}

impl futures_core::Stream for SocketModeEvents {
    type Item = Result<SocketModeIncoming>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.poll_item(cx)
    }
}
