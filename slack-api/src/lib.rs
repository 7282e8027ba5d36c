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
//! `.pages()` and `.items()` streams ([`paginate`]).
//!
//! | family | handle | what |
//! |---|---|---|
//! | `chat` | [`Client::chat`] | Post, update, delete, schedule and stream messages. |
//! | `conversations` | [`Client::conversations`] | Channels, DMs and group DMs: create, join, history, threads, members, Slack Connect invites. |
//! | `channels` | [`Client::channels`] | The retired `channels.*` methods older workspaces still speak (each marked deprecated, naming its `conversations.*` replacement). |
//! | `reactions` | [`Client::reactions`] | Add, remove and list emoji reactions. |
//! | `users` | [`Client::users`] | People: info, lists, lookups, profiles, presence, photos. |
//! | `rtm` | [`Client::rtm`] | Open a Real Time Messaging websocket (see the `slack-rtm` crate). |
//! | `oauth` | [`Client::oauth`] | Exchange codes and refresh tokens; see also [`install`]. |
//! | `auth` | [`Client::auth`] | Check a token (`auth.test`). |
//! | `api` | [`Client::api`] | Check the API is reachable (`api.test`). |
//! | `files` | [`Client::files`] | Upload files in one call ([`upload`]). |
//! | `apps` | [`Client::apps`] | Open Socket Mode connections. |
//!
//! Beside the Web API: [`events`] (the typed event enum shared by RTM,
//! Socket Mode and the Events API), [`events_api`] (the Events API request
//! handler), [`signing`], [`webhook`], [`slash`], [`outgoing`], [`mrkdwn`],
//! [`block_kit`] (typed blocks, elements, views and attachments, sent and
//! received), and [`drift`] (opt-in reporting of what the spec lacks).
//! `events` and `events_api` are the `events` feature (on by default): over
//! half of the generated code, which an app that only calls the Web API can
//! leave out.
//!
//! The client ([`Client`]) sends the token in the `Authorization` header only,
//! encodes arguments as Slack expects for each method (query string, form or
//! JSON), retries rate-limited calls and, for methods safe to repeat, server
//! errors ([`retry::RetryPolicy`]), and returns one [`Error`] type. The token
//! never appears in `Debug` output, errors or logs.

#![warn(missing_docs, missing_debug_implementations, unreachable_pub)]

use std::future::Future;
use std::pin::Pin;

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

mod client;
mod datetime;
pub mod de;
pub mod drift;
pub mod error;
pub mod ids;
#[cfg(feature = "oauth")]
pub mod install;
mod kit;
pub mod paginate;
pub mod redact;
pub mod request;
pub mod retry;
pub mod spec;
#[cfg(feature = "files")]
pub mod upload;

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "events")]
pub mod events_api;
pub mod mrkdwn;
pub mod outgoing;
pub mod signing;
pub mod slash;
pub mod webhook;

pub use client::{Client, ClientBuilder, Exchange, RawResponse};
pub use error::{Error, Result};
pub use redact::Secret;

/// A boxed, sendable future; the shape of futures stored in trait objects here.
#[doc(hidden)]
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;
