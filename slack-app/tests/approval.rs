//! The approval example end to end on the fake Slack, over Socket Mode and
//! over HTTP: the same app, driven as a person would.

#[path = "../examples/approval/app.rs"]
mod app;

use serde_json::{Value, json};
use slack_testkit::{FakeSlack, Manifest, Target};

/// The example's manifest, over Socket Mode as it is, or over HTTP with
/// every request URL at `url`.
fn manifest(url: Option<&str>) -> Manifest {
    let mut m: Value = serde_json::from_str(app::MANIFEST).expect("manifest.json is JSON");
    if let Some(url) = url {
        m["settings"]["socket_mode_enabled"] = json!(false);
        m["settings"]["interactivity"]["request_url"] = json!(url);
        m["features"]["slash_commands"][0]["url"] = json!(url);
    }
    serde_json::from_value(m).expect("manifest.json is a manifest")
}

fn values(service: Option<&str>, env: &str) -> Value {
    let mut v = json!({"env": {"pick": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": env}, "value": env}}}});
    if let Some(s) = service {
        v["service"] = json!({"pick": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": s}, "value": s}}});
    }
    v
}

/// Runs the whole flow; the app is already listening.
async fn approve_a_deploy(slack: &FakeSlack) {
    slack
        .run_command("U_ALICE", "C_GENERAL", "/deploy", "web")
        .await;
    let open = slack.wait_for_call("views.open").await;
    assert!(open.ok(), "views.open: {:?}", open.error());
    let modal = slack.open_views("U_ALICE").pop().expect("a modal is open");
    assert_eq!(modal["callback_id"], app::MODAL);
    assert_eq!(modal["private_metadata"], "C_GENERAL");
    let view_id = modal["id"].as_str().expect("view id").to_owned();

    // Submitted without a service: the modal stays, with the error shown.
    let answer = slack
        .submit_view("U_ALICE", &view_id, values(None, "staging"))
        .await;
    assert_eq!(answer.response_action(), Some("errors"));
    assert_eq!(
        slack.view_errors(&view_id),
        Some(json!({"service": "Pick a service"}))
    );
    assert_eq!(slack.open_views("U_ALICE").len(), 1);

    slack
        .submit_view("U_ALICE", &view_id, values(Some("web"), "production"))
        .await;
    assert!(
        slack.open_views("U_ALICE").is_empty(),
        "the submission closed the modal"
    );
    let request = slack.wait_for_call("chat.postMessage").await;
    assert!(request.ok(), "{:?}", request.error());
    assert_eq!(request.arg("channel"), Some("C_GENERAL"));
    let ts = request.response["ts"].as_str().expect("ts").to_owned();

    slack
        .click(
            "U_BOB",
            Target::message("C_GENERAL", &ts),
            "approve",
            "web to production",
        )
        .await;
    let update = slack.wait_for_call("chat.update").await;
    assert!(update.ok(), "{:?}", update.error());
    assert_eq!(update.arg("ts"), Some(ts.as_str()));
    assert_eq!(
        update.arg("text"),
        Some("Approved by <@U_BOB>: web to production")
    );
    let reply = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(reply.arg("thread_ts"), Some(ts.as_str()));
    assert_eq!(reply.arg("text"), Some("Deploying web to production now."));
}

#[tokio::test]
async fn over_socket_mode() {
    let slack = FakeSlack::builder().app(manifest(None)).start().await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(
        app::app(slack.client("xoxb-test"))
            .socket_mode("xapp-test")
            .run_until(async move {
                let _ = stopped.await;
            }),
    );
    slack.wait_for_socket_mode_connected().await;
    approve_a_deploy(&slack).await;
    let _ = stop.send(());
    task.await.expect("task").expect("run");
    assert!(slack.problems().is_empty(), "{:?}", slack.problems());
}

#[tokio::test]
async fn over_http() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let url = format!("http://{addr}{}", slack_app::http::EVENTS_PATH);
    let slack = FakeSlack::builder().app(manifest(Some(&url))).start().await;
    let router = app::app(slack.client("xoxb-test")).into_router(slack.signing_secret());
    tokio::spawn(async move { axum::serve(listener, router).await });
    approve_a_deploy(&slack).await;
    assert!(slack.problems().is_empty(), "{:?}", slack.problems());
}
