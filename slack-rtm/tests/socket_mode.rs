//! The Socket Mode client against the fake Slack.

use std::time::Duration;

use serde_json::{Value, json};
use slack_api::events::EventsApiPayload;
use slack_rtm::socket_mode::{Payload, SocketMode, SocketModeEvents, SocketModeIncoming};
use slack_rtm::{DisconnectReason, Event, Lifecycle, MessageEvent, ReconnectPolicy};
use slack_testkit::FakeSlack;

const WAIT: Duration = Duration::from_secs(5);

async fn connect(slack: &FakeSlack, n: usize) -> SocketModeEvents {
    let app = slack.client("xapp-1-test");
    SocketMode::builder()
        .connections(n)
        .ack_window(Duration::from_millis(300))
        .reconnect_policy(ReconnectPolicy::default())
        .connect(&app)
        .await
        .expect("socket mode connects")
}

/// The next envelope, skipping lifecycle items; panics on errors or timeout.
async fn next_envelope(events: &mut SocketModeEvents) -> slack_rtm::socket_mode::Envelope {
    loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Ok(SocketModeIncoming::Envelope(e)))) => return e,
            Ok(Some(Ok(_))) => continue,
            Ok(Some(Err(e))) => panic!("unexpected error item: {e}"),
            Ok(None) => panic!("stream ended"),
            Err(_) => panic!("no envelope within {WAIT:?}"),
        }
    }
}

/// The handler shared by the RTM and Socket Mode paths: one `match` on `Event`.
fn message_text(event: &Event) -> Option<String> {
    match event {
        Event::Message(MessageEvent::Plain(m)) => m.text.clone(),
        _ => None,
    }
}

#[tokio::test]
async fn hello_is_read_and_connections_counted() {
    let slack = FakeSlack::start().await;
    let events = connect(&slack, 2).await;
    slack.wait_for_socket_mode_clients(2).await;
    let hello = events.hello().expect("hello kept");
    assert!(hello.num_connections.unwrap_or(0) >= 1);
    assert_eq!(events.connections(), 2);
    events.shutdown().await;
}

#[tokio::test]
async fn a_bot_token_is_refused() {
    let slack = FakeSlack::start().await;
    let err = SocketMode::builder()
        .connect(&slack.client("xoxb-test"))
        .await
        .expect_err("bot tokens cannot open Socket Mode");
    assert!(err.to_string().contains("apps.connections.open"), "{err}");
}

#[tokio::test]

async fn event_is_delivered_and_acked() {
    let slack = FakeSlack::start().await;
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "hello app")
        .await;
    let env = next_envelope(&mut events).await;
    assert_eq!(
        env.event().and_then(message_text).as_deref(),
        Some("hello app")
    );
    assert!(env.event_id().is_some());
    assert_eq!(env.retry_attempt, Some(0));
    let ack = slack.wait_for_ack(&env.envelope_id).await;
    assert_eq!(ack, json!({ "envelope_id": env.envelope_id }));
    assert_eq!(slack.pending_envelopes(), 0);
}

#[tokio::test]

async fn undecodable_payload_is_acked_and_reported() {
    let slack = FakeSlack::start().await;
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    // An event_callback without its required `event`.
    let id = slack.push_envelope(
        "events_api",
        json!({"type": "event_callback", "event_id": "EvBad"}),
        false,
    );
    let item = loop {
        match tokio::time::timeout(WAIT, events.next()).await.unwrap() {
            Some(Ok(SocketModeIncoming::Lifecycle { .. })) => continue,
            other => break other,
        }
    };
    assert!(
        matches!(item, Some(Err(slack_rtm::RtmError::Malformed(_)))),
        "{item:?}"
    );
    slack.wait_for_ack(&id).await;
    // And the stream goes on.
    slack.post_as_user("U_BOB", "C_GENERAL", "still here").await;
    let env = next_envelope(&mut events).await;
    assert_eq!(
        env.event().and_then(message_text).as_deref(),
        Some("still here")
    );
}

#[tokio::test]

async fn unacked_envelope_is_redelivered_and_deduplicated() {
    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_millis(100));
    // A raw websocket that never acks: it only observes the redelivery.
    let url = slack
        .client("xapp-1-test")
        .apps()
        .connections_open()
        .await
        .unwrap()
        .url;
    let (mut raw, _) = tokio_tungstenite::connect_async(url.expose())
        .await
        .unwrap();
    use futures_util::StreamExt;
    let _hello = raw.next().await;
    let payload = json!({"type": "event_callback", "event_id": "EvDup", "event": {"type": "reaction_added", "reaction": "tada"}});
    let id = slack.push_envelope("events_api", payload, false);
    let first: Value =
        serde_json::from_str(raw.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    let second: Value =
        serde_json::from_str(raw.next().await.unwrap().unwrap().to_text().unwrap()).unwrap();
    assert_eq!(first["envelope_id"], json!(id));
    assert_eq!(second["envelope_id"], json!(id));
    assert_eq!(second["retry_attempt"], json!(1));
    assert_eq!(second["retry_reason"], json!("timeout"));
    drop(raw);

    // The SDK client: a redelivered event_id is acked but yielded once.
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    let ev = json!({"type": "event_callback", "event_id": "EvOnce", "event": {"type": "reaction_added", "reaction": "one"}});
    let a = slack.push_envelope("events_api", ev.clone(), false);
    let got = next_envelope(&mut events).await;
    assert_eq!(got.event_id(), Some("EvOnce"));
    let b = slack.push_envelope("events_api", ev, false);
    slack.wait_for_ack(&a).await;
    slack.wait_for_ack(&b).await;
    slack.post_as_user("U_ALICE", "C_GENERAL", "after").await;
    let next = next_envelope(&mut events).await;
    assert_eq!(
        next.event().and_then(message_text).as_deref(),
        Some("after"),
        "duplicate was yielded"
    );
}

#[tokio::test]

async fn refresh_requested_opens_the_next_connection_first_and_loses_nothing() {
    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_millis(200));
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    slack.socket_mode_disconnect("refresh_requested", Duration::from_millis(500));
    // Posted while the old socket is leaving and the new one is opening.
    let sent = ["during refresh 1", "during refresh 2", "during refresh 3"];
    for text in sent {
        slack.post_as_user("U_ALICE", "C_GENERAL", text).await;
    }
    let mut saw_switch = false;
    let mut got = Vec::new();
    while got.len() < sent.len() || !saw_switch {
        match tokio::time::timeout(WAIT, events.next())
            .await
            .expect("items keep coming")
        {
            Some(Ok(SocketModeIncoming::Envelope(e))) => {
                got.extend(e.event().and_then(message_text))
            }
            Some(Ok(SocketModeIncoming::Lifecycle {
                change: Lifecycle::Disconnected { reason },
                ..
            })) => {
                assert_eq!(
                    reason,
                    DisconnectReason::SocketMode("refresh_requested".into())
                );
            }
            Some(Ok(SocketModeIncoming::Lifecycle {
                change: Lifecycle::Reconnected,
                ..
            })) => saw_switch = true,
            Some(Ok(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    got.sort();
    assert_eq!(got, sent, "each message exactly once");
    // The replacement was opened with a fresh apps.connections.open.
    assert_eq!(slack.calls_to("apps.connections.open").len(), 2);
    slack.wait_for_socket_mode_clients(1).await;
}

#[tokio::test]
async fn slash_command_gets_an_ack_payload() {
    let slack = FakeSlack::start().await;
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    let id = slack.socket_mode_slash_command("/deploy", "prod");
    let mut env = next_envelope(&mut events).await;
    let Payload::SlashCommand(cmd) = &env.payload else {
        panic!("not a slash command: {:?}", env.payload)
    };
    assert_eq!(
        (cmd.command.as_str(), cmd.text.as_str()),
        ("/deploy", "prod")
    );
    assert_eq!(cmd.channel_id.as_str(), "C_GENERAL");
    let acker = env.take_acker().expect("slash commands accept a payload");
    assert!(acker.ack_with(json!({"text": "deploying prod"})));
    let ack = slack.wait_for_ack(&id).await;
    assert_eq!(ack["payload"]["text"], json!("deploying prod"));
}

#[tokio::test]
async fn an_ack_payload_given_right_before_shutdown_is_still_sent() {
    let slack = FakeSlack::start().await;
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    let id = slack.socket_mode_slash_command("/bye", "");
    let mut env = next_envelope(&mut events).await;
    assert!(env.take_acker().unwrap().ack_with(json!({"text": "bye"})));
    events.shutdown().await;
    let ack = slack.wait_for_ack(&id).await;
    assert_eq!(ack["payload"]["text"], json!("bye"));
}

#[tokio::test]
async fn a_dropped_acker_acks_at_once() {
    let slack = FakeSlack::start().await;
    let mut events = SocketMode::builder()
        .ack_window(Duration::from_secs(60))
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    let id = slack.socket_mode_slash_command("/noop", "");
    let mut env = next_envelope(&mut events).await;
    let acker = env.take_acker().unwrap();
    assert!(env.take_acker().is_none(), "taken once");
    drop(acker);
    // Long before the 60 s window.
    assert_eq!(slack.wait_for_ack(&id).await, json!({ "envelope_id": id }));
}

#[tokio::test]
async fn a_silent_handler_is_acked_within_the_window() {
    let slack = FakeSlack::start().await;
    let mut events = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    let id = slack.socket_mode_slash_command("/slow", "");
    let mut env = next_envelope(&mut events).await;
    let acker = env.take_acker().unwrap();
    let ack = slack.wait_for_ack(&id).await; // the 300 ms window passed
    assert_eq!(ack, json!({ "envelope_id": id }));
    assert!(!acker.ack_with(json!({"text": "too late"})));
}

#[tokio::test]

async fn the_same_handler_serves_rtm_and_socket_mode() {
    let slack = FakeSlack::start().await;
    let (_sender, mut rtm) = slack_rtm::connect(&slack.client("xoxb-test"))
        .await
        .unwrap();
    let mut sm = connect(&slack, 1).await;
    slack.wait_for_socket_mode_clients(1).await;
    slack.post_as_user("U_ALICE", "C_GENERAL", "to both").await;
    let from_rtm = loop {
        match tokio::time::timeout(WAIT, rtm.next()).await.unwrap() {
            Some(Ok(slack_rtm::RtmIncoming::Event(e))) => {
                if let Some(t) = message_text(&e) {
                    break t;
                }
            }
            Some(Ok(_)) => {}
            other => panic!("{other:?}"),
        }
    };
    let env = next_envelope(&mut sm).await;
    let Payload::EventsApi(EventsApiPayload::EventCallback(cb)) = &env.payload else {
        panic!("not an event callback")
    };
    assert_eq!(message_text(&cb.event), Some(from_rtm));
}

/// Short keepalive settings and quick reconnects, for the liveness tests.
fn lively() -> slack_rtm::socket_mode::SocketModeBuilder {
    SocketMode::builder()
        .ping_interval(Duration::from_millis(50))
        .idle_timeout(Duration::from_millis(300))
        .reconnect_policy(
            ReconnectPolicy::default()
                .initial_delay(Duration::from_millis(10))
                .jitter(0.0),
        )
}

/// Every item available right now, without waiting.
fn ready_items(
    events: &mut SocketModeEvents,
) -> Vec<Result<SocketModeIncoming, slack_rtm::RtmError>> {
    use futures_util::FutureExt;
    let mut items = Vec::new();
    while let Some(Some(item)) = events.next().now_or_never() {
        items.push(item);
    }
    items
}

fn is_disconnect(item: &Result<SocketModeIncoming, slack_rtm::RtmError>) -> bool {
    matches!(
        item,
        Ok(SocketModeIncoming::Lifecycle {
            change: Lifecycle::Disconnected { .. },
            ..
        })
    )
}

fn event_callback(event_id: &str) -> Value {
    json!({
        "type": "event_callback",
        "event_id": event_id,
        "event": {"type": "reaction_added", "reaction": event_id},
    })
}

#[tokio::test]
async fn pings_keep_a_quiet_connection_open() {
    let slack = FakeSlack::start().await;
    let mut events = lively()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    // Twelve pings at 50 ms span twice the 300 ms idle limit: the pongs are
    // what keeps a connection without envelopes alive.
    let deadline = tokio::time::Instant::now() + WAIT;
    while slack.socket_mode_pings() < 12 {
        assert!(
            tokio::time::Instant::now() < deadline,
            "the client sent {} websocket pings",
            slack.socket_mode_pings()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let items = ready_items(&mut events);
    assert!(!items.iter().any(is_disconnect), "{items:?}");
    assert_eq!(slack.calls_to("apps.connections.open").len(), 1);
    events.shutdown().await;
}

#[tokio::test]
async fn a_silent_connection_is_dropped_and_reopened_without_losing_an_envelope() {
    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_millis(100));
    let mut events = lively()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    let before = slack.push_envelope("events_api", event_callback("EvBefore"), false);
    assert_eq!(next_envelope(&mut events).await.envelope_id, before);

    // Half-open: the socket stays up but nothing comes through any more.
    assert_eq!(
        slack.socket_mode_fault(slack_testkit::SocketModeFault::Silent),
        1
    );
    let during = slack.push_envelope("events_api", event_callback("EvDuring"), false);

    let mut reasons = Vec::new();
    let env = loop {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Ok(SocketModeIncoming::Envelope(e)))) => break e,
            Ok(Some(Ok(SocketModeIncoming::Lifecycle {
                change: Lifecycle::Disconnected { reason },
                ..
            }))) => reasons.push(reason),
            Ok(Some(Ok(_))) => {}
            other => panic!("unexpected {other:?}"),
        }
    };
    assert_eq!(
        reasons,
        [DisconnectReason::Idle {
            after: Duration::from_millis(300)
        }]
    );
    assert_eq!(env.envelope_id, during);
    assert_eq!(env.event_id(), Some("EvDuring"));
    assert!(env.retry_attempt.unwrap_or(0) >= 1, "{env:?}");
    slack.wait_for_ack(&during).await;
    assert_eq!(slack.calls_to("apps.connections.open").len(), 2);
    events.shutdown().await;
}

#[tokio::test]
async fn a_full_queue_stops_reading_and_slack_redelivers() {
    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_millis(100));
    let mut events = lively()
        .event_capacity(2)
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    let ids: Vec<String> = (1..=5)
        .map(|i| slack.push_envelope("events_api", event_callback(&format!("Ev{i}")), false))
        .collect();
    slack.wait_for_ack(&ids[0]).await;
    slack.wait_for_ack(&ids[1]).await;
    // A slow application: for a while nothing is taken from the stream, far
    // longer than the idle limit and the redelivery delay.
    tokio::time::sleep(Duration::from_millis(600)).await;
    // Only what fits in the queue was read and acknowledged.
    assert_eq!(slack.pending_envelopes(), 3);

    let mut got = Vec::new();
    let mut items = Vec::new();
    while got.len() < 5 {
        match tokio::time::timeout(WAIT, events.next()).await {
            Ok(Some(Ok(SocketModeIncoming::Envelope(e)))) => {
                got.push(e.event_id().unwrap().to_owned())
            }
            Ok(Some(item)) => items.push(item),
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(
        got,
        ["Ev1", "Ev2", "Ev3", "Ev4", "Ev5"],
        "each once, in order"
    );
    assert!(!items.iter().any(is_disconnect), "{items:?}");
    for id in &ids {
        slack.wait_for_ack(id).await;
    }
    slack.wait_for_all_acks().await;
    events.shutdown().await;
}

#[tokio::test]
async fn a_full_queue_does_not_hold_up_shutdown() {
    let slack = FakeSlack::start().await;
    let events = lively()
        .event_capacity(1)
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    let ids: Vec<String> = (1..=3)
        .map(|i| slack.push_envelope("events_api", event_callback(&format!("Ev{i}")), false))
        .collect();
    slack.wait_for_ack(&ids[0]).await;
    tokio::time::timeout(WAIT, events.shutdown())
        .await
        .expect("shutdown returns while the queue is full");
    assert_eq!(events.connections(), 0);
}

#[tokio::test]
async fn link_disabled_stops_without_reconnecting() {
    let slack = FakeSlack::start().await;
    let mut events = lively()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    slack.socket_mode_fault(slack_testkit::SocketModeFault::disconnect("link_disabled"));
    let mut items = Vec::new();
    while let Some(item) = tokio::time::timeout(WAIT, events.next())
        .await
        .expect("the stream ends")
    {
        items.push(item);
    }
    let [
        Ok(SocketModeIncoming::Lifecycle {
            change: Lifecycle::Connected,
            ..
        }),
        Ok(SocketModeIncoming::Lifecycle {
            change: Lifecycle::Disconnected { reason },
            ..
        }),
        Err(slack_rtm::RtmError::LinkDisabled),
    ] = &items[..]
    else {
        panic!("{items:?}")
    };
    assert_eq!(
        reason,
        &DisconnectReason::SocketMode("link_disabled".into())
    );
    assert_eq!(slack.calls_to("apps.connections.open").len(), 1);
    assert_eq!(events.connections(), 0);
}

#[tokio::test]
async fn too_many_websockets_and_warning_reconnect() {
    let slack = FakeSlack::start().await;
    let mut events = lively()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    slack.wait_for_socket_mode_clients(1).await;
    for (n, reason) in [(2, "too_many_websockets"), (3, "warning")] {
        slack.socket_mode_fault(slack_testkit::SocketModeFault::Disconnect {
            reason: reason.into(),
            grace_millis: Some(200),
        });
        let mut disconnected = None;
        loop {
            match tokio::time::timeout(WAIT, events.next()).await {
                Ok(Some(Ok(SocketModeIncoming::Lifecycle { change, .. }))) => match change {
                    Lifecycle::Disconnected { reason } => disconnected = Some(reason),
                    Lifecycle::Reconnected => break,
                    _ => {}
                },
                other => panic!("unexpected {other:?}"),
            }
        }
        assert_eq!(
            disconnected,
            Some(DisconnectReason::SocketMode(reason.into()))
        );
        assert_eq!(slack.calls_to("apps.connections.open").len(), n);
        let id = slack.push_envelope("events_api", event_callback(reason), false);
        assert_eq!(next_envelope(&mut events).await.envelope_id, id);
    }
    events.shutdown().await;
}
