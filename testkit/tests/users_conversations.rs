//! `users.conversations` simulated: what a user is a member of.

use serde_json::Value;
use slack_testkit::FakeSlack;

mod common;
use common::{err, ok};

fn ids(body: &Value) -> Vec<&str> {
    body["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn users_conversations_lists_a_users_memberships() {
    let slack = FakeSlack::start().await;
    let mine = ok(&slack, "users.conversations", &[]).await;
    assert_eq!(ids(&mine), ["C_GENERAL", "C_RANDOM", "C_DEV", "C_ARCHIVED"]);
    let live = ok(
        &slack,
        "users.conversations",
        &[("exclude_archived", "true")],
    )
    .await;
    assert_eq!(ids(&live), ["C_GENERAL", "C_RANDOM", "C_DEV"]);
    let bob = ok(&slack, "users.conversations", &[("user", "U_BOB")]).await;
    assert_eq!(ids(&bob), ["C_GENERAL", "C_RANDOM", "C_DEV"]);
    // Carol's private channel is hidden from the bot, shown to Carol.
    let carol = [
        ("user", "U_CAROL"),
        ("types", "public_channel,private_channel"),
    ];
    assert_eq!(
        ids(&ok(&slack, "users.conversations", &carol).await),
        ["C_GENERAL", "C_RANDOM"]
    );
    let token = slack.user_token("U_CAROL");
    let (_, own) = common::form(&slack, "users.conversations", Some(&token), &carol).await;
    assert_eq!(ids(&own), ["C_GENERAL", "C_RANDOM", "C_PRIVATE"]);
    let typed = slack
        .client("xoxb-test")
        .users()
        .conversations()
        .limit(2)
        .await
        .unwrap();
    assert_eq!(typed.channels.len(), 2);
}

#[tokio::test]
async fn users_conversations_answers_slacks_errors() {
    let slack = FakeSlack::start().await;
    err(
        &slack,
        "users.conversations",
        &[("types", "channels")],
        "invalid_types",
    )
    .await;
    err(
        &slack,
        "users.conversations",
        &[("user", "U_NOBODY")],
        "user_not_found",
    )
    .await;
    err(
        &slack,
        "users.conversations",
        &[("cursor", "bogus")],
        "invalid_cursor",
    )
    .await;
    err(
        &slack,
        "users.conversations",
        &[("limit", "many")],
        "invalid_arguments",
    )
    .await;
}
