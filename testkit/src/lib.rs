//! A fake Slack for offline tests: the Web API over HTTP and the RTM
//! websocket, on loopback ports of its own.
//!
//! [`FakeSlack`] answers `/api/{method}` from replay [fixtures]
//! first, then from a small simulated workspace (team `T0001`, users
//! `U_ALICE`, `U_BOB`, ..., the bot `U_BOT`/`B_BOT`, channels `C_GENERAL`,
//! `C_RANDOM`, `C_DEV`, ...), validating each request against the spec the
//! way Slack does. It records every call and websocket frame in a journal you
//! can wait on and assert against, injects faults on demand, and can record
//! real traffic into fixtures ([`record`]).
//!
//! ```no_run
//! # async fn run_my_bot(_: slack_api::Client) {}
//! # async fn example() {
//! let slack = slack_testkit::FakeSlack::start().await;
//! let client = slack.client("xoxb-test");
//! run_my_bot(client.clone()).await;
//! let ts = slack.post_as_user("U_ALICE", "C_GENERAL", "deploy please").await;
//! let reply = slack.wait_for_call("chat.postMessage").await;
//! assert_eq!(reply.arg("thread_ts"), Some(ts.as_str()));
//! slack.expect("chat.postMessage").times(1);
//! slack.verify().await;
//! # }
//! ```
//!
//! # What reaches your bot
//!
//! Changes to the workspace become events: a message posted with
//! [`FakeSlack::post_as_user`] (or by any client through `chat.postMessage`),
//! a reaction, a channel created or renamed, or an event you hand to
//! [`FakeSlack::push_event`]. Each goes where Slack would send it:
//!
//! - Messages, `app_mention`, reactions, pins, members joining or leaving,
//!   `user_typing` and `im_created` go only to clients whose user is a
//!   member of the conversation, DMs included. The bot (`U_BOT`) is a member
//!   of `C_GENERAL`, `C_RANDOM`, `C_DEV` and `C_ARCHIVED`, and of its DMs.
//!   Everything else (users, channels created, emoji, presence, ...) goes to
//!   every client of the team.
//! - Over **Socket Mode** (an `xapp-` token, `slack_rtm::socket_mode`), each
//!   event arrives as an `events_api` envelope whose payload is an
//!   `event_callback` (with `team_id`, `api_app_id` [`APP_ID`], a fresh
//!   `event_id`, `authorizations`), acting as the bot, and only for the
//!   `bot_events` of the app's [`Manifest`] (all without one). An envelope
//!   not acked within the redelivery delay is sent again with
//!   `retry_attempt`, as Slack does. Slash commands arrive as
//!   `slash_commands` envelopes ([`FakeSlack::socket_mode_slash_command`]).
//!   With a manifest that turns Socket Mode off, the same payloads are
//!   POSTed to its request URL instead ([`FakeSlackBuilder::app`]).
//! - Over **RTM** (`rtm.connect` with a classic token), each event is one
//!   frame, after `hello`, for the user the token acts as (`xoxb-` tokens act
//!   as the bot).
//!
//! Over Socket Mode:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use slack_rtm::socket_mode::SocketMode;
//! let slack = slack_testkit::FakeSlack::start().await;
//! let mut app = SocketMode::builder()
//!     .connect(&slack.client("xapp-1-test"))
//!     .await
//!     .unwrap();
//! slack.post_as_user("U_ALICE", "C_GENERAL", "deploy please").await;
//! let envelope = loop {
//!     if let Some(Ok(slack_rtm::socket_mode::SocketModeIncoming::Envelope(e))) = app.next().await {
//!         break e;
//!     }
//! };
//! let event = envelope.event().expect("an events_api envelope");
//! assert!(matches!(event, slack_rtm::Event::Message(_)));
//! app.shutdown().await;
//! # }
//! ```
//!
//! Over RTM:
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use slack_rtm::{Event, MessageEvent, RtmIncoming};
//! let slack = slack_testkit::FakeSlack::start().await;
//! let (sender, mut events) = slack_rtm::connect(&slack.client("xoxb-test")).await.unwrap();
//! slack.post_as_user("U_ALICE", "C_GENERAL", "deploy please").await;
//! let text = loop {
//!     if let Some(Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m))))) = events.next().await {
//!         break m.text;
//!     }
//! };
//! assert_eq!(text.as_deref(), Some("deploy please"));
//! sender.shutdown().await;
//! # }
//! ```
//!
//! Nothing is global: two fakes in one test never see each other, and
//! dropping one frees its ports. The standalone binary `fake-slack` serves the
//! same fake to bots in other languages, with an admin API under `/_testkit/`.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod app;
mod clock;
pub mod drift;
mod faults;
pub mod fixtures;
mod http;
mod journal;
pub mod manifest;
mod methods;
mod oauth;
pub mod record;
mod request;
mod routing;
mod rtm;
mod secrets;
mod server;
mod simulator;
mod slash;
mod socket_mode;
mod validate;
mod views;
mod webhooks;
mod ws;

pub use faults::{Fault, FaultId, InvalidFault, RtmFault, RtmScope, SocketModeFault};
pub use fixtures::{Fixture, FixtureResponse, Matcher, Step, Transcript};
pub use journal::{Call, Frame};
pub use manifest::Manifest;
pub use oauth::{OAUTH_AUTHORIZE, OauthApp};
pub use request::CredentialKind;
pub use server::drivers::{Delivery, Target};
pub use server::slash::SlashRun;
pub use server::{
    DEFAULT_WAIT, Expectation, FakeClock, FakeSlack, FakeSlackBuilder, FaultSetup, StartError,
};
pub use simulator::files::UPLOAD_METHOD;
pub use simulator::{APP_ID, BOT_ID, BOT_USER, DEFAULT_USER, TEAM_ID, TEAM_NAME};
pub use slash::{
    RESPONSE_URL, ResponseUrlPost, SLASH_COMMAND, SLASH_TIMEOUT, SlashInvocation, SlashInvokeError,
};
pub use socket_mode::EVENTS_API_POST;
pub use webhooks::INCOMING_WEBHOOK;
