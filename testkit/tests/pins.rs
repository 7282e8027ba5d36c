//! `pins.*` simulated: pin, list, unpin, the events, and Slack's errors.

use serde_json::json;
use slack_testkit::FakeSlack;

mod common;
use common::{err, ok};

#[tokio::test]
async fn pins_add_list_and_remove_a_message() {
    let slack = FakeSlack::start().await;
    let first = slack
        .post_as_user("U_ALICE", "C_GENERAL", "deploy notes")
        .await;
    let second = slack.post_as_user("U_BOB", "C_GENERAL", "runbook").await;
    let pins = slack.client("xoxb-test").pins();
    pins.add("C_GENERAL")
        .timestamp(first.as_str())
        .await
        .unwrap();
    pins.add("C_GENERAL")
        .timestamp(second.as_str())
        .await
        .unwrap();
    let listed = pins.list("C_GENERAL").await.unwrap();
    assert_eq!(listed.items.len(), 2);
    let body = ok(&slack, "pins.list", &[("channel", "C_GENERAL")]).await;
    let texts: Vec<_> = body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["type"].clone(),
                i["message"]["text"].clone(),
                i["created_by"].clone(),
            )
        })
        .collect();
    assert_eq!(
        texts,
        [
            (json!("message"), json!("runbook"), json!("U_BOT")),
            (json!("message"), json!("deploy notes"), json!("U_BOT")),
        ]
    );
    let history = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    assert!(
        history["messages"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["pinned_to"] == json!(["C_GENERAL"]))
    );

    pins.remove("C_GENERAL")
        .timestamp(first.as_str())
        .await
        .unwrap();
    let body = ok(&slack, "pins.list", &[("channel", "C_GENERAL")]).await;
    assert_eq!(body["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_pin_reaches_the_members_clients() {
    let slack = FakeSlack::start().await;
    let ts = slack.post_as_user("U_ALICE", "C_GENERAL", "pin me").await;
    let mut bot = common::rtm(&slack).await;
    assert_eq!(common::next(&mut bot).await["type"], "hello");
    ok(
        &slack,
        "pins.add",
        &[("channel", "C_GENERAL"), ("timestamp", &ts)],
    )
    .await;
    let event = common::next(&mut bot).await;
    assert_eq!(
        (
            &event["type"],
            &event["channel_id"],
            &event["item"]["message"]["ts"]
        ),
        (&json!("pin_added"), &json!("C_GENERAL"), &json!(ts))
    );
    ok(
        &slack,
        "pins.remove",
        &[("channel", "C_GENERAL"), ("timestamp", &ts)],
    )
    .await;
    assert_eq!(common::next(&mut bot).await["type"], "pin_removed");
}

/// `method` on `channel` (and message `ts`) fails with `code`.
async fn refused(slack: &FakeSlack, method: &str, channel: &str, ts: Option<&str>, code: &str) {
    let mut args = vec![("channel", channel)];
    args.extend(ts.map(|t| ("timestamp", t)));
    err(slack, method, &args, code).await;
}

#[tokio::test]
async fn pins_answer_slacks_errors() {
    let slack = FakeSlack::start().await;
    let msg = slack.post_as_user("U_ALICE", "C_GENERAL", "once").await;
    let ts = Some(msg.as_str());
    ok(
        &slack,
        "pins.add",
        &[("channel", "C_GENERAL"), ("timestamp", &msg)],
    )
    .await;
    refused(&slack, "pins.add", "C_GENERAL", ts, "already_pinned").await;
    refused(&slack, "pins.add", "C_NOPE", ts, "channel_not_found").await;
    refused(&slack, "pins.add", "C_PRIVATE", ts, "channel_not_found").await;
    let missing = Some("1700009999.000100");
    refused(
        &slack,
        "pins.add",
        "C_GENERAL",
        missing,
        "message_not_found",
    )
    .await;
    refused(
        &slack,
        "pins.add",
        "C_GENERAL",
        Some("yesterday"),
        "bad_timestamp",
    )
    .await;
    refused(&slack, "pins.add", "C_GENERAL", None, "no_item_specified").await;
    refused(&slack, "pins.list", "C_NOPE", None, "channel_not_found").await;
    ok(
        &slack,
        "pins.remove",
        &[("channel", "C_GENERAL"), ("timestamp", &msg)],
    )
    .await;
    refused(&slack, "pins.remove", "C_GENERAL", ts, "no_pin").await;
    refused(
        &slack,
        "pins.remove",
        "C_GENERAL",
        None,
        "no_item_specified",
    )
    .await;
    // Carol is not in #dev.
    let carol = slack.user_token("U_CAROL");
    let args = [("channel", "C_DEV"), ("timestamp", &msg)];
    let (_, body) = common::form(&slack, "pins.add", Some(&carol), &args).await;
    assert_eq!(body["error"], "not_in_channel", "{body}");
}
