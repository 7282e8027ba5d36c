//! `chat.*`: posting, editing, deleting messages, ephemeral messages and permalinks.

use serde_json::{Value, json};

use super::args::Args;
use super::{Caller, Res, Workspace, fail, str_of};
use crate::request::CredentialKind;

impl Workspace {
    pub(crate) fn chat_post(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
        subtype: Option<&str>,
    ) -> Res {
        let idx = self.target(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let text = a.get("text").unwrap_or("");
        let mut extra = Vec::new();
        for key in ["blocks", "attachments", "metadata"] {
            if let Some(v) = a.get(key) {
                let parsed: Value =
                    serde_json::from_str(v).map_err(|_| format!("invalid_{key}"))?;
                if !matches!(parsed, Value::Array(_) | Value::Object(_)) {
                    return Err(format!("invalid_{key}"));
                }
                extra.push((key, parsed));
            }
        }
        if text.is_empty() && !extra.iter().any(|(k, _)| *k != "metadata") {
            return fail("no_text");
        }
        if text.chars().count() > 40_000 {
            return fail("msg_too_long");
        }
        let thread_ts = a.get("thread_ts").filter(|t| !t.is_empty());
        let broadcast = thread_ts.is_some() && a.flag("reply_broadcast");
        let subtype = if broadcast {
            Some("thread_broadcast")
        } else {
            subtype
        };
        let channel = self.channels[idx].id.clone();
        let (m, evs) = self.store_message(caller, &channel, text, thread_ts, &extra, subtype)?;
        events.extend(evs);
        Ok(json!({"channel": channel, "ts": m["ts"], "message": Value::Object(m)}))
    }

    pub(crate) fn chat_update(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let (channel, i) = self.message_mut(caller, a, "ts")?;
        let ts = self.next_ts();
        let msg = &mut self.messages.get_mut(&channel).expect("found")[i];
        if str_of(msg, "user") != Some(caller.user.as_str()) {
            return fail("cant_update_message");
        }
        let previous = msg.clone();
        if let Some(t) = a.get("text") {
            msg.insert("text".into(), json!(t));
        }
        for key in ["blocks", "attachments"] {
            if let Some(v) = a.get(key) {
                let parsed: Value =
                    serde_json::from_str(v).map_err(|_| format!("invalid_{key}"))?;
                msg.insert(key.into(), parsed);
            }
        }
        msg.insert("edited".into(), json!({"user": caller.user, "ts": ts}));
        let message = msg.clone();
        events.push(json!({
            "type": "message", "subtype": "message_changed", "hidden": true,
            "channel": channel, "ts": ts, "event_ts": ts,
            "message": message, "previous_message": previous,
        }));
        Ok(
            json!({"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}),
        )
    }

    pub(crate) fn chat_delete(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let (channel, i) = self.message_mut(caller, a, "ts")?;
        let msgs = self.messages.get_mut(&channel).expect("found");
        let owner = str_of(&msgs[i], "user").unwrap_or("");
        let admin = caller.kind == CredentialKind::User
            && self.users.iter().any(|u| u.id == caller.user && u.is_admin);
        if owner != caller.user && !admin {
            return fail("cant_delete_message");
        }
        let removed = msgs.remove(i);
        let ts = str_of(&removed, "ts").unwrap_or("").to_string();
        // Deleting a reply updates its parent's counters.
        if let Some(root) = str_of(&removed, "thread_ts").filter(|r| *r != ts)
            && let Some(p) = msgs.iter_mut().find(|p| str_of(p, "ts") == Some(root))
        {
            let n = p.get("reply_count").and_then(Value::as_u64).unwrap_or(1);
            p.insert("reply_count".into(), json!(n.saturating_sub(1)));
        }
        let event_ts = self.next_ts();
        events.push(json!({
            "type": "message", "subtype": "message_deleted", "hidden": true,
            "channel": channel, "ts": event_ts, "deleted_ts": ts, "event_ts": event_ts,
            "previous_message": removed,
        }));
        Ok(json!({"channel": channel, "ts": ts}))
    }

    pub(crate) fn chat_ephemeral(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.target(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let user = a.req("user", "user_not_found")?;
        if self.user(user).is_none() {
            return fail("user_not_found");
        }
        if !self.channels[idx].members.iter().any(|m| m == user) {
            return fail("user_not_in_channel");
        }
        if a.get("text").unwrap_or("").is_empty()
            && a.get("blocks").is_none()
            && a.get("attachments").is_none()
        {
            return fail("no_text");
        }
        Ok(json!({"message_ts": self.next_ts()}))
    }

    pub(crate) fn chat_permalink(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let (channel, _) = self.message_mut(caller, a, "message_ts")?;
        let ts = a.get("message_ts").unwrap_or("").replace('.', "");
        Ok(json!({
            "channel": channel,
            "permalink": format!("{}archives/{channel}/p{ts}", self.team.url()),
        }))
    }
}
