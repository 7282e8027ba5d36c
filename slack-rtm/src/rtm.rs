//! The RTM protocol on top of the shared machinery: `rtm.connect` /
//! `rtm.start`, `hello`, JSON pings, `reply_to` acks, and the public
//! [`Rtm`], [`Sender`], [`RtmEvents`] and [`SendMessage`].

use std::borrow::Cow;
use std::fmt;
use std::future::{Future, IntoFuture};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use crate::conn::{self, BoxFuture, Delivered, Handle, Inbound, Output, Ping, Protocol, Settings};
use crate::error::{MalformedFrame, Result, RtmError, ServerError};
use crate::observe::{FrameRecord, Observer};
use crate::policy::ReconnectPolicy;
use crate::queue::{self, Full};
use crate::{DisconnectReason, RtmIncoming};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use slack_api::events::Event;
use slack_api::types::{ChannelId, Ts};
use slack_api::web::retry::Sleeper;
use slack_api::{Client, Secret};

/// Default of [`RtmBuilder::write_timeout`].
pub const DEFAULT_WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// Default of [`RtmBuilder::event_capacity`].
pub const DEFAULT_EVENT_CAPACITY: usize = 10_000;

/// Entry point for configuring an RTM connection; see [`Rtm::builder`].
#[derive(Debug, Clone, Copy)]
pub struct Rtm;

impl Rtm {
    /// A builder with the defaults [`connect`](crate::connect) uses.
    pub fn builder() -> RtmBuilder {
        RtmBuilder::default()
    }
}

/// Options of an RTM connection.
#[derive(Debug, Clone)]
#[must_use]
pub struct RtmBuilder {
    team_state: bool,
    ping_interval: Duration,
    pong_timeout: Duration,
    ack_timeout: Duration,
    hello_timeout: Duration,
    write_timeout: Duration,
    event_capacity: usize,
    reconnect: ReconnectPolicy,
    sleeper: Option<Arc<dyn Sleeper>>,
    observer: Option<Observer>,
}

impl Default for RtmBuilder {
    fn default() -> Self {
        RtmBuilder {
            team_state: false,
            ping_interval: Duration::from_secs(30),
            pong_timeout: Duration::from_secs(10),
            ack_timeout: Duration::from_secs(10),
            hello_timeout: Duration::from_secs(30),
            write_timeout: DEFAULT_WRITE_TIMEOUT,
            event_capacity: DEFAULT_EVENT_CAPACITY,
            reconnect: ReconnectPolicy::default(),
            sleeper: None,
            observer: None,
        }
    }
}

impl RtmBuilder {
    /// Connect with `rtm.start` instead of `rtm.connect`, so
    /// [`RtmEvents::team_state`] holds the team's channels and users.
    pub fn team_state(mut self, yes: bool) -> Self {
        self.team_state = yes;
        self
    }

    /// How often to ping Slack (default 30 s).
    pub fn ping_interval(mut self, d: Duration) -> Self {
        self.ping_interval = d;
        self
    }

    /// How long to wait for a pong before reconnecting (default 10 s).
    pub fn pong_timeout(mut self, d: Duration) -> Self {
        self.pong_timeout = d;
        self
    }

    /// How long a send waits for Slack's ack (default 10 s).
    pub fn ack_timeout(mut self, d: Duration) -> Self {
        self.ack_timeout = d;
        self
    }

    /// How long to wait for the socket and its `hello` (default 30 s).
    pub fn hello_timeout(mut self, d: Duration) -> Self {
        self.hello_timeout = d;
        self
    }

    /// How long one websocket write may take (default 10 s). A write that
    /// does not complete in time (Slack stopped reading, the network
    /// stalled) drops the connection with
    /// [`DisconnectReason::WriteTimeout`] and reconnects; sends pending on
    /// it fail with [`RtmError::Disconnected`]. This also bounds how long
    /// [`Sender::shutdown`] can take.
    pub fn write_timeout(mut self, d: Duration) -> Self {
        self.write_timeout = d;
        self
    }

    /// How many events the [`RtmEvents`] stream holds before the oldest are
    /// dropped (default 10,000; at least 1). RTM has no redelivery, so the
    /// connection keeps reading (and answering pings) however slowly events
    /// are taken; when the stream is full the oldest queued event makes room
    /// for each new one, and the stream yields
    /// [`RtmIncoming::Lagged`] with the number dropped before the next event.
    /// Lifecycle changes are never dropped.
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
    /// API client's, [`Client::sleeper`], itself [`TokioSleeper`](slack_api::web::retry::TokioSleeper) unless
    /// set). [`RecordingSleeper`](slack_api::web::retry::RecordingSleeper) records
    /// the waits and runs them a thousand times faster, which keepalive
    /// tolerates.
    pub fn sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// Calls `observer` with every websocket text frame received and sent
    /// (pings and pongs included), on every connection including reconnects.
    ///
    /// It runs on the connection's task, so it should be quick; frames carry
    /// message content, so mind where they go.
    pub fn observer(mut self, observer: impl Fn(&FrameRecord<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Observer::new(observer));
        self
    }

    /// Calls `rtm.connect` (or `rtm.start`), opens the socket and waits for
    /// `hello`.
    ///
    /// Fails with [`RtmError::TokenNotAllowed`] for tokens Slack does not
    /// allow on RTM, [`RtmError::Server`] when Slack sends an `error` frame
    /// instead of `hello`, and [`RtmError::HelloTimeout`] when nothing comes.
    pub async fn connect(self, client: &Client) -> Result<(Sender, RtmEvents)> {
        // The URL carries a ticket: it moves into a `Secret` and is not kept
        // in the session, whose `Debug` would show it.
        let (url, session) = if self.team_state {
            let mut r = client
                .rtm()
                .start()
                .await
                .map_err(|e| RtmError::from_api("rtm.start", e))?;
            let url = secret_url(std::mem::take(&mut r.url), "rtm.start")?;
            (url, Session::Start(Box::new(r)))
        } else {
            let mut r = client
                .rtm()
                .connect()
                .await
                .map_err(|e| RtmError::from_api("rtm.connect", e))?;
            let url = secret_url(std::mem::take(&mut r.url), "rtm.connect")?;
            (url, Session::Connect(Box::new(r)))
        };
        let settings = Settings {
            ping_interval: self.ping_interval,
            pong_timeout: self.pong_timeout,
            ack_timeout: self.ack_timeout,
            hello_timeout: self.hello_timeout,
            write_timeout: self.write_timeout,
            idle_timeout: None,
            queue_capacity: self.event_capacity,
            queue_policy: Full::DropOldest,
            reconnect: self.reconnect,
            sleeper: self.sleeper.unwrap_or_else(|| client.sleeper()),
            observer: self.observer,
        };
        let protocol = RtmProtocol {
            client: client.clone(),
        };
        let (handle, rx) = conn::start(protocol, settings, url).await?;
        Ok((Sender { handle }, RtmEvents { rx, session }))
    }
}

/// The websocket URL of a Web API answer; an empty one is [`RtmError::NoUrl`].
pub(crate) fn secret_url(url: Secret, method: &'static str) -> Result<Secret> {
    if url.is_empty() {
        return Err(RtmError::NoUrl { method });
    }
    Ok(url)
}

/// What the Web API said when the connection was first made, without the
/// websocket URL (its `url` is empty: the URL carries a connection ticket).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Session {
    /// From `rtm.connect`: the bot's identity and team.
    Connect(Box<slack_api::rtm::ConnectResponse>),
    /// From `rtm.start`: identity, team, channels, users and more.
    Start(Box<slack_api::rtm::StartResponse>),
}

impl Session {
    /// The connected user's (or bot user's) ID.
    pub fn self_id(&self) -> Option<&str> {
        match self {
            Session::Connect(c) => c.self_.id.as_deref(),
            Session::Start(s) => s.self_.id.as_deref(),
        }
    }
}

struct RtmProtocol {
    client: Client,
}

/// The fields of a frame needed to route it, read without decoding it all.
#[derive(Deserialize)]
struct Head<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<Cow<'a, str>>,
    #[serde(default)]
    reply_to: Option<Value>,
    #[serde(default)]
    ok: Option<Value>,
}

impl Protocol for RtmProtocol {
    type Item = Event;

    fn open(&mut self) -> BoxFuture<Result<Secret>> {
        let client = self.client.clone();
        Box::pin(async move {
            let r = client
                .rtm()
                .connect()
                .await
                .map_err(|e| RtmError::from_api("rtm.connect", e))?;
            secret_url(r.url, "rtm.connect")
        })
    }

    fn check_first_frame(&mut self, text: &str) -> Result<()> {
        let Ok(v) = serde_json::from_str::<Value>(text) else {
            return Err(RtmError::UnexpectedFirstFrame {
                kind: "a frame that is not JSON".into(),
            });
        };
        match v.get("type").and_then(Value::as_str) {
            Some("hello") => Ok(()),
            Some("error") => Err(RtmError::Server(ServerError::from_json(v.get("error")))),
            Some(other) => Err(RtmError::UnexpectedFirstFrame {
                kind: other.to_owned(),
            }),
            None => Err(RtmError::UnexpectedFirstFrame {
                kind: "a frame without a type".into(),
            }),
        }
    }

    fn ping(&mut self, id: u64) -> Ping {
        Ping::Text(json!({ "id": id, "type": "ping" }).to_string())
    }

    fn classify(&mut self, text: &str) -> Inbound<Event> {
        let head: Head<'_> = match serde_json::from_str(text) {
            Ok(h) => h,
            Err(e) => return Inbound::Malformed(RtmError::Malformed(MalformedFrame::new(text, e))),
        };
        // An ack answers a frame we sent: it has `reply_to` and either no
        // type or an `ok`. (A `message` with `reply_to` but no `ok` is Slack
        // replaying the last message after a reconnect: an event.)
        if let Some(reply_to) = &head.reply_to
            && (head.kind.is_none() || head.ok.is_some())
            && head.kind.as_deref() != Some("pong")
        {
            let Some(id) = reply_to.as_u64() else {
                return Inbound::Ignore;
            };
            return Inbound::Ack {
                id,
                result: ack_result(id, text),
            };
        }
        match head.kind.as_deref() {
            Some("pong") => Inbound::Pong,
            Some("hello") => Inbound::Ignore,
            Some("goodbye") => Inbound::Disconnect(DisconnectReason::Goodbye),
            Some("error") => {
                let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
                Inbound::Disconnect(DisconnectReason::Server(ServerError::from_json(
                    v.get("error"),
                )))
            }
            _ => match Event::from_json(text) {
                Ok(event) => Inbound::Item(event),
                Err(e) => Inbound::Malformed(RtmError::Malformed(MalformedFrame::new(text, e))),
            },
        }
    }
}

fn ack_result(id: u64, text: &str) -> Result<Value> {
    let v: Value = serde_json::from_str(text).unwrap_or(Value::Null);
    if v.get("ok").and_then(Value::as_bool) == Some(true) {
        Ok(v)
    } else {
        Err(RtmError::Rejected {
            id,
            error: ServerError::from_json(v.get("error")),
        })
    }
}

/// The sending half: `Clone`, `Send + Sync`, usable from any task.
#[derive(Clone)]
pub struct Sender {
    handle: Handle,
}

impl fmt::Debug for Sender {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sender")
            .field("closed", &self.handle.is_closed())
            .finish_non_exhaustive()
    }
}

impl Sender {
    /// Posts `text` to `channel`; `.await` it for the message's `ts` once
    /// Slack acknowledges it.
    pub fn send_message(
        &self,
        channel: impl Into<ChannelId>,
        text: impl Into<String>,
    ) -> SendMessage {
        SendMessage {
            sender: self.clone(),
            channel: channel.into(),
            text: text.into(),
            thread_ts: None,
            reply_broadcast: None,
        }
    }

    /// Shows "typing…" in `channel` (Slack does not acknowledge it).
    pub fn typing(&self, channel: impl Into<ChannelId>) -> Result<()> {
        let frame = json!({
            "id": self.handle.next_id(),
            "type": "typing",
            "channel": channel.into(),
        });
        self.handle.send(frame.to_string())
    }

    /// Sends `frame` as is, without waiting for any answer.
    pub fn send_raw(&self, frame: Value) -> Result<()> {
        self.handle.send(frame.to_string())
    }

    /// Sends a JSON object with a fresh `id` added and waits for Slack's
    /// ack, resolving to the whole ack frame.
    pub fn send_raw_acked(
        &self,
        frame: Map<String, Value>,
    ) -> impl Future<Output = Result<Value>> + Send + 'static {
        let mut frame = frame;
        let id = self.handle.next_id();
        frame.insert("id".into(), id.into());
        self.handle.request(id, Value::Object(frame).to_string())
    }

    /// Closes the socket and stops the client; pending sends fail and the
    /// event stream ends. Returns once the background task has stopped.
    pub async fn shutdown(&self) {
        self.handle.shutdown().await;
    }

    /// Whether the client has stopped (shut down, gave up, or dropped).
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }
}

/// A message send in preparation: add options, then `.await` it.
#[derive(Debug, Clone)]
#[must_use = "a message is sent only when awaited"]
pub struct SendMessage {
    sender: Sender,
    channel: ChannelId,
    text: String,
    thread_ts: Option<Ts>,
    reply_broadcast: Option<bool>,
}

impl SendMessage {
    /// Reply in the thread of this parent message.
    pub fn thread_ts(mut self, ts: impl Into<Ts>) -> Self {
        self.thread_ts = Some(ts.into());
        self
    }

    /// Also show a thread reply in the channel.
    pub fn reply_broadcast(mut self, yes: bool) -> Self {
        self.reply_broadcast = Some(yes);
        self
    }

    /// Sends and waits for the ack: the new message's `ts`, or
    /// [`RtmError::Rejected`], [`RtmError::AckTimeout`],
    /// [`RtmError::Disconnected`], [`RtmError::Closed`].
    pub async fn send(self) -> Result<Ts> {
        let mut frame = Map::new();
        frame.insert("type".into(), "message".into());
        frame.insert("channel".into(), self.channel.as_str().into());
        frame.insert("text".into(), self.text.into());
        if let Some(ts) = self.thread_ts {
            frame.insert("thread_ts".into(), ts.as_str().into());
        }
        if let Some(b) = self.reply_broadcast {
            frame.insert("reply_broadcast".into(), b.into());
        }
        let ack = self.sender.send_raw_acked(frame).await?;
        match ack.get("ts").and_then(Value::as_str) {
            Some(ts) => Ok(Ts::from(ts)),
            None => Err(RtmError::Malformed(MalformedFrame::new(
                &ack.to_string(),
                "ack without ts",
            ))),
        }
    }
}

impl IntoFuture for SendMessage {
    type Output = Result<Ts>;
    type IntoFuture = BoxFuture<Result<Ts>>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// The receiving half: a [`Stream`](futures_core::Stream) of events and
/// lifecycle changes. Malformed frames come as `Err` items and the stream
/// goes on; it ends after a shutdown, or when reconnecting gave up (an
/// [`RtmError::ReconnectFailed`] item comes last).
pub struct RtmEvents {
    rx: queue::Receiver<Event>,
    session: Session,
}

impl fmt::Debug for RtmEvents {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RtmEvents").finish_non_exhaustive()
    }
}

impl RtmEvents {
    /// The next item; `None` once the client has stopped.
    ///
    /// The same as `StreamExt::next`, without importing a trait.
    pub async fn next(&mut self) -> Option<Result<RtmIncoming>> {
        self.rx.recv().await.map(map_output)
    }

    /// What `rtm.connect` or `rtm.start` returned for the first connection.
    pub fn session(&self) -> &Session {
        &self.session
    }

    /// The team state from `rtm.start`, when connected
    /// [`team_state`](RtmBuilder::team_state).
    pub fn team_state(&self) -> Option<&slack_api::rtm::StartResponse> {
        match &self.session {
            Session::Start(s) => Some(s),
            Session::Connect(_) => None,
        }
    }
}

fn map_output(o: Output<Event>) -> Result<RtmIncoming> {
    o.map(|d| match d {
        Delivered::Item(e) => RtmIncoming::Event(e),
        Delivered::Lifecycle(l) => RtmIncoming::Lifecycle(l),
        Delivered::Lagged(dropped) => RtmIncoming::Lagged { dropped },
    })
}

impl futures_core::Stream for RtmEvents {
    type Item = Result<RtmIncoming>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.rx.poll_recv(cx).map(|o| o.map(map_output))
    }
}
