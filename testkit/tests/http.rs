//! The HTTP face: routing, decoding, tokens, validation, isolation.

mod common;

use common::*;
use serde_json::json;
use slack_testkit::{CredentialKind, FakeSlack};
use wiremock::matchers::path;
use wiremock::{Mock, ResponseTemplate};

#[tokio::test]
async fn base_url_ends_with_api_and_auth_test_answers() {
    let slack = FakeSlack::start().await;
    assert!(slack.api_base_url().ends_with("/api/"));
    let body = ok(&slack, "auth.test", &[]).await;
    assert_eq!(body["team_id"], "T0001");
    assert_eq!(body["team"], "Fake Team");
    assert_eq!(body["user_id"], "U_BOT");
    assert_eq!(body["bot_id"], "B_BOT");
}

#[tokio::test]
async fn tokens_are_taken_as_slack_takes_them() {
    let slack = FakeSlack::start().await;
    // No token at all.
    let (_, body) = form(&slack, "auth.test", None, &[]).await;
    assert_eq!(body["error"], "not_authed");
    // Not a Slack token.
    let (_, body) = form(&slack, "auth.test", Some("hunter2"), &[]).await;
    assert_eq!(body["error"], "invalid_auth");
    // A `token` form argument works and is not an argument.
    let (_, body) = form(&slack, "auth.test", None, &[("token", "xoxp-1-abc")]).await;
    assert_eq!(body["ok"], true);
    assert_eq!(body["user_id"], "U_ALICE");
    // A token in the query string works too.
    let resp = reqwest::Client::new()
        .get(format!("{}auth.test?token=xoxb-9", slack.api_base_url()))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["user_id"], "U_BOT");
    // A user token naming a seeded user acts as them.
    let (_, body) = form(&slack, "auth.test", Some(&slack.user_token("U_BOB")), &[]).await;
    assert_eq!(body["user_id"], "U_BOB");

    let calls = slack.calls_to("auth.test");
    let kinds: Vec<CredentialKind> = calls.iter().map(|c| c.token_kind).collect();
    assert_eq!(
        kinds,
        [
            CredentialKind::None,
            CredentialKind::Invalid,
            CredentialKind::User,
            CredentialKind::Bot,
            CredentialKind::User
        ]
    );
    assert_eq!(calls[2].token(), Some("xoxp-1-abc"));
    assert_eq!(calls[2].arg("token"), None);
}

#[tokio::test]
async fn http_basic_is_accepted_for_oauth_methods_only() {
    let slack = FakeSlack::builder()
        .fixture(
            slack_testkit::Fixture::from_json(
                r#"{"version":1,"method":"oauth.v2.access","match":{"token_kind":"basic"},
                    "response":{"body":{"ok":true,"access_token":"xoxb-from-fixture"}}}"#,
            )
            .unwrap(),
        )
        .start()
        .await;
    let http = reqwest::Client::new();
    let resp = http
        .post(format!("{}oauth.v2.access", slack.api_base_url()))
        .basic_auth("123.456", Some("s3cret"))
        .form(&[("code", "abc")])
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["ok"], true, "{body}");
    let resp = http
        .post(format!("{}auth.test", slack.api_base_url()))
        .basic_auth("123.456", Some("s3cret"))
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_auth");
}

#[tokio::test]
async fn unknown_methods_are_refused() {
    let slack = FakeSlack::start().await;
    let (_, body) = form(&slack, "chat.teleport", Some(BOT), &[]).await;
    assert_eq!(body["error"], "unknown_method");
}

#[tokio::test]
async fn json_bodies_and_forms_give_one_argument_map() {
    let slack = FakeSlack::start().await;
    let blocks = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]);
    let resp = reqwest::Client::new()
        .post(format!("{}chat.postMessage", slack.api_base_url()))
        .bearer_auth(BOT)
        .json(
            &json!({"channel": "C_GENERAL", "text": "hi", "blocks": blocks, "unfurl_links": false}),
        )
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["ok"], true, "{body}");
    assert_eq!(body["message"]["blocks"], blocks);
    ok(
        &slack,
        "chat.postMessage",
        &[
            ("channel", "C_GENERAL"),
            ("text", "again"),
            ("blocks", &blocks.to_string()),
        ],
    )
    .await;

    let calls = slack.calls_to("chat.postMessage");
    assert_eq!(calls[0].arg("channel"), Some("C_GENERAL"));
    assert_eq!(calls[0].arg("unfurl_links"), Some("false"));
    assert_eq!(calls[0].json_arg("blocks"), Some(blocks.clone()));
    assert_eq!(calls[1].json_arg("blocks"), Some(blocks));
}

#[tokio::test]
async fn malformed_json_body_is_an_error_not_a_panic() {
    let slack = FakeSlack::start().await;
    let resp = reqwest::Client::new()
        .post(format!("{}chat.postMessage", slack.api_base_url()))
        .bearer_auth(BOT)
        .header("content-type", "application/json")
        .body("{\"channel\": ")
        .send()
        .await
        .unwrap();
    let body: serde_json::Value = resp.json().await.unwrap();
    assert_eq!(body["error"], "invalid_json");
}

#[tokio::test]
async fn two_fakes_stay_apart() {
    let a = FakeSlack::start().await;
    let b = FakeSlack::start().await;
    assert_ne!(a.api_base_url(), b.api_base_url());
    assert_ne!(a.rtm_url(), b.rtm_url());
    ok(
        &a,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "only in a")],
    )
    .await;
    assert_eq!(a.calls().len(), 1);
    assert!(b.calls().is_empty());
    let hist = ok(&b, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(hist["messages"], json!([]));
}

#[tokio::test]
async fn dropping_frees_the_ports() {
    let slack = FakeSlack::start().await;
    let http = slack.mock_server().address().to_owned();
    let ws = slack.rtm_addr();
    drop(slack);
    // Wiremock stops its server thread asynchronously; give it a moment.
    for _ in 0..100 {
        if std::net::TcpListener::bind(http).is_ok() && std::net::TcpListener::bind(ws).is_ok() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("ports still bound after drop");
}

#[tokio::test]
async fn users_own_mocks_win_over_the_fake() {
    let slack = FakeSlack::start().await;
    Mock::given(path("/api/auth.test"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": false, "error": "account_inactive"})),
        )
        .mount(slack.mock_server())
        .await;
    let (_, body) = form(&slack, "auth.test", Some(BOT), &[]).await;
    assert_eq!(body["error"], "account_inactive");
    // Other methods still reach the fake.
    ok(&slack, "users.info", &[("user", "U_BOB")]).await;
}
