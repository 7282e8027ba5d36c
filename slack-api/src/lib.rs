//! A typed client for Slack's Web API, generated from a spec.
//!
//! ```no_run
//! # async fn run() -> slack_api::Result<()> {
//! let client = slack_api::Client::from_env()?; // SLACK_BOT_TOKEN, then SLACK_API_TOKEN
//! let raw: serde_json::Value = client
//!     .call("chat.postMessage", &serde_json::json!({"channel": "C123", "text": "Hello"}))
//!     .await?;
//! # let _ = raw; Ok(()) }
//! ```
//!
//! Every Web API method in the spec has a builder on its family's handle
//! (`client.chat().post_message(..)`), with required arguments positional and
//! optional ones as setters; `.await` sends it. Each family is a module and a
//! Cargo feature of the same name. Cursor-paginated methods also have
//! `.pages()` and `.items()` streams ([`web::paginate`]).
//!
//! | family | handle | what |
//! |---|---|---|
//! | `chat` | [`Client::chat`] | Post, update, delete, schedule and stream messages. |
//! | `conversations` | [`Client::conversations`] | Channels, DMs and group DMs: create, join, history, threads, members, Slack Connect invites. |
//! | `channels` | [`Client::channels`] | The retired `channels.*` methods older workspaces still speak (each marked deprecated, naming its `conversations.*` replacement). |
//! | `reactions` | [`Client::reactions`] | Add, remove and list emoji reactions. |
//! | `users` | [`Client::users`] | People: info, lists, lookups, profiles, presence, photos. |
//! | `rtm` | [`Client::rtm`] | Open a Real Time Messaging websocket (see the `slack-rtm` crate). |
//! | `oauth` | [`Client::oauth`] | Exchange codes and refresh tokens; see also [`web::install`]. |
//! | `auth` | [`Client::auth`] | Check a token (`auth.test`). |
//! | `api` | [`Client::api`] | Check the API is reachable (`api.test`). |
//! | `files` | [`Client::files`] | Upload files in one call ([`web::upload`]). |
//! | `apps` | [`Client::apps`] | Open Socket Mode connections. |
//!
//! The hand-written modules are grouped by direction:
//!
//! - [`web`]: the Web API client's runtime: the argument list a builder
//!   produces ([`web::request`]), retries and the injectable sleep
//!   ([`web::retry`]), pagination streams ([`web::paginate`]), one-call file
//!   uploads ([`web::upload`]) and the OAuth install link ([`web::install`]).
//! - [`inbound`]: what Slack sends to an app: request signatures
//!   ([`inbound::signing`]), the Events API ([`inbound::events_api`]), slash
//!   commands and their answers ([`inbound::slash`]), outgoing webhooks
//!   ([`inbound::outgoing`]) and axum extractors (`inbound::axum`, feature `axum`).
//! - [`message`]: message text ([`message::mrkdwn`]) and posting through an
//!   incoming webhook ([`message::webhook`]); the blocks themselves are
//!   [`block_kit`] (typed blocks, elements, views and attachments, sent and
//!   received, and the `MessageContent` every message takes).
//!
//! Beside them: [`events`] (the typed event enum shared by RTM, Socket Mode
//! and the Events API), [`ids`], [`spec`] (the method table), [`error`],
//! [`redact`] ([`Secret`]) and [`drift`] (opt-in reporting of what the spec
//! lacks). `events` and `inbound::events_api` are the `events` feature (on
//! by default): over half of the generated code, which an app that only
//! calls the Web API can leave out.
//!
//! The client ([`Client`]) sends the token in the `Authorization` header only,
//! encodes arguments as Slack expects for each method (query string, form or
//! JSON), retries rate-limited calls and, for methods safe to repeat, server
//! errors ([`web::retry::RetryPolicy`]), and returns one [`Error`] type. The token
//! never appears in `Debug` output, errors or logs.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

// `spec_table` and `error_code` are crate-private modules with `pub` items
// (re-exported through `spec` and `error`), hence `unreachable_pub`.
// Block Kit's `Serialize` asks "is this key's field set?" with one generated
// `match` per object, some of whose arms are all `true`.
#[rustfmt::skip]
#[allow(unreachable_pub, clippy::match_like_matches_macro)]
mod generated;
pub use generated::*;

// The generator's cases, compiled beside the real output.
#[cfg(test)]
#[rustfmt::skip]
#[allow(
    dead_code,
    unexpected_cfgs,
    unreachable_pub,
    unused_imports,
    clippy::match_like_matches_macro
)]
mod codegen_cases;

mod datetime;
pub mod de;
pub mod drift;
pub mod error;
pub mod ids;
mod kit;
pub mod redact;
pub mod spec;

pub mod inbound;
pub mod message;
pub mod web;

pub use error::{Error, Result};
pub use redact::Secret;
pub use web::client::{Client, ClientBuilder, Exchange, RawResponse};
