//! The RTM websocket face.

mod common;

use common::*;
use serde_json::json;
use slack_testkit::{FakeSlack, RtmFault, RtmScope};

#[tokio::test]
async fn hello_then_http_posts_arrive_as_events() {
    let slack = FakeSlack::start().await;
    let mut a = rtm(&slack).await;
    let mut b = rtm(&slack).await;
    assert_eq!(next(&mut a).await, json!({"type": "hello"}));
    assert_eq!(next(&mut b).await, json!({"type": "hello"}));
    slack.wait_for_rtm_clients(2).await;

    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "from http")],
    )
    .await;
    for ws in [&mut a, &mut b] {
        let ev = next(ws).await;
        assert_eq!(ev["type"], "message");
        assert_eq!(ev["channel"], "C_GENERAL");
        assert_eq!(ev["text"], "from http");
        assert_eq!(ev["user"], "U_BOT");
    }
    let ts = slack
        .post_as_user("U_ALICE", "C_GENERAL", "from alice")
        .await;
    let ev = next(&mut a).await;
    assert_eq!(
        (ev["user"].as_str(), ev["ts"].as_str()),
        (Some("U_ALICE"), Some(ts.as_str()))
    );
}

#[tokio::test]
async fn client_messages_are_acked_stored_and_forwarded() {
    let slack = FakeSlack::start().await;
    let mut a = rtm(&slack).await;
    let mut b = rtm(&slack).await;
    next(&mut a).await;
    next(&mut b).await;
    send(
        &mut a,
        json!({"id": 7, "type": "message", "channel": "C_GENERAL", "text": "over rtm"}),
    )
    .await;
    let ack = next(&mut a).await;
    assert_eq!(ack["ok"], true);
    assert_eq!(ack["reply_to"], 7);
    assert_eq!(ack["text"], "over rtm");
    let ev = next(&mut b).await;
    assert_eq!(ev["text"], "over rtm");
    assert_eq!(ev["ts"], ack["ts"]);
    let hist = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(hist["messages"][0]["text"], "over rtm");

    // Errors are replies too.
    send(
        &mut a,
        json!({"id": 8, "type": "message", "channel": "C_NOPE", "text": "x"}),
    )
    .await;
    let nack = next(&mut a).await;
    assert_eq!(
        (nack["ok"].clone(), nack["reply_to"].clone()),
        (json!(false), json!(8))
    );

    let frame = slack.wait_for_frame("message").await;
    assert_eq!(frame.json["id"], 7);
    assert_eq!(frame.connection, 1);
}

#[tokio::test]
async fn ping_pong_and_typing() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    next(&mut ws).await;
    send(
        &mut ws,
        json!({"id": 1, "type": "typing", "channel": "C_GENERAL"}),
    )
    .await;
    send(&mut ws, json!({"id": 2, "type": "ping", "time": 123})).await;
    let pong = next(&mut ws).await;
    assert_eq!(pong, json!({"type": "pong", "reply_to": 2, "time": 123}));
    assert_eq!(
        slack.wait_for_frame("typing").await.json["channel"],
        "C_GENERAL"
    );
}

#[tokio::test]
async fn push_event_reaches_every_client() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    next(&mut ws).await;
    slack.wait_for_rtm_clients(1).await;
    let n = slack
        .push_event(json!({"type": "user_typing", "channel": "C_GENERAL", "user": "U_BOB"}))
        .await;
    assert_eq!(n, 1);
    assert_eq!(next(&mut ws).await["type"], "user_typing");
}

#[tokio::test]
async fn rtm_faults() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    next(&mut ws).await;
    slack.wait_for_rtm_clients(1).await;

    slack.rtm_fault(RtmFault::UnknownEvent);
    assert_eq!(next(&mut ws).await["type"], "testkit_unknown_event");
    slack.rtm_fault(RtmFault::Malformed);
    let text = next_text(&mut ws).await.unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&text).is_err());
    slack.rtm_fault(RtmFault::ErrorFrame {
        code: 1,
        msg: "Socket URL has expired".into(),
    });
    assert_eq!(next(&mut ws).await["error"]["code"], 1);

    slack.rtm_fault(RtmFault::NoPong);
    send(&mut ws, json!({"id": 3, "type": "ping"})).await;
    slack.push_event(json!({"type": "marker"})).await;
    assert_eq!(
        next(&mut ws).await["type"],
        "marker",
        "no pong before the marker"
    );

    slack.rtm_fault(RtmFault::Goodbye);
    assert_eq!(next(&mut ws).await["type"], "goodbye");
    assert_eq!(
        next_text(&mut ws).await,
        None,
        "socket closed after goodbye"
    );

    let mut ws = rtm(&slack).await;
    next(&mut ws).await;
    slack.wait_for_rtm_clients(1).await;
    slack.rtm_fault(RtmFault::DropSocket);
    assert_eq!(next_text(&mut ws).await, None);
}

/// Sends a ping, then a frame without a type, which the fake answers with
/// an error naming its id (and sends nowhere else): that answer comes right
/// after the pong, or first when there is no pong. Returns whether the
/// ping was answered.
async fn answers_ping(ws: &mut Ws, id: u64) -> bool {
    send(ws, json!({"id": id, "type": "ping"})).await;
    send(ws, json!({"id": id + 1})).await;
    let first = next(ws).await;
    if first["type"] == "pong" {
        assert_eq!(first["reply_to"], id);
        assert_eq!(
            next(ws).await["reply_to"],
            id + 1,
            "the answer after the pong"
        );
        true
    } else {
        assert_eq!(first["reply_to"], id + 1, "the answer, no pong: {first}");
        false
    }
}

/// Opens a new RTM connection and reads its `hello`.
async fn connect(slack: &FakeSlack) -> Ws {
    let mut ws = rtm(slack).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    ws
}

#[tokio::test]
async fn no_pong_stays_on_its_connection_and_a_reconnect_is_healthy() {
    let slack = FakeSlack::start().await;
    let mut old = connect(&slack).await;
    slack.wait_for_rtm_clients(1).await;
    assert!(answers_ping(&mut old, 1).await);
    assert_eq!(slack.rtm_fault(RtmFault::NoPong), 1);
    assert!(!answers_ping(&mut old, 3).await);

    // The client gives up on the silent socket and reconnects.
    drop(old);
    let mut new = connect(&slack).await;
    assert!(answers_ping(&mut new, 5).await);
}

#[tokio::test]
async fn no_pong_for_all_reaches_the_reconnect() {
    let slack = FakeSlack::start().await;
    let mut old = connect(&slack).await;
    slack.wait_for_rtm_clients(1).await;
    assert_eq!(slack.rtm_fault_scoped(RtmFault::NoPong, RtmScope::All), 1);
    assert!(!answers_ping(&mut old, 1).await);
    drop(old);
    let mut new = connect(&slack).await;
    assert!(!answers_ping(&mut new, 3).await);
    let mut third = connect(&slack).await;
    assert!(!answers_ping(&mut third, 5).await);

    // clear_faults turns it off on open connections and for later ones.
    slack.clear_faults();
    assert!(answers_ping(&mut new, 7).await);
    let mut fourth = connect(&slack).await;
    assert!(answers_ping(&mut fourth, 9).await);
}

#[tokio::test]
async fn a_fault_for_the_next_connections_skips_the_open_one() {
    let slack = FakeSlack::start().await;
    let mut open = connect(&slack).await;
    slack.wait_for_rtm_clients(1).await;
    assert_eq!(
        slack.rtm_fault_scoped(RtmFault::NoPong, RtmScope::Next(2)),
        0
    );
    slack.rtm_fault_scoped(RtmFault::Goodbye, RtmScope::Next(1));
    assert!(answers_ping(&mut open, 1).await);

    // The first new connection gets both: goodbye right after hello.
    let mut first = rtm(&slack).await;
    assert_eq!(next(&mut first).await["type"], "hello");
    assert_eq!(next(&mut first).await["type"], "goodbye");
    assert_eq!(next_text(&mut first).await, None);

    // The second gets NoPong only, the third neither.
    let mut second = connect(&slack).await;
    assert!(!answers_ping(&mut second, 3).await);
    let mut third = connect(&slack).await;
    assert!(answers_ping(&mut third, 5).await);
    assert!(answers_ping(&mut open, 7).await);
}

#[tokio::test]
async fn admin_api_takes_an_rtm_scope() {
    let slack = FakeSlack::start().await;
    let fault = |body: serde_json::Value| {
        let slack = &slack;
        async move { admin(slack, "fault", Some(body)).await.1 }
    };
    let reply = fault(json!({"rtm": {"kind": "no_pong"}, "scope": {"next": 1}})).await;
    assert_eq!(reply, json!({"ok": true, "clients": 0}));
    let bad = fault(json!({"rtm": {"kind": "no_pong"}, "scope": "sometimes"})).await;
    assert_eq!(bad["ok"], false);
    let mut ws = connect(&slack).await;
    assert!(!answers_ping(&mut ws, 1).await);
    let mut healthy = connect(&slack).await;
    assert!(answers_ping(&mut healthy, 3).await);
}
