//! `chat.scheduleMessage` and friends: posted when the fake clock reaches `post_at`.

use std::time::Duration;

use serde_json::json;
use slack_testkit::FakeSlack;

mod common;
use common::{err, ok};

const NOW: u64 = 1_700_000_000;

fn history_texts(body: &serde_json::Value) -> Vec<String> {
    body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn a_scheduled_message_is_posted_when_the_clock_reaches_post_at() {
    let slack = FakeSlack::start().await;
    let chat = slack.client("xoxb-test").chat();
    let scheduled = chat
        .schedule_message("C_GENERAL", NOW as i64 + 60)
        .text("standup in 5")
        .await
        .unwrap();
    let id = scheduled.scheduled_message_id.clone();
    assert!(id.starts_with('Q'), "{id}");
    let listed = ok(
        &slack,
        "chat.scheduledMessages.list",
        &[("channel", "C_GENERAL")],
    )
    .await;
    assert_eq!(
        listed["scheduled_messages"],
        json!([{"id": id, "channel_id": "C_GENERAL", "post_at": NOW + 60, "date_created": NOW, "text": "standup in 5"}])
    );
    let mut bot = common::rtm(&slack).await;
    assert_eq!(common::next(&mut bot).await["type"], "hello");

    slack.clock().advance(Duration::from_secs(59));
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert!(history_texts(&history).is_empty());

    slack.clock().advance(Duration::from_secs(1));
    let event = common::next(&mut bot).await;
    assert_eq!(
        (&event["type"], &event["text"]),
        (&json!("message"), &json!("standup in 5"))
    );
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert_eq!(history_texts(&history), ["standup in 5"]);
    assert_eq!(history["messages"][0]["ts"], format!("{}.000100", NOW + 61));
    let listed = ok(&slack, "chat.scheduledMessages.list", &[]).await;
    assert_eq!(listed["scheduled_messages"], json!([]));
}

#[tokio::test]
async fn the_admin_clock_posts_due_messages_in_post_at_order() {
    let slack = FakeSlack::start().await;
    for (at, text) in [
        (NOW + 20, "second"),
        (NOW + 10, "first"),
        (NOW + 500, "not yet"),
    ] {
        let at = at.to_string();
        ok(
            &slack,
            "chat.scheduleMessage",
            &[("channel", "C_DEV"), ("post_at", &at), ("text", text)],
        )
        .await;
    }
    let (status, _) = common::admin(&slack, "clock/advance", Some(json!({"seconds": 30}))).await;
    assert_eq!(status, 200);
    let history = ok(&slack, "conversations.history", &[("channel", "C_DEV")]).await;
    assert_eq!(history_texts(&history), ["second", "first"], "newest first");
    let listed = ok(&slack, "chat.scheduledMessages.list", &[]).await;
    assert_eq!(listed["scheduled_messages"][0]["text"], "not yet");
}

#[tokio::test]
async fn a_deleted_scheduled_message_is_never_posted() {
    let slack = FakeSlack::start().await;
    let at = (NOW + 10).to_string();
    let body = ok(
        &slack,
        "chat.scheduleMessage",
        &[("channel", "C_GENERAL"), ("post_at", &at), ("text", "oops")],
    )
    .await;
    let id = body["scheduled_message_id"].as_str().unwrap();
    err(
        &slack,
        "chat.deleteScheduledMessage",
        &[("channel", "C_RANDOM"), ("scheduled_message_id", id)],
        "invalid_scheduled_message_id",
    )
    .await;
    err(
        &slack,
        "chat.deleteScheduledMessage",
        &[("channel", "C_NOPE"), ("scheduled_message_id", id)],
        "channel_not_found",
    )
    .await;
    ok(
        &slack,
        "chat.deleteScheduledMessage",
        &[("channel", "C_GENERAL"), ("scheduled_message_id", id)],
    )
    .await;
    err(
        &slack,
        "chat.deleteScheduledMessage",
        &[("channel", "C_GENERAL"), ("scheduled_message_id", id)],
        "invalid_scheduled_message_id",
    )
    .await;
    slack.clock().advance(Duration::from_secs(60));
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert!(history_texts(&history).is_empty());
}

#[tokio::test]
async fn scheduling_answers_slacks_errors() {
    let slack = FakeSlack::start().await;
    let soon = (NOW + 60).to_string();
    let past = NOW.to_string();
    let far = (NOW + 121 * 86_400).to_string();
    let cases: [(&[(&str, &str)], &str); 7] = [
        (
            &[("channel", "C_GENERAL"), ("post_at", &past), ("text", "x")],
            "time_in_past",
        ),
        (
            &[("channel", "C_GENERAL"), ("post_at", &far), ("text", "x")],
            "time_too_far",
        ),
        (&[("channel", "C_GENERAL"), ("post_at", &soon)], "no_text"),
        (
            &[("channel", "C_NOPE"), ("post_at", &soon), ("text", "x")],
            "channel_not_found",
        ),
        (
            &[("channel", "C_PRIVATE"), ("post_at", &soon), ("text", "x")],
            "channel_not_found",
        ),
        (
            &[("channel", "C_ARCHIVED"), ("post_at", &soon), ("text", "x")],
            "is_archived",
        ),
        (
            &[
                ("channel", "C_GENERAL"),
                ("post_at", &soon),
                ("blocks", "{}"),
            ],
            "invalid_blocks",
        ),
    ];
    for (args, code) in cases {
        err(&slack, "chat.scheduleMessage", args, code).await;
    }
    let alice = slack.user_token("U_CAROL");
    let args = [
        ("channel", "C_DEV"),
        ("post_at", soon.as_str()),
        ("text", "x"),
    ];
    let (_, body) = common::form(&slack, "chat.scheduleMessage", Some(&alice), &args).await;
    assert_eq!(body["error"], "not_in_channel", "{body}");
    err(
        &slack,
        "chat.scheduledMessages.list",
        &[("channel", "C_NOPE")],
        "invalid_channel",
    )
    .await;
}
