//! Shaping the seeded workspace from the builder: users, channels, members,
//! messages and the server-side page size.

mod common;

use common::*;
use serde_json::{Value, json};
use slack_testkit::{FakeSlack, FakeSlackBuilder, StartError};

fn ops() -> FakeSlackBuilder {
    FakeSlack::builder()
        .user("U_ZOE", "zoe")
        .channel("C_OPS", "ops")
        .members("C_OPS", ["U_ZOE", "U_ALICE", "U_BOT"])
        .message("U_ZOE", "C_OPS", "is the deploy done?")
}

fn ids(v: &Value) -> Vec<&str> {
    v.as_array()
        .expect("array")
        .iter()
        .map(|m| m.as_str().expect("id"))
        .collect()
}

#[tokio::test]
async fn added_users_channels_members_and_messages_are_there() {
    let slack = ops().start().await;
    let user = ok(&slack, "users.info", &[("user", "U_ZOE")]).await;
    assert_eq!(user["user"]["name"], "zoe");
    assert_eq!(user["user"]["profile"]["email"], "zoe@example.com");
    let info = ok(&slack, "conversations.info", &[("channel", "C_OPS")]).await;
    assert_eq!(info["channel"]["name"], "ops");
    let members = ok(&slack, "conversations.members", &[("channel", "C_OPS")]).await;
    assert_eq!(ids(&members["members"]), ["U_ZOE", "U_ALICE", "U_BOT"]);
    let history = ok(&slack, "conversations.history", &[("channel", "C_OPS")]).await;
    let messages = history["messages"].as_array().expect("messages");
    assert_eq!(messages.len(), 1, "{history}");
    assert_eq!(messages[0]["user"], "U_ZOE");
    assert_eq!(messages[0]["text"], "is the deploy done?");
    // Zoe's token acts as Zoe.
    let (_, me) = form(&slack, "auth.test", Some(&slack.user_token("U_ZOE")), &[]).await;
    assert_eq!(me["user_id"], "U_ZOE", "{me}");
}

#[tokio::test]
async fn members_add_to_a_seeded_channel() {
    let slack = FakeSlack::builder()
        .members("C_DEV", ["U_CAROL", "U_BOB"])
        .start()
        .await;
    let members = ok(&slack, "conversations.members", &[("channel", "C_DEV")]).await;
    assert_eq!(
        ids(&members["members"]),
        ["U_ALICE", "U_BOB", "U_BOT", "U_CAROL"]
    );
}

#[tokio::test]
async fn a_private_channel_is_hidden_from_non_members() {
    let slack = FakeSlack::builder()
        .private_channel("C_SECRET", "secret")
        .members("C_SECRET", ["U_ALICE"])
        .start()
        .await;
    let as_alice = slack.user_token("U_ALICE");
    let (_, info) = form(
        &slack,
        "conversations.info",
        Some(&as_alice),
        &[("channel", "C_SECRET")],
    )
    .await;
    assert_eq!(info["channel"]["is_private"], true, "{info}");
    err(
        &slack,
        "conversations.info",
        &[("channel", "C_SECRET")],
        "channel_not_found",
    )
    .await;
}

#[tokio::test]
async fn page_size_caps_every_page_whatever_limit_asks() {
    let slack = ops().page_size(2).start().await;
    let mut pages = Vec::new();
    let mut cursor = String::new();
    loop {
        let page = ok(
            &slack,
            "conversations.members",
            &[("channel", "C_OPS"), ("limit", "100"), ("cursor", &cursor)],
        )
        .await;
        pages.push(
            ids(&page["members"])
                .into_iter()
                .map(str::to_string)
                .collect::<Vec<_>>(),
        );
        cursor = page["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(pages, [vec!["U_ZOE", "U_ALICE"], vec!["U_BOT"]]);
    // users.list, which otherwise answers everything at once, pages too.
    let users = ok(&slack, "users.list", &[]).await;
    assert_eq!(users["members"].as_array().map(Vec::len), Some(2));
    assert_ne!(users["response_metadata"]["next_cursor"], json!(""));
}

#[tokio::test]
async fn reset_brings_the_shaped_workspace_back() {
    let slack = ops().start().await;
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_OPS"), ("text", "yes")],
    )
    .await;
    slack.reset();
    let history = ok(&slack, "conversations.history", &[("channel", "C_OPS")]).await;
    let texts: Vec<&Value> = history["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| &m["text"])
        .collect();
    assert_eq!(texts, [&json!("is the deploy done?")]);
}

#[tokio::test]
async fn a_shape_the_workspace_cannot_take_is_refused() {
    for (builder, expected) in [
        (
            FakeSlack::builder().user("U_BOB", "bobby"),
            "user U_BOB (bobby) exists already",
        ),
        (
            FakeSlack::builder().channel("C_NEW", "general"),
            "channel C_NEW (#general) exists already",
        ),
        (
            FakeSlack::builder().members("C_GENERAL", ["U_NOBODY"]),
            "members of C_GENERAL: no user U_NOBODY",
        ),
        (
            FakeSlack::builder().members("C_NOWHERE", ["U_BOB"]),
            "members of C_NOWHERE: no such channel",
        ),
        (
            FakeSlack::builder().message("U_CAROL", "C_DEV", "hi"),
            "message from U_CAROL in C_DEV: not_in_channel",
        ),
    ] {
        match builder.try_start().await {
            Err(StartError::Workspace(e)) => assert_eq!(e, expected),
            other => panic!("expected {expected:?}, got {other:?}"),
        }
    }
}
