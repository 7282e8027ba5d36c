//! An app registered with the fake from its manifest: deliveries go where
//! the manifest says (Socket Mode, or each kind to its own request URL),
//! only its commands, shortcuts and functions can be run, and only its
//! `bot_events` reach it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::Request;
use axum::middleware::Next;
use serde_json::{Value, json};
use slack_api::events::{AppMentionEvent, MessageEvent, ShortcutPayload};
use slack_api::inbound::slash::SlashCommand;
use slack_app::http::EVENTS_PATH;
use slack_app::{App, Context, OptionsRequest, OptionsResponse};
use slack_testkit::{FakeSlack, Manifest};

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

fn manifest(v: Value) -> Manifest {
    serde_json::from_value(v).expect("a manifest")
}

/// Over Socket Mode, with `/deploy`, the global shortcut `deploy` and
/// only `app_mention` subscribed.
fn socket_mode_manifest() -> Manifest {
    manifest(json!({
        "display_information": {"name": "deployer"},
        "features": {
            "slash_commands": [{"command": "/deploy", "description": "Deploy"}],
            "shortcuts": [{"name": "Deploy", "type": "global", "callback_id": "deploy", "description": "Deploy"},
                          {"name": "Quote", "type": "message", "callback_id": "quote", "description": "Quote"}]
        },
        "oauth_config": {"scopes": {"bot": ["commands", "chat:write", "app_mentions:read"]}},
        "settings": {"event_subscriptions": {"bot_events": ["app_mention"]}, "socket_mode_enabled": true}
    }))
}

/// What Slack sends an app subscribed to `app_mention` when Alice
/// mentions the bot.
async fn mention(slack: &FakeSlack) {
    // The fake adds the `app_mention`, as Slack does.
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "<@U_BOT> hi")
        .await;
}

fn app(slack: &FakeSlack) -> App {
    App::new(slack.client("xoxb-test"))
        .command("/deploy", |cx: Context<SlashCommand>| async move {
            cx.ack_with(format!("deploying {}", cx.payload.text));
            Ok(())
        })
        .shortcut("deploy", |cx: Context<ShortcutPayload>| async move {
            cx.ack();
            Ok(())
        })
        .options("service", |cx: Context<OptionsRequest>| async move {
            cx.ack_with(OptionsResponse::new().option("api", "api"));
            Ok(())
        })
        .event::<AppMentionEvent>(|cx: Context<AppMentionEvent>| async move {
            cx.say("you called?").await?;
            Ok(())
        })
        .message("deploy", |cx: Context<MessageEvent>| async move {
            cx.say("heard a message").await?;
            Ok(())
        })
}

/// The app over Socket Mode on a fake with `manifest`.
async fn on_socket_mode(manifest: Manifest) -> FakeSlack {
    let slack = FakeSlack::builder().app(manifest).start().await;
    tokio::spawn(app(&slack).socket_mode("xapp-test").run());
    slack.wait_for_socket_mode_connected().await;
    slack
}

#[tokio::test]
async fn declared_commands_and_shortcuts_run_over_socket_mode() {
    let slack = on_socket_mode(socket_mode_manifest()).await;
    let reply = slack
        .run_command("U_ALICE", "C_GENERAL", "/deploy", "api")
        .await;
    assert_eq!(reply.text(), Some("deploying api"));
    slack.shortcut("U_ALICE", "deploy").await;
    assert_eq!(slack.calls_to(slack_testkit::SLASH_COMMAND).len(), 0);
}

#[tokio::test]
#[should_panic(expected = "/foo is not a valid command")]
async fn a_command_the_manifest_lacks_is_not_a_valid_command() {
    let slack = on_socket_mode(socket_mode_manifest()).await;
    slack.run_command("U_ALICE", "C_GENERAL", "/foo", "").await;
}

#[tokio::test]
#[should_panic(expected = "declares no global shortcut with callback_id quote")]
async fn a_shortcut_the_manifest_lacks_cannot_be_run() {
    // `quote` is a message shortcut, not a global one.
    let slack = on_socket_mode(socket_mode_manifest()).await;
    slack.shortcut("U_ALICE", "quote").await;
}

#[tokio::test]
#[should_panic(expected = "does not subscribe to app_home_opened")]
async fn an_unsubscribed_driver_event_is_refused() {
    let slack = on_socket_mode(socket_mode_manifest()).await;
    slack.open_home("U_ALICE").await;
}

#[tokio::test]
#[should_panic(expected = "declares no function summarize")]
async fn a_function_the_manifest_lacks_cannot_be_run() {
    let slack = on_socket_mode(socket_mode_manifest()).await;
    slack.run_function("summarize", json!({})).await;
}

#[tokio::test]
async fn only_bot_events_reach_the_app() {
    let slack = on_socket_mode(socket_mode_manifest()).await;
    // `message.channels` is not subscribed: the message listener never hears it.
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "deploy please")
        .await;
    mention(&slack).await;
    let said = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(said.arg("text"), Some("you called?"));
    slack
        .expect_quiet("chat.postMessage", Duration::from_millis(300))
        .await;
}

#[tokio::test]
async fn the_bot_token_has_the_manifest_scopes() {
    let mut m = socket_mode_manifest();
    m.oauth_config.scopes.bot = vec!["commands".into(), "app_mentions:read".into()];
    let slack = on_socket_mode(m).await;
    mention(&slack).await;
    let refused = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(refused.error(), Some("missing_scope"));
    assert_eq!(refused.response["needed"], "chat:write");
    assert_eq!(refused.response["provided"], "commands,app_mentions:read");
}

/// Serves the app's router; each request's `via` query parameter (which
/// of the manifest's URLs Slack used) is recorded.
async fn serve_recording(app: App, via: Arc<Mutex<Vec<String>>>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let record = move |req: Request, next: Next| {
        let via = via.clone();
        async move {
            let q = req.uri().query().unwrap_or_default().to_owned();
            via.lock().unwrap().push(q);
            next.run(req).await
        }
    };
    let router = app
        .into_router(SECRET)
        .layer(axum::middleware::from_fn(record));
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}{EVENTS_PATH}")
}

#[tokio::test]
async fn over_http_each_delivery_goes_to_its_manifest_url() {
    let slack = FakeSlack::builder().signing_secret(SECRET).start().await;
    let via = Arc::new(Mutex::new(Vec::new()));
    let url = serve_recording(app(&slack), via.clone()).await;
    slack.set_app(manifest(json!({
        "features": {
            "slash_commands": [{"command": "/deploy", "url": format!("{url}?via=command")}],
            "shortcuts": [{"name": "Deploy", "type": "global", "callback_id": "deploy", "description": "Deploy"}]
        },
        "oauth_config": {"scopes": {"bot": ["chat:write"]}},
        "settings": {
            "event_subscriptions": {"request_url": format!("{url}?via=events"), "bot_events": ["app_mention"]},
            "interactivity": {"is_enabled": true, "request_url": format!("{url}?via=interactivity"),
                              "message_menu_options_url": format!("{url}?via=options")}
        }
    })));

    let reply = slack
        .run_command("U_ALICE", "C_GENERAL", "/deploy", "web")
        .await;
    assert_eq!(reply.text(), Some("deploying web"));
    slack.shortcut("U_ALICE", "deploy").await;
    let options = slack.select_options("U_ALICE", "service", "a").await;
    assert_eq!(options.ack().unwrap()["options"][0]["value"], "api");
    mention(&slack).await;
    slack.wait_for_call("chat.postMessage").await;
    assert_eq!(
        *via.lock().unwrap(),
        [
            "via=command",
            "via=interactivity",
            "via=options",
            "via=events"
        ]
    );
    // Nothing went over Socket Mode.
    assert!(slack.frames().is_empty(), "{:?}", slack.frames());
}

#[tokio::test]
#[should_panic(expected = "no settings.interactivity.message_menu_options_url")]
async fn over_http_a_missing_url_is_named() {
    let slack = FakeSlack::builder()
        .app(manifest(json!({
            "settings": {"interactivity": {"is_enabled": true, "request_url": "http://127.0.0.1:9/x"}}
        })))
        .start()
        .await;
    slack.select_options("U_ALICE", "service", "a").await;
}
