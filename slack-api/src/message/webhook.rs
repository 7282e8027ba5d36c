//! Incoming webhooks: posting messages to one channel through a secret URL.
//!
//! ```no_run
//! # async fn run() -> Result<(), slack_api::message::webhook::WebhookError> {
//! use slack_api::message::webhook::{IncomingWebhook, WebhookMessage};
//!
//! let hook = IncomingWebhook::new("https://hooks.slack.com/services/T000/B000/hook-secret");
//! hook.send(&WebhookMessage::new("Build *green* :tada:")).await?;
//! # Ok(())
//! # }
//! ```

use std::fmt;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Serialize;

use crate::block_kit::{LimitError, MessageContent};
use crate::ids::Ts;
use crate::redact::redact_url;

/// An incoming webhook URL and the HTTP client that posts to it.
///
/// The URL's last path segment is a secret: `Debug` shows it as `***`.
#[derive(Clone)]
pub struct IncomingWebhook {
    url: String,
    http: Option<reqwest::Client>,
}

impl fmt::Debug for IncomingWebhook {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IncomingWebhook")
            .field("url", &redact_url(&self.url))
            .finish_non_exhaustive()
    }
}

impl IncomingWebhook {
    /// A webhook for `url` (`https://hooks.slack.com/services/...`), posting
    /// with a shared default HTTP client.
    pub fn new(url: impl Into<String>) -> Self {
        Self {
            url: url.into(),
            http: None,
        }
    }

    /// Posts with `client` instead of the shared default (proxies, timeouts, ...).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Posts `message`. Slack answers `ok` or a plain-text error code,
    /// which becomes [`WebhookError::Rejected`].
    pub async fn send(&self, message: &WebhookMessage) -> Result<(), WebhookError> {
        if !message.unchecked
            && let Some(problem) = message.content.limit_errors().into_iter().next()
        {
            return Err(WebhookError::OverLimit(problem));
        }
        let body = serde_json::to_vec(message).map_err(|e| WebhookError::Transport(Box::new(e)))?;
        let resp = post_json(self.http.as_ref(), &self.url, body)
            .await
            .map_err(|e| match e {
                PostError::InvalidUrl => WebhookError::InvalidUrl,
                PostError::Transport(e) => WebhookError::Transport(e),
            })?;
        if resp.is_success() {
            return Ok(());
        }
        if resp.status == 429 {
            return Err(WebhookError::RateLimited {
                retry_after: resp.retry_after,
            });
        }
        match resp.error_code() {
            Some(code) => Err(WebhookError::Rejected {
                status: resp.status,
                code: WebhookErrorCode::from(code),
            }),
            None => Err(WebhookError::HttpStatus {
                status: resp.status,
                body: resp.excerpt(),
            }),
        }
    }
}

/// A message for an incoming webhook: its [`MessageContent`] (text,
/// blocks, attachments), and how the webhook posts it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[must_use]
pub struct WebhookMessage {
    #[serde(flatten)]
    content: MessageContent,
    #[serde(skip_serializing_if = "Option::is_none")]
    username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon_emoji: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    icon_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    channel: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    thread_ts: Option<Ts>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mrkdwn: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unfurl_links: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unfurl_media: Option<bool>,
    #[serde(skip)]
    unchecked: bool,
}

impl WebhookMessage {
    /// A message saying `content` (text, or a [`MessageContent`] with blocks).
    pub fn new(content: impl Into<MessageContent>) -> Self {
        Self {
            content: content.into(),
            ..Self::default()
        }
    }

    /// What the message says.
    pub fn content(&self) -> &MessageContent {
        &self.content
    }

    /// Overrides the poster's name (only for legacy webhooks; app webhooks ignore it).
    pub fn username(mut self, username: impl Into<String>) -> Self {
        self.username = Some(username.into());
        self
    }

    /// Overrides the poster's icon with an emoji code such as `:rocket:`.
    pub fn icon_emoji(mut self, emoji: impl Into<String>) -> Self {
        self.icon_emoji = Some(emoji.into());
        self
    }

    /// Overrides the poster's icon with an image URL.
    pub fn icon_url(mut self, url: impl Into<String>) -> Self {
        self.icon_url = Some(url.into());
        self
    }

    /// Overrides the channel (only for legacy webhooks).
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// Posts as a reply in the thread of `ts`.
    pub fn thread_ts(mut self, ts: impl Into<Ts>) -> Self {
        self.thread_ts = Some(ts.into());
        self
    }

    /// Whether `text` is read as mrkdwn (Slack's default) or literally.
    pub fn mrkdwn(mut self, mrkdwn: bool) -> Self {
        self.mrkdwn = Some(mrkdwn);
        self
    }

    /// Whether Slack previews text-based links.
    pub fn unfurl_links(mut self, unfurl: bool) -> Self {
        self.unfurl_links = Some(unfurl);
        self
    }

    /// Whether Slack previews media links.
    pub fn unfurl_media(mut self, unfurl: bool) -> Self {
        self.unfurl_media = Some(unfurl);
        self
    }

    /// Sends the blocks as they are, without checking Slack's limits first.
    pub fn skip_limit_checks(mut self) -> Self {
        self.unchecked = true;
        self
    }
}

impl From<MessageContent> for WebhookMessage {
    fn from(content: MessageContent) -> Self {
        Self::new(content)
    }
}

impl From<&str> for WebhookMessage {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for WebhookMessage {
    fn from(text: String) -> Self {
        Self::new(text)
    }
}

/// Why a webhook post failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WebhookError {
    /// A block goes over one of Slack's limits (named by its path); nothing
    /// was sent. [`WebhookMessage::skip_limit_checks`] sends it anyway.
    #[error("webhook message not sent: {0}")]
    OverLimit(LimitError),
    /// Slack refused the message with a plain-text error code.
    #[error("webhook rejected: {code} (HTTP {status})")]
    Rejected {
        /// HTTP status of the answer.
        status: u16,
        /// The error code Slack sent.
        code: WebhookErrorCode,
    },
    /// HTTP 429: too many posts.
    #[error("webhook rate limited")]
    RateLimited {
        /// How long Slack asked to wait, from `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// An error status without an error code in the body (a proxy page, ...).
    #[error("webhook answered HTTP {status}")]
    HttpStatus {
        /// HTTP status of the answer.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The webhook URL is not a valid URL.
    #[error("invalid webhook URL")]
    InvalidUrl,
    /// The request could not be sent or the answer not read.
    #[error("webhook transport error")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
}

macro_rules! webhook_codes {
    ($($variant:ident = $code:literal: $doc:literal,)*) => {
        /// A plain-text error code an incoming webhook answers with.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum WebhookErrorCode {
            $(#[doc = $doc] $variant,)*
            /// A code this version does not know, as sent.
            Unknown(String),
        }

        impl WebhookErrorCode {
            /// The code as Slack spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(Self::$variant => $code,)*
                    Self::Unknown(s) => s,
                }
            }
        }

        impl From<&str> for WebhookErrorCode {
            fn from(s: &str) -> Self {
                match s {
                    $($code => Self::$variant,)*
                    other => Self::Unknown(other.to_owned()),
                }
            }
        }
    };
}

webhook_codes! {
    InvalidPayload = "invalid_payload": "The body is not valid JSON or lacks required fields.",
    UserNotFound = "user_not_found": "The target user does not exist.",
    ChannelNotFound = "channel_not_found": "The channel does not exist or the webhook cannot see it.",
    ChannelIsArchived = "channel_is_archived": "The channel is archived.",
    ActionProhibited = "action_prohibited": "An admin restricted posting to the channel.",
    PostingToGeneralChannelDenied = "posting_to_general_channel_denied": "Only admins may post to the workspace's general channel.",
    NoText = "no_text": "The message has neither text nor blocks nor attachments.",
    TooManyAttachments = "too_many_attachments": "The message has more than 100 attachments.",
    NoService = "no_service": "The webhook was disabled, removed or is invalid.",
    NoServiceId = "no_service_id": "The URL lacks a valid service ID.",
    NoTeam = "no_team": "The URL lacks a valid workspace ID.",
    TeamDisabled = "team_disabled": "The workspace is disabled.",
    InvalidToken = "invalid_token": "The URL's token is invalid.",
}

impl fmt::Display for WebhookErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

pub(crate) enum PostError {
    InvalidUrl,
    /// Transport failure; the URL is stripped so its secret never reaches a message.
    Transport(Box<dyn std::error::Error + Send + Sync>),
}

impl PostError {
    /// True when the request certainly never reached the server.
    pub(crate) fn not_sent(&self) -> bool {
        match self {
            PostError::InvalidUrl => true,
            PostError::Transport(e) => e
                .downcast_ref::<reqwest::Error>()
                .is_some_and(|e| e.is_connect() || e.is_builder()),
        }
    }
}

/// The parts of an HTTP answer the webhook-style endpoints need.
pub(crate) struct RawResponse {
    pub(crate) status: u16,
    pub(crate) body: String,
    pub(crate) retry_after: Option<Duration>,
}

impl RawResponse {
    pub(crate) fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The body as an error code when it looks like one (`snake_case` text).
    pub(crate) fn error_code(&self) -> Option<&str> {
        let body = self.body.trim();
        if !body.is_empty()
            && body
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        {
            return Some(body);
        }
        None
    }

    pub(crate) fn excerpt(&self) -> String {
        self.body.chars().take(200).collect()
    }
}

fn default_client() -> Result<reqwest::Client, PostError> {
    static CLIENT: OnceLock<reqwest::Client> = OnceLock::new();
    if let Some(c) = CLIENT.get() {
        return Ok(c.clone());
    }
    let built = reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| PostError::Transport(Box::new(e)))?;
    Ok(CLIENT.get_or_init(|| built).clone())
}

/// POSTs a JSON body and reads the whole answer.
pub(crate) async fn post_json(
    http: Option<&reqwest::Client>,
    url: &str,
    body: Vec<u8>,
) -> Result<RawResponse, PostError> {
    let url = url::Url::parse(url).map_err(|_| PostError::InvalidUrl)?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(PostError::InvalidUrl);
    }
    let http = match http {
        Some(c) => c.clone(),
        None => default_client()?,
    };
    let transport = |e: reqwest::Error| PostError::Transport(Box::new(e.without_url()));
    let resp = http
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(body)
        .send()
        .await
        .map_err(transport)?;
    let status = resp.status().as_u16();
    let retry_after = resp
        .headers()
        .get(reqwest::header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok())
        .map(Duration::from_secs);
    let bytes = resp.bytes().await.map_err(transport)?;
    Ok(RawResponse {
        status,
        body: String::from_utf8_lossy(&bytes).into_owned(),
        retry_after,
    })
}
