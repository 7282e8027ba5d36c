//! Incoming webhooks on the fake, driven through `slack_api::message::webhook`.

mod common;

use common::*;
use serde_json::json;
use slack_api::block_kit::{Block, MessageContent, Mrkdwn};
use slack_api::message::webhook::{
    IncomingWebhook, WebhookError, WebhookErrorCode, WebhookMessage,
};
use slack_testkit::{FakeSlack, Fault, INCOMING_WEBHOOK};

#[tokio::test]
async fn post_lands_in_history_and_reaches_rtm_clients() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_rtm_clients(1).await;

    let url = slack.incoming_webhook_url("C_DEV");
    assert!(
        url.starts_with(&format!("{}/services/T0001/B", slack.uri())),
        "{url}"
    );
    let hook = IncomingWebhook::new(&url);
    let message = WebhookMessage::new(
        MessageContent::new()
            .text("Build green")
            .block(Block::header("Build #12"))
            .block(Block::section(Mrkdwn::new("*api* passed"))),
    )
    .username("ci")
    .icon_emoji(":robot_face:");
    hook.send(&message).await.expect("accepted");

    let ev = next(&mut ws).await;
    assert_eq!(ev["type"], "message");
    assert_eq!(ev["subtype"], "bot_message");
    assert_eq!(ev["channel"], "C_DEV");
    assert_eq!(ev["text"], "Build green");
    assert_eq!(ev["bot_id"], "B_BOT");
    assert_eq!(ev["blocks"][0]["type"], "header");
    assert_eq!(ev["username"], "ci");
    assert_eq!(ev["icons"]["emoji"], ":robot_face:");

    let history = ok(&slack, "conversations.history", &[("channel", "C_DEV")]).await;
    let stored = &history["messages"][0];
    assert_eq!(stored["text"], "Build green");
    assert_eq!(stored["ts"], ev["ts"]);
    assert_eq!(stored["blocks"][1]["text"]["text"], "*api* passed");

    let call = slack.wait_for_call(INCOMING_WEBHOOK).await;
    assert!(call.ok());
    assert_eq!(call.status, 200);
    assert_eq!(call.arg("channel"), Some("C_DEV"));
    assert_eq!(call.arg("text"), Some("Build green"));
    assert_eq!(call.arg("ts"), ev["ts"].as_str());
}

#[tokio::test]
async fn answers_ok_as_plain_text_and_threads_replies() {
    let slack = FakeSlack::start().await;
    let url = slack.incoming_webhook_url("C_GENERAL");
    let parent = slack.post_as_user("U_BOB", "C_GENERAL", "deploying?").await;
    let resp = reqwest::Client::new()
        .post(&url)
        .json(&json!({"text": "yes", "thread_ts": parent}))
        .send()
        .await
        .expect("loopback");
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(resp.text().await.unwrap(), "ok");
    let replies = ok(
        &slack,
        "conversations.replies",
        &[("channel", "C_GENERAL"), ("ts", &parent)],
    )
    .await;
    assert_eq!(replies["messages"][1]["text"], "yes");
    assert_eq!(replies["messages"][0]["reply_count"], 1);

    // The legacy form encoding: a `payload` field holding the JSON.
    let resp = reqwest::Client::new()
        .post(&url)
        .form(&[("payload", r#"{"text":"from a form"}"#)])
        .send()
        .await
        .expect("loopback");
    assert_eq!(resp.text().await.unwrap(), "ok");
}

/// Raw body in, (status, plain-text answer) out.
async fn raw_post(url: &str, body: &str) -> (u16, String) {
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", "application/json")
        .body(body.to_string())
        .send()
        .await
        .expect("loopback");
    (
        resp.status().as_u16(),
        resp.text().await.unwrap_or_default(),
    )
}

#[tokio::test]
async fn plain_text_errors() {
    let slack = FakeSlack::start().await;
    let good = slack.incoming_webhook_url("C_GENERAL");
    let gone = slack.incoming_webhook_url("C_DOES_NOT_EXIST");
    let archived = slack.incoming_webhook_url("C_ARCHIVED");
    let never = format!("{}/services/T0001/B99999999/notARealSecret", slack.uri());
    let cases: &[(&str, &str, u16, &str)] = &[
        (&good, "{not json", 400, "invalid_payload"),
        (&good, "[1, 2]", 400, "invalid_payload"),
        (&good, "{}", 400, "no_text"),
        (&good, r#"{"text": ""}"#, 400, "no_text"),
        (&good, r#"{"blocks": []}"#, 400, "no_text"),
        (
            &good,
            r#"{"text": "x", "blocks": [{"no": "type"}]}"#,
            400,
            "invalid_blocks",
        ),
        (
            &good,
            r#"{"text": "x", "blocks": "nope"}"#,
            400,
            "invalid_blocks",
        ),
        (&gone, r#"{"text": "hi"}"#, 404, "channel_not_found"),
        (&archived, r#"{"text": "hi"}"#, 410, "channel_is_archived"),
        (&never, r#"{"text": "hi"}"#, 404, "no_service"),
    ];
    for (url, body, status, code) in cases {
        assert_eq!(
            raw_post(url, body).await,
            (*status, code.to_string()),
            "{body}"
        );
        let call = slack.wait_for_call(INCOMING_WEBHOOK).await;
        assert_eq!(call.error(), Some(*code));
    }
    // None of them reached the channel.
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history["messages"], json!([]));
}

#[tokio::test]
async fn errors_are_typed_by_the_sdk() {
    let slack = FakeSlack::start().await;
    let hook = IncomingWebhook::new(slack.incoming_webhook_url("C_GENERAL"));
    match hook.send(&WebhookMessage::new(MessageContent::new())).await {
        Err(WebhookError::Rejected { status, code }) => {
            assert_eq!((status, code), (400, WebhookErrorCode::NoText));
        }
        other => panic!("expected no_text, got {other:?}"),
    }
    let unknown = IncomingWebhook::new(slack.incoming_webhook_url("C_NOPE"));
    match unknown.send(&"hi".into()).await {
        Err(WebhookError::Rejected { code, .. }) => {
            assert_eq!(code, WebhookErrorCode::ChannelNotFound);
        }
        other => panic!("expected channel_not_found, got {other:?}"),
    }
}

#[tokio::test]
async fn faults_apply_to_webhooks() {
    let slack = FakeSlack::start().await;
    let hook = IncomingWebhook::new(slack.incoming_webhook_url("C_GENERAL"));
    slack.fault(INCOMING_WEBHOOK, Fault::rate_limited(7));
    match hook.send(&"hi".into()).await {
        Err(WebhookError::RateLimited { retry_after }) => {
            assert_eq!(retry_after, Some(std::time::Duration::from_secs(7)));
        }
        other => panic!("expected rate limited, got {other:?}"),
    }
    slack.fault(INCOMING_WEBHOOK, Fault::error("action_prohibited"));
    match hook.send(&"hi".into()).await {
        Err(WebhookError::Rejected { status, code }) => {
            assert_eq!((status, code), (403, WebhookErrorCode::ActionProhibited));
        }
        other => panic!("expected action_prohibited, got {other:?}"),
    }
    // Faults for the Web API ("*") leave webhooks alone.
    slack.fault("*", Fault::status(500)).always();
    hook.send(&"hi".into()).await.expect("webhooks unaffected");
}
