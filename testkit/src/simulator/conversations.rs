//! `conversations.*`: channels, DMs and group DMs, their members and history.

use serde_json::{Value, json};

use super::args::{Args, paginate, paginate_iter};
use super::{Caller, Channel, Res, Workspace, fail, parse_ts, str_of};
use crate::request::CredentialKind;

impl Workspace {
    pub(crate) fn conv_create(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let name = a.req("name", "invalid_name_required")?.to_string();
        if name.is_empty() {
            return fail("invalid_name_required");
        }
        if name.chars().count() > 80 {
            return fail("invalid_name_maxlength");
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return fail("invalid_name_specials");
        }
        if self.channels.iter().any(|c| c.name == name && !c.is_im) {
            return fail("name_taken");
        }
        let private = a.flag("is_private");
        let id = self.new_id(if private { 'G' } else { 'C' });
        let created = self.clock.stamp();
        let c = Channel {
            is_private: private,
            ..Channel::new(&id, &name, created, &caller.user, vec![caller.user.clone()])
        };
        let v = self.chan_json(caller, &c);
        if !private {
            events.push(json!({"type": "channel_created", "channel": {"id": id, "name": c.name, "created": created, "creator": c.creator}}));
        }
        self.channels.push(c);
        Ok(json!({ "channel": v }))
    }

    pub(crate) fn conv_archive(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        archive: bool,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &mut self.channels[idx];
        if c.is_im {
            return fail("method_not_supported_for_channel_type");
        }
        if archive {
            if c.is_general {
                return fail("cant_archive_general");
            }
            if c.is_archived {
                return fail("already_archived");
            }
        } else if !c.is_archived {
            return fail("not_archived");
        }
        c.is_archived = archive;
        let kind = if archive {
            "channel_archive"
        } else {
            "channel_unarchive"
        };
        events.push(json!({"type": kind, "channel": c.id, "user": caller.user}));
        Ok(json!({}))
    }

    pub(crate) fn conv_join(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &mut self.channels[idx];
        if c.is_archived {
            return fail("is_archived");
        }
        if c.is_private || c.is_im || c.is_mpim {
            return fail("method_not_supported_for_channel_type");
        }
        let already = c.members.contains(&caller.user);
        if !already {
            c.members.push(caller.user.clone());
            events.push(json!({"type": "member_joined_channel", "user": caller.user, "channel": c.id, "channel_type": "C", "team": self.team.id}));
        }
        let c = self.channels[idx].clone();
        let mut v = json!({"channel": self.chan_json(caller, &c)});
        if already {
            v["warning"] = json!("already_in_channel");
            v["response_metadata"] = json!({"warnings": ["already_in_channel"]});
        }
        Ok(v)
    }

    pub(crate) fn conv_leave(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &mut self.channels[idx];
        if c.is_general {
            return fail("cant_leave_general");
        }
        if c.is_im {
            return fail("method_not_supported_for_channel_type");
        }
        if c.is_archived {
            return fail("is_archived");
        }
        match c.members.iter().position(|m| *m == caller.user) {
            Some(p) => {
                c.members.remove(p);
                events.push(json!({"type": "member_left_channel", "user": caller.user, "channel": c.id, "channel_type": "C", "team": self.team.id}));
                Ok(json!({}))
            }
            None => Ok(json!({"not_in_channel": true})),
        }
    }

    pub(crate) fn conv_invite(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let users = a.list("users");
        if users.is_empty() {
            return fail("no_user");
        }
        for u in &users {
            if self.user(u).is_none() {
                return fail("user_not_found");
            }
            if *u == caller.user {
                return fail("cant_invite_self");
            }
            if self.channels[idx].members.contains(u) {
                return fail("already_in_channel");
            }
        }
        let c = &mut self.channels[idx];
        for u in users {
            events.push(json!({"type": "member_joined_channel", "user": u, "channel": c.id, "channel_type": "C", "team": self.team.id, "inviter": caller.user}));
            c.members.push(u);
        }
        let c = self.channels[idx].clone();
        Ok(json!({"channel": self.chan_json(caller, &c)}))
    }

    pub(crate) fn conv_kick(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let user = a.req("user", "user_not_found")?.to_string();
        if self.user(&user).is_none() {
            return fail("user_not_found");
        }
        let c = &mut self.channels[idx];
        if user == caller.user {
            return fail("cant_kick_self");
        }
        if c.is_general {
            return fail("cant_kick_from_general");
        }
        let Some(p) = c.members.iter().position(|m| *m == user) else {
            return fail("not_in_channel");
        };
        c.members.remove(p);
        events.push(json!({"type": "member_left_channel", "user": user, "channel": c.id, "channel_type": "C", "team": self.team.id}));
        Ok(json!({}))
    }

    pub(crate) fn conv_info(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        Ok(json!({"channel": self.chan_json(caller, &self.channels[idx])}))
    }

    pub(crate) fn conv_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        self.list_conversations(caller, a, None)
    }

    /// `conversations.list`, or with `member` `users.conversations`: the
    /// conversations of `types` (default public channels) the caller can
    /// see, those `member` is in only.
    pub(crate) fn list_conversations(
        &self,
        caller: &Caller,
        a: &Args<'_>,
        member: Option<&str>,
    ) -> Res {
        let types = a.list("types");
        let types: Vec<&str> = if types.is_empty() {
            vec!["public_channel"]
        } else {
            types.iter().map(String::as_str).collect()
        };
        const TYPES: [&str; 4] = ["public_channel", "private_channel", "mpim", "im"];
        if member.is_some() && types.iter().any(|t| !TYPES.contains(t)) {
            return fail("invalid_types");
        }
        let exclude_archived = a.flag("exclude_archived");
        let items: Vec<Value> = self
            .channels
            .iter()
            .filter(|c| self.visible(caller, c))
            .filter(|c| member.is_none_or(|u| c.members.iter().any(|m| m == u)))
            .filter(|c| !(exclude_archived && c.is_archived))
            .filter(|c| {
                let t = if c.is_im {
                    "im"
                } else if c.is_mpim {
                    "mpim"
                } else if c.is_private {
                    "private_channel"
                } else {
                    "public_channel"
                };
                types.contains(&t)
            })
            .map(|c| self.chan_json(caller, c))
            .collect();
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"channels": page, "response_metadata": {"next_cursor": next}}))
    }

    fn readable(&self, caller: &Caller, a: &Args<'_>) -> Result<String, String> {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &self.channels[idx];
        if !c.members.contains(&caller.user) && caller.kind == CredentialKind::Bot {
            return fail("not_in_channel");
        }
        Ok(c.id.clone())
    }

    pub(crate) fn conv_history(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.readable(caller, a)?;
        let bound = |k: &str| a.get(k).filter(|s| !s.is_empty()).map(parse_ts);
        let (oldest, latest) = (bound("oldest"), bound("latest"));
        if oldest == Some(None) || latest == Some(None) {
            return fail("invalid_ts_oldest");
        }
        let inclusive = a.flag("inclusive");
        // Filtered lazily and paged before anything is copied: only the
        // page's messages are cloned, however long the channel is.
        let items = self
            .messages
            .get(&channel)
            .into_iter()
            .flatten()
            .rev()
            .filter(|m| {
                let ts = str_of(m, "ts").unwrap_or("");
                let top = str_of(m, "thread_ts").is_none_or(|t| t == ts)
                    || str_of(m, "subtype") == Some("thread_broadcast");
                if !top {
                    return false;
                }
                let t = parse_ts(ts);
                let after = match oldest.flatten() {
                    Some(o) => t > Some(o) || (inclusive && t == Some(o)),
                    None => true,
                };
                let before = match latest.flatten() {
                    Some(l) => t < Some(l) || (inclusive && t == Some(l)),
                    None => true,
                };
                after && before
            });
        let (page, next) =
            paginate_iter(items, a, 100, self.page_size, |m| Value::Object(m.clone()))?;
        Ok(json!({
            "messages": page,
            "has_more": !next.is_empty(),
            "pin_count": 0,
            "channel_actions_ts": null,
            "channel_actions_count": 0,
            "response_metadata": {"next_cursor": next},
        }))
    }

    pub(crate) fn conv_replies(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.readable(caller, a)?;
        let ts = a.req("ts", "thread_not_found")?;
        let msgs = self.messages.get(&channel);
        let parent = msgs
            .into_iter()
            .flatten()
            .find(|m| str_of(m, "ts") == Some(ts))
            .ok_or_else(|| "thread_not_found".to_string())?;
        // Asking with a reply's ts gives the whole thread, as Slack does.
        let root = str_of(parent, "thread_ts").unwrap_or(ts).to_string();
        let items = msgs
            .into_iter()
            .flatten()
            .filter(|m| str_of(m, "ts") == Some(&root) || str_of(m, "thread_ts") == Some(&root));
        let (page, next) =
            paginate_iter(items, a, 1000, self.page_size, |m| Value::Object(m.clone()))?;
        Ok(json!({
            "messages": page,
            "has_more": !next.is_empty(),
            "response_metadata": {"next_cursor": next},
        }))
    }

    pub(crate) fn conv_members(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let items = self.channels[idx]
            .members
            .iter()
            .map(|m| json!(m))
            .collect();
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"members": page, "response_metadata": {"next_cursor": next}}))
    }

    pub(crate) fn conv_rename(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let name = a.req("name", "invalid_name")?.to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return fail("invalid_name_specials");
        }
        if self
            .channels
            .iter()
            .enumerate()
            .any(|(i, c)| i != idx && c.name == name)
        {
            return fail("name_taken");
        }
        self.writable(caller, idx)?;
        let c = &mut self.channels[idx];
        c.name = name;
        events.push(json!({"type": "channel_rename", "channel": {"id": c.id, "name": c.name, "created": c.created}}));
        let c = self.channels[idx].clone();
        Ok(json!({"channel": self.chan_json(caller, &c)}))
    }

    pub(crate) fn conv_set(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        field: &str,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let value = a.get(field).unwrap_or("").to_string();
        if value.chars().count() > 250 {
            return fail("too_long");
        }
        let now = self.clock.stamp();
        let c = &mut self.channels[idx];
        let slot = if field == "topic" {
            &mut c.topic
        } else {
            &mut c.purpose
        };
        *slot = (value.clone(), caller.user.clone(), now);
        let channel = c.id.clone();
        let subtype = format!("channel_{field}");
        let text = format!("set the channel {field}: {value}");
        let (_, evs) = self.store_message(
            caller,
            &channel,
            &text,
            None,
            &[(field, json!(value))],
            Some(&subtype),
        )?;
        events.extend(evs);
        let c = self.channels[idx].clone();
        Ok(json!({"channel": self.chan_json(caller, &c), field: value}))
    }

    pub(super) fn open_im(
        &mut self,
        caller: &Caller,
        other: &str,
        events: &mut Vec<Value>,
    ) -> usize {
        if let Some(i) = self.channels.iter().position(|c| {
            c.is_im && c.members.contains(&caller.user) && c.im_user.as_deref() == Some(other)
        }) {
            return i;
        }
        let id = self.new_id('D');
        let created = self.clock.stamp();
        let mut members = vec![caller.user.clone()];
        if other != caller.user {
            members.push(other.to_string());
        }
        self.channels.push(Channel {
            is_private: true,
            is_im: true,
            im_user: Some(other.to_string()),
            ..Channel::new(&id, &id, created, &caller.user, members)
        });
        events.push(json!({"type": "im_created", "user": caller.user, "channel": {"id": id, "user": other, "created": created}}));
        self.channels.len() - 1
    }

    pub(crate) fn conv_open(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        if let Some(ch) = a.get("channel") {
            let idx = self.chan_idx(caller, ch)?;
            let c = self.channels[idx].clone();
            return Ok(json!({"channel": self.chan_json(caller, &c), "already_open": true}));
        }
        let users = a.list("users");
        if users.is_empty() {
            return fail("users_list_not_supplied");
        }
        for u in &users {
            if self.user(u).is_none() {
                return fail("user_not_found");
            }
        }
        if users.len() > 8 {
            return fail("too_many_users");
        }
        let before = self.channels.len();
        let idx = if users.len() == 1 {
            self.open_im(caller, &users[0], events)
        } else {
            let mut members = vec![caller.user.clone()];
            members.extend(users.iter().filter(|u| **u != caller.user).cloned());
            match self
                .channels
                .iter()
                .position(|c| c.is_mpim && c.members == members)
            {
                Some(i) => i,
                None => {
                    let id = self.new_id('G');
                    let mut names: Vec<String> = members
                        .iter()
                        .filter_map(|m| self.user(m).map(|u| u.name.clone()))
                        .collect();
                    names.sort();
                    let name = format!("mpdm-{}-1", names.join("--"));
                    let created = self.clock.stamp();
                    self.channels.push(Channel {
                        is_private: true,
                        is_mpim: true,
                        ..Channel::new(&id, &name, created, &caller.user, members)
                    });
                    self.channels.len() - 1
                }
            }
        };
        let c = self.channels[idx].clone();
        let full = a.flag("return_im");
        let channel = if full || c.is_mpim {
            self.chan_json(caller, &c)
        } else {
            json!({"id": c.id})
        };
        let mut v = json!({"channel": channel});
        if self.channels.len() == before {
            v["no_op"] = json!(true);
            v["already_open"] = json!(true);
        }
        Ok(v)
    }

    pub(crate) fn conv_mark(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let ts = a.req("ts", "invalid_timestamp")?;
        if parse_ts(ts).is_none() {
            return fail("invalid_timestamp");
        }
        if !self.channels[idx].members.contains(&caller.user) {
            return fail("not_in_channel");
        }
        self.channels[idx].last_read = ts.to_string();
        Ok(json!({}))
    }
}
