//! Through `slack_api::Client`: spec validation, typed calls, retries, recording.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::json;
use slack_testkit::record::Recorder;
use slack_testkit::{FakeSlack, Fault};

#[tokio::test]
async fn typed_calls_reach_the_fake() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let resp = client
        .chat()
        .post_message("C_GENERAL")
        .text("hello")
        .await
        .expect("post");
    assert_eq!(resp.channel.as_str(), "C_GENERAL");
    let call = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(call.arg("text"), Some("hello"));
    assert_eq!(call.token(), Some("xoxb-test"));
}

#[tokio::test]
async fn the_bot_from_the_issue_replies_in_thread() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    // A tiny bot: reads the latest message and answers in its thread.
    let ts = slack
        .post_as_user("U_ALICE", "C_GENERAL", "deploy please")
        .await;
    let history = client
        .call("conversations.history", &json!({"channel": "C_GENERAL"}))
        .await
        .unwrap();
    let latest = history["messages"][0]["ts"].as_str().unwrap().to_string();
    client
        .chat()
        .post_message("C_GENERAL")
        .text("deploying")
        .thread_ts(latest)
        .await
        .unwrap();
    let reply = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(reply.arg("thread_ts"), Some(ts.as_str()));
}

#[tokio::test]
async fn requests_are_validated_against_the_spec() {
    let slack = FakeSlack::start().await;
    // Required argument missing.
    let (_, body) = form(
        &slack,
        "chat.update",
        Some(BOT),
        &[("channel", "C_GENERAL")],
    )
    .await;
    assert_eq!(body["error"], "invalid_arguments");
    assert_eq!(
        body["response_metadata"]["messages"][0],
        "[ERROR] missing required field: ts"
    );
    // Wrong kind.
    let (_, body) = form(
        &slack,
        "conversations.history",
        Some(BOT),
        &[("channel", "C_GENERAL"), ("limit", "lots")],
    )
    .await;
    assert_eq!(body["error"], "invalid_arguments");
    // A user token where only app tokens go.
    let (_, body) = form(&slack, "apps.connections.open", Some("xoxp-1"), &[]).await;
    assert_eq!(body["error"], "not_allowed_token_type");
    // And through the client, as an API error.
    let err = client_err(
        &slack,
        "conversations.history",
        json!({"channel": "C_GENERAL", "limit": "lots"}),
    )
    .await;
    assert!(err.contains("invalid_arguments"), "{err}");
}

async fn client_err(slack: &FakeSlack, method: &str, args: serde_json::Value) -> String {
    match slack.client("xoxb-test").call(method, &args).await {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e.to_string(),
    }
}

#[derive(Debug, Default)]
struct RecordingSleeper(Mutex<Vec<Duration>>);

impl slack_api::web::retry::Sleeper for RecordingSleeper {
    fn sleep(&self, d: Duration) -> slack_api::web::retry::BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

#[tokio::test]
async fn retry_after_is_honoured_without_real_waiting() {
    let slack = FakeSlack::start().await;
    slack.fault("chat.postMessage", Fault::rate_limited(30));
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = slack
        .client_builder("xoxb-test")
        .sleeper(sleeper.clone())
        .build()
        .unwrap();
    client
        .chat()
        .post_message("C_GENERAL")
        .text("eventually")
        .await
        .expect("retried after 429");
    assert!(
        sleeper.0.lock().unwrap().contains(&Duration::from_secs(30)),
        "{:?}",
        sleeper.0.lock().unwrap()
    );
    assert_eq!(slack.calls_to("chat.postMessage").len(), 2);
}

#[tokio::test]
async fn record_then_replay_the_same_exchange() {
    let dir = std::env::temp_dir().join(format!("slack-testkit-record-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    // "Real" Slack: a simulating fake; the recorder watches the client.
    let live = FakeSlack::start().await;
    let recorder = Recorder::new(&dir);
    let client = live
        .client_builder("xoxb-live-SECRET")
        .observer(recorder.observer())
        .build()
        .unwrap();
    let recorded = client
        .call("conversations.info", &json!({"channel": "C_GENERAL"}))
        .await
        .unwrap();
    assert_eq!(recorder.written().len(), 1, "{:?}", recorder.errors());
    let text = std::fs::read_to_string(&recorder.written()[0]).unwrap();
    assert!(!text.contains("SECRET"));

    let replay = FakeSlack::replay(&dir).await;
    let replayed = replay
        .client("xoxb-other")
        .call("conversations.info", &json!({"channel": "C_GENERAL"}))
        .await
        .unwrap();
    assert_eq!(replayed, recorded);
    assert!(
        replay.calls()[0]
            .source
            .starts_with("fixture:conversations.info-")
    );

    // Missing-only mode leaves answered exchanges alone and adds new ones.
    let again = Recorder::new(&dir).missing_only();
    let client = live
        .client_builder("xoxb-live")
        .observer(again.observer())
        .build()
        .unwrap();
    client
        .call("conversations.info", &json!({"channel": "C_GENERAL"}))
        .await
        .unwrap();
    assert!(again.written().is_empty());
    client
        .call("users.info", &json!({"user": "U_BOB"}))
        .await
        .unwrap();
    assert_eq!(again.written().len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
