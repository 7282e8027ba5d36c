//! Drivers: a person runs a command, clicks a button, picks from a select,
//! submits or closes a modal, opens App Home, runs a workflow step, starts an
//! assistant thread; the app under test receives it as Slack would send it.
//!
//! Deliveries go over Socket Mode to the connected app, or, once
//! [`FakeSlack::set_events_api_url`] named the app's Request URL, as signed
//! HTTP requests to that URL (events as JSON, interactions as a `payload`
//! form, commands as a command form). Each driver returns when the app has
//! acknowledged, with the [`Delivery`]'s ack payload.

use serde_json::{Value, json};
use slack_api::signing::Signer;

use super::FakeSlack;
use crate::SlashInvocation;
use crate::app::RequestUrl;
use crate::simulator::{APP_ID, TEAM_ID};

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

fn person(slack: &FakeSlack, user: &str) -> Value {
    let name = slack
        .inner
        .lock()
        .workspace
        .user_name(user)
        .unwrap_or_else(|| panic!("slack-testkit: no user {user} in the workspace"));
    json!({"id": user, "username": name, "name": name, "team_id": TEAM_ID})
}

fn team() -> Value {
    json!({"id": TEAM_ID, "domain": "fake-team"})
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

/// Drivers: what people do, delivered to the app.
impl FakeSlack {
    fn request_url(&self) -> Option<RequestUrl> {
        self.inner.lock().app.request_url.clone()
    }

    /// Delivers an interaction payload and waits for the app's answer.
    async fn interact(&self, payload: Value) -> Delivery {
        match self.request_url() {
            Some(app) => {
                let form: String = url::form_urlencoded::Serializer::new(String::new())
                    .append_pair("payload", &payload.to_string())
                    .finish();
                post_signed(&app, "application/x-www-form-urlencoded", form).await
            }
            None => {
                let id = self.push_envelope("interactive", payload, true);
                let ack = self.wait_for_ack(&id).await;
                Delivery {
                    ack: ack.get("payload").cloned(),
                }
            }
        }
    }

    /// Delivers an event as the Events API does and waits for the ack.
    async fn deliver_event(&self, event: Value) -> Delivery {
        let over_http = self.request_url().is_some();
        let before = self.calls_to(crate::EVENTS_API_POST).len();
        self.inner.lock().socket_mode.deliver_event(&event);
        self.inner.changed.notify_waiters();
        if over_http {
            self.wait(crate::DEFAULT_WAIT, |st| {
                (st.journal
                    .calls()
                    .filter(|c| c.method == crate::EVENTS_API_POST)
                    .count()
                    > before)
                    .then_some(())
            })
            .await
            .unwrap_or_else(|| panic!("slack-testkit: the app did not answer the event"));
        } else {
            self.wait_for_all_acks().await;
        }
        Delivery { ack: None }
    }

    /// `user` runs `/command text` in `channel`. Over Socket Mode the ack's
    /// payload is the immediate reply; an `in_channel` reply is posted into
    /// the channel, as Slack does. The command's `response_url` works.
    ///
    /// # Panics
    /// When the user or channel does not exist or the user is not in it.
    pub async fn run_command(
        &self,
        user: &str,
        channel: &str,
        command: &str,
        text: &str,
    ) -> Delivery {
        let invocation = |secret: &str| {
            SlashInvocation::new(command, text, secret)
                .user(user)
                .channel(channel)
        };
        if let Some(app) = self.request_url() {
            let run = self
                .invoke_slash_command(&app.url, invocation(&app.signing_secret))
                .await
                .unwrap_or_else(|e| panic!("slack-testkit: cannot run {command}: {e}"));
            return Delivery { ack: run.json };
        }
        let (id, payload, path) = self
            .push_command(&invocation(""))
            .unwrap_or_else(|e| panic!("slack-testkit: cannot run {command}: {e}"));
        let ack = self.wait_for_ack(&id).await.get("payload").cloned();
        self.apply_command_reply(&path, payload.channel_id.as_str(), ack.as_ref());
        Delivery { ack }
    }

    /// Sends a command over Socket Mode as a `slash_commands` envelope (the
    /// form's fields as strings, as Slack sends them); returns the
    /// `envelope_id`, the payload and its response URL path.
    pub(crate) fn push_command(
        &self,
        invocation: &SlashInvocation,
    ) -> Result<(String, slack_api::slash::SlashCommand, String), crate::SlashInvokeError> {
        let (payload, path) = self.command_payload(invocation)?;
        let fields: serde_json::Map<String, Value> =
            url::form_urlencoded::parse(payload.to_form().as_bytes())
                .map(|(k, v)| (k.into_owned(), Value::String(v.into_owned())))
                .collect();
        let id = self.push_envelope("slash_commands", Value::Object(fields), true);
        Ok((id, payload, path))
    }

    /// `user` clicks the button (or picks from the select, with `value`)
    /// `action_id` in `target`. The element is looked up in the message's
    /// or view's blocks for its `block_id` and type; a message's
    /// `response_url` and a fresh `trigger_id` come with it.
    ///
    /// # Panics
    /// When the message or view does not exist.
    pub async fn click(
        &self,
        user: &str,
        target: Target,
        action_id: &str,
        value: &str,
    ) -> Delivery {
        // A click in a modal makes a trigger for that view: `views.push`
        // with it pushes onto the view's stack.
        let trigger_id = match &target {
            Target::View(id) => {
                let st = &mut *self.inner.lock();
                let now = st.workspace.clock.now_micros();
                st.views.mint_trigger(user, Some(id), now)
            }
            Target::Message { .. } => self.trigger_id(user),
        };
        let mut payload = json!({
            "type": "block_actions",
            "api_app_id": APP_ID,
            "user": person(self, user),
            "team": team(),
            "trigger_id": trigger_id,
        });
        let blocks = match &target {
            Target::Message { channel, ts } => {
                let message = self
                    .inner
                    .lock()
                    .workspace
                    .message(channel, ts)
                    .unwrap_or_else(|| panic!("slack-testkit: no message {ts} in {channel}"));
                payload["channel"] = json!({"id": channel});
                payload["container"] =
                    json!({"type": "message", "channel_id": channel, "message_ts": ts});
                payload["response_url"] = json!(format!(
                    "{}/actions/{TEAM_ID}/{}",
                    self.uri(),
                    ts.replace('.', "")
                ));
                let blocks = message.get("blocks").cloned().unwrap_or(json!([]));
                payload["message"] = message;
                blocks
            }
            Target::View(id) => {
                let view = self
                    .view(id)
                    .unwrap_or_else(|| panic!("slack-testkit: no view {id}"));
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
        self.interact(payload).await
    }

    /// `user` types `typed` into the external select `action_id`; the
    /// ack holds the options the app offers.
    pub async fn select_options(&self, user: &str, action_id: &str, typed: &str) -> Delivery {
        self.interact(json!({
            "type": "block_suggestion", "api_app_id": APP_ID,
            "action_id": action_id, "block_id": "", "value": typed,
            "user": person(self, user), "team": team(),
        }))
        .await
    }

    /// `user` runs the global shortcut `callback_id`.
    pub async fn shortcut(&self, user: &str, callback_id: &str) -> Delivery {
        let trigger_id = self.trigger_id(user);
        self.interact(json!({
            "type": "shortcut", "api_app_id": APP_ID, "callback_id": callback_id,
            "trigger_id": trigger_id, "user": person(self, user), "team": team(),
            "action_ts": self.now_ts(),
        }))
        .await
    }

    /// `user` submits the view `view_id` with `values` (`state.values`:
    /// `{block_id: {action_id: {"type": .., "value": ..}}}`). The app's
    /// `response_action` is applied to the stored views: errors kept on
    /// the view, update, push, or clear.
    ///
    /// # Panics
    /// When the view does not exist.
    pub async fn submit_view(&self, user: &str, view_id: &str, values: Value) -> Delivery {
        let mut view = self
            .view(view_id)
            .unwrap_or_else(|| panic!("slack-testkit: no view {view_id}"));
        view["state"] = json!({ "values": values });
        let trigger_id = self.trigger_id(user);
        let delivery = self
            .interact(json!({
                "type": "view_submission", "api_app_id": APP_ID,
                "user": person(self, user), "team": team(),
                "trigger_id": trigger_id, "view": view, "response_urls": [],
            }))
            .await;
        self.apply_response_action(view_id, delivery.ack());
        delivery
    }

    /// `user` closes the view `view_id` (delivered when the view asked
    /// for `notify_on_close`, as Slack does; closed either way).
    pub async fn close_view(&self, user: &str, view_id: &str) -> Option<Delivery> {
        let view = self
            .view(view_id)
            .unwrap_or_else(|| panic!("slack-testkit: no view {view_id}"));
        let clear = view.get("clear_on_close").and_then(Value::as_bool) == Some(true);
        let closed = if clear {
            json!({"response_action": "clear"})
        } else {
            json!({})
        };
        self.apply_response_action(view_id, Some(&closed));
        if view.get("notify_on_close").and_then(Value::as_bool) != Some(true) {
            return None;
        }
        Some(
            self.interact(json!({
                "type": "view_closed", "api_app_id": APP_ID, "is_cleared": false,
                "user": person(self, user), "team": team(), "view": view,
            }))
            .await,
        )
    }

    /// `user` opens the app's Home tab (`app_home_opened`).
    pub async fn open_home(&self, user: &str) -> Delivery {
        let home = self.home_view(user);
        let mut event = json!({
            "type": "app_home_opened", "user": user, "channel": format!("D_{user}"),
            "tab": "home", "event_ts": self.now_ts(),
        });
        if let Some(view) = home {
            event["view"] = view;
        }
        self.deliver_event(event).await
    }

    /// A workflow runs the app's custom step `callback_id` with `inputs`
    /// (`function_executed`, carrying a token for the step). Its
    /// `functions.completeSuccess` / `completeError` are journaled calls.
    pub async fn run_function(&self, callback_id: &str, inputs: Value) -> Delivery {
        let n = self.calls().len();
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

    /// `user` opens a new assistant thread with the app in their direct
    /// conversation (`assistant_thread_started`); returns the thread's
    /// channel and `thread_ts` with the delivery.
    pub async fn start_assistant_thread(&self, user: &str) -> (Delivery, String, String) {
        let channel = format!("D_{user}");
        let thread_ts = self.now_ts();
        let delivery = self
            .deliver_event(json!({
                "type": "assistant_thread_started",
                "assistant_thread": {"user_id": user, "channel_id": channel, "thread_ts": thread_ts,
                                     "context": {}},
                "event_ts": thread_ts,
            }))
            .await;
        (delivery, channel, thread_ts)
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
        let st = &mut *self.inner.lock();
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
        let st = &mut *self.inner.lock();
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

    /// A `ts` for a delivery made now.
    fn now_ts(&self) -> String {
        self.inner.lock().workspace.clock.next_ts()
    }
}

/// POSTs a signed `body` to the app's Request URL; its JSON answer is the ack.
async fn post_signed(app: &RequestUrl, content_type: &str, body: String) -> Delivery {
    let signed = Signer::new(&app.signing_secret).sign_now(body.as_bytes());
    let resp = reqwest::Client::new()
        .post(&app.url)
        .header("content-type", content_type)
        .header(slack_api::signing::TIMESTAMP_HEADER, &signed.timestamp)
        .header(slack_api::signing::SIGNATURE_HEADER, &signed.signature)
        .body(body)
        .timeout(std::time::Duration::from_secs(3))
        .send()
        .await
        .unwrap_or_else(|e| panic!("slack-testkit: the app's Request URL did not answer: {e}"));
    let text = resp.text().await.unwrap_or_default();
    Delivery {
        ack: serde_json::from_str(&text).ok(),
    }
}
