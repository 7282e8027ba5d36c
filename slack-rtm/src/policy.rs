//! Reconnect policy: exponential backoff with jitter, bounded attempts.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How the client reconnects after losing its socket.
///
/// Attempt `n` (from 1) waits `initial_delay * multiplier^(n-1)`, capped at
/// `max_delay`; jitter takes a random part of it away (by default up to
/// half), so many clients dropped together do not reconnect in lockstep.
///
/// The default: first wait 1 s, doubling each attempt, never more than
/// 60 s, jittered, at most 10 attempts in a row.
#[derive(Debug, Clone, PartialEq)]
pub struct ReconnectPolicy {
    enabled: bool,
    initial_delay: Duration,
    max_delay: Duration,
    multiplier: f64,
    max_attempts: Option<u32>,
    jitter: f64,
}

impl Default for ReconnectPolicy {
    /// 1 s, doubling up to 60 s, jittered, at most 10 attempts in a row.
    fn default() -> Self {
        ReconnectPolicy {
            enabled: true,
            initial_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(60),
            multiplier: 2.0,
            max_attempts: Some(10),
            jitter: 0.5,
        }
    }
}

impl ReconnectPolicy {
    /// Never reconnect: the stream ends after the first disconnect.
    pub fn disabled() -> Self {
        ReconnectPolicy {
            enabled: false,
            ..Self::default()
        }
    }

    /// Delay before the first attempt.
    pub fn initial_delay(mut self, d: Duration) -> Self {
        self.initial_delay = d;
        self
    }

    /// Upper bound of any delay.
    pub fn max_delay(mut self, d: Duration) -> Self {
        self.max_delay = d;
        self
    }

    /// Factor between consecutive delays (values below 1 are treated as 1).
    pub fn multiplier(mut self, m: f64) -> Self {
        self.multiplier = m;
        self
    }

    /// Attempts in a row before giving up; `None` retries forever.
    pub fn max_attempts(mut self, n: Option<u32>) -> Self {
        self.max_attempts = n;
        self
    }

    /// Fraction (0.0–1.0, clamped) of each delay randomised away, as in
    /// `slack_api::web::retry::RetryPolicy::jitter`; `0.0` waits exactly.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// Whether reconnecting is on at all.
    pub fn is_enabled(&self) -> bool {
        self.enabled
    }

    /// Whether attempt `attempt` (from 1) is still allowed.
    pub fn allows(&self, attempt: u32) -> bool {
        self.enabled && self.max_attempts.is_none_or(|max| attempt <= max)
    }

    /// The wait before attempt `attempt` (from 1).
    pub fn delay(&self, attempt: u32) -> Duration {
        let m = if self.multiplier.is_finite() && self.multiplier >= 1.0 {
            self.multiplier
        } else {
            1.0
        };
        let exp = attempt.saturating_sub(1).min(64) as i32;
        let base = self.initial_delay.as_secs_f64() * m.powi(exp);
        let capped = base.min(self.max_delay.as_secs_f64()).max(0.0);
        let secs = if self.jitter > 0.0 {
            capped * (1.0 - self.jitter * unit_random())
        } else {
            capped
        };
        Duration::try_from_secs_f64(secs).unwrap_or(self.max_delay)
    }
}

/// A number in [0, 1) good enough for jitter (not for anything secret):
/// splitmix64 over the clock and a counter, so no RNG crate is needed.
fn unit_random() -> f64 {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut z = nanos.wrapping_add(
        COUNTER
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_mul(0x9E37_79B9_7F4A_7C15),
    );
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}
