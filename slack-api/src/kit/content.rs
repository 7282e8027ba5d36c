//! What a message says, built once and sent anywhere a message goes:
//! `chat.postMessage` / `postEphemeral` / `update` / `scheduleMessage`
//! ([`content`](crate::chat::PostMessageRequest::content)), an incoming
//! webhook ([`WebhookMessage::new`](crate::message::webhook::WebhookMessage::new)),
//! a slash command or `response_url` reply
//! ([`SlashResponse`](crate::inbound::slash::SlashResponse)).

use serde::Serialize;

use super::{Check, LimitError, Path};
use crate::block_kit::{Attachment, Block};

/// A message's text, blocks and legacy attachments.
///
/// With blocks, `text` is the fallback shown in notifications. Text is
/// Slack's mrkdwn: build it from what people typed with
/// [`escaped_text`](Self::escaped_text) (or [`Mrkdwn::escaped`](crate::block_kit::Mrkdwn::escaped)
/// in a block), so their input cannot mention `@channel` or forge a link.
///
/// ```
/// use slack_api::block_kit::{Block, Button, MessageContent, Mrkdwn};
///
/// let deploy = MessageContent::new()
///     .escaped_text("Deploy <api> to prod?")
///     .block(Block::section(Mrkdwn::new("Deploy *api* to prod?")))
///     .block(Block::actions([Button::new("approve", "Approve").primary()]));
/// assert_eq!(deploy.text.as_deref(), Some("Deploy &lt;api&gt; to prod?"));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[must_use]
#[non_exhaustive]
pub struct MessageContent {
    /// The text, in mrkdwn.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The blocks.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocks: Vec<Block>,
    /// Legacy attachments.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl MessageContent {
    /// An empty message; set at least text, a block or an attachment.
    pub fn new() -> Self {
        Self::default()
    }

    /// The text, in mrkdwn (with blocks, the notification fallback).
    pub fn text(mut self, text: impl Into<String>) -> Self {
        self.text = Some(text.into());
        self
    }

    /// The text shown as typed: `&`, `<` and `>` escaped
    /// ([`mrkdwn::escape`](crate::message::mrkdwn::escape)), for text from user input.
    pub fn escaped_text(self, text: &str) -> Self {
        self.text(crate::message::mrkdwn::escape(text))
    }

    /// Replaces the blocks.
    pub fn blocks(mut self, blocks: impl IntoIterator<Item = impl Into<Block>>) -> Self {
        self.blocks = blocks.into_iter().map(Into::into).collect();
        self
    }

    /// Appends one block.
    pub fn block(mut self, block: impl Into<Block>) -> Self {
        self.blocks.push(block.into());
        self
    }

    /// Replaces the legacy attachments.
    pub fn attachments(mut self, attachments: impl IntoIterator<Item = Attachment>) -> Self {
        self.attachments = attachments.into_iter().collect();
        self
    }

    /// Appends one legacy attachment.
    pub fn attachment(mut self, attachment: Attachment) -> Self {
        self.attachments.push(attachment);
        self
    }

    /// Whether there is nothing to show (Slack refuses such a message).
    pub fn is_empty(&self) -> bool {
        self.text.as_deref().is_none_or(str::is_empty)
            && self.blocks.is_empty()
            && self.attachments.is_empty()
    }
}

impl MessageContent {
    /// Slack's limits the blocks and attachments go over, each named by
    /// its path (`blocks[1].text`); empty when all is well.
    pub fn limit_errors(&self) -> Vec<LimitError> {
        let mut out = self.blocks.limit_errors("blocks");
        self.attachments.check(&Path::root("attachments"), &mut out);
        out
    }
}

impl From<&str> for MessageContent {
    fn from(text: &str) -> Self {
        Self::new().text(text)
    }
}

impl From<String> for MessageContent {
    fn from(text: String) -> Self {
        Self::new().text(text)
    }
}

impl From<Vec<Block>> for MessageContent {
    fn from(blocks: Vec<Block>) -> Self {
        Self::new().blocks(blocks)
    }
}

/// `.content(..)` on the chat builders: the message's text, blocks and
/// attachments set from one [`MessageContent`], replacing any set before.
#[cfg(feature = "chat")]
macro_rules! content_setter {
    ($($request:ident),*) => {$(
        impl crate::chat::$request {
            /// Sets text, blocks and attachments from `content` (what is
            /// empty in it is left unset).
            pub fn content(self, content: impl Into<MessageContent>) -> Self {
                let MessageContent {
                    text,
                    blocks,
                    attachments,
                } = content.into();
                let mut req = self;
                if let Some(text) = text {
                    req = req.text(text);
                }
                if !blocks.is_empty() {
                    req = req.blocks(blocks);
                }
                if !attachments.is_empty() {
                    req = req.attachments(attachments);
                }
                req
            }
        }
    )*};
}

#[cfg(feature = "chat")]
content_setter!(
    PostMessageRequest,
    PostEphemeralRequest,
    UpdateRequest,
    ScheduleMessageRequest
);
