//! Replay from fixtures and RTM transcripts.

mod common;

use std::path::PathBuf;

use common::*;
use serde_json::json;
use slack_testkit::{FakeSlack, Fixture};

fn dir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("slack-testkit-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn write(d: &std::path::Path, file: &str, v: serde_json::Value) {
    std::fs::write(d.join(file), serde_json::to_string_pretty(&v).unwrap()).unwrap();
}

#[tokio::test]
async fn fixtures_match_by_argument_subset_and_meaning() {
    let d = dir("match");
    let blocks = json!([{"type": "section", "text": {"type": "plain_text", "text": "hi"}}]);
    write(
        &d,
        "post_general.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "match": {"args": {"channel": "C123"}, "token_kind": "bot"},
            "response": {"status": 200, "body": {"ok": true, "channel": "C123", "ts": "1.000001"}}
        }),
    );
    write(
        &d,
        "post_blocks.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "match": {"args": {"channel": "C123", "blocks": blocks}},
            "response": {"body": {"ok": true, "channel": "C123", "ts": "2.000002"}}
        }),
    );
    write(
        &d,
        "limited.json",
        json!({
            "version": 1, "method": "users.list",
            "response": {"status": 429, "headers": {"Retry-After": "7"}, "body": {"ok": false, "error": "ratelimited"}}
        }),
    );
    let slack = FakeSlack::replay(&d).await;
    let body = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C123"), ("text", "x")],
    )
    .await;
    assert_eq!(body["ts"], "1.000001");
    // The more specific fixture wins; blocks sent as a form string compare by meaning.
    let compact = blocks.to_string();
    let body = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C123"), ("blocks", &compact)],
    )
    .await;
    assert_eq!(body["ts"], "2.000002");
    let resp = reqwest::Client::new()
        .post(format!("{}users.list", slack.api_base_url()))
        .bearer_auth(BOT)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 429);
    assert_eq!(resp.headers()["retry-after"], "7");
    assert!(slack.calls()[0].source.starts_with("fixture:post_general"));
    slack.verify().await;
}

#[tokio::test]
async fn a_miss_explains_itself_and_fails_verification() {
    let d = dir("miss");
    write(
        &d,
        "post.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "match": {"args": {"channel": "C123", "text": "hello"}},
            "response": {"body": {"ok": true}}
        }),
    );
    let slack = FakeSlack::replay(&d).await;
    let (_, body) = form(
        &slack,
        "chat.postMessage",
        Some(BOT),
        &[("channel", "C999"), ("text", "hello")],
    )
    .await;
    assert_eq!(body["error"], "testkit_no_fixture");
    assert_eq!(body["nearest"], "post.json");
    assert_eq!(
        body["differences"],
        json!(["channel: expected \"C123\", got \"C999\""])
    );
    let problems = slack.problems();
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].contains("no fixture answered chat.postMessage"),
        "{problems:?}"
    );
    slack.reset(); // clears the misses so the drop check passes
}

#[tokio::test]
async fn fixtures_come_before_the_simulator() {
    let f = Fixture::from_json(
        r#"{"version":1,"method":"auth.test","response":{"body":{"ok":true,"user_id":"U_FIXTURE","team_id":"T9"}}}"#,
    )
    .unwrap();
    let slack = FakeSlack::builder().fixture(f).start().await;
    assert_eq!(ok(&slack, "auth.test", &[]).await["user_id"], "U_FIXTURE");
    // Everything else is simulated.
    assert_eq!(
        ok(&slack, "users.info", &[("user", "U_BOB")]).await["user"]["id"],
        "U_BOB"
    );
}

#[tokio::test]
async fn bad_fixture_versions_are_refused() {
    let d = dir("version");
    write(
        &d,
        "old.json",
        json!({"version": 99, "method": "auth.test", "response": {"body": {"ok": true}}}),
    );
    let err = FakeSlack::builder()
        .fixtures_dir(&d)
        .try_start()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("unsupported version 99"), "{err}");
}

#[tokio::test]
async fn rtm_transcripts_replay_anchored_to_client_frames_and_calls() {
    let d = dir("rtm");
    write(
        &d,
        "connect.json",
        json!({
            "version": 1, "method": "rtm.connect",
            "response": {"body": {"ok": true, "url": "wss://wss-primary.slack.com/websocket/REDACTED",
                                  "self": {"id": "U_BOT", "name": "fakebot"}, "team": {"id": "T0001", "name": "Fake Team", "domain": "fake-team"}}}
        }),
    );
    write(
        &d,
        "post.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "response": {"body": {"ok": true, "channel": "C_GENERAL", "ts": "1700000009.000100"}}
        }),
    );
    write(
        &d,
        "session.json",
        json!({
            "version": 1, "kind": "rtm",
            "steps": [
                {"send": {"type": "hello"}},
                {"send": {"type": "message", "channel": "C_GENERAL", "user": "U_ALICE", "text": "deploy please", "ts": "1700000001.000100"}},
                {"expect_call": {"method": "chat.postMessage", "args": {"thread_ts": "1700000001.000100"}}},
                {"send": {"type": "reaction_added", "user": "U_ALICE", "reaction": "+1"}},
                {"expect_client": {"type": "message", "text": "done"}},
                {"send": {"ok": true, "reply_to": "$id", "ts": "1700000010.000100", "text": "done"}},
                {"close": true}
            ]
        }),
    );
    let slack = FakeSlack::replay(&d).await;
    let body = ok(&slack, "rtm.connect", &[]).await;
    assert!(
        body["url"].as_str().unwrap().starts_with(&slack.rtm_url()),
        "URL rewritten to this fake"
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(body["url"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(next(&mut ws).await["type"], "hello");
    let msg = next(&mut ws).await;
    assert_eq!(msg["text"], "deploy please");
    ok(
        &slack,
        "chat.postMessage",
        &[
            ("channel", "C_GENERAL"),
            ("text", "on it"),
            ("thread_ts", "1700000001.000100"),
        ],
    )
    .await;
    assert_eq!(next(&mut ws).await["type"], "reaction_added");
    send(
        &mut ws,
        json!({"id": 42, "type": "message", "channel": "C_GENERAL", "text": "done"}),
    )
    .await;
    let ack = next(&mut ws).await;
    assert_eq!(
        (ack["reply_to"].clone(), ack["ok"].clone()),
        (json!(42), json!(true))
    );
    assert_eq!(
        next_text(&mut ws).await,
        None,
        "transcript closes the socket"
    );
}
