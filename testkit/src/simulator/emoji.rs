//! `emoji.list`: the workspace's custom emoji, seeded.

use serde_json::{Map, Value, json};

use super::args::Args;
use super::{Res, Workspace};

/// The custom emoji every fake has: name, then image URL or `alias:` target.
const EMOJI: &[(&str, &str)] = &[
    ("fake-party", "https://emoji.example.com/fake-party.gif"),
    ("shipit", "alias:squirrel"),
    ("squirrel", "https://emoji.example.com/squirrel.png"),
    ("testkit", "https://emoji.example.com/testkit.png"),
];

impl Workspace {
    /// `emoji.list`; with `include_categories`, Slack's standard categories too.
    pub(crate) fn emoji_list(&self, a: &Args<'_>) -> Res {
        let emoji: Map<String, Value> = EMOJI
            .iter()
            .map(|(name, url)| (name.to_string(), json!(url)))
            .collect();
        let mut body = json!({"emoji": emoji, "cache_ts": format!("{}.000000", self.epoch)});
        if a.flag("include_categories") {
            body["categories_version"] = json!("5");
            body["categories"] = json!([
                {"name": "smileys_and_people", "emoji_names": ["grinning", "smile", "wave"]},
                {"name": "animals_and_nature", "emoji_names": ["squirrel", "dog"]},
                {"name": "objects", "emoji_names": ["rocket", "tada"]},
            ]);
        }
        Ok(body)
    }
}
