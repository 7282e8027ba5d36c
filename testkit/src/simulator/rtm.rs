//! `rtm.connect` and `rtm.start`: tickets for the RTM websocket.

use serde_json::{Value, json};

use super::{APP_ID, BOT_ID, Caller, Workspace};

impl Workspace {
    pub(crate) fn rtm_connect(&mut self, caller: &Caller, rtm_url: &str, full: bool) -> Value {
        let mut ticket = self.new_id('R');
        if self.generation > 0 {
            ticket = format!("{ticket}-{}", self.generation);
        }
        self.tickets.insert(ticket.clone(), caller.user.clone());
        let u = self.user(&caller.user);
        let mut v = json!({
            "url": format!("{rtm_url}?ticket={ticket}"),
            "self": {"id": caller.user, "name": u.map(|u| u.name.clone()).unwrap_or_default()},
            "team": {"id": self.team.id, "name": self.team.name, "domain": self.team.domain},
        });
        if full {
            let channels: Vec<Value> = self
                .channels
                .iter()
                .filter(|c| !c.is_im && self.visible(caller, c))
                .map(|c| self.chan_json(caller, c))
                .collect();
            let ims: Vec<Value> = self
                .channels
                .iter()
                .filter(|c| c.is_im && c.members.contains(&caller.user))
                .map(|c| self.chan_json(caller, c))
                .collect();
            v["users"] = Value::Array(self.users.iter().map(|u| self.user_json(u)).collect());
            v["channels"] = Value::Array(channels);
            v["ims"] = Value::Array(ims);
            v["groups"] = json!([]);
            v["bots"] =
                json!([{"id": BOT_ID, "name": "fakebot", "deleted": false, "app_id": APP_ID}]);
            v["cache_ts"] = json!(self.epoch);
        }
        v
    }
}
