//! `bookmarks.*`: links bookmarked in a conversation's header.

use serde_json::{Value, json};

use super::args::Args;
use super::{Caller, Res, Workspace, fail};

/// At most this many bookmarks per conversation (`too_many_bookmarks` beyond).
const MAX_BOOKMARKS: usize = 100;

/// Every conversation's bookmarks, in the order they were added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bookmarks {
    items: Vec<Value>,
    counter: u64,
}

/// `link` if it is an http(s) URL.
fn check_link(link: Option<&str>) -> Result<&str, String> {
    link.filter(|l| l.starts_with("https://") || l.starts_with("http://"))
        .filter(|l| l.len() > "https://".len())
        .ok_or_else(|| "invalid_link".to_string())
}

/// `emoji` if it looks like `:name:`.
fn check_emoji(emoji: Option<&str>) -> Result<(), String> {
    match emoji.filter(|e| !e.is_empty()) {
        Some(e) if e.len() > 2 && e.starts_with(':') && e.ends_with(':') => Ok(()),
        Some(_) => fail("invalid_emoji"),
        None => Ok(()),
    }
}

impl Workspace {
    /// The conversation `channel_id` names, for a bookmark call.
    fn bookmark_channel(&self, caller: &Caller, a: &Args<'_>) -> Result<String, String> {
        let id = a.get("channel_id").filter(|c| !c.is_empty());
        let idx = self.chan_idx(caller, id.ok_or_else(|| "channel_not_found".to_string())?)?;
        Ok(self.channels[idx].id.clone())
    }

    /// The index of bookmark `bookmark_id` of `channel`.
    fn bookmark_at(&self, channel: &str, a: &Args<'_>) -> Result<usize, String> {
        let id = a.get("bookmark_id").unwrap_or("");
        self.bookmarks
            .items
            .iter()
            .position(|b| b["id"] == id && b["channel_id"] == channel)
            .ok_or_else(|| "not_found".to_string())
    }

    /// `bookmarks.add`: a `link` bookmark (the only type Slack lets apps add).
    pub(crate) fn bookmarks_add(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.bookmark_channel(caller, a)?;
        if a.get("type") != Some("link") {
            return fail("invalid_bookmark_type");
        }
        let link = check_link(a.get("link"))?.to_string();
        check_emoji(a.get("emoji"))?;
        let count = self
            .bookmarks
            .items
            .iter()
            .filter(|b| b["channel_id"] == channel.as_str())
            .count();
        if count >= MAX_BOOKMARKS {
            return fail("too_many_bookmarks");
        }
        self.bookmarks.counter += 1;
        let bookmark = json!({
            "id": format!("Bk{:09}", self.bookmarks.counter),
            "channel_id": channel,
            "title": a.get("title").unwrap_or(""),
            "link": link,
            "emoji": a.get("emoji").unwrap_or(""),
            "icon_url": null,
            "type": "link",
            "entity_id": null,
            "date_created": self.clock.stamp(),
            "date_updated": 0,
            "rank": format!("{:04}", self.bookmarks.counter),
            "last_updated_by_user_id": caller.user,
            "last_updated_by_team_id": self.team.id,
            "shortcut_id": null,
            "app_id": null,
        });
        self.bookmarks.items.push(bookmark.clone());
        Ok(json!({"bookmark": bookmark}))
    }

    /// `bookmarks.edit`: its `title`, `link` or `emoji`.
    pub(crate) fn bookmarks_edit(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.bookmark_channel(caller, a)?;
        let at = self.bookmark_at(&channel, a)?;
        if a.get("link").is_some() {
            check_link(a.get("link"))?;
        }
        check_emoji(a.get("emoji"))?;
        let now = self.clock.stamp();
        let b = &mut self.bookmarks.items[at];
        for k in ["title", "link", "emoji"] {
            if let Some(v) = a.get(k) {
                b[k] = json!(v);
            }
        }
        b["date_updated"] = json!(now);
        b["last_updated_by_user_id"] = json!(caller.user);
        Ok(json!({"bookmark": b.clone()}))
    }

    /// `bookmarks.remove`.
    pub(crate) fn bookmarks_remove(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.bookmark_channel(caller, a)?;
        let at = self.bookmark_at(&channel, a)?;
        self.bookmarks.items.remove(at);
        Ok(json!({}))
    }

    /// `bookmarks.list`: the conversation's bookmarks, in order.
    pub(crate) fn bookmarks_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.bookmark_channel(caller, a)?;
        let items: Vec<&Value> = self
            .bookmarks
            .items
            .iter()
            .filter(|b| b["channel_id"] == channel.as_str())
            .collect();
        Ok(json!({"bookmarks": items}))
    }
}
