//! The fake Slack's own speed: start time, replayed and simulated
//! `chat.postMessage` requests per second on loopback, side by side with a
//! bare wiremock server answering one canned body, and the latency from an
//! HTTP post to the RTM event it causes.
//!
//! `cargo bench -p slack-testkit --bench fake_slack` prints criterion's
//! figures and one `TARGET` line per figure (start < 5 ms, >= 20,000 req/s,
//! simulated >= 0.8x bare wiremock, median event latency < 1 ms). The ratio
//! is the median of interleaved rounds, each timing both servers back to back.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use futures_util::StreamExt;
use futures_util::stream;
use serde_json::Value;
use slack_testkit::FakeSlack;

const CONCURRENCY: usize = 64;
const BATCH: u64 = 512;

/// A lean HTTP client, so the figures are the server's, not the SDK's.
struct Poster {
    http: reqwest::Client,
    url: String,
    token: String,
    form: &'static str,
}

impl Poster {
    fn new(slack: &FakeSlack, token: &str, form: &'static str) -> Self {
        Self::to(&slack.api_base_url(), token, form)
    }

    fn to(api_base_url: &str, token: &str, form: &'static str) -> Self {
        Poster {
            http: reqwest::Client::new(),
            url: format!("{api_base_url}chat.postMessage"),
            token: token.to_owned(),
            form,
        }
    }

    async fn post(&self) -> Value {
        let body = self
            .http
            .post(&self.url)
            .bearer_auth(&self.token)
            .header(
                reqwest::header::CONTENT_TYPE,
                "application/x-www-form-urlencoded",
            )
            .body(self.form)
            .send()
            .await
            .expect("post")
            .bytes()
            .await
            .expect("body");
        serde_json::from_slice(&body).expect("json")
    }

    async fn batch(&self, n: u64) {
        stream::iter(0..n)
            .for_each_concurrent(CONCURRENCY, |_| async {
                let v = self.post().await;
                assert_eq!(v["ok"], true, "{v}");
            })
            .await;
    }
}

fn fixtures_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../fixtures")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    // Start time: from nothing to both servers listening. The fakes are
    // dropped outside `block_on`: wiremock's drop blocks on its own shutdown,
    // which hangs when run on the thread driving the runtime.
    c.bench_function("fake_slack/start", |b| {
        b.iter_custom(|iters| {
            // In chunks, so at most 32 fakes (ports, threads) are alive.
            let mut total = Duration::ZERO;
            let mut left = iters;
            while left > 0 {
                let n = left.min(32);
                let (t, fakes) = rt.block_on(start_many(n));
                drop(fakes);
                total += t;
                left -= n;
            }
            total
        })
    });

    let (simulated, replayed) = rt.block_on(async {
        let sim = FakeSlack::start().await;
        let replay = FakeSlack::replay(fixtures_dir()).await;
        (sim, replay)
    });
    // The baseline: wiremock alone, one mock, one canned answer (the
    // simulator's own answer to the same post).
    let bare = rt.block_on(async {
        let canned = Poster::new(&simulated, "xoxb-bench", "channel=C_GENERAL&text=hello")
            .post()
            .await;
        let server = wiremock::MockServer::builder()
            .disable_request_recording()
            .start()
            .await;
        wiremock::Mock::given(wiremock::matchers::method("POST"))
            .respond_with(wiremock::ResponseTemplate::new(200).set_body_raw(
                serde_json::to_vec(&canned).expect("json"),
                "application/json; charset=utf-8",
            ))
            .mount(&server)
            .await;
        server
    });
    let bare_poster = Poster::to(
        &format!("{}/api/", bare.uri()),
        "xoxb-bench",
        "channel=C_GENERAL&text=hello",
    );
    let sim_poster = Poster::new(&simulated, "xoxb-bench", "channel=C_GENERAL&text=hello");
    let replay_poster = Poster::new(
        &replayed,
        "xoxb-bench",
        "channel=C_GENERAL&text=Deploy+finished",
    );
    let mut g = c.benchmark_group("fake_slack/chat.postMessage");
    // One iteration is a batch, so every sample keeps 64 requests in flight.
    g.throughput(Throughput::Elements(BATCH));
    for (name, poster) in [
        ("bare_wiremock", &bare_poster),
        ("simulated", &sim_poster),
        ("replayed", &replay_poster),
    ] {
        g.bench_function(format!("{name}/c{CONCURRENCY}"), |b| {
            b.iter(|| rt.block_on(poster.batch(BATCH)))
        });
    }
    g.finish();
    c.final_summary();

    // Summary figures against the targets.
    let mut starts = Vec::new();
    for _ in 0..50 {
        let (t, fakes) = rt.block_on(start_many(1));
        starts.push(t);
        drop(fakes);
    }
    let start = median(starts);
    println!(
        "TARGET fake_slack start: median {start:?} (target < 5 ms): {}",
        verdict(start < Duration::from_millis(5))
    );
    for (name, poster) in [("simulated", &sim_poster), ("replayed", &replay_poster)] {
        let n = 10_000;
        let t = Instant::now();
        rt.block_on(poster.batch(n));
        let rate = n as f64 / t.elapsed().as_secs_f64();
        println!(
            "TARGET fake_slack {name} chat.postMessage: {rate:.0} req/s at concurrency {CONCURRENCY} (target >= 20000): {}",
            verdict(rate >= 20_000.0)
        );
    }
    // Side by side: each round times the bare server and the fake back to
    // back, so both see the same machine load.
    let rate = |poster: &Poster| {
        let n = 10_000;
        let t = Instant::now();
        rt.block_on(poster.batch(n));
        n as f64 / t.elapsed().as_secs_f64()
    };
    let mut ratios = Vec::new();
    for round in 0..7 {
        let (b, s) = if round % 2 == 0 {
            let b = rate(&bare_poster);
            (b, rate(&sim_poster))
        } else {
            let s = rate(&sim_poster);
            (rate(&bare_poster), s)
        };
        println!(
            "round {round}: bare wiremock {b:.0} req/s, simulated {s:.0} req/s, ratio {:.2}",
            s / b
        );
        ratios.push(s / b);
    }
    ratios.sort_by(f64::total_cmp);
    let ratio = ratios[ratios.len() / 2];
    println!(
        "RATIO fake_slack simulated / bare wiremock chat.postMessage at concurrency {CONCURRENCY}: median {ratio:.2} (range {:.2}-{:.2})",
        ratios[0],
        ratios[ratios.len() - 1]
    );
    println!(
        "TARGET fake_slack simulated >= 0.8x bare wiremock: {ratio:.2}: {}",
        verdict(ratio >= 0.8)
    );
    drop((simulated, replayed, bare));

    let (latency, slack) = rt.block_on(event_latency(500));
    drop(slack);
    println!(
        "TARGET fake_slack HTTP post -> RTM event: median {latency:?} (target < 1 ms): {}",
        verdict(latency < Duration::from_millis(1))
    );
}

/// Starts `n` fakes one after the other; the total start time and the fakes.
async fn start_many(n: u64) -> (Duration, Vec<FakeSlack>) {
    let mut total = Duration::ZERO;
    let mut fakes = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let start = Instant::now();
        fakes.push(black_box(FakeSlack::start().await));
        total += start.elapsed();
    }
    (total, fakes)
}

fn verdict(met: bool) -> &'static str {
    if met { "met" } else { "MISSED" }
}

/// Median time from sending `chat.postMessage` over HTTP to the `message`
/// event arriving on an RTM websocket of the same workspace.
async fn event_latency(rounds: usize) -> (Duration, FakeSlack) {
    let slack = FakeSlack::start().await;
    let poster = Poster::new(
        &slack,
        &slack.user_token("U_ALICE"),
        "channel=C_GENERAL&text=ping",
    );
    let http = reqwest::Client::new();
    let connect: Value = serde_json::from_slice(
        &http
            .post(format!("{}rtm.connect", slack.api_base_url()))
            .bearer_auth("xoxb-bench")
            .send()
            .await
            .expect("rtm.connect")
            .bytes()
            .await
            .expect("body"),
    )
    .expect("json");
    let url = connect["url"].as_str().expect("rtm url").to_owned();
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("websocket");
    // hello first.
    next_of_type(&mut ws, "hello").await;
    let mut samples = Vec::with_capacity(rounds);
    for _ in 0..rounds {
        let start = Instant::now();
        let (v, ()) = tokio::join!(poster.post(), next_of_type(&mut ws, "message"));
        samples.push(start.elapsed());
        assert_eq!(v["ok"], true, "{v}");
    }
    drop(ws);
    drop(poster);
    (median(samples), slack)
}

async fn next_of_type<S>(ws: &mut S, kind: &str)
where
    S: futures_util::Stream<
            Item = Result<
                tokio_tungstenite::tungstenite::Message,
                tokio_tungstenite::tungstenite::Error,
            >,
        > + Unpin,
{
    while let Some(frame) = ws.next().await {
        if let Ok(tokio_tungstenite::tungstenite::Message::Text(t)) = frame {
            let v: Value = serde_json::from_str(t.as_str()).unwrap_or_default();
            if v["type"] == kind {
                return;
            }
        }
    }
    panic!("websocket closed before a {kind} frame");
}
