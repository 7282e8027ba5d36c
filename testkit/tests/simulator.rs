//! The simulated workspace, method by method.

mod common;

use common::*;
use serde_json::{Value, json};
use slack_testkit::FakeSlack;

#[tokio::test]
async fn post_update_delete_and_permalink() {
    let slack = FakeSlack::start().await;
    let posted = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "hello")],
    )
    .await;
    assert_eq!(posted["channel"], "C_GENERAL");
    assert_eq!(posted["ts"], "1700000001.000100");
    assert_eq!(posted["message"]["bot_id"], "B_BOT");
    // Timestamps come from a fake clock: deterministic, increasing.
    let second = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "#general"), ("text", "again")],
    )
    .await;
    assert_eq!(second["ts"], "1700000002.000100");

    let ts = posted["ts"].as_str().unwrap();
    let updated = ok(
        &slack,
        "chat.update",
        &[("channel", "C_GENERAL"), ("ts", ts), ("text", "edited")],
    )
    .await;
    assert_eq!(updated["text"], "edited");
    let link = ok(
        &slack,
        "chat.getPermalink",
        &[("channel", "C_GENERAL"), ("message_ts", ts)],
    )
    .await;
    assert_eq!(
        link["permalink"],
        "https://fake-team.slack.com/archives/C_GENERAL/p1700000001000100"
    );
    ok(
        &slack,
        "chat.delete",
        &[("channel", "C_GENERAL"), ("ts", ts)],
    )
    .await;
    err(
        &slack,
        "chat.delete",
        &[("channel", "C_GENERAL"), ("ts", ts)],
        "message_not_found",
    )
    .await;
    let hist = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    let texts: Vec<&str> = hist["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["again"]);
}

#[tokio::test]
async fn chat_errors_match_slack() {
    let slack = FakeSlack::start().await;
    err(
        &slack,
        "chat.postMessage",
        &[("channel", "C_NOPE"), ("text", "x")],
        "channel_not_found",
    )
    .await;
    err(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL")],
        "no_text",
    )
    .await;
    err(
        &slack,
        "chat.postMessage",
        &[("channel", "C_ARCHIVED"), ("text", "x")],
        "is_archived",
    )
    .await;
    // The bot is not in #secret-plans, and it is private: invisible.
    err(
        &slack,
        "chat.postMessage",
        &[("channel", "C_PRIVATE"), ("text", "x")],
        "channel_not_found",
    )
    .await;
    // Alice can see it, but the bot is not a member of it.
    let alice = slack.user_token("U_ALICE");
    let (_, body) = form(
        &slack,
        "conversations.info",
        Some(&alice),
        &[("channel", "C_PRIVATE")],
    )
    .await;
    assert_eq!(body["channel"]["is_private"], true);
    let (_, body) = form(
        &slack,
        "chat.postMessage",
        Some(&alice),
        &[("channel", "C_DEV"), ("text", "x")],
    )
    .await;
    assert_eq!(body["ok"], true);
    let (_, body) = form(
        &slack,
        "chat.postMessage",
        Some(&slack.user_token("U_CAROL")),
        &[("channel", "C_DEV"), ("text", "x")],
    )
    .await;
    assert_eq!(body["error"], "not_in_channel");
    err(
        &slack,
        "chat.update",
        &[("channel", "C_GENERAL"), ("ts", "1.2"), ("text", "x")],
        "message_not_found",
    )
    .await;
    err(
        &slack,
        "chat.postEphemeral",
        &[("channel", "C_DEV"), ("user", "U_CAROL"), ("text", "x")],
        "user_not_in_channel",
    )
    .await;
    let eph = ok(
        &slack,
        "chat.postEphemeral",
        &[("channel", "C_DEV"), ("user", "U_BOB"), ("text", "psst")],
    )
    .await;
    assert!(eph["message_ts"].is_string());
}

#[tokio::test]
async fn threads_count_their_replies() {
    let slack = FakeSlack::start().await;
    let parent = slack
        .post_as_user("U_ALICE", "C_GENERAL", "deploy please")
        .await;
    let r1 = ok(
        &slack,
        "chat.postMessage",
        &[
            ("channel", "C_GENERAL"),
            ("text", "on it"),
            ("thread_ts", &parent),
        ],
    )
    .await;
    assert_eq!(r1["message"]["thread_ts"], parent.as_str());
    slack
        .reply_as_user("U_BOB", "C_GENERAL", &parent, "thanks")
        .await;

    let hist = ok(&slack, "conversations.history", &[("channel", "C_GENERAL")]).await;
    let msgs = hist["messages"].as_array().unwrap();
    assert_eq!(msgs.len(), 1, "replies stay out of history: {msgs:?}");
    assert_eq!(msgs[0]["reply_count"], 2);
    assert_eq!(msgs[0]["reply_users"], json!(["U_BOT", "U_BOB"]));

    let replies = ok(
        &slack,
        "conversations.replies",
        &[("channel", "C_GENERAL"), ("ts", &parent)],
    )
    .await;
    let texts: Vec<&str> = replies["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["text"].as_str().unwrap())
        .collect();
    assert_eq!(texts, ["deploy please", "on it", "thanks"]);
    err(
        &slack,
        "conversations.replies",
        &[("channel", "C_GENERAL"), ("ts", "1.000001")],
        "thread_not_found",
    )
    .await;
}

#[tokio::test]
async fn reactions_add_remove_get_list() {
    let slack = FakeSlack::start().await;
    let ts = slack.post_as_user("U_ALICE", "C_GENERAL", "ship it").await;
    let args = [
        ("channel", "C_GENERAL"),
        ("timestamp", ts.as_str()),
        ("name", "tada"),
    ];
    ok(&slack, "reactions.add", &args).await;
    err(&slack, "reactions.add", &args, "already_reacted").await;
    let got = ok(
        &slack,
        "reactions.get",
        &[("channel", "C_GENERAL"), ("timestamp", &ts)],
    )
    .await;
    assert_eq!(
        got["message"]["reactions"],
        json!([{"name": "tada", "users": ["U_BOT"], "count": 1}])
    );
    let list = ok(&slack, "reactions.list", &[]).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    ok(&slack, "reactions.remove", &args).await;
    err(&slack, "reactions.remove", &args, "no_reaction").await;
    err(
        &slack,
        "reactions.add",
        &[
            ("channel", "C_GENERAL"),
            ("timestamp", "1.1"),
            ("name", "x"),
        ],
        "message_not_found",
    )
    .await;
}

#[tokio::test]
async fn conversations_lifecycle() {
    let slack = FakeSlack::start().await;
    let created = ok(&slack, "conversations.create", &[("name", "launch")]).await;
    let id = created["channel"]["id"].as_str().unwrap().to_string();
    assert_eq!(id, "C00000001");
    err(
        &slack,
        "conversations.create",
        &[("name", "launch")],
        "name_taken",
    )
    .await;
    err(
        &slack,
        "conversations.create",
        &[("name", "Bad Name")],
        "invalid_name_specials",
    )
    .await;
    ok(
        &slack,
        "conversations.invite",
        &[("channel", &id), ("users", "U_BOB,U_CAROL")],
    )
    .await;
    err(
        &slack,
        "conversations.invite",
        &[("channel", &id), ("users", "U_NOBODY")],
        "user_not_found",
    )
    .await;
    let members = ok(&slack, "conversations.members", &[("channel", &id)]).await;
    assert_eq!(members["members"], json!(["U_BOT", "U_BOB", "U_CAROL"]));
    ok(
        &slack,
        "conversations.kick",
        &[("channel", &id), ("user", "U_CAROL")],
    )
    .await;
    err(
        &slack,
        "conversations.kick",
        &[("channel", &id), ("user", "U_CAROL")],
        "not_in_channel",
    )
    .await;
    let renamed = ok(
        &slack,
        "conversations.rename",
        &[("channel", &id), ("name", "launch-2")],
    )
    .await;
    assert_eq!(renamed["channel"]["name"], "launch-2");
    err(
        &slack,
        "conversations.rename",
        &[("channel", &id), ("name", "general")],
        "name_taken",
    )
    .await;
    let topic = ok(
        &slack,
        "conversations.setTopic",
        &[("channel", &id), ("topic", "Go time")],
    )
    .await;
    assert_eq!(topic["channel"]["topic"]["value"], "Go time");
    let purpose = ok(
        &slack,
        "conversations.setPurpose",
        &[("channel", &id), ("purpose", "Launch")],
    )
    .await;
    assert_eq!(purpose["channel"]["purpose"]["value"], "Launch");
    ok(
        &slack,
        "conversations.mark",
        &[("channel", &id), ("ts", "1700000001.000100")],
    )
    .await;
    ok(&slack, "conversations.archive", &[("channel", &id)]).await;
    err(
        &slack,
        "conversations.archive",
        &[("channel", &id)],
        "already_archived",
    )
    .await;
    err(
        &slack,
        "chat.postMessage",
        &[("channel", &id), ("text", "x")],
        "is_archived",
    )
    .await;
    ok(&slack, "conversations.unarchive", &[("channel", &id)]).await;
    err(
        &slack,
        "conversations.archive",
        &[("channel", "C_GENERAL")],
        "cant_archive_general",
    )
    .await;
    ok(&slack, "conversations.leave", &[("channel", &id)]).await;
    err(
        &slack,
        "conversations.leave",
        &[("channel", "C_GENERAL")],
        "cant_leave_general",
    )
    .await;
    err(
        &slack,
        "chat.postMessage",
        &[("channel", &id), ("text", "x")],
        "not_in_channel",
    )
    .await;
    ok(&slack, "conversations.join", &[("channel", &id)]).await;
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", &id), ("text", "back")],
    )
    .await;
    let info = ok(&slack, "conversations.info", &[("channel", &id)]).await;
    assert_eq!(info["channel"]["is_member"], true);
}

#[tokio::test]
async fn conversations_open_gives_ims_and_mpims() {
    let slack = FakeSlack::start().await;
    let im = ok(&slack, "conversations.open", &[("users", "U_ALICE")]).await;
    let id = im["channel"]["id"].as_str().unwrap().to_string();
    assert!(id.starts_with('D'));
    let again = ok(&slack, "conversations.open", &[("users", "U_ALICE")]).await;
    assert_eq!(again["channel"]["id"], id.as_str());
    assert_eq!(again["already_open"], true);
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", &id), ("text", "hi alice")],
    )
    .await;
    // Posting to a user ID goes to the DM.
    ok(
        &slack,
        "chat.postMessage",
        &[("channel", "U_ALICE"), ("text", "hi again")],
    )
    .await;
    let hist = ok(&slack, "conversations.history", &[("channel", &id)]).await;
    assert_eq!(hist["messages"].as_array().unwrap().len(), 2);
    let mpim = ok(&slack, "conversations.open", &[("users", "U_ALICE,U_BOB")]).await;
    assert_eq!(mpim["channel"]["is_mpim"], true);
    err(
        &slack,
        "conversations.open",
        &[("users", "U_NOBODY")],
        "user_not_found",
    )
    .await;
}

#[tokio::test]
async fn cursor_pagination_walks_every_page() {
    let slack = FakeSlack::start().await;
    for i in 0..7 {
        ok(
            &slack,
            "chat.postMessage",
            &[("channel", "C_RANDOM"), ("text", &format!("m{i}"))],
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut cursor = String::new();
    let mut pages = 0;
    loop {
        let body = ok(
            &slack,
            "conversations.history",
            &[("channel", "C_RANDOM"), ("limit", "3"), ("cursor", &cursor)],
        )
        .await;
        pages += 1;
        for m in body["messages"].as_array().unwrap() {
            seen.push(m["text"].as_str().unwrap().to_string());
        }
        cursor = body["response_metadata"]["next_cursor"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(body["has_more"], !cursor.is_empty());
        if cursor.is_empty() {
            break;
        }
    }
    assert_eq!(pages, 3);
    assert_eq!(seen, ["m6", "m5", "m4", "m3", "m2", "m1", "m0"]);
    err(
        &slack,
        "conversations.history",
        &[("channel", "C_RANDOM"), ("cursor", "bm90IGEgY3Vyc29y")],
        "invalid_cursor",
    )
    .await;

    // users.list pages the same way.
    let first = ok(&slack, "users.list", &[("limit", "4")]).await;
    assert_eq!(first["members"].as_array().unwrap().len(), 4);
    let next = first["response_metadata"]["next_cursor"].as_str().unwrap();
    let second = ok(&slack, "users.list", &[("limit", "4"), ("cursor", next)]).await;
    assert_eq!(second["members"].as_array().unwrap().len(), 3);
    assert_eq!(second["response_metadata"]["next_cursor"], "");

    let chans = ok(
        &slack,
        "conversations.list",
        &[("limit", "2"), ("exclude_archived", "true")],
    )
    .await;
    let ids: Vec<&Value> = chans["channels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(ids, [&json!("C_GENERAL"), &json!("C_RANDOM")]);
}

#[tokio::test]
async fn history_pages_a_long_channel_in_order() {
    // 20,000 messages and a thread: every page has the right messages, newest
    // first, replies left out, and the cursors walk to the end exactly once.
    let slack = FakeSlack::start().await;
    let mut posted = Vec::new();
    for i in 0..20_000 {
        posted.push(
            slack
                .post_as_user("U_BOB", "C_RANDOM", &format!("m{i}"))
                .await,
        );
    }
    slack
        .reply_as_user("U_ALICE", "C_RANDOM", &posted[10], "a reply")
        .await;
    let newest_first: Vec<String> = (0..20_000).rev().map(|i| format!("m{i}")).collect();
    for (limit, per_page) in [("1000", 1000), ("", 100), ("7", 7)] {
        let mut seen = Vec::new();
        let mut cursor = String::new();
        let mut pages = 0;
        loop {
            let mut args = vec![("channel", "C_RANDOM"), ("cursor", cursor.as_str())];
            if !limit.is_empty() {
                args.push(("limit", limit));
            }
            let body = ok(&slack, "conversations.history", &args).await;
            let page = body["messages"].as_array().unwrap();
            pages += 1;
            cursor = body["response_metadata"]["next_cursor"]
                .as_str()
                .unwrap()
                .to_string();
            assert_eq!(body["has_more"], !cursor.is_empty());
            let want = per_page.min(20_000 - seen.len());
            assert_eq!(page.len(), want, "page {pages} with limit {limit:?}");
            seen.extend(page.iter().map(|m| m["text"].as_str().unwrap().to_string()));
            if cursor.is_empty() || pages > 20_000 {
                break;
            }
            if limit == "7" && pages == 50 {
                // Enough to check the small pages; jump to the end.
                break;
            }
        }
        if limit == "7" {
            assert_eq!(seen, newest_first[..350]);
        } else {
            assert_eq!(pages, 20_000 / per_page);
            assert_eq!(seen, newest_first);
        }
    }
    // A window by ts, paged.
    let args = [
        ("channel", "C_RANDOM"),
        ("oldest", posted[100].as_str()),
        ("latest", posted[399].as_str()),
        ("inclusive", "true"),
        ("limit", "150"),
    ];
    let first = ok(&slack, "conversations.history", &args).await;
    let texts = |b: &Value| -> Vec<String> {
        b["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["text"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(texts(&first), newest_first[19_600..19_750]);
    let cursor = first["response_metadata"]["next_cursor"].as_str().unwrap();
    let mut args2 = args.to_vec();
    args2.push(("cursor", cursor));
    let second = ok(&slack, "conversations.history", &args2).await;
    assert_eq!(texts(&second), newest_first[19_750..19_900]);
    assert_eq!(
        (
            &second["has_more"],
            &second["response_metadata"]["next_cursor"]
        ),
        (&json!(false), &json!(""))
    );
    // The thread pages the same way.
    let thread = ok(
        &slack,
        "conversations.replies",
        &[
            ("channel", "C_RANDOM"),
            ("ts", posted[10].as_str()),
            ("limit", "1"),
        ],
    )
    .await;
    assert_eq!(texts(&thread), ["m10"]);
    assert_eq!(thread["has_more"], true);
}

#[tokio::test]
async fn users_methods() {
    let slack = FakeSlack::start().await;
    let bob = ok(&slack, "users.info", &[("user", "U_BOB")]).await;
    assert_eq!(bob["user"]["name"], "bob");
    err(
        &slack,
        "users.info",
        &[("user", "U_NOBODY")],
        "user_not_found",
    )
    .await;
    let alice = ok(
        &slack,
        "users.lookupByEmail",
        &[("email", "alice@example.com")],
    )
    .await;
    assert_eq!(alice["user"]["id"], "U_ALICE");
    err(
        &slack,
        "users.lookupByEmail",
        &[("email", "nobody@example.com")],
        "users_not_found",
    )
    .await;
    let profile = ok(&slack, "users.profile.get", &[("user", "U_CAROL")]).await;
    assert_eq!(profile["profile"]["real_name"], "Carol Chen");
    let presence = ok(&slack, "users.getPresence", &[("user", "U_BOB")]).await;
    assert_eq!(presence["presence"], "active");
    ok(&slack, "users.setPresence", &[("presence", "away")]).await;
    let mine = ok(&slack, "users.getPresence", &[]).await;
    assert_eq!(mine["presence"], "away");
    err(
        &slack,
        "users.setPresence",
        &[("presence", "asleep")],
        "invalid_presence",
    )
    .await;
}

#[tokio::test]
async fn rtm_start_describes_the_workspace() {
    let slack = FakeSlack::start().await;
    let body = ok(&slack, "rtm.start", &[]).await;
    assert!(body["url"].as_str().unwrap().starts_with(&slack.rtm_url()));
    assert_eq!(body["self"]["id"], "U_BOT");
    assert_eq!(body["team"]["id"], "T0001");
    assert!(body["users"].as_array().unwrap().len() >= 7);
    assert!(
        body["channels"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["id"] == "C_GENERAL")
    );
}

#[tokio::test]
async fn seeds_shift_the_clock_and_reset_restores_the_seed() {
    let slack = FakeSlack::builder().seed(3).start().await;
    let posted = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "a")],
    )
    .await;
    assert_eq!(posted["ts"], "1703000001.000100");
    slack.reset();
    assert!(slack.calls().is_empty());
    let posted = ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "a")],
    )
    .await;
    assert_eq!(posted["ts"], "1703000001.000100");
}
