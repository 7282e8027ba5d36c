//! Scrubbing and the refusal to save secrets.

use std::collections::BTreeMap;

use serde_json::json;
use slack_testkit::record::{Exchange, RecordError, Recorder, find_secret, save, scrub, scrub_str};
use slack_testkit::{Fixture, FixtureResponse, Matcher};

#[test]
fn scrub_cases() {
    let check = |input: &str, expected: &str| assert_eq!(scrub_str(input), expected, "{input}");
    check("xoxb-123-456-abcDEF", "xoxb-REDACTED");
    check(
        "token xoxp-1-2 and xapp-1-A1-2-ff",
        "token xoxp-REDACTED and xapp-REDACTED",
    );
    check("xoxe.xoxp-1-abc", "xoxe.xoxp-REDACTED");
    check(
        "https://hooks.slack.com/services/T1/B2/xyz",
        "https://hooks.slack.com/REDACTED",
    );
    check("xoxb-REDACTED", "xoxb-REDACTED");
    check("no secrets, xoxo", "no secrets, xoxo");
}

#[test]
fn scrub_json_by_key_and_value() {
    let mut v = json!({
        "ok": true,
        "access_token": "xoxb-17-abc",
        "client_secret": "3f9a",
        "incoming_webhook": {"url": "https://hooks.slack.com/services/T/B/C", "channel": "#general"},
        "response_url": "https://example.com/respond/1",
        "authed_user": {"access_token": "xoxp-9-zz"},
    });
    scrub(&mut v);
    assert_eq!(v["access_token"], "xoxb-REDACTED");
    assert_eq!(v["client_secret"], "REDACTED");
    assert_eq!(
        v["incoming_webhook"]["url"],
        "https://hooks.slack.com/REDACTED"
    );
    assert_eq!(v["incoming_webhook"]["channel"], "#general");
    assert_eq!(v["response_url"], "https://hooks.slack.com/REDACTED");
    assert_eq!(v["authed_user"]["access_token"], "xoxp-REDACTED");
    assert_eq!(find_secret(&v.to_string()), None);
}

#[test]
fn save_refuses_a_fixture_with_a_secret() {
    let dir = std::env::temp_dir().join(format!("slack-testkit-secret-{}", std::process::id()));
    let fixture = Fixture {
        version: 1,
        method: "auth.test".into(),
        matcher: Matcher::default(),
        response: FixtureResponse {
            status: 200,
            headers: BTreeMap::new(),
            body: json!({"ok": true, "note": "xoxb-1-leak"}),
        },
        description: None,
        file: String::new(),
    };
    match save(&dir, &fixture) {
        Err(RecordError::Secret { kind, .. }) => assert_eq!(kind, "token"),
        other => panic!("expected a refusal, got {other:?}"),
    }
    assert!(!dir.exists() || std::fs::read_dir(&dir).unwrap().next().is_none());
}

#[test]
fn recorded_fixtures_drop_secret_arguments() {
    let dir = std::env::temp_dir().join(format!("slack-testkit-oauth-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let rec = Recorder::new(&dir);
    let args = BTreeMap::from([
        ("client_id".to_string(), "123.456".to_string()),
        ("client_secret".to_string(), "abcdef".to_string()),
        ("code".to_string(), "temp-code".to_string()),
    ]);
    let path = rec
        .record(&Exchange {
            method: "oauth.v2.access".into(),
            args,
            token_kind: None,
            status: 200,
            headers: vec![
                ("Retry-After".into(), "1".into()),
                ("X-Slack-Req-Id".into(), "abc".into()),
            ],
            body: br#"{"ok":true,"access_token":"xoxb-1-2-3","team":{"id":"T1"}}"#.to_vec(),
        })
        .unwrap()
        .unwrap();
    let text = std::fs::read_to_string(&path).unwrap();
    let f = Fixture::from_json(&text).unwrap();
    assert_eq!(f.matcher.args.keys().collect::<Vec<_>>(), ["client_id"]);
    assert_eq!(
        f.response.headers,
        BTreeMap::from([("retry-after".to_string(), "1".to_string())])
    );
    assert_eq!(f.response.body["access_token"], "xoxb-REDACTED");
    let _ = std::fs::remove_dir_all(&dir);
}
