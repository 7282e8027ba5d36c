//! `views.*` simulated: trigger ids, modal stacks, App Home, validation.

use std::time::Duration;

use serde_json::{Value, json};
use slack_api::block_kit::View;
use slack_testkit::FakeSlack;

mod common;

fn modal(title: &str) -> Value {
    json!({"type": "modal", "title": {"type": "plain_text", "text": title}, "blocks": []})
}

fn home() -> Value {
    json!({"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "hi"}}]})
}

/// `views.open` of `view` (a string is sent as it is) with a fresh trigger
/// id of `user`, sent untyped so malformed views reach the fake; the view
/// Slack answers with.
async fn open(slack: &FakeSlack, user: &str, view: &Value) -> slack_api::Result<Value> {
    let text = match view {
        Value::String(s) => s.clone(),
        v => v.to_string(),
    };
    let trigger = slack.trigger_id(user);
    let body: Value = slack
        .client("xoxb-test")
        .call("views.open", &json!({"view": text, "trigger_id": trigger}))
        .await?;
    Ok(body["view"].clone())
}

/// A view as the typed builders take it.
fn typed(view: &Value) -> View {
    serde_json::from_value(view.clone()).unwrap()
}

/// A typed view as JSON, for comparing with what the fake stores.
fn json_of(view: View) -> Value {
    serde_json::to_value(view).unwrap()
}

/// The error code of a failed call.
fn code<T: std::fmt::Debug>(r: slack_api::Result<T>) -> String {
    match r {
        Err(slack_api::Error::Api(e)) => e.code_str().to_string(),
        other => panic!("expected an API error, got {other:?}"),
    }
}

/// Asserts a call failed with `invalid_arguments`, its message naming `what`.
fn assert_invalid<T: std::fmt::Debug>(r: slack_api::Result<T>, what: &str) {
    match r {
        Err(slack_api::Error::Api(e)) => {
            assert_eq!(e.code_str(), "invalid_arguments", "{e:?}");
            let msg = e.messages().first().cloned().unwrap_or_default();
            assert!(msg.contains(what), "{msg} does not name {what}");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn open_stores_a_modal_as_slack_answers_it() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    let trigger = slack.trigger_id("U_BOB");
    let mut v = modal("Deploy");
    v["callback_id"] = json!("deploy");
    v["private_metadata"] = json!("C_GENERAL");
    let opened = json_of(
        views
            .open(typed(&v))
            .trigger_id(&trigger)
            .await
            .unwrap()
            .view,
    );
    let id = opened["id"].as_str().unwrap();
    assert!(id.starts_with('V'), "{id}");
    assert_eq!(opened["root_view_id"], id);
    assert_eq!(opened["previous_view_id"], Value::Null);
    assert_eq!(opened["team_id"], slack_testkit::TEAM_ID);
    assert_eq!(opened["app_id"], slack_testkit::APP_ID);
    assert_eq!(opened["bot_id"], slack_testkit::BOT_ID);
    assert_eq!(opened["state"], json!({"values": {}}));
    assert_eq!(opened["callback_id"], "deploy");
    assert_eq!(opened["private_metadata"], "C_GENERAL");
    assert!(opened["hash"].as_str().is_some_and(|h| !h.is_empty()));
    assert_eq!(slack.view(id), Some(opened.clone()));
    assert_eq!(slack.open_views("U_BOB"), vec![opened]);
    assert!(slack.open_views("U_ALICE").is_empty());
}

#[tokio::test]
async fn trigger_ids_look_like_slacks_and_are_single_use() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    let trigger = slack.trigger_id("U_ALICE");
    let parts: Vec<&str> = trigger.split('.').collect();
    assert_eq!(parts.len(), 3, "{trigger}");
    assert!(parts[0].chars().all(|c| c.is_ascii_digit()), "{trigger}");
    assert!(parts[1].chars().all(|c| c.is_ascii_digit()), "{trigger}");
    assert!(parts[2].chars().all(|c| c.is_ascii_hexdigit()), "{trigger}");
    assert_ne!(slack.trigger_id("U_ALICE"), trigger);
    let m = typed(&modal("One"));
    views.open(m.clone()).trigger_id(&trigger).await.unwrap();
    let again = views.open(m.clone()).trigger_id(&trigger).await;
    assert_eq!(code(again), "exchanged_trigger_id");
}

#[tokio::test]
async fn a_trigger_id_expires_after_three_seconds_of_the_fake_clock() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    let m = typed(&modal("Late"));
    let fresh = slack.trigger_id("U_ALICE");
    slack.clock().advance(Duration::from_secs(3));
    views.open(m.clone()).trigger_id(&fresh).await.unwrap();
    let stale = slack.trigger_id("U_ALICE");
    slack.clock().advance(Duration::from_millis(3_001));
    assert_eq!(
        code(views.open(m.clone()).trigger_id(&stale).await),
        "expired_trigger_id"
    );
}

#[tokio::test]
async fn an_unknown_or_missing_trigger_id_is_refused() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    let m = typed(&modal("Nope"));
    assert_eq!(
        code(
            views
                .open(m.clone())
                .trigger_id("12345.98765.abcd2358fdea")
                .await
        ),
        "invalid_trigger_id"
    );
    assert_invalid(views.open(m.clone()).await, "trigger_id");
}

#[tokio::test]
async fn push_stacks_on_the_open_modal_up_to_three() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    let push = |title: &str| {
        views
            .push(typed(&modal(title)))
            .trigger_id(slack.trigger_id("U_ALICE"))
    };
    assert_eq!(code(push("Nothing open").await), "not_found");
    let root = open(&slack, "U_ALICE", &modal("Root")).await.unwrap();
    let second = json_of(push("Second").await.unwrap().view);
    assert_eq!(second["root_view_id"], root["id"]);
    assert_eq!(second["previous_view_id"], root["id"]);
    let third = json_of(push("Third").await.unwrap().view);
    assert_eq!(third["previous_view_id"], second["id"]);
    assert_eq!(third["root_view_id"], root["id"]);
    assert_eq!(code(push("Fourth").await), "push_limit_reached");
    let titles: Vec<Value> = slack
        .open_views("U_ALICE")
        .iter()
        .map(|v| v["title"]["text"].clone())
        .collect();
    assert_eq!(titles, [json!("Root"), json!("Second"), json!("Third")]);
}

#[tokio::test]
async fn opening_a_modal_replaces_the_open_stack() {
    let slack = FakeSlack::start().await;
    let open_titled = |title: &str| {
        let view = modal(title);
        let slack = &slack;
        async move { open(slack, "U_ALICE", &view).await }
    };
    let first = open_titled("First").await.unwrap();
    open_titled("Second").await.unwrap();
    assert_eq!(slack.open_views("U_ALICE").len(), 1);
    assert_eq!(slack.view(first["id"].as_str().unwrap()), None);
}

#[tokio::test]
async fn update_by_view_id_or_external_id_with_hash_checks() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    let mut v = modal("Before");
    v["external_id"] = json!("deploy-42");
    let opened = open(&slack, "U_ALICE", &v).await.unwrap();
    let id = opened["id"].as_str().unwrap();
    let hash = opened["hash"].as_str().unwrap();

    let after = json_of(
        views
            .update(typed(&modal("After")))
            .view_id(id)
            .hash(hash)
            .await
            .unwrap()
            .view,
    );
    assert_eq!(after["id"], id);
    assert_eq!(after["root_view_id"], id);
    assert_eq!(after["title"]["text"], "After");
    assert_ne!(after["hash"], opened["hash"]);
    assert_eq!(slack.view(id), Some(after.clone()));

    // The old hash is stale now.
    let stale = views
        .update(typed(&modal("Again")))
        .view_id(id)
        .hash(hash)
        .await;
    assert_eq!(code(stale), "hash_conflict");

    // The update dropped the external id; put it back, then update by it.
    let mut tagged = modal("Tagged");
    tagged["external_id"] = json!("deploy-42");
    views.update(typed(&tagged)).view_id(id).await.unwrap();
    let by_external = json_of(
        views
            .update(typed(&modal("By external id")))
            .external_id("deploy-42")
            .await
            .unwrap()
            .view,
    );
    assert_eq!(by_external["id"], id);

    let unknown = views.update(typed(&modal("Who"))).view_id("V0NOPE").await;
    assert_eq!(code(unknown), "not_found");
    let unknown = views.update(typed(&modal("Who"))).external_id("nope").await;
    assert_eq!(code(unknown), "not_found");
    assert_invalid(views.update(typed(&modal("Who"))).await, "view_id");
}

#[tokio::test]
async fn an_external_id_names_one_view() {
    let slack = FakeSlack::start().await;
    let mut v = modal("Mine");
    v["external_id"] = json!("only-one");
    open(&slack, "U_ALICE", &v).await.unwrap();
    let twice = open(&slack, "U_BOB", &v).await;
    assert_eq!(code(twice), "duplicate_external_id");
}

#[tokio::test]
async fn publish_keeps_one_home_per_user() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    assert_eq!(slack.home_view("U_BOB"), None);
    let first = json_of(views.publish("U_BOB", typed(&home())).await.unwrap().view);
    assert_eq!(first["type"], "home");
    assert_eq!(slack.home_view("U_BOB"), Some(first.clone()));
    assert_eq!(slack.home_view("U_ALICE"), None);
    let second = json_of(
        views
            .publish("U_BOB", typed(&home()))
            .hash(first["hash"].as_str().unwrap())
            .await
            .unwrap()
            .view,
    );
    assert_eq!(second["id"], first["id"]);
    assert_ne!(second["hash"], first["hash"]);
    let stale = views
        .publish("U_BOB", typed(&home()))
        .hash(first["hash"].as_str().unwrap())
        .await;
    assert_eq!(code(stale), "hash_conflict");
    assert_invalid(
        views.publish("U_BOB", typed(&modal("Not home"))).await,
        "/view/type",
    );
}

#[tokio::test]
async fn views_are_checked_as_slack_checks_them() {
    let slack = FakeSlack::start().await;
    let long = "x".repeat(25);
    let blocks: Vec<Value> = (0..101).map(|_| json!({"type": "divider"})).collect();
    let cases: Vec<(Value, &str)> = vec![
        (json!("a modal"), "view"),
        (
            json!({"title": {"type": "plain_text", "text": "T"}, "blocks": []}),
            "type",
        ),
        (json!({"type": "home", "blocks": []}), "/view/type"),
        (json!({"type": "modal", "blocks": []}), "title"),
        (
            json!({"type": "modal", "title": {"type": "mrkdwn", "text": "T"}, "blocks": []}),
            "/view/title",
        ),
        (
            json!({"type": "modal", "title": {"type": "plain_text", "text": long}, "blocks": []}),
            "/view/title/text",
        ),
        (
            json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}}),
            "blocks",
        ),
        (
            json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": {}}),
            "/view/blocks",
        ),
        (
            json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": blocks}),
            "/view/blocks",
        ),
        (
            json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [], "callback_id": "c".repeat(256)}),
            "/view/callback_id",
        ),
        (
            json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [], "private_metadata": "m".repeat(3001)}),
            "/view/private_metadata",
        ),
    ];
    for (view, pointer) in cases {
        assert_invalid(open(&slack, "U_ALICE", &view).await, pointer);
    }
    let huge = json!({"type": "modal", "title": {"type": "plain_text", "text": "T"}, "blocks": [], "private_metadata": "m".repeat(300_000)});
    let r = open(&slack, "U_ALICE", &huge).await;
    assert_eq!(code(r), "view_too_large");
    assert!(slack.open_views("U_ALICE").is_empty());
}

#[tokio::test]
async fn a_socket_mode_slash_command_carries_a_fresh_trigger_id() {
    let slack = FakeSlack::start().await;
    let app = slack.client("xapp-1-test");
    let mut sm = slack_rtm::socket_mode::SocketMode::builder()
        .connect(&app)
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    slack.socket_mode_slash_command("/deploy", "now");
    let trigger = loop {
        if let Some(Ok(slack_rtm::socket_mode::SocketModeIncoming::Envelope(e))) = sm.next().await
            && let slack_rtm::socket_mode::Payload::SlashCommand(c) = &e.payload
        {
            break c.trigger_id.clone();
        }
    };
    slack
        .client("xoxb-test")
        .views()
        .open(typed(&modal("From a command")))
        .trigger_id(trigger)
        .await
        .unwrap();
    assert_eq!(slack.open_views(slack_testkit::DEFAULT_USER).len(), 1);
    sm.shutdown().await;
}

#[tokio::test]
async fn the_admin_api_mints_trigger_ids() {
    let slack = FakeSlack::start().await;
    let (status, body) =
        common::admin(&slack, "trigger_id", Some(json!({"user": "U_CAROL"}))).await;
    assert_eq!(status, 200, "{body}");
    let trigger = body["trigger_id"].as_str().unwrap();
    slack
        .client("xoxb-test")
        .views()
        .open(typed(&modal("Carol's")))
        .trigger_id(trigger)
        .await
        .unwrap();
    assert_eq!(slack.open_views("U_CAROL").len(), 1);
}

#[tokio::test]
async fn a_trigger_from_a_view_pushes_onto_that_views_stack() {
    let slack = FakeSlack::start().await;
    let root = open(&slack, "U_BOB", &modal("Bob's")).await.unwrap();
    // Alice has a modal of her own; the trigger still came from Bob's view.
    open(&slack, "U_ALICE", &modal("Alice's")).await.unwrap();
    let minted = json!({"user": "U_ALICE", "view_id": root["id"]});
    let (_, body) = common::admin(&slack, "trigger_id", Some(minted)).await;
    let trigger = body["trigger_id"].as_str().unwrap();
    let pushed = json_of(
        slack
            .client("xoxb-test")
            .views()
            .push(typed(&modal("Pushed")))
            .trigger_id(trigger)
            .await
            .unwrap()
            .view,
    );
    assert_eq!(pushed["previous_view_id"], root["id"]);
    assert_eq!(slack.open_views("U_BOB").len(), 2);
    assert_eq!(slack.open_views("U_ALICE").len(), 1);
}

#[tokio::test]
async fn reset_forgets_views_and_trigger_ids() {
    let slack = FakeSlack::start().await;
    let views = slack.client("xoxb-test").views();
    views.publish("U_BOB", typed(&home())).await.unwrap();
    let trigger = slack.trigger_id("U_ALICE");
    slack.reset();
    assert_eq!(slack.home_view("U_BOB"), None);
    let r = views.open(typed(&modal("Gone"))).trigger_id(trigger).await;
    assert_eq!(code(r), "invalid_trigger_id");
}

#[tokio::test]
async fn blocks_are_checked_as_slack_checks_them() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let post = |blocks: Value| {
        let client = client.clone();
        async move {
            client
                .call::<Value>(
                    "chat.postMessage",
                    &json!({"channel": "C_GENERAL", "text": "t", "blocks": blocks}),
                )
                .await
        }
    };
    let first_message = |r: slack_api::Result<Value>| match r {
        Err(slack_api::Error::Api(e)) => {
            assert_eq!(e.code_str(), "invalid_blocks", "{e:?}");
            e.messages().first().cloned().unwrap_or_default()
        }
        other => panic!("expected invalid_blocks, got {other:?}"),
    };
    let msg = first_message(post(json!([{"type": "divider"}, {"type": "header"}])).await);
    assert!(msg.contains("[json-pointer:/blocks/1]"), "{msg}");
    let msg = first_message(post(json!([{"text": "no type"}])).await);
    assert!(msg.contains("[json-pointer:/blocks/0]"), "{msg}");
    // A type newer than the spec may be one Slack knows: it passes.
    post(json!([{"type": "hologram"}])).await.unwrap();
    let long = json!([{"type": "section", "text": {"type": "mrkdwn", "text": "x".repeat(3001)}}]);
    let msg = first_message(post(long).await);
    assert!(msg.contains("[json-pointer:/blocks/0/text]"), "{msg}");
    post(json!([{"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}]))
        .await
        .unwrap();

    let bad_view = json!({"type": "modal", "title": {"type": "plain_text", "text": "T"},
                          "blocks": [{"type": "input", "label": {"type": "plain_text", "text": "L"}}]});
    let r = open(&slack, "U_ALICE", &bad_view).await;
    assert_invalid(r, "/view/blocks/0");
}
