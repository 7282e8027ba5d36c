//! The fake's Socket Mode side, driven by a raw websocket client:
//! `apps.connections.open`, `hello`, envelopes for workspace changes,
//! redelivery of unacked envelopes, `disconnect`, and acks in the journal.

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};
use slack_testkit::{APP_ID, FakeSlack, TEAM_ID};

const APP_TOKEN: &str = "xapp-1-test";

/// Opens a Socket Mode connection and returns it with its `hello`.
async fn open(slack: &FakeSlack) -> (Ws, Value) {
    let (status, body) = form(slack, "apps.connections.open", Some(APP_TOKEN), &[]).await;
    assert_eq!((status, &body["ok"]), (200, &json!(true)), "{body}");
    let url = body["url"].as_str().expect("url");
    let (mut ws, _) = tokio_tungstenite::connect_async(url)
        .await
        .expect("ws connect");
    let hello = next(&mut ws).await;
    assert_eq!(hello["type"], "hello", "{hello}");
    (ws, hello)
}

async fn ack(ws: &mut Ws, envelope_id: &Value) {
    send(ws, json!({ "envelope_id": envelope_id })).await;
}

/// Acks envelopes until one carries an event of `kind`; returns that envelope.
async fn envelope_with_event(ws: &mut Ws, kind: &str) -> Value {
    loop {
        let env = next(ws).await;
        assert_eq!(env["type"], "events_api", "{env}");
        ack(ws, &env["envelope_id"]).await;
        if env["payload"]["event"]["type"] == kind {
            return env;
        }
    }
}

/// No text frame arrives within `d`.
async fn quiet_for(ws: &mut Ws, d: Duration) {
    use futures_util::StreamExt;
    let deadline = tokio::time::Instant::now() + d;
    loop {
        match tokio::time::timeout_at(deadline, ws.next()).await {
            Err(_) => return,
            Ok(Some(Ok(m))) if m.is_text() => panic!("unexpected frame {m}"),
            Ok(Some(Ok(_))) => {}
            Ok(_) => return,
        }
    }
}

/// Waits (up to 5 s) until exactly `n` Socket Mode connections are open.
async fn exactly_clients(slack: &FakeSlack, n: usize) {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
    while slack.socket_mode_clients() != n {
        assert!(
            tokio::time::Instant::now() < deadline,
            "{} connections, expected {n}",
            slack.socket_mode_clients()
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn only_app_tokens_open_a_connection() {
    let slack = FakeSlack::start().await;
    let (_, body) = form(&slack, "apps.connections.open", Some(BOT), &[]).await;
    assert_eq!(body["error"], "not_allowed_token_type", "{body}");
    let (_, body) = form(&slack, "apps.connections.open", Some(APP_TOKEN), &[]).await;
    let url = body["url"].as_str().unwrap();
    assert!(url.starts_with("ws://") && url.contains("/link/"), "{url}");
    // Each call hands out a new ticket.
    let (_, again) = form(&slack, "apps.connections.open", Some(APP_TOKEN), &[]).await;
    assert_ne!(again["url"], body["url"]);
}

#[tokio::test]
async fn hello_counts_the_apps_connections() {
    let slack = FakeSlack::start().await;
    let (_a, first) = open(&slack).await;
    assert_eq!(first["num_connections"], 1);
    assert_eq!(first["connection_info"]["app_id"], APP_ID);
    assert!(first["debug_info"]["approximate_connection_time"].is_number());
    let (b, second) = open(&slack).await;
    assert_eq!(second["num_connections"], 2);
    assert_eq!(slack.socket_mode_clients(), 2);
    drop(b);
    exactly_clients(&slack, 1).await;
}

#[tokio::test]
async fn each_workspace_change_is_an_events_api_envelope() {
    let slack = FakeSlack::start().await;
    let (mut ws, _) = open(&slack).await;

    let ts = slack.post_as_user("U_ALICE", "C_GENERAL", "hi app").await;
    let env = envelope_with_event(&mut ws, "message").await;
    assert_eq!(env["accepts_response_payload"], false);
    assert_eq!(env["retry_attempt"], 0);
    let p = &env["payload"];
    assert_eq!(
        (&p["type"], &p["team_id"], &p["api_app_id"]),
        (&json!("event_callback"), &json!(TEAM_ID), &json!(APP_ID))
    );
    assert!(p["event_id"].as_str().is_some_and(|s| s.starts_with("Ev")));
    assert!(p["event_time"].is_number());
    assert!(p["authorizations"][0]["user_id"].is_string());
    assert_eq!(
        (&p["event"]["text"], &p["event"]["ts"], &p["event"]["user"]),
        (&json!("hi app"), &json!(ts), &json!("U_ALICE"))
    );

    ok(
        &slack,
        "reactions.add",
        &[
            ("channel", "C_GENERAL"),
            ("name", "eyes"),
            ("timestamp", &ts),
        ],
    )
    .await;
    let env = envelope_with_event(&mut ws, "reaction_added").await;
    assert_eq!(env["payload"]["event"]["reaction"], "eyes");

    let created = ok(&slack, "conversations.create", &[("name", "launch")]).await;
    let channel = created["channel"]["id"].as_str().unwrap().to_owned();
    let env = envelope_with_event(&mut ws, "channel_created").await;
    assert_eq!(env["payload"]["event"]["channel"]["name"], "launch");

    let bob = slack.user_token("U_BOB");
    let (_, joined) = form(
        &slack,
        "conversations.join",
        Some(&bob),
        &[("channel", &channel)],
    )
    .await;
    assert_eq!(joined["ok"], true, "{joined}");
    let env = envelope_with_event(&mut ws, "member_joined_channel").await;
    assert_eq!(
        (
            &env["payload"]["event"]["user"],
            &env["payload"]["event"]["channel"]
        ),
        (&json!("U_BOB"), &json!(channel))
    );

    // Every envelope was acked, so nothing waits for redelivery.
    slack.wait_for_all_acks().await;
    assert_eq!(slack.pending_envelopes(), 0);
}

#[tokio::test]
async fn envelope_and_event_ids_are_unique() {
    let slack = FakeSlack::start().await;
    let (mut ws, _) = open(&slack).await;
    for i in 0..3 {
        slack
            .post_as_user("U_ALICE", "C_GENERAL", &format!("m{i}"))
            .await;
    }
    let mut envelopes = std::collections::BTreeSet::new();
    let mut events = std::collections::BTreeSet::new();
    for _ in 0..3 {
        let env = envelope_with_event(&mut ws, "message").await;
        envelopes.insert(env["envelope_id"].as_str().unwrap().to_owned());
        events.insert(env["payload"]["event_id"].as_str().unwrap().to_owned());
    }
    assert_eq!((envelopes.len(), events.len()), (3, 3));
}

#[tokio::test]
async fn an_unacked_envelope_is_redelivered_until_acked() {
    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_millis(40));
    let (mut ws, _) = open(&slack).await;
    let id = slack.push_envelope(
        "events_api",
        json!({"type": "event_callback", "event_id": "EvR", "event": {"type": "reaction_added"}}),
        false,
    );
    for attempt in 0..3 {
        let env = next(&mut ws).await;
        assert_eq!(env["envelope_id"], json!(id));
        assert_eq!(env["retry_attempt"], attempt, "{env}");
        let reason = if attempt == 0 { "" } else { "timeout" };
        assert_eq!(env["retry_reason"], reason, "{env}");
        assert_eq!(env["payload"]["event_id"], "EvR");
    }
    assert_eq!(slack.pending_envelopes(), 1);
    ack(&mut ws, &json!(id)).await;
    slack.wait_for_ack(&id).await;
    assert_eq!(slack.pending_envelopes(), 0);
    // Acked: it stops coming.
    quiet_for(&mut ws, Duration::from_millis(200)).await;
}

#[tokio::test]
async fn soft_disconnect_warns_then_closes_after_the_grace() {
    let slack = FakeSlack::start().await;
    let (mut old, _) = open(&slack).await;
    assert_eq!(
        slack.socket_mode_disconnect("refresh_requested", Duration::from_millis(300)),
        1
    );
    let frame = next(&mut old).await;
    assert_eq!(
        (&frame["type"], &frame["reason"]),
        (&json!("disconnect"), &json!("refresh_requested"))
    );
    // A successor opened during the grace period gets the new envelopes.
    let (mut new, hello) = open(&slack).await;
    assert_eq!(hello["num_connections"], 2);
    let id = slack.push_envelope("events_api", json!({"type": "event_callback"}), false);
    assert_eq!(next(&mut new).await["envelope_id"], json!(id));
    // The old socket gets nothing more and is closed after the grace.
    assert_eq!(next_text(&mut old).await, None);
    exactly_clients(&slack, 1).await;
}

#[tokio::test]
async fn hard_disconnect_closes_at_once() {
    let slack = FakeSlack::start().await;
    let (mut ws, _) = open(&slack).await;
    slack.socket_mode_disconnect("link_disabled", Duration::from_secs(60));
    let frame = next(&mut ws).await;
    assert_eq!(frame["reason"], "link_disabled");
    let closed = tokio::time::timeout(Duration::from_secs(1), next_text(&mut ws))
        .await
        .expect("closed without waiting for the grace");
    assert_eq!(closed, None);
}

#[tokio::test]
async fn acks_and_their_payloads_are_journaled() {
    let slack = FakeSlack::start().await;
    let (mut ws, _) = open(&slack).await;
    let id = slack.socket_mode_slash_command("/deploy", "prod");
    let env = next(&mut ws).await;
    assert_eq!(
        (&env["type"], &env["accepts_response_payload"]),
        (&json!("slash_commands"), &json!(true))
    );
    let p = &env["payload"];
    assert_eq!(
        (&p["command"], &p["text"]),
        (&json!("/deploy"), &json!("prod"))
    );
    assert!(
        p["response_url"]
            .as_str()
            .is_some_and(|u| u.starts_with("http://"))
    );
    send(
        &mut ws,
        json!({"envelope_id": id, "payload": {"text": "deploying"}}),
    )
    .await;
    let acked = slack.wait_for_ack(&id).await;
    assert_eq!(acked["payload"]["text"], "deploying");
    let frame = slack
        .frames()
        .into_iter()
        .find(|f| f.json["envelope_id"] == json!(id))
        .expect("the ack is a journaled frame");
    assert!(frame.text.contains("deploying"));
    assert_eq!(slack.pending_envelopes(), 0);
}

#[tokio::test]
async fn nothing_is_queued_before_an_app_connects() {
    let slack = FakeSlack::start().await;
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "too early")
        .await;
    assert_eq!(slack.pending_envelopes(), 0);
    let (mut ws, _) = open(&slack).await;
    slack.post_as_user("U_ALICE", "C_GENERAL", "now").await;
    let env = envelope_with_event(&mut ws, "message").await;
    assert_eq!(env["payload"]["event"]["text"], "now");
}

#[tokio::test]
async fn reset_closes_connections_and_drops_undelivered_envelopes() {
    let slack = FakeSlack::start().await;
    let (mut ws, _) = open(&slack).await;
    slack.push_envelope("events_api", json!({"type": "event_callback"}), false);
    assert_eq!(slack.pending_envelopes(), 1);
    slack.reset();
    assert_eq!(slack.pending_envelopes(), 0);
    // The socket is closed (after the envelope already on its way, if any).
    loop {
        match next_text(&mut ws).await {
            None => break,
            Some(text) => assert!(text.contains("envelope_id"), "{text}"),
        }
    }
    exactly_clients(&slack, 0).await;
    // Like a fresh fake: nothing is queued until an app connects again.
    slack
        .post_as_user("U_ALICE", "C_GENERAL", "after reset")
        .await;
    assert_eq!(slack.pending_envelopes(), 0);
}

#[tokio::test]
async fn a_silent_connection_sends_nothing_and_its_envelopes_go_elsewhere() {
    use futures_util::{SinkExt, StreamExt};
    use slack_testkit::SocketModeFault;
    use tokio_tungstenite::tungstenite::Message;

    let slack = FakeSlack::start().await;
    slack.set_socket_mode_redelivery(Duration::from_millis(100));
    let (mut old, _) = open(&slack).await;
    assert_eq!(slack.socket_mode_fault(SocketModeFault::Silent), 1);
    let id = slack.push_envelope("events_api", json!({"type": "event_callback"}), false);
    // No envelope and no pong on the silent socket, which stays open.
    old.send(Message::Ping(b"are you there".to_vec().into()))
        .await
        .unwrap();
    let deadline = tokio::time::Instant::now() + Duration::from_millis(300);
    match tokio::time::timeout_at(deadline, old.next()).await {
        Err(_) => {}
        Ok(other) => panic!("a silent socket sent {other:?}"),
    }
    assert_eq!(
        slack.socket_mode_clients(),
        1,
        "the silent socket stays open"
    );
    // The unacked envelope is redelivered to the next connection.
    let (mut new, _) = open(&slack).await;
    let env = next(&mut new).await;
    assert_eq!(env["envelope_id"], json!(id), "{env}");
    assert_eq!(env["retry_attempt"], 1, "{env}");
    ack(&mut new, &env["envelope_id"]).await;
    slack.wait_for_ack(&id).await;
    // A later connection is not affected; a reset closes the silent one.
    slack.reset();
    assert_eq!(next_text(&mut old).await, None);
}

#[tokio::test]
async fn the_admin_api_sends_disconnects_and_warnings() {
    let slack = FakeSlack::start().await;
    let (mut ws, _) = open(&slack).await;
    let fault = |body: Value| {
        let slack = &slack;
        async move { admin(slack, "fault", Some(body)).await }
    };
    let (status, body) =
        fault(json!({"socket_mode": {"kind": "disconnect", "reason": "warning"}})).await;
    assert_eq!((status, &body["connections"]), (200, &json!(1)), "{body}");
    let frame = next(&mut ws).await;
    assert_eq!(
        (&frame["type"], &frame["reason"]),
        (&json!("disconnect"), &json!("warning"))
    );
    let (status, body) = fault(json!({"socket_mode": {
        "kind": "disconnect", "reason": "refresh_requested", "grace_millis": 100
    }}))
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(next(&mut ws).await["reason"], "refresh_requested");
    // Closed after the grace.
    assert_eq!(next_text(&mut ws).await, None);

    for reason in ["link_disabled", "too_many_websockets"] {
        let (mut ws, _) = open(&slack).await;
        let (status, _) =
            fault(json!({"socket_mode": {"kind": "disconnect", "reason": reason}})).await;
        assert_eq!(status, 200);
        assert_eq!(next(&mut ws).await["reason"], reason);
        assert_eq!(next_text(&mut ws).await, None, "{reason} closes at once");
    }

    let (mut ws, _) = open(&slack).await;
    let (status, body) = fault(json!({"socket_mode": {"kind": "silent"}})).await;
    assert_eq!((status, &body["connections"]), (200, &json!(1)), "{body}");
    slack.push_envelope("events_api", json!({"type": "event_callback"}), false);
    quiet_for(&mut ws, Duration::from_millis(200)).await;

    let (status, body) = fault(json!({"socket_mode": {"kind": "explode"}})).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["error"].as_str().unwrap().contains("socket_mode"),
        "{body}"
    );
}
