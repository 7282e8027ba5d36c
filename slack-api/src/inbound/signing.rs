//! Verifying (and, for tests, producing) Slack's request signatures.
//!
//! Slack signs every request it sends to an app (slash commands,
//! interactivity, Events API) with the app's signing secret: the
//! `X-Slack-Signature` header is `v0=` followed by the hex HMAC-SHA256 of
//! `v0:{X-Slack-Request-Timestamp}:{raw body}`. [`Verifier`] checks it in
//! constant time and rejects old timestamps so a captured request cannot be
//! replayed later. It works on plain strings and bytes, so any web framework
//! can use it; the `axum` feature adds a ready-made extractor.
//!
//! ```
//! use slack_api::inbound::signing::{Signer, Verifier};
//!
//! let secret = "8f742231b10e8888abcd99yyyzzz85a5";
//! let body = b"token=x&command=%2Fdeploy&text=now";
//! let headers = Signer::new(secret).sign_now(body);
//! Verifier::new(secret)
//!     .verify(&headers.timestamp, &headers.signature, body)
//!     .unwrap();
//! ```

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use sha2::Sha256;

/// Name of the header carrying the request's Unix timestamp (lowercase, as HTTP/2 sends it).
pub const TIMESTAMP_HEADER: &str = "x-slack-request-timestamp";
/// Name of the header carrying the `v0=` signature.
pub const SIGNATURE_HEADER: &str = "x-slack-signature";
/// How old a request may be by default before it is rejected as stale.
pub const DEFAULT_MAX_AGE: Duration = Duration::from_secs(5 * 60);

const VERSION: &str = "v0";

type HmacSha256 = Hmac<Sha256>;

/// A source of the current time, replaceable in tests.
///
/// [`Clock::system`] is the default everywhere; [`Clock::fixed`] and
/// [`Clock::from_fn`] let a test pin or advance time.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> SystemTime + Send + Sync>);

impl Clock {
    /// The system's wall clock.
    pub fn system() -> Self {
        Self(Arc::new(SystemTime::now))
    }

    /// A clock stopped at `t`.
    pub fn fixed(t: SystemTime) -> Self {
        Self(Arc::new(move || t))
    }

    /// A clock reading its time from `f` (for example from a shared cell a test advances).
    pub fn from_fn(f: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        Self(Arc::new(f))
    }

    /// The current time according to this clock.
    pub fn now(&self) -> SystemTime {
        (self.0)()
    }

    /// The current time as whole seconds since the Unix epoch (0 before the epoch).
    pub fn unix_seconds(&self) -> i64 {
        unix_seconds(self.now())
    }
}

impl Default for Clock {
    fn default() -> Self {
        Self::system()
    }
}

impl fmt::Debug for Clock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Clock")
    }
}

fn unix_seconds(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// A signing secret; its bytes never reach `Debug` output.
#[derive(Clone)]
struct Secret(Arc<[u8]>);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

impl Secret {
    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length, so this cannot fail.
        HmacSha256::new_from_slice(&self.0)
            .unwrap_or_else(|_| unreachable!("HMAC takes any key length"))
    }

    /// A MAC already fed with `v0:{timestamp}:{body}`.
    fn mac_for(&self, timestamp: &str, body: &[u8]) -> HmacSha256 {
        let mut mac = self.mac();
        mac.update(VERSION.as_bytes());
        mac.update(b":");
        mac.update(timestamp.as_bytes());
        mac.update(b":");
        mac.update(body);
        mac
    }
}

/// Why a request's signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureError {
    /// A required header is absent (or not valid text).
    #[error("missing header `{0}`")]
    MissingHeader(&'static str),
    /// The timestamp header is not a whole number of seconds.
    #[error("malformed request timestamp")]
    MalformedTimestamp,
    /// The signature header is not `v0=` followed by 64 hex digits.
    #[error("malformed request signature")]
    MalformedSignature,
    /// The request is older than the verifier's maximum age.
    #[error("request timestamp is {}s old", age.as_secs())]
    StaleTimestamp {
        /// How far in the past the timestamp lies.
        age: Duration,
    },
    /// The timestamp lies further in the future than the maximum age allows.
    #[error("request timestamp is {}s in the future", ahead.as_secs())]
    FutureTimestamp {
        /// How far in the future the timestamp lies.
        ahead: Duration,
    },
    /// The signature does not match the body, timestamp and secret.
    #[error("request signature does not match")]
    Mismatch,
}

/// Checks Slack's request signatures against a signing secret.
///
/// Cheap to clone; share one per app.
#[derive(Debug, Clone)]
pub struct Verifier {
    secret: Secret,
    max_age: Duration,
    clock: Clock,
}

impl Verifier {
    /// A verifier for the app's signing secret (Basic Information page of
    /// the app), accepting requests up to five minutes old.
    pub fn new(signing_secret: impl AsRef<[u8]>) -> Self {
        Self {
            secret: Secret(signing_secret.as_ref().into()),
            max_age: DEFAULT_MAX_AGE,
            clock: Clock::system(),
        }
    }

    /// How far a request's timestamp may lie from now, in either direction.
    pub fn max_age(mut self, max_age: Duration) -> Self {
        self.max_age = max_age;
        self
    }

    /// Replaces the clock used for the staleness check.
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// Pins "now" to a fixed time (shorthand for `clock(Clock::fixed(now))`).
    pub fn now(self, now: SystemTime) -> Self {
        self.clock(Clock::fixed(now))
    }

    /// Verifies a request from its two header values and its raw body.
    ///
    /// The body must be the exact bytes received, before any form or JSON
    /// decoding.
    pub fn verify(
        &self,
        timestamp: &str,
        signature: &str,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let ts = parse_timestamp(timestamp)?;
        let expected = parse_signature(signature)?;
        let now = self.clock.unix_seconds();
        let delta = now.saturating_sub(ts);
        let max = i64::try_from(self.max_age.as_secs()).unwrap_or(i64::MAX);
        if delta > max {
            return Err(SignatureError::StaleTimestamp {
                age: Duration::from_secs(delta.unsigned_abs()),
            });
        }
        if delta < -max {
            return Err(SignatureError::FutureTimestamp {
                ahead: Duration::from_secs(delta.unsigned_abs()),
            });
        }
        self.secret
            .mac_for(timestamp.trim(), body)
            .verify_slice(&expected)
            .map_err(|_| SignatureError::Mismatch)
    }

    /// Verifies a request from its headers and raw body.
    pub fn verify_headers(&self, headers: &HeaderMap, body: &[u8]) -> Result<(), SignatureError> {
        self.verify_with(|name| headers.get(name).and_then(|v| v.to_str().ok()), body)
    }

    /// Verifies a request whose headers are reached through `header`, a
    /// case-insensitive lookup called with [`TIMESTAMP_HEADER`] and
    /// [`SIGNATURE_HEADER`]; for frameworks with their own header types.
    pub fn verify_with<'a>(
        &self,
        header: impl Fn(&str) -> Option<&'a str>,
        body: &[u8],
    ) -> Result<(), SignatureError> {
        let timestamp =
            header(TIMESTAMP_HEADER).ok_or(SignatureError::MissingHeader(TIMESTAMP_HEADER))?;
        let signature =
            header(SIGNATURE_HEADER).ok_or(SignatureError::MissingHeader(SIGNATURE_HEADER))?;
        self.verify(timestamp, signature, body)
    }
}

fn parse_timestamp(s: &str) -> Result<i64, SignatureError> {
    let s = s.trim();
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Err(SignatureError::MalformedTimestamp);
    }
    s.parse().map_err(|_| SignatureError::MalformedTimestamp)
}

fn parse_signature(s: &str) -> Result<[u8; 32], SignatureError> {
    let hex = s
        .trim()
        .strip_prefix(VERSION)
        .and_then(|rest| rest.strip_prefix('='))
        .ok_or(SignatureError::MalformedSignature)?;
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return Err(SignatureError::MalformedSignature);
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = hex_value(pair[0]).ok_or(SignatureError::MalformedSignature)?;
        let lo = hex_value(pair[1]).ok_or(SignatureError::MalformedSignature)?;
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

fn hex_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0xf)]));
    }
    s
}

/// Produces Slack-style signatures, for tests and fake servers that play
/// Slack's side.
#[derive(Debug, Clone)]
pub struct Signer {
    secret: Secret,
    clock: Clock,
}

/// The two header values that sign one request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SignedHeaders {
    /// Value for [`TIMESTAMP_HEADER`].
    pub timestamp: String,
    /// Value for [`SIGNATURE_HEADER`] (`v0=` and 64 hex digits).
    pub signature: String,
}

impl SignedHeaders {
    /// The two headers as a header map, ready to add to a request.
    pub fn to_header_map(&self) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in [
            (TIMESTAMP_HEADER, &self.timestamp),
            (SIGNATURE_HEADER, &self.signature),
        ] {
            // Both values are digits, `v0=` and hex: always valid header text.
            if let Ok(value) = HeaderValue::from_str(value) {
                map.insert(HeaderName::from_static(name), value);
            }
        }
        map
    }
}

impl Signer {
    /// A signer for `signing_secret`, using the system clock for [`sign_now`](Self::sign_now).
    pub fn new(signing_secret: impl AsRef<[u8]>) -> Self {
        Self {
            secret: Secret(signing_secret.as_ref().into()),
            clock: Clock::system(),
        }
    }

    /// Replaces the clock used by [`sign_now`](Self::sign_now).
    pub fn clock(mut self, clock: Clock) -> Self {
        self.clock = clock;
        self
    }

    /// The `v0=` signature of `body` sent at Unix time `timestamp`.
    pub fn signature(&self, timestamp: i64, body: &[u8]) -> String {
        let mac = self.secret.mac_for(&timestamp.to_string(), body);
        format!("{VERSION}={}", to_hex(&mac.finalize().into_bytes()))
    }

    /// Both headers for `body` sent at Unix time `timestamp`.
    pub fn sign(&self, timestamp: i64, body: &[u8]) -> SignedHeaders {
        SignedHeaders {
            timestamp: timestamp.to_string(),
            signature: self.signature(timestamp, body),
        }
    }

    /// Both headers for `body` sent now.
    pub fn sign_now(&self, body: &[u8]) -> SignedHeaders {
        self.sign(self.clock.unix_seconds(), body)
    }
}
