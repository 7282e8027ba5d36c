//! The Events API over HTTP: Slack POSTs each event to the app's Request URL.
//!
//! [`EventsApi::handle`] does what every such endpoint must, in order:
//! verify the signature ([`crate::inbound::signing`]), answer a `url_verification`
//! with its challenge, decode the typed [`EventsApiPayload`], and drop
//! redeliveries of an `event_id` already seen. The caller then answers
//! **200 at once** ([`Handled::status`], [`Handled::body`]) and does the
//! work afterwards: Slack waits 3 seconds, then retries with
//! `X-Slack-Retry-Num` / `X-Slack-Retry-Reason` ([`Retry`]).
//!
//! Events are the same [`Event`](crate::events::Event) types the RTM and
//! Socket Mode clients yield, so one `match` serves all three.
//!
//! It works on plain header lookups and bytes, so any web framework can use
//! it; the `axum` feature adds `slack_api::inbound::axum::events_api_handler`.
//!
//! ```
//! use slack_api::events::{Event, EventsApiPayload};
//! use slack_api::inbound::events_api::{EventsApi, Handled};
//! use slack_api::inbound::signing::Signer;
//!
//! let secret = "8f742231b10e8888abcd99yyyzzz85a5";
//! let api = EventsApi::new(secret);
//! let body = br#"{"type":"event_callback","event_id":"Ev1","event":{"type":"app_mention","text":"hi"}}"#;
//! let signed = Signer::new(secret).sign_now(body);
//! let handled = api.handle(&signed.to_header_map(), body).unwrap();
//! assert_eq!(handled.status(), 200);
//! if let Handled::Delivery(d) = handled {
//!     // Answer 200 first (e.g. spawn this work), then:
//!     if let EventsApiPayload::EventCallback(cb) = &d.payload {
//!         assert!(matches!(cb.event, Event::AppMention(_)));
//!     }
//! }
//! ```

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::sync::{Arc, Mutex};

use reqwest::header::HeaderMap;

use crate::de::DecodeError;
use crate::events::EventsApiPayload;
use crate::inbound::signing::{SignatureError, Verifier};

/// Header with the number of this retry (1, 2, 3), absent on first delivery.
pub const RETRY_NUM_HEADER: &str = "x-slack-retry-num";
/// Header with why Slack retries (`http_timeout`, `http_error`, ...).
pub const RETRY_REASON_HEADER: &str = "x-slack-retry-reason";
/// How many recent event IDs [`Dedup`] remembers by default.
pub const DEFAULT_DEDUP_CAPACITY: usize = 1024;

/// A bounded memory of recently seen IDs (oldest forgotten first), used to
/// drop redeliveries. Cheap to clone; clones share the memory.
#[derive(Clone)]
pub struct Dedup {
    inner: Arc<Mutex<Recent>>,
}

struct Recent {
    capacity: usize,
    order: VecDeque<String>,
    set: HashSet<String>,
}

impl fmt::Debug for Dedup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = self.lock();
        f.debug_struct("Dedup")
            .field("capacity", &r.capacity)
            .field("len", &r.order.len())
            .finish()
    }
}

impl Default for Dedup {
    fn default() -> Self {
        Self::new(DEFAULT_DEDUP_CAPACITY)
    }
}

impl Dedup {
    /// Remembers up to `capacity` IDs (at least 1).
    pub fn new(capacity: usize) -> Self {
        let capacity = capacity.max(1);
        Dedup {
            inner: Arc::new(Mutex::new(Recent {
                capacity,
                order: VecDeque::with_capacity(capacity.min(4096)),
                set: HashSet::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Recent> {
        // The set stays consistent even if a holder panicked.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets `id`, so it counts as new when it comes again (a delivery
    /// that was not handled after all); `true` if it was remembered.
    pub fn forget(&self, id: &str) -> bool {
        let mut r = self.lock();
        if !r.set.remove(id) {
            return false;
        }
        if let Some(pos) = r.order.iter().position(|x| x == id) {
            r.order.remove(pos);
        }
        true
    }

    /// Records `id`; `true` the first time it is seen (within the window).
    pub fn first_time(&self, id: &str) -> bool {
        let mut r = self.lock();
        if r.set.contains(id) {
            // Refresh its place, so an ID that keeps coming back stays known.
            if let Some(pos) = r.order.iter().position(|x| x == id)
                && let Some(x) = r.order.remove(pos)
            {
                r.order.push_back(x);
            }
            return false;
        }
        if r.order.len() >= r.capacity
            && let Some(old) = r.order.pop_front()
        {
            r.set.remove(&old);
        }
        r.order.push_back(id.to_owned());
        r.set.insert(id.to_owned());
        true
    }
}

/// Slack's retry headers: this is redelivery number `num` because of `reason`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Retry {
    /// Retry number, from 1.
    pub num: u32,
    /// Why (`http_timeout`, `http_error`, `connection_failed`, ...), when given.
    pub reason: Option<String>,
}

impl Retry {
    /// Reads the retry headers through a case-insensitive lookup; `None`
    /// on a first delivery.
    pub fn from_headers<'a>(header: impl Fn(&str) -> Option<&'a str>) -> Option<Retry> {
        let num = header(RETRY_NUM_HEADER)?.trim().parse().ok()?;
        let reason = header(RETRY_REASON_HEADER)
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty());
        Some(Retry { num, reason })
    }
}

/// One verified, decoded Events API request.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Delivery {
    /// The payload: usually [`EventsApiPayload::EventCallback`].
    pub payload: EventsApiPayload,
    /// Set when Slack is redelivering.
    pub retry: Option<Retry>,
}

impl Delivery {
    /// The `event_id` of an `event_callback`.
    pub fn event_id(&self) -> Option<&str> {
        match &self.payload {
            EventsApiPayload::EventCallback(cb) => cb.event_id.as_deref(),
            _ => None,
        }
    }
}

/// What became of a request that passed verification.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Handled {
    /// A `url_verification`: answer with this challenge as the body.
    Challenge(String),
    /// A payload to act on, after answering.
    Delivery(Delivery),
    /// An `event_id` already delivered: answer, and do nothing else.
    Duplicate(Delivery),
}

impl Handled {
    /// The HTTP status to answer with (always 200).
    pub fn status(&self) -> u16 {
        200
    }

    /// The response body: the challenge, or nothing.
    pub fn body(&self) -> &str {
        match self {
            Handled::Challenge(c) => c,
            Handled::Delivery(_) | Handled::Duplicate(_) => "",
        }
    }

    /// The content type of [`body`](Self::body).
    pub fn content_type(&self) -> &'static str {
        "text/plain"
    }

    /// The delivery to act on, if any (not for duplicates).
    pub fn into_delivery(self) -> Option<Delivery> {
        match self {
            Handled::Delivery(d) => Some(d),
            Handled::Challenge(_) | Handled::Duplicate(_) => None,
        }
    }
}

/// Why a request was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventsApiError {
    /// Missing, stale or wrong signature: answer 401.
    #[error("invalid Slack signature: {0}")]
    Signature(#[from] SignatureError),
    /// The verified body is not an Events API payload: answer 400.
    #[error("invalid Events API payload")]
    Payload(#[source] DecodeError),
}

impl EventsApiError {
    /// The HTTP status to answer with.
    pub fn status(&self) -> u16 {
        match self {
            EventsApiError::Signature(_) => 401,
            EventsApiError::Payload(_) => 400,
        }
    }
}

/// A framework-independent Events API endpoint; see the [module docs](self).
///
/// Cheap to clone; clones share the dedup memory.
#[derive(Debug, Clone)]
pub struct EventsApi {
    verifier: Verifier,
    dedup: Dedup,
}

impl EventsApi {
    /// An endpoint checking signatures with the app's signing secret.
    pub fn new(signing_secret: impl AsRef<[u8]>) -> Self {
        Self::with_verifier(Verifier::new(signing_secret))
    }

    /// An endpoint with a configured [`Verifier`] (clock, max age).
    pub fn with_verifier(verifier: Verifier) -> Self {
        EventsApi {
            verifier,
            dedup: Dedup::default(),
        }
    }

    /// Uses this dedup memory (for example one shared with a Socket Mode client).
    pub fn dedup(mut self, dedup: Dedup) -> Self {
        self.dedup = dedup;
        self
    }

    /// The verifier, for frameworks that verify themselves.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// Handles one request from its headers and exact raw body.
    pub fn handle(&self, headers: &HeaderMap, body: &[u8]) -> Result<Handled, EventsApiError> {
        self.handle_with(|name| headers.get(name).and_then(|v| v.to_str().ok()), body)
    }

    /// Handles one request whose headers are reached through `header`, a
    /// case-insensitive lookup (called with lowercase names).
    pub fn handle_with<'a>(
        &self,
        header: impl Fn(&str) -> Option<&'a str>,
        body: &[u8],
    ) -> Result<Handled, EventsApiError> {
        self.verifier.verify_with(&header, body)?;
        let retry = Retry::from_headers(&header);
        self.handle_verified(body, retry)
    }

    /// Handles a body whose signature the caller has already verified.
    pub fn handle_verified(
        &self,
        body: &[u8],
        retry: Option<Retry>,
    ) -> Result<Handled, EventsApiError> {
        let text = std::str::from_utf8(body)
            .map_err(|e| EventsApiError::Payload(DecodeError::custom(e)))?;
        let payload = EventsApiPayload::from_json(text).map_err(EventsApiError::Payload)?;
        // An unknown `type` is kept for forward compatibility, but a body
        // that is not even an object is no payload at all.
        if let EventsApiPayload::Unknown(v) = &payload
            && !v.is_object()
        {
            return Err(EventsApiError::Payload(DecodeError::custom(
                "the body is not a JSON object",
            )));
        }
        if let EventsApiPayload::UrlVerification(v) = &payload {
            return Ok(Handled::Challenge(v.challenge.clone()));
        }
        let delivery = Delivery { payload, retry };
        match delivery.event_id() {
            Some(id) if !self.dedup.first_time(id) => {
                tracing::debug!(event_id = id, "dropping redelivered event");
                Ok(Handled::Duplicate(delivery))
            }
            _ => Ok(Handled::Delivery(delivery)),
        }
    }
}
