//! A server that says `hello` and then never reads: writes must give up in
//! bounded time, the connection must be dropped and reopened, and
//! `shutdown()` must return.
//!
//! `rtm.connect` is answered by a small loopback responder rather than the
//! fake Slack, which points every websocket URL at its own (reading) socket.

use std::time::Duration;

use serde_json::json;
use slack_rtm::{DisconnectReason, Lifecycle, ReconnectPolicy, Rtm, RtmIncoming};
use tokio::net::TcpListener;

/// A websocket server on loopback that greets every connection with
/// `hello` and then holds it open without ever reading from it.
async fn deaf_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                continue;
            };
            tokio::spawn(async move {
                use futures_util::SinkExt;
                let Ok(mut ws) = tokio_tungstenite::accept_async(stream).await else {
                    return;
                };
                let hello = tokio_tungstenite::tungstenite::Message::text(
                    json!({"type": "hello"}).to_string(),
                );
                let _ = ws.send(hello).await;
                // Keep the socket open and never read it.
                std::future::pending::<()>().await;
                drop(ws);
            });
        }
    });
    format!("ws://{addr}/websocket/deaf?ticket=t-deaf")
}

/// A Web API on loopback whose every answer is `rtm.connect`'s, pointing
/// at `ws_url` (the fake Slack would point it at its own websocket).
async fn rtm_connect_server(ws_url: String) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let body =
        json!({"ok": true, "url": ws_url, "self": {"id": "U_BOT", "name": "bot"}, "team": {"id": "T1"}})
            .to_string();
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                continue;
            };
            let body = body.clone();
            tokio::spawn(async move {
                // Read the request head and its body, then answer.
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    let Ok(n) = stream.read(&mut chunk).await else {
                        return;
                    };
                    if n == 0 {
                        return;
                    }
                    buf.extend_from_slice(&chunk[..n]);
                    let text = String::from_utf8_lossy(&buf).to_ascii_lowercase();
                    if let Some(end) = text.find("\r\n\r\n") {
                        let len = text[..end]
                            .lines()
                            .find_map(|l| l.strip_prefix("content-length:"))
                            .and_then(|v| v.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if buf.len() >= end + 4 + len {
                            break;
                        }
                    }
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                    body.len()
                );
                let _ = stream.write_all(answer.as_bytes()).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    format!("http://{addr}/api/")
}

#[tokio::test]
async fn shutdown_returns_when_the_server_stops_reading() {
    let api = rtm_connect_server(deaf_server().await).await;
    let client = slack_api::Client::builder()
        .token("xoxb-test")
        .api_base_url(api)
        .build()
        .unwrap();
    let (sender, mut events) = Rtm::builder()
        .write_timeout(Duration::from_millis(300))
        .reconnect_policy(
            ReconnectPolicy::default()
                .initial_delay(Duration::from_millis(10))
                .jitter(0.0)
                .max_attempts(None),
        )
        .connect(&client)
        .await
        .expect("connect");

    // 100 messages of 512 KB: far more than the socket buffers hold.
    let text = "x".repeat(512 * 1024);
    for _ in 0..100 {
        sender
            .send_raw(json!({"type": "message", "channel": "C_GENERAL", "text": text}))
            .expect("queued");
    }

    // Queued behind all of them, as in the report: it must still return.
    tokio::time::timeout(Duration::from_secs(20), sender.shutdown())
        .await
        .expect("shutdown must return even though the server never reads");
    assert!(sender.is_closed());

    // The stalled write was noticed and the connection dropped for it.
    let mut reasons = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(5), events.next())
        .await
        .expect("the stream ends after shutdown")
    {
        if let Ok(RtmIncoming::Lifecycle(Lifecycle::Disconnected { reason })) = item {
            reasons.push(reason);
        }
    }
    assert_eq!(
        reasons,
        [DisconnectReason::WriteTimeout {
            after: Duration::from_millis(300)
        }]
    );
}
