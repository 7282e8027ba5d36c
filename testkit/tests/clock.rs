//! The fake clock: a fixed start, moved only by the test; message `ts`,
//! `response_url` expiry and trigger ids follow it.

use std::time::{Duration, UNIX_EPOCH};

use serde_json::json;
use slack_testkit::FakeSlack;

mod common;
use common::{admin, ok};

fn unix(slack: &FakeSlack) -> f64 {
    slack
        .clock()
        .now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs_f64()
}

#[tokio::test]
async fn it_starts_at_a_fixed_epoch_and_moves_only_when_advanced() {
    let slack = FakeSlack::start().await;
    assert_eq!(unix(&slack), 1_700_000_000.0);
    slack.post_as_user("U_ALICE", "C_GENERAL", "hi").await;
    assert_eq!(unix(&slack), 1_700_000_000.0, "a message does not move it");
    slack.clock().advance(Duration::from_millis(3_500));
    assert_eq!(unix(&slack), 1_700_000_003.5);
    let seeded = FakeSlack::builder().seed(2).start().await;
    assert_eq!(unix(&seeded), 1_702_000_000.0);
}

#[tokio::test]
async fn messages_in_one_instant_get_increasing_ts_then_follow_the_clock() {
    let slack = FakeSlack::start().await;
    let a = slack.post_as_user("U_ALICE", "C_GENERAL", "one").await;
    let b = slack.post_as_user("U_ALICE", "C_GENERAL", "two").await;
    assert_eq!(
        (a.as_str(), b.as_str()),
        ("1700000001.000100", "1700000002.000100")
    );
    slack.clock().advance(Duration::from_secs(3600));
    let c = slack
        .post_as_user("U_ALICE", "C_GENERAL", "an hour later")
        .await;
    assert_eq!(c, "1700003601.000100");
    let posted = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "x")],
    )
    .await;
    assert_eq!(posted["ts"], "1700003602.000100");
    // Advancing less than the ts ran ahead keeps them increasing.
    slack.clock().advance(Duration::from_secs(1));
    let d = slack
        .post_as_user("U_ALICE", "C_GENERAL", "soon after")
        .await;
    assert_eq!(d, "1700003603.000100");
}

#[tokio::test]
async fn a_reset_sets_the_clock_back() {
    let slack = FakeSlack::start().await;
    slack.clock().advance(Duration::from_secs(60));
    slack.reset();
    assert_eq!(unix(&slack), 1_700_000_000.0);
}

#[tokio::test]
async fn the_admin_api_reads_and_advances_it() {
    let slack = FakeSlack::start().await;
    let now = reqwest::get(format!("{}/_testkit/clock", slack.uri()))
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(
        now,
        json!({"ok": true, "now": 1_700_000_000.0, "ts": "1700000000.000000"})
    );
    let (status, body) = admin(&slack, "clock/advance", Some(json!({"seconds": 3.5}))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body,
        json!({"ok": true, "now": 1_700_000_003.5, "ts": "1700000003.500000"})
    );
    assert_eq!(unix(&slack), 1_700_000_003.5);
    for bad in [
        json!({}),
        json!({"seconds": -1}),
        json!({"seconds": "soon"}),
    ] {
        let (status, body) = admin(&slack, "clock/advance", Some(bad.clone())).await;
        assert_eq!(status, 400, "{bad}: {body}");
    }
}

#[tokio::test]
async fn a_response_url_expires_after_thirty_minutes_of_the_clock() {
    use slack_testkit::SlashInvocation;
    let slack = FakeSlack::start().await;
    let app = wiremock::MockServer::start().await;
    wiremock::Mock::given(wiremock::matchers::method("POST"))
        .respond_with(wiremock::ResponseTemplate::new(200))
        .mount(&app)
        .await;
    let run = slack
        .invoke_slash_command(&app.uri(), SlashInvocation::new("/deploy", "", "secret"))
        .await
        .unwrap();
    let post = |text: &str| {
        reqwest::Client::new()
            .post(run.response_url())
            .json(&json!({"text": text}))
            .send()
    };
    slack.clock().advance(Duration::from_secs(30 * 60));
    assert_eq!(post("just in time").await.unwrap().status(), 200);
    slack.clock().advance(Duration::from_secs(1));
    assert_eq!(post("too late").await.unwrap().status(), 404);
    let posts = run.response_url_posts();
    assert_eq!(posts[1].error.as_deref(), Some("expired_url"));
}
