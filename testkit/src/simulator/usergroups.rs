//! `usergroups.*`: user groups (`@handles`), their members and channels.

use serde_json::{Value, json};

use super::args::Args;
use super::{Caller, Res, Workspace, fail};

/// Handles Slack keeps for itself.
const RESERVED_HANDLES: &[&str] = &["channel", "everyone", "group", "here", "usergroup"];

/// The workspace's user groups, in the order they were made.
#[derive(Debug, Clone, Default)]
pub(crate) struct UserGroups {
    groups: Vec<Value>,
    counter: u64,
}

/// A handle made from a name: lowercase, spaces as dashes.
fn handle_of(name: &str) -> String {
    name.trim().to_lowercase().replace(char::is_whitespace, "-")
}

/// The group as a call answers it: `users` only with `include_users`
/// (`usergroups.list`) and `user_count` only with `include_count`.
fn render(g: &Value, users: bool, count: bool) -> Value {
    let mut g = g.clone();
    if !count {
        g.as_object_mut().map(|m| m.remove("user_count"));
    }
    if !users {
        g.as_object_mut().map(|m| m.remove("users"));
    }
    g
}

impl Workspace {
    /// The index of the group the `usergroup` argument names.
    fn group_at(&self, a: &Args<'_>) -> Result<usize, String> {
        let id = a.get("usergroup").unwrap_or("");
        self.usergroups
            .groups
            .iter()
            .position(|g| g["id"] == id)
            .ok_or_else(|| "no_such_subteam".to_string())
    }

    /// Checks a group's `name`, `handle` and `channels` against the other
    /// groups (all but `except`), the people and the conversations; returns
    /// the channel IDs.
    fn check_group(
        &self,
        caller: &Caller,
        name: &str,
        handle: &str,
        a: &Args<'_>,
        except: Option<usize>,
    ) -> Result<Vec<String>, String> {
        if name.trim().is_empty() {
            return fail("missing_subteam_name");
        }
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || "-_.".contains(c);
        if handle.is_empty() || !handle.chars().all(valid) {
            return fail("bad_handle");
        }
        if RESERVED_HANDLES.contains(&handle) {
            return fail("forbidden_handle");
        }
        let others = || {
            self.usergroups
                .groups
                .iter()
                .enumerate()
                .filter(move |(i, _)| Some(*i) != except)
                .map(|(_, g)| g)
        };
        if others().any(|g| {
            g["name"]
                .as_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        }) {
            return fail("name_already_exists");
        }
        if others().any(|g| g["handle"] == handle) || self.users.iter().any(|u| u.name == handle) {
            return fail("handle_already_exists");
        }
        let mut channels = Vec::new();
        for c in a.list("channels") {
            let idx = self
                .chan_idx(caller, &c)
                .map_err(|_| "invalid_channel_provided".to_string())?;
            channels.push(self.channels[idx].id.clone());
        }
        Ok(channels)
    }

    /// `usergroups.create`: a group with no members yet; `subteam_created`.
    pub(crate) fn usergroups_create(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let name = a.get("name").unwrap_or("").trim().to_string();
        let handle = match a.get("handle").filter(|h| !h.is_empty()) {
            Some(h) => h.to_string(),
            None => handle_of(&name),
        };
        let channels = self.check_group(caller, &name, &handle, a, None)?;
        self.usergroups.counter += 1;
        let now = self.clock.stamp();
        let group = json!({
            "id": format!("S{:08}", self.usergroups.counter),
            "team_id": self.team.id,
            "is_usergroup": true,
            "is_subteam": true,
            "name": name,
            "description": a.get("description").unwrap_or(""),
            "handle": handle,
            "is_external": false,
            "date_create": now,
            "date_update": now,
            "date_delete": 0,
            "auto_type": null,
            "auto_provision": false,
            "created_by": caller.user,
            "updated_by": caller.user,
            "deleted_by": null,
            "prefs": {"channels": channels, "groups": []},
            "users": [],
            "user_count": 0,
            "channel_count": channels.len(),
        });
        self.usergroups.groups.push(group.clone());
        events.push(json!({"type": "subteam_created", "subteam": group}));
        Ok(json!({"usergroup": render(&group, true, a.flag("include_count"))}))
    }

    /// `usergroups.list`: every group, with `include_users` and `include_count`.
    pub(crate) fn usergroups_list(&self, a: &Args<'_>) -> Res {
        let (users, count) = (a.flag("include_users"), a.flag("include_count"));
        let disabled = a.flag("include_disabled");
        let groups: Vec<Value> = self
            .usergroups
            .groups
            .iter()
            .filter(|g| disabled || g["date_delete"] == 0)
            .map(|g| render(g, users, count))
            .collect();
        Ok(json!({"usergroups": groups}))
    }

    /// `usergroups.update`: its `name`, `handle`, `description`, `channels`;
    /// `subteam_updated`.
    pub(crate) fn usergroups_update(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let at = self.group_at(a)?;
        let g = &self.usergroups.groups[at];
        let name = a.get("name").map_or_else(
            || g["name"].as_str().unwrap_or("").to_string(),
            |n| n.trim().to_string(),
        );
        let handle = a.get("handle").map_or_else(
            || g["handle"].as_str().unwrap_or("").to_string(),
            str::to_string,
        );
        let channels = self.check_group(caller, &name, &handle, a, Some(at))?;
        let now = self.clock.stamp();
        let g = &mut self.usergroups.groups[at];
        g["name"] = json!(name);
        g["handle"] = json!(handle);
        if let Some(d) = a.get("description") {
            g["description"] = json!(d);
        }
        if a.get("channels").is_some() {
            g["channel_count"] = json!(channels.len());
            g["prefs"]["channels"] = json!(channels);
        }
        g["date_update"] = json!(now);
        g["updated_by"] = json!(caller.user);
        let group = g.clone();
        events.push(json!({"type": "subteam_updated", "subteam": group}));
        Ok(json!({"usergroup": render(&group, true, a.flag("include_count"))}))
    }

    /// `usergroups.users.list`: the group's members.
    pub(crate) fn usergroups_users_list(&self, a: &Args<'_>) -> Res {
        let at = self.group_at(a)?;
        Ok(json!({"users": self.usergroups.groups[at]["users"]}))
    }

    /// `usergroups.users.update`: replaces the members;
    /// `subteam_members_changed` with who joined and who left.
    pub(crate) fn usergroups_users_update(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let at = self.group_at(a)?;
        let mut users = a.list("users");
        if users.is_empty() {
            return fail("no_users_provided");
        }
        if users.iter().any(|u| self.user(u).is_none()) {
            return fail("invalid_users");
        }
        let mut seen = std::collections::BTreeSet::new();
        users.retain(|u| seen.insert(u.clone()));
        let now = self.clock.stamp();
        let g = &mut self.usergroups.groups[at];
        let before: Vec<String> = g["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|u| u.as_str().map(str::to_string))
            .collect();
        let added: Vec<&String> = users.iter().filter(|u| !before.contains(u)).collect();
        let removed: Vec<&String> = before.iter().filter(|u| !users.contains(u)).collect();
        events.push(json!({
            "type": "subteam_members_changed",
            "subteam_id": g["id"],
            "team_id": self.team.id,
            "date_previous_update": g["date_update"],
            "date_update": now,
            "added_users": added,
            "added_users_count": added.len().to_string(),
            "removed_users": removed,
            "removed_users_count": removed.len().to_string(),
        }));
        g["user_count"] = json!(users.len());
        g["users"] = json!(users);
        g["date_update"] = json!(now);
        g["updated_by"] = json!(caller.user);
        Ok(json!({"usergroup": render(g, true, a.flag("include_count"))}))
    }

    /// `usergroups.disable` (`enabled: false`) and `usergroups.enable`:
    /// a disabled group keeps its members, is left out of
    /// `usergroups.list` unless `include_disabled`, and has its
    /// `date_delete` set; `subteam_updated`. Slack answers either call on
    /// a group already in that state as it is.
    pub(crate) fn usergroups_set_enabled(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        enabled: bool,
        events: &mut Vec<Value>,
    ) -> Res {
        let at = self.group_at(a)?;
        let now = self.clock.stamp();
        let g = &mut self.usergroups.groups[at];
        let disabled = g["date_delete"] != 0;
        if disabled == enabled {
            g["date_delete"] = json!(if enabled { 0 } else { now });
            g["deleted_by"] = if enabled {
                Value::Null
            } else {
                json!(caller.user)
            };
            g["date_update"] = json!(now);
            g["updated_by"] = json!(caller.user);
            events.push(json!({"type": "subteam_updated", "subteam": g.clone()}));
        }
        Ok(json!({"usergroup": render(g, true, a.flag("include_count"))}))
    }
}
