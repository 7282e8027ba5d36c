//! Helpers shared by the integration tests: raw HTTP and websocket clients.
#![allow(dead_code, unreachable_pub)]

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use slack_testkit::FakeSlack;
use tokio_tungstenite::tungstenite::Message;

pub const BOT: &str = "xoxb-1-test";

/// POSTs a form with a bearer token; returns status and JSON body (Null if none).
pub async fn form(
    slack: &FakeSlack,
    method: &str,
    token: Option<&str>,
    args: &[(&str, &str)],
) -> (u16, Value) {
    let mut req = reqwest::Client::new()
        .post(format!("{}{method}", slack.api_base_url()))
        .form(args);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().await.expect("loopback request");
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

/// POSTs `body` (or nothing) to the admin API at `/_testkit/{path}`;
/// returns status and JSON body.
pub async fn admin(slack: &FakeSlack, path: &str, body: Option<Value>) -> (u16, Value) {
    let mut req = reqwest::Client::new().post(format!("{}/_testkit/{path}", slack.uri()));
    if let Some(body) = &body {
        req = req.json(body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    (status, resp.json::<Value>().await.unwrap_or(Value::Null))
}

/// A bot call that must succeed; returns the body.
pub async fn ok(slack: &FakeSlack, method: &str, args: &[(&str, &str)]) -> Value {
    let (status, body) = form(slack, method, Some(BOT), args).await;
    assert_eq!(status, 200, "{method}: {body}");
    assert_eq!(body["ok"], true, "{method}: {body}");
    body
}

/// A bot call that must fail with `code`.
pub async fn err(slack: &FakeSlack, method: &str, args: &[(&str, &str)], code: &str) {
    let (_, body) = form(slack, method, Some(BOT), args).await;
    assert_eq!(body["ok"], false, "{method}: {body}");
    assert_eq!(body["error"], code, "{method}: {body}");
}

pub type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Calls rtm.connect with the bot token and opens the websocket it names.
pub async fn rtm(slack: &FakeSlack) -> Ws {
    let body = ok(slack, "rtm.connect", &[]).await;
    let url = body["url"].as_str().expect("url").to_string();
    let (ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connect");
    ws
}

/// The next text frame as JSON (panics after 5 s).
pub async fn next(ws: &mut Ws) -> Value {
    next_text(ws)
        .await
        .map(|t| serde_json::from_str(&t).unwrap_or(Value::String(t)))
        .expect("frame")
}

/// The next text frame, or None when the socket ended.
pub async fn next_text(ws: &mut Ws) -> Option<String> {
    loop {
        let msg = tokio::time::timeout(std::time::Duration::from_secs(5), ws.next())
            .await
            .expect("a frame within 5 s");
        match msg {
            Some(Ok(Message::Text(t))) => return Some(t.to_string()),
            Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return None,
            Some(Ok(_)) => {}
        }
    }
}

pub async fn send(ws: &mut Ws, v: Value) {
    ws.send(Message::text(v.to_string()))
        .await
        .expect("ws send");
}
