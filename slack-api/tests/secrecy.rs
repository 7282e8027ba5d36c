//! The token never shows up in Debug output, errors or logs.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use slack_api::web::retry::RetryPolicy;
use slack_api::{Client, Error};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const SECRET: &str = "supersecret";
const TOKEN: &str = "xoxb-1111-2222-supersecret";

#[derive(Clone, Default)]
struct Buffer(Arc<Mutex<Vec<u8>>>);

impl Write for Buffer {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn token_is_absent_from_debug_errors_and_logs() {
    let logs = Buffer::default();
    let writer = logs.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = MockServer::builder().start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(
            json!({"ok": true, "channel": "C1", "ts": "1.0", "warning": "missing_charset"}),
        ))
        .mount(&server)
        .await;
    Mock::given(path("/api/users.info"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"ok": false, "error": "user_not_found"})),
        )
        .mount(&server)
        .await;
    // A body that echoes a token (as oauth.v2.access does) and fails to decode.
    Mock::given(path("/api/auth.test"))
        .respond_with(ResponseTemplate::new(200).set_body_string(format!(
            r#"{{"ok": true, "access_token": "{TOKEN}", "user_id": ["#
        )))
        .mount(&server)
        .await;
    Mock::given(path("/api/api.test"))
        .respond_with(ResponseTemplate::new(502).set_body_string(format!("echo {TOKEN}")))
        .mount(&server)
        .await;
    // A hostile `ok: false` that echoes the token everywhere Slack puts text.
    Mock::given(path("/api/conversations.info"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": false,
            "error": format!("Bearer {TOKEN}"),
            "needed": format!("chat:write {TOKEN}"),
            "provided": TOKEN,
            "warning": format!("w {TOKEN}"),
            "response_metadata": {"messages": [format!("[ERROR] bad token {TOKEN}")], "warnings": [TOKEN]}
        })))
        .mount(&server)
        .await;
    // OAuth: the answer holds every kind of token.
    Mock::given(path("/api/oauth.v2.access"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "app_id": "A1",
            "access_token": TOKEN,
            "refresh_token": format!("xoxe-1-{SECRET}"),
            "token_type": "bot",
            "team": {"id": "T1"},
            "incoming_webhook": {"url": format!("https://hooks.slack.com/services/T1/B1/{SECRET}"), "channel": "#x"},
            "authed_user": {"id": "U1", "access_token": format!("xoxp-1-{SECRET}"), "refresh_token": format!("xoxe-2-{SECRET}")}
        })))
        .mount(&server)
        .await;

    let builder = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("{}/api/", server.uri()))
        .retry_policy(
            RetryPolicy::default()
                .max_retries(1)
                .base_backoff(Duration::ZERO),
        );
    let builder_debug = format!("{builder:?}");
    let client = builder.build().unwrap();

    let mut texts = vec![
        builder_debug,
        format!("{client:?}"),
        format!("{:?}", client.with_token(TOKEN)),
    ];
    client.chat().post_message("C1").text("hi").await.unwrap();
    let mut errors: Vec<Error> = vec![
        client.users().info("U1").await.unwrap_err(),
        client.auth().test().await.unwrap_err(),
        client.call("api.test", &json!({})).await.unwrap_err(),
        client.conversations().info("C1").await.unwrap_err(),
    ];
    assert!(matches!(errors[3], Error::Api(_)), "{:?}", errors[3]);

    // Every OAuth call: the request's secrets and the response's tokens.
    let oauth = client.oauth();
    let exchange = oauth.exchange_code("1.2", format!("cs-{SECRET}"), format!("code-{SECRET}"));
    texts.push(format!("{exchange:?}"));
    let refresh = oauth.refresh_token("1.2", format!("cs-{SECRET}"), format!("xoxe-{SECRET}"));
    texts.push(format!("{refresh:?}"));
    let installed = exchange.await.unwrap();
    texts.push(format!("{installed:?}"));
    texts.push(format!("{:?}", refresh.await.unwrap()));
    texts.push(format!(
        "{:?}",
        oauth.v2_exchange("1.2", format!("cs-{SECRET}"), TOKEN)
    ));
    texts.push(format!(
        "{:?}",
        oauth
            .access()
            .client_id("1.2")
            .client_secret(format!("cs-{SECRET}"))
            .code(format!("c-{SECRET}"))
    ));
    // A transport error, against a closed port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let closed = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("http://127.0.0.1:{port}/api/"))
        .retry_policy(RetryPolicy::none())
        .build()
        .unwrap();
    errors.push(closed.chat().post_message("C1").await.unwrap_err());
    assert!(matches!(errors[1], Error::Decode(_)), "{:?}", errors[1]);
    for e in &errors {
        texts.push(e.to_string());
        texts.push(format!("{e:?}"));
        let mut source = std::error::Error::source(e);
        while let Some(s) = source {
            texts.push(s.to_string());
            source = s.source();
        }
    }

    let logged = String::from_utf8(logs.0.lock().unwrap().clone()).unwrap();
    assert!(
        logged.contains("chat.postMessage"),
        "spans name the method: {logged}"
    );
    assert!(
        logged.contains("missing_charset"),
        "warnings are logged: {logged}"
    );
    texts.push(logged);
    for t in &texts {
        assert!(!t.contains(SECRET), "token leaked: {t}");
    }
}
