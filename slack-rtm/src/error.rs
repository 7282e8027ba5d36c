//! Errors of the RTM client.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

/// Result of RTM operations.
pub type Result<T, E = RtmError> = std::result::Result<T, E>;

/// Everything that can go wrong while connecting, receiving or sending.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RtmError {
    /// The Web API call that hands out the websocket URL (`rtm.connect`,
    /// `rtm.start`) failed.
    #[error("{method} failed")]
    Connect {
        /// The Web API method that failed.
        method: &'static str,
        /// What the Web API client reported.
        #[source]
        source: slack_api::Error,
    },
    /// Slack refused RTM for this kind of token (`not_allowed_token_type`).
    ///
    /// RTM works only with classic bot tokens and user tokens; apps created
    /// since 2021 (granular `xoxb-` tokens, `xapp-` tokens) must use Socket
    /// Mode or the Events API instead.
    #[error(
        "{method} refused this token (not_allowed_token_type): RTM needs a classic bot or user token; \
         apps with granular scopes must use Socket Mode or the Events API"
    )]
    TokenNotAllowed {
        /// The Web API method that refused the token.
        method: &'static str,
    },
    /// The Web API call succeeded but returned no websocket URL.
    #[error("{method} returned no websocket url")]
    NoUrl {
        /// The Web API method called.
        method: &'static str,
    },
    /// Slack sent an `error` frame (for example code 1, "Socket URL has expired").
    #[error("Slack sent an error frame: {0}")]
    Server(ServerError),
    /// No `hello` arrived within the hello timeout.
    #[error("no hello from Slack within {after:?}")]
    HelloTimeout {
        /// The timeout that elapsed.
        after: Duration,
    },
    /// The first frame on a new socket was something other than `hello`.
    #[error("expected hello as the first frame, got {kind}")]
    UnexpectedFirstFrame {
        /// The frame's `type`, or a short description when it had none.
        kind: String,
    },
    /// The websocket failed (connect, TLS, read or write).
    #[error("websocket error")]
    Transport(#[source] TransportError),
    /// A frame could not be decoded; the stream goes on after it.
    #[error("malformed frame: {0}")]
    Malformed(MalformedFrame),
    /// Slack did not acknowledge a send in time.
    #[error("no acknowledgement for message {id} within {after:?}")]
    AckTimeout {
        /// The id the frame was sent with.
        id: u64,
        /// The timeout that elapsed.
        after: Duration,
    },
    /// Slack acknowledged a send with `ok: false`.
    #[error("Slack rejected message {id}: {error}")]
    Rejected {
        /// The id the frame was sent with.
        id: u64,
        /// The error Slack gave.
        error: ServerError,
    },
    /// The socket dropped (or was reconnecting) while the send was pending.
    #[error("disconnected from Slack before the send was acknowledged")]
    Disconnected,
    /// The client was shut down, or its background task has stopped.
    #[error("the RTM client is closed")]
    Closed,
    /// Slack turned Socket Mode off for the app (a `disconnect` with reason
    /// `link_disabled`); the connection does not reconnect.
    #[error("Slack disabled Socket Mode for this app (link_disabled); not reconnecting")]
    LinkDisabled,
    /// Reconnecting failed after the configured number of attempts.
    #[error("gave up reconnecting after {attempts} attempt(s)")]
    ReconnectFailed {
        /// How many attempts were made.
        attempts: u32,
        /// The last attempt's error.
        #[source]
        last: Box<RtmError>,
    },
}

impl RtmError {
    /// Whether trying again with the same token cannot help (bad or refused
    /// token, missing scope), so reconnecting stops at once.
    pub fn is_fatal(&self) -> bool {
        match self {
            RtmError::TokenNotAllowed { .. } => true,
            RtmError::Connect { source, .. } => matches!(
                api_error_code(source),
                Some(
                    "invalid_auth"
                        | "not_authed"
                        | "account_inactive"
                        | "token_revoked"
                        | "token_expired"
                        | "no_permission"
                        | "missing_scope"
                        | "team_access_not_granted"
                        | "not_allowed_token_type"
                )
            ),
            _ => false,
        }
    }

    /// Maps a Web API failure of `method`, recognising `not_allowed_token_type`.
    pub(crate) fn from_api(method: &'static str, source: slack_api::Error) -> Self {
        if api_error_code(&source) == Some("not_allowed_token_type") {
            RtmError::TokenNotAllowed { method }
        } else {
            RtmError::Connect { method, source }
        }
    }

    pub(crate) fn transport(e: impl StdError + Send + Sync + 'static) -> Self {
        RtmError::Transport(TransportError(Box::new(e)))
    }
}

/// Slack's error code of an API failure, if it is one.
fn api_error_code(e: &slack_api::Error) -> Option<&str> {
    match e {
        slack_api::Error::Api(api) => Some(api.code_str()),
        _ => None,
    }
}

/// An error object as Slack sends it in `error` frames and failed acks.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct ServerError {
    /// Slack's numeric code (for example 1 for "Socket URL has expired").
    pub code: Option<i64>,
    /// Slack's message.
    pub msg: Option<String>,
}

impl ServerError {
    /// Reads `{"code": .., "msg": ..}`, tolerating missing or odd fields.
    pub(crate) fn from_json(v: Option<&serde_json::Value>) -> Self {
        let code = v.and_then(|v| v.get("code")).and_then(|c| match c {
            serde_json::Value::Number(n) => n.as_i64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        });
        let msg = v
            .and_then(|v| v.get("msg"))
            .and_then(|m| m.as_str())
            .map(str::to_owned);
        ServerError { code, msg }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.code, &self.msg) {
            (Some(c), Some(m)) => write!(f, "code {c}: {m}"),
            (Some(c), None) => write!(f, "code {c}"),
            (None, Some(m)) => f.write_str(m),
            (None, None) => f.write_str("no details"),
        }
    }
}

/// A failure of the websocket layer; the underlying error is its `source()`.
#[derive(Debug)]
pub struct TransportError(Box<dyn StdError + Send + Sync + 'static>);

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The underlying error is `source()`, not repeated here.
        f.write_str("websocket transport failed")
    }
}

impl StdError for TransportError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// A frame that could not be decoded.
#[derive(Debug)]
#[non_exhaustive]
pub struct MalformedFrame {
    /// The beginning of the frame (at most 200 characters).
    pub excerpt: String,
    /// Why it could not be decoded.
    pub reason: String,
}

impl MalformedFrame {
    pub(crate) fn new(frame: &str, reason: impl fmt::Display) -> Self {
        let excerpt: String = frame.chars().take(200).collect();
        MalformedFrame {
            excerpt,
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for MalformedFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (frame starts {:?})", self.reason, self.excerpt)
    }
}
