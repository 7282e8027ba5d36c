//! Slash commands: the payload Slack POSTs, the answer, and delayed
//! responses through `response_url`.
//!
//! Slack sends a signed `application/x-www-form-urlencoded` POST when a
//! user runs a command. Verify it with [`crate::inbound::signing::Verifier`], parse it
//! with [`SlashCommand::from_form`], and answer within three seconds with a
//! [`SlashResponse`]. Later answers go to the command's
//! [`ResponseUrl`], which Slack accepts at most five times within 30 minutes.
//!
//! ```
//! use slack_api::inbound::slash::{SlashCommand, SlashResponse};
//!
//! let body = b"command=%2Fdeploy&text=api+prod&team_id=T1&channel_id=C1&user_id=U1\
//!              &response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1%2F1%2Fabc";
//! let cmd = SlashCommand::from_form(body).unwrap();
//! assert_eq!(cmd.text, "api prod");
//! let reply = SlashResponse::ephemeral(format!("Deploying {}", cmd.text));
//! assert_eq!(serde_json::to_value(&reply).unwrap()["response_type"], "ephemeral");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use serde::Serialize;

use crate::block_kit::{LimitError, MessageContent};
use crate::ids::{AppId, ChannelId, EnterpriseId, TeamId, UserId};
use crate::inbound::signing::Clock;
use crate::message::webhook::{PostError, post_json};
use crate::redact::{redact_url, redacted};

/// Why a form body could not be read as a payload.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum FormError {
    /// A field the payload always carries is absent or empty.
    #[error("missing form field `{0}`")]
    MissingField(&'static str),
}

/// A decoded form body: field name to value (the last value wins).
pub(crate) struct Form(BTreeMap<String, String>);

impl Form {
    pub(crate) fn parse(body: &[u8]) -> Self {
        Self(url::form_urlencoded::parse(body).into_owned().collect())
    }

    pub(crate) fn take(&mut self, name: &str) -> String {
        self.0.remove(name).unwrap_or_default()
    }

    pub(crate) fn take_opt(&mut self, name: &str) -> Option<String> {
        self.0.remove(name).filter(|v| !v.is_empty())
    }

    pub(crate) fn require(&mut self, name: &'static str) -> Result<String, FormError> {
        self.take_opt(name).ok_or(FormError::MissingField(name))
    }

    pub(crate) fn into_rest(self) -> BTreeMap<String, String> {
        self.0
    }
}

pub(crate) fn encode_form<'a>(pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut ser = url::form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        ser.append_pair(k, v);
    }
    ser.finish()
}

/// The payload of a slash command invocation.
///
/// `Debug` redacts the verification token and the response URL.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct SlashCommand {
    /// The legacy verification token; prefer signature verification.
    pub token: String,
    /// The command as typed, with its slash: `/deploy`.
    pub command: String,
    /// Everything after the command, as typed (may be empty).
    pub text: String,
    /// Workspace the command ran in.
    pub team_id: TeamId,
    /// That workspace's subdomain.
    pub team_domain: String,
    /// Enterprise Grid organization, when there is one.
    pub enterprise_id: Option<EnterpriseId>,
    /// Name of that organization.
    pub enterprise_name: Option<String>,
    /// Conversation the command ran in.
    pub channel_id: ChannelId,
    /// That conversation's name (`directmessage` for DMs, `privategroup` for some private channels).
    pub channel_name: String,
    /// User who ran the command.
    pub user_id: UserId,
    /// That user's (legacy) name.
    pub user_name: String,
    /// URL for up to five delayed responses within 30 minutes; see [`SlashCommand::response_url`].
    pub response_url: String,
    /// Short-lived ID for opening a modal in answer to this command.
    pub trigger_id: String,
    /// The app the command belongs to.
    pub api_app_id: Option<AppId>,
    /// Whether the app is installed org-wide.
    pub is_enterprise_install: bool,
    /// Form fields this version does not know, kept as sent.
    pub extra: BTreeMap<String, String>,
}

impl fmt::Debug for SlashCommand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlashCommand")
            .field("token", &redacted(&self.token))
            .field("command", &self.command)
            .field("text", &self.text)
            .field("team_id", &self.team_id)
            .field("team_domain", &self.team_domain)
            .field("enterprise_id", &self.enterprise_id)
            .field("enterprise_name", &self.enterprise_name)
            .field("channel_id", &self.channel_id)
            .field("channel_name", &self.channel_name)
            .field("user_id", &self.user_id)
            .field("user_name", &self.user_name)
            .field("response_url", &redact_url(&self.response_url))
            .field("trigger_id", &self.trigger_id)
            .field("api_app_id", &self.api_app_id)
            .field("is_enterprise_install", &self.is_enterprise_install)
            .field("extra", &self.extra)
            .finish()
    }
}

impl SlashCommand {
    /// A payload for `command` with `text`, other fields empty; for tests
    /// and fake servers that build requests (see [`to_form`](Self::to_form)).
    pub fn new(command: impl Into<String>, text: impl Into<String>) -> Self {
        Self {
            command: command.into(),
            text: text.into(),
            ..Self::default()
        }
    }

    /// Parses the urlencoded body Slack POSTs. Unknown fields go to
    /// [`extra`](Self::extra); `command`, `team_id`, `channel_id` and
    /// `user_id` are required.
    pub fn from_form(body: &[u8]) -> Result<Self, FormError> {
        Self::from_fields(Form::parse(body))
    }

    /// Reads the JSON object a Socket Mode `slash_commands` envelope
    /// carries: the form's fields as JSON values (strings as they are,
    /// `null` skipped, anything else as its JSON text), read as
    /// [`from_form`](Self::from_form) reads the form.
    pub fn from_json(
        payload: &serde_json::Map<String, serde_json::Value>,
    ) -> Result<Self, FormError> {
        use serde_json::Value;
        let fields = payload.iter().filter_map(|(k, v)| match v {
            Value::String(s) => Some((k.clone(), s.clone())),
            Value::Null => None,
            other => Some((k.clone(), other.to_string())),
        });
        Self::from_fields(Form(fields.collect()))
    }

    fn from_fields(mut f: Form) -> Result<Self, FormError> {
        Ok(Self {
            command: f.require("command")?,
            team_id: f.require("team_id")?.into(),
            channel_id: f.require("channel_id")?.into(),
            user_id: f.require("user_id")?.into(),
            token: f.take("token"),
            text: f.take("text"),
            team_domain: f.take("team_domain"),
            enterprise_id: f.take_opt("enterprise_id").map(Into::into),
            enterprise_name: f.take_opt("enterprise_name"),
            channel_name: f.take("channel_name"),
            user_name: f.take("user_name"),
            response_url: f.take("response_url"),
            trigger_id: f.take("trigger_id"),
            api_app_id: f.take_opt("api_app_id").map(Into::into),
            is_enterprise_install: matches!(f.take("is_enterprise_install").as_str(), "true" | "1"),
            extra: f.into_rest(),
        })
    }

    /// Encodes the payload as the urlencoded body Slack would send.
    pub fn to_form(&self) -> String {
        let install = if self.is_enterprise_install {
            "true"
        } else {
            "false"
        };
        let mut pairs = vec![
            ("token", self.token.as_str()),
            ("team_id", self.team_id.as_str()),
            ("team_domain", &self.team_domain),
            ("channel_id", self.channel_id.as_str()),
            ("channel_name", &self.channel_name),
            ("user_id", self.user_id.as_str()),
            ("user_name", &self.user_name),
            ("command", &self.command),
            ("text", &self.text),
            ("response_url", &self.response_url),
            ("trigger_id", &self.trigger_id),
            ("is_enterprise_install", install),
        ];
        if let Some(id) = &self.enterprise_id {
            pairs.push(("enterprise_id", id.as_str()));
        }
        if let Some(name) = &self.enterprise_name {
            pairs.push(("enterprise_name", name));
        }
        if let Some(id) = &self.api_app_id {
            pairs.push(("api_app_id", id.as_str()));
        }
        pairs.extend(self.extra.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        encode_form(pairs)
    }

    /// A client for this command's `response_url`, whose 30-minute window
    /// starts now.
    pub fn response_url(&self) -> ResponseUrl {
        ResponseUrl::new(self.response_url.clone())
    }
}

/// Who sees a response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ResponseType {
    /// Only the user who ran the command.
    Ephemeral,
    /// Everyone in the conversation.
    InChannel,
}

/// An answer to a slash command, as the HTTP response or through a
/// [`ResponseUrl`]: its [`MessageContent`], who sees it, and whether it
/// replaces the earlier answer.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[must_use]
pub struct SlashResponse {
    #[serde(skip_serializing_if = "Option::is_none")]
    response_type: Option<ResponseType>,
    #[serde(flatten)]
    content: MessageContent,
    #[serde(skip_serializing_if = "Option::is_none")]
    replace_original: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    delete_original: Option<bool>,
    #[serde(skip)]
    unchecked: bool,
}

impl SlashResponse {
    /// A response saying `content`; Slack shows it only to the person who
    /// ran the command unless [`response_type`](Self::response_type) says otherwise.
    pub fn new(content: impl Into<MessageContent>) -> Self {
        Self {
            content: content.into(),
            ..Self::default()
        }
    }

    /// `content` only the invoking user sees.
    pub fn ephemeral(content: impl Into<MessageContent>) -> Self {
        Self::new(content).response_type(ResponseType::Ephemeral)
    }

    /// `content` everyone in the conversation sees.
    pub fn in_channel(content: impl Into<MessageContent>) -> Self {
        Self::new(content).response_type(ResponseType::InChannel)
    }

    /// Deletes the message this response URL's earlier answer posted.
    pub fn delete_original() -> Self {
        Self {
            delete_original: Some(true),
            ..Self::default()
        }
    }

    /// What the response says.
    pub fn content(&self) -> &MessageContent {
        &self.content
    }

    /// Sets who sees the response.
    pub fn response_type(mut self, kind: ResponseType) -> Self {
        self.response_type = Some(kind);
        self
    }

    /// Whether this response replaces the earlier one instead of adding a message.
    pub fn replace_original(mut self, replace: bool) -> Self {
        self.replace_original = Some(replace);
        self
    }

    /// Sends the blocks as they are, without checking Slack's limits first.
    pub fn skip_limit_checks(mut self) -> Self {
        self.unchecked = true;
        self
    }

    /// The first of Slack's limits the blocks go over, unless unchecked.
    pub fn over_limit(&self) -> Option<LimitError> {
        if self.unchecked {
            return None;
        }
        self.content.limit_errors().into_iter().next()
    }

    /// The response as JSON bytes, for an HTTP answer body.
    pub fn to_json(&self) -> Vec<u8> {
        // Only string keys and plain values: serialization cannot fail.
        serde_json::to_vec(self).unwrap_or_default()
    }
}

impl From<MessageContent> for SlashResponse {
    fn from(content: MessageContent) -> Self {
        Self::new(content)
    }
}

/// How many times Slack accepts posts to one `response_url`.
pub const RESPONSE_URL_MAX_USES: u32 = 5;
/// How long a `response_url` stays valid after the command ran.
pub const RESPONSE_URL_MAX_AGE: Duration = Duration::from_secs(30 * 60);

/// Why a delayed response was not delivered.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResponseUrlError {
    /// A block goes over one of Slack's limits (named by its path); nothing
    /// was sent and the URL's uses are untouched.
    /// [`SlashResponse::skip_limit_checks`] sends it anyway.
    #[error("response not sent: {0}")]
    OverLimit(LimitError),
    /// The URL was already used the maximum number of times; nothing was sent.
    #[error("response_url already used {max_uses} times")]
    LimitReached {
        /// The limit ([`RESPONSE_URL_MAX_USES`] unless changed).
        max_uses: u32,
    },
    /// The URL's window has passed; nothing was sent.
    #[error("response_url expired {}s after the command", age.as_secs())]
    Expired {
        /// Time since the command ran.
        age: Duration,
    },
    /// Slack refused the response with an error code.
    #[error("response rejected: {code} (HTTP {status})")]
    Rejected {
        /// HTTP status of the answer.
        status: u16,
        /// The error code Slack sent (`expired_url`, `used_url`, `no_text`, ...).
        code: String,
    },
    /// HTTP 429.
    #[error("response_url rate limited")]
    RateLimited {
        /// How long Slack asked to wait, from `Retry-After`.
        retry_after: Option<Duration>,
    },
    /// An error status without an error code in the body.
    #[error("response_url answered HTTP {status}")]
    HttpStatus {
        /// HTTP status of the answer.
        status: u16,
        /// The start of the body.
        body: String,
    },
    /// The response URL is not a valid http(s) URL.
    #[error("invalid response_url")]
    InvalidUrl,
    /// The request could not be sent or the answer not read.
    #[error("response_url transport error")]
    Transport(#[source] Box<dyn std::error::Error + Send + Sync>),
}

#[derive(Debug)]
struct Usage {
    issued_at: SystemTime,
    uses: u32,
}

/// A client for one command's `response_url`.
///
/// It counts its uses and refuses, with a typed error and without sending,
/// a sixth post or one after 30 minutes. Clones share the count. `Debug`
/// redacts the URL's secret.
#[derive(Clone)]
pub struct ResponseUrl {
    url: String,
    http: Option<reqwest::Client>,
    clock: Clock,
    max_uses: u32,
    max_age: Duration,
    usage: Arc<Mutex<Usage>>,
}

impl fmt::Debug for ResponseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseUrl")
            .field("url", &redact_url(&self.url))
            .field("uses", &self.uses())
            .finish_non_exhaustive()
    }
}

impl ResponseUrl {
    /// A client for `url` whose window starts now.
    pub fn new(url: impl Into<String>) -> Self {
        let clock = Clock::system();
        Self {
            url: url.into(),
            http: None,
            usage: Arc::new(Mutex::new(Usage {
                issued_at: clock.now(),
                uses: 0,
            })),
            clock,
            max_uses: RESPONSE_URL_MAX_USES,
            max_age: RESPONSE_URL_MAX_AGE,
        }
    }

    /// Posts with `client` instead of the shared default.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Replaces the clock and restarts the window at the new clock's "now".
    pub fn clock(mut self, clock: Clock) -> Self {
        self.lock().issued_at = clock.now();
        self.clock = clock;
        self
    }

    /// Sets when the command ran, if that was earlier than this client's creation.
    pub fn issued_at(self, at: SystemTime) -> Self {
        self.lock().issued_at = at;
        self
    }

    /// Changes the limits (Slack's are 5 uses in 30 minutes).
    pub fn limits(mut self, max_uses: u32, max_age: Duration) -> Self {
        self.max_uses = max_uses;
        self.max_age = max_age;
        self
    }

    /// How many posts were attempted so far.
    pub fn uses(&self) -> u32 {
        self.lock().uses
    }

    /// How many posts are left before the limit.
    pub fn remaining(&self) -> u32 {
        self.max_uses.saturating_sub(self.uses())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Usage> {
        // The guarded data is two plain values, valid even after a panic elsewhere.
        self.usage.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Checks the window and limit and takes one use.
    fn reserve(&self) -> Result<(), ResponseUrlError> {
        let mut usage = self.lock();
        let age = self
            .clock
            .now()
            .duration_since(usage.issued_at)
            .unwrap_or_default();
        if age > self.max_age {
            return Err(ResponseUrlError::Expired { age });
        }
        if usage.uses >= self.max_uses {
            return Err(ResponseUrlError::LimitReached {
                max_uses: self.max_uses,
            });
        }
        usage.uses += 1;
        Ok(())
    }

    /// Posts `response`. A use counts once the request may have reached
    /// Slack; uses are given back only when it certainly did not (bad URL,
    /// connection refused).
    pub async fn send(&self, response: &SlashResponse) -> Result<(), ResponseUrlError> {
        if let Some(problem) = response.over_limit() {
            return Err(ResponseUrlError::OverLimit(problem));
        }
        self.reserve()?;
        let resp = match post_json(self.http.as_ref(), &self.url, response.to_json()).await {
            Ok(resp) => resp,
            Err(e) => {
                if e.not_sent() {
                    let mut usage = self.lock();
                    usage.uses = usage.uses.saturating_sub(1);
                }
                return Err(match e {
                    PostError::InvalidUrl => ResponseUrlError::InvalidUrl,
                    PostError::Transport(e) => ResponseUrlError::Transport(e),
                });
            }
        };
        // Slack answers `{"ok":true}` or `{"ok":false,"error":"..."}`; older endpoints plain `ok`.
        let json_error = serde_json::from_str::<serde_json::Value>(&resp.body)
            .ok()
            .and_then(|v| {
                (v.get("ok") == Some(&serde_json::Value::Bool(false))).then(|| {
                    v.get("error")
                        .and_then(|e| e.as_str())
                        .unwrap_or("unknown_error")
                        .to_owned()
                })
            });
        if let Some(code) = json_error {
            return Err(ResponseUrlError::Rejected {
                status: resp.status,
                code,
            });
        }
        if resp.is_success() {
            return Ok(());
        }
        if resp.status == 429 {
            return Err(ResponseUrlError::RateLimited {
                retry_after: resp.retry_after,
            });
        }
        match resp.error_code() {
            Some(code) => Err(ResponseUrlError::Rejected {
                status: resp.status,
                code: code.to_owned(),
            }),
            None => Err(ResponseUrlError::HttpStatus {
                status: resp.status,
                body: resp.excerpt(),
            }),
        }
    }
}
