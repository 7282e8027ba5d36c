//! `pins.*`: messages pinned to a conversation. A pinned message carries
//! `pinned_to` and `pinned_info` as in Slack's history.

use serde_json::{Value, json};

use super::args::Args;
use super::{Caller, Res, Workspace, fail, parse_ts};

/// At most this many pins per conversation (`too_many_pins` beyond).
const MAX_PINS: usize = 100;

impl Workspace {
    /// `pins.add` (`add`) and `pins.remove`.
    pub(crate) fn pin(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        add: bool,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        if !self.channels[idx].members.contains(&caller.user) {
            return fail("not_in_channel");
        }
        let ts = a
            .get("timestamp")
            .filter(|t| !t.is_empty())
            .ok_or_else(|| "no_item_specified".to_string())?;
        if parse_ts(ts).is_none() {
            return fail("bad_timestamp");
        }
        let (channel, i) = self.message_mut(caller, a, "timestamp")?;
        let count = self.pinned(&channel).len();
        let event_ts = self.next_ts();
        let msg = &mut self.messages.get_mut(&channel).expect("found")[i];
        let pinned = msg.contains_key("pinned_to");
        let info = json!({"channel": channel, "pinned_by": caller.user, "pinned_ts": event_ts});
        let (kind, count) = if add {
            if pinned {
                return fail("already_pinned");
            }
            if count >= MAX_PINS {
                return fail("too_many_pins");
            }
            msg.insert("pinned_to".into(), json!([channel]));
            msg.insert("pinned_info".into(), json!({&channel: info}));
            ("pin_added", count + 1)
        } else {
            if !pinned {
                return fail("no_pin");
            }
            msg.remove("pinned_to");
            msg.remove("pinned_info");
            ("pin_removed", count - 1)
        };
        let item_user = msg.get("user").cloned().unwrap_or(Value::Null);
        let mut message = msg.clone();
        message.remove("pinned_to");
        message.remove("pinned_info");
        events.push(json!({
            "type": kind,
            "user": caller.user,
            "channel_id": channel,
            "item": {"type": "message", "channel": channel, "message": message,
                     "created": self.clock.stamp(), "created_by": caller.user},
            "item_user": item_user,
            "pin_count": count,
            "pinned_info": info,
            "event_ts": event_ts,
        }));
        Ok(json!({}))
    }

    /// `pins.list`: the conversation's pinned messages, newest pin first.
    pub(crate) fn pins_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let channel = &self.channels[idx].id;
        let mut items: Vec<Value> = self
            .pinned(channel)
            .into_iter()
            .map(|m| {
                let info = &m["pinned_info"][channel.as_str()];
                let created = info["pinned_ts"]
                    .as_str()
                    .and_then(parse_ts)
                    .map_or(0, |(s, _)| s);
                json!({"type": "message", "channel": channel, "message": m,
                       "created": created, "created_by": info["pinned_by"]})
            })
            .collect();
        items.sort_by(|x, y| y["created"].as_u64().cmp(&x["created"].as_u64()));
        Ok(json!({"items": items}))
    }

    /// The messages pinned to `channel`.
    fn pinned(&self, channel: &str) -> Vec<Value> {
        self.messages
            .get(channel)
            .into_iter()
            .flatten()
            .filter(|m| m.contains_key("pinned_to"))
            .map(|m| Value::Object(m.clone()))
            .collect()
    }
}
