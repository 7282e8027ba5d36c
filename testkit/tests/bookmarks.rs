//! `bookmarks.*` simulated: add, edit, list, remove, and Slack's errors.

use serde_json::{Value, json};
use slack_testkit::FakeSlack;

mod common;
use common::{err, ok};

fn titles(body: &Value) -> Vec<&str> {
    body["bookmarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["title"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn bookmarks_are_added_edited_listed_and_removed() {
    let slack = FakeSlack::start().await;
    let bookmarks = slack.client("xoxb-test").bookmarks();
    let added = bookmarks
        .add("Runbook", "link")
        .channel_id("C_GENERAL")
        .link("https://wiki.example.com/runbook")
        .emoji(":book:")
        .await
        .unwrap();
    assert_eq!(added.bookmark.title.as_deref(), Some("Runbook"));
    let body = ok(
        &slack,
        "bookmarks.add",
        &[
            ("channel_id", "C_GENERAL"),
            ("title", "Dashboards"),
            ("type", "link"),
            ("link", "https://grafana.example.com"),
        ],
    )
    .await;
    let id = body["bookmark"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("Bk"), "{id}");
    assert_eq!(
        (
            &body["bookmark"]["channel_id"],
            &body["bookmark"]["last_updated_by_user_id"]
        ),
        (&json!("C_GENERAL"), &json!("U_BOT"))
    );
    let list = ok(&slack, "bookmarks.list", &[("channel_id", "C_GENERAL")]).await;
    assert_eq!(titles(&list), ["Runbook", "Dashboards"]);
    assert_eq!(
        titles(&ok(&slack, "bookmarks.list", &[("channel_id", "C_RANDOM")]).await),
        Vec::<&str>::new()
    );

    let edited = ok(
        &slack,
        "bookmarks.edit",
        &[
            ("channel_id", "C_GENERAL"),
            ("bookmark_id", &id),
            ("title", "Grafana"),
        ],
    )
    .await;
    assert_eq!(edited["bookmark"]["title"], "Grafana");
    assert_eq!(edited["bookmark"]["link"], "https://grafana.example.com");
    ok(
        &slack,
        "bookmarks.remove",
        &[("channel_id", "C_GENERAL"), ("bookmark_id", &id)],
    )
    .await;
    let list = ok(&slack, "bookmarks.list", &[("channel_id", "C_GENERAL")]).await;
    assert_eq!(titles(&list), ["Runbook"]);
}

#[tokio::test]
async fn bookmarks_answer_slacks_errors() {
    let slack = FakeSlack::start().await;
    let link = "https://example.com";
    let add = |channel: &'static str, kind: &'static str, link: &'static str| {
        vec![
            ("channel_id", channel),
            ("title", "T"),
            ("type", kind),
            ("link", link),
        ]
    };
    err(
        &slack,
        "bookmarks.add",
        &add("C_NOPE", "link", link),
        "channel_not_found",
    )
    .await;
    err(
        &slack,
        "bookmarks.add",
        &add("C_PRIVATE", "link", link),
        "channel_not_found",
    )
    .await;
    err(
        &slack,
        "bookmarks.add",
        &add("C_GENERAL", "folder", link),
        "invalid_bookmark_type",
    )
    .await;
    err(
        &slack,
        "bookmarks.add",
        &add("C_GENERAL", "link", "ftp://x"),
        "invalid_link",
    )
    .await;
    let mut bad_emoji = add("C_GENERAL", "link", link);
    bad_emoji.push(("emoji", "book"));
    err(&slack, "bookmarks.add", &bad_emoji, "invalid_emoji").await;
    err(
        &slack,
        "bookmarks.add",
        &[("title", "T"), ("type", "link"), ("link", link)],
        "channel_not_found",
    )
    .await;
    let gone = [("channel_id", "C_GENERAL"), ("bookmark_id", "Bk000000999")];
    err(&slack, "bookmarks.edit", &gone, "not_found").await;
    err(&slack, "bookmarks.remove", &gone, "not_found").await;
    err(
        &slack,
        "bookmarks.list",
        &[("channel_id", "C_NOPE")],
        "channel_not_found",
    )
    .await;
    let id = ok(&slack, "bookmarks.add", &add("C_GENERAL", "link", link)).await["bookmark"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let bad_link = [
        ("channel_id", "C_GENERAL"),
        ("bookmark_id", id.as_str()),
        ("link", "nope"),
    ];
    err(&slack, "bookmarks.edit", &bad_link, "invalid_link").await;
    for i in 1..100 {
        let title = format!("T{i}");
        let args = [
            ("channel_id", "C_RANDOM"),
            ("title", title.as_str()),
            ("type", "link"),
            ("link", link),
        ];
        ok(&slack, "bookmarks.add", &args).await;
    }
    ok(&slack, "bookmarks.add", &add("C_RANDOM", "link", link)).await;
    err(
        &slack,
        "bookmarks.add",
        &add("C_RANDOM", "link", link),
        "too_many_bookmarks",
    )
    .await;
}
