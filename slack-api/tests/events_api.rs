//! The Events API over HTTP: the fake Slack POSTs signed payloads of
//! workspace changes to a small app on loopback, which answers through
//! [`EventsApi::handle`] (a plain axum server here, so the handler is shown
//! framework-independent; the `axum` feature's route is tested at the end).

use std::time::Duration;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use serde_json::{Value, json};
use slack_api::events::{Event, EventsApiPayload, MessageEvent};
use slack_api::inbound::events_api::{Delivery, EventsApi, Handled, Retry};
use slack_api::inbound::signing::Signer;
use slack_testkit::{EVENTS_API_POST, FakeSlack, Manifest};
use tokio::sync::mpsc;

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const WAIT: Duration = Duration::from_secs(5);

/// An app that takes events at `url`, over HTTP.
fn http_app(url: &str) -> Manifest {
    serde_json::from_value(json!({
        "display_information": {"name": "events"},
        "oauth_config": {"scopes": {"bot": ["reactions:write"]}},
        "settings": {"event_subscriptions": {"request_url": url, "bot_events": ["message.channels", "reaction_added", "app_mention"]}}
    }))
    .expect("a manifest")
}

/// What the app saw, in order.
#[derive(Debug)]
enum Seen {
    Delivery(Delivery),
    Duplicate(Delivery),
}

#[derive(Clone)]
struct AppState {
    api: EventsApi,
    seen: mpsc::UnboundedSender<Seen>,
}

/// The endpoint every Events API app needs, on top of `EventsApi::handle`.
async fn endpoint(
    State(app): State<AppState>,
    headers: HeaderMap,
    body: Bytes,
) -> (StatusCode, String) {
    match app.api.handle(&headers, &body) {
        Ok(handled) => {
            let status = StatusCode::from_u16(handled.status()).unwrap_or(StatusCode::OK);
            let reply = handled.body().to_owned();
            match handled {
                Handled::Delivery(d) => drop(app.seen.send(Seen::Delivery(d))),
                Handled::Duplicate(d) => drop(app.seen.send(Seen::Duplicate(d))),
                _ => {}
            }
            (status, reply)
        }
        Err(e) => (
            StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST),
            e.to_string(),
        ),
    }
}

/// A running app: its Request URL and what it saw.
struct App {
    url: String,
    seen: mpsc::UnboundedReceiver<Seen>,
}

impl App {
    async fn next(&mut self) -> Seen {
        tokio::time::timeout(WAIT, self.seen.recv())
            .await
            .expect("the app got a request in time")
            .expect("the app is running")
    }

    async fn next_delivery(&mut self) -> Delivery {
        match self.next().await {
            Seen::Delivery(d) => d,
            other => panic!("expected a new delivery, got {other:?}"),
        }
    }

    fn nothing_more(&mut self) {
        if let Ok(s) = self.seen.try_recv() {
            panic!("unexpected request reached the app: {s:?}");
        }
    }
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/slack/events")
}

async fn start_app() -> App {
    let (tx, seen) = mpsc::unbounded_channel();
    let state = AppState {
        api: EventsApi::new(SECRET),
        seen: tx,
    };
    let url = serve(
        Router::new()
            .route("/slack/events", post(endpoint))
            .with_state(state),
    )
    .await;
    App { url, seen }
}

/// POSTs `body` to the app as Slack would, signed with `secret`, plus `extra` headers.
async fn post_signed(url: &str, secret: &str, body: &str, extra: &[(&str, &str)]) -> (u16, String) {
    let signed = Signer::new(secret).sign_now(body.as_bytes());
    let mut req = reqwest::Client::new()
        .post(url)
        .headers(signed.to_header_map())
        .header("content-type", "application/json")
        .body(body.to_owned());
    for (k, v) in extra {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.expect("loopback POST");
    (
        resp.status().as_u16(),
        resp.text().await.unwrap_or_default(),
    )
}

fn callback(d: &Delivery) -> &slack_api::events::EventCallback {
    match &d.payload {
        EventsApiPayload::EventCallback(cb) => cb,
        other => panic!("not an event_callback: {other:?}"),
    }
}

#[tokio::test]
async fn workspace_changes_arrive_signed_and_typed() {
    let slack = FakeSlack::builder().signing_secret(SECRET).start().await;
    let mut app = start_app().await;
    slack.set_app(http_app(&app.url));

    let ts = slack
        .post_as_user("U_ALICE", "C_GENERAL", "over http")
        .await;
    let d = app.next_delivery().await;
    assert_eq!(d.retry, None);
    let cb = callback(&d);
    assert!(d.event_id().is_some_and(|id| !id.is_empty()));
    assert_eq!(
        cb.team_id.as_ref().map(|t| t.as_str()),
        Some(slack_testkit::TEAM_ID)
    );
    let Event::Message(MessageEvent::Plain(m)) = &cb.event else {
        panic!("not a plain message: {:?}", cb.event)
    };
    assert_eq!(m.text.as_deref(), Some("over http"));
    assert_eq!(m.ts.as_ref().map(|t| t.as_str()), Some(ts.as_str()));

    // A reaction added through the Web API arrives as its own typed event.
    slack
        .client("xoxb-test")
        .reactions()
        .add("C_GENERAL", "tada", ts.as_str())
        .await
        .unwrap();
    let d = app.next_delivery().await;
    let Event::ReactionAdded(r) = &callback(&d).event else {
        panic!("not reaction_added: {:?}", callback(&d).event)
    };
    assert_eq!(r.reaction.as_deref(), Some("tada"));

    // The fake journals each POST with the app's answer.
    let call = slack.wait_for_call(EVENTS_API_POST).await;
    assert_eq!(call.status, 200);
    let body: Value = serde_json::from_str(call.arg("body").unwrap()).unwrap();
    assert_eq!(body["event"]["text"], json!("over http"));
}

#[tokio::test]
async fn a_bad_signature_is_refused_with_401() {
    // The fake signs with a secret the app does not know.
    let slack = FakeSlack::builder()
        .signing_secret("not-the-apps-secret")
        .start()
        .await;
    let mut app = start_app().await;
    slack.set_app(http_app(&app.url));
    slack.post_as_user("U_ALICE", "C_GENERAL", "forged").await;
    let call = slack.wait_for_call(EVENTS_API_POST).await;
    assert_eq!(call.status, 401, "{:?}", call.response);

    // A body changed after signing, and a request with no signature at all.
    let body =
        r#"{"type":"event_callback","event_id":"EvT","event":{"type":"app_mention","text":"hi"}}"#;
    let signed = Signer::new(SECRET).sign_now(body.as_bytes());
    let tampered = body.replace("hi", "rm -rf");
    let client = reqwest::Client::new();
    let r = client
        .post(&app.url)
        .headers(signed.to_header_map())
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = client.post(&app.url).body(body).send().await.unwrap();
    assert_eq!(r.status(), 401);

    tokio::time::sleep(Duration::from_millis(50)).await;
    app.nothing_more();
}

#[tokio::test]
async fn url_verification_is_answered_with_its_challenge() {
    let mut app = start_app().await;
    let body = r#"{"token":"Jhj5dZrVaK7ZwHHjRyZWjbDl","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}"#;
    let (status, text) = post_signed(&app.url, SECRET, body, &[]).await;
    assert_eq!(status, 200);
    assert_eq!(text, "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P");
    // Answering the challenge is all: the app's handler is not called.
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.nothing_more();

    // A challenge must be signed like everything else.
    let (status, _) = post_signed(&app.url, "wrong", body, &[]).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn retries_are_surfaced_and_redeliveries_dropped() {
    let mut app = start_app().await;
    let first = r#"{"type":"event_callback","team_id":"T1","event_id":"Ev001","event_time":1,"event":{"type":"app_mention","user":"U1","text":"<@U0> hi","ts":"1.000001","channel":"C1"}}"#;
    assert_eq!(post_signed(&app.url, SECRET, first, &[]).await.0, 200);
    let d = app.next_delivery().await;
    assert_eq!((d.event_id(), d.retry.clone()), (Some("Ev001"), None));
    assert!(matches!(callback(&d).event, Event::AppMention(_)));

    // Slack did not see the answer in time and sends it again: still 200
    // (or it would keep retrying), surfaced as a duplicate with its retry.
    let retry = [
        ("X-Slack-Retry-Num", "1"),
        ("X-Slack-Retry-Reason", "http_timeout"),
    ];
    assert_eq!(post_signed(&app.url, SECRET, first, &retry).await.0, 200);
    match app.next().await {
        Seen::Duplicate(d) => {
            assert_eq!(d.event_id(), Some("Ev001"));
            let r = d.retry.expect("retry headers surfaced");
            assert_eq!((r.num, r.reason.as_deref()), (1, Some("http_timeout")));
        }
        other => panic!("a redelivery was handled again: {other:?}"),
    }

    // A retry of an event this app never saw (it was down) is new to it.
    let second = first.replace("Ev001", "Ev002");
    let retry = [
        ("X-Slack-Retry-Num", "2"),
        ("X-Slack-Retry-Reason", "http_error"),
    ];
    assert_eq!(post_signed(&app.url, SECRET, &second, &retry).await.0, 200);
    let d = app.next_delivery().await;
    assert_eq!(d.event_id(), Some("Ev002"));
    assert_eq!(
        d.retry.map(|r| (r.num, r.reason)),
        Some((2, Some("http_error".to_owned())))
    );
}

#[tokio::test]
async fn a_signed_body_that_is_not_a_payload_is_a_400() {
    let mut app = start_app().await;
    for body in ["not json", r#"{"type":"event_callback"}"#, "[]"] {
        let (status, _) = post_signed(&app.url, SECRET, body, &[]).await;
        assert_eq!(status, 400, "{body}");
    }
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.nothing_more();
}

#[test]
fn retry_headers_parse_leniently() {
    let lookup = |num: Option<&'static str>, reason: Option<&'static str>| {
        Retry::from_headers(move |name| match name {
            "x-slack-retry-num" => num,
            "x-slack-retry-reason" => reason,
            _ => None,
        })
    };
    assert_eq!(lookup(None, Some("http_timeout")), None);
    assert_eq!(lookup(Some("abc"), None), None);
    let r = lookup(Some(" 3 "), Some("")).unwrap();
    assert_eq!((r.num, r.reason), (3, None));
}

/// The ready-made route of the `axum` feature.
#[cfg(feature = "axum")]
mod axum_route {
    use super::*;

    #[tokio::test]
    async fn the_route_answers_at_once_and_runs_the_handler() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let on_event = move |d: Delivery| {
            let tx = tx.clone();
            async move {
                let _ = tx.send(d);
            }
        };
        let url = serve(
            Router::new()
                .route(
                    "/slack/events",
                    slack_api::inbound::axum::events_api_handler(on_event),
                )
                .with_state(EventsApi::new(SECRET)),
        )
        .await;

        let slack = FakeSlack::builder().signing_secret(SECRET).start().await;
        slack.set_app(http_app(&url));
        slack
            .post_as_user("U_BOB", "C_GENERAL", "via the route")
            .await;
        let d = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        let Event::Message(MessageEvent::Plain(m)) = &callback(&d).event else {
            panic!("not a plain message")
        };
        assert_eq!(m.text.as_deref(), Some("via the route"));
        assert_eq!(slack.wait_for_call(EVENTS_API_POST).await.status, 200);

        // The same body again is answered but not handled twice.
        let body = slack.calls_to(EVENTS_API_POST)[0]
            .arg("body")
            .unwrap()
            .to_owned();
        let retry = [("X-Slack-Retry-Num", "1")];
        assert_eq!(post_signed(&url, SECRET, &body, &retry).await.0, 200);

        let challenge = r#"{"type":"url_verification","challenge":"abc123"}"#;
        assert_eq!(
            post_signed(&url, SECRET, challenge, &[]).await,
            (200, "abc123".to_owned())
        );
        assert_eq!(post_signed(&url, "wrong", challenge, &[]).await.0, 401);
        tokio::time::sleep(Duration::from_millis(50)).await;
        assert!(rx.try_recv().is_err(), "the redelivery was handled again");
    }
}
