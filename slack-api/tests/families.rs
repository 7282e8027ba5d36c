//! One call per method family against the fake Slack: the exact request on
//! the wire (verb, path, auth header, body encoding, arguments) and the typed
//! response.

use std::sync::{Arc, Mutex};

use slack_api::Client;
use slack_api::types::ConversationType;
use slack_testkit::FakeSlack;

/// A request as the client put it on the wire (seen through its observer
/// hook, which never sees the `Authorization` header).
#[derive(Debug, Clone)]
struct Wire {
    method: String,
    verb: &'static str,
    url: String,
    authenticated: bool,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

type Seen = Arc<Mutex<Vec<Wire>>>;

/// A client for `token` pointed at `slack`, and what it sends.
fn observed(slack: &FakeSlack, token: &str) -> (Client, Seen) {
    let seen = Seen::default();
    let sink = seen.clone();
    let client = slack
        .client_builder(token)
        .observer(move |e| {
            sink.lock().unwrap().push(Wire {
                method: e.method.to_owned(),
                verb: e.http_method,
                url: e.url.to_owned(),
                authenticated: e.authenticated,
                content_type: e.request_content_type,
                body: e.request_body.to_vec(),
            })
        })
        .build()
        .unwrap();
    (client, seen)
}

fn last(seen: &Seen, method: &str) -> Wire {
    let seen = seen.lock().unwrap();
    seen.iter()
        .rev()
        .find(|w| w.method == method)
        .cloned()
        .unwrap_or_else(|| panic!("no {method} sent"))
}

/// The token travelled in the bearer header (the fake saw it; the URL and
/// body do not carry it).
async fn check_auth(slack: &FakeSlack, wire: &Wire, token: &str) {
    assert!(wire.authenticated);
    assert!(
        wire.url.ends_with(&format!("/api/{}", wire.method))
            || wire.url.contains(&format!("/api/{}?", wire.method)),
        "{}",
        wire.url
    );
    assert!(!wire.url.contains(token), "token in the URL: {}", wire.url);
    assert!(
        !String::from_utf8_lossy(&wire.body).contains(token),
        "token in the body"
    );
    let call = slack
        .calls_to(&wire.method)
        .into_iter()
        .last()
        .expect("the fake saw the call");
    assert_eq!(call.token(), Some(token));
}

fn json_body(wire: &Wire) -> serde_json::Value {
    assert_eq!(
        wire.content_type.map(|c| c.starts_with("application/json")),
        Some(true),
        "{wire:?}"
    );
    serde_json::from_slice(&wire.body).expect("a JSON body")
}

fn form_body(wire: &Wire) -> Vec<(String, String)> {
    assert_eq!(
        wire.content_type
            .map(|c| c.starts_with("application/x-www-form-urlencoded")),
        Some(true),
        "{wire:?}"
    );
    url::form_urlencoded::parse(&wire.body)
        .into_owned()
        .collect()
}

fn query(wire: &Wire) -> Vec<(String, String)> {
    url::Url::parse(&wire.url)
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect()
}

const BOT: &str = "xoxb-families";

#[tokio::test]
async fn chat_posts_json_with_blocks_as_an_array() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let blocks =
        serde_json::json!([{"type": "section", "text": {"type": "mrkdwn", "text": "*hi*"}}]);
    let sent = client
        .chat()
        .post_message("C_GENERAL")
        .text("hi")
        .blocks([slack_api::block_kit::Block::section(
            slack_api::block_kit::Mrkdwn::new("*hi*"),
        )])
        .await
        .unwrap();
    assert_eq!(sent.channel.as_str(), "C_GENERAL");
    assert!(!sent.ts.as_str().is_empty());

    let request = last(&seen, "chat.postMessage");
    assert_eq!(request.verb, "POST");
    check_auth(&slack, &request, BOT).await;
    let body = json_body(&request);
    assert_eq!(body["channel"], "C_GENERAL");
    assert_eq!(body["text"], "hi");
    assert_eq!(body["blocks"], blocks, "a real array in a JSON body");
}

#[tokio::test]
async fn reactions_add_then_get() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let ts = slack
        .post_as_user("U_ALICE", "C_GENERAL", "react to me")
        .await;
    client
        .reactions()
        .add("C_GENERAL", "tada", ts.as_str())
        .await
        .unwrap();

    let request = last(&seen, "reactions.add");
    check_auth(&slack, &request, BOT).await;
    let body = json_body(&request);
    assert_eq!(
        (body["channel"].as_str(), body["name"].as_str()),
        (Some("C_GENERAL"), Some("tada"))
    );
    assert_eq!(body["timestamp"].as_str(), Some(ts.as_str()));

    let got = client
        .reactions()
        .get()
        .channel("C_GENERAL")
        .timestamp(ts.as_str())
        .await
        .unwrap();
    let reactions = &got.message.expect("the message").reactions;
    assert_eq!(reactions[0].name, "tada");
}

#[tokio::test]
async fn conversations_list_sends_a_comma_joined_list_in_the_query() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let page = client
        .conversations()
        .list()
        .types([
            ConversationType::PublicChannel,
            ConversationType::PrivateChannel,
        ])
        .limit(2)
        .await
        .unwrap();
    assert_eq!(page.channels.len(), 2);
    let cursor = page
        .response_metadata
        .and_then(|m| m.next_cursor)
        .unwrap_or_default();
    assert!(!cursor.is_empty(), "more than two channels: a next page");

    let request = last(&seen, "conversations.list");
    assert_eq!(request.verb, "GET");
    check_auth(&slack, &request, BOT).await;
    assert!(request.body.is_empty());
    assert_eq!(request.content_type, None);
    let q = query(&request);
    assert!(
        q.contains(&("types".into(), "public_channel,private_channel".into())),
        "{q:?}"
    );
    assert!(q.contains(&("limit".into(), "2".into())), "{q:?}");
}

#[tokio::test]
#[allow(deprecated)]
async fn channels_family_still_speaks_the_legacy_methods() {
    // The simulator speaks only conversations.*; the recorded fixture answers.
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../fixtures/web");
    let slack = FakeSlack::builder().fixtures_dir(fixtures).start().await;
    let (client, seen) = observed(&slack, BOT);
    let info = client.channels().info("C_GENERAL").await.unwrap();
    assert!(info.channel.is_some());
    let request = last(&seen, "channels.info");
    assert_eq!(request.verb, "GET");
    check_auth(&slack, &request, BOT).await;
    assert_eq!(
        query(&request),
        vec![("channel".to_owned(), "C_GENERAL".to_owned())]
    );
}

#[tokio::test]
async fn users_info_is_a_get_with_the_user_in_the_query() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let info = client.users().info("U_ALICE").await.unwrap();
    let user = info.user.expect("a user");
    assert_eq!(user.id.as_str(), "U_ALICE");

    let request = last(&seen, "users.info");
    assert_eq!(request.verb, "GET");
    check_auth(&slack, &request, BOT).await;
    assert_eq!(
        query(&request),
        vec![("user".to_owned(), "U_ALICE".to_owned())]
    );
}

#[tokio::test]
async fn rtm_connect_returns_a_websocket_url() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let connected = client.rtm().connect().await.unwrap();
    assert!(connected.url.expose().starts_with("ws://127.0.0.1"));
    let request = last(&seen, "rtm.connect");
    check_auth(&slack, &request, BOT).await;
}

#[tokio::test]
async fn auth_and_api_test() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let me = client.auth().test().await.unwrap();
    assert_eq!(me.user_id.as_ref().map(|id| id.as_str()), Some("U_BOT"));
    assert_eq!(me.team_id.as_ref().map(|id| id.as_str()), Some("T0001"));
    check_auth(&slack, &last(&seen, "auth.test"), BOT).await;

    client.api().test().await.unwrap();
    assert_eq!(last(&seen, "api.test").verb, "POST");
}

#[tokio::test]
async fn oauth_exchange_is_a_form_without_a_bearer_token() {
    let slack = FakeSlack::start().await;
    let app = slack.oauth_app();
    // The builder needs a token; the OAuth exchange is made without one.
    let (client, seen) = observed(&slack, "xoxb-unused");
    let client = client.without_token();
    // An unknown code: the exchange reaches Slack and fails with a typed code.
    let err = client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), "not-a-code")
        .await
        .unwrap_err();
    assert_eq!(err.api_code().map(|c| c.as_str()), Some("invalid_code"));

    let request = last(&seen, "oauth.v2.access");
    assert!(!request.authenticated);
    let form = form_body(&request);
    assert!(
        form.contains(&("code".into(), "not-a-code".into())),
        "{form:?}"
    );
    assert!(
        form.contains(&("client_id".into(), app.client_id().to_owned())),
        "{form:?}"
    );
}

#[tokio::test]
async fn apps_connections_open_needs_an_app_token() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, "xapp-1-families");
    let opened = client.apps().connections_open().await.unwrap();
    assert!(opened.url.expose().starts_with("ws://"));
    check_auth(
        &slack,
        &last(&seen, "apps.connections.open"),
        "xapp-1-families",
    )
    .await;
}

#[tokio::test]
async fn escape_hatch_posts_any_method_as_a_form() {
    let slack = FakeSlack::start().await;
    let (client, seen) = observed(&slack, BOT);
    let raw = client
        .call(
            "chat.postMessage",
            &serde_json::json!({"channel": "C_GENERAL", "text": "raw"}),
        )
        .await
        .unwrap();
    assert_eq!(raw["ok"], true);
    let request = last(&seen, "chat.postMessage");
    check_auth(&slack, &request, BOT).await;
}

#[tokio::test]
async fn list_arguments_take_plain_strings() {
    let slack = FakeSlack::start().await;
    let client = slack.client(BOT);
    let created = client
        .conversations()
        .create("release-room")
        .await
        .expect("create");
    let channel = created.channel.id.expect("the new channel's id");
    client
        .conversations()
        .invite(channel.clone(), ["U_ALICE", "U_BOB"])
        .await
        .expect("invite with plain strings");
    let call = slack.wait_for_call("conversations.invite").await;
    assert_eq!(call.arg("users"), Some("U_ALICE,U_BOB"));
    assert_eq!(call.arg("channel"), Some(channel.as_str()));
}
