//! Slash commands: the fake invokes a real axum app and records what it answers.

mod common;

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use common::*;
use serde_json::json;
use slack_api::inbound::signing::Verifier;
use slack_api::inbound::slash::{ResponseUrlError, SlashCommand, SlashResponse};
use slack_testkit::{FakeSlack, RESPONSE_URL, SLASH_COMMAND, SlashInvocation, SlashInvokeError};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// Answers `/echo` ephemerally at once and, a moment later, in the channel.
async fn echo(cmd: SlashCommand) -> SlashResponse {
    let url = cmd.response_url();
    let text = cmd.text.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(20)).await;
        let _ = url
            .send(&SlashResponse::in_channel(format!("echo: {text}")))
            .await;
    });
    SlashResponse::ephemeral(format!("Working on `{}`", cmd.text))
}

/// Serves `router` on a free loopback port; returns its URL.
async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    format!("http://{addr}/slack/commands")
}

async fn echo_app() -> String {
    serve(
        Router::new()
            .route("/slack/commands", post(echo))
            .with_state(Verifier::new(SECRET)),
    )
    .await
}

#[tokio::test]
async fn round_trip_immediate_and_delayed_answers() {
    let slack = FakeSlack::start().await;
    let mut ws = rtm(&slack).await;
    assert_eq!(next(&mut ws).await["type"], "hello");
    slack.wait_for_rtm_clients(1).await;
    let app = echo_app().await;

    let run = slack
        .invoke_slash_command(
            &app,
            SlashInvocation::new("/echo", "hello world", SECRET)
                .user("U_BOB")
                .channel("C_DEV"),
        )
        .await
        .expect("invoked");
    assert_eq!(run.status, Some(200), "{run:?}");
    assert_eq!(run.error, None);
    assert_eq!(run.response_type(), "ephemeral");
    assert_eq!(run.text(), Some("Working on `hello world`"));
    assert_eq!(run.payload.command, "/echo");
    assert_eq!(run.payload.user_id.as_str(), "U_BOB");
    assert_eq!(run.payload.user_name, "bob");
    assert_eq!(run.payload.channel_name, "dev");
    assert!(
        run.response_url()
            .starts_with(&format!("{}/commands/T0001/", slack.uri()))
    );

    let post = run.wait_for_response_url_post().await;
    assert!(post.accepted(), "{post:?}");
    assert_eq!(post.status, 200);
    assert_eq!(post.response_type(), "in_channel");
    assert_eq!(post.text(), Some("echo: hello world"));
    let ts = post.ts.clone().expect("posted in the channel");

    // In-channel answers are real messages: over RTM and in history.
    let ev = next(&mut ws).await;
    assert_eq!(
        (
            ev["channel"].as_str(),
            ev["text"].as_str(),
            ev["ts"].as_str()
        ),
        (Some("C_DEV"), Some("echo: hello world"), Some(ts.as_str()))
    );
    let history = ok(&slack, "conversations.history", &[("channel", "C_DEV")]).await;
    assert_eq!(history["messages"][0]["text"], "echo: hello world");
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(1));

    let call = slack.wait_for_call(SLASH_COMMAND).await;
    assert_eq!(call.status, 200);
    assert_eq!(call.arg("text"), Some("hello world"));
    let call = slack.wait_for_call(RESPONSE_URL).await;
    assert!(call.ok());
    assert_eq!(call.arg("response_type"), Some("in_channel"));
    assert!(
        run.wait_for_response_url_post_timeout(Duration::from_millis(50))
            .await
            .is_none()
    );
}

#[tokio::test]
async fn a_bad_signature_is_refused_by_the_app() {
    let slack = FakeSlack::start().await;
    let app = echo_app().await;
    let run = slack
        .invoke_slash_command(&app, SlashInvocation::new("/echo", "x", "wrong secret"))
        .await
        .expect("invoked");
    assert_eq!(run.status, Some(401));
    assert_eq!(run.json, None);
    assert_eq!(run.text(), None);
}

#[tokio::test]
async fn immediate_in_channel_answers_are_posted_and_plain_text_counts_as_text() {
    let slack = FakeSlack::start().await;
    let app = serve(
        Router::new()
            .route(
                "/slack/commands",
                post(|cmd: SlashCommand| async move {
                    SlashResponse::in_channel(format!("deploying {}", cmd.text))
                }),
            )
            .route(
                "/slack/plain",
                post(|_: SlashCommand| async { "just text" }),
            )
            .with_state(Verifier::new(SECRET)),
    )
    .await;
    let run = slack
        .invoke_slash_command(&app, SlashInvocation::new("/deploy", "api", SECRET))
        .await
        .expect("invoked");
    assert_eq!(run.response_type(), "in_channel");
    let ts = run.ts.clone().expect("posted");
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history["messages"][0]["ts"], ts.as_str());
    assert_eq!(history["messages"][0]["text"], "deploying api");

    let plain = app.replace("/slack/commands", "/slack/plain");
    let run = slack
        .invoke_slash_command(&plain, SlashInvocation::new("/deploy", "api", SECRET))
        .await
        .expect("invoked");
    assert_eq!(
        (run.text(), run.response_type()),
        (Some("just text"), "ephemeral")
    );
    assert_eq!(run.ts, None);
}

#[tokio::test]
async fn the_fake_enforces_five_uses_and_the_time_window() {
    let slack = FakeSlack::start().await;
    let app = serve(
        Router::new()
            .route("/slack/commands", post(|_: SlashCommand| async { "" }))
            .with_state(Verifier::new(SECRET)),
    )
    .await;
    let run = slack
        .invoke_slash_command(&app, SlashInvocation::new("/x", "", SECRET))
        .await
        .expect("invoked");
    assert_eq!((run.status, run.text()), (Some(200), None));

    // Past the SDK's own guard, so the fake's limit is what answers.
    let url = slack_api::inbound::slash::ResponseUrl::new(run.response_url())
        .limits(10, Duration::from_secs(3600));
    for i in 0..5 {
        url.send(&SlashResponse::ephemeral(format!("update {i}")))
            .await
            .expect("within the limit");
    }
    match url.send(&SlashResponse::ephemeral("one too many")).await {
        Err(ResponseUrlError::Rejected { status, code }) => {
            assert_eq!((status, code.as_str()), (404, "used_url"));
        }
        other => panic!("expected used_url, got {other:?}"),
    }
    let posts = run.response_url_posts();
    assert_eq!(posts.len(), 6);
    assert!(posts[..5].iter().all(|p| p.accepted()));
    assert_eq!(posts[5].error.as_deref(), Some("used_url"));

    // A second command gets a fresh URL; an expired window answers expired_url.
    let run = slack
        .invoke_slash_command(&app, SlashInvocation::new("/x", "", SECRET))
        .await
        .expect("invoked");
    run.expire_response_url();
    let resp = reqwest::Client::new()
        .post(run.response_url())
        .json(&json!({"text": "late"}))
        .send()
        .await
        .expect("loopback");
    assert_eq!(resp.status(), 404);
    assert_eq!(
        resp.json::<serde_json::Value>().await.unwrap(),
        json!({"ok": false, "error": "expired_url"})
    );
}

#[tokio::test]
async fn response_url_payload_errors_replace_and_delete() {
    let slack = FakeSlack::start().await;
    let app = serve(
        Router::new()
            .route("/slack/commands", post(|_: SlashCommand| async { "" }))
            .with_state(Verifier::new(SECRET)),
    )
    .await;
    let run = slack
        .invoke_slash_command(&app, SlashInvocation::new("/x", "", SECRET))
        .await
        .expect("invoked");
    let http = reqwest::Client::new();
    let post = |body: &'static str| {
        http.post(run.response_url())
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    for (body, status, code) in [
        ("{oops", 400, "invalid_payload"),
        ("{}", 400, "no_text"),
        (r#"{"response_type": "in_channel"}"#, 400, "no_text"),
    ] {
        let resp = post(body).await.expect("loopback");
        assert_eq!(resp.status(), status, "{body}");
        let v: serde_json::Value = resp.json().await.unwrap();
        assert_eq!(v["error"], code, "{body}");
    }
    // Rejected posts do not use up the URL.
    assert!(run.response_url_posts().iter().all(|p| !p.accepted()));

    post(r#"{"response_type": "in_channel", "text": "v1"}"#)
        .await
        .unwrap();
    post(r#"{"replace_original": true, "text": "v2"}"#)
        .await
        .unwrap();
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history["messages"].as_array().map(Vec::len), Some(1));
    assert_eq!(history["messages"][0]["text"], "v2");
    post(r#"{"delete_original": true}"#).await.unwrap();
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history["messages"], json!([]));
    let accepted = run
        .response_url_posts()
        .iter()
        .filter(|p| p.accepted())
        .count();
    assert_eq!(accepted, 3);
}

#[tokio::test]
async fn setup_errors_and_unreachable_apps() {
    let slack = FakeSlack::start().await;
    let inv = || SlashInvocation::new("/x", "", SECRET);
    let cases = [
        (
            inv().user("U_NOBODY"),
            SlashInvokeError::UnknownUser("U_NOBODY".into()),
        ),
        (
            inv().channel("C_NOPE"),
            SlashInvokeError::UnknownChannel("C_NOPE".into()),
        ),
        (
            inv().user("U_BOB").channel("C_PRIVATE"),
            SlashInvokeError::NotInChannel {
                user: "U_BOB".into(),
                channel: "C_PRIVATE".into(),
            },
        ),
    ];
    for (inv, want) in cases {
        let got = slack
            .invoke_slash_command("http://127.0.0.1:9/", inv)
            .await
            .expect_err("refused");
        assert_eq!(got, want);
    }
    assert!(matches!(
        slack.invoke_slash_command("ftp://x", inv()).await,
        Err(SlashInvokeError::InvalidAppUrl(_))
    ));

    // Nothing listens on a just-freed port: Slack calls that dispatch_failed.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let run = slack
        .invoke_slash_command(&format!("http://127.0.0.1:{port}/"), inv())
        .await
        .expect("invoked");
    assert_eq!(
        (run.status, run.error.as_deref()),
        (None, Some("dispatch_failed"))
    );
}

#[tokio::test]
async fn a_slow_app_times_out_after_three_seconds() {
    let slack = FakeSlack::start().await;
    let app = serve(
        Router::new()
            .route(
                "/slack/commands",
                post(|_: SlashCommand| async {
                    tokio::time::sleep(Duration::from_secs(5)).await;
                    "too late"
                }),
            )
            .with_state(Verifier::new(SECRET)),
    )
    .await;
    let run = slack
        .invoke_slash_command(&app, SlashInvocation::new("/slow", "", SECRET))
        .await
        .expect("invoked");
    assert_eq!(
        (run.status, run.error.as_deref()),
        (None, Some("operation_timeout"))
    );
    let call = slack.wait_for_call(SLASH_COMMAND).await;
    assert_eq!(call.error(), Some("operation_timeout"));
}
