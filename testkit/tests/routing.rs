//! The routing table: events go where Slack sends them. Conversation events
//! (messages, reactions, ...) only to clients whose user is a member,
//! team-wide events to everyone, and over Socket Mode only the types the app
//! subscribes to.
//!
//! "Not delivered" is checked without timing: after the event that must not
//! arrive, a marker that must arrive is sent; on one connection frames keep
//! their order, so the marker is the next frame if and only if the event was
//! left out.

mod common;

use common::*;
use serde_json::{Value, json};
use slack_testkit::FakeSlack;

const APP_TOKEN: &str = "xapp-1-test";

/// An RTM connection acting as the token's user, past its `hello`.
async fn rtm_as(slack: &FakeSlack, token: &str) -> Ws {
    let (_, body) = form(slack, "rtm.connect", Some(token), &[]).await;
    let url = body["url"].as_str().expect("url");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    assert_eq!(next(&mut ws).await["type"], "hello");
    ws
}

/// A Socket Mode connection, past its `hello`.
async fn socket_mode(slack: &FakeSlack) -> Ws {
    let (_, body) = form(slack, "apps.connections.open", Some(APP_TOKEN), &[]).await;
    let url = body["url"].as_str().expect("url");
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await.expect("ws");
    assert_eq!(next(&mut ws).await["type"], "hello");
    ws
}

/// The next Socket Mode envelope's event, acked.
async fn next_envelope_event(ws: &mut Ws) -> Value {
    let env = next(ws).await;
    assert_eq!(env["type"], "events_api", "{env}");
    send(ws, json!({"envelope_id": env["envelope_id"]})).await;
    env["payload"]["event"].clone()
}

/// `(type, text)` of an event, to compare in one line.
fn kind_text(ev: &Value) -> (String, String) {
    (
        ev["type"].as_str().unwrap_or("").to_string(),
        ev["text"].as_str().unwrap_or("").to_string(),
    )
}

fn message(text: &str) -> (String, String) {
    ("message".to_string(), text.to_string())
}

#[tokio::test]
async fn a_message_where_the_bot_is_not_a_member_reaches_no_client_of_the_bot() {
    let slack = FakeSlack::start().await;
    let mut bot = rtm_as(&slack, BOT).await;
    let mut app = socket_mode(&slack).await;
    let mut carol = rtm_as(&slack, &slack.user_token("U_CAROL")).await;
    let alice = slack.user_token("U_ALICE");

    // C_PRIVATE: alice and carol only.
    let ts = slack.post_as_user("U_ALICE", "C_PRIVATE", "secret").await;
    let (_, added) = form(
        &slack,
        "reactions.add",
        Some(&alice),
        &[
            ("channel", "C_PRIVATE"),
            ("name", "eyes"),
            ("timestamp", &ts),
        ],
    )
    .await;
    assert_eq!(added["ok"], true, "{added}");
    slack.post_as_user("U_ALICE", "C_GENERAL", "marker").await;

    assert_eq!(kind_text(&next(&mut bot).await), message("marker"));
    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        message("marker")
    );
    // A member gets all three, in order.
    assert_eq!(kind_text(&next(&mut carol).await), message("secret"));
    assert_eq!(next(&mut carol).await["type"], "reaction_added");
    assert_eq!(kind_text(&next(&mut carol).await), message("marker"));
}

#[tokio::test]
async fn a_dm_with_the_bot_reaches_the_bot_and_no_one_else() {
    let slack = FakeSlack::start().await;
    let mut bot = rtm_as(&slack, BOT).await;
    let mut app = socket_mode(&slack).await;
    let mut bob = rtm_as(&slack, &slack.user_token("U_BOB")).await;
    let alice = slack.user_token("U_ALICE");

    let (_, opened) = form(
        &slack,
        "conversations.open",
        Some(&alice),
        &[("users", "U_BOT")],
    )
    .await;
    let dm = opened["channel"]["id"].as_str().expect("dm id").to_string();
    slack.post_as_user("U_ALICE", &dm, "psst").await;
    slack.post_as_user("U_ALICE", "C_GENERAL", "marker").await;

    let im_created = next(&mut bot).await;
    assert_eq!(
        (&im_created["type"], &im_created["channel"]["id"]),
        (&json!("im_created"), &json!(dm))
    );
    let ev = next(&mut bot).await;
    assert_eq!(
        (kind_text(&ev), &ev["channel"]),
        (message("psst"), &json!(dm))
    );
    assert_eq!(next_envelope_event(&mut app).await["type"], "im_created");
    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        message("psst")
    );
    assert_eq!(kind_text(&next(&mut bob).await), message("marker"));
}

#[tokio::test]
async fn team_wide_events_reach_every_client() {
    let slack = FakeSlack::start().await;
    let mut bot = rtm_as(&slack, BOT).await;
    let mut app = socket_mode(&slack).await;
    let mut bob = rtm_as(&slack, &slack.user_token("U_BOB")).await;
    let carol = slack.user_token("U_CAROL");

    // Carol creates a channel nobody else is in, then changes her presence.
    let (_, created) = form(
        &slack,
        "conversations.create",
        Some(&carol),
        &[("name", "launch")],
    )
    .await;
    assert_eq!(created["ok"], true, "{created}");
    let (_, presence) = form(
        &slack,
        "users.setPresence",
        Some(&carol),
        &[("presence", "away")],
    )
    .await;
    assert_eq!(presence["ok"], true, "{presence}");

    for ws in [&mut bot, &mut bob] {
        let ev = next(ws).await;
        assert_eq!(
            (&ev["type"], &ev["channel"]["name"]),
            (&json!("channel_created"), &json!("launch"))
        );
        assert_eq!(next(ws).await["type"], "presence_change");
    }
    assert_eq!(
        next_envelope_event(&mut app).await["type"],
        "channel_created"
    );
    assert_eq!(
        next_envelope_event(&mut app).await["type"],
        "presence_change"
    );
    // push_event routes the same way: a team-wide type reaches both.
    assert_eq!(
        slack
            .push_event(json!({"type": "emoji_changed", "subtype": "add", "name": "party"}))
            .await,
        2
    );
    // A message pushed into C_PRIVATE reaches neither.
    assert_eq!(
        slack
            .push_event(json!({"type": "message", "channel": "C_PRIVATE", "text": "x"}))
            .await,
        0
    );
}

#[tokio::test]
async fn unsubscribed_event_types_are_not_delivered_over_socket_mode() {
    let manifest = serde_json::from_value(json!({
        "oauth_config": {"scopes": {"bot": ["reactions:write", "rtm:stream"]}},
        "settings": {"event_subscriptions": {"bot_events": ["message.channels", "app_mention"]},
                     "socket_mode_enabled": true}
    }))
    .unwrap();
    let slack = FakeSlack::builder().app(manifest).start().await;
    let mut app = socket_mode(&slack).await;
    let mut bot = rtm_as(&slack, BOT).await;
    let alice = slack.user_token("U_ALICE");

    let ts = slack.post_as_user("U_ALICE", "C_GENERAL", "first").await;
    // reaction_added: not subscribed.
    ok(
        &slack,
        "reactions.add",
        &[
            ("channel", "C_GENERAL"),
            ("name", "eyes"),
            ("timestamp", &ts),
        ],
    )
    .await;
    // A DM: `message.im` is not subscribed, `message.channels` is.
    let (_, opened) = form(
        &slack,
        "conversations.open",
        Some(&alice),
        &[("users", "U_BOT")],
    )
    .await;
    let dm = opened["channel"]["id"].as_str().expect("dm id").to_string();
    slack.post_as_user("U_ALICE", &dm, "in a dm").await;
    slack.post_as_user("U_ALICE", "C_GENERAL", "marker").await;

    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        message("first")
    );
    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        message("marker")
    );
    // RTM has no subscriptions: the bot's RTM client gets everything it may see.
    let kinds: Vec<(String, String)> = [
        next(&mut bot).await,
        next(&mut bot).await,
        next(&mut bot).await,
        next(&mut bot).await,
        next(&mut bot).await,
    ]
    .iter()
    .map(kind_text)
    .collect();
    assert_eq!(
        kinds,
        [
            message("first"),
            ("reaction_added".into(), String::new()),
            ("im_created".into(), String::new()),
            message("in a dm"),
            message("marker"),
        ]
    );
}

#[tokio::test]
async fn a_message_mentioning_the_bot_also_reaches_the_app_as_app_mention() {
    let manifest = |events: serde_json::Value| {
        serde_json::from_value(json!({
            "oauth_config": {"scopes": {"bot": ["rtm:stream"]}},
            "settings": {"event_subscriptions": {"bot_events": events},
                         "socket_mode_enabled": true}
        }))
        .unwrap()
    };
    let slack = FakeSlack::builder()
        .app(manifest(json!(["message.channels", "app_mention"])))
        .start()
        .await;
    let mut app = socket_mode(&slack).await;
    let mut bot = rtm_as(&slack, BOT).await;

    slack
        .post_as_user("U_ALICE", "C_GENERAL", "<@U_BOT> deploy api")
        .await;
    // Not a mention: another user, and the bot's id inside a longer one.
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "<@U_BOTTOM> and <@U_BOB>")
        .await;
    slack.post_as_user("U_ALICE", "C_GENERAL", "marker").await;

    let first = next_envelope_event(&mut app).await;
    assert_eq!(kind_text(&first), message("<@U_BOT> deploy api"));
    let mention = next_envelope_event(&mut app).await;
    assert_eq!(
        kind_text(&mention),
        ("app_mention".into(), "<@U_BOT> deploy api".into())
    );
    assert_eq!(mention["user"], "U_ALICE");
    assert_eq!(mention["channel"], "C_GENERAL");
    assert_eq!(mention["ts"], first["ts"]);
    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        message("<@U_BOTTOM> and <@U_BOB>")
    );
    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        message("marker")
    );
    // RTM clients get the message only: app_mention is an Events API type.
    assert_eq!(
        kind_text(&next(&mut bot).await),
        message("<@U_BOT> deploy api")
    );
    assert_eq!(
        kind_text(&next(&mut bot).await),
        message("<@U_BOTTOM> and <@U_BOB>")
    );

    // Subscribed to app_mention alone: the mention comes, the messages do not.
    let slack = FakeSlack::builder()
        .app(manifest(json!(["app_mention"])))
        .start()
        .await;
    let mut app = socket_mode(&slack).await;
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "no mention")
        .await;
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "hi <@U_BOT|fakebot>")
        .await;
    assert_eq!(
        kind_text(&next_envelope_event(&mut app).await),
        ("app_mention".into(), "hi <@U_BOT|fakebot>".into())
    );
}

#[tokio::test]
#[should_panic(expected = "no app is connected over Socket Mode to take the app_home_opened event")]
async fn an_event_driver_with_no_app_to_take_the_event_says_so() {
    let slack = FakeSlack::start().await;
    slack.open_home("U_ALICE").await;
}
