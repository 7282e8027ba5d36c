//! Messages outside the Web API's builders: their text ([`mrkdwn`]: escaping,
//! mentions, links, parsing) and posting one through an incoming webhook
//! ([`webhook`]). Blocks, attachments and the `MessageContent` every message
//! takes are [`block_kit`](crate::block_kit).

pub mod mrkdwn;
pub mod webhook;
