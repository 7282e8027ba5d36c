//! Journal, waiting and expectations.

mod common;

use std::time::Duration;

use common::*;
use slack_testkit::FakeSlack;

#[tokio::test]
async fn wait_for_call_returns_successive_calls() {
    let slack = FakeSlack::start().await;
    let waiter = async {
        let first = slack.wait_for_call("chat.postMessage").await;
        let second = slack.wait_for_call("chat.postMessage").await;
        (first, second)
    };
    let poster = async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        ok(
            &slack,
            "chat.postMessage",
            &[("channel", "C_GENERAL"), ("text", "one")],
        )
        .await;
        ok(
            &slack,
            "chat.postMessage",
            &[("channel", "C_GENERAL"), ("text", "two")],
        )
        .await;
    };
    let ((first, second), ()) = tokio::join!(waiter, poster);
    assert_eq!(first.arg("text"), Some("one"));
    assert_eq!(second.arg("text"), Some("two"));
    assert_eq!(first.token(), Some(BOT));
    assert!(first.ok());
    assert!(
        !format!("{first:?}").contains(BOT),
        "Debug leaves the token out"
    );
}

#[tokio::test]
#[should_panic(expected = "no call to chat.update")]
async fn wait_for_call_times_out() {
    let slack = FakeSlack::start().await;
    slack
        .wait_for_call_timeout("chat.update", Duration::from_millis(50))
        .await;
}

#[tokio::test]
async fn expectations_pass_when_met() {
    let slack = FakeSlack::start().await;
    slack.expect("chat.postMessage").times(2);
    slack.expect("chat.delete").never();
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "a")],
    )
    .await;
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "b")],
    )
    .await;
    slack.verify().await;
}

#[tokio::test]
#[should_panic(expected = "expected exactly 2 call(s) to chat.postMessage, got 1")]
async fn verify_reports_unmet_expectations() {
    let slack = FakeSlack::start().await;
    slack.expect("chat.postMessage").times(2);
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "a")],
    )
    .await;
    slack.verify().await;
}

#[tokio::test]
#[should_panic(expected = "expected at least 1 call(s) to reactions.add, got 0")]
async fn drop_checks_expectations() {
    let slack = FakeSlack::start().await;
    slack.expect("reactions.add");
}

#[test]
fn drop_does_not_double_panic() {
    // A failing test body must not turn into an abort because the fake panics again on drop.
    let result = std::panic::catch_unwind(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let slack = FakeSlack::start().await;
            slack.expect("reactions.add");
            panic!("the test's own failure");
        })
    });
    let msg = result.unwrap_err();
    assert_eq!(msg.downcast_ref::<&str>(), Some(&"the test's own failure"));
}

#[tokio::test]
async fn journal_snapshot_is_stable_and_token_free() {
    let slack = FakeSlack::start().await;
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "hi")],
    )
    .await;
    err(
        &slack,
        "conversations.info",
        &[("channel", "C_NOPE")],
        "channel_not_found",
    )
    .await;
    let mut ws = rtm(&slack).await;
    next(&mut ws).await;
    send(&mut ws, serde_json::json!({"id": 1, "type": "ping"})).await;
    slack.wait_for_frame("ping").await;
    let snap = slack.journal_snapshot();
    assert_eq!(
        snap,
        "POST chat.postMessage [bot] {\"channel\":\"C_GENERAL\",\"text\":\"hi\"} -> 200 ok\n\
         POST conversations.info [bot] {\"channel\":\"C_NOPE\"} -> 200 error=channel_not_found\n\
         POST rtm.connect [bot] {} -> 200 ok\n\
         WS#1 {\"id\":1,\"type\":\"ping\"}\n"
    );
    assert!(!snap.contains("xoxb"));
}

async fn post_texts(slack: &FakeSlack, texts: &[&str]) {
    for t in texts {
        ok(
            slack,
            "chat.postMessage",
            &[("channel", "C_GENERAL"), ("text", t)],
        )
        .await;
    }
}

fn texts(calls: &[slack_testkit::Call]) -> Vec<&str> {
    calls.iter().map(|c| c.arg("text").unwrap()).collect()
}

#[tokio::test]
async fn a_test_journal_keeps_everything() {
    let slack = FakeSlack::start().await;
    let all: Vec<String> = (0..300).map(|i| format!("m{i}")).collect();
    post_texts(&slack, &all.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let calls = slack.calls();
    assert_eq!(calls.len(), 300);
    assert_eq!(
        calls.iter().map(|c| c.seq).collect::<Vec<_>>(),
        (0..300).collect::<Vec<_>>()
    );
    assert_eq!(
        slack.wait_for_call("chat.postMessage").await.arg("text"),
        Some("m0")
    );
}

#[tokio::test]
async fn a_capped_journal_keeps_the_newest_entries() {
    let slack = FakeSlack::builder().journal_limit(3).start().await;
    post_texts(&slack, &["a", "b"]).await;
    // Handed out before it was dropped.
    assert_eq!(
        slack.wait_for_call("chat.postMessage").await.arg("text"),
        Some("a")
    );
    post_texts(&slack, &["c", "d", "e"]).await;
    let calls = slack.calls();
    assert_eq!(texts(&calls), ["c", "d", "e"]);
    // Sequence numbers keep counting across drops.
    assert_eq!(calls.iter().map(|c| c.seq).collect::<Vec<_>>(), [2, 3, 4]);
    // "b" was dropped before anyone asked for it: the next wait skips to "c".
    assert_eq!(
        slack.wait_for_call("chat.postMessage").await.arg("text"),
        Some("c")
    );
    assert_eq!(
        slack.wait_for_call("chat.postMessage").await.arg("text"),
        Some("d")
    );
    assert_eq!(slack.journal_snapshot().lines().count(), 3);
    // Expectations count what is kept.
    slack.expect("chat.postMessage").times(3);
    slack.verify().await;

    // Reset empties the journal and keeps the cap.
    slack.reset();
    post_texts(&slack, &["f", "g", "h", "i"]).await;
    assert_eq!(texts(&slack.calls()), ["g", "h", "i"]);
    assert_eq!(slack.calls()[0].seq, 1);
}

#[tokio::test]
async fn a_journal_limit_of_zero_keeps_nothing() {
    let slack = FakeSlack::builder().journal_limit(0).start().await;
    post_texts(&slack, &["a", "b"]).await;
    assert!(slack.calls().is_empty());
    assert_eq!(slack.journal_snapshot(), "");
    // The workspace itself is not the journal: the messages are there.
    let hist = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(hist["messages"].as_array().unwrap().len(), 2);
}
