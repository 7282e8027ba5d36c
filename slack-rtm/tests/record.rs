//! Recording an RTM session (Web API fixtures plus a websocket transcript)
//! against the live fake, then replaying it with the same client code.

use std::path::Path;
use std::time::Duration;

use serde_json::{Value, json};
use slack_rtm::{Direction, Event, Lifecycle, MessageEvent, Rtm, RtmEvents, RtmIncoming, Sender};
use slack_testkit::FakeSlack;
use slack_testkit::record::{Recorder, TranscriptRecorder};

async fn next(events: &mut RtmEvents) -> RtmIncoming {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("no item from the RTM stream within 10 s")
        .expect("stream ended early")
        .expect("a decodable frame")
}

/// The client side of the session: connect, receive one message, reply.
/// Returns the reply's `ts` and the text of the message received.
async fn exchange(sender: &Sender, events: &mut RtmEvents) -> (String, String) {
    assert!(matches!(
        next(events).await,
        RtmIncoming::Lifecycle(Lifecycle::Connected)
    ));
    let received = match next(events).await {
        RtmIncoming::Event(Event::Message(MessageEvent::Plain(m))) => m.text.expect("message text"),
        other => panic!("expected a message, got {other:?}"),
    };
    let ts = sender
        .send_message("C_GENERAL", "on it")
        .await
        .expect("ack");
    (ts.as_str().to_owned(), received)
}

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("slack-rtm-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).expect("read")).expect("JSON")
}

#[tokio::test]
async fn a_recorded_session_replays() {
    let dir = temp_dir("record");
    let live = FakeSlack::start().await;
    let web = Recorder::new(&dir);
    let client = live
        .client_builder("xoxb-test-123")
        .observer(web.observer())
        .build()
        .expect("client");
    let frames = TranscriptRecorder::new();
    let hook = frames.clone();
    let (sender, mut events) = Rtm::builder()
        .observer(move |f| match f.direction {
            Direction::Incoming => hook.incoming(f.text),
            _ => hook.outgoing(f.text),
        })
        .connect(&client)
        .await
        .expect("connect");
    live.wait_for_rtm_clients(1).await;
    let pushed = json!({
        "type": "message", "channel": "C_GENERAL", "user": "U_ALICE",
        "text": "deploy please (token xoxb-9-leak)", "ts": "1700000001.000100",
    });
    assert_eq!(live.push_event(pushed.clone()).await, 1);
    let (recorded_ts, recorded_text) = exchange(&sender, &mut events).await;
    sender.shutdown().await;

    assert!(web.errors().is_empty(), "{:?}", web.errors());
    assert!(frames.skipped().is_empty(), "{:?}", frames.skipped());
    let files = frames.save(&dir, "session").expect("save transcript");
    assert_eq!(files.len(), 1);
    let transcript = read_json(&files[0]);
    assert_eq!(transcript["kind"], "rtm");
    assert_eq!(transcript["version"], 1);
    let mut scrubbed = pushed.clone();
    scrubbed["text"] = json!("deploy please (token xoxb-REDACTED)");
    assert_eq!(
        transcript["steps"],
        json!([
            { "send": { "type": "hello" } },
            { "send": scrubbed },
            { "expect_client": { "type": "message", "channel": "C_GENERAL", "text": "on it" } },
            { "send": { "ok": true, "reply_to": "$id", "ts": recorded_ts, "text": "on it" } },
        ])
    );

    // The same client code against the recording alone.
    let replay = FakeSlack::replay(&dir).await;
    let (sender, mut events) = Rtm::builder()
        .connect(&replay.client("xoxb-other"))
        .await
        .expect("connect to the replay");
    let (ts, text) = exchange(&sender, &mut events).await;
    assert_eq!(ts, recorded_ts);
    assert_eq!(text, "deploy please (token xoxb-REDACTED)");
    assert_ne!(text, recorded_text, "the live text held a token");
    sender.shutdown().await;
    replay.verify().await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_transcript_with_a_secret_is_not_saved() {
    let dir = temp_dir("secret");
    let frames = TranscriptRecorder::new();
    frames.incoming(r#"{"type":"hello"}"#);
    // Scrubbing keys off names it knows; the refusal still catches a hook URL
    // hidden where scrubbing does not look (an object key).
    frames.incoming(r#"{"type":"x","https://hooks.slack.com/services/T/B/C":1}"#);
    assert!(frames.save(&dir, "leak").is_err());
    assert!(!dir.exists());
}

#[test]
fn each_hello_starts_a_transcript_and_pings_are_left_out() {
    let dir = temp_dir("reconnect");
    let frames = TranscriptRecorder::new();
    frames.incoming(r#"{"type":"hello"}"#);
    frames.outgoing(r#"{"id":1,"type":"ping"}"#);
    frames.incoming(r#"{"type":"pong","reply_to":1}"#);
    frames.incoming(r#"{"type":"goodbye"}"#);
    frames.incoming(r#"{"type":"hello"}"#);
    frames.outgoing(r#"{"id":7,"type":"message","channel":"C1","text":"a"}"#);
    // An ack for some other frame keeps its number.
    frames.incoming(r#"{"ok":true,"reply_to":3,"ts":"1.0"}"#);
    frames.incoming("not json");
    assert_eq!(frames.skipped().len(), 1);
    let files = frames.save(&dir, "s").expect("save");
    assert_eq!(files.len(), 2);
    assert_eq!(
        read_json(&files[0])["steps"],
        json!([{ "send": { "type": "hello" } }, { "send": { "type": "goodbye" } }])
    );
    assert_eq!(
        read_json(&files[1])["steps"],
        json!([
            { "send": { "type": "hello" } },
            { "expect_client": { "type": "message", "channel": "C1", "text": "a" } },
            { "send": { "ok": true, "reply_to": 3, "ts": "1.0" } },
        ])
    );
    let _ = std::fs::remove_dir_all(&dir);
}
