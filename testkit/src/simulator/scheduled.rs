//! `chat.scheduleMessage`, `chat.scheduledMessages.list`,
//! `chat.deleteScheduledMessage`: messages posted when the fake clock
//! reaches their `post_at` ([`Workspace::post_due`]).

use std::collections::BTreeMap;

use serde_json::{Value, json};

use super::args::{Args, paginate};
use super::{BOT_ID, Caller, Res, Workspace, fail};

/// How far ahead a message may be scheduled: 120 days.
const MAX_AHEAD_SECS: u64 = 120 * 86_400;

/// The messages scheduled and not posted yet.
#[derive(Debug, Clone, Default)]
pub(crate) struct Schedule {
    items: Vec<Scheduled>,
    counter: u64,
}

#[derive(Debug, Clone)]
struct Scheduled {
    id: String,
    caller: Caller,
    channel: String,
    post_at: u64,
    created: u64,
    /// The `chat.postMessage` arguments it posts with.
    args: BTreeMap<String, String>,
}

impl Workspace {
    /// `chat.scheduleMessage`: checked now as `chat.postMessage` would be,
    /// posted once the clock reaches `post_at`.
    pub(crate) fn chat_schedule(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.target(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let post_at = a
            .get("post_at")
            .and_then(|p| p.trim().parse::<u64>().ok())
            .ok_or_else(|| "invalid_time".to_string())?;
        let now = self.clock.now_secs();
        if post_at <= now {
            return fail("time_in_past");
        }
        if post_at > now + MAX_AHEAD_SECS {
            return fail("time_too_far");
        }
        let text = a.get("text").unwrap_or("");
        let has = |k: &str| a.get(k).is_some_and(|v| !v.is_empty());
        if text.is_empty() && !has("blocks") && !has("attachments") {
            return fail("no_text");
        }
        if text.chars().count() > 40_000 {
            return fail("msg_too_long");
        }
        for key in ["blocks", "attachments"] {
            if let Some(v) = a.get(key)
                && !matches!(serde_json::from_str(v), Ok(Value::Array(_)))
            {
                return Err(format!("invalid_{key}"));
            }
        }
        let channel = self.channels[idx].id.clone();
        self.scheduled.counter += 1;
        let id = format!("Q{:010}", self.scheduled.counter);
        let mut args = a.0.clone();
        args.insert("channel".into(), channel.clone());
        args.remove("post_at");
        self.scheduled.items.push(Scheduled {
            id: id.clone(),
            caller: caller.clone(),
            channel: channel.clone(),
            post_at,
            created: now,
            args,
        });
        let mut message = json!({"type": "delayed_message", "text": text, "user": caller.user, "team": self.team.id});
        if caller.user == super::BOT_USER {
            message["bot_id"] = json!(BOT_ID);
        }
        Ok(
            json!({"channel": channel, "scheduled_message_id": id, "post_at": post_at, "message": message}),
        )
    }

    /// `chat.scheduledMessages.list`: the caller's messages not posted yet,
    /// soonest first, in `channel` and between `oldest` and `latest` when given.
    pub(crate) fn chat_scheduled_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = match a.get("channel").filter(|c| !c.is_empty()) {
            Some(c) => Some(
                self.chan_idx(caller, c)
                    .map(|i| self.channels[i].id.clone())
                    .map_err(|_| "invalid_channel".to_string())?,
            ),
            None => None,
        };
        let bound = |k: &str| {
            a.get(k)
                .filter(|v| !v.is_empty())
                .and_then(|v| v.split('.').next()?.parse::<u64>().ok())
        };
        let (oldest, latest) = (bound("oldest"), bound("latest"));
        let mut items: Vec<&Scheduled> = self
            .scheduled
            .items
            .iter()
            .filter(|s| s.caller.user == caller.user)
            .filter(|s| channel.as_ref().is_none_or(|c| *c == s.channel))
            .filter(|s| oldest.is_none_or(|o| s.post_at >= o))
            .filter(|s| latest.is_none_or(|l| s.post_at <= l))
            .collect();
        items.sort_by_key(|s| (s.post_at, s.id.clone()));
        let items = items
            .into_iter()
            .map(|s| {
                json!({"id": s.id, "channel_id": s.channel, "post_at": s.post_at,
                       "date_created": s.created, "text": s.args.get("text").cloned().unwrap_or_default()})
            })
            .collect();
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"scheduled_messages": page, "response_metadata": {"next_cursor": next}}))
    }

    /// `chat.deleteScheduledMessage`.
    pub(crate) fn chat_delete_scheduled(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let channel = self.channels[idx].id.clone();
        let id = a.get("scheduled_message_id").unwrap_or("");
        let at = self
            .scheduled
            .items
            .iter()
            .position(|s| s.id == id && s.channel == channel && s.caller.user == caller.user)
            .ok_or_else(|| "invalid_scheduled_message_id".to_string())?;
        self.scheduled.items.remove(at);
        Ok(json!({}))
    }

    /// Posts every scheduled message whose `post_at` the clock has reached,
    /// in `post_at` order; returns the events. One that cannot be posted
    /// any more (the channel archived, its author gone from it) is dropped.
    pub(crate) fn post_due(&mut self) -> Vec<Value> {
        let now = self.clock.now_secs();
        let (mut due, rest): (Vec<Scheduled>, Vec<Scheduled>) =
            std::mem::take(&mut self.scheduled.items)
                .into_iter()
                .partition(|s| s.post_at <= now);
        self.scheduled.items = rest;
        due.sort_by_key(|s| (s.post_at, s.id.clone()));
        let mut events = Vec::new();
        for s in due {
            let mut evs = Vec::new();
            if self
                .chat_post(&s.caller, &Args(&s.args), &mut evs, None)
                .is_ok()
            {
                events.extend(evs);
            }
        }
        events
    }
}
