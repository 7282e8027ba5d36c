//! `team.info`: the one team of the workspace.

use serde_json::json;

use super::args::Args;
use super::{Res, Workspace, fail};

impl Workspace {
    /// `team.info`, for the workspace's team (by `team` id or `domain`);
    /// any other answers `team_not_found`.
    pub(crate) fn team_info(&self, a: &Args<'_>) -> Res {
        let other = |k: &str, ours: &str| a.get(k).is_some_and(|v| !v.is_empty() && v != ours);
        let team = &self.team;
        if other("team", &team.id) || other("domain", &team.domain) {
            return fail("team_not_found");
        }
        let icon = |px: u32| format!("https://avatars.example.com/{}_{px}.png", team.id);
        Ok(json!({"team": {
            "id": team.id,
            "name": team.name,
            "url": team.url(),
            "domain": team.domain,
            "email_domain": "example.com",
            "icon": {
                "image_default": true,
                "image_34": icon(34),
                "image_44": icon(44),
                "image_68": icon(68),
                "image_88": icon(88),
                "image_102": icon(102),
                "image_132": icon(132),
                "image_230": icon(230),
            },
            "avatar_base_url": "https://avatars.example.com/",
            "is_verified": false,
        }}))
    }
}
