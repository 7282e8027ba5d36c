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

/// A fixture on `api.test` requiring `n` to be `want`; a form sends `n=sent`;
/// it must match or not, and a miss must name the difference.
async fn check(want: serde_json::Value, sent: &str, matches: bool) {
    let fixture = Fixture::from_json(
        &json!({
            "version": 1, "method": "api.test",
            "match": {"args": {"n": want}},
            "response": {"body": {"ok": true, "matched": true}}
        })
        .to_string(),
    )
    .unwrap();
    let slack = FakeSlack::builder()
        .simulate(false)
        .fixture(fixture)
        .start()
        .await;
    let (_, body) = form(&slack, "api.test", Some(BOT), &[("n", sent)]).await;
    let got = body["ok"] == true;
    assert_eq!(got, matches, "fixture {want} vs sent {sent:?}: {body}");
    if !matches {
        assert_eq!(body["nearest"], "(added in code)", "{body}");
        assert_eq!(
            body["differences"],
            json!([format!("n: expected {want}, got {}", json!(sent))]),
            "{body}"
        );
        slack.reset(); // the miss is expected
    }
}

#[tokio::test]
async fn fixture_values_compare_by_meaning() {
    // Numbers, in any spelling.
    check(json!(5), "5", true).await;
    check(json!(5), " 5", true).await;
    check(json!(5), "5.0", true).await;
    check(json!(1.5), "1.5", true).await;
    check(json!(5), "6", false).await;
    check(json!(5), "five", false).await;
    // Booleans: true/false and 1/0.
    check(json!(true), "true", true).await;
    check(json!(true), "1", true).await;
    check(json!(false), "false", true).await;
    check(json!(false), "0", true).await;
    check(json!(true), "false", false).await;
    check(json!(true), "yes", false).await;
    // Lists: a comma list or a JSON array, item by item.
    check(json!(["U1", "U2"]), "U1,U2", true).await;
    check(json!(["U1", "U2"]), "U1, U2", true).await;
    check(json!(["U1", "U2"]), r#"["U1","U2"]"#, true).await;
    check(json!([1, 2]), "1,2", true).await;
    check(json!([1, 2]), r#"["1","2"]"#, true).await;
    check(json!([]), "", true).await;
    check(json!(["U1", "U2"]), "U2,U1", false).await;
    check(json!(["U1", "U2"]), "U1", false).await;
    check(json!("U1,U2"), r#"["U1","U2"]"#, true).await;
    // JSON in a form field against a JSON value.
    check(
        json!({"a": 1, "b": [true]}),
        r#"{"b":[true],"a":1.0}"#,
        true,
    )
    .await;
    check(
        json!([{"type": "divider"}]),
        r#"[{"type":"divider"}]"#,
        true,
    )
    .await;
    check(
        json!(r#"[{"type":"divider"}]"#),
        r#"[ {"type": "divider"} ]"#,
        true,
    )
    .await;
    check(json!({"a": 1}), r#"{"a":2}"#, false).await;
    check(json!({"a": 1}), "a=1", false).await;
    // Strings are text.
    check(json!("5"), "5", true).await;
    check(json!("5"), "5.0", false).await;
    check(json!("hello, world"), "hello,world", false).await;
    check(json!(""), "", true).await;
    check(json!(null), "", true).await;
    check(json!(null), "x", false).await;
}

fn web_fixture_body(method: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fixtures/web")
        .join(format!("{method}.json"));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    v["response"]["body"].clone()
}

#[tokio::test]
async fn hand_written_fixtures_match_what_the_client_sends() {
    let d = dir("client-meaning");
    // GET: numbers and booleans in the query string, a list as a comma list.
    write(
        &d,
        "history.json",
        json!({
            "version": 1, "method": "conversations.history",
            "match": {"args": {"channel": "C_GENERAL", "limit": 5, "inclusive": true}},
            "response": {"body": web_fixture_body("conversations.history")}
        }),
    );
    write(
        &d,
        "list.json",
        json!({
            "version": 1, "method": "conversations.list",
            "match": {"args": {"types": ["public_channel", "private_channel"], "exclude_archived": true, "limit": 2}},
            "response": {"body": web_fixture_body("conversations.list")}
        }),
    );
    // JSON body: a boolean, JSON blocks and a list of users.
    write(
        &d,
        "post.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "match": {"args": {"channel": "C_GENERAL", "unfurl_links": false, "blocks": [{"type": "divider"}]}},
            "response": {"body": web_fixture_body("chat.postMessage")}
        }),
    );
    write(
        &d,
        "invite.json",
        json!({
            "version": 1, "method": "conversations.invite",
            "match": {"args": {"channel": "C_DEV", "users": ["U_BOB", "U_CAROL"]}},
            "response": {"body": web_fixture_body("conversations.invite")}
        }),
    );
    let slack = FakeSlack::replay(&d).await;
    let client = slack.client(BOT);
    client
        .conversations()
        .history("C_GENERAL")
        .limit(5)
        .inclusive(true)
        .await
        .unwrap();
    use slack_api::types::ConversationType;
    client
        .conversations()
        .list()
        .types([
            ConversationType::PublicChannel,
            ConversationType::PrivateChannel,
        ])
        .exclude_archived(true)
        .limit(2)
        .await
        .unwrap();
    client
        .chat()
        .post_message("C_GENERAL")
        .unfurl_links(false)
        .blocks([slack_api::block_kit::Block::divider()])
        .await
        .unwrap();
    client
        .conversations()
        .invite("C_DEV", ["U_BOB", "U_CAROL"])
        .await
        .unwrap();
    let sources: Vec<String> = slack.calls().iter().map(|c| c.source.clone()).collect();
    assert_eq!(
        sources,
        [
            "fixture:history.json",
            "fixture:list.json",
            "fixture:post.json",
            "fixture:invite.json"
        ]
    );
    slack.verify().await;
}

#[tokio::test]
async fn a_near_miss_names_the_difference_in_the_bots_error_and_in_verify() {
    let d = dir("near-miss");
    write(
        &d,
        "history.json",
        json!({
            "version": 1, "method": "conversations.history",
            "match": {"args": {"channel": "C_GENERAL", "limit": 5}},
            "response": {"body": web_fixture_body("conversations.history")}
        }),
    );
    let slack = FakeSlack::replay(&d).await;
    let client = slack.client(BOT);
    let err = client
        .conversations()
        .history("C_GENERAL")
        .limit(6)
        .await
        .unwrap_err();
    let slack_api::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.code_str(), "testkit_no_fixture");
    assert_eq!(
        api.messages(),
        [
            "nearest fixture: history.json",
            "limit: expected 5, got \"6\""
        ]
    );
    let shown = err.to_string();
    assert!(
        shown.contains("history.json") && shown.contains("limit: expected 5, got \"6\""),
        "{shown}"
    );
    // verify() fails naming the fixture and the difference.
    let verdict = tokio::spawn(async move { slack.verify().await }).await;
    let panic = verdict.expect_err("verify fails").into_panic();
    let message = panic.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(
        message.contains("no fixture answered conversations.history")
            && message.contains("nearest fixture: history.json")
            && message.contains("limit: expected 5, got \"6\""),
        "{message}"
    );
}

#[tokio::test]
async fn miss_reports_never_show_a_secret() {
    let d = dir("miss-secret");
    write(
        &d,
        "post.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "match": {"args": {"channel": "C_GENERAL", "text": "hello"}},
            "response": {"body": {"ok": true}}
        }),
    );
    let slack = FakeSlack::replay(&d).await;
    let leaked = "xoxb-1234-5678-leakedsecret";
    let (_, body) = form(
        &slack,
        "chat.postMessage",
        Some(BOT),
        &[
            ("channel", "C_GENERAL"),
            ("text", leaked),
            ("client_secret", "hunter2-client-secret"),
        ],
    )
    .await;
    assert_eq!(body["error"], "testkit_no_fixture");
    let problems = slack.problems().join("\n");
    for shown in [body.to_string(), problems.clone()] {
        assert!(!shown.contains("leakedsecret"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
    assert!(
        problems.contains(r#"text: expected "hello", got "xoxb-REDACTED""#),
        "{problems}"
    );
    slack.reset();
}

#[tokio::test]
async fn fixture_folders_are_searched_recursively() {
    let d = dir("nested");
    std::fs::create_dir_all(d.join("web/chat/deep")).unwrap();
    write(
        &d.join("web/chat/deep"),
        "post.json",
        json!({
            "version": 1, "method": "chat.postMessage",
            "response": {"body": {"ok": true, "channel": "C_GENERAL", "ts": "7.000007"}}
        }),
    );
    // Skipped at any depth: `_`-prefixed files and READMEs.
    std::fs::write(d.join("web/chat/_draft.json"), "not json").unwrap();
    std::fs::write(d.join("web/chat/deep/README.json"), "not json").unwrap();
    let slack = FakeSlack::replay(&d).await;
    let body = ok(&slack, "chat.postMessage", &[("channel", "C_GENERAL")]).await;
    assert_eq!(body["ts"], "7.000007");
    assert_eq!(slack.calls()[0].source, "fixture:web/chat/deep/post.json");
}
