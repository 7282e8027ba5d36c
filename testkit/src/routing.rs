//! Where Slack sends a workspace event: one routing table for RTM clients,
//! Socket Mode and the Events API alike.

use serde_json::Value;

use crate::simulator::Workspace;

/// Where Slack sends an event; see [`ROUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Only to clients whose user is a member of the event's conversation
    /// (`channel`, `channel.id` or `item.channel`); that includes DMs.
    Conversation,
    /// To every client of the team.
    Team,
}

/// The routing table: which events go only to a conversation's members.
/// Types not listed are team-wide ([`Route::Team`]), like the ones listed
/// as such. A conversation event naming a conversation the workspace does
/// not have (an event a test made up) goes to every client: the fake cannot
/// know who is in it.
const ROUTES: &[(&str, Route)] = &[
    ("message", Route::Conversation),
    ("app_mention", Route::Conversation),
    ("reaction_added", Route::Conversation),
    ("reaction_removed", Route::Conversation),
    ("pin_added", Route::Conversation),
    ("pin_removed", Route::Conversation),
    ("member_joined_channel", Route::Conversation),
    ("member_left_channel", Route::Conversation),
    ("user_typing", Route::Conversation),
    ("im_created", Route::Conversation),
    ("channel_created", Route::Team),
    ("channel_rename", Route::Team),
    ("channel_archive", Route::Team),
    ("channel_unarchive", Route::Team),
    ("channel_deleted", Route::Team),
    ("user_change", Route::Team),
    ("team_join", Route::Team),
    ("emoji_changed", Route::Team),
    ("presence_change", Route::Team),
];

fn route_of(kind: &str) -> Route {
    ROUTES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(Route::Team, |(_, r)| *r)
}

/// The conversation an event is about: `channel` (an ID or an object with
/// one) or `item.channel` (reactions, pins).
fn conversation_of(event: &Value) -> Option<&str> {
    let channel = event.get("channel");
    channel
        .and_then(Value::as_str)
        .or_else(|| channel.and_then(|c| c.get("id")).and_then(Value::as_str))
        .or_else(|| event.get("item")?.get("channel")?.as_str())
}

/// Whether the app subscribes to `kind`: `None` subscribes to everything;
/// a message also matches `message.channels`, `message.groups`,
/// `message.im` or `message.mpim`, by its conversation.
pub(crate) fn subscribed(
    subscriptions: Option<&[String]>,
    event: &Value,
    workspace: &Workspace,
) -> bool {
    let kind = kind_of(event);
    let conversation = conversation_of(event);
    let Some(subs) = subscriptions else {
        return true;
    };
    subs.iter().any(|s| {
        s == kind
            || (kind == "message"
                && s.strip_prefix("message.").is_some_and(|k| {
                    conversation.is_some_and(|c| workspace.conversation_kind(c) == k)
                }))
    })
}

fn kind_of(event: &Value) -> &str {
    event.get("type").and_then(Value::as_str).unwrap_or("")
}

/// Whom `event` reaches (see [`ROUTES`]): `None` for every client of the
/// team, else the members of its conversation.
pub(crate) fn audience<'a>(event: &Value, workspace: &'a Workspace) -> Option<&'a [String]> {
    match route_of(kind_of(event)) {
        Route::Team => None,
        Route::Conversation => conversation_of(event).and_then(|c| workspace.members_of(c)),
    }
}

/// The `app_mention` Slack sends the app beside a person's `message` that
/// mentions its bot (`<@U_BOT>`): same text, channel and thread. Edits,
/// deletions and the bot's own messages mention nobody.
pub(crate) fn app_mention_of(event: &Value) -> Option<Value> {
    if kind_of(event) != "message" {
        return None;
    }
    // A person's message, or one shared with files or broadcast from a thread.
    let subtype = event.get("subtype").and_then(Value::as_str);
    if !matches!(subtype, None | Some("file_share" | "thread_broadcast")) {
        return None;
    }
    let user = event.get("user").and_then(Value::as_str)?;
    let text = event.get("text").and_then(Value::as_str)?;
    // `<@U_BOT>` or `<@U_BOT|name>`, not a longer ID starting the same.
    let mentions = text.match_indices("<@").any(|(at, _)| {
        text[at + 2..]
            .strip_prefix(crate::simulator::BOT_USER)
            .is_some_and(|rest| rest.starts_with(['>', '|']))
    });
    if user == crate::simulator::BOT_USER || !mentions {
        return None;
    }
    let mut out = serde_json::Map::new();
    out.insert("type".into(), "app_mention".into());
    for key in [
        "user",
        "text",
        "ts",
        "channel",
        "event_ts",
        "thread_ts",
        "team",
        "blocks",
        "files",
        "client_msg_id",
    ] {
        if let Some(v) = event.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    Some(Value::Object(out))
}
