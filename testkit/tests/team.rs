//! `team.info`, `bots.info`, `emoji.list` simulated.

use serde_json::json;
use slack_testkit::{APP_ID, BOT_ID, BOT_USER, FakeSlack, TEAM_ID, TEAM_NAME};

mod common;
use common::{err, ok};

#[tokio::test]
async fn team_info_describes_the_one_team() {
    let slack = FakeSlack::start().await;
    let info = slack.client("xoxb-test").team().info().await.unwrap();
    assert!(format!("{info:?}").contains(TEAM_NAME), "{info:?}");
    let body = ok(&slack, "team.info", &[("team", TEAM_ID)]).await;
    assert_eq!(
        (
            &body["team"]["id"],
            &body["team"]["name"],
            &body["team"]["domain"]
        ),
        (&json!(TEAM_ID), &json!(TEAM_NAME), &json!("fake-team"))
    );
    ok(&slack, "team.info", &[("domain", "fake-team")]).await;
    err(&slack, "team.info", &[("team", "T9999")], "team_not_found").await;
    err(
        &slack,
        "team.info",
        &[("domain", "elsewhere")],
        "team_not_found",
    )
    .await;
}

#[tokio::test]
async fn bots_info_knows_the_bot() {
    let slack = FakeSlack::start().await;
    let info = slack
        .client("xoxb-test")
        .bots()
        .info()
        .bot(BOT_ID)
        .await
        .unwrap();
    assert!(info.bot.is_some());
    let body = ok(&slack, "bots.info", &[("bot", BOT_ID)]).await;
    assert_eq!(
        (
            &body["bot"]["id"],
            &body["bot"]["app_id"],
            &body["bot"]["user_id"]
        ),
        (&json!(BOT_ID), &json!(APP_ID), &json!(BOT_USER))
    );
    err(&slack, "bots.info", &[("bot", "B_OTHER")], "bot_not_found").await;
    err(&slack, "bots.info", &[], "bot_not_found").await;
    let other_team = [("bot", BOT_ID), ("team_id", "T9999")];
    err(&slack, "bots.info", &other_team, "team_not_found").await;
}

#[tokio::test]
async fn emoji_list_has_the_seeded_custom_emoji() {
    let slack = FakeSlack::start().await;
    let list = slack.client("xoxb-test").emoji().list().await.unwrap();
    assert!(format!("{list:?}").contains("fake-party"));
    let body = ok(&slack, "emoji.list", &[]).await;
    assert_eq!(body["emoji"]["shipit"], "alias:squirrel");
    assert_eq!(body.get("categories"), None);
    let body = ok(&slack, "emoji.list", &[("include_categories", "true")]).await;
    assert!(body["categories"].as_array().is_some_and(|c| !c.is_empty()));
    err(
        &slack,
        "emoji.list",
        &[("include_categories", "maybe")],
        "invalid_arguments",
    )
    .await;
}
