//! Acks per second and ack latency; figures in BENCHMARKS.md.
//!
//! ```text
//! cargo bench -p slack-app --bench acks
//! ```
//!
//! 1. HTTP: a no-op `block_actions` handler behind the app's router, against
//!    a bare axum handler answering the same signed request with 200, both
//!    on loopback, driven by the same client; rounds alternate.
//! 2. Socket Mode: the same handler, envelopes pushed by the fake Slack.
//! 3. Latency: 64 handlers in flight that each ack and then work for 2 s;
//!    the time from sending a request to its response (the ack).

use std::time::{Duration, Instant};

use axum::Router;
use axum::routing::post;
use serde_json::json;
use slack_api::events::BlockActionsPayload;
use slack_api::inbound::signing::Signer;
use slack_app::{App, Context};
use slack_testkit::FakeSlack;

const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";
const ROUNDS: usize = 3;
const REQUESTS: usize = 4000;
const CONCURRENCY: usize = 32;

fn payload() -> String {
    let p = json!({
        "type": "block_actions",
        "user": {"id": "U_ALICE", "username": "alice", "team_id": "T0001"},
        "team": {"id": "T0001", "domain": "fake-team"},
        "channel": {"id": "C_GENERAL", "name": "general"},
        "trigger_id": "1234.5678.abcd",
        "response_url": "https://hooks.slack.com/actions/T0001/1/abc",
        "actions": [{"type": "button", "action_id": "approve", "block_id": "b", "value": "v",
                     "action_ts": "1700000001.000200"}]
    });
    url::form_urlencoded::Serializer::new(String::new())
        .append_pair("payload", &p.to_string())
        .finish()
}

fn noop_app(client: slack_api::Client) -> App {
    App::new(client).action("approve", |cx: Context<BlockActionsPayload>| async move {
        cx.ack();
        Ok(())
    })
}

async fn serve(router: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move { axum::serve(listener, router).await });
    format!("http://{addr}/slack/events")
}

/// Sends `n` signed requests, `CONCURRENCY` at a time; requests per second.
async fn load(url: &str, n: usize, body: &str) -> f64 {
    let client = reqwest::Client::new();
    let start = Instant::now();
    let per_worker = n / CONCURRENCY;
    let mut tasks = Vec::new();
    for _ in 0..CONCURRENCY {
        let (client, url, body) = (client.clone(), url.to_owned(), body.to_owned());
        tasks.push(tokio::spawn(async move {
            for _ in 0..per_worker {
                let signed = Signer::new(SECRET).sign_now(body.as_bytes());
                let resp = client
                    .post(&url)
                    .headers(signed.to_header_map())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body.clone())
                    .send()
                    .await
                    .expect("answer");
                assert_eq!(resp.status().as_u16(), 200);
                let _ = resp.bytes().await;
            }
        }));
    }
    for t in tasks {
        t.await.expect("worker");
    }
    (per_worker * CONCURRENCY) as f64 / start.elapsed().as_secs_f64()
}

async fn http_vs_bare(slack: &FakeSlack) {
    let app_url = serve(noop_app(slack.client("xoxb-bench")).into_router(SECRET)).await;
    // Reads the body, as any handler of Slack's requests must.
    let bare_url = serve(Router::new().route(
        "/slack/events",
        post(|body: axum::body::Bytes| async move { if body.is_empty() { "empty" } else { "" } }),
    ))
    .await;
    let body = payload();
    // Warm both.
    load(&app_url, 256, &body).await;
    load(&bare_url, 256, &body).await;
    println!("http: {REQUESTS} requests, {CONCURRENCY} concurrent, rounds alternate");
    let mut ratios = Vec::new();
    for round in 1..=ROUNDS {
        let bare = load(&bare_url, REQUESTS, &body).await;
        let app = load(&app_url, REQUESTS, &body).await;
        ratios.push(app / bare);
        println!(
            "  round {round}: app {app:.0}/s, bare axum {bare:.0}/s, ratio {:.2}",
            app / bare
        );
    }
    ratios.sort_by(f64::total_cmp);
    println!("  median ratio app/bare: {:.2}", ratios[ratios.len() / 2]);
}

async fn socket_mode(slack: &FakeSlack) {
    let app = noop_app(slack.client("xoxb-bench"));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(app.socket_mode("xapp-bench").run_until(async move {
        let _ = stopped.await;
    }));
    slack.wait_for_socket_mode_connected().await;
    let p: serde_json::Value = serde_json::from_str(
        &url::form_urlencoded::parse(payload().as_bytes())
            .find(|(k, _)| k == "payload")
            .expect("payload")
            .1,
    )
    .expect("json");
    let n = 2000;
    for round in 1..=ROUNDS {
        slack.reset_journal();
        let start = Instant::now();
        for _ in 0..n {
            slack.push_envelope("interactive", p.clone(), true);
        }
        slack.wait_for_all_acks().await;
        let rate = n as f64 / start.elapsed().as_secs_f64();
        println!("socket mode: round {round}: {n} envelopes acked at {rate:.0}/s");
    }
    let _ = stop.send(());
    task.await.expect("task").expect("run");
}

async fn latency_with_busy_handlers(slack: &FakeSlack) {
    let app = App::new(slack.client("xoxb-bench")).action(
        "approve",
        |cx: Context<BlockActionsPayload>| async move {
            cx.ack();
            tokio::time::sleep(Duration::from_secs(2)).await;
            Ok(())
        },
    );
    let url = serve(app.into_router(SECRET)).await;
    let body = payload();
    let client = reqwest::Client::new();
    let mut latencies = Vec::new();
    // Three waves of 64; each starts once the previous wave's handlers are
    // done, so 64 are in flight while each wave is acked.
    for _ in 0..3 {
        let mut wave = Vec::new();
        for _ in 0..64 {
            let (client, url, body) = (client.clone(), url.clone(), body.clone());
            wave.push(tokio::spawn(async move {
                let signed = Signer::new(SECRET).sign_now(body.as_bytes());
                let start = Instant::now();
                let resp = client
                    .post(&url)
                    .headers(signed.to_header_map())
                    .header("content-type", "application/x-www-form-urlencoded")
                    .body(body)
                    .send()
                    .await
                    .expect("answer");
                let _ = resp.bytes().await;
                start.elapsed()
            }));
        }
        for t in wave {
            latencies.push(t.await.expect("request"));
        }
        tokio::time::sleep(Duration::from_millis(2200)).await;
    }
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() as f64 - 1.0) * q) as usize];
    println!(
        "latency, 64 handlers in flight working 2 s after their ack ({} requests): median {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3
    );
}

fn main() {
    // `cargo test --benches` runs this with `--bench` absent: stay quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let slack = FakeSlack::start().await;
        http_vs_bare(&slack).await;
        socket_mode(&slack).await;
        latency_with_busy_handlers(&slack).await;
    });
}
