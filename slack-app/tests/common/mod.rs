//! Payloads as Slack sends them, for the fake to deliver, and small helpers.
#![allow(dead_code)] // Each test binary uses its own subset.

use serde_json::{Value, json};
use slack_testkit::{APP_ID, Manifest, TEAM_ID};

pub const ALICE: &str = "U_ALICE";
pub const GENERAL: &str = "C_GENERAL";

/// An app served over HTTP at `url`, for every kind of delivery: mentions
/// and channel messages, interactions, `/deploy`; it may post.
pub fn http_manifest(url: &str) -> Manifest {
    serde_json::from_value(json!({
        "display_information": {"name": "test app"},
        "features": {"slash_commands": [{"command": "/deploy", "url": url}]},
        "oauth_config": {"scopes": {"bot": ["chat:write", "commands", "app_mentions:read"]}},
        "settings": {
            "event_subscriptions": {"request_url": url, "bot_events": ["app_mention", "message.channels"]},
            "interactivity": {"is_enabled": true, "request_url": url, "message_menu_options_url": url},
            "socket_mode_enabled": false
        }
    }))
    .expect("a manifest")
}

fn user() -> Value {
    json!({"id": ALICE, "username": "alice", "name": "alice", "team_id": TEAM_ID})
}

fn team() -> Value {
    json!({"id": TEAM_ID, "domain": "fake-team"})
}

/// A click on a button `action_id` in a message in #general (in a thread
/// when `thread_ts` is given).
pub fn block_actions(action_id: &str, value: &str, thread_ts: Option<&str>) -> Value {
    let mut message = json!({"type": "message", "ts": "1700000000.000100", "text": "Deploy?"});
    if let Some(t) = thread_ts {
        message["thread_ts"] = json!(t);
    }
    json!({
        "type": "block_actions",
        "api_app_id": APP_ID,
        "user": user(),
        "team": team(),
        "channel": {"id": GENERAL, "name": "general"},
        "container": {"type": "message", "channel_id": GENERAL, "message_ts": "1700000000.000100"},
        "message": message,
        "trigger_id": "1234.5678.abcd",
        "response_url": "https://hooks.slack.com/actions/T0001/1/abc",
        "actions": [{
            "type": "button", "action_id": action_id, "block_id": "decision",
            "value": value, "action_ts": "1700000001.000200",
            "text": {"type": "plain_text", "text": "Approve"}
        }]
    })
}

/// A modal `callback_id` submitted with one text input `service` in block
/// `service_block`.
pub fn view_submission(callback_id: &str, service: &str) -> Value {
    json!({
        "type": "view_submission",
        "api_app_id": APP_ID,
        "user": user(),
        "team": team(),
        "trigger_id": "1234.5678.efgh",
        "view": {
            "id": "V0001", "type": "modal", "callback_id": callback_id,
            "hash": "1700000000.abcd", "private_metadata": "",
            "title": {"type": "plain_text", "text": "Deploy"},
            "blocks": [],
            "state": {"values": {
                "service_block": {"service": {"type": "plain_text_input", "value": service}},
                "env_block": {"env": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "prod"}, "value": "prod"}}}
            }}
        }
    })
}

pub fn view_closed(callback_id: &str) -> Value {
    json!({
        "type": "view_closed", "api_app_id": APP_ID, "user": user(), "team": team(),
        "is_cleared": false,
        "view": {"id": "V0001", "type": "modal", "callback_id": callback_id}
    })
}

pub fn shortcut(callback_id: &str) -> Value {
    json!({
        "type": "shortcut", "callback_id": callback_id, "trigger_id": "1234.5678.ijkl",
        "user": user(), "team": team(), "action_ts": "1700000002.000300"
    })
}

pub fn block_suggestion(action_id: &str, typed: &str) -> Value {
    json!({
        "type": "block_suggestion", "action_id": action_id, "block_id": "service_block",
        "value": typed, "user": user(), "team": team(), "api_app_id": APP_ID
    })
}

/// An Events API `event_callback` around `event`.
pub fn event_callback(event_id: &str, event: Value) -> Value {
    json!({
        "type": "event_callback", "team_id": TEAM_ID, "api_app_id": APP_ID,
        "event_id": event_id, "event_time": 1700000000,
        "authorizations": [{"team_id": TEAM_ID, "user_id": slack_testkit::BOT_USER, "is_bot": true}],
        "event": event
    })
}

pub fn app_mention(text: &str) -> Value {
    json!({
        "type": "app_mention", "user": ALICE, "channel": GENERAL, "text": text,
        "ts": "1700000003.000400", "event_ts": "1700000003.000400"
    })
}

/// `/command text` run by Alice in #general, as the form Slack POSTs.
pub fn slash_form(command: &str, text: &str) -> String {
    let mut c = slack_api::inbound::slash::SlashCommand::new(command, text);
    c.team_id = TEAM_ID.into();
    c.team_domain = "fake-team".into();
    c.channel_id = GENERAL.into();
    c.channel_name = "general".into();
    c.user_id = ALICE.into();
    c.user_name = "alice".into();
    c.response_url = "https://hooks.slack.com/commands/T0001/1/abc".into();
    c.trigger_id = "1234.5678.mnop".into();
    c.to_form()
}

pub mod apps;
pub mod store;
