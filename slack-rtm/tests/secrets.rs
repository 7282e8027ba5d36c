//! No token and no websocket ticket reaches a log line or a `Debug`, with
//! everything captured at TRACE: `tracing` events, and the `log` records
//! tungstenite writes (as `tracing`'s `log` bridge would forward them).
//!
//! A test binary of its own: both the subscriber and the logger are
//! process-wide.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use serde_json::json;
use slack_rtm::socket_mode::{SocketMode, SocketModeIncoming};
use slack_rtm::{Lifecycle, ReconnectPolicy, Rtm, RtmIncoming};
use slack_testkit::{FakeSlack, RtmFault, SocketModeFault};

const BOT_TOKEN: &str = "xoxb-0000-secret-bot-token";
const APP_TOKEN: &str = "xapp-1-A0000-secret-app-token";
const WAIT: Duration = Duration::from_secs(10);

#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }
}

impl Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Forwards every `log` record into the capture, as `tracing-log` does.
struct LogBridge(Capture);

impl log::Log for LogBridge {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }

    fn log(&self, record: &log::Record<'_>) {
        let line = format!(
            "{} {}: {}\n",
            record.level(),
            record.target(),
            record.args()
        );
        self.0.0.lock().unwrap().extend_from_slice(line.as_bytes());
    }

    fn flush(&self) {}
}

fn capture() -> Capture {
    static CAPTURE: OnceLock<Capture> = OnceLock::new();
    CAPTURE
        .get_or_init(|| {
            let capture = Capture::default();
            let writer = capture.clone();
            let subscriber = tracing_subscriber::fmt()
                .with_max_level(tracing::Level::TRACE)
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .finish();
            tracing::subscriber::set_global_default(subscriber).unwrap();
            let bridge: &'static LogBridge = Box::leak(Box::new(LogBridge(capture.clone())));
            log::set_logger(bridge).unwrap();
            log::set_max_level(log::LevelFilter::Trace);
            capture
        })
        .clone()
}

/// Everything that holds a URL or a token and can be printed.
fn assert_clean(what: &str, shown: &str, tickets: &[String]) {
    for needle in [BOT_TOKEN, APP_TOKEN, "secret-bot-token", "secret-app-token"] {
        assert!(!shown.contains(needle), "{what} shows {needle:?}:\n{shown}");
    }
    for t in tickets {
        assert!(
            !shown.contains(t.as_str()),
            "{what} shows ticket {t:?}:\n{shown}"
        );
    }
    assert!(
        !shown.contains("ticket="),
        "{what} shows a ticket:\n{shown}"
    );
}

/// The tickets the fake handed out, read from its journal.
fn tickets(slack: &FakeSlack) -> Vec<String> {
    slack
        .calls()
        .iter()
        .filter_map(|c| c.response.get("url")?.as_str().map(str::to_owned))
        .filter_map(|u| {
            let u = url::Url::parse(&u).ok()?;
            u.query_pairs()
                .find(|(k, _)| k == "ticket")
                .map(|(_, v)| v.into_owned())
        })
        .collect()
}

#[tokio::test]
async fn no_token_or_ticket_in_logs_or_debug() {
    let capture = capture();
    let slack = FakeSlack::start().await;
    let mut shown = String::new();

    // RTM: connect with both methods, send, reconnect.
    for team_state in [false, true] {
        let (sender, mut events) = Rtm::builder()
            .team_state(team_state)
            .reconnect_policy(
                ReconnectPolicy::default()
                    .initial_delay(Duration::from_millis(10))
                    .jitter(0.0),
            )
            .connect(&slack.client(BOT_TOKEN))
            .await
            .expect("rtm connects");
        sender
            .send_message("C_GENERAL", "hello")
            .await
            .expect("sent");
        slack.rtm_fault(RtmFault::Goodbye);
        loop {
            let item = tokio::time::timeout(WAIT, events.next())
                .await
                .expect("items keep coming")
                .expect("stream goes on");
            shown.push_str(&format!("{item:?}\n"));
            if let Ok(RtmIncoming::Lifecycle(Lifecycle::Reconnected)) = item {
                break;
            }
        }
        shown.push_str(&format!(
            "{:?}\n{:?}\n{:?}\n{:?}\n",
            events.session(),
            events.team_state(),
            events,
            sender
        ));
        sender.shutdown().await;
    }

    // Socket Mode: connect, receive an envelope, refresh.
    let mut events = SocketMode::builder()
        .reconnect_policy(
            ReconnectPolicy::default()
                .initial_delay(Duration::from_millis(10))
                .jitter(0.0),
        )
        .connect(&slack.client(APP_TOKEN))
        .await
        .expect("socket mode connects");
    slack.wait_for_socket_mode_clients(1).await;
    slack.push_envelope(
        "events_api",
        json!({"type": "event_callback", "event_id": "Ev1", "event": {"type": "reaction_added"}}),
        false,
    );
    slack.socket_mode_fault(SocketModeFault::Disconnect {
        reason: "refresh_requested".into(),
        grace_millis: Some(200),
    });
    let mut envelopes = 0;
    let mut switched = false;
    while envelopes == 0 || !switched {
        let item = tokio::time::timeout(WAIT, events.next())
            .await
            .expect("items keep coming")
            .expect("stream goes on");
        shown.push_str(&format!("{item:?}\n"));
        match item {
            Ok(SocketModeIncoming::Envelope(_)) => envelopes += 1,
            Ok(SocketModeIncoming::Lifecycle {
                change: Lifecycle::Reconnected,
                ..
            }) => switched = true,
            _ => {}
        }
    }
    shown.push_str(&format!("{:?}\n{:?}\n", events, events.hello()));
    events.shutdown().await;

    let tickets = tickets(&slack);
    assert!(
        tickets.len() >= 6,
        "the fake handed out tickets: {tickets:?}"
    );
    assert_clean("Debug", &shown, &tickets);
    let logs = capture.text();
    // The capture did see the websocket layer at TRACE, and the client's lines.
    assert!(logs.contains("tungstenite"), "{logs}");
    assert!(logs.contains("opening websocket"), "{logs}");
    assert_clean("the logs", &logs, &tickets);
}
