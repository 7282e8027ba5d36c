//! The journal's face: the calls and frames so far, the waits for the
//! next one, and expectations checked by `verify` and on drop.

use std::future::Future;
use std::panic::Location;
use std::time::Duration;

use super::{DEFAULT_WAIT, ExpectRule, FakeSlack, Inner, State};
use crate::journal::{Call, Frame};

/// How many calls an expectation wants; from [`FakeSlack::expect`].
#[derive(Debug)]
pub struct Expectation<'a> {
    slack: &'a FakeSlack,
    index: usize,
}

impl Expectation<'_> {
    fn set(self, min: usize, max: usize) {
        let mut st = self.slack.inner.lock();
        if let Some(e) = st.expectations.get_mut(self.index) {
            e.min = min;
            e.max = max;
        }
    }

    /// Exactly `n` calls.
    pub fn times(self, n: usize) {
        self.set(n, n)
    }

    /// At least `n` calls.
    pub fn at_least(self, n: usize) {
        self.set(n, usize::MAX)
    }

    /// At most `n` calls.
    pub fn at_most(self, n: usize) {
        self.set(0, n)
    }

    /// No call at all.
    pub fn never(self) {
        self.set(0, 0)
    }
}

impl FakeSlack {
    // ----- journal -----

    /// Every Web API call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().journal.calls().cloned().collect()
    }

    /// Every call to `method` so far.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.inner
            .lock()
            .journal
            .calls()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Every frame RTM clients sent so far.
    pub fn frames(&self) -> Vec<Frame> {
        self.inner.lock().journal.frames().cloned().collect()
    }

    /// The next call to `method` this method has not returned yet, waiting up to 5 s.
    ///
    /// Successive waits for the same method return successive calls.
    ///
    /// # Panics
    /// On timeout, with the caller's line, how many calls to `method` earlier
    /// waits returned, the methods called since, and the journal.
    #[track_caller]
    pub fn wait_for_call(&self, method: &str) -> impl Future<Output = Call> + Send + '_ {
        self.wait_for_call_timeout(method, DEFAULT_WAIT)
    }

    /// [`wait_for_call`](Self::wait_for_call) with a timeout of your choosing.
    ///
    /// # Panics
    /// As [`wait_for_call`](Self::wait_for_call).
    #[track_caller]
    pub fn wait_for_call_timeout(
        &self,
        method: &str,
        timeout: Duration,
    ) -> impl Future<Output = Call> + Send + '_ {
        let at = Location::caller();
        let method = method.to_string();
        async move {
            let got = self.wait(timeout, |st| st.journal.take_call(&method)).await;
            got.unwrap_or_else(|| {
                let st = self.inner.lock();
                panic!(
                    "slack-testkit: at {at}: no call to {method} within {timeout:?}; {}; journal:\n{}",
                    st.journal.calls_missed(&method),
                    st.journal.snapshot()
                )
            })
        }
    }

    /// Fails if `method` is called within `duration`: "no further call".
    ///
    /// It waits the whole `duration` when nothing comes, and fails as soon
    /// as a call comes. Calls already returned by
    /// [`wait_for_call`](Self::wait_for_call) do not count; an earlier call
    /// no wait returned does, so take the calls you expect first:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// use std::time::Duration;
    /// let reply = slack.wait_for_call("chat.postMessage").await;
    /// // The bot answers once, not once per retry.
    /// slack.expect_quiet("chat.postMessage", Duration::from_millis(200)).await;
    /// # }
    /// ```
    ///
    /// # Panics
    /// When a call to `method` comes, naming the caller's line and the call.
    #[track_caller]
    pub fn expect_quiet(
        &self,
        method: &str,
        duration: Duration,
    ) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        let method = method.to_string();
        async move {
            let came = self
                .wait(duration, |st| st.journal.peek_call(&method).cloned())
                .await;
            if let Some(call) = came {
                panic!(
                    "slack-testkit: at {at}: expected no call to {method} within {duration:?}, \
                     got #{}: {}",
                    call.seq,
                    call.summary()
                );
            }
        }
    }

    /// The next client frame of that `type` (`"*"` for any) not returned yet, waiting up to 5 s.
    ///
    /// Successive waits for the same type return successive frames; each
    /// type (and `"*"`) keeps its own place, so `wait_for_frame("ping")`
    /// after `wait_for_frame("message")` still returns the first ping.
    /// These are frames the client sent (acks, pings, messages); what the
    /// fake sends is what your client receives.
    ///
    /// # Panics
    /// On timeout, with the caller's line, the frames sent since the last
    /// one of that type returned, and the journal.
    #[track_caller]
    pub fn wait_for_frame(&self, kind: &str) -> impl Future<Output = Frame> + Send + '_ {
        self.wait_for_frame_timeout(kind, DEFAULT_WAIT)
    }

    /// [`wait_for_frame`](Self::wait_for_frame) with a timeout of your choosing.
    ///
    /// # Panics
    /// As [`wait_for_frame`](Self::wait_for_frame).
    #[track_caller]
    pub fn wait_for_frame_timeout(
        &self,
        kind: &str,
        timeout: Duration,
    ) -> impl Future<Output = Frame> + Send + '_ {
        let at = Location::caller();
        let kind = kind.to_string();
        async move {
            let got = self.wait(timeout, |st| st.journal.take_frame(&kind)).await;
            got.unwrap_or_else(|| {
                let st = self.inner.lock();
                panic!(
                    "slack-testkit: at {at}: no `{kind}` frame within {timeout:?}; {}; journal:\n{}",
                    st.journal.frames_missed(&kind),
                    st.journal.snapshot()
                )
            })
        }
    }

    /// [`Inner::wait`].
    pub(crate) async fn wait<T>(
        &self,
        timeout: Duration,
        probe: impl FnMut(&mut State) -> Option<T>,
    ) -> Option<T> {
        self.inner.wait(timeout, probe).await
    }

    /// The journal as stable text, one line per call or frame, tokens left out:
    /// made for `insta::assert_snapshot!`.
    pub fn journal_snapshot(&self) -> String {
        self.inner.lock().journal.snapshot()
    }

    // ----- expectations -----

    /// Expects calls to `method`: at least one unless refined with `.times(n)` etc.
    /// Checked by [`verify`](Self::verify) and when the fake is dropped.
    /// A failed expectation names the line that set it up.
    #[track_caller]
    pub fn expect(&self, method: &str) -> Expectation<'_> {
        let at = Location::caller();
        let mut st = self.inner.lock();
        st.expectations.push(ExpectRule {
            method: method.to_string(),
            min: 1,
            max: usize::MAX,
            at,
        });
        let index = st.expectations.len() - 1;
        Expectation { slack: self, index }
    }

    /// Unmet expectations and requests no fixture answered, as messages.
    pub fn problems(&self) -> Vec<String> {
        let st = self.inner.lock();
        let mut out = Vec::new();
        for e in &st.expectations {
            let n = st.journal.calls().filter(|c| c.method == e.method).count();
            if n < e.min || n > e.max {
                let want = match (e.min, e.max) {
                    (a, b) if a == b => format!("exactly {a}"),
                    (a, usize::MAX) => format!("at least {a}"),
                    (a, b) => format!("between {a} and {b}"),
                };
                out.push(format!(
                    "expected {want} call(s) to {}, got {n} (expectation set at {})",
                    e.method, e.at
                ));
            }
        }
        out.extend(st.setup_errors.iter().cloned());
        out.extend(st.misses.iter().cloned());
        out
    }

    /// Checks expectations and fixture misses.
    ///
    /// # Panics
    /// With every problem found, naming the caller's line.
    #[track_caller]
    pub fn verify(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            tokio::task::yield_now().await;
            let problems = self.problems();
            if !problems.is_empty() {
                panic!(
                    "slack-testkit: at {at}: verification failed:\n- {}",
                    problems.join("\n- ")
                );
            }
        }
    }
}

impl Inner {
    /// Runs `probe` whenever the state changes (and every few milliseconds,
    /// for changes nothing signals) until it returns a value or `timeout`
    /// passes; then one last probe.
    pub(crate) async fn wait<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&mut State) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(v) = probe(&mut self.lock()) {
                return Some(v);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return probe(&mut self.lock());
            }
            let tick = deadline.min(now + Duration::from_millis(20));
            let _ = tokio::time::timeout_at(tick, notified).await;
        }
    }
}
