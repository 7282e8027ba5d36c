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

#[tokio::test]
async fn one_fault_is_cleared_the_other_still_applies() {
    let slack = FakeSlack::start().await;
    let limited = slack
        .fault("chat.postMessage", Fault::rate_limited(30))
        .always();
    let unavailable = slack.fault("users.info", Fault::status(503)).always();
    let unavailable_id = unavailable.id().expect("a valid fault has an id");
    let post = [("channel", "C_GENERAL"), ("text", "x")];
    let user = [("user", "U_BOB")];
    assert_eq!(
        form(&slack, "chat.postMessage", Some(BOT), &post).await.0,
        429
    );
    assert_eq!(form(&slack, "users.info", Some(BOT), &user).await.0, 503);

    assert!(limited.clear(), "the fault was pending");
    ok(&slack, "chat.postMessage", &post).await;
    assert_eq!(form(&slack, "users.info", Some(BOT), &user).await.0, 503);

    assert!(slack.clear_fault(unavailable_id));
    assert!(!slack.clear_fault(unavailable_id), "already cleared");
    ok(&slack, "users.info", &user).await;
}

#[tokio::test]
async fn a_handle_names_its_fault_after_earlier_ones_are_used_up() {
    let slack = FakeSlack::start().await;
    slack.fault("auth.test", Fault::error("first"));
    let second = slack.fault("api.test", Fault::error("second")).times(2);
    err(&slack, "auth.test", &[], "first").await;
    // The first rule is gone; `times` and `clear` on the second still reach it.
    let second = second.after(1);
    ok(&slack, "api.test", &[]).await;
    err(&slack, "api.test", &[], "second").await;
    assert!(second.clear());
    ok(&slack, "api.test", &[]).await;
}

#[tokio::test]
async fn a_refused_fault_has_no_id_and_clears_nothing() {
    let slack = FakeSlack::start().await;
    slack.fault("auth.test", Fault::error("kept")).always();
    let refused = slack.fault("api.test", Fault::status(42));
    assert_eq!(refused.id(), None);
    assert!(!refused.clear());
    err(&slack, "auth.test", &[], "kept").await;
    assert_eq!(slack.problems().len(), 1);
    slack.reset();
}

#[tokio::test]
async fn clear_faults_keeps_the_journal_and_the_workspace() {
    let slack = FakeSlack::start().await;
    let posted = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "kept")],
    )
    .await;
    slack.fault("*", Fault::error("fatal_error")).always();
    err(&slack, "auth.test", &[], "fatal_error").await;

    slack.clear_faults();
    ok(&slack, "auth.test", &[]).await;
    let methods: Vec<String> = slack.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(methods, ["chat.postMessage", "auth.test", "auth.test"]);
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history["messages"][0]["ts"], posted["ts"]);
}

#[tokio::test]
async fn admin_api_clears_one_fault_or_all() {
    let slack = FakeSlack::start().await;
    let admin = |path: &'static str, body: serde_json::Value| {
        let slack = &slack;
        async move { admin(slack, path, Some(body)).await.1 }
    };
    let set = |method: &str, code: &str| serde_json::json!({"method": method, "fault": {"kind": "error", "code": code}, "times": "always"});
    let a = admin("fault", set("auth.test", "a")).await;
    let b = admin("fault", set("api.test", "b")).await;
    assert_ne!(a["id"], b["id"]);
    let cleared = admin("clear_fault", serde_json::json!({"id": a["id"]})).await;
    assert_eq!(cleared, serde_json::json!({"ok": true, "cleared": true}));
    ok(&slack, "auth.test", &[]).await;
    err(&slack, "api.test", &[], "b").await;
    assert_eq!(
        admin("clear_fault", serde_json::json!({"id": "x"})).await["ok"],
        false
    );

    assert_eq!(
        admin("clear_faults", serde_json::Value::Null).await["ok"],
        true
    );
    ok(&slack, "api.test", &[]).await;
    let methods: Vec<String> = slack.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        ["auth.test", "api.test", "api.test"],
        "the journal stays"
    );
}
