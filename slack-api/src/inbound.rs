//! What Slack sends to an app, and the answers it expects: signed HTTP
//! requests ([`signing`]), Events API deliveries ([`events_api`], feature
//! `events`), slash commands ([`slash`]), outgoing webhooks ([`outgoing`]),
//! and axum extractors for all of them (`axum`, feature `axum`).

#[cfg(feature = "axum")]
pub mod axum;
#[cfg(feature = "events")]
pub mod events_api;
pub mod outgoing;
pub mod signing;
pub mod slash;
