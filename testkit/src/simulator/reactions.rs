//! `reactions.*`: emoji reactions on messages.

use serde_json::{Value, json};

use super::args::{Args, paginate};
use super::{Caller, Res, Workspace, fail};

impl Workspace {
    pub(crate) fn reaction(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        add: bool,
        events: &mut Vec<Value>,
    ) -> Res {
        let name = a.req("name", "invalid_name")?.trim_matches(':').to_string();
        if name.is_empty() {
            return fail("invalid_name");
        }
        if a.get("timestamp").is_none() {
            return fail("no_item_specified");
        }
        let (channel, i) = self.message_mut(caller, a, "timestamp")?;
        let event_ts = self.next_ts();
        let msg = &mut self.messages.get_mut(&channel).expect("found")[i];
        let mut reactions: Vec<Value> = msg
            .get("reactions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let me = json!(caller.user);
        let pos = reactions.iter().position(|r| r["name"] == json!(name));
        if add {
            match pos {
                Some(p) => {
                    let users = reactions[p]["users"].as_array_mut().expect("users");
                    if users.contains(&me) {
                        return fail("already_reacted");
                    }
                    users.push(me);
                    reactions[p]["count"] = json!(users.len());
                }
                None => reactions.push(json!({"name": name, "users": [me], "count": 1})),
            }
        } else {
            let Some(p) = pos else {
                return fail("no_reaction");
            };
            let users = reactions[p]["users"].as_array_mut().expect("users");
            let Some(u) = users.iter().position(|u| *u == me) else {
                return fail("no_reaction");
            };
            users.remove(u);
            if users.is_empty() {
                reactions.remove(p);
            } else {
                reactions[p]["count"] = json!(users.len());
            }
        }
        if reactions.is_empty() {
            msg.remove("reactions");
        } else {
            msg.insert("reactions".into(), Value::Array(reactions));
        }
        events.push(json!({
            "type": if add { "reaction_added" } else { "reaction_removed" },
            "user": caller.user,
            "reaction": name,
            "item_user": msg.get("user"),
            "item": {"type": "message", "channel": channel, "ts": msg["ts"]},
            "event_ts": event_ts,
        }));
        Ok(json!({}))
    }

    pub(crate) fn reactions_get(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let (channel, i) = self.message_mut(caller, a, "timestamp")?;
        let msg = self.messages[&channel][i].clone();
        Ok(json!({"type": "message", "channel": channel, "message": msg}))
    }

    pub(crate) fn reactions_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let who = a.get("user").unwrap_or(&caller.user).to_string();
        if self.user(&who).is_none() {
            return fail("user_not_found");
        }
        let mut items = Vec::new();
        for c in &self.channels {
            if !self.visible(caller, c) {
                continue;
            }
            for m in self.messages.get(&c.id).into_iter().flatten().rev() {
                let reacted = m
                    .get("reactions")
                    .and_then(Value::as_array)
                    .is_some_and(|rs| {
                        rs.iter().any(|r| {
                            r["users"]
                                .as_array()
                                .is_some_and(|u| u.contains(&json!(who)))
                        })
                    });
                if reacted {
                    items.push(json!({"type": "message", "channel": c.id, "message": m}));
                }
            }
        }
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"items": page, "response_metadata": {"next_cursor": next}}))
    }
}
