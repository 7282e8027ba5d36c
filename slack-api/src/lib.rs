//! Slack Web API client.

#[cfg(feature = "axum")]
pub mod axum;
pub mod blocks;
pub mod mrkdwn;
pub mod outgoing;
pub mod signing;
pub mod slash;
pub mod webhook;
