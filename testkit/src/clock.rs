//! The fake's clock: a fixed start, moved only by the test.
//!
//! It starts at `1700000000` (2023-11-14T22:13:20Z, shifted by a million
//! seconds per [`seed`](crate::FakeSlackBuilder::seed)) and moves only when
//! a test advances it ([`FakeClock::advance`](crate::FakeClock::advance),
//! `POST /_testkit/clock/advance`). Everything with a lifetime reads it:
//! `response_url`s (30 minutes), trigger ids (3 seconds), rotating OAuth
//! tokens; scheduled messages are posted when it reaches their `post_at`.
//!
//! Message timestamps follow it by one rule: a new `ts` is the whole
//! second after the later of the clock and the last `ts` handed out, with
//! `.000100` after it. So with the clock standing still, messages get
//! `1700000001.000100`, `1700000002.000100`, ...: distinct and increasing
//! however many are posted in one instant; once the clock is advanced past
//! them, the next one is a second after the clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// The clock's start, in Unix seconds, for seed 0.
pub(crate) const EPOCH: u64 = 1_700_000_000;

/// The clock's state: now, and the last message second handed out.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    /// Microseconds since the Unix epoch.
    now: u64,
    /// The whole second of the last `ts` handed out.
    last_ts: u64,
}

impl Clock {
    /// A clock standing at `start` (Unix seconds).
    pub(crate) fn starting_at(start: u64) -> Clock {
        Clock {
            now: start * 1_000_000,
            last_ts: start,
        }
    }

    /// Microseconds since the Unix epoch.
    pub(crate) fn now_micros(&self) -> u64 {
        self.now
    }

    /// Whole seconds since the Unix epoch.
    pub(crate) fn now_secs(&self) -> u64 {
        self.now / 1_000_000
    }

    /// The later of now and the last `ts`, in whole seconds: what
    /// `created` and `last_set` fields say for something done now.
    pub(crate) fn stamp(&self) -> u64 {
        self.now_secs().max(self.last_ts)
    }

    /// Moves the clock forward.
    pub(crate) fn advance(&mut self, by: Duration) {
        let micros = u64::try_from(by.as_micros()).unwrap_or(u64::MAX);
        self.now = self.now.saturating_add(micros);
    }

    /// A new message `ts` (see the module docs).
    pub(crate) fn next_ts(&mut self) -> String {
        self.last_ts = self.stamp() + 1;
        format!("{}.000100", self.last_ts)
    }

    /// Now as a `SystemTime`.
    pub(crate) fn system_time(&self) -> SystemTime {
        UNIX_EPOCH + Duration::from_micros(self.now)
    }

    /// Now as JSON for the admin API: `now` in seconds (a float) and as a
    /// Slack-style `ts` string.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "now": self.now as f64 / 1e6,
            "ts": format!("{}.{:06}", self.now / 1_000_000, self.now % 1_000_000),
        })
    }
}
