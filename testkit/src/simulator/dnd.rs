//! `dnd.info`: everyone keeps Slack's default Do Not Disturb schedule,
//! 22:00 to 08:00 in their time zone (the fake's people are all on UTC+0),
//! counted from the fake clock.

use serde_json::json;

use super::args::Args;
use super::{Caller, Res, Workspace};

const DAY: u64 = 86_400;
/// When the nightly Do Not Disturb starts and ends, in seconds after midnight.
const DND_START: u64 = 22 * 3_600;
const DND_END: u64 = 8 * 3_600;

/// The next start and end of the nightly schedule after `now`; during it,
/// the start is tonight's (already past) and the end tomorrow morning's.
fn schedule(now: u64) -> (u64, u64) {
    let midnight = now - now % DAY;
    let into = now % DAY;
    if into < DND_END {
        // Still last night's: it began yesterday at 22:00.
        (midnight - DAY + DND_START, midnight + DND_END)
    } else {
        (midnight + DND_START, midnight + DAY + DND_END)
    }
}

impl Workspace {
    /// `dnd.info`: `user` (default the caller)'s schedule; no snooze.
    pub(crate) fn dnd_info(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let user = a
            .get("user")
            .filter(|u| !u.is_empty())
            .unwrap_or(&caller.user);
        if self.user(user).is_none() {
            return Err("user_not_found".into());
        }
        let (start, end) = schedule(self.clock.now_secs());
        let mut body = json!({
            "dnd_enabled": true,
            "next_dnd_start_ts": start,
            "next_dnd_end_ts": end,
        });
        // Only the caller's own answer says whether they snoozed.
        if user == caller.user {
            body["snooze_enabled"] = json!(false);
        }
        Ok(body)
    }
}
