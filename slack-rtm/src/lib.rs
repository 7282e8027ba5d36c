//! Slack's Real Time Messaging (RTM) API over a websocket: a typed event
//! stream, acknowledged sends, keepalive and automatic reconnect.
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use slack_rtm::{Event, RtmIncoming, Lifecycle, MessageEvent};
//!
//! let client = slack_api::Client::from_env()?; // SLACK_BOT_TOKEN
//! let (sender, mut events) = slack_rtm::connect(&client).await?;
//! while let Some(item) = events.next().await {
//!     match item {
//!         Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => {
//!             if let (Some(channel), Some("ping")) = (&m.channel, m.text.as_deref()) {
//!                 let ts = sender.send_message(channel, "pong").await?;
//!                 println!("replied at {ts}");
//!             }
//!         }
//!         Ok(RtmIncoming::Lifecycle(Lifecycle::Reconnecting { attempt, delay })) => {
//!             eprintln!("reconnect attempt {attempt} in {delay:?}");
//!         }
//!         Ok(_) => {}
//!         // A frame that could not be decoded: reported, the stream goes on.
//!         Err(e) => eprintln!("{e}"),
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! # Which tokens work
//!
//! RTM accepts **classic** bot tokens (`xoxb-` of apps with the classic
//! `bot` scope) and user tokens (`xoxp-`). Slack refuses `rtm.connect` and
//! `rtm.start` for tokens of apps created with granular scopes, answering
//! `not_allowed_token_type`; this crate reports that as
//! [`RtmError::TokenNotAllowed`]. Such apps receive events through Socket
//! Mode (an `xapp-` app-level token) or the Events API instead.
//!
//! # How it behaves
//!
//! - [`connect`] calls `rtm.connect`; [`Rtm::builder`] with
//!   [`team_state(true)`](RtmBuilder::team_state) calls
//!   `rtm.start` and keeps the team's channels and users
//!   ([`RtmEvents::team_state`]).
//! - The first frame must be `hello`; an `error` frame instead (for example
//!   code 1, "Socket URL has expired") or silence past the hello timeout
//!   fails the connect.
//! - [`RtmEvents`] yields [`RtmIncoming`] items: typed events (unknown types as
//!   [`Event::Unknown`], raw JSON kept) and [`Lifecycle`] changes. Acks are
//!   routed to the sends waiting for them and never yielded.
//! - [`Sender`] is `Clone` and can be moved to other tasks. Every send gets
//!   a fresh id and resolves on Slack's ack, to a typed error, or to
//!   [`RtmError::AckTimeout`]; sends pending when the socket drops fail with
//!   [`RtmError::Disconnected`].
//! - A ping goes out every ping interval; a pong missing after the pong
//!   timeout, a `goodbye`, an `error` frame or a closed socket triggers a
//!   reconnect through a fresh `rtm.connect`, with exponential backoff and
//!   jitter ([`ReconnectPolicy`]). [`Sender::shutdown`] stops it all.
//! - Every websocket write gives up after the
//!   [write timeout](RtmBuilder::write_timeout) (default 10 s): a Slack
//!   that stops reading drops the connection
//!   ([`DisconnectReason::WriteTimeout`]) and a reconnect follows, so
//!   keepalive and [`Sender::shutdown`] are never held up for longer.
//! - The stream holds at most [`event_capacity`](RtmBuilder::event_capacity)
//!   events (default 10,000). RTM has no redelivery, so the connection keeps
//!   reading: when the stream is full the **oldest** queued event is dropped
//!   for each new one, and [`RtmIncoming::Lagged`] says how many went, before
//!   the next event. Lifecycle changes are never dropped.
//! - Every wait (ping interval, timeouts, backoff) goes through one
//!   injectable [`Sleeper`](slack_api::web::retry::Sleeper), the same trait the
//!   Web API client uses, so tests never wait in real time.
//! - Lifecycle changes are logged with `tracing`. The websocket URL carries
//!   a ticket: it is held in a [`Secret`](slack_api::Secret), only its
//!   scheme and host are ever logged, it is not kept in [`RtmEvents::session`],
//!   and the client writes the websocket upgrade request itself, because
//!   tungstenite's own handshake logs the request line (ticket included)
//!   at TRACE through the `log` crate.
//! - [`RtmBuilder::observer`] sees every text frame sent and received (pings
//!   included), e.g. to record a session into a test transcript.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod conn;
mod error;
mod observe;
mod policy;
mod queue;
mod rtm;
pub mod socket_mode;
mod tls;
mod ws;

use std::fmt;
use std::time::Duration;

pub use error::{MalformedFrame, Result, RtmError, ServerError, TransportError};
pub use observe::{Direction, FrameRecord};
pub use policy::ReconnectPolicy;
pub use rtm::{
    DEFAULT_EVENT_CAPACITY, DEFAULT_WRITE_TIMEOUT, Rtm, RtmBuilder, RtmEvents, SendMessage, Sender,
    Session,
};
pub use slack_api::events::{Event, MessageEvent};

/// Connects with `rtm.connect` and the default settings.
///
/// The same as `Rtm::builder().connect(client)`.
pub async fn connect(client: &slack_api::Client) -> Result<(Sender, RtmEvents)> {
    Rtm::builder().connect(client).await
}

/// One item of the [`RtmEvents`] stream.
#[derive(Debug)]
#[non_exhaustive]
pub enum RtmIncoming {
    /// An event from Slack.
    Event(Event),
    /// A change of the connection's state.
    Lifecycle(Lifecycle),
    /// The stream was full ([`RtmBuilder::event_capacity`]): the `dropped`
    /// oldest events were discarded to make room for newer ones. RTM has no
    /// redelivery, so they are gone; fetch history (`conversations.history`)
    /// if they matter.
    Lagged {
        /// How many events were dropped since the last `Lagged`.
        dropped: u64,
    },
}

/// Connection state changes, in the order they happen.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Lifecycle {
    /// The first connection is up (always the first item).
    Connected,
    /// The socket was lost; a reconnect follows unless reconnecting is off.
    Disconnected {
        /// Why.
        reason: DisconnectReason,
    },
    /// About to make reconnect attempt `attempt` (from 1) after `delay`.
    Reconnecting {
        /// Attempt number, from 1.
        attempt: u32,
        /// The backoff waited before the attempt.
        delay: Duration,
    },
    /// A new socket is up and has said `hello`.
    Reconnected,
}

/// Why a connection ended.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum DisconnectReason {
    /// Slack sent `goodbye` (server going away).
    Goodbye,
    /// Slack sent an `error` frame.
    Server(ServerError),
    /// No pong came back within the pong timeout.
    MissedPong,
    /// The socket was closed.
    Closed {
        /// Websocket close code, when there was a close frame.
        code: Option<u16>,
        /// Close reason, when one was given.
        reason: Option<String>,
    },
    /// Reading or writing the socket failed.
    Transport(String),
    /// A write did not complete within the write timeout (the peer stopped
    /// reading, or the network stalled).
    WriteTimeout {
        /// The write timeout that elapsed.
        after: Duration,
    },
    /// Nothing at all (no frame, no pong) arrived for this long: the
    /// connection was presumed dead (Socket Mode's idle timeout).
    Idle {
        /// The idle timeout that elapsed.
        after: Duration,
    },
    /// Slack sent a Socket Mode `disconnect` frame with this reason
    /// (`warning`, `refresh_requested`, `link_disabled`, ...).
    SocketMode(String),
}

impl fmt::Display for DisconnectReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DisconnectReason::Goodbye => f.write_str("Slack said goodbye"),
            DisconnectReason::Server(e) => write!(f, "Slack sent an error: {e}"),
            DisconnectReason::MissedPong => f.write_str("no pong in time"),
            DisconnectReason::Closed { code: Some(c), .. } => write!(f, "socket closed (code {c})"),
            DisconnectReason::Closed { code: None, .. } => f.write_str("socket closed"),
            DisconnectReason::Transport(e) => write!(f, "socket failed: {e}"),
            DisconnectReason::WriteTimeout { after } => {
                write!(f, "a write did not complete within {after:?}")
            }
            DisconnectReason::Idle { after } => write!(f, "nothing received for {after:?}"),
            DisconnectReason::SocketMode(r) => write!(f, "Slack asked to disconnect ({r})"),
        }
    }
}
