//! Failures injected on purpose: HTTP faults per method and count, RTM faults.

use std::time::Duration;

/// A Web API failure to inject, see [`FakeSlack::fault`](crate::FakeSlack::fault).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Fault {
    /// HTTP 429 with `Retry-After: secs` and `{"ok":false,"error":"ratelimited"}`.
    RateLimited {
        /// Seconds in the `Retry-After` header.
        retry_after: u64,
    },
    /// That HTTP status with an empty body (for 5xx testing).
    Status {
        /// HTTP status code.
        status: u16,
    },
    /// Answer normally, but only after this long.
    Delay {
        /// Delay in milliseconds.
        millis: u64,
    },
    /// Close the connection without answering (the client sees a transport error).
    Reset,
    /// HTTP 200 with `{"ok":false,"error":code}`.
    Error {
        /// The Slack error code.
        code: String,
    },
}

impl Fault {
    /// `429 Too Many Requests` with `Retry-After`.
    pub fn rate_limited(retry_after_secs: u64) -> Fault {
        Fault::RateLimited {
            retry_after: retry_after_secs,
        }
    }

    /// An HTTP status (e.g. 500, 503) with an empty body.
    pub fn status(status: u16) -> Fault {
        Fault::Status { status }
    }

    /// A normal answer, delayed.
    pub fn delay(d: Duration) -> Fault {
        Fault::Delay {
            millis: d.as_millis().try_into().unwrap_or(u64::MAX),
        }
    }

    /// `{"ok": false, "error": code}`.
    pub fn error(code: impl Into<String>) -> Fault {
        Fault::Error { code: code.into() }
    }

    /// Whether the fake can answer with this fault: a [`Fault::Status`] must
    /// be a final HTTP status, 200 to 999 (1xx are interim answers that
    /// HTTP/1.1 servers cannot end a request with).
    pub fn check(&self) -> Result<(), InvalidFault> {
        match self {
            Fault::Status { status } if !(200..=999).contains(status) => {
                Err(InvalidFault::Status { status: *status })
            }
            _ => Ok(()),
        }
    }
}

/// Why a [`Fault`] cannot be injected; from [`Fault::check`] and
/// [`FakeSlack::try_fault`](crate::FakeSlack::try_fault).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidFault {
    /// A [`Fault::Status`] outside 200 to 999, which no final HTTP response can carry.
    Status {
        /// The status asked for.
        status: u16,
    },
}

impl std::fmt::Display for InvalidFault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            InvalidFault::Status { status } => {
                write!(f, "status {status} is not a final HTTP status (200 to 999)")
            }
        }
    }
}

impl std::error::Error for InvalidFault {}

/// A fault rule: which method (`*` for all), how many calls to let through
/// first, and how many calls to fail.
#[derive(Debug, Clone)]
pub(crate) struct FaultRule {
    /// Names the rule for [`Faults::clear`], stable while others come and go.
    pub(crate) id: FaultId,
    pub(crate) method: String,
    pub(crate) fault: Fault,
    pub(crate) skip: usize,
    /// `None` = every matching call from now on.
    pub(crate) remaining: Option<usize>,
}

/// Names one HTTP fault set with [`FakeSlack::fault`](crate::FakeSlack::fault),
/// to remove just that one with
/// [`FakeSlack::clear_fault`](crate::FakeSlack::clear_fault); from
/// [`FaultSetup::id`](crate::FaultSetup::id). On the admin API it is the
/// `id` that `POST /_testkit/fault` answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FaultId(pub(crate) u64);

impl FaultId {
    /// The number the admin API uses for this fault.
    pub fn get(self) -> u64 {
        self.0
    }
}

#[derive(Debug, Default)]
pub(crate) struct Faults {
    pub(crate) rules: Vec<FaultRule>,
    /// Ids are never reused, not even across resets, so a stale id clears nothing.
    next_id: u64,
}

impl Faults {
    /// Adds a rule; returns its id.
    pub(crate) fn add(
        &mut self,
        method: &str,
        fault: Fault,
        skip: usize,
        remaining: Option<usize>,
    ) -> FaultId {
        self.next_id += 1;
        let id = FaultId(self.next_id);
        self.rules.push(FaultRule {
            id,
            method: method.to_string(),
            fault,
            skip,
            remaining,
        });
        id
    }

    /// The rule named `id`, while it is still pending.
    pub(crate) fn get_mut(&mut self, id: FaultId) -> Option<&mut FaultRule> {
        self.rules.iter_mut().find(|r| r.id == id)
    }

    /// Removes the rule named `id`; whether it was still pending.
    pub(crate) fn clear(&mut self, id: FaultId) -> bool {
        let before = self.rules.len();
        self.rules.retain(|r| r.id != id);
        self.rules.len() != before
    }

    /// Removes every rule (ids keep counting up).
    pub(crate) fn clear_all(&mut self) {
        self.rules.clear();
    }

    /// Whether the next call to `method` would meet a `Reset` fault (without consuming it).
    pub(crate) fn reset_pending(&self, method: &str) -> bool {
        self.rules
            .iter()
            .find(|r| r.applies(method))
            .is_some_and(|r| r.skip == 0 && r.fault == Fault::Reset)
    }

    /// The fault for this call to `method`, consuming one count.
    pub(crate) fn take(&mut self, method: &str) -> Option<Fault> {
        let idx = self.rules.iter().position(|r| r.applies(method))?;
        let rule = &mut self.rules[idx];
        if rule.skip > 0 {
            rule.skip -= 1;
            return None;
        }
        let fault = rule.fault.clone();
        if let Some(n) = &mut rule.remaining {
            *n -= 1;
            if *n == 0 {
                self.rules.remove(idx);
            }
        }
        Some(fault)
    }
}

impl FaultRule {
    fn applies(&self, method: &str) -> bool {
        (self.method == "*" || self.method == method) && self.remaining != Some(0)
    }
}

/// A failure to inject on the RTM websocket, see [`FakeSlack::rtm_fault`](crate::FakeSlack::rtm_fault).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RtmFault {
    /// Send `{"type":"goodbye"}` (Slack is about to close the socket) and close it.
    Goodbye,
    /// Drop the TCP connection without a close frame.
    DropSocket,
    /// Send an `error` frame with that code and message.
    ErrorFrame {
        /// Slack's numeric error code.
        code: i64,
        /// Human-readable message.
        msg: String,
    },
    /// Send an event whose `type` no client knows.
    UnknownEvent,
    /// Send a text frame that is not JSON.
    Malformed,
    /// Stop answering `ping` frames on the connections it reaches, for as
    /// long as they stay open (or until
    /// [`FakeSlack::clear_faults`](crate::FakeSlack::clear_faults)); see
    /// [`RtmScope`] for reaching later connections too.
    NoPong,
    /// Send `text` as one frame, as is: hostile or odd input no JSON value
    /// can hold (nesting thousands deep, duplicate keys, invalid escapes).
    RawFrame {
        /// The frame's text.
        text: String,
    },
}

/// Which RTM connections a fault reaches, see
/// [`FakeSlack::rtm_fault_scoped`](crate::FakeSlack::rtm_fault_scoped)
/// (and `"scope"` on the admin API's `/_testkit/fault`: `"open"`, `"all"`
/// or `{"next": n}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RtmScope {
    /// The connections open now (what [`FakeSlack::rtm_fault`](crate::FakeSlack::rtm_fault)
    /// does): a client that reconnects gets a healthy socket.
    #[default]
    Open,
    /// The connections open now and every one opened later, until
    /// [`FakeSlack::clear_faults`](crate::FakeSlack::clear_faults) or a reset.
    All,
    /// The next `n` connections to open, not the open ones.
    Next(usize),
}

/// Something Slack does to Socket Mode connections, see
/// [`FakeSlack::socket_mode_fault`](crate::FakeSlack::socket_mode_fault)
/// (and `{"socket_mode": {..}}` on the admin API's `/_testkit/fault`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SocketModeFault {
    /// Every open connection goes silent, as a half-open socket does: it
    /// stays open but sends nothing more (no envelopes, no pongs) and reads
    /// nothing. Envelopes go to other connections, or wait unacked and are
    /// redelivered once the app has a live connection again. Connections
    /// opened afterwards are not affected.
    Silent,
    /// Send `{"type":"disconnect","reason":reason}` to every connection, as
    /// Slack does. For `warning` and `refresh_requested` the sockets stay
    /// open for `grace_millis` (default 1000) and then close; for other
    /// reasons (`link_disabled`, `too_many_websockets`, ...) they close at
    /// once. Either way they get no new envelopes.
    Disconnect {
        /// `warning`, `refresh_requested`, `link_disabled`,
        /// `too_many_websockets`, or anything else to send as is.
        reason: String,
        /// How long soft disconnects keep the socket open.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        grace_millis: Option<u64>,
    },
    /// Send `text` as one frame to every connection, as is (not tracked as
    /// an envelope): hostile or odd input no JSON value can hold.
    RawFrame {
        /// The frame's text.
        text: String,
    },
}

impl SocketModeFault {
    /// A `disconnect` with `reason` and the default grace.
    pub fn disconnect(reason: impl Into<String>) -> SocketModeFault {
        SocketModeFault::Disconnect {
            reason: reason.into(),
            grace_millis: None,
        }
    }

    /// The `disconnect` with reason `warning` Slack sends before a refresh.
    pub fn warning() -> SocketModeFault {
        Self::disconnect("warning")
    }
}
