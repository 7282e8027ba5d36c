//! Slack apps: say what happens when a command runs, a button is clicked or
//! a modal is submitted, and run it over Socket Mode or HTTP.
//!
//! ```no_run
//! use slack_app::{App, HandlerResult, Context, ViewResponse};
//! use slack_api::inbound::slash::SlashCommand;
//! use slack_api::events::{AppMentionEvent, BlockActionsPayload};
//!
//! async fn deploy(cx: Context<SlashCommand>) -> HandlerResult {
//!     cx.ack_with(format!("Deploying {}…", cx.payload.text));
//!     Ok(())
//! }
//!
//! async fn approve(cx: Context<BlockActionsPayload>) -> HandlerResult {
//!     cx.ack();
//!     cx.say("Approved.").await?;
//!     Ok(())
//! }
//!
//! # async fn run() -> Result<(), slack_app::Error> {
//! let bot = slack_api::Client::new(std::env::var("SLACK_BOT_TOKEN").unwrap_or_default());
//! App::new(bot)
//!     .command("/deploy", deploy)
//!     .action("approve", approve)
//!     .event::<AppMentionEvent>(|cx: Context<AppMentionEvent>| async move {
//!         cx.say("You called?").await?;
//!         Ok(())
//!     })
//!     .socket_mode(std::env::var("SLACK_APP_TOKEN").unwrap_or_default())
//!     .run()
//!     .await
//! # }
//! ```
//!
//! **Acks.** Slack wants each delivery acknowledged within 3 seconds. A
//! handler acks with [`Context::ack`] or [`Context::ack_with`] (a command's
//! reply, a [`ViewResponse`], an [`OptionsResponse`]); returning acks for
//! it; and if it does neither by [`App::ack_deadline`] (2.5 s) the app
//! sends an empty ack and logs a warning while the handler runs on. Events
//! are acked on arrival. Handlers run concurrently, up to
//! [`App::max_in_flight`]; a slow one never holds up another's ack.
//!
//! **Failures.** A delivery that does not decode, an unknown kind, a
//! handler that returns an error or panics: each is acked (so Slack does
//! not redeliver it forever), reported to [`App::on_error`] or logged, and
//! the app keeps running.
//!
//! **Transports.** [`App::socket_mode`] opens Socket Mode connections with
//! an app-level token (no public URL); [`App::into_router`] gives an axum
//! router for Slack's Request URLs ([`http::EVENTS_PATH`]). The same
//! listeners serve both.
//!
//! **Testing.** `slack-testkit`'s fake Slack delivers commands, clicks and
//! submissions over Socket Mode or as signed HTTP requests; see this
//! crate's tests.

mod ack;
mod app;
mod context;
mod dispatch;
mod error;
pub mod http;
pub mod install;
mod pattern;
mod request;
mod socket_mode;
mod workflow;

pub use ack::{AckBody, OptionsResponse, ViewResponse};
pub use app::{
    App, DEFAULT_ACK_DEADLINE, DEFAULT_MAX_IN_FLIGHT, DEFAULT_SHUTDOWN_TIMEOUT, Handler,
};
pub use context::Context;
pub use error::{Error, Failure, FailureCause, HandlerError, HandlerResult, InputError};
pub use pattern::Pattern;
pub use request::{DecodeFailure, OptionsChannel, OptionsRequest, Request};
pub use socket_mode::SocketModeApp;
pub use workflow::{AssistantThreadDelivery, ReplyStream};

// The README's examples compile as doctests of this crate, which sees every
// crate they use.
#[doc = include_str!("../../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
