//! The RTM client against the fake Slack's websocket.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use slack_api::web::retry::Sleeper;
use slack_rtm::{
    DisconnectReason, Event, Lifecycle, MessageEvent, ReconnectPolicy, Rtm, RtmBuilder, RtmError,
    RtmEvents, RtmIncoming, ServerError,
};
use slack_testkit::{FakeSlack, Fault, RtmFault};

/// Waits a thousandth of what it is asked (an hour becomes 3.6 s), and
/// remembers every request, so timeouts and backoff are exercised without
/// waiting in real time.
#[derive(Debug, Clone, Default)]
struct FastSleeper {
    asked: Arc<Mutex<Vec<Duration>>>,
}

impl FastSleeper {
    fn asked(&self) -> Vec<Duration> {
        self.asked.lock().unwrap().clone()
    }
}

impl Sleeper for FastSleeper {
    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send + 'static>> {
        self.asked.lock().unwrap().push(d);
        Box::pin(tokio::time::sleep(d / 1000))
    }
}

const HOUR: Duration = Duration::from_secs(3600);

/// Settings where nothing times out by accident: every wait is an (accelerated) hour.
fn quiet(sleeper: &FastSleeper) -> RtmBuilder {
    Rtm::builder()
        .sleeper(sleeper.clone())
        .ping_interval(HOUR)
        .pong_timeout(HOUR)
        .ack_timeout(HOUR)
        .hello_timeout(HOUR)
        .reconnect_policy(
            ReconnectPolicy::default()
                .initial_delay(Duration::from_secs(1))
                .jitter(0.0)
                .max_attempts(Some(3)),
        )
}

/// The next stream item, failing the test after 10 s of silence.
async fn next(events: &mut RtmEvents) -> Option<Result<RtmIncoming, RtmError>> {
    tokio::time::timeout(Duration::from_secs(10), events.next())
        .await
        .expect("no item from the RTM stream within 10 s")
}

/// Skips items until `pick` accepts one.
async fn until<T>(
    events: &mut RtmEvents,
    mut pick: impl FnMut(&Result<RtmIncoming, RtmError>) -> Option<T>,
) -> T {
    loop {
        let item = next(events).await.expect("stream ended early");
        if let Some(t) = pick(&item) {
            return t;
        }
    }
}

async fn next_lifecycle(events: &mut RtmEvents) -> Lifecycle {
    until(events, |i| match i {
        Ok(RtmIncoming::Lifecycle(l)) => Some(l.clone()),
        _ => None,
    })
    .await
}

async fn connected(slack: &FakeSlack, b: RtmBuilder) -> (slack_rtm::Sender, RtmEvents) {
    let (sender, mut events) = b
        .connect(&slack.client("xoxb-test"))
        .await
        .expect("connect");
    assert_eq!(next_lifecycle(&mut events).await, Lifecycle::Connected);
    (sender, events)
}

fn fixtures(name: &str) -> String {
    format!("{}/tests/transcripts/{name}", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn connects_after_hello() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, events) = connected(&slack, quiet(&s)).await;
    assert_eq!(slack.calls_to("rtm.connect").len(), 1);
    assert_eq!(slack.rtm_clients(), 1);
    assert_eq!(events.session().self_id(), Some("U_BOT"));
    assert!(events.team_state().is_none());
}

#[tokio::test]
async fn error_frame_instead_of_hello_is_a_typed_error() {
    let slack = FakeSlack::builder()
        .fixtures_dir(fixtures("expired_url"))
        .start()
        .await;
    let s = FastSleeper::default();
    let err = quiet(&s)
        .connect(&slack.client("xoxb-test"))
        .await
        .expect_err("an error frame must fail the connect");
    match err {
        RtmError::Server(ServerError { code, msg, .. }) => {
            assert_eq!(code, Some(1));
            assert_eq!(msg.as_deref(), Some("Socket URL has expired"));
        }
        other => panic!("expected a server error, got {other:?}"),
    }
}

#[tokio::test]
async fn no_hello_times_out() {
    let slack = FakeSlack::builder()
        .fixtures_dir(fixtures("no_hello"))
        .start()
        .await;
    let s = FastSleeper::default();
    let started = Instant::now();
    let err = quiet(&s)
        .hello_timeout(Duration::from_secs(20))
        .connect(&slack.client("xoxb-test"))
        .await
        .expect_err("no hello must fail the connect");
    assert!(
        matches!(err, RtmError::HelloTimeout { after } if after == Duration::from_secs(20)),
        "{err:?}"
    );
    assert!(s.asked().contains(&Duration::from_secs(20)));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[tokio::test]
async fn refused_token_type_is_reported_clearly() {
    let slack = FakeSlack::start().await;
    slack.fault("rtm.connect", Fault::error("not_allowed_token_type"));
    let err = slack_rtm::connect(&slack.client("xoxb-test"))
        .await
        .expect_err("refused");
    assert!(
        matches!(
            err,
            RtmError::TokenNotAllowed {
                method: "rtm.connect"
            }
        ),
        "{err:?}"
    );
    let text = err.to_string();
    assert!(text.contains("not_allowed_token_type"), "{text}");
    assert!(text.contains("Socket Mode"), "{text}");
}

#[tokio::test]
async fn message_posted_over_http_arrives_typed() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, mut events) = connected(&slack, quiet(&s)).await;

    let bob = slack.client(&slack.user_token("U_BOB"));
    let posted = bob
        .chat()
        .post_message("C_GENERAL")
        .text("hello from the web")
        .await
        .expect("chat.postMessage");
    let posted_ts = posted.ts;

    let m = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!(m.channel.as_ref().map(|c| c.as_str()), Some("C_GENERAL"));
    assert_eq!(m.user.as_ref().map(|u| u.as_str()), Some("U_BOB"));
    assert_eq!(m.text.as_deref(), Some("hello from the web"));
    let ts = m.ts.expect("ts");
    assert_eq!(ts, posted_ts);
    assert!(ts.to_system_time().is_some());

    // A person typing in the Slack client arrives the same way.
    let ts2 = slack.post_as_user("U_ALICE", "C_RANDOM", "hi bot").await;
    let m = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => Some(m.clone()),
        _ => None,
    })
    .await;
    assert_eq!(m.text.as_deref(), Some("hi bot"));
    assert_eq!(m.ts.map(String::from), Some(ts2));
}

#[tokio::test]
async fn send_is_acked_with_the_message_ts() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, _events) = connected(&slack, quiet(&s)).await;

    let parent = sender
        .send_message("C_GENERAL", "first")
        .await
        .expect("ack");
    let reply = sender
        .send_message("C_GENERAL", "second")
        .thread_ts(&parent)
        .reply_broadcast(true)
        .await
        .expect("ack");
    assert!(!parent.as_str().is_empty());
    assert_ne!(parent, reply);

    let frames: Vec<Value> = slack
        .frames()
        .into_iter()
        .filter(|f| f.kind() == Some("message"))
        .map(|f| f.json)
        .collect();
    assert_eq!(frames.len(), 2);
    assert_eq!(frames[0]["channel"], "C_GENERAL");
    assert_eq!(frames[0]["text"], "first");
    assert_eq!(frames[1]["thread_ts"], parent.as_str());
    assert_eq!(frames[1]["reply_broadcast"], true);
    assert_ne!(
        frames[0]["id"], frames[1]["id"],
        "every send gets a fresh id"
    );

    // The message really landed: the Web API sees it in the thread.
    let replies = slack
        .client("xoxb-test")
        .conversations()
        .replies("C_GENERAL", parent.clone())
        .await
        .expect("conversations.replies");
    assert!(
        replies
            .messages
            .iter()
            .any(|m| m.text.as_deref() == Some("second"))
    );
}

#[tokio::test]
async fn sender_works_from_other_tasks() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, _events) = connected(&slack, quiet(&s)).await;
    let tasks: Vec<_> = (0..5)
        .map(|i| {
            let sender = sender.clone();
            tokio::spawn(async move { sender.send_message("C_DEV", format!("n{i}")).await })
        })
        .collect();
    let mut seen = Vec::new();
    for t in tasks {
        seen.push(t.await.expect("task").expect("ack"));
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 5);
}

#[tokio::test]
async fn ack_with_error_is_a_typed_error() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, _events) = connected(&slack, quiet(&s)).await;
    let err = sender
        .send_message("C_NOWHERE", "lost")
        .await
        .expect_err("unknown channel");
    match err {
        RtmError::Rejected { error, .. } => {
            assert_eq!(error.msg.as_deref(), Some("channel_not_found"));
            assert!(error.code.is_some());
        }
        other => panic!("expected Rejected, got {other:?}"),
    }
}

#[tokio::test]
async fn send_without_ack_times_out() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) =
        connected(&slack, quiet(&s).ack_timeout(Duration::from_secs(7))).await;
    let started = Instant::now();
    // The fake does not answer frame types it does not know.
    let mut frame = Map::new();
    frame.insert("type".into(), json!("testkit_silence"));
    let err = sender
        .send_raw_acked(frame)
        .await
        .expect_err("no ack must time out");
    assert!(
        matches!(err, RtmError::AckTimeout { after, .. } if after == Duration::from_secs(7)),
        "{err:?}"
    );
    assert!(s.asked().contains(&Duration::from_secs(7)));
    assert!(started.elapsed() < Duration::from_secs(5));
    // The connection is still fine.
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "still here")
        .await;
    let text = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => m.text.clone(),
        _ => None,
    })
    .await;
    assert_eq!(text, "still here");
}

#[tokio::test]
async fn goodbye_then_reconnect() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) = connected(&slack, quiet(&s)).await;

    assert_eq!(slack.rtm_fault(RtmFault::Goodbye), 1);
    assert_eq!(
        next_lifecycle(&mut events).await,
        Lifecycle::Disconnected {
            reason: DisconnectReason::Goodbye
        }
    );
    assert_eq!(
        next_lifecycle(&mut events).await,
        Lifecycle::Reconnecting {
            attempt: 1,
            delay: Duration::from_secs(1)
        }
    );
    assert_eq!(next_lifecycle(&mut events).await, Lifecycle::Reconnected);
    assert_eq!(slack.calls_to("rtm.connect").len(), 2);

    // The new socket works both ways.
    sender.send_message("C_GENERAL", "back").await.expect("ack");
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "welcome back")
        .await;
    let text = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => m.text.clone(),
        _ => None,
    })
    .await;
    assert_eq!(text, "welcome back");
}

#[tokio::test]
async fn dropped_socket_fails_pending_sends_and_reconnects() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) = connected(&slack, quiet(&s)).await;

    let mut frame = Map::new();
    frame.insert("type".into(), json!("testkit_silence"));
    let pending = tokio::spawn(sender.send_raw_acked(frame));
    slack.wait_for_frame("testkit_silence").await;

    slack.rtm_fault(RtmFault::DropSocket);
    match next_lifecycle(&mut events).await {
        Lifecycle::Disconnected {
            reason: DisconnectReason::Closed { .. } | DisconnectReason::Transport(_),
        } => {}
        other => panic!("expected a closed socket, got {other:?}"),
    }
    let err = pending.await.expect("task").expect_err("pending send");
    assert!(matches!(err, RtmError::Disconnected), "{err:?}");

    assert!(matches!(
        next_lifecycle(&mut events).await,
        Lifecycle::Reconnecting { attempt: 1, .. }
    ));
    assert_eq!(next_lifecycle(&mut events).await, Lifecycle::Reconnected);
    sender.send_message("C_GENERAL", "back").await.expect("ack");
}

#[tokio::test]
async fn error_frame_mid_stream_reconnects() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, mut events) = connected(&slack, quiet(&s)).await;
    slack.rtm_fault(RtmFault::ErrorFrame {
        code: 2,
        msg: "something broke".into(),
    });
    match next_lifecycle(&mut events).await {
        Lifecycle::Disconnected {
            reason: DisconnectReason::Server(e),
        } => {
            assert_eq!(e.code, Some(2));
            assert_eq!(e.msg.as_deref(), Some("something broke"));
        }
        other => panic!("expected a server error, got {other:?}"),
    }
    assert!(matches!(
        next_lifecycle(&mut events).await,
        Lifecycle::Reconnecting { .. }
    ));
    assert_eq!(next_lifecycle(&mut events).await, Lifecycle::Reconnected);
}

#[tokio::test]
async fn pings_keep_the_connection() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    // A ping every (accelerated) 2 ms, answered by the fake.
    let (_sender, mut events) =
        connected(&slack, quiet(&s).ping_interval(Duration::from_secs(2))).await;
    while slack
        .frames()
        .iter()
        .filter(|f| f.kind() == Some("ping"))
        .count()
        < 5
    {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let pings: Vec<Value> = slack
        .frames()
        .into_iter()
        .filter(|f| f.kind() == Some("ping"))
        .map(|f| f.json)
        .collect();
    assert_ne!(pings[0]["id"], pings[1]["id"]);
    // Nothing happened to the connection meanwhile.
    assert!(
        tokio::time::timeout(Duration::from_millis(50), events.next())
            .await
            .is_err()
    );
    assert_eq!(slack.calls_to("rtm.connect").len(), 1);
}

#[tokio::test]
async fn missed_pong_reconnects() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) = connected(
        &slack,
        quiet(&s)
            .ping_interval(Duration::from_secs(5))
            .pong_timeout(Duration::from_secs(10)),
    )
    .await;
    slack.rtm_fault(RtmFault::NoPong);
    assert_eq!(
        next_lifecycle(&mut events).await,
        Lifecycle::Disconnected {
            reason: DisconnectReason::MissedPong
        }
    );
    assert!(s.asked().contains(&Duration::from_secs(10)));
    assert!(matches!(
        next_lifecycle(&mut events).await,
        Lifecycle::Reconnecting { attempt: 1, .. }
    ));
    assert_eq!(next_lifecycle(&mut events).await, Lifecycle::Reconnected);
    sender.shutdown().await;
}

#[tokio::test]
async fn unknown_event_type_is_kept_raw() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, mut events) = connected(&slack, quiet(&s)).await;
    slack.rtm_fault(RtmFault::UnknownEvent);
    let raw = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::Unknown(v))) => Some(v.clone()),
        _ => None,
    })
    .await;
    assert_eq!(raw["type"], "testkit_unknown_event");
    assert_eq!(raw["payload"]["answer"], 42);
}

#[tokio::test]
async fn malformed_frame_is_an_error_item_and_the_stream_goes_on() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, mut events) = connected(&slack, quiet(&s)).await;
    slack.rtm_fault(RtmFault::Malformed);
    match next(&mut events).await {
        Some(Err(RtmError::Malformed(m))) => assert!(m.excerpt.starts_with("{\"type\"")),
        other => panic!("expected a malformed-frame error, got {other:?}"),
    }
    slack.post_as_user("U_ALICE", "C_GENERAL", "after").await;
    let text = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => m.text.clone(),
        _ => None,
    })
    .await;
    assert_eq!(text, "after");
    assert_eq!(slack.calls_to("rtm.connect").len(), 1, "no reconnect");
}

#[tokio::test]
async fn rtm_start_exposes_team_state() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, events) = connected(&slack, quiet(&s).team_state(true)).await;
    assert_eq!(slack.calls_to("rtm.start").len(), 1);
    assert!(slack.calls_to("rtm.connect").is_empty());
    let state = events.team_state().expect("team state");
    assert_eq!(events.session().self_id(), Some("U_BOT"));
    assert!(
        state
            .channels
            .iter()
            .any(|c| c.id.as_ref().map(|i| i.as_str()) == Some("C_GENERAL"))
    );
    assert!(state.users.iter().any(|u| u.id.as_str() == "U_ALICE"));
}

#[tokio::test]
async fn reconnecting_is_bounded() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) = connected(
        &slack,
        quiet(&s).reconnect_policy(
            ReconnectPolicy::default()
                .initial_delay(Duration::from_secs(1))
                .max_attempts(Some(2)),
        ),
    )
    .await;
    slack
        .fault("rtm.connect", Fault::error("internal_error"))
        .always();
    slack.rtm_fault(RtmFault::Goodbye);
    let mut attempts = Vec::new();
    let last = loop {
        match next(&mut events).await {
            Some(Ok(RtmIncoming::Lifecycle(Lifecycle::Reconnecting { attempt, delay }))) => {
                // Jittered within the upper half of 1 s, then of 2 s.
                let base = Duration::from_secs(u64::from(attempt));
                assert!(delay >= base / 2 && delay <= base, "{delay:?}");
                attempts.push(attempt);
            }
            Some(Ok(_)) => {}
            Some(Err(e)) => break e,
            None => panic!("stream ended without an error"),
        }
    };
    assert_eq!(attempts, [1, 2]);
    assert!(
        matches!(last, RtmError::ReconnectFailed { attempts: 2, .. }),
        "{last:?}"
    );
    assert!(next(&mut events).await.is_none(), "the stream ends");
    let err = sender
        .send_message("C_GENERAL", "x")
        .await
        .expect_err("closed");
    assert!(matches!(err, RtmError::Closed), "{err:?}");
}

#[tokio::test]
async fn fatal_error_stops_reconnecting_at_once() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, mut events) = connected(&slack, quiet(&s)).await;
    slack
        .fault("rtm.connect", Fault::error("invalid_auth"))
        .always();
    slack.rtm_fault(RtmFault::Goodbye);
    let err = until(&mut events, |i| match i {
        Err(e) => Some(e.to_string()),
        _ => None,
    })
    .await;
    assert!(err.contains("rtm.connect"), "{err}");
    assert!(next(&mut events).await.is_none());
    assert_eq!(slack.calls_to("rtm.connect").len(), 2);
}

#[tokio::test]
async fn disabled_reconnect_ends_the_stream() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (_sender, mut events) = connected(
        &slack,
        quiet(&s).reconnect_policy(ReconnectPolicy::disabled()),
    )
    .await;
    slack.rtm_fault(RtmFault::Goodbye);
    assert!(matches!(
        next_lifecycle(&mut events).await,
        Lifecycle::Disconnected { .. }
    ));
    assert!(next(&mut events).await.is_none());
    assert_eq!(slack.calls_to("rtm.connect").len(), 1);
}

#[tokio::test]
async fn shutdown_is_clean() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) = connected(&slack, quiet(&s)).await;
    let mut frame = Map::new();
    frame.insert("type".into(), json!("testkit_silence"));
    let pending = tokio::spawn(sender.send_raw_acked(frame));
    slack.wait_for_frame("testkit_silence").await;

    sender.shutdown().await;
    assert!(sender.is_closed());
    assert!(next(&mut events).await.is_none(), "the stream ends");
    assert!(pending.await.expect("task").is_err());
    let err = sender.typing("C_GENERAL").expect_err("closed");
    assert!(matches!(err, RtmError::Closed));
    // The fake sees the socket go.
    for _ in 0..500 {
        if slack.rtm_clients() == 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    panic!("socket still open after shutdown");
}

#[test]
fn backoff_grows_caps_and_stops() {
    let p = ReconnectPolicy::default()
        .initial_delay(Duration::from_secs(1))
        .max_delay(Duration::from_secs(10))
        .multiplier(2.0)
        .max_attempts(Some(5))
        .jitter(0.0);
    let check = |attempt: u32, secs: u64| assert_eq!(p.delay(attempt), Duration::from_secs(secs));
    check(1, 1);
    check(2, 2);
    check(4, 8);
    check(5, 10);
    check(60, 10);
    assert!(p.allows(5));
    assert!(!p.allows(6));
    assert!(!ReconnectPolicy::disabled().allows(1));
    let jittered = p.clone().jitter(0.5);
    for attempt in 1..=6 {
        let d = jittered.delay(attempt);
        let full = p.delay(attempt);
        assert!(d >= full / 2 && d <= full, "{attempt}: {d:?}");
    }
}

#[tokio::test]
async fn a_full_stream_drops_the_oldest_events_and_says_how_many() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    let (sender, mut events) = quiet(&s)
        .event_capacity(3)
        .connect(&slack.client("xoxb-test"))
        .await
        .expect("connect");
    slack.wait_for_rtm_clients(1).await;
    for i in 1..=10 {
        slack
            .push_event(json!({"type": "reaction_added", "reaction": format!("r{i}")}))
            .await;
    }
    // The ack comes after the ten events on the same socket: once it is
    // here, all ten were read, with nobody taking them from the stream.
    sender
        .send_message("C_GENERAL", "after the burst")
        .await
        .expect("sends are not held up by a full stream");

    let mut items = Vec::new();
    while items.len() < 5 {
        items.push(next(&mut events).await.expect("stream goes on").unwrap());
    }
    let reactions: Vec<String> = items[2..]
        .iter()
        .map(|i| match i {
            RtmIncoming::Event(Event::ReactionAdded(r)) => r.reaction.clone().unwrap_or_default(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(
        matches!(items[0], RtmIncoming::Lifecycle(Lifecycle::Connected)),
        "lifecycle changes are never dropped: {items:?}"
    );
    assert!(
        matches!(items[1], RtmIncoming::Lagged { dropped: 7 }),
        "{items:?}"
    );
    assert_eq!(reactions, ["r8", "r9", "r10"], "the newest are kept");

    // Room again: events flow as before.
    slack
        .push_event(json!({"type": "reaction_added", "reaction": "later"}))
        .await;
    let later = until(&mut events, |i| match i {
        Ok(RtmIncoming::Event(Event::ReactionAdded(r))) => r.reaction.clone(),
        _ => None,
    })
    .await;
    assert_eq!(later, "later");
    tokio::time::timeout(Duration::from_secs(10), sender.shutdown())
        .await
        .expect("shutdown returns");
}

#[tokio::test]
async fn the_session_does_not_show_the_websocket_url() {
    let slack = FakeSlack::start().await;
    let s = FastSleeper::default();
    for b in [quiet(&s), quiet(&s).team_state(true)] {
        let (sender, events) = connected(&slack, b).await;
        let shown = format!("{:?} {:?} {:?}", events.session(), events, sender);
        assert!(!shown.contains("ticket"), "{shown}");
        assert!(!shown.contains("ws://"), "{shown}");
        assert!(events.session().self_id().is_some());
        sender.shutdown().await;
    }
}
