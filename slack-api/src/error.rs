//! Errors returned by the client.
//!
//! One [`Error`] enum whose variants wrap small structs, so new details can be
//! added without breaking matches. Third-party errors (HTTP stack, JSON) are
//! reachable only through [`std::error::Error::source`], and no message ever
//! contains a token.

use std::fmt;
use std::time::Duration;

pub use crate::de::DecodeError;
pub use crate::generated::error_code::ErrorCode;

/// Result with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Anything that can go wrong calling the Web API.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Slack answered `ok: false`.
    Api(ApiError),
    /// Slack answered HTTP 429 and the retries allowed for it ran out.
    RateLimited(RateLimited),
    /// Slack answered with an HTTP error status and no usable API envelope.
    Http(HttpError),
    /// The request could not be sent or the response not received.
    Transport(TransportError),
    /// The response body was not what the method returns.
    Decode(DecodeError),
    /// The request was refused before sending: bad configuration or arguments.
    InvalidRequest(InvalidRequest),
    /// A pagination stream stopped a server that would not stop paging.
    Pagination(PaginationError),
}

impl Error {
    /// Whether repeating the same call later may succeed: rate limits,
    /// server errors, timeouts and connection failures, and the API errors
    /// Slack documents as transient.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => e.is_retryable(),
            Error::RateLimited(_) => true,
            Error::Http(e) => e.status >= 500 || e.status == 408,
            Error::Transport(e) => e.kind != TransportErrorKind::BodyTooLarge,
            Error::Decode(_) | Error::InvalidRequest(_) | Error::Pagination(_) => false,
        }
    }

    /// Whether this was rate limiting, however Slack said it: HTTP 429
    /// after the retries ran out ([`Error::RateLimited`]), or an `ok: false`
    /// whose code is any of Slack's three spellings (`rate_limited`,
    /// `ratelimited`, `ratelimit`; see [`ErrorCode::is_rate_limited`]).
    ///
    /// ```
    /// # fn check(result: slack_api::Result<()>) {
    /// if let Err(e) = result {
    ///     if e.is_rate_limited() {
    ///         // back off for longer, or queue the work
    ///     }
    /// }
    /// # }
    /// ```
    pub fn is_rate_limited(&self) -> bool {
        match self {
            Error::RateLimited(_) => true,
            Error::Api(e) => e.code().is_rate_limited(),
            _ => false,
        }
    }

    /// The API error code, when Slack answered `ok: false`.
    pub fn api_code(&self) -> Option<&ErrorCode> {
        match self {
            Error::Api(e) => Some(e.code()),
            _ => None,
        }
    }

    /// The Web API method the failing call was for, when known.
    pub fn method(&self) -> Option<&str> {
        match self {
            Error::Api(e) => Some(e.method()),
            Error::RateLimited(e) => Some(&e.method),
            Error::Http(e) => Some(&e.method),
            Error::Transport(e) => Some(&e.method),
            Error::Decode(e) => e.method(),
            Error::InvalidRequest(e) => e.method.as_deref(),
            Error::Pagination(e) => Some(&e.method),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Api(e) => e.fmt(f),
            Error::RateLimited(e) => e.fmt(f),
            Error::Http(e) => e.fmt(f),
            Error::Transport(e) => e.fmt(f),
            Error::Decode(e) => e.fmt(f),
            Error::InvalidRequest(e) => e.fmt(f),
            Error::Pagination(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            // Each wrapped struct is displayed in place of this error, so
            // `source` skips it and goes to what caused it.
            Error::Transport(e) => e.source(),
            Error::Http(e) => e.source(),
            Error::InvalidRequest(e) => e.source(),
            _ => None,
        }
    }
}

/// Slack answered `{"ok": false, "error": "..."}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError(Box<ApiErrorDetails>);

/// What Slack said in an `ok: false` response (boxed inside [`ApiError`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiErrorDetails {
    /// The Web API method called.
    pub method: String,
    /// The error code; codes the spec does not know are kept in `ErrorCode::Unknown`.
    pub code: ErrorCode,
    /// HTTP status of the response (Slack usually uses 200).
    pub status: u16,
    /// Warning codes (`warning`, `response_metadata.warnings`).
    pub warnings: Vec<String>,
    /// Scopes the call needed (`needed`, for `missing_scope`).
    pub needed: Option<String>,
    /// Scopes the token has (`provided`, for `missing_scope`).
    pub provided: Option<String>,
    /// Human-readable details (`response_metadata.messages`), e.g. which argument was invalid.
    pub messages: Vec<String>,
}

impl ErrorCode {
    /// Whether the code is one of Slack's spellings of "rate limited":
    /// `rate_limited`, `ratelimited` or `ratelimit`. Each is kept as its
    /// own variant, as Slack sends it; ask this instead of matching one.
    pub fn is_rate_limited(&self) -> bool {
        matches!(
            self,
            ErrorCode::RateLimited | ErrorCode::Ratelimited | ErrorCode::Ratelimit
        )
    }
}

impl ApiError {
    /// Everything in it came from the server, which may echo what it was
    /// sent: tokens are scrubbed here, once, before any `Display` or log.
    pub(crate) fn new(mut details: ApiErrorDetails) -> Self {
        use crate::redact::{redact_all, redact_tokens};
        if let ErrorCode::Unknown(code) = &details.code {
            details.code = ErrorCode::Unknown(redact_tokens(code));
        }
        details.needed = details.needed.as_deref().map(redact_tokens);
        details.provided = details.provided.as_deref().map(redact_tokens);
        details.messages = redact_all(details.messages);
        details.warnings = redact_all(details.warnings);
        Self(Box::new(details))
    }

    /// All details.
    pub fn details(&self) -> &ApiErrorDetails {
        &self.0
    }

    /// The Web API method called.
    pub fn method(&self) -> &str {
        &self.0.method
    }

    /// The error code; codes the spec does not know are `ErrorCode::Unknown`.
    pub fn code(&self) -> &ErrorCode {
        &self.0.code
    }

    /// The error code as Slack sent it.
    pub fn code_str(&self) -> &str {
        self.0.code.as_str()
    }

    /// HTTP status of the response.
    pub fn status(&self) -> u16 {
        self.0.status
    }

    /// Warning codes Slack attached.
    pub fn warnings(&self) -> &[String] {
        &self.0.warnings
    }

    /// Scopes the call needed, for `missing_scope`.
    pub fn needed(&self) -> Option<&str> {
        self.0.needed.as_deref()
    }

    /// Scopes the token has, for `missing_scope`.
    pub fn provided(&self) -> Option<&str> {
        self.0.provided.as_deref()
    }

    /// `response_metadata.messages`: details such as which argument was invalid.
    pub fn messages(&self) -> &[String] {
        &self.0.messages
    }

    /// Whether Slack documents the code as transient.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self.code_str(),
            "ratelimited"
                | "rate_limited"
                | "internal_error"
                | "fatal_error"
                | "service_unavailable"
                | "request_timeout"
        )
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let d = &*self.0;
        write!(f, "`{}` failed: {}", d.method, d.code.as_str())?;
        if let Some(needed) = &d.needed {
            write!(f, " (needs `{needed}`")?;
            if let Some(provided) = &d.provided {
                write!(f, ", token has `{provided}`")?;
            }
            f.write_str(")")?;
        }
        if !d.messages.is_empty() {
            write!(f, ": {}", d.messages.join("; "))?;
        }
        Ok(())
    }
}

/// Slack kept answering HTTP 429.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimited {
    /// The Web API method called.
    pub method: String,
    /// How long Slack asked to wait (`Retry-After`), if it said.
    pub retry_after: Option<Duration>,
    /// How many times the call was retried before giving up.
    pub retries: u32,
}

impl fmt::Display for RateLimited {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` was rate limited", self.method)?;
        if let Some(d) = self.retry_after {
            write!(f, " (retry after {}s)", d.as_secs())?;
        }
        if self.retries > 0 {
            write!(f, " after {} retries", self.retries)?;
        }
        Ok(())
    }
}

/// An HTTP error status without a usable `ok: false` body.
#[derive(Debug)]
#[non_exhaustive]
pub struct HttpError {
    /// The Web API method called.
    pub method: String,
    /// HTTP status code.
    pub status: u16,
    /// The start of the body, with tokens redacted.
    pub body_excerpt: String,
    /// How many times the call was retried before giving up.
    pub retries: u32,
}

impl HttpError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        None
    }
}

impl fmt::Display for HttpError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "`{}` answered HTTP {}", self.method, self.status)?;
        if self.retries > 0 {
            write!(f, " after {} retries", self.retries)?;
        }
        Ok(())
    }
}

/// Why a pagination stream stopped early.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PaginationErrorKind {
    /// The server pointed again at a page already asked for (a cursor it had
    /// returned before, or a page number already fetched): the pages loop.
    CursorCycle,
    /// The stream fetched its maximum number of pages and the server still
    /// pointed to another (see [`Pages::max_pages`](crate::web::paginate::Pages::max_pages)).
    PageLimit,
}

/// A pagination stream stopped a server that would not stop paging. The
/// pages before it were yielded as usual.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct PaginationError {
    /// The Web API method paged.
    pub method: String,
    /// How many pages were fetched.
    pub pages: usize,
    /// Why it stopped.
    pub kind: PaginationErrorKind,
}

impl fmt::Display for PaginationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            PaginationErrorKind::CursorCycle => write!(
                f,
                "`{}` pointed again at a page it had already returned (a repeated cursor or page number), after {} pages: the pages loop",
                self.method, self.pages
            ),
            PaginationErrorKind::PageLimit => write!(
                f,
                "`{}` still had more pages after {} (the stream's `max_pages`)",
                self.method, self.pages
            ),
        }
    }
}

impl From<PaginationError> for Error {
    fn from(e: PaginationError) -> Self {
        Error::Pagination(e)
    }
}

/// What kind of transport failure happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// The connection could not be made; nothing was sent.
    Connect,
    /// The call took longer than the configured timeout.
    Timeout,
    /// The response body was larger than the client reads
    /// ([`ClientBuilder::max_response_bytes`](crate::ClientBuilder::max_response_bytes)).
    BodyTooLarge,
    /// Anything else: the connection broke while sending or receiving.
    Other,
}

/// The request could not be sent or the response not received.
#[derive(Debug)]
#[non_exhaustive]
pub struct TransportError {
    /// The Web API method called.
    pub method: String,
    /// What kind of failure.
    pub kind: TransportErrorKind,
    /// How many times the call was retried before giving up.
    pub retries: u32,
    pub(crate) source: Option<BoxError>,
}

impl TransportError {
    /// A failure reported by the HTTP stack, its URL stripped (webhook,
    /// response and upload URLs carry secrets; the token is in a header and
    /// never in reqwest's message).
    pub(crate) fn from_http(method: &str, e: reqwest::Error) -> Self {
        let kind = if e.is_connect() {
            TransportErrorKind::Connect
        } else if e.is_timeout() {
            TransportErrorKind::Timeout
        } else {
            TransportErrorKind::Other
        };
        Self::new(method, kind, Some(Box::new(e.without_url())))
    }

    pub(crate) fn new(method: &str, kind: TransportErrorKind, source: Option<BoxError>) -> Self {
        Self {
            method: method.to_owned(),
            kind,
            retries: 0,
            source,
        }
    }

    /// Whether the call timed out.
    pub fn is_timeout(&self) -> bool {
        self.kind == TransportErrorKind::Timeout
    }

    /// Whether the connection failed before anything was sent.
    pub fn is_connect(&self) -> bool {
        self.kind == TransportErrorKind::Connect
    }

    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let what = match self.kind {
            TransportErrorKind::Connect => "could not connect",
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Other => "failed in transport",
            TransportErrorKind::BodyTooLarge => "received a response body too large to read",
        };
        write!(f, "`{}` {what}", self.method)?;
        if self.retries > 0 {
            write!(f, " after {} retries", self.retries)?;
        }
        Ok(())
    }
}

/// The request was refused before sending.
#[derive(Debug)]
#[non_exhaustive]
pub struct InvalidRequest {
    /// The Web API method, when the problem is with one call.
    pub method: Option<String>,
    /// What is wrong.
    pub message: String,
    pub(crate) source: Option<BoxError>,
}

impl InvalidRequest {
    pub(crate) fn new(method: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            method: method.map(str::to_owned),
            message: message.into(),
            source: None,
        }
    }

    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_deref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.method {
            Some(m) => write!(f, "invalid request to `{m}`: {}", self.message),
            None => write!(f, "invalid request: {}", self.message),
        }
    }
}

macro_rules! from_variant {
    ($($v:ident($t:ty)),*) => {$(
        impl From<$t> for Error {
            fn from(e: $t) -> Self {
                Error::$v(e)
            }
        }
    )*};
}

from_variant!(
    Api(ApiError),
    RateLimited(RateLimited),
    Http(HttpError),
    Transport(TransportError),
    Decode(DecodeError),
    InvalidRequest(InvalidRequest)
);
