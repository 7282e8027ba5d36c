//! The fake's admin API drives an app as its Rust drivers do: the app is
//! registered from its manifest with `POST /_testkit/app`, and each driver
//! is a `POST /_testkit/<driver>` answering the app's ack, so apps in other
//! languages are tested the same way. Everything here goes over HTTP.

#[path = "../examples/approval/app.rs"]
mod app;

use serde_json::{Value, json};
use slack_api::events::{
    AppHomeOpenedEvent, AssistantThreadStartedEvent, FunctionExecutedEvent, ShortcutPayload,
};
use slack_app::{Context, HandlerResult, OptionsRequest, OptionsResponse};
use slack_testkit::FakeSlack;

/// The approval example's manifest, plus what the other drivers need.
fn manifest() -> Value {
    let mut m: Value = serde_json::from_str(app::MANIFEST).expect("manifest.json is JSON");
    m["features"]["shortcuts"] = json!([
        {"name": "Deploy", "type": "global", "callback_id": "deploy", "description": "Deploy"}
    ]);
    m["settings"]["event_subscriptions"] = json!({
        "bot_events": ["app_home_opened", "function_executed", "assistant_thread_started"]
    });
    m["functions"] = json!({"summarize": {"title": "Summarize", "description": "",
        "input_parameters": {"channel": {"type": "slack#/types/channel_id", "title": "Channel"}},
        "output_parameters": {}}});
    m
}

async fn noop<T>(_: Context<T>) -> HandlerResult {
    Ok(())
}

struct Admin {
    http: reqwest::Client,
    base: String,
}

impl Admin {
    /// POSTs `body` to `/_testkit/{path}`; the status and the JSON answer.
    async fn post(&self, path: &str, body: Value) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/json")
            .body(body.to_string())
            .send()
            .await
            .expect("the admin API answers");
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        (status, serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    async fn ok(&self, path: &str, body: Value) -> Value {
        let (status, v) = self.post(path, body).await;
        assert_eq!((status, &v["ok"]), (200, &json!(true)), "{path}: {v}");
        v
    }
}

#[tokio::test]
async fn every_driver_is_an_admin_endpoint() {
    let slack = FakeSlack::start().await;
    let admin = Admin {
        http: reqwest::Client::new(),
        base: format!("{}/_testkit/", slack.uri()),
    };
    let registered = admin.ok("app", json!({"manifest": manifest()})).await;
    assert_eq!(registered["app_id"], slack_testkit::APP_ID);
    let app = app::app(slack.client("xoxb-test"))
        .shortcut("deploy", |cx: Context<ShortcutPayload>| async move {
            cx.ack();
            Ok(())
        })
        .options("pick", |cx: Context<OptionsRequest>| async move {
            cx.ack_with(OptionsResponse::new().option("api", "api"));
            Ok(())
        })
        .event::<AppHomeOpenedEvent>(noop::<AppHomeOpenedEvent>)
        .event::<AssistantThreadStartedEvent>(noop::<AssistantThreadStartedEvent>)
        .function(
            "summarize",
            |cx: Context<FunctionExecutedEvent>| async move {
                cx.complete(json!({})).await?;
                Ok(())
            },
        );
    tokio::spawn(app.socket_mode("xapp-test").run());
    slack.wait_for_socket_mode_connected().await;

    // The approval flow: command, modal, submission, click.
    let ran = admin
        .ok(
            "run_command",
            json!({"user": "U_ALICE", "channel": "C_GENERAL", "command": "/deploy", "text": "web"}),
        )
        .await;
    assert_eq!(
        ran["ack"],
        Value::Null,
        "the command acks empty and opens a modal"
    );
    slack.wait_for_call("views.open").await;
    let view_id = slack.open_views("U_ALICE").pop().expect("a modal")["id"]
        .as_str()
        .expect("view id")
        .to_owned();
    let env = json!({"env": {"pick": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "staging"}, "value": "staging"}}}});
    let refused = admin
        .ok(
            "submit_view",
            json!({"user": "U_ALICE", "view_id": view_id, "values": env}),
        )
        .await;
    assert_eq!(refused["ack"]["response_action"], "errors");
    let clicked = admin
        .ok(
            "click",
            json!({"user": "U_ALICE", "view_id": view_id, "action_id": "pick", "value": "api"}),
        )
        .await;
    assert_eq!(clicked["ack"], Value::Null);
    let options = admin
        .ok(
            "select_options",
            json!({"user": "U_ALICE", "action_id": "pick", "value": "a"}),
        )
        .await;
    assert_eq!(options["ack"]["options"][0]["value"], "api");
    let values = json!({
        "service": {"pick": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "web"}, "value": "web"}}},
        "env": {"pick": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "staging"}, "value": "staging"}}}
    });
    admin
        .ok(
            "submit_view",
            json!({"user": "U_ALICE", "view_id": view_id, "values": values}),
        )
        .await;
    let post = slack.wait_for_call("chat.postMessage").await;
    let ts = post.response["ts"].as_str().expect("ts").to_owned();
    admin
        .ok("click", json!({"user": "U_BOB", "channel": "C_GENERAL", "ts": ts, "action_id": "approve", "value": "web staging"}))
        .await;
    assert!(slack.wait_for_call("chat.update").await.ok());

    // The other drivers.
    admin
        .ok(
            "shortcut",
            json!({"user": "U_ALICE", "callback_id": "deploy"}),
        )
        .await;
    admin.ok("run_command", json!({"command": "/deploy"})).await;
    slack.wait_for_call("views.open").await;
    let modal = slack.open_views("U_ALICE").pop().expect("a modal");
    let closed = admin
        .ok(
            "close_view",
            json!({"user": "U_ALICE", "view_id": modal["id"]}),
        )
        .await;
    assert_eq!(
        closed["delivered"], false,
        "the modal does not ask for notify_on_close"
    );
    assert!(slack.open_views("U_ALICE").is_empty());
    admin.ok("open_home", json!({"user": "U_ALICE"})).await;
    admin
        .ok(
            "run_function",
            json!({"callback_id": "summarize", "inputs": {"channel": "C_GENERAL"}}),
        )
        .await;
    slack.wait_for_call("functions.completeSuccess").await;
    let thread = admin
        .ok("start_assistant_thread", json!({"user": "U_ALICE"}))
        .await;
    assert_eq!(thread["channel"], "D_U_ALICE");
    assert!(thread["thread_ts"].is_string());

    // What Slack would refuse, and what the body lacks.
    for (path, body, error) in [
        (
            "run_command",
            json!({"command": "/foo"}),
            "/foo is not a valid command",
        ),
        (
            "shortcut",
            json!({"callback_id": "nope"}),
            "declares no global shortcut with callback_id nope",
        ),
        (
            "run_function",
            json!({"callback_id": "nope"}),
            "declares no function nope",
        ),
        (
            "click",
            json!({"action_id": "x"}),
            "expected view_id, or channel and ts",
        ),
        (
            "submit_view",
            json!({"view_id": "V_NONE"}),
            "no view V_NONE",
        ),
        ("open_home", json!({"user": "U_NOBODY"}), "no user U_NOBODY"),
    ] {
        let (status, v) = admin.post(path, body).await;
        assert_eq!(status, 400, "{path}: {v}");
        assert!(
            v["error"].as_str().is_some_and(|e| e.contains(error)),
            "{path}: {v}"
        );
    }
    let (status, v) = admin.post("app", json!({"manifest": []})).await;
    assert_eq!(status, 400, "{v}");
}
