//! Client overhead: `chat.postMessage` round trips to a minimal loopback HTTP
//! server, through the typed client and through raw `reqwest` sending the
//! same form with the same headers, at concurrency 1 and 64.
//!
//! `cargo bench -p slack-api --bench client` prints criterion's figures and a
//! throughput ratio (typed / raw; the target is >= 0.9) per concurrency.

use std::hint::black_box;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use futures_util::stream::{self, StreamExt};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

const BODY: &str = r#"{"ok":true,"channel":"C1","ts":"1.2"}"#;
const TOKEN: &str = "xoxb-bench-token";
const BATCH: u64 = 256;

/// An HTTP/1.1 keep-alive server that answers every request with `BODY`.
/// Hand-rolled on tokio so the server, not the clients, is never the bottleneck.
async fn serve() -> SocketAddr {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let addr = listener.local_addr().expect("addr");
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            tokio::spawn(connection(sock));
        }
    });
    addr
}

async fn connection(mut sock: TcpStream) {
    let _ = sock.set_nodelay(true);
    let response = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: {}\r\n\r\n{BODY}",
        BODY.len()
    );
    let mut buf = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        // One request: headers, then `content-length` bytes of body.
        let (head_end, body_len) = loop {
            if let Some(end) = find(&buf, b"\r\n\r\n") {
                break (end + 4, content_length(&buf[..end]));
            }
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        };
        while buf.len() < head_end + body_len {
            match sock.read(&mut chunk).await {
                Ok(0) | Err(_) => return,
                Ok(n) => buf.extend_from_slice(&chunk[..n]),
            }
        }
        buf.drain(..head_end + body_len);
        if sock.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn content_length(head: &[u8]) -> usize {
    String::from_utf8_lossy(head)
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
}

struct Setup {
    typed: slack_api::Client,
    raw: reqwest::Client,
    url: String,
}

async fn typed_call(s: &Setup) {
    let r = s
        .typed
        .chat()
        .post_message("C1")
        .text("hello from the bench")
        .send()
        .await
        .expect("typed call");
    black_box(r);
}

async fn raw_call(s: &Setup) {
    let resp = s
        .raw
        .post(&s.url)
        .bearer_auth(TOKEN)
        .header(reqwest::header::USER_AGENT, "slack-rs-bench")
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body("channel=C1&text=hello+from+the+bench")
        .send()
        .await
        .expect("raw call");
    let body = resp.bytes().await.expect("raw body");
    // Hand-rolled code still has to look at the answer.
    let v: serde_json::Value = serde_json::from_slice(&body).expect("json");
    assert_eq!(v["ok"], true);
    black_box(v);
}

/// `n` calls with at most `concurrency` in flight.
async fn batch(s: &Setup, typed: bool, n: u64, concurrency: usize) {
    stream::iter(0..n)
        .for_each_concurrent(concurrency, |_| async move {
            if typed {
                typed_call(s).await
            } else {
                raw_call(s).await
            }
        })
        .await;
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let setup = rt.block_on(async {
        let addr = serve().await;
        let base = format!("http://{addr}/api/");
        let typed = slack_api::Client::builder()
            .token(TOKEN)
            .api_base_url(base.clone())
            .build()
            .expect("client");
        Setup {
            typed,
            raw: reqwest::Client::new(),
            url: format!("{base}chat.postMessage"),
        }
    });
    let setup = &setup;

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut g = c.benchmark_group("chat_post_message");
    // One iteration is a batch, so every sample keeps `concurrency` calls in flight.
    g.throughput(Throughput::Elements(BATCH));
    for concurrency in [1usize, 64] {
        for (name, typed) in [("typed", true), ("raw_reqwest", false)] {
            g.bench_function(format!("{name}/c{concurrency}"), |b| {
                b.iter(|| rt.block_on(batch(setup, typed, BATCH, concurrency)))
            });
        }
    }
    g.finish();
    c.final_summary();

    // Interleaved batches, median throughput of each side.
    for concurrency in [1usize, 64] {
        let n = 2_000;
        let (mut raw, mut typed) = (Vec::new(), Vec::new());
        for _ in 0..7 {
            for (is_typed, out) in [(false, &mut raw), (true, &mut typed)] {
                let start = Instant::now();
                rt.block_on(batch(setup, is_typed, n, concurrency));
                out.push(n as f64 / start.elapsed().as_secs_f64());
            }
        }
        let median = |v: &mut Vec<f64>| {
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        let (r, t) = (median(&mut raw), median(&mut typed));
        println!(
            "RATIO chat.postMessage c={concurrency}: raw {r:.0} req/s, typed {t:.0} req/s, throughput ratio (typed/raw) = {:.2} (target >= 0.9)",
            t / r
        );
    }
}
