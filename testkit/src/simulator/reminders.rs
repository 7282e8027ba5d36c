//! `reminders.*`: reminders for a person, at a time on the fake clock.

use serde_json::{Value, json};

use super::args::Args;
use super::{Caller, Res, Workspace, fail};

/// The furthest ahead a reminder may be set: five years.
const MAX_AHEAD: u64 = 5 * 365 * 86_400;

/// Every reminder, in the order they were added.
#[derive(Debug, Clone, Default)]
pub(crate) struct Reminders {
    items: Vec<Value>,
    counter: u64,
}

/// When a reminder set at `now` with `time` goes off, as Slack reads it:
/// seconds from now (up to a day), a Unix time (up to five years ahead),
/// or `in N seconds|minutes|hours|days|weeks`.
fn when(time: &str, now: u64) -> Option<u64> {
    let time = time.trim();
    if let Ok(n) = time.parse::<u64>() {
        return match n {
            0..=86_400 => Some(now + n),
            t if t >= now && t <= now + MAX_AHEAD => Some(t),
            _ => None,
        };
    }
    let rest = time.strip_prefix("in ")?;
    let (n, unit) = rest.trim().split_once(' ')?;
    let n: u64 = match n {
        "a" | "an" | "one" => 1,
        n => n.parse().ok()?,
    };
    let unit = match unit.trim().trim_end_matches('s') {
        "second" | "sec" => 1,
        "minute" | "min" => 60,
        "hour" => 3_600,
        "day" => 86_400,
        "week" => 7 * 86_400,
        _ => return None,
    };
    Some(now + n.checked_mul(unit).filter(|d| *d <= MAX_AHEAD)?)
}

/// Whether the caller made the reminder or is reminded by it.
fn is_theirs(reminder: &Value, caller: &Caller) -> bool {
    reminder["creator"] == caller.user.as_str() || reminder["user"] == caller.user.as_str()
}

impl Workspace {
    /// `reminders.add`: for `user` (default the caller), at `time`.
    pub(crate) fn reminders_add(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let text = a.get("text").unwrap_or("").trim();
        let user = a
            .get("user")
            .filter(|u| !u.is_empty())
            .unwrap_or(&caller.user);
        let target = self
            .user(user)
            .ok_or_else(|| "user_not_found".to_string())?;
        if target.is_bot {
            return fail("cannot_add_bot");
        }
        let recurring = a.get("recurrence").is_some_and(|r| !r.is_empty());
        if recurring && user != caller.user {
            return fail("cannot_add_others_recurring");
        }
        let now = self.clock.now_secs();
        let time = a
            .get("time")
            .and_then(|t| when(t, now))
            .ok_or_else(|| "cannot_parse".to_string())?;
        if text.is_empty() {
            return fail("cannot_parse");
        }
        self.reminders.counter += 1;
        let reminder = json!({
            "id": format!("Rm{:08}", self.reminders.counter),
            "creator": caller.user,
            "user": user,
            "text": text,
            "recurring": recurring,
            "time": time,
            "complete_ts": 0,
        });
        self.reminders.items.push(reminder.clone());
        Ok(json!({"reminder": reminder}))
    }

    /// `reminders.list`: the reminders the caller made or is reminded by.
    pub(crate) fn reminders_list(&self, caller: &Caller) -> Res {
        let mine: Vec<&Value> = self
            .reminders
            .items
            .iter()
            .filter(|r| is_theirs(r, caller))
            .collect();
        Ok(json!({"reminders": mine}))
    }

    /// `reminders.delete`: one of the caller's.
    pub(crate) fn reminders_delete(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let at = self.reminder_at(caller, a)?;
        self.reminders.items.remove(at);
        Ok(json!({}))
    }

    /// The index of the caller's reminder the `reminder` argument names
    /// (one they made or are reminded by).
    fn reminder_at(&self, caller: &Caller, a: &Args<'_>) -> Result<usize, String> {
        let id = a.get("reminder").unwrap_or("");
        self.reminders
            .items
            .iter()
            .position(|r| r["id"] == id && is_theirs(r, caller))
            .ok_or_else(|| "not_found".to_string())
    }

    /// `reminders.info`: one of the caller's.
    pub(crate) fn reminders_info(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let at = self.reminder_at(caller, a)?;
        Ok(json!({"reminder": self.reminders.items[at]}))
    }

    /// `reminders.complete`: marks one the caller is reminded by as done
    /// now (`complete_ts`); recurring ones cannot be.
    pub(crate) fn reminders_complete(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let at = self.reminder_at(caller, a)?;
        let now = self.clock.now_secs();
        let r = &mut self.reminders.items[at];
        if r["user"] != caller.user.as_str() {
            return fail("cannot_complete_others");
        }
        if r["recurring"] == true {
            return fail("cannot_complete_recurring");
        }
        r["complete_ts"] = json!(now);
        Ok(json!({}))
    }
}
