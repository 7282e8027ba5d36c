//! Modals and App Home views: the trigger ids that open them, each user's
//! modal stack, their App Home, and the changes an app makes to them
//! (`views.*`, and the `response_action` of its ack to a submission).
//!
//! Trigger ids are single use and valid for [`TRIGGER_LIFETIME`] of the
//! fake clock. A modal stack holds at most [`MAX_STACK`] views, bottom
//! first. Every stored view has a hash that changes on each update.

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Map, Value, json};

use crate::http::opaque;
use crate::simulator::{APP_ID, BOT_ID, TEAM_ID};

/// How long a trigger id can be exchanged, on the fake clock.
pub(crate) const TRIGGER_LIFETIME: Duration = Duration::from_secs(3);
/// The most views a modal stack holds (`push_limit_reached` beyond).
pub(crate) const MAX_STACK: usize = 3;
/// The largest view Slack takes (`view_too_large` beyond).
const MAX_VIEW_BYTES: usize = 250 * 1024;

/// Why a view change was refused: Slack's error code, and for
/// `invalid_arguments` the line `response_metadata.messages` carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) code: &'static str,
    pub(crate) message: Option<String>,
}

impl Failure {
    fn code(code: &'static str) -> Failure {
        Failure {
            code,
            message: None,
        }
    }

    pub(crate) fn invalid(message: String) -> Failure {
        Failure {
            code: "invalid_arguments",
            message: Some(message),
        }
    }

    /// The Web API body Slack answers.
    pub(crate) fn body(&self) -> Value {
        match &self.message {
            Some(m) => {
                json!({"ok": false, "error": self.code, "response_metadata": {"messages": [m]}})
            }
            None => json!({"ok": false, "error": self.code}),
        }
    }
}

/// A view change's answer: the stored view, or why not.
pub(crate) type ViewResult = Result<Value, Failure>;

#[derive(Debug, Clone)]
struct Trigger {
    user: String,
    /// When it was minted, on the fake clock (microseconds).
    issued: u64,
    used: bool,
    /// The view the interaction happened in, if any (where `views.push` pushes).
    view: Option<String>,
}

#[derive(Debug, Clone)]
struct Stored {
    /// The view as `views.*` answers it.
    json: Map<String, Value>,
    /// Whose modal or App Home it is.
    user: String,
    /// The `errors` of the last `response_action: errors` on it.
    errors: Option<Value>,
}

/// The views of the workspace and the trigger ids handed out.
#[derive(Debug, Default)]
pub(crate) struct ViewsState {
    triggers: BTreeMap<String, Trigger>,
    views: BTreeMap<String, Stored>,
    /// Each user's open modal stack, bottom first.
    stacks: BTreeMap<String, Vec<String>>,
    /// Each user's App Home view.
    homes: BTreeMap<String, String>,
    counter: u64,
}

/// Trigger ids, and reading views.
impl ViewsState {
    /// Forgets every view and trigger id.
    pub(crate) fn reset(&mut self) {
        *self = ViewsState::default();
    }

    fn next(&mut self) -> u64 {
        self.counter += 1;
        self.counter
    }

    /// A new trigger id for `user`, minted at `now` (microseconds); `view`
    /// is the view the interaction came from, if any.
    pub(crate) fn mint_trigger(&mut self, user: &str, view: Option<&str>, now: u64) -> String {
        let n = self.next();
        let id = format!(
            "{}.{}.{}",
            now / 1_000_000 + n,
            98_765 + n,
            hex(5_000 + n, 32)
        );
        self.triggers.insert(
            id.clone(),
            Trigger {
                user: user.to_string(),
                issued: now,
                used: false,
                view: view.map(str::to_string),
            },
        );
        id
    }

    /// Exchanges trigger id `id` at `now`: its user and origin view, or
    /// `invalid_trigger_id`, `exchanged_trigger_id`, `expired_trigger_id`.
    fn exchange(&mut self, id: &str, now: u64) -> Result<(String, Option<String>), Failure> {
        let t = self
            .triggers
            .get_mut(id)
            .ok_or(Failure::code("invalid_trigger_id"))?;
        if t.used {
            return Err(Failure::code("exchanged_trigger_id"));
        }
        let age = Duration::from_micros(now.saturating_sub(t.issued));
        if age > TRIGGER_LIFETIME {
            return Err(Failure::code("expired_trigger_id"));
        }
        t.used = true;
        Ok((t.user.clone(), t.view.clone()))
    }

    /// The stored view `id`, as `views.*` answers it.
    pub(crate) fn view(&self, id: &str) -> Option<Value> {
        self.views.get(id).map(|v| Value::Object(v.json.clone()))
    }

    /// `user`'s open modal stack, bottom first.
    pub(crate) fn open_views(&self, user: &str) -> Vec<Value> {
        self.stacks
            .get(user)
            .into_iter()
            .flatten()
            .filter_map(|id| self.view(id))
            .collect()
    }

    /// `user`'s App Home view.
    pub(crate) fn home_view(&self, user: &str) -> Option<Value> {
        self.homes.get(user).and_then(|id| self.view(id))
    }

    /// The `errors` the app last answered a submission of view `id` with.
    pub(crate) fn view_errors(&self, id: &str) -> Option<Value> {
        self.views.get(id).and_then(|v| v.errors.clone())
    }

    /// The view `external_id` names, if one is stored.
    fn by_external_id(&self, external_id: &str) -> Option<String> {
        self.views
            .iter()
            .find(|(_, v)| v.json.get("external_id").and_then(Value::as_str) == Some(external_id))
            .map(|(id, _)| id.clone())
    }

    /// The stack holding view `id`: its user, and the view's place in it.
    fn stack_of(&self, id: &str) -> Option<(String, usize)> {
        let user = &self.views.get(id)?.user;
        let at = self.stacks.get(user)?.iter().position(|v| v == id)?;
        Some((user.clone(), at))
    }
}

/// The `views.*` methods.
impl ViewsState {
    /// `views.open`: a new modal for the trigger's user, replacing any open one.
    pub(crate) fn open(&mut self, trigger: &str, view: &str, now: u64) -> ViewResult {
        let view = check_view(view, Kind::Modal)?;
        self.no_duplicate(&view, None)?;
        let (user, _) = self.exchange(trigger, now)?;
        self.close_stack(&user);
        let id = self.store(&user, view, None, None, now);
        self.stacks.insert(user, vec![id.clone()]);
        Ok(self.view(&id).unwrap_or_default())
    }

    /// `views.push`: onto the stack of the view the trigger came from, or
    /// of the user's open modal (`not_found` when there is none).
    pub(crate) fn push(&mut self, trigger: &str, view: &str, now: u64) -> ViewResult {
        let view = check_view(view, Kind::Modal)?;
        self.no_duplicate(&view, None)?;
        let (user, origin) = self.exchange(trigger, now)?;
        let top = match origin.and_then(|o| self.stack_of(&o)) {
            Some((owner, _)) => self.stacks.get(&owner).and_then(|s| s.last()).cloned(),
            None => self.stacks.get(&user).and_then(|s| s.last()).cloned(),
        };
        let top = top.ok_or(Failure::code("not_found"))?;
        self.push_onto(&top, view, now)
    }

    /// `views.update`: view `view_id` (or the one with `external_id`)
    /// replaced, if `hash` (when given) is its current hash.
    pub(crate) fn update(
        &mut self,
        target: Target<'_>,
        hash: Option<&str>,
        view: &str,
        now: u64,
    ) -> ViewResult {
        let id = match target {
            Target::ViewId(id) => self.views.contains_key(id).then(|| id.to_string()),
            Target::ExternalId(e) => self.by_external_id(e),
        }
        .ok_or(Failure::code("not_found"))?;
        let kind = match self.views[&id].json.get("type").and_then(Value::as_str) {
            Some("home") => Kind::Home,
            _ => Kind::Modal,
        };
        let view = check_view(view, kind)?;
        self.no_duplicate(&view, Some(&id))?;
        self.check_hash(&id, hash)?;
        self.replace(&id, view, now)
    }

    /// `views.publish`: `user`'s App Home, created or replaced.
    pub(crate) fn publish(
        &mut self,
        user: &str,
        hash: Option<&str>,
        view: &str,
        now: u64,
    ) -> ViewResult {
        let view = check_view(view, Kind::Home)?;
        let existing = self.homes.get(user).cloned();
        self.no_duplicate(&view, existing.as_deref())?;
        match existing {
            Some(id) => {
                self.check_hash(&id, hash)?;
                self.replace(&id, view, now)
            }
            None => {
                let id = self.store(user, view, None, None, now);
                self.homes.insert(user.to_string(), id.clone());
                Ok(self.view(&id).unwrap_or_default())
            }
        }
    }

    fn check_hash(&self, id: &str, hash: Option<&str>) -> Result<(), Failure> {
        let current = self.views[id].json.get("hash").and_then(Value::as_str);
        match hash {
            Some(h) if !h.is_empty() && Some(h) != current => Err(Failure::code("hash_conflict")),
            _ => Ok(()),
        }
    }

    /// `duplicate_external_id` when another stored view has `view`'s `external_id`.
    fn no_duplicate(&self, view: &Map<String, Value>, except: Option<&str>) -> Result<(), Failure> {
        let external = view.get("external_id").and_then(Value::as_str);
        match external
            .filter(|e| !e.is_empty())
            .and_then(|e| self.by_external_id(e))
        {
            Some(other) if Some(other.as_str()) != except => {
                Err(Failure::code("duplicate_external_id"))
            }
            _ => Ok(()),
        }
    }

    /// Stores a new view for `user`; returns its id.
    fn store(
        &mut self,
        user: &str,
        view: Map<String, Value>,
        root: Option<&str>,
        previous: Option<&str>,
        now: u64,
    ) -> String {
        let n = self.next();
        let id = format!("V{n:010}");
        let mut json = view;
        with_defaults(&mut json);
        json.insert("id".into(), json!(id));
        json.insert("team_id".into(), json!(TEAM_ID));
        json.insert("state".into(), json!({"values": {}}));
        json.insert("hash".into(), json!(self.hash(now)));
        json.insert("root_view_id".into(), json!(root.unwrap_or(&id)));
        json.insert("previous_view_id".into(), json!(previous));
        json.insert("app_id".into(), json!(APP_ID));
        json.insert("app_installed_team_id".into(), json!(TEAM_ID));
        json.insert("bot_id".into(), json!(BOT_ID));
        self.views.insert(
            id.clone(),
            Stored {
                json,
                user: user.to_string(),
                errors: None,
            },
        );
        id
    }

    /// A new hash: the clock's second and a counter, as Slack's look.
    fn hash(&mut self, now: u64) -> String {
        let n = self.next();
        format!("{}.{}", now / 1_000_000, hex(9_000 + n, 8))
    }

    /// View `id`'s content replaced by `view`; its id, place and lineage
    /// kept, its hash new, its state and errors cleared.
    fn replace(&mut self, id: &str, view: Map<String, Value>, now: u64) -> ViewResult {
        let hash = self.hash(now);
        let stored = self.views.get_mut(id).ok_or(Failure::code("not_found"))?;
        let mut json = view;
        for (k, v) in &stored.json {
            if LINEAGE.contains(&k.as_str()) {
                json.insert(k.clone(), v.clone());
            }
        }
        with_defaults(&mut json);
        json.insert("hash".into(), json!(hash));
        json.insert("state".into(), json!({"values": {}}));
        stored.json = json;
        stored.errors = None;
        Ok(self.view(id).unwrap_or_default())
    }

    /// Pushes `view` onto the stack whose top is `top`.
    fn push_onto(&mut self, top: &str, view: Map<String, Value>, now: u64) -> ViewResult {
        let (user, _) = self.stack_of(top).ok_or(Failure::code("not_found"))?;
        let stack_len = self.stacks.get(&user).map_or(0, Vec::len);
        if stack_len >= MAX_STACK {
            return Err(Failure::code("push_limit_reached"));
        }
        let root = self.views[top]
            .json
            .get("root_view_id")
            .and_then(Value::as_str)
            .map(str::to_string);
        let id = self.store(&user, view, root.as_deref(), Some(top), now);
        self.stacks.entry(user).or_default().push(id.clone());
        Ok(self.view(&id).unwrap_or_default())
    }

    /// Closes `user`'s whole modal stack.
    fn close_stack(&mut self, user: &str) {
        for id in self.stacks.remove(user).unwrap_or_default() {
            self.views.remove(&id);
        }
    }
}

/// What `views.update` names: a view id or the app's external id.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Target<'a> {
    ViewId(&'a str),
    ExternalId(&'a str),
}

/// Applying the `response_action` of an app's ack to the submission of
/// view `id` (the top of its stack), as Slack does. For the drivers that
/// submit modals.
impl ViewsState {
    /// `errors`: the view stays open, with `errors` (field -> message) shown.
    pub(crate) fn respond_errors(&mut self, id: &str, errors: Value) -> Result<(), Failure> {
        let v = self.views.get_mut(id).ok_or(Failure::code("not_found"))?;
        v.errors = Some(errors);
        Ok(())
    }

    /// `update`: the submitted view replaced by `view` (JSON text).
    pub(crate) fn respond_update(&mut self, id: &str, view: &str, now: u64) -> ViewResult {
        if !self.views.contains_key(id) {
            return Err(Failure::code("not_found"));
        }
        let view = check_view(view, Kind::Modal)?;
        self.no_duplicate(&view, Some(id))?;
        self.replace(id, view, now)
    }

    /// `push`: `view` (JSON text) pushed onto the submitted view's stack.
    pub(crate) fn respond_push(&mut self, id: &str, view: &str, now: u64) -> ViewResult {
        let view = check_view(view, Kind::Modal)?;
        self.no_duplicate(&view, None)?;
        let (user, _) = self.stack_of(id).ok_or(Failure::code("not_found"))?;
        let top = self.stacks[&user].last().cloned().unwrap_or_default();
        self.push_onto(&top, view, now)
    }

    /// `clear`: every view of the submitted view's stack closed.
    pub(crate) fn respond_clear(&mut self, id: &str) -> Result<(), Failure> {
        let (user, _) = self.stack_of(id).ok_or(Failure::code("not_found"))?;
        self.close_stack(&user);
        Ok(())
    }

    /// No `response_action`: the submitted view and those above it closed,
    /// showing the one below (the stack closes when it was the root).
    pub(crate) fn respond_close(&mut self, id: &str) -> Result<(), Failure> {
        let (user, at) = self.stack_of(id).ok_or(Failure::code("not_found"))?;
        let stack = self.stacks.entry(user.clone()).or_default();
        for gone in stack.split_off(at) {
            self.views.remove(&gone);
        }
        if self.stacks.get(&user).is_some_and(Vec::is_empty) {
            self.stacks.remove(&user);
        }
        Ok(())
    }
}

/// `len` lowercase hex digits that look random, from `counter`.
fn hex(counter: u64, len: usize) -> String {
    opaque(0, counter, len)
        .bytes()
        .map(|b| char::from(b"0123456789abcdef"[usize::from(b % 16)]))
        .collect()
}

/// What an update keeps of the view it replaces.
const LINEAGE: &[&str] = &[
    "id",
    "team_id",
    "root_view_id",
    "previous_view_id",
    "app_id",
    "app_installed_team_id",
    "bot_id",
];

/// The fields Slack fills in when a view leaves them out.
fn with_defaults(json: &mut Map<String, Value>) {
    let defaults = [
        ("private_metadata", json!("")),
        ("callback_id", json!("")),
        ("external_id", json!("")),
        ("title", Value::Null),
        ("submit", Value::Null),
        ("close", Value::Null),
        ("clear_on_close", json!(false)),
        ("notify_on_close", json!(false)),
        ("submit_disabled", json!(false)),
    ];
    for (k, v) in defaults {
        json.entry(k).or_insert(v);
    }
}

/// Which views a method takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Modal,
    Home,
}

/// `view` (JSON text) checked as Slack checks it for `kind`.
fn check_view(view: &str, kind: Kind) -> Result<Map<String, Value>, Failure> {
    if view.len() > MAX_VIEW_BYTES {
        return Err(Failure::code("view_too_large"));
    }
    let at = |path: &str| format!("[json-pointer:/view{path}]");
    let Ok(Value::Object(v)) = serde_json::from_str::<Value>(view) else {
        return Err(Failure::invalid(format!(
            "[ERROR] must be a JSON object {}",
            at("")
        )));
    };
    let wanted = match kind {
        Kind::Modal => "modal",
        Kind::Home => "home",
    };
    match v.get("type").and_then(Value::as_str) {
        None => {
            return Err(Failure::invalid(format!(
                "[ERROR] missing required field: type {}",
                at("")
            )));
        }
        Some(t) if t != wanted => {
            return Err(Failure::invalid(format!(
                "[ERROR] must be \"{wanted}\", not \"{t}\" {}",
                at("/type")
            )));
        }
        Some(_) => {}
    }
    if kind == Kind::Modal && !v.contains_key("title") {
        return Err(Failure::invalid(format!(
            "[ERROR] missing required field: title {}",
            at("")
        )));
    }
    for field in ["title", "submit", "close"] {
        if let Some(t) = v.get(field).filter(|t| !t.is_null()) {
            check_plain_text(t, &at(&format!("/{field}")))?;
        }
    }
    match v.get("blocks") {
        Some(Value::Array(b)) if b.len() > 100 => {
            return Err(Failure::invalid(format!(
                "[ERROR] no more than 100 items allowed {}",
                at("/blocks")
            )));
        }
        Some(Value::Array(_)) => {}
        Some(_) => {
            return Err(Failure::invalid(format!(
                "[ERROR] must be an array {}",
                at("/blocks")
            )));
        }
        None => {
            return Err(Failure::invalid(format!(
                "[ERROR] missing required field: blocks {}",
                at("")
            )));
        }
    }
    for (field, max) in [
        ("callback_id", 255),
        ("external_id", 255),
        ("private_metadata", 3000),
    ] {
        match v.get(field) {
            None | Some(Value::Null) => {}
            Some(Value::String(s)) if s.chars().count() <= max => {}
            Some(Value::String(_)) => {
                return Err(Failure::invalid(format!(
                    "[ERROR] must be no more than {max} characters {}",
                    at(&format!("/{field}"))
                )));
            }
            Some(_) => {
                return Err(Failure::invalid(format!(
                    "[ERROR] must be a string {}",
                    at(&format!("/{field}"))
                )));
            }
        }
    }
    Ok(v)
}

/// A `plain_text` object of at most 24 characters (a modal's title and buttons).
fn check_plain_text(t: &Value, at: &str) -> Result<(), Failure> {
    if t.get("type").and_then(Value::as_str) != Some("plain_text") {
        return Err(Failure::invalid(format!(
            "[ERROR] must be a plain_text object {at}"
        )));
    }
    match t.get("text").and_then(Value::as_str) {
        Some(s) if s.chars().count() <= 24 => Ok(()),
        Some(_) => Err(Failure::invalid(format!(
            "[ERROR] must be less than 25 characters {}",
            at.replace(']', "/text]")
        ))),
        None => Err(Failure::invalid(format!(
            "[ERROR] missing required field: text {at}"
        ))),
    }
}
