//! `api.test` and `auth.test`.

use serde_json::{Map, Value, json};

use super::args::Args;
use super::{BOT_ID, BOT_USER, Caller, Res, Workspace};

impl Workspace {
    pub(crate) fn api_test(&self, a: &Args<'_>) -> Res {
        if let Some(code) = a.get("error") {
            return Err(code.to_string());
        }
        let args: Map<String, Value> = a.0.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        Ok(json!({ "args": args }))
    }

    pub(crate) fn auth_test(&self, caller: &Caller) -> Value {
        let u = self.user(&caller.user);
        let mut v = json!({
            "url": self.team.url(),
            "team": self.team.name,
            "user": u.map(|u| u.name.clone()).unwrap_or_default(),
            "team_id": self.team.id,
            "user_id": caller.user,
            "is_enterprise_install": false,
        });
        if caller.user == BOT_USER {
            v["bot_id"] = json!(BOT_ID);
        }
        v
    }
}
