//! `users.*`: the people of the workspace, their profiles and presence.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::args::{Args, paginate};
use super::{Caller, Res, Workspace, fail};

/// The profile fields `users.profile.set` may change.
const EDITABLE: &[&str] = &[
    "display_name",
    "email",
    "fields",
    "first_name",
    "last_name",
    "phone",
    "pronouns",
    "real_name",
    "skype",
    "start_date",
    "status_emoji",
    "status_expiration",
    "status_text",
    "title",
];

/// What `users.profile.set` changed in each person's profile, by user ID;
/// every answer that shows a profile shows these.
#[derive(Debug, Clone, Default)]
pub(crate) struct Profiles(BTreeMap<String, Map<String, Value>>);

impl Profiles {
    /// The fields set for `user`, applied over their seeded profile.
    pub(crate) fn apply(&self, user: &str, profile: &mut Value) {
        for (k, v) in self.0.get(user).into_iter().flatten() {
            profile[k] = v.clone();
        }
    }
}

/// The changes a `users.profile.set` call asks for: `profile` (a JSON
/// object), or one `name` with its `value`.
fn changes(a: &Args<'_>) -> Result<Map<String, Value>, String> {
    let mut changes = match (a.get("profile"), a.get("name")) {
        (Some(p), _) => match serde_json::from_str::<Value>(p) {
            Ok(Value::Object(m)) => m,
            _ => return fail("invalid_profile"),
        },
        (None, Some(name)) => {
            let mut m = Map::new();
            m.insert(name.into(), json!(a.get("value").unwrap_or("")));
            m
        }
        (None, None) => return fail("invalid_profile"),
    };
    changes.retain(|k, _| EDITABLE.contains(&k.as_str()));
    for (k, v) in &changes {
        let text = v.as_str().unwrap_or("");
        if matches!(k.as_str(), "display_name" | "real_name") && text.starts_with('@') {
            return fail("invalid_starts_with_at");
        }
        if k == "status_text" && text.chars().count() > 100 {
            return fail("too_long");
        }
        if k == "status_emoji"
            && !text.is_empty()
            && !(text.len() > 2 && text.starts_with(':') && text.ends_with(':'))
        {
            return fail("invalid_emoji_not_allowed");
        }
    }
    // Slack keeps the normalized names in step, and a real name from the parts.
    for k in ["display_name", "real_name"] {
        if let Some(v) = changes.get(k).cloned() {
            changes.insert(format!("{k}_normalized"), v);
        }
    }
    Ok(changes)
}

impl Workspace {
    pub(crate) fn users_info(&self, a: &Args<'_>) -> Res {
        let id = a.req("user", "user_not_found")?;
        let u = self.user(id).ok_or_else(|| "user_not_found".to_string())?;
        Ok(json!({"user": self.user_json(u)}))
    }

    /// `users.conversations`: what `user` (default the caller) is a member
    /// of, of the conversations the caller can see.
    pub(crate) fn users_conversations(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let user = a
            .get("user")
            .filter(|u| !u.is_empty())
            .unwrap_or(&caller.user);
        if self.user(user).is_none() {
            return fail("user_not_found");
        }
        self.list_conversations(caller, a, Some(user))
    }

    pub(crate) fn users_list(&self, a: &Args<'_>) -> Res {
        let items = self.users.iter().map(|u| self.user_json(u)).collect();
        let (page, next) = paginate(items, a, 0, self.page_size)?;
        Ok(
            json!({"members": page, "cache_ts": self.epoch, "response_metadata": {"next_cursor": next}}),
        )
    }

    pub(crate) fn users_by_email(&self, a: &Args<'_>) -> Res {
        let email = a.req("email", "users_not_found")?;
        let u = self
            .users
            .iter()
            .find(|u| !u.email.is_empty() && u.email.eq_ignore_ascii_case(email))
            .ok_or_else(|| "users_not_found".to_string())?;
        Ok(json!({"user": self.user_json(u)}))
    }

    pub(crate) fn users_profile(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let id = a.get("user").unwrap_or(&caller.user);
        let u = self.user(id).ok_or_else(|| "user_not_found".to_string())?;
        Ok(json!({"profile": self.user_json(u)["profile"]}))
    }

    /// `users.profile.set`: the caller's profile, or (for an admin) anyone's
    /// but another admin's; `user_change` team-wide.
    pub(crate) fn users_profile_set(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let id = a
            .get("user")
            .filter(|u| !u.is_empty())
            .unwrap_or(&caller.user)
            .to_string();
        let target = self.user(&id).ok_or_else(|| "user_not_found".to_string())?;
        if id != caller.user {
            let admin = self.user(&caller.user).is_some_and(|u| u.is_admin);
            if !admin {
                return fail("not_admin");
            }
            if target.is_admin {
                return fail("cannot_update_admin_user");
            }
        }
        let mut changes = changes(a)?;
        if let Some(email) = changes.get("email").and_then(Value::as_str) {
            if self
                .users
                .iter()
                .any(|u| u.id != id && u.email.eq_ignore_ascii_case(email))
            {
                return fail("email_taken");
            }
            let email = email.to_string();
            if let Some(u) = self.users.iter_mut().find(|u| u.id == id) {
                u.email = email;
            }
            changes.remove("email");
        }
        let set = self.profiles.0.entry(id.clone()).or_default();
        set.append(&mut changes);
        let parts = ["first_name", "last_name"].map(|k| set.get(k).and_then(Value::as_str));
        if !set.contains_key("real_name") && parts.iter().any(Option::is_some) {
            let real = parts
                .iter()
                .flatten()
                .copied()
                .collect::<Vec<_>>()
                .join(" ");
            set.insert("real_name".into(), json!(real));
            set.insert("real_name_normalized".into(), json!(real));
        }
        let u = self.user(&id).expect("checked above");
        let user = self.user_json(u);
        events.push(json!({"type": "user_change", "user": user}));
        Ok(json!({"profile": user["profile"], "username": user["name"]}))
    }

    pub(crate) fn users_presence(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let id = a.get("user").unwrap_or(&caller.user);
        let u = self.user(id).ok_or_else(|| "user_not_found".to_string())?;
        let active = u.presence == "active";
        let mut v = json!({"presence": u.presence});
        if id == caller.user {
            v["online"] = json!(active);
            v["auto_away"] = json!(false);
            v["manual_away"] = json!(!active);
            v["connection_count"] = json!(1);
        }
        Ok(v)
    }

    pub(crate) fn users_set_presence(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let presence = match a.req("presence", "invalid_presence")? {
            "auto" => "active",
            "away" => "away",
            _ => return fail("invalid_presence"),
        };
        if let Some(u) = self.users.iter_mut().find(|u| u.id == caller.user) {
            u.presence = presence.into();
        }
        events.push(json!({"type": "presence_change", "user": caller.user, "presence": presence}));
        Ok(json!({}))
    }
}
