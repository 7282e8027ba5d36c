//! Connection lifecycle logging. A test binary of its own: `tracing` caches
//! per-callsite interest process-wide, so tests running in parallel without a
//! subscriber can hide these lines from a thread-local one.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use slack_api::web::retry::Sleeper;
use slack_rtm::{Lifecycle, ReconnectPolicy, Rtm, RtmEvents, RtmIncoming};
use slack_testkit::{FakeSlack, RtmFault};

/// Waits a thousandth of what it is asked, so backoff takes no real time.
#[derive(Debug, Clone, Copy)]
struct FastSleeper;

impl Sleeper for FastSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        Box::pin(tokio::time::sleep(d / 1000))
    }
}

#[derive(Clone, Default)]
struct LogBuffer(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for LogBuffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

async fn next_lifecycle(events: &mut RtmEvents) -> Lifecycle {
    loop {
        let item = tokio::time::timeout(Duration::from_secs(10), events.next())
            .await
            .expect("no item from the RTM stream within 10 s")
            .expect("stream ended early");
        if let Ok(RtmIncoming::Lifecycle(l)) = item {
            return l;
        }
    }
}

#[tokio::test]
async fn lifecycle_is_logged_without_the_ticket() {
    let logs = LogBuffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let slack = FakeSlack::start().await;
    let hour = Duration::from_secs(3600);
    let (sender, mut events) = Rtm::builder()
        .sleeper(FastSleeper)
        .ping_interval(hour)
        .pong_timeout(hour)
        .ack_timeout(hour)
        .hello_timeout(hour)
        .reconnect_policy(ReconnectPolicy::default().jitter(0.0).max_attempts(Some(3)))
        .connect(&slack.client("xoxb-test"))
        .await
        .expect("connect");
    assert_eq!(next_lifecycle(&mut events).await, Lifecycle::Connected);
    slack.rtm_fault(RtmFault::Goodbye);
    while next_lifecycle(&mut events).await != Lifecycle::Reconnected {}
    sender.shutdown().await;

    let text = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    for needle in [
        "connected",
        "disconnected",
        "reconnecting",
        "reconnected",
        "shut down",
    ] {
        assert!(text.contains(needle), "no {needle:?} in logs:\n{text}");
    }
    assert!(text.contains("ws://127.0.0.1"), "{text}");
    assert!(!text.contains("ticket"), "the ticket leaked:\n{text}");
}
