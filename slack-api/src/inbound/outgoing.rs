//! Outgoing webhooks (legacy): the payload Slack POSTs when a message
//! matches a trigger word, and the reply.
//!
//! These requests are not signed; check [`OutgoingWebhook::token_matches`]
//! against the token from the integration's settings.
//!
//! ```
//! use slack_api::inbound::outgoing::{OutgoingReply, OutgoingWebhook};
//!
//! let hook = OutgoingWebhook::from_form(b"token=t0k&team_id=T1&channel_id=C1&user_id=U1\
//!     &timestamp=1700000000.000100&text=deploy+api&trigger_word=deploy").unwrap();
//! assert!(hook.token_matches("t0k"));
//! let reply = OutgoingReply::new(format!("deploying{}", hook.text_after_trigger()));
//! assert_eq!(reply.to_json(), br#"{"text":"deploying api"}"#);
//! ```

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::ids::{ChannelId, TeamId, Ts, UserId};
use crate::inbound::slash::{Form, FormError, encode_form};
use crate::redact::redacted;

/// The payload of an outgoing webhook. `Debug` redacts the token.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct OutgoingWebhook {
    /// The integration's token; compare with [`token_matches`](Self::token_matches).
    pub token: String,
    /// Workspace of the message.
    pub team_id: TeamId,
    /// That workspace's subdomain.
    pub team_domain: String,
    /// The integration's service ID.
    pub service_id: Option<String>,
    /// Channel of the message.
    pub channel_id: ChannelId,
    /// That channel's name.
    pub channel_name: String,
    /// The message's timestamp.
    pub timestamp: Ts,
    /// Author of the message.
    pub user_id: UserId,
    /// That author's (legacy) name.
    pub user_name: String,
    /// The whole message text, still escaped as Slack sends it.
    pub text: String,
    /// The trigger word that matched (the start of `text`).
    pub trigger_word: String,
    /// Form fields this version does not know, kept as sent.
    pub extra: BTreeMap<String, String>,
}

impl fmt::Debug for OutgoingWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OutgoingWebhook")
            .field("token", &redacted(&self.token))
            .field("team_id", &self.team_id)
            .field("team_domain", &self.team_domain)
            .field("service_id", &self.service_id)
            .field("channel_id", &self.channel_id)
            .field("channel_name", &self.channel_name)
            .field("timestamp", &self.timestamp)
            .field("user_id", &self.user_id)
            .field("user_name", &self.user_name)
            .field("text", &self.text)
            .field("trigger_word", &self.trigger_word)
            .field("extra", &self.extra)
            .finish()
    }
}

impl OutgoingWebhook {
    /// Parses the urlencoded body Slack POSTs. Unknown fields go to
    /// [`extra`](Self::extra); `channel_id` and `user_id` are required.
    pub fn from_form(body: &[u8]) -> Result<Self, FormError> {
        let mut f = Form::parse(body);
        Ok(Self {
            channel_id: f.require("channel_id")?.into(),
            user_id: f.require("user_id")?.into(),
            token: f.take("token"),
            team_id: f.take("team_id").into(),
            team_domain: f.take("team_domain"),
            service_id: f.take_opt("service_id"),
            channel_name: f.take("channel_name"),
            timestamp: f.take("timestamp").into(),
            user_name: f.take("user_name"),
            text: f.take("text"),
            trigger_word: f.take("trigger_word"),
            extra: f.into_rest(),
        })
    }

    /// Encodes the payload as the urlencoded body Slack would send.
    pub fn to_form(&self) -> String {
        let mut pairs = vec![
            ("token", self.token.as_str()),
            ("team_id", self.team_id.as_str()),
            ("team_domain", &self.team_domain),
            ("channel_id", self.channel_id.as_str()),
            ("channel_name", &self.channel_name),
            ("timestamp", self.timestamp.as_str()),
            ("user_id", self.user_id.as_str()),
            ("user_name", &self.user_name),
            ("text", &self.text),
            ("trigger_word", &self.trigger_word),
        ];
        if let Some(id) = &self.service_id {
            pairs.push(("service_id", id));
        }
        pairs.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        encode_form(pairs)
    }

    /// Compares the payload's token with `expected` in constant time
    /// (for equal lengths). An empty token never matches.
    pub fn token_matches(&self, expected: &str) -> bool {
        let (a, b) = (self.token.as_bytes(), expected.as_bytes());
        if a.is_empty() || a.len() != b.len() {
            return false;
        }
        a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
    }

    /// The text after the trigger word (`text` as is when it does not start with it).
    pub fn text_after_trigger(&self) -> &str {
        self.text
            .strip_prefix(self.trigger_word.as_str())
            .unwrap_or(&self.text)
    }
}

/// The reply to an outgoing webhook: Slack posts `text` to the channel.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[must_use]
pub struct OutgoingReply {
    /// The message to post (mrkdwn).
    pub text: String,
}

impl OutgoingReply {
    /// A reply posting `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Self { text: text.into() }
    }

    /// The reply as JSON bytes, for the HTTP answer body.
    pub fn to_json(&self) -> Vec<u8> {
        // A single string field: serialization cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}
