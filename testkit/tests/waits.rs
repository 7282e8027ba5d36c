//! The waiting and asserting helpers: a failure names the test's line and
//! what arrived instead of what was awaited; and the waits that stand in for
//! sleeps (`expect_quiet`, `wait_for_all_acks`, `wait_for_rtm_connected`,
//! `wait_for_socket_mode_connected`).

mod common;

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::time::Duration;

use common::*;
use futures_util::FutureExt;
use serde_json::{Value, json};
use slack_testkit::{FakeSlack, RtmFault, SocketModeFault};

const APP_TOKEN: &str = "xapp-1-test";
const SHORT: Duration = Duration::from_millis(50);

/// Runs `fut`, which must panic, and returns the panic's message.
async fn panic_of<T>(fut: impl Future<Output = T>) -> String {
    let Err(payload) = AssertUnwindSafe(fut).catch_unwind().await else {
        panic!("expected a panic");
    };
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p
            .downcast::<&str>()
            .map(|s| s.to_string())
            .unwrap_or_default(),
    }
}

/// `file:line:` as `#[track_caller]` reports the given line of this file.
fn here(line: u32) -> String {
    format!("{}:{line}:", file!())
}

/// Calls `apps.connections.open` and returns the URL it hands out.
async fn open_url(slack: &FakeSlack) -> String {
    let (status, body) = form(slack, "apps.connections.open", Some(APP_TOKEN), &[]).await;
    assert_eq!((status, &body["ok"]), (200, &json!(true)), "{body}");
    body["url"].as_str().expect("url").to_string()
}

async fn connect(url: &str) -> Ws {
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connect");
    ws
}

// ----- finding: failures point at the test -----

#[tokio::test]
async fn a_timed_out_wait_names_the_test_line_and_the_calls_that_came() {
    let slack = FakeSlack::start().await;
    ok(&slack, "rtm.connect", &[]).await;
    ok(&slack, "rtm.connect", &[]).await;
    ok(&slack, "auth.test", &[]).await;
    slack.wait_for_call("rtm.connect").await;
    slack.wait_for_call("rtm.connect").await;
    // The third of three waits for the same method is the one that fails.
    let line = line!() + 1;
    let msg = panic_of(slack.wait_for_call_timeout("rtm.connect", SHORT)).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(msg.contains("no call to rtm.connect within 50ms"), "{msg}");
    assert!(
        msg.contains("2 call(s) to rtm.connect returned by earlier waits; calls since: auth.test"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_timed_out_frame_wait_names_the_line_and_the_frames_that_came() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    next(&mut ws).await; // hello
    send(&mut ws, json!({"id": 1, "type": "ping"})).await;
    send(
        &mut ws,
        json!({"id": 2, "type": "typing", "channel": "C_GENERAL"}),
    )
    .await;
    slack.wait_for_frame("typing").await;
    let line = line!() + 1;
    let msg = panic_of(slack.wait_for_frame_timeout("message", SHORT)).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(msg.contains("no `message` frame within 50ms"), "{msg}");
    assert!(
        msg.contains("frames since (connection, type): #1 ping, #1 typing"),
        "{msg}"
    );
}

#[tokio::test]
async fn verify_names_its_line_and_the_line_of_the_expectation() {
    let slack = FakeSlack::start().await;
    let expected_at = line!() + 1;
    slack.expect("chat.delete").never();
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "x")],
    )
    .await;
    let ts = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "y")],
    )
    .await["ts"]
        .as_str()
        .unwrap()
        .to_string();
    ok(
        &slack,
        "chat.delete",
        &[("channel", "C_GENERAL"), ("ts", &ts)],
    )
    .await;
    let line = line!() + 1;
    let msg = panic_of(slack.verify()).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(
        msg.contains(&format!(
            "expected exactly 0 call(s) to chat.delete, got 1 (expectation set at {}",
            here(expected_at)
        )),
        "{msg}"
    );
    // The fake would fail again when dropped; the test has seen the failure.
    slack.reset();
}

#[tokio::test]
async fn posting_as_a_stranger_names_the_test_line() {
    let slack = FakeSlack::start().await;
    let line = line!() + 1;
    let msg = panic_of(slack.post_as_user("U_NOBODY", "C_GENERAL", "hi")).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(msg.contains("U_NOBODY cannot post in C_GENERAL"), "{msg}");
}

// ----- expect_quiet -----

#[tokio::test]
async fn expect_quiet_fails_naming_the_call_that_came() {
    let slack = FakeSlack::start().await;
    for text in ["one", "two"] {
        ok(
            &slack,
            "chat.postMessage",
            &[("channel", "C_GENERAL"), ("text", text)],
        )
        .await;
    }
    let first = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(first.arg("text"), Some("one"));
    let line = line!() + 1;
    let msg = panic_of(slack.expect_quiet("chat.postMessage", Duration::from_secs(5))).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(
        msg.contains("expected no call to chat.postMessage within 5s, got #"),
        "{msg}"
    );
    assert!(msg.contains(r#""text":"two""#), "{msg}");
}

#[tokio::test]
async fn expect_quiet_fails_on_a_call_made_while_it_waits() {
    let slack = FakeSlack::start().await;
    let quiet = slack.expect_quiet("chat.postMessage", Duration::from_secs(5));
    let post = async {
        ok(
            &slack,
            "chat.postMessage",
            &[("channel", "C_GENERAL"), ("text", "late")],
        )
        .await;
    };
    let (msg, ()) = tokio::join!(panic_of(quiet), post);
    assert!(msg.contains(r#""text":"late""#), "{msg}");
}

#[tokio::test]
async fn expect_quiet_passes_when_every_call_was_waited_for() {
    let slack = FakeSlack::start().await;
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "one")],
    )
    .await;
    slack.wait_for_call("chat.postMessage").await;
    // Other methods do not count.
    ok(&slack, "auth.test", &[]).await;
    slack.expect_quiet("chat.postMessage", SHORT).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
}

// ----- wait_for_all_acks -----

/// Reads `n` envelopes from `ws` and acks those `ack` allows; returns the
/// socket (kept open) and the envelope IDs in order.
async fn read_and_ack(mut ws: Ws, n: usize, ack: impl Fn(usize) -> bool) -> (Ws, Vec<String>) {
    let mut ids = Vec::new();
    for i in 0..n {
        let env = next(&mut ws).await;
        let id = env["envelope_id"]
            .as_str()
            .expect("envelope_id")
            .to_string();
        if ack(i) {
            send(&mut ws, json!({ "envelope_id": id })).await;
        }
        ids.push(id);
    }
    (ws, ids)
}

#[tokio::test]
async fn wait_for_all_acks_returns_once_the_app_acked_everything() {
    let slack = FakeSlack::start().await;
    let mut ws = connect(&open_url(&slack).await).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    let sent: Vec<String> = (0..3)
        .map(|i| slack.push_envelope("events_api", json!({ "n": i }), false))
        .collect();
    // The app acks on its own time, in another task.
    let app = tokio::spawn(read_and_ack(ws, 3, |_| true));
    slack.wait_for_all_acks().await;
    assert_eq!(slack.pending_envelopes(), 0);
    let acked: Vec<Value> = slack
        .frames()
        .into_iter()
        .map(|f| f.json["envelope_id"].clone())
        .collect();
    assert_eq!(acked, sent.iter().map(|s| json!(s)).collect::<Vec<_>>());
    let (_ws, ids) = app.await.expect("app task");
    assert_eq!(ids, sent);
}

#[tokio::test]
async fn wait_for_all_acks_names_the_envelopes_left_unacked() {
    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_secs(60));
    let mut ws = connect(&open_url(&slack).await).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    let first = slack.push_envelope("events_api", json!({}), false);
    let second = slack.push_envelope("slash_commands", json!({}), true);
    let (_ws, _) = read_and_ack(ws, 2, |i| i == 0).await;
    slack.wait_for_ack(&first).await;
    let line = line!() + 1;
    let msg = panic_of(slack.wait_for_all_acks()).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(
        msg.contains(&format!("unacked: {second} (slash_commands)")),
        "{msg}"
    );
    assert!(!msg.contains(&first), "{msg}");
    assert!(msg.contains("1 Socket Mode connection(s) open"), "{msg}");
}

// ----- wait_for_rtm_connected -----

#[tokio::test]
async fn wait_for_rtm_connected_waits_for_the_url_handed_out_to_be_used() {
    let slack = FakeSlack::start().await;
    let url = ok(&slack, "rtm.connect", &[]).await["url"]
        .as_str()
        .expect("url")
        .to_string();
    // The client connects in its own time.
    let client = tokio::spawn(async move { connect(&url).await });
    slack.wait_for_rtm_connected().await;
    assert_eq!(slack.rtm_clients(), 1);
    let mut ws = client.await.expect("client task");
    assert_eq!(next(&mut ws).await["type"], "hello");
}

#[tokio::test]
async fn wait_for_rtm_connected_is_not_fooled_by_a_client_being_told_goodbye() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    slack.wait_for_rtm_connected().await;
    assert_eq!(slack.rtm_fault(RtmFault::Goodbye), 1);
    // The client asked for a new URL and has not used it yet.
    ok(&slack, "rtm.connect", &[]).await;
    let line = line!() + 1;
    let msg = panic_of(slack.wait_for_rtm_connected()).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(msg.contains("no stable RTM connection"), "{msg}");
    assert!(
        msg.contains("1 rtm.connect/rtm.start URL(s) not used yet"),
        "{msg}"
    );
    assert_eq!(next(&mut ws).await["type"], "hello");
    assert_eq!(next(&mut ws).await["type"], "goodbye");
}

// ----- wait_for_socket_mode_connected -----

#[tokio::test]
async fn wait_for_socket_mode_connected_waits_for_the_url_handed_out_to_be_used() {
    let slack = FakeSlack::start().await;
    let url = open_url(&slack).await;
    let app = tokio::spawn(async move { connect(&url).await });
    slack.wait_for_socket_mode_connected().await;
    assert_eq!(slack.socket_mode_clients(), 1);
    let mut ws = app.await.expect("app task");
    assert_eq!(next(&mut ws).await["type"], "hello");
}

#[tokio::test]
async fn a_silent_socket_mode_connection_is_not_connected() {
    let slack = FakeSlack::start().await;
    let mut ws = connect(&open_url(&slack).await).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_socket_mode_connected().await;
    assert_eq!(slack.socket_mode_fault(SocketModeFault::Silent), 1);
    let line = line!() + 1;
    let msg = panic_of(slack.wait_for_socket_mode_connected()).await;
    assert!(msg.contains(&here(line)), "{msg}");
    assert!(
        msg.contains("0 live, 1 told to disconnect or silent"),
        "{msg}"
    );
}
