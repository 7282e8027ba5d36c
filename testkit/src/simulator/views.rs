//! `views.*`: modals and App Home views, answered from the views state
//! (`crate::views`) at the fake clock's now.

use serde_json::{Value, json};

use super::Caller;
use super::args::Args;
use crate::views::{Failure, Target, ViewResult, ViewsState};

/// One `views.*` call as its handler sees it.
#[derive(Debug)]
pub(crate) struct ViewCall<'a> {
    pub(crate) caller: &'a Caller,
    pub(crate) args: Args<'a>,
    /// The fake clock, in microseconds.
    pub(crate) now: u64,
}

/// A `views.*` method; see the table in `methods.rs`. Answers the whole body.
pub(crate) type Handler = fn(&mut ViewsState, &ViewCall<'_>) -> Value;

/// `{"ok": true, "view": ...}`, or Slack's error.
fn answer(res: ViewResult) -> Value {
    match res {
        Ok(view) => json!({"ok": true, "view": view}),
        Err(f) => f.body(),
    }
}

/// The `trigger_id` (or `interactivity_pointer`) a modal is opened with.
fn trigger<'a>(c: &'a ViewCall<'_>) -> Result<&'a str, Failure> {
    c.args
        .get("trigger_id")
        .or_else(|| c.args.get("interactivity_pointer"))
        .filter(|t| !t.is_empty())
        .ok_or_else(|| Failure::invalid("[ERROR] missing required field: trigger_id".to_string()))
}

fn view<'a>(c: &'a ViewCall<'_>) -> &'a str {
    c.args.get("view").unwrap_or("")
}

fn hash<'a>(c: &'a ViewCall<'_>) -> Option<&'a str> {
    c.args.get("hash")
}

pub(crate) fn open(s: &mut ViewsState, c: &ViewCall<'_>) -> Value {
    answer(trigger(c).and_then(|t| s.open(t, view(c), c.now)))
}

pub(crate) fn push(s: &mut ViewsState, c: &ViewCall<'_>) -> Value {
    answer(trigger(c).and_then(|t| s.push(t, view(c), c.now)))
}

pub(crate) fn update(s: &mut ViewsState, c: &ViewCall<'_>) -> Value {
    let non_empty = |k| c.args.get(k).filter(|v| !v.is_empty());
    let target = match (non_empty("view_id"), non_empty("external_id")) {
        (Some(id), _) => Target::ViewId(id),
        (None, Some(e)) => Target::ExternalId(e),
        (None, None) => {
            return Failure::invalid(
                "[ERROR] missing required field: view_id or external_id".to_string(),
            )
            .body();
        }
    };
    answer(s.update(target, hash(c), view(c), c.now))
}

pub(crate) fn publish(s: &mut ViewsState, c: &ViewCall<'_>) -> Value {
    let user = c.args.get("user_id").unwrap_or(&c.caller.user);
    answer(s.publish(user, hash(c), view(c), c.now))
}
