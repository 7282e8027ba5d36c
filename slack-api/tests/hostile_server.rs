//! A server that misbehaves gets a clear error in bounded time: one that
//! never answers, stops halfway through a body, sends a body of any size, or
//! sends something that is not a Slack response.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::json;
use slack_api::error::TransportErrorKind;
use slack_api::web::retry::RetryPolicy;
use slack_api::{Client, ClientBuilder, Error};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A loopback server that accepts connections, reads the request, and
/// answers with `reply` (possibly a partial response), then holds the
/// connection open without a further byte. Runs on plain threads, outside
/// the test's runtime, so a paused tokio clock does not stop it.
fn stalling_server(reply: &'static [u8]) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for stream in listener.incoming().take(8) {
            let Ok(mut stream) = stream else { return };
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                let _ = stream.read(&mut buf);
                let _ = stream.write_all(reply);
                // Hold it open; the test ends first.
                std::thread::sleep(Duration::from_secs(120));
                drop(stream);
            });
        }
    });
    format!("http://{addr}/api/")
}

fn client(base: &str) -> ClientBuilder {
    Client::builder()
        .token("xoxb-test")
        .api_base_url(base)
        .retry_policy(RetryPolicy::default().max_retries(0))
}

async fn expect_timeout(client: Client) {
    // Bounded, so the test fails instead of hanging if the timeout is missing.
    let result = tokio::time::timeout(Duration::from_secs(3600), client.api().test().send())
        .await
        .expect("the call never returned");
    match result {
        Err(Error::Transport(e)) => assert_eq!(e.kind, TransportErrorKind::Timeout, "{e}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_server_that_never_answers_times_out_by_default() {
    // The paused clock jumps to the client's default 30 s timeout at once
    // (and to the guard's hour if there were none).
    assert_eq!(ClientBuilder::DEFAULT_TIMEOUT, Duration::from_secs(30));
    let base = stalling_server(b"");
    expect_timeout(client(&base).build().unwrap()).await;
}

#[tokio::test(start_paused = true)]
async fn a_body_that_stops_halfway_times_out() {
    let base = stalling_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"ok\": tr",
    );
    expect_timeout(client(&base).build().unwrap()).await;
}

#[tokio::test]
async fn the_timeout_is_settable() {
    let base = stalling_server(b"");
    let started = std::time::Instant::now();
    expect_timeout(
        client(&base)
            .timeout(Duration::from_millis(200))
            .connect_timeout(Duration::from_millis(200))
            .build()
            .unwrap(),
    )
    .await;
    assert!(started.elapsed() < Duration::from_secs(20));
}

#[tokio::test]
async fn a_body_over_the_cap_is_refused_and_not_retried() {
    let server = MockServer::start().await;
    let big = json!({"ok": true, "padding": "x".repeat(10_000)});
    Mock::given(path("/api/api.test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(&big))
        .mount(&server)
        .await;
    let base = format!("{}/api/", server.uri());
    let capped = Client::builder()
        .api_base_url(&base)
        .max_response_bytes(1_000)
        .retry_policy(RetryPolicy::default().base_backoff(Duration::ZERO))
        .build()
        .unwrap();
    match capped.api().test().send().await {
        Err(Error::Transport(e)) => {
            assert_eq!(e.kind, TransportErrorKind::BodyTooLarge);
            assert!(e.to_string().contains("too large"), "{e}");
            assert!(!Error::Transport(e).is_retryable());
        }
        other => panic!("expected BodyTooLarge, got {other:?}"),
    }
    // api.test is safe to repeat, but a body too large stays too large.
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // Under the default cap the same body is fine.
    let default = Client::builder().api_base_url(&base).build().unwrap();
    assert!(default.api().test().send().await.is_ok());
    assert_eq!(ClientBuilder::DEFAULT_MAX_RESPONSE_BYTES, 64 << 20);
}

#[tokio::test]
async fn only_ok_true_in_an_object_is_success() {
    let server = MockServer::start().await;
    let client = Client::builder()
        .api_base_url(format!("{}/api/", server.uri()))
        .build()
        .unwrap();
    for body in [
        r#"{"channel": "C1"}"#,
        r#"{"ok": "yes"}"#,
        r#"{"ok": 1}"#,
        r#"{"ok": null}"#,
        "[true]",
        r#"[{"ok": true}]"#,
        "true",
        r#""ok""#,
    ] {
        server.reset().await;
        Mock::given(path("/api/api.test"))
            .respond_with(ResponseTemplate::new(200).set_body_string(body))
            .mount(&server)
            .await;
        match client.api().test().send().await {
            Err(Error::Decode(e)) => assert_eq!(e.method(), Some("api.test"), "{body}: {e}"),
            other => panic!("{body}: expected a decode error, got {other:?}"),
        }
    }
    // An error without `ok` is still Slack saying no.
    server.reset().await;
    Mock::given(path("/api/api.test"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"error": "invalid_auth"}"#))
        .mount(&server)
        .await;
    match client.api().test().send().await {
        Err(Error::Api(e)) => assert_eq!(e.code().as_str(), "invalid_auth"),
        other => panic!("expected an API error, got {other:?}"),
    }
    // And the real thing still works.
    server.reset().await;
    Mock::given(path("/api/api.test"))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#" {"ok": true}"#))
        .mount(&server)
        .await;
    assert!(client.api().test().send().await.is_ok());
}
