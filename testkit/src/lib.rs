//! A fake Slack for offline tests: the Web API over HTTP and the RTM
//! websocket, on loopback ports of its own.
//!
//! [`FakeSlack`] answers `/api/{method}` from replay [fixtures](fixtures)
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
//! Nothing is global: two fakes in one test never see each other, and
//! dropping one frees its ports. The standalone binary `fake-slack` serves the
//! same fake to bots in other languages, with an admin API under `/_testkit/`.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

mod admin;
pub mod drift;
mod faults;
pub mod fixtures;
mod journal;
mod oauth;
pub mod record;
mod request;
mod rtm;
mod secrets;
mod server;
mod simulator;
mod slash;
mod socket_mode;
mod validate;
mod webhooks;

pub use faults::{Fault, InvalidFault, RtmFault, SocketModeFault};
pub use fixtures::{Fixture, FixtureResponse, Matcher, Step, Transcript};
pub use journal::{Call, Frame};
pub use oauth::{OAUTH_AUTHORIZE, OauthApp};
pub use request::TokenKind;
pub use server::{DEFAULT_WAIT, Expectation, FakeSlack, FakeSlackBuilder, FaultSetup, StartError};
pub use simulator::files::UPLOAD_METHOD;
pub use simulator::{BOT_ID, BOT_USER, DEFAULT_USER, TEAM_ID, TEAM_NAME};
pub use slash::{
    RESPONSE_URL, ResponseUrlPost, SLASH_COMMAND, SLASH_TIMEOUT, SlashInvocation, SlashInvokeError,
    SlashRun,
};
pub use socket_mode::{APP_ID, EVENTS_API_POST};
pub use webhooks::INCOMING_WEBHOOK;
