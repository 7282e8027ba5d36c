//! Resets, whole or in part, and sockets whose URL was handed out before one.

mod common;

use common::*;
use serde_json::json;
use slack_testkit::{FakeSlack, Fault};

const APP_TOKEN: &str = "xapp-1-test";

async fn url_from(slack: &FakeSlack, method: &str, token: &str) -> String {
    let (status, body) = form(slack, method, Some(token), &[]).await;
    assert_eq!((status, &body["ok"]), (200, &json!(true)), "{body}");
    body["url"].as_str().expect("url").to_string()
}

async fn open_ws(url: &str) -> Ws {
    tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connect")
        .0
}

#[tokio::test]
async fn an_rtm_url_handed_out_before_a_reset_is_refused() {
    let slack = FakeSlack::start().await;
    let old = url_from(&slack, "rtm.connect", BOT).await;
    slack.reset();

    let mut ws = open_ws(&old).await;
    assert_eq!(
        next(&mut ws).await,
        json!({"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}})
    );
    assert_eq!(next_text(&mut ws).await, None, "closed after the error");
    assert_eq!(slack.rtm_clients(), 0);
    assert!(slack.frames().is_empty());

    // A URL from after the reset connects as usual.
    let mut ws = rtm(&slack).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_rtm_connected().await;
    assert_eq!(slack.rtm_clients(), 1);
}

#[tokio::test]
async fn an_rtm_socket_open_before_a_reset_is_closed_by_it() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_rtm_clients(1).await;
    slack.reset();
    assert_eq!(next_text(&mut ws).await, None);
    assert_eq!(slack.rtm_clients(), 0);
}

#[tokio::test]
async fn a_socket_mode_url_handed_out_before_a_reset_is_refused() {
    let slack = FakeSlack::start().await;
    let old = url_from(&slack, "apps.connections.open", APP_TOKEN).await;
    slack.reset();

    let mut ws = open_ws(&old).await;
    assert_eq!(next_text(&mut ws).await, None, "closed without hello");
    assert_eq!(slack.socket_mode_clients(), 0);

    let fresh = url_from(&slack, "apps.connections.open", APP_TOKEN).await;
    let mut ws = open_ws(&fresh).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_socket_mode_connected().await;
    assert_eq!(slack.socket_mode_clients(), 1);
}

#[tokio::test]
async fn reset_journal_keeps_the_workspace_and_the_faults() {
    let slack = FakeSlack::start().await;
    let posted = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "kept")],
    )
    .await;
    slack.fault("api.test", Fault::error("still_here")).always();
    slack.reset_journal();
    assert!(slack.calls().is_empty());

    err(&slack, "api.test", &[], "still_here").await;
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history["messages"][0]["ts"], posted["ts"]);
    let methods: Vec<String> = slack.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["api.test", "conversations.history"]);
    // The waits start over with the new journal.
    assert_eq!(slack.wait_for_call("api.test").await.method, "api.test");
}

#[tokio::test]
async fn reset_workspace_keeps_the_journal_and_the_faults() {
    let slack = FakeSlack::start().await;
    let before = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "gone after the reset")],
    )
    .await;
    let mut ws = rtm(&slack).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_rtm_clients(1).await;
    slack.fault("api.test", Fault::error("still_here")).always();

    slack.reset_workspace();
    assert_eq!(next_text(&mut ws).await, None, "connections are closed");
    let after = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(after["messages"], before["messages"]);
    err(&slack, "api.test", &[], "still_here").await;
    let methods: Vec<String> = slack.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        [
            "conversations.history",
            "chat.postMessage",
            "rtm.connect",
            "conversations.history",
            "api.test"
        ]
    );
}

#[tokio::test]
async fn admin_api_resets_the_journal_or_the_workspace() {
    let slack = FakeSlack::start().await;
    let admin = |path: &'static str| {
        let slack = &slack;
        async move { admin(slack, path, None).await.1 }
    };
    let old = url_from(&slack, "rtm.connect", BOT).await;
    assert_eq!(admin("reset_journal").await["ok"], true);
    assert!(slack.calls().is_empty());
    // The journal reset leaves the ticket good.
    let mut ws = open_ws(&old).await;
    assert_eq!(next(&mut ws).await["type"], "hello");

    assert_eq!(admin("reset_workspace").await["ok"], true);
    assert_eq!(next_text(&mut ws).await, None);
    let mut ws = open_ws(&old).await;
    assert_eq!(
        next(&mut ws).await["error"]["msg"],
        "Socket URL has expired"
    );
}
