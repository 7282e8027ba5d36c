//! Drivers: a person runs a command, clicks a button, picks from a select,
//! submits or closes a modal, opens App Home, runs a workflow step, starts an
//! assistant thread; the app under test receives it as Slack would send it.
//!
//! Deliveries go where the app's [`Manifest`](crate::Manifest) says
//! (`app.rs`): over Socket Mode to the connected app, or as signed HTTP
//! requests to its request URLs (events as JSON, interactions as a
//! `payload` form, commands as a command form). Each driver returns when
//! the app has acknowledged, with the [`Delivery`]'s ack payload. The work
//! is [`Drive`]'s, on the shared state alone: the admin API runs it too.

use std::sync::Arc;

use serde_json::{Value, json};
use slack_api::inbound::signing::Signer;

use super::{DEFAULT_WAIT, FakeSlack, Inner, State};
use crate::app::Route;
use crate::journal::Entry;
use crate::manifest::Kind;
use crate::routing;
use crate::simulator::{APP_ID, TEAM_ID};
use crate::socket_mode::ack_of;
use crate::{SlashInvocation, SlashInvokeError};

/// What the app answered to a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    ack: Option<Value>,
}

impl Delivery {
    /// The payload of the app's acknowledgement (Socket Mode) or its JSON
    /// response (HTTP); `None` for an empty ack.
    pub fn ack(&self) -> Option<&Value> {
        self.ack.as_ref()
    }

    /// The ack's `text` (a command's immediate reply).
    pub fn text(&self) -> Option<&str> {
        self.ack.as_ref()?.get("text")?.as_str()
    }

    /// The ack's `response_action` (a view submission's answer).
    pub fn response_action(&self) -> Option<&str> {
        self.ack.as_ref()?.get("response_action")?.as_str()
    }

    /// The admin API's answer: `{"ok": true, "ack": ..}`.
    pub(crate) fn to_json(&self) -> Value {
        json!({"ok": true, "ack": self.ack})
    }
}

/// What a person clicks on: a message's button, or an element of a view.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The message `ts` in conversation `channel`.
    Message {
        /// Its conversation.
        channel: String,
        /// Its timestamp.
        ts: String,
    },
    /// The view with this ID (a modal or App Home).
    View(String),
}

impl Target {
    /// The message `ts` in `channel`.
    pub fn message(channel: impl Into<String>, ts: impl Into<String>) -> Self {
        Target::Message {
            channel: channel.into(),
            ts: ts.into(),
        }
    }

    /// The view `view_id`.
    pub fn view(view_id: impl Into<String>) -> Self {
        Target::View(view_id.into())
    }
}

/// Finds the element `action_id` in `blocks` (top level, `elements` of
/// actions/context blocks, a section's `accessory`); returns its block's
/// `block_id` and the element.
fn find_element<'a>(blocks: &'a Value, action_id: &str) -> Option<(String, &'a Value)> {
    for block in blocks.as_array()? {
        let block_id = block.get("block_id").and_then(Value::as_str).unwrap_or("");
        let mut candidates: Vec<&Value> = Vec::new();
        if let Some(a) = block.get("accessory") {
            candidates.push(a);
        }
        if let Some(e) = block.get("element") {
            candidates.push(e);
        }
        if let Some(es) = block.get("elements").and_then(Value::as_array) {
            candidates.extend(es);
        }
        if let Some(e) = candidates
            .into_iter()
            .find(|e| e.get("action_id").and_then(Value::as_str) == Some(action_id))
        {
            return Some((block_id.to_owned(), e));
        }
    }
    None
}

fn team() -> Value {
    json!({"id": TEAM_ID, "domain": "fake-team"})
}

/// What a driver could not do, as Slack (or a broken test setup) would
/// say it: `/foo is not a valid command`, `no user U_ZOE`, ...
pub(crate) type DriveError = String;

/// The drivers' work, on the shared state alone, so that the admin API
/// runs the very same code as [`FakeSlack`]'s methods.
pub(crate) struct Drive<'a>(pub(crate) &'a Arc<Inner>);

impl Drive<'_> {
    fn person(&self, user: &str) -> Result<Value, DriveError> {
        let name = self
            .0
            .lock()
            .workspace
            .user_name(user)
            .ok_or_else(|| format!("no user {user} in the workspace"))?;
        Ok(json!({"id": user, "username": name, "name": name, "team_id": TEAM_ID}))
    }

    fn route(&self, kind: Kind) -> Result<Route, DriveError> {
        self.0.lock().app.route(kind)
    }

    /// A fresh trigger id for `user` (from a view: for that view's stack).
    fn trigger(&self, user: &str, view: Option<&str>) -> String {
        let st = &mut *self.0.lock();
        let now = st.workspace.clock.now_micros();
        st.views.mint_trigger(user, view, now)
    }

    fn view(&self, view_id: &str) -> Result<Value, DriveError> {
        self.0
            .lock()
            .views
            .view(view_id)
            .ok_or_else(|| format!("no view {view_id}"))
    }

    /// A `ts` for a delivery made now.
    fn now_ts(&self) -> String {
        self.0.lock().workspace.clock.next_ts()
    }

    /// Sends an envelope over Socket Mode and waits for its ack.
    async fn envelope(&self, kind: &str, payload: Value) -> Result<Option<Value>, DriveError> {
        let id = self.0.lock().socket_mode.push(kind, payload, true);
        self.0.changed.notify_waiters();
        let ack = self
            .0
            .wait(DEFAULT_WAIT, |st| {
                st.journal.entries.iter().find_map(|e| match e {
                    Entry::Frame(f) if ack_of(f) == Some(id.as_str()) => Some(f.json.clone()),
                    _ => None,
                })
            })
            .await;
        match ack {
            Some(frame) => Ok(frame.get("payload").cloned()),
            None => Err(format!(
                "the app did not ack {kind} envelope {id} within {DEFAULT_WAIT:?} ({} Socket \
                 Mode connection(s) open)",
                self.0.lock().socket_mode.clients()
            )),
        }
    }

    /// Delivers an interaction payload (`kind`: to the interactivity or
    /// the options URL) and waits for the app's answer.
    async fn interact(&self, kind: Kind, payload: Value) -> Result<Delivery, DriveError> {
        match self.route(kind)? {
            Route::Http(url) => {
                let form: String = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("payload", &payload.to_string())
                    .finish();
                let secret = self.0.lock().app.signing_secret.expose().to_owned();
                post_signed(&url, &secret, "application/x-www-form-urlencoded", form).await
            }
            Route::SocketMode => Ok(Delivery {
                ack: self.envelope("interactive", payload).await?,
            }),
        }
    }

    /// Delivers an event as the Events API does and waits for the ack;
    /// refused when the app does not subscribe to it.
    async fn deliver_event(&self, event: Value) -> Result<Delivery, DriveError> {
        let route = self.route(Kind::Event)?;
        let before = {
            let st = &mut *self.0.lock();
            if !routing::subscribed(st.app.subscriptions(), &event, &st.workspace) {
                return Err(format!(
                    "the app's manifest does not subscribe to {} \
                     (settings.event_subscriptions.bot_events), so Slack would not deliver it",
                    event["type"].as_str().unwrap_or("")
                ));
            }
            let posts = |st: &State| {
                st.journal
                    .calls()
                    .filter(|c| c.method == crate::EVENTS_API_POST)
                    .count()
            };
            let before = posts(st);
            if st.socket_mode.deliver_event(&event).is_none() {
                return Err(format!(
                    "no app is connected over Socket Mode to take the {} event \
                     (the manifest names no Request URL)",
                    event["type"].as_str().unwrap_or("")
                ));
            }
            before
        };
        self.0.changed.notify_waiters();
        let done = match route {
            Route::Http(_) => self
                .0
                .wait(DEFAULT_WAIT, |st| {
                    (st.journal
                        .calls()
                        .filter(|c| c.method == crate::EVENTS_API_POST)
                        .count()
                        > before)
                        .then_some(())
                })
                .await
                .ok_or("the app did not answer the event"),
            Route::SocketMode => self
                .0
                .wait(DEFAULT_WAIT, |st| {
                    (st.socket_mode.pending() == 0).then_some(())
                })
                .await
                .ok_or("the app did not ack the event"),
        };
        done.map(|()| Delivery { ack: None })
            .map_err(|e| format!("{e} within {DEFAULT_WAIT:?}"))
    }

    pub(crate) async fn run_command(
        &self,
        user: &str,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Result<Delivery, DriveError> {
        let route = self.0.lock().app.command_route(command)?;
        let cannot = |e: SlashInvokeError| format!("cannot run {command}: {e}");
        match route {
            Route::Http(url) => {
                let secret = self.0.lock().app.signing_secret.expose().to_owned();
                let invocation = SlashInvocation::new(command, text, secret)
                    .user(user)
                    .channel(channel);
                let run = super::slash::invoke(self.0, &url, invocation)
                    .await
                    .map_err(cannot)?;
                Ok(Delivery { ack: run.json })
            }
            Route::SocketMode => {
                let invocation = SlashInvocation::new(command, text, "")
                    .user(user)
                    .channel(channel);
                let (fields, payload, path) = self.command_envelope(&invocation).map_err(cannot)?;
                let ack = self.envelope("slash_commands", fields).await?;
                self.apply_command_reply(&path, payload.channel_id.as_str(), ack.as_ref());
                Ok(Delivery { ack })
            }
        }
    }

    /// A `slash_commands` envelope's payload (the form's fields as strings,
    /// as Slack sends them), the command and its response URL path.
    pub(crate) fn command_envelope(
        &self,
        invocation: &SlashInvocation,
    ) -> Result<(Value, slack_api::inbound::slash::SlashCommand, String), SlashInvokeError> {
        let (payload, path) = self.0.command_payload(invocation)?;
        let fields: serde_json::Map<String, Value> =
            url::form_urlencoded::parse(payload.to_form().as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
        Ok((Value::Object(fields), payload, path))
    }

    pub(crate) async fn click(
        &self,
        user: &str,
        target: Target,
        action_id: &str,
        value: &str,
    ) -> Result<Delivery, DriveError> {
        // A click in a modal makes a trigger for that view: `views.push`
        // with it pushes onto the view's stack.
        let trigger_id = match &target {
            Target::View(id) => self.trigger(user, Some(id)),
            Target::Message { .. } => self.trigger(user, None),
        };
        let mut payload = json!({
            "type": "block_actions",
            "api_app_id": APP_ID,
            "user": self.person(user)?,
            "team": team(),
            "trigger_id": trigger_id,
        });
        let blocks = match &target {
            Target::Message { channel, ts } => {
                let message = self
                    .0
                    .lock()
                    .workspace
                    .message(channel, ts)
                    .ok_or_else(|| format!("no message {ts} in {channel}"))?;
                payload["channel"] = json!({"id": channel});
                payload["container"] =
                    json!({"type": "message", "channel_id": channel, "message_ts": ts});
                payload["response_url"] = json!(format!(
                    "{}/actions/{TEAM_ID}/{}",
                    self.0.http_url,
                    ts.replace('.', "")
                ));
                let blocks = message.get("blocks").cloned().unwrap_or(json!([]));
                payload["message"] = message;
                blocks
            }
            Target::View(id) => {
                let view = self.view(id)?;
                payload["container"] = json!({"type": "view", "view_id": id});
                let blocks = view.get("blocks").cloned().unwrap_or(json!([]));
                payload["view"] = view;
                blocks
            }
        };
        let (block_id, kind) = match find_element(&blocks, action_id) {
            Some((b, e)) => (b, e.get("type").cloned().unwrap_or(json!("button"))),
            None => (String::new(), json!("button")),
        };
        payload["actions"] = json!([{
            "type": kind, "action_id": action_id, "block_id": block_id,
            "value": value, "action_ts": self.now_ts(),
        }]);
        self.interact(Kind::Interaction, payload).await
    }

    pub(crate) async fn select_options(
        &self,
        user: &str,
        action_id: &str,
        typed: &str,
    ) -> Result<Delivery, DriveError> {
        let payload = json!({
            "type": "block_suggestion", "api_app_id": APP_ID,
            "action_id": action_id, "block_id": "", "value": typed,
            "user": self.person(user)?, "team": team(),
        });
        self.interact(Kind::Options, payload).await
    }

    pub(crate) async fn shortcut(
        &self,
        user: &str,
        callback_id: &str,
    ) -> Result<Delivery, DriveError> {
        self.0.lock().app.check_shortcut(callback_id, "global")?;
        let payload = json!({
            "type": "shortcut", "api_app_id": APP_ID, "callback_id": callback_id,
            "trigger_id": self.trigger(user, None), "user": self.person(user)?, "team": team(),
            "action_ts": self.now_ts(),
        });
        self.interact(Kind::Interaction, payload).await
    }

    pub(crate) async fn submit_view(
        &self,
        user: &str,
        view_id: &str,
        values: Value,
    ) -> Result<Delivery, DriveError> {
        let mut view = self.view(view_id)?;
        view["state"] = json!({ "values": values });
        let payload = json!({
            "type": "view_submission", "api_app_id": APP_ID,
            "user": self.person(user)?, "team": team(),
            "trigger_id": self.trigger(user, None), "view": view, "response_urls": [],
        });
        let delivery = self.interact(Kind::Interaction, payload).await?;
        self.apply_response_action(view_id, delivery.ack());
        Ok(delivery)
    }

    pub(crate) async fn close_view(
        &self,
        user: &str,
        view_id: &str,
    ) -> Result<Option<Delivery>, DriveError> {
        let view = self.view(view_id)?;
        let person = self.person(user)?;
        let clear = view.get("clear_on_close").and_then(Value::as_bool) == Some(true);
        let closed = if clear {
            json!({"response_action": "clear"})
        } else {
            json!({})
        };
        self.apply_response_action(view_id, Some(&closed));
        if view.get("notify_on_close").and_then(Value::as_bool) != Some(true) {
            return Ok(None);
        }
        let payload = json!({
            "type": "view_closed", "api_app_id": APP_ID, "is_cleared": false,
            "user": person, "team": team(), "view": view,
        });
        self.interact(Kind::Interaction, payload).await.map(Some)
    }

    pub(crate) async fn open_home(&self, user: &str) -> Result<Delivery, DriveError> {
        self.person(user)?;
        let home = self.0.lock().views.home_view(user);
        let mut event = json!({
            "type": "app_home_opened", "user": user, "channel": format!("D_{user}"),
            "tab": "home", "event_ts": self.now_ts(),
        });
        if let Some(view) = home {
            event["view"] = view;
        }
        self.deliver_event(event).await
    }

    pub(crate) async fn run_function(
        &self,
        callback_id: &str,
        inputs: Value,
    ) -> Result<Delivery, DriveError> {
        let n = {
            let st = self.0.lock();
            st.app.check_function(callback_id)?;
            st.journal.calls().count()
        };
        self.deliver_event(json!({
            "type": "function_executed",
            "function": {"id": format!("Fn{n:06}"), "callback_id": callback_id, "title": callback_id,
                         "app_id": APP_ID, "type": "app"},
            "inputs": inputs,
            "function_execution_id": format!("Fx{n:08}"),
            "workflow_execution_id": format!("Wx{n:08}"),
            "event_ts": self.now_ts(),
            "bot_access_token": format!("xwfp-{TEAM_ID}-{n}"),
        }))
        .await
    }

    pub(crate) async fn start_assistant_thread(
        &self,
        user: &str,
    ) -> Result<(Delivery, String, String), DriveError> {
        self.person(user)?;
        let channel = format!("D_{user}");
        let thread_ts = self.now_ts();
        let delivery = self
            .deliver_event(json!({
                "type": "assistant_thread_started",
                "assistant_thread": {"user_id": user, "channel_id": channel, "thread_ts": thread_ts,
                                     "context": {}},
                "event_ts": thread_ts,
            }))
            .await?;
        Ok((delivery, channel, thread_ts))
    }

    /// Applies a command's immediate reply as Slack does (an `in_channel`
    /// one is posted into the channel).
    fn apply_command_reply(&self, path: &str, channel: &str, reply: Option<&Value>) {
        let answer = crate::slash::AppAnswer {
            status: Some(200),
            body: reply.map(Value::to_string).unwrap_or_default(),
            json: reply.cloned(),
            error: None,
        };
        let st = &mut *self.0.lock();
        let (_, events) = st
            .response_urls
            .apply_answer(&mut st.workspace, path, channel, &answer);
        for e in &events {
            st.broadcast(e, None);
        }
    }

    /// Applies a view submission's answer to the stored views as Slack
    /// does; an answer Slack would refuse is reported by `problems()`.
    fn apply_response_action(&self, view_id: &str, ack: Option<&Value>) {
        let st = &mut *self.0.lock();
        let now = st.workspace.clock.now_micros();
        let action = ack
            .and_then(|a| a.get("response_action"))
            .and_then(Value::as_str);
        let field = |k: &str| ack.and_then(|a| a.get(k)).cloned().unwrap_or(Value::Null);
        let applied = match action {
            Some("errors") => st.views.respond_errors(view_id, field("errors")),
            Some("update") => st
                .views
                .respond_update(view_id, &field("view").to_string(), now)
                .map(drop),
            Some("push") => st
                .views
                .respond_push(view_id, &field("view").to_string(), now)
                .map(drop),
            Some("clear") => st.views.respond_clear(view_id),
            _ => st.views.respond_close(view_id),
        };
        if let Err(f) = applied {
            st.setup_errors.push(format!(
                "the app's response_action {} on view {view_id} was refused: {}",
                action.unwrap_or("(none)"),
                f.body()
            ));
        }
    }
}

/// The drivers' result, or the test's failure.
fn done<T>(r: Result<T, DriveError>) -> T {
    r.unwrap_or_else(|e| panic!("slack-testkit: {e}"))
}

/// Drivers: what people do, delivered to the app.
impl FakeSlack {
    fn drive(&self) -> Drive<'_> {
        Drive(&self.inner)
    }

    /// `user` runs `/command text` in `channel`. Over Socket Mode the ack's
    /// payload is the immediate reply; an `in_channel` reply is posted into
    /// the channel, as Slack does. The command's `response_url` works.
    ///
    /// # Panics
    /// When the user or channel does not exist, the user is not in it, or
    /// the app's [`Manifest`](crate::Manifest) does not declare the command
    /// (`/foo is not a valid command`, as Slack tells the person).
    pub async fn run_command(
        &self,
        user: &str,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Delivery {
        done(self.drive().run_command(user, channel, command, text).await)
    }

    /// `user` clicks the button (or picks from the select, with `value`)
    /// `action_id` in `target`. The element is looked up in the message's
    /// or view's blocks for its `block_id` and type; a message's
    /// `response_url` and a fresh `trigger_id` come with it.
    ///
    /// # Panics
    /// When the user, the message or the view does not exist.
    pub async fn click(
        &self,
        user: &str,
        target: Target,
        action_id: &str,
        value: &str,
    ) -> Delivery {
        done(self.drive().click(user, target, action_id, value).await)
    }

    /// `user` types `typed` into the external select `action_id`; the
    /// ack holds the options the app offers. With a manifest, it goes to
    /// `settings.interactivity.message_menu_options_url`.
    pub async fn select_options(&self, user: &str, action_id: &str, typed: &str) -> Delivery {
        done(self.drive().select_options(user, action_id, typed).await)
    }

    /// `user` runs the global shortcut `callback_id`.
    ///
    /// # Panics
    /// When the app's [`Manifest`](crate::Manifest) declares no global
    /// shortcut with that `callback_id`.
    pub async fn shortcut(&self, user: &str, callback_id: &str) -> Delivery {
        done(self.drive().shortcut(user, callback_id).await)
    }

    /// `user` submits the view `view_id` with `values` (`state.values`:
    /// `{block_id: {action_id: {"type": .., "value": ..}}}`). The app's
    /// `response_action` is applied to the stored views: errors kept on
    /// the view, update, push, or clear.
    ///
    /// # Panics
    /// When the view does not exist.
    pub async fn submit_view(&self, user: &str, view_id: &str, values: Value) -> Delivery {
        done(self.drive().submit_view(user, view_id, values).await)
    }

    /// `user` closes the view `view_id` (delivered when the view asked
    /// for `notify_on_close`, as Slack does; closed either way).
    pub async fn close_view(&self, user: &str, view_id: &str) -> Option<Delivery> {
        done(self.drive().close_view(user, view_id).await)
    }

    /// `user` opens the app's Home tab (`app_home_opened`).
    ///
    /// # Panics
    /// When the app's [`Manifest`](crate::Manifest) does not subscribe to
    /// `app_home_opened`, or no app is connected to take it.
    pub async fn open_home(&self, user: &str) -> Delivery {
        done(self.drive().open_home(user).await)
    }

    /// A workflow runs the app's custom step `callback_id` with `inputs`
    /// (`function_executed`, carrying a token for the step). Its
    /// `functions.completeSuccess` / `completeError` are journaled calls.
    ///
    /// # Panics
    /// When the app's [`Manifest`](crate::Manifest) declares no such
    /// function or does not subscribe to `function_executed`, or no app
    /// is connected to take it.
    pub async fn run_function(&self, callback_id: &str, inputs: Value) -> Delivery {
        done(self.drive().run_function(callback_id, inputs).await)
    }

    /// `user` opens a new assistant thread with the app in their direct
    /// conversation (`assistant_thread_started`); returns the thread's
    /// channel and `thread_ts` with the delivery.
    ///
    /// # Panics
    /// When the app's [`Manifest`](crate::Manifest) does not subscribe to
    /// `assistant_thread_started`, or no app is connected to take it.
    pub async fn start_assistant_thread(&self, user: &str) -> (Delivery, String, String) {
        done(self.drive().start_assistant_thread(user).await)
    }

    /// Sends a command over Socket Mode as a `slash_commands` envelope;
    /// returns the `envelope_id`.
    pub(crate) fn push_command(
        &self,
        invocation: &SlashInvocation,
    ) -> Result<String, SlashInvokeError> {
        let (fields, _, _) = self.drive().command_envelope(invocation)?;
        Ok(self.push_envelope("slash_commands", fields, true))
    }
}

/// POSTs a signed `body` to the app's request URL; its JSON answer is the ack.
async fn post_signed(
    url: &str,
    secret: &str,
    content_type: &str,
    body: String,
) -> Result<Delivery, DriveError> {
    let signed = Signer::new(secret).sign_now(body.as_bytes());
    let resp = reqwest::Client::new()
        .post(url)
        .header("content-type", content_type)
        .header(
            slack_api::inbound::signing::TIMESTAMP_HEADER,
            &signed.timestamp,
        )
        .header(
            slack_api::inbound::signing::SIGNATURE_HEADER,
            &signed.signature,
        )
        .body(body)
        .timeout(std::time::Duration::from_secs(3))
        .send()
        .await
        .map_err(|e| format!("the app's request URL {url} did not answer: {e}"))?;
    let text = resp.text().await.unwrap_or_default();
    Ok(Delivery {
        ack: serde_json::from_str(&text).ok(),
    })
}
