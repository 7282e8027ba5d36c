//! Messages an app posts without a Web API call: incoming webhooks and
//! slash command responses. Unlike `chat.postMessage` they need no channel
//! membership: installing the webhook or running the command put the app there.

use serde_json::{Map, Value, json};

use super::{BOT_USER, Caller, Workspace, fail, str_of};
use crate::request::CredentialKind;

/// What the webhook and slash helpers need to know about a conversation.
#[derive(Debug, Clone)]
pub(crate) struct ChannelFacts {
    pub(crate) id: String,
    /// The name Slack puts in a slash command's `channel_name`.
    pub(crate) name: String,
    pub(crate) is_archived: bool,
}

fn app_caller() -> Caller {
    Caller {
        user: BOT_USER.to_string(),
        kind: CredentialKind::Bot,
    }
}

impl Workspace {
    /// The conversation with this ID, whoever may see it.
    pub(crate) fn channel_facts(&self, id: &str) -> Option<ChannelFacts> {
        let c = self.channels.iter().find(|c| c.id == id)?;
        let name = if c.is_im {
            "directmessage".to_string()
        } else if c.is_mpim {
            "privategroup".to_string()
        } else {
            c.name.clone()
        };
        Some(ChannelFacts {
            id: c.id.clone(),
            name,
            is_archived: c.is_archived,
        })
    }

    /// Whether `user` belongs to the conversation `channel`.
    pub(crate) fn is_member(&self, channel: &str, user: &str) -> bool {
        self.channels
            .iter()
            .any(|c| c.id == channel && c.members.iter().any(|m| m == user))
    }

    /// The stored message `ts` of `channel` (thread replies included).
    pub(crate) fn message(&self, channel: &str, ts: &str) -> Option<Value> {
        self.messages
            .get(channel)?
            .iter()
            .find(|m| str_of(m, "ts") == Some(ts))
            .map(|m| Value::Object(m.clone()))
    }

    /// The (legacy) user name of a seeded or created user.
    pub(crate) fn user_name(&self, id: &str) -> Option<String> {
        self.user(id).map(|u| u.name.clone())
    }

    /// Posts a webhook-style JSON message (`text`, `blocks`, `attachments`,
    /// `username`, `icon_emoji`, `icon_url`, `thread_ts`) into `channel` as
    /// a `bot_message` from the app. Returns the stored message and RTM events.
    pub(crate) fn post_as_app(
        &mut self,
        channel: &str,
        body: &Map<String, Value>,
    ) -> Result<(Map<String, Value>, Vec<Value>), String> {
        let facts = self
            .channel_facts(channel)
            .ok_or_else(|| "channel_not_found".to_string())?;
        if facts.is_archived {
            return fail("channel_is_archived");
        }
        let (text, extra) = app_content(body)?;
        let mut extra = extra;
        if let Some(name) = str_of(body, "username") {
            extra.push(("username", json!(name)));
        }
        if let Some(emoji) = str_of(body, "icon_emoji") {
            extra.push(("icons", json!({ "emoji": emoji })));
        } else if let Some(url) = str_of(body, "icon_url") {
            extra.push(("icons", json!({ "image_48": url })));
        }
        // A reply to a thread that does not exist becomes a top-level message.
        let thread = str_of(body, "thread_ts")
            .filter(|ts| self.find_msg(&facts.id, ts).is_some())
            .map(str::to_string);
        self.store_message(
            &app_caller(),
            &facts.id,
            &text,
            thread.as_deref(),
            &extra,
            Some("bot_message"),
        )
    }

    /// Replaces the text and blocks of an app message (`replace_original`).
    pub(crate) fn replace_app_message(
        &mut self,
        channel: &str,
        ts: &str,
        body: &Map<String, Value>,
    ) -> Result<Vec<Value>, String> {
        let (text, extra) = app_content(body)?;
        let i = self
            .find_msg(channel, ts)
            .ok_or_else(|| "message_not_found".to_string())?;
        let edit_ts = self.next_ts();
        let msg = &mut self
            .messages
            .get_mut(channel)
            .ok_or_else(|| "message_not_found".to_string())?[i];
        let previous = msg.clone();
        msg.insert("text".into(), json!(text));
        msg.remove("blocks");
        msg.remove("attachments");
        for (k, v) in extra {
            msg.insert(k.into(), v);
        }
        msg.insert("edited".into(), json!({"user": BOT_USER, "ts": edit_ts}));
        Ok(vec![json!({
            "type": "message", "subtype": "message_changed", "hidden": true,
            "channel": channel, "ts": edit_ts, "event_ts": edit_ts,
            "message": msg.clone(), "previous_message": previous,
        })])
    }

    /// Deletes an app message (`delete_original`).
    pub(crate) fn delete_app_message(
        &mut self,
        channel: &str,
        ts: &str,
    ) -> Result<Vec<Value>, String> {
        let i = self
            .find_msg(channel, ts)
            .ok_or_else(|| "message_not_found".to_string())?;
        let removed = self
            .messages
            .get_mut(channel)
            .ok_or_else(|| "message_not_found".to_string())?
            .remove(i);
        let event_ts = self.next_ts();
        Ok(vec![json!({
            "type": "message", "subtype": "message_deleted", "hidden": true,
            "channel": channel, "ts": event_ts, "deleted_ts": ts, "event_ts": event_ts,
            "previous_message": removed,
        })])
    }
}

/// Text and the `blocks`/`attachments` of a webhook-style body, checked the way Slack does.
/// Extra message fields, as `store_message` takes them.
type Fields = Vec<(&'static str, Value)>;

fn app_content(body: &Map<String, Value>) -> Result<(String, Fields), String> {
    let text = match body.get("text") {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return fail("invalid_payload"),
    };
    let mut extra = Vec::new();
    let mut has_content = !text.is_empty();
    for key in ["blocks", "attachments"] {
        match body.get(key) {
            None | Some(Value::Null) => {}
            Some(Value::Array(items)) => {
                if key == "attachments" && items.len() > 100 {
                    return fail("too_many_attachments");
                }
                if key == "blocks"
                    && items
                        .iter()
                        .any(|b| b.get("type").and_then(Value::as_str).is_none())
                {
                    return fail("invalid_blocks");
                }
                has_content |= !items.is_empty();
                extra.push((key, Value::Array(items.clone())));
            }
            Some(_) => return Err(format!("invalid_{key}")),
        }
    }
    if !has_content {
        return fail("no_text");
    }
    if text.chars().count() > 40_000 {
        return fail("msg_too_long");
    }
    Ok((text, extra))
}
