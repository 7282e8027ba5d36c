//! `bots.info`: the workspace's one bot.

use serde_json::json;

use super::args::Args;
use super::{APP_ID, BOT_ID, BOT_USER, Res, Workspace, fail};

impl Workspace {
    /// `bots.info` of [`BOT_ID`]; any other bot (or none named) answers
    /// `bot_not_found`, another team `team_not_found`.
    pub(crate) fn bots_info(&self, a: &Args<'_>) -> Res {
        if a.get("team_id")
            .is_some_and(|t| !t.is_empty() && t != self.team.id)
        {
            return fail("team_not_found");
        }
        if a.get("bot") != Some(BOT_ID) {
            return fail("bot_not_found");
        }
        let icon = |px: u32| format!("https://avatars.example.com/{BOT_ID}_{px}.png");
        let name = self
            .user(BOT_USER)
            .map(|u| u.name.clone())
            .unwrap_or_default();
        Ok(json!({"bot": {
            "id": BOT_ID,
            "deleted": false,
            "name": name,
            "updated": self.epoch - 86_400,
            "app_id": APP_ID,
            "user_id": BOT_USER,
            "icons": {"image_36": icon(36), "image_48": icon(48), "image_72": icon(72)},
        }}))
    }
}
