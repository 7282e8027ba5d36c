//! An app on an installation store, served over HTTP, and Slack's side of it.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use slack_api::events::AppMentionEvent;
use slack_api::inbound::signing::Signer;
use slack_app::http::EVENTS_PATH;
use slack_app::install::InstallationStore;
use slack_app::{App, Context, Failure, FailureCause};
use slack_testkit::{APP_ID, FakeSlack};

pub const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

pub fn event_callback(team: &str, enterprise: Option<&str>, event_id: &str, event: Value) -> Value {
    json!({
        "type": "event_callback", "team_id": team, "enterprise_id": enterprise,
        "api_app_id": APP_ID, "event_id": event_id, "event_time": 1700000000,
        "authorizations": [{"team_id": team, "enterprise_id": enterprise, "user_id": "U_BOT",
                            "is_bot": true, "is_enterprise_install": enterprise.is_some()}],
        "event": event
    })
}

pub fn mention(text: &str) -> Value {
    json!({"type": "app_mention", "user": "U_ALICE", "channel": "C_GENERAL", "text": text,
           "ts": "1700000003.000400", "event_ts": "1700000003.000400"})
}

pub type Failures = Arc<Mutex<Vec<String>>>;

/// An app answering mentions with the text it got, on `store`.
pub fn app(slack: &FakeSlack, store: impl InstallationStore, failures: &Failures) -> App {
    let failures = failures.clone();
    App::new(slack.anonymous_client())
        .installations(store)
        .event::<AppMentionEvent>(|cx: Context<AppMentionEvent>| async move {
            let text = cx.payload.text.clone().unwrap_or_default();
            cx.say(format!("re: {text}")).await?;
            Ok(())
        })
        .on_error(move |f: &Failure| {
            let tag = match &f.cause {
                FailureCause::Store(_) => "store",
                FailureCause::NotInstalled(_) => "not_installed",
                FailureCause::TokenRefresh(_) => "refresh",
                _ => "other",
            };
            failures.lock().unwrap().push(format!("{tag}: {f}"));
        })
}

pub async fn serve(app: App) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    let router = app.into_router(SECRET);
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}{EVENTS_PATH}")
}

pub async fn post(url: &str, body: &Value, retry: Option<u32>) -> u16 {
    let body = body.to_string();
    let signed = Signer::new(SECRET).sign_now(body.as_bytes());
    let mut req = reqwest::Client::new()
        .post(url)
        .headers(signed.to_header_map())
        .header("content-type", "application/json");
    if let Some(n) = retry {
        req = req
            .header("x-slack-retry-num", n.to_string())
            .header("x-slack-retry-reason", "http_error");
    }
    req.body(body)
        .send()
        .await
        .expect("the app answers")
        .status()
        .as_u16()
}

/// The token each reply `re: <text>` went out with.
pub async fn replies(slack: &FakeSlack, n: usize) -> Vec<(String, String)> {
    for _ in 0..200 {
        let calls = slack.calls_to("chat.postMessage");
        if calls.len() >= n {
            return calls
                .iter()
                .map(|c| {
                    (
                        c.arg("text").unwrap_or("").to_owned(),
                        c.token().unwrap_or("").to_owned(),
                    )
                })
                .collect();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "fewer than {n} replies: {:?}",
        slack.calls_to("chat.postMessage")
    );
}
