//! RTM over loopback against the fake Slack: events per second from its
//! websocket into the typed `RtmEvents` stream, and the send-and-ack round trip.
//!
//! `cargo bench -p slack-rtm --bench rtm` prints criterion's figures and a
//! summary (events/s; median and p99 ack latency).

use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use serde_json::{Value, json};
use slack_rtm::{Event, RtmEvents, RtmIncoming, Sender};
use slack_testkit::FakeSlack;

const BATCH: usize = 2_000;

/// A mixed batch of frames: messages (plain, threaded, bot), reactions,
/// typing and presence.
fn frames(n: usize) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let ts = format!("{}.{:06}", 1_700_000_000 + i, i % 1_000_000);
            match i % 8 {
                0..=2 => json!({
                    "type": "message", "channel": "C_GENERAL", "user": "U_ALICE",
                    "text": format!("message number {i} with <@U_BOB> and :tada:"),
                    "ts": ts, "team": "T0001", "event_ts": ts,
                    "blocks": [{"type": "rich_text", "block_id": "x", "elements": [
                        {"type": "rich_text_section", "elements": [{"type": "text", "text": "hi"}]}]}]
                }),
                3 => json!({
                    "type": "message", "channel": "C_DEV", "user": "U_BOB", "text": "reply",
                    "ts": ts, "thread_ts": "1700000000.000100", "parent_user_id": "U_ALICE"
                }),
                4 => json!({
                    "type": "message", "subtype": "bot_message", "channel": "C_DEV",
                    "bot_id": "B_BOT", "username": "ci", "text": "build passed", "ts": ts
                }),
                5 => json!({
                    "type": "reaction_added", "user": "U_CAROL", "reaction": "eyes",
                    "item": {"type": "message", "channel": "C_GENERAL", "ts": ts},
                    "item_user": "U_ALICE", "event_ts": ts
                }),
                6 => json!({"type": "user_typing", "channel": "C_GENERAL", "user": "U_DAVE"}),
                _ => json!({"type": "presence_change", "user": "U_ERIN", "presence": "away"}),
            }
        })
        .collect()
}

/// Pushes `frames` from the fake and reads as many typed events; the elapsed time.
async fn pump(slack: &FakeSlack, events: &mut RtmEvents, frames: &[Value]) -> Duration {
    let start = Instant::now();
    for f in frames {
        slack.push_event(f.clone()).await;
    }
    let mut got = 0;
    while got < frames.len() {
        match events.next().await {
            Some(Ok(RtmIncoming::Event(e))) => {
                if !matches!(e, Event::Unknown(_)) {
                    got += 1;
                }
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => panic!("stream error: {e}"),
            None => panic!("stream ended"),
        }
    }
    start.elapsed()
}

async fn ack_round_trip(sender: &Sender) -> Duration {
    let start = Instant::now();
    sender
        .send_message("C_GENERAL", "ping")
        .await
        .expect("acked send");
    start.elapsed()
}

async fn connect(slack: &FakeSlack) -> (Sender, RtmEvents) {
    let client = slack.client("xoxb-bench");
    let (sender, mut events) = slack_rtm::connect(&client).await.expect("connect");
    // The first item is `Connected`.
    let first = events.next().await;
    assert!(
        matches!(first, Some(Ok(RtmIncoming::Lifecycle(_)))),
        "{first:?}"
    );
    (sender, events)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // Two fakes: the sends in the ack bench must not echo into the event bench.
    let (events_slack, acks_slack) =
        rt.block_on(async { (FakeSlack::start().await, FakeSlack::start().await) });
    let (_events_sender, mut events) = rt.block_on(connect(&events_slack));
    let (sender, _ack_events) = rt.block_on(connect(&acks_slack));
    let batch = frames(BATCH);

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));
    let mut g = c.benchmark_group("rtm");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("events_into_typed_stream", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += pump(&events_slack, &mut events, &batch).await;
                }
                total
            })
        })
    });
    g.throughput(Throughput::Elements(1));
    g.bench_function("send_and_ack", |b| {
        b.iter_custom(|iters| {
            rt.block_on(async {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    total += ack_round_trip(&sender).await;
                }
                total
            })
        })
    });
    g.finish();
    c.final_summary();

    let big = frames(10_000);
    let elapsed = rt.block_on(pump(&events_slack, &mut events, &big));
    println!(
        "SUMMARY rtm events into the typed stream: {:.0} events/s ({} events in {elapsed:?})",
        big.len() as f64 / elapsed.as_secs_f64(),
        big.len()
    );
    let mut acks: Vec<Duration> = rt.block_on(async {
        let mut v = Vec::new();
        for _ in 0..1_000 {
            v.push(ack_round_trip(&sender).await);
        }
        v
    });
    acks.sort();
    println!(
        "SUMMARY rtm send-and-ack: median {:?}, p99 {:?} (1000 sends)",
        acks[acks.len() / 2],
        acks[acks.len() * 99 / 100]
    );
    rt.block_on(async {
        sender.shutdown().await;
        _events_sender.shutdown().await;
    });
    drop((events, _ack_events));
    // Outside `block_on`: wiremock's drop blocks on its own shutdown.
    drop((events_slack, acks_slack));
}
