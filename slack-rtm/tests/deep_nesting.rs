//! A hostile frame nested thousands of levels deep reaches the RTM and
//! Socket Mode clients on 2 MiB worker threads (tokio's default): it is an
//! error item or an unknown event, never a stack overflow, and the next
//! frame still arrives.

use std::time::Duration;

use serde_json::json;
use slack_rtm::socket_mode::{SocketMode, SocketModeIncoming};
use slack_rtm::{Event, MessageEvent, RtmIncoming};
use slack_testkit::{FakeSlack, RtmFault, SocketModeFault};

const WAIT: Duration = Duration::from_secs(10);

/// A message event whose `root` and `blocks` nest `depth` levels each, as
/// text: no JSON value (and so no `push_event`) can hold it.
fn hostile(depth: usize) -> String {
    let root = format!(
        "{}{{}}{}",
        r#"{"type":"message","text":"t","root":"#.repeat(depth),
        "}".repeat(depth)
    );
    let blocks = format!(
        "{}1{}",
        r#"[{"elements":"#.repeat(depth),
        "}]".repeat(depth)
    );
    format!(
        r#"{{"type":"message","channel":"C_GENERAL","user":"U_ALICE","text":"deep","ts":"1.0","root":{root},"blocks":{blocks}}}"#
    )
}

fn envelope(event: &str) -> String {
    format!(
        r#"{{"type":"events_api","envelope_id":"e-deep","accepts_response_payload":false,"payload":{{"type":"event_callback","team_id":"T0001","api_app_id":"A1","event_id":"Ev-deep","event_time":1,"event":{event}}}}}"#
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_stack_size(2 << 20)
        .enable_all()
        .build()
        .unwrap()
}

fn plain(event: &Event) -> Option<&str> {
    match event {
        Event::Message(MessageEvent::Plain(m)) => m.text.as_deref(),
        _ => None,
    }
}

#[test]
fn rtm_survives_hostile_nesting() {
    runtime().block_on(async {
        let slack = FakeSlack::start().await;
        let client = slack.client("xoxb-test");
        let (_sender, mut events) = slack_rtm::connect(&client).await.expect("connects");
        for depth in [60, 126, 200, 10_000] {
            slack.rtm_fault(RtmFault::RawFrame {
                text: hostile(depth),
            });
            slack
                .push_event(json!({"type": "message", "channel": "C_GENERAL", "user": "U_ALICE", "text": format!("after {depth}"), "ts": "2.0"}))
                .await;
            // The hostile frame comes out as an error item (it cannot be
            // decoded), then the next message as usual.
            let mut hostile_seen = false;
            loop {
                match tokio::time::timeout(WAIT, events.next()).await.expect("stalled") {
                    Some(Ok(RtmIncoming::Event(e))) if plain(&e) == Some(&format!("after {depth}")) => break,
                    Some(Err(_)) => hostile_seen = true,
                    Some(_) => continue,
                    None => panic!("the stream ended at depth {depth}"),
                }
            }
            assert!(hostile_seen, "the frame nested {depth} deep was not reported");
        }
    });
}

#[test]
fn socket_mode_survives_hostile_nesting() {
    runtime().block_on(async {
        let slack = FakeSlack::start().await;
        let mut events = SocketMode::builder()
            .connect(&slack.client("xapp-1-test"))
            .await
            .expect("connects");
        for depth in [60, 126, 200, 10_000] {
            slack.socket_mode_fault(SocketModeFault::RawFrame {
                text: envelope(&hostile(depth)),
            });
            slack
                .push_event(json!({"type": "message", "channel": "C_GENERAL", "user": "U_ALICE", "text": format!("after {depth}"), "ts": "2.0"}))
                .await;
            let mut hostile_seen = false;
            loop {
                match tokio::time::timeout(WAIT, events.next()).await.expect("stalled") {
                    Some(Err(_)) => hostile_seen = true,
                    Some(Ok(SocketModeIncoming::Envelope(env))) if env.envelope_id == "e-deep" => {
                        hostile_seen = true
                    }
                    Some(Ok(SocketModeIncoming::Envelope(env))) => {
                        let done = env
                            .event()
                            .is_some_and(|e| plain(e) == Some(format!("after {depth}").as_str()));
                        if done {
                            break;
                        }
                    }
                    Some(_) => continue,
                    None => panic!("the stream ended at depth {depth}"),
                }
            }
            assert!(hostile_seen, "the envelope nested {depth} deep was not reported");
        }
        events.shutdown().await;
    });
}
