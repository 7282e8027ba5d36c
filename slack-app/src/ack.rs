//! Acknowledgements: what goes back to Slack within its 3-second deadline.
//!
//! Over Socket Mode an ack is a frame naming the envelope; over HTTP it is
//! the response to Slack's request. Either way it goes out once: the first
//! of the handler's explicit [`Context::ack`](crate::Context::ack), the
//! handler returning, or the app's deadline.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Mutex;

use serde::Serialize;
use serde_json::{Value, json};
use slack_api::inbound::slash::SlashResponse;

/// The body of an acknowledgement. Empty by default; built from a
/// [`SlashResponse`] (a command's immediate reply), a [`ViewResponse`] (a
/// view submission's `response_action`), an [`OptionsResponse`] (an
/// external select's options), a string (a command's plain-text reply), or
/// raw JSON for anything else.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AckBody(Option<Value>);

impl AckBody {
    /// An ack with no payload.
    pub fn empty() -> Self {
        AckBody(None)
    }

    /// The JSON sent with the ack, if any.
    pub fn json(&self) -> Option<&Value> {
        self.0.as_ref()
    }

    pub(crate) fn into_json(self) -> Option<Value> {
        self.0
    }
}

impl From<Value> for AckBody {
    fn from(v: Value) -> Self {
        AckBody(Some(v))
    }
}

impl From<SlashResponse> for AckBody {
    fn from(r: SlashResponse) -> Self {
        // `to_json` writes a JSON object; it always parses back.
        AckBody(serde_json::from_slice(&r.to_json()).ok())
    }
}

impl From<&str> for AckBody {
    /// A command's reply, visible only to the person who ran it.
    fn from(text: &str) -> Self {
        SlashResponse::ephemeral(text).into()
    }
}

impl From<String> for AckBody {
    /// A command's reply, visible only to the person who ran it.
    fn from(text: String) -> Self {
        SlashResponse::ephemeral(text).into()
    }
}

/// A view submission's answer: keep the modal open with errors, replace it,
/// push another on top, or close the whole stack.
#[derive(Debug, Clone, PartialEq)]
pub enum ViewResponse {
    /// Show `message` under each input block named by its `block_id`.
    Errors(BTreeMap<String, String>),
    /// Replace the submitted view with this one.
    Update(Value),
    /// Push this view on top of the stack.
    Push(Value),
    /// Close every view of the stack.
    Clear,
}

impl ViewResponse {
    /// Errors under input blocks: `[(block_id, message)]`.
    pub fn errors<B: Into<String>, M: Into<String>>(
        errors: impl IntoIterator<Item = (B, M)>,
    ) -> Self {
        ViewResponse::Errors(
            errors
                .into_iter()
                .map(|(b, m)| (b.into(), m.into()))
                .collect(),
        )
    }

    /// Replaces the submitted view (any serializable view, e.g. JSON).
    pub fn update(view: impl Serialize) -> Self {
        ViewResponse::Update(to_value(view))
    }

    /// Pushes a view on top of the stack.
    pub fn push(view: impl Serialize) -> Self {
        ViewResponse::Push(to_value(view))
    }
}

fn to_value(v: impl Serialize) -> Value {
    // A view that cannot be JSON (a map with non-string keys) becomes null,
    // which Slack answers with an error the handler's log will show.
    serde_json::to_value(v).unwrap_or(Value::Null)
}

impl From<ViewResponse> for AckBody {
    fn from(r: ViewResponse) -> Self {
        AckBody(Some(match r {
            ViewResponse::Errors(errors) => json!({"response_action": "errors", "errors": errors}),
            ViewResponse::Update(view) => json!({"response_action": "update", "view": view}),
            ViewResponse::Push(view) => json!({"response_action": "push", "view": view}),
            ViewResponse::Clear => json!({"response_action": "clear"}),
        }))
    }
}

/// The options an external select shows while someone types.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct OptionsResponse {
    options: Vec<Value>,
    groups: Vec<Value>,
}

impl OptionsResponse {
    /// No options yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an option shown as `text` whose value is `value`.
    pub fn option(mut self, text: impl Into<String>, value: impl Into<String>) -> Self {
        self.options.push(option_json(text.into(), value.into()));
        self
    }

    /// Adds a group of options under `label`: `[(text, value)]`.
    pub fn group<T: Into<String>, V: Into<String>>(
        mut self,
        label: impl Into<String>,
        options: impl IntoIterator<Item = (T, V)>,
    ) -> Self {
        let options: Vec<Value> = options
            .into_iter()
            .map(|(t, v)| option_json(t.into(), v.into()))
            .collect();
        self.groups.push(json!({
            "label": {"type": "plain_text", "text": label.into()},
            "options": options,
        }));
        self
    }
}

fn option_json(text: String, value: String) -> Value {
    json!({"text": {"type": "plain_text", "text": text}, "value": value})
}

impl From<OptionsResponse> for AckBody {
    fn from(r: OptionsResponse) -> Self {
        AckBody(Some(if r.groups.is_empty() {
            json!({ "options": r.options })
        } else {
            json!({ "option_groups": r.groups })
        }))
    }
}

/// What goes back for a delivery: its ack, or "not handled, deliver it
/// again" (the installation store could not answer).
#[derive(Debug)]
pub(crate) enum Answer {
    Ack(AckBody),
    Retry,
}

/// Where an answer goes: a Socket Mode frame or an HTTP response.
pub(crate) type AckSink = Box<dyn FnOnce(Answer) + Send>;

/// Holds the sink until the first ack; later acks are refused.
pub(crate) struct AckSlot(Mutex<Option<AckSink>>);

impl AckSlot {
    pub(crate) fn new(sink: AckSink) -> Self {
        AckSlot(Mutex::new(Some(sink)))
    }

    /// Sends `body` unless an ack already went out; `true` if this call sent it.
    pub(crate) fn send(&self, body: AckBody) -> bool {
        self.answer(Answer::Ack(body))
    }

    /// Answers "deliver it again" instead of acking, unless an ack already went out.
    pub(crate) fn refuse(&self) -> bool {
        self.answer(Answer::Retry)
    }

    fn answer(&self, answer: Answer) -> bool {
        // A sink is a plain closure; a panic elsewhere leaves the option valid.
        let sink = self
            .0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match sink {
            Some(sink) => {
                sink(answer);
                true
            }
            None => false,
        }
    }

    pub(crate) fn is_sent(&self) -> bool {
        self.0
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .is_none()
    }
}

impl fmt::Debug for AckSlot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AckSlot")
            .field("sent", &self.is_sent())
            .finish()
    }
}
