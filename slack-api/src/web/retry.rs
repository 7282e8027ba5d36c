//! Retry policy and the injectable sleep the client waits with.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::time::Duration;

/// A boxed, sendable future: what [`Sleeper::sleep`] returns, and the shape
/// of every future this crate stores in a trait object (a paginator's next
/// page, a builder's `IntoFuture`). Implementers of [`Sleeper`] name it:
/// `fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> { Box::pin(async move { .. }) }`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How the client retries failed calls.
///
/// HTTP 429 is always retried (up to `max_retries`), waiting `Retry-After`
/// when `honour_retry_after` is set. Connection failures before anything was
/// sent are always retried. Server errors (5xx) and other transport failures
/// are retried only for methods the spec marks `retry_safe`, so a
/// non-idempotent call such as `chat.postMessage` is never repeated.
///
/// Built from the default with one setter per setting, as every builder of
/// this SDK:
/// `RetryPolicy::default().max_retries(5).jitter(0.0)`.
///
/// The default: up to 3 retries; backoff 500 ms before the first, doubling
/// each time (1 s, 2 s), never more than 60 s; up to half of each backoff
/// taken away at random (jitter 0.5); a 429's `Retry-After` waited as
/// given (capped at 60 s too).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    max_retries: u32,
    base_backoff: Duration,
    max_backoff: Duration,
    jitter: f64,
    honour_retry_after: bool,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 3,
            base_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            jitter: 0.5,
            honour_retry_after: true,
        }
    }
}

impl RetryPolicy {
    /// A policy that never retries.
    pub fn none() -> Self {
        Self {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// Retries after the first attempt; `0` disables retrying.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Backoff before the first retry; doubled each retry.
    pub fn base_backoff(mut self, d: Duration) -> Self {
        self.base_backoff = d;
        self
    }

    /// Upper bound on one backoff (and on an honoured `Retry-After`).
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Fraction (0.0–1.0, clamped) of each backoff randomised away, to
    /// spread retries; `0.0` waits the backoff exactly.
    pub fn jitter(mut self, fraction: f64) -> Self {
        self.jitter = if fraction.is_nan() {
            0.0
        } else {
            fraction.clamp(0.0, 1.0)
        };
        self
    }

    /// Whether a 429's `Retry-After` is waited as given instead of the
    /// computed backoff.
    pub fn honour_retry_after(mut self, yes: bool) -> Self {
        self.honour_retry_after = yes;
        self
    }

    /// How many retries follow the first attempt.
    pub fn retries(&self) -> u32 {
        self.max_retries
    }

    /// The wait before retry number `retry` (0-based), with jitter applied
    /// from `random` (a value in 0.0–1.0).
    pub fn backoff(&self, retry: u32, random: f64) -> Duration {
        let exp = self
            .base_backoff
            .saturating_mul(1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX));
        let capped = exp.min(self.max_backoff);
        let jitter = self.jitter.clamp(0.0, 1.0) * random.clamp(0.0, 1.0);
        capped.mul_f64(1.0 - jitter)
    }

    /// The wait before retrying a 429 that said `Retry-After: retry_after`.
    pub fn rate_limit_wait(
        &self,
        retry: u32,
        retry_after: Option<Duration>,
        random: f64,
    ) -> Duration {
        match retry_after {
            Some(d) if self.honour_retry_after => d.min(self.max_backoff),
            _ => self.backoff(retry, random),
        }
    }
}

/// Something that waits: the client sleeps through it between retries and
/// when the client-side rate limiter holds a call back. Tests inject one that
/// records the requested durations and returns at once.
pub trait Sleeper: Send + Sync + fmt::Debug {
    /// A future that completes after `duration`.
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()>;
}

/// A shared sleeper sleeps as the one it shares.
impl<S: Sleeper + ?Sized> Sleeper for std::sync::Arc<S> {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        (**self).sleep(duration)
    }
}

/// The default [`Sleeper`]: `tokio::time::sleep`.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokioSleeper;

impl Sleeper for TokioSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A [`Sleeper`] for tests: it records every wait it is asked for and
/// serves it a thousand times faster, so a 500 ms backoff passes in half a
/// millisecond and a 10 s keepalive interval in 10 ms. Keepalive loops
/// (RTM and Socket Mode pings) therefore tick quickly instead of spinning, as
/// they would on a sleeper that returned at once; [`instant`](Self::instant)
/// is that sleeper, for clients that only call the Web API.
///
/// Clones share one record.
///
/// ```
/// # async fn run() -> slack_api::Result<()> {
/// use std::sync::Arc;
/// use slack_api::web::retry::RecordingSleeper;
/// let sleeper = RecordingSleeper::new();
/// let client = slack_api::Client::builder()
///     .token("xoxb-test")
///     .sleeper(Arc::new(sleeper.clone()))
///     .build()?;
/// // ... calls that retry ...
/// assert!(sleeper.waits().iter().all(|w| w.as_secs() < 60));
/// # let _ = client; Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct RecordingSleeper {
    waits: std::sync::Arc<std::sync::Mutex<Vec<Duration>>>,
    /// Real time passes this many times slower than the waits asked for;
    /// `None` returns at once.
    speedup: Option<u32>,
}

impl Default for RecordingSleeper {
    fn default() -> Self {
        Self::new()
    }
}

impl RecordingSleeper {
    /// Records waits and serves each a thousand times faster.
    pub fn new() -> Self {
        Self::faster(1000)
    }

    /// Records waits and serves each `speedup` times faster (at least 1).
    pub fn faster(speedup: u32) -> Self {
        Self {
            waits: Default::default(),
            speedup: Some(speedup.max(1)),
        }
    }

    /// Records waits and returns at once (after yielding to the scheduler).
    /// Not for websocket clients: their keepalive loop would spin.
    pub fn instant() -> Self {
        Self {
            waits: Default::default(),
            speedup: None,
        }
    }

    /// Every wait asked for so far, in order.
    pub fn waits(&self) -> Vec<Duration> {
        self.waits.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, duration: Duration) -> BoxFuture<'static, ()> {
        self.waits
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(duration);
        match self.speedup {
            Some(n) => Box::pin(tokio::time::sleep(duration / n)),
            None => Box::pin(tokio::task::yield_now()),
        }
    }
}

/// A value in 0.0–1.0 for jitter, without a random-number dependency: the
/// standard library seeds each `RandomState` differently.
pub(crate) fn random_fraction() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(0);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy::default()
            .base_backoff(Duration::from_millis(100))
            .max_backoff(Duration::from_secs(1))
            .jitter(0.5);
        assert_eq!(p.backoff(0, 0.0), Duration::from_millis(100));
        assert_eq!(p.backoff(2, 0.0), Duration::from_millis(400));
        assert_eq!(p.backoff(10, 0.0), Duration::from_secs(1));
        assert_eq!(p.backoff(40, 0.0), Duration::from_secs(1));
        assert_eq!(p.backoff(0, 1.0), Duration::from_millis(50));
        assert_eq!(
            p.rate_limit_wait(0, Some(Duration::from_secs(30)), 0.3),
            Duration::from_secs(1)
        );
        let r = random_fraction();
        assert!((0.0..=1.0).contains(&r));
    }
}
