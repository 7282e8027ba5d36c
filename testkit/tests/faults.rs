//! Injected HTTP faults.

mod common;

use std::time::{Duration, Instant};

use common::*;
use slack_testkit::{FakeSlack, Fault, InvalidFault};

#[tokio::test]
async fn rate_limit_once_then_normal() {
    let slack = FakeSlack::start().await;
    slack.fault("chat.postMessage", Fault::rate_limited(30));
    let resp = reqwest::Client::new()
        .post(format!("{}chat.postMessage", slack.api_base_url()))
        .bearer_auth(BOT)
        .form(&[("channel", "C_GENERAL"), ("text", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "30");
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "ratelimited");
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "x")],
    )
    .await;
}

#[tokio::test]
async fn counts_skip_and_wildcards() {
    let slack = FakeSlack::start().await;
    slack
        .fault("users.info", Fault::status(503))
        .after(1)
        .times(2);
    let args = [("user", "U_BOB")];
    assert_eq!(form(&slack, "users.info", Some(BOT), &args).await.0, 200);
    assert_eq!(
        form(&slack, "users.info", Some(BOT), &args).await,
        (503, serde_json::Value::Null)
    );
    assert_eq!(form(&slack, "users.info", Some(BOT), &args).await.0, 503);
    assert_eq!(form(&slack, "users.info", Some(BOT), &args).await.0, 200);

    slack.fault("*", Fault::error("fatal_error")).always();
    err(&slack, "auth.test", &[], "fatal_error").await;
    err(&slack, "users.info", &args, "fatal_error").await;
    slack.reset();
    ok(&slack, "auth.test", &[]).await;
}

#[tokio::test]
async fn delay_answers_late() {
    let slack = FakeSlack::start().await;
    slack.fault("auth.test", Fault::delay(Duration::from_millis(150)));
    let start = Instant::now();
    ok(&slack, "auth.test", &[]).await;
    assert!(start.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn reset_drops_the_connection() {
    let slack = FakeSlack::start().await;
    slack.fault("auth.test", Fault::Reset);
    let result = reqwest::Client::new()
        .post(format!("{}auth.test", slack.api_base_url()))
        .bearer_auth(BOT)
        .send()
        .await;
    assert!(
        result.is_err(),
        "expected a transport error, got {result:?}"
    );
    let calls = slack.calls_to("auth.test");
    assert_eq!((calls.len(), calls[0].source.as_str()), (1, "fault"));
    ok(&slack, "auth.test", &[]).await;
}

#[tokio::test]
async fn a_status_no_response_can_carry_is_refused_when_set() {
    let slack = FakeSlack::start().await;
    assert_eq!(
        slack.try_fault("api.test", Fault::status(1000)).err(),
        Some(InvalidFault::Status { status: 1000 })
    );
    // `fault` reports it instead of setting it; the method keeps answering.
    slack.fault("api.test", Fault::status(42)).always();
    let (status, body) = form(&slack, "api.test", None, &[]).await;
    assert_eq!((status, &body["ok"]), (200, &serde_json::json!(true)));
    assert_eq!(
        slack.problems(),
        ["fault for api.test not set: status 42 is not a final HTTP status (200 to 999)"]
    );
    slack.reset();
    assert!(slack.problems().is_empty());
    assert!(slack.try_fault("api.test", Fault::status(599)).is_ok());
    assert_eq!(form(&slack, "api.test", None, &[]).await.0, 599);
}
