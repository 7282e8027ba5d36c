//! The fake clock's handle ([`FakeClock`], from [`FakeSlack::clock`]) and
//! moving it; the clock itself is `crate::clock`, kept in the workspace.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde_json::Value;

use super::{FakeSlack, Inner};

/// The fake's clock, from [`FakeSlack::clock`]: it starts at
/// `1700000000` (2023-11-14T22:13:20Z; each [`seed`](crate::FakeSlackBuilder::seed)
/// shifts it by a million seconds) and moves only when advanced.
///
/// Message timestamps follow it: a new `ts` is the whole second after the
/// later of the clock and the last `ts` handed out (`.000100` after it),
/// so messages posted in one instant still get distinct, increasing `ts`
/// (`1700000001.000100`, `1700000002.000100`, ...), and the first one after
/// [`advance`](Self::advance) is a second after the clock. What has a
/// lifetime lives by it: a `response_url` for 30 minutes, a trigger id for
/// 3 seconds, a rotating OAuth token for its `expires_in`. A reset of the
/// workspace sets it back to the start.
///
/// ```no_run
/// # async fn f() {
/// use std::time::Duration;
/// let slack = slack_testkit::FakeSlack::start().await;
/// let first = slack.post_as_user("U_ALICE", "C_GENERAL", "hi").await;
/// assert_eq!(first, "1700000001.000100");
/// slack.clock().advance(Duration::from_secs(3600));
/// let later = slack.post_as_user("U_ALICE", "C_GENERAL", "still there?").await;
/// assert_eq!(later, "1700003601.000100");
/// # }
/// ```
#[derive(Clone)]
pub struct FakeClock {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for FakeClock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeClock")
            .field("now", &self.now())
            .finish()
    }
}

impl FakeClock {
    /// Now, on the fake clock.
    pub fn now(&self) -> SystemTime {
        self.inner.lock().workspace.clock.system_time()
    }

    /// Moves the clock forward by `by`, posting the scheduled messages
    /// (`chat.scheduleMessage`) whose `post_at` it reaches.
    pub fn advance(&self, by: Duration) {
        advance(&self.inner, by);
    }
}

/// Moves the clock forward and posts the scheduled messages it reached;
/// returns now, as the admin API answers it.
pub(super) fn advance(inner: &Inner, by: Duration) -> Value {
    let json = {
        let mut st = inner.lock();
        st.workspace.clock.advance(by);
        st.post_due();
        st.workspace.clock.json()
    };
    inner.changed.notify_waiters();
    json
}

impl FakeSlack {
    /// The fake's clock: read it, and advance it to expire what has a
    /// lifetime (see [`FakeClock`]).
    pub fn clock(&self) -> FakeClock {
        FakeClock {
            inner: self.inner.clone(),
        }
    }
}
