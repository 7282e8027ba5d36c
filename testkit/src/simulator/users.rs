//! `users.*`: the people of the workspace and their presence.

use serde_json::{Value, json};

use super::args::{Args, paginate};
use super::{Caller, Res, Workspace, fail};

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
