//! Apps over HTTP: the router answers signed requests, its acks are the
//! responses, and the fake Slack delivers events to it as Slack would.

mod common;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use slack_api::events::{AppMentionEvent, MessageEvent, ViewSubmissionPayload};
use slack_api::inbound::signing::Signer;
use slack_api::inbound::slash::SlashCommand;
use slack_app::http::EVENTS_PATH;
use slack_app::{App, Context, Failure, ViewResponse};
use slack_testkit::FakeSlack;

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// Serves `app`'s router on loopback; returns its events URL.
async fn serve<S: Clone + Send + Sync + 'static>(app: App<S>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app.into_router(SECRET);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}{EVENTS_PATH}")
}

/// POSTs `body` signed with `secret` as `content_type`; returns status and body.
async fn post(url: &str, secret: &str, content_type: &str, body: String) -> (u16, String) {
    let signed = Signer::new(secret).sign_now(body.as_bytes());
    let resp = reqwest::Client::new()
        .post(url)
        .headers(signed.to_header_map())
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .expect("the app answers");
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap_or_default())
}

async fn post_json(url: &str, body: Value) -> (u16, String) {
    post(url, SECRET, "application/json", body.to_string()).await
}

async fn post_interaction(url: &str, payload: Value) -> (u16, String) {
    let form: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &payload.to_string())
        .finish();
    post(url, SECRET, "application/x-www-form-urlencoded", form).await
}

fn json_of(body: &str) -> Value {
    serde_json::from_str(body).unwrap_or(Value::Null)
}

#[tokio::test]
async fn url_verification_and_signatures() {
    let slack = FakeSlack::start().await;
    let url = serve(App::new(slack.client("xoxb-test"))).await;
    let (status, body) = post_json(
        &url,
        json!({"type": "url_verification", "challenge": "c-123", "token": "t"}),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, "c-123"));

    let body = json!({"type": "url_verification", "challenge": "x"}).to_string();
    let (status, _) = post(&url, "not-the-secret", "application/json", body.clone()).await;
    assert_eq!(status, 401, "a wrong signature is refused");
    let resp = reqwest::Client::new()
        .post(&url)
        .body(body)
        .send()
        .await
        .expect("answer");
    assert_eq!(
        resp.status().as_u16(),
        401,
        "an unsigned request is refused"
    );
}

#[tokio::test]
async fn a_command_is_answered_in_the_response() {
    let slack = FakeSlack::start().await;
    let url = serve(App::new(slack.client("xoxb-test")).command(
        "/deploy",
        |cx: Context<SlashCommand>| async move {
            cx.ack_with(format!("Deploying {}", cx.payload.text));
            Ok(())
        },
    ))
    .await;
    let form = slash_form("/deploy", "api");
    let (status, body) = post(&url, SECRET, "application/x-www-form-urlencoded", form).await;
    assert_eq!(status, 200);
    assert_eq!(json_of(&body)["text"], "Deploying api");
}

#[tokio::test]
async fn a_view_submission_is_answered_with_its_response_action() {
    let slack = FakeSlack::start().await;
    let url = serve(App::new(slack.client("xoxb-test")).view_submission(
        "deploy_modal",
        |cx: Context<ViewSubmissionPayload>| async move {
            let service = cx.input_value("service_block", "service").unwrap_or("");
            cx.ack_with(ViewResponse::errors([(
                "service_block",
                format!("{service} is frozen"),
            )]));
            Ok(())
        },
    ))
    .await;
    let (status, body) = post_interaction(&url, view_submission("deploy_modal", "api")).await;
    assert_eq!(status, 200);
    assert_eq!(
        json_of(&body),
        json!({"response_action": "errors", "errors": {"service_block": "api is frozen"}})
    );
}

#[tokio::test]
async fn a_handler_past_the_deadline_gets_an_empty_response() {
    let slack = FakeSlack::start().await;
    let url = serve(
        App::new(slack.client("xoxb-test"))
            .ack_deadline(Duration::from_millis(100))
            .command("/slow", |_cx: Context<SlashCommand>| async {
                tokio::time::sleep(Duration::from_secs(30)).await;
                Ok(())
            }),
    )
    .await;
    let form = slash_form("/slow", "");
    let (status, body) = post(&url, SECRET, "application/x-www-form-urlencoded", form).await;
    assert_eq!((status, body.as_str()), (200, ""));
}

#[tokio::test]
async fn events_from_the_fake_reach_listeners_once_and_replies_use_the_web_api() {
    let slack = FakeSlack::builder().signing_secret(SECRET).start().await;
    let heard = Arc::new(AtomicUsize::new(0));
    let h = heard.clone();
    let url = serve(
        App::new(slack.client("xoxb-test"))
            .message("deploy", move |cx: Context<MessageEvent>| {
                let h = h.clone();
                async move {
                    h.fetch_add(1, Ordering::SeqCst);
                    cx.say("deploying now").await?;
                    Ok(())
                }
            })
            .event::<AppMentionEvent>(|cx: Context<AppMentionEvent>| async move {
                cx.say("hello").await?;
                Ok(())
            }),
    )
    .await;
    slack.set_app(http_manifest(&url));
    slack.post_as_user(ALICE, GENERAL, "deploy please").await;
    let post = slack.wait_for_call("chat.postMessage").await;
    assert_eq!(post.arg("text"), Some("deploying now"));

    // A redelivery of one event_id runs the handler once.
    let event = event_callback("Ev-dup", app_mention("<@U_BOT> hi"));
    assert_eq!(post_json(&url, event.clone()).await.0, 200);
    assert_eq!(post_json(&url, event).await.0, 200);
    slack.wait_for_call("chat.postMessage").await;
    slack
        .expect_quiet("chat.postMessage", Duration::from_millis(300))
        .await;
    assert_eq!(
        heard.load(Ordering::SeqCst),
        1,
        "the bot's own reply was not heard"
    );
}

#[tokio::test]
async fn bad_payloads_are_acked_and_reported() {
    let slack = FakeSlack::start().await;
    let failures = Arc::new(Mutex::new(Vec::<String>::new()));
    let f = failures.clone();
    let url = serve(
        App::new(slack.client("xoxb-test"))
            .on_error(move |failure: &Failure| f.lock().unwrap().push(failure.to_string())),
    )
    .await;
    let (status, _) = post(
        &url,
        SECRET,
        "application/x-www-form-urlencoded",
        "payload=%7Bnot%20json".to_owned(),
    )
    .await;
    assert_eq!(status, 200, "acked so Slack does not redeliver it");
    let (status, _) = post(
        &url,
        SECRET,
        "application/x-www-form-urlencoded",
        "text=no+command".to_owned(),
    )
    .await;
    assert_eq!(status, 200);
    let (status, _) = post_json(&url, json!({"type": "something_new"})).await;
    assert_eq!(status, 200);
    let failures = failures.lock().unwrap().clone();
    assert_eq!(failures.len(), 3, "{failures:?}");
    assert!(
        failures[0].contains("interactive payload does not decode"),
        "{failures:?}"
    );
    assert!(
        failures[1].contains("command payload does not decode"),
        "{failures:?}"
    );
    assert!(failures[2].contains("something_new"), "{failures:?}");
}
