//! `files.info` / `list` / `delete` and `search.messages` / `files` / `all`
//! simulated, through the typed builders and their page-numbered `pages()` /
//! `items()`.

use serde_json::Value;
use slack_api::Client;
use slack_testkit::FakeSlack;

mod common;

/// The next frame of type `kind` on an RTM socket.
async fn frame_of(ws: &mut common::Ws, kind: &str) -> Value {
    loop {
        let f = common::next(ws).await;
        if f["type"] == kind {
            return f;
        }
    }
}

/// The error code of a failed call.
fn code<T: std::fmt::Debug>(r: slack_api::Result<T>) -> String {
    match r {
        Err(slack_api::Error::Api(e)) => e.code_str().to_string(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Uploads `name` and shares it in `channel`; returns its ID.
async fn upload(client: &Client, name: &str, channel: &str) -> String {
    let up = client
        .files()
        .upload(name, format!("contents of {name}").into_bytes())
        .channel(channel)
        .send()
        .await
        .unwrap();
    up.file()
        .and_then(|f| f.id.clone())
        .map(String::from)
        .unwrap()
}

#[tokio::test]
async fn files_list_pages_by_number_newest_first_and_filters() {
    let slack = FakeSlack::start().await;
    let bot = slack.client("xoxb-test");
    let mut ids = Vec::new();
    for (i, channel) in ["C_GENERAL", "C_DEV", "C_GENERAL", "C_GENERAL", "C_DEV"]
        .iter()
        .enumerate()
    {
        ids.push(upload(&bot, &format!("report-{i}.txt"), channel).await);
    }
    ids.reverse(); // newest first

    // Three pages of two: 2, 2, 1; the stream asks for pages 1, 2 and 3 and stops.
    let pages = bot
        .files()
        .list()
        .count(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    let sizes: Vec<usize> = pages.iter().map(|p| p.files.len()).collect();
    assert_eq!(sizes, [2, 2, 1]);
    let last = pages[2].paging.as_ref().unwrap();
    assert_eq!(
        (last.page, last.pages, last.total),
        (Some(3), Some(3), Some(5))
    );
    let listed: Vec<String> = pages
        .into_iter()
        .flat_map(|p| p.files)
        .map(|f| f.id.map(String::from).unwrap())
        .collect();
    assert_eq!(listed, ids);
    let asked: Vec<Option<String>> = slack
        .calls_to("files.list")
        .iter()
        .map(|c| c.arg("page").map(str::to_string))
        .collect();
    assert_eq!(asked, [None, Some("2".into()), Some("3".into())]);

    // Filters: by channel, by user, by type.
    let dev = bot
        .files()
        .list()
        .channel("C_DEV")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(dev.len(), 2);
    let alice = bot.files().list().user("U_ALICE").send().await.unwrap();
    assert!(alice.files.is_empty());
    let texts = bot.files().list().types(["all"]).send().await.unwrap();
    assert_eq!(texts.files.len(), 5);
    let images = bot.files().list().types(["images"]).send().await.unwrap();
    assert!(images.files.is_empty());
    assert_eq!(
        code(bot.files().list().types(["movies"]).send().await),
        "unknown_type"
    );
    assert_eq!(
        code(bot.files().list().user("U_NOBODY").send().await),
        "user_not_found"
    );
    // A page past the last is empty, and ends the stream at once.
    let far = bot
        .files()
        .list()
        .count(2)
        .page(9)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(far.is_empty());
}

#[tokio::test]
async fn files_info_and_delete_follow_slack_rules() {
    let slack = FakeSlack::start().await;
    let bot = slack.client("xoxb-test");
    let id = upload(&bot, "notes.txt", "C_DEV").await;
    let info = bot.files().info(id.as_str()).send().await.unwrap();
    let file = info.file;
    assert_eq!(file.name.as_deref(), Some("notes.txt"));
    assert_eq!(file.user.as_ref().map(|u| u.as_str()), Some("U_BOT"));
    assert!(info.comments.is_empty());
    // #dev is public: anyone sees the file, only its owner (or an admin) deletes it.
    let carol = slack.client("xoxp-1-U_CAROL");
    assert!(carol.files().info(id.as_str()).send().await.is_ok());
    assert_eq!(
        code(carol.files().delete(id.as_str()).send().await),
        "cant_delete_file"
    );

    let mut ws = common::rtm(&slack).await;
    frame_of(&mut ws, "hello").await;
    bot.files().delete(id.as_str()).send().await.unwrap();
    let deleted = frame_of(&mut ws, "file_deleted").await;
    assert_eq!(deleted["file_id"], id.as_str());
    assert_eq!(
        code(bot.files().info(id.as_str()).send().await),
        "file_not_found"
    );
    assert_eq!(
        code(bot.files().delete(id.as_str()).send().await),
        "file_not_found"
    );
    assert!(bot.files().list().send().await.unwrap().files.is_empty());

    // Shared in #secret-plans (Alice and Carol): nobody else sees it, and
    // Alice, an admin, may delete Carol's file.
    let secret = upload(&carol, "plan.txt", "C_PRIVATE").await;
    let bob = slack.client("xoxp-1-U_BOB");
    assert_eq!(
        code(bob.files().info(secret.as_str()).send().await),
        "file_not_found"
    );
    assert!(bob.files().list().send().await.unwrap().files.is_empty());
    assert_eq!(
        code(bot.files().info(secret.as_str()).send().await),
        "file_not_found"
    );
    let alice = slack.client("xoxp-1-U_ALICE");
    assert_eq!(alice.files().list().send().await.unwrap().files.len(), 1);
    alice.files().delete(secret.as_str()).send().await.unwrap();
    assert_eq!(
        code(carol.files().info(secret.as_str()).send().await),
        "file_not_found"
    );
}

#[tokio::test]
async fn search_messages_matches_stored_messages_page_by_page() {
    let mut builder = FakeSlack::builder();
    for i in 0..7 {
        builder = builder.message("U_ALICE", "C_GENERAL", format!("deploy #{i} is done"));
    }
    let slack = builder
        .message("U_BOB", "C_DEV", "Deploy of the API failed")
        .message("U_CAROL", "C_PRIVATE", "deploy the secret plan")
        .message("U_BOB", "C_GENERAL", "lunch?")
        .start()
        .await;
    let alice = slack.client("xoxp-1-U_ALICE");
    let search = alice.search();

    // Case-insensitive substring; newest first; private only for members.
    let first = search.messages("DEPLOY").count(3).send().await.unwrap();
    let results = first.messages.as_ref().unwrap();
    assert_eq!(results.total, Some(9));
    let paging = results.paging.as_ref().unwrap();
    assert_eq!(
        (paging.page, paging.pages, paging.count),
        (Some(1), Some(3), Some(3))
    );
    let top = &results.matches[0];
    assert_eq!(top.text.as_deref(), Some("deploy the secret plan"));
    assert_eq!(
        top.channel.as_ref().and_then(|c| c.name.as_deref()),
        Some("secret-plans")
    );
    assert_eq!(top.username.as_deref(), Some("carol"));
    assert!(
        top.permalink
            .as_deref()
            .unwrap()
            .contains("/archives/C_PRIVATE/p")
    );

    // items() walks the three pages: 3 + 3 + 3.
    let all = search
        .messages("deploy")
        .count(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(all.len(), 9);
    let texts: Vec<&str> = all.iter().filter_map(|m| m.text.as_deref()).collect();
    assert_eq!(texts[8], "deploy #0 is done");
    assert!(!texts.contains(&"lunch?"));

    // Bob is not in #secret-plans; `in:` and `from:` narrow the search.
    let bob = slack.client("xoxp-1-U_BOB").search();
    let seen = bob.messages("deploy").items().try_collect().await.unwrap();
    assert_eq!(seen.len(), 8);
    let in_dev = bob.messages("deploy in:#dev").send().await.unwrap();
    assert_eq!(in_dev.messages.unwrap().total, Some(1));
    let from_alice = bob
        .messages("done from:@alice")
        .count(100)
        .send()
        .await
        .unwrap();
    assert_eq!(from_alice.messages.unwrap().matches.len(), 7);
    let oldest = bob
        .messages("deploy")
        .sort_dir("asc")
        .count(1)
        .send()
        .await
        .unwrap();
    assert_eq!(
        oldest.messages.unwrap().matches[0].text.as_deref(),
        Some("deploy #0 is done")
    );

    assert_eq!(code(bob.messages("  ").send().await), "no_query");
    let none = bob
        .messages("nothing like this")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert!(none.is_empty());
    // Search takes a user token.
    let bot = slack.client("xoxb-test");
    assert_eq!(
        code(bot.search().messages("deploy").send().await),
        "not_allowed_token_type"
    );
}

#[tokio::test]
async fn search_files_and_all_find_files_by_name_where_the_caller_can_see_them() {
    let slack = FakeSlack::builder()
        .message("U_ALICE", "C_GENERAL", "the quarterly report is up")
        .start()
        .await;
    let alice = slack.client("xoxp-1-U_ALICE");
    let bob = slack.client("xoxp-1-U_BOB");
    let general = upload(&alice, "Quarterly-Report.pdf", "C_GENERAL").await;
    let dev = upload(&bob, "report-draft.txt", "C_DEV").await;
    let secret = upload(&alice, "report-secret.txt", "C_PRIVATE").await;
    upload(&alice, "notes.txt", "C_GENERAL").await;

    let ids = |files: &[slack_api::types::File]| -> Vec<String> {
        files
            .iter()
            .filter_map(|f| f.id.as_ref().map(|i| i.to_string()))
            .collect()
    };
    // Case-insensitive, newest first; a private channel's file only for members.
    let found = alice.search().files("REPORT").send().await.unwrap();
    let files = found.files.unwrap();
    assert_eq!(files.total, Some(3));
    assert_eq!(
        ids(&files.matches),
        [secret.clone(), dev.clone(), general.clone()]
    );
    let seen = bob
        .search()
        .files("report")
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids(&seen), [dev.clone(), general]);
    // `in:` and `from:` narrow it; `count` pages it.
    let in_dev = alice.search().files("report in:#dev").send().await.unwrap();
    assert_eq!(
        ids(&in_dev.files.unwrap().matches),
        std::slice::from_ref(&dev)
    );
    let from_bob = alice
        .search()
        .files("report from:@bob")
        .send()
        .await
        .unwrap();
    assert_eq!(ids(&from_bob.files.unwrap().matches), [dev]);
    let pages = alice
        .search()
        .files("report")
        .count(2)
        .pages()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(pages.len(), 2);

    // search.all: messages and files, each paged on its own.
    let all = alice.search().all("report").send().await.unwrap();
    assert_eq!(all.messages.unwrap().total, Some(1));
    assert_eq!(all.files.unwrap().total, Some(3));
    assert_eq!(code(alice.search().all(" ").send().await), "no_query");
    assert_eq!(code(alice.search().files("").send().await), "no_query");
}
