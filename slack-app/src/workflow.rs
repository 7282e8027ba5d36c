//! Custom workflow steps (`function_executed`) and assistant threads.

use serde::de::DeserializeOwned;
use serde_json::Value;
use slack_api::events::{
    AssistantThreadContextChangedEvent, AssistantThreadStartedEvent, Event, FunctionExecutedEvent,
    MessageEvent,
};

use crate::app::{App, Handler, take_message};
use crate::context::Context;
use crate::error::{Error, InputError};
use crate::pattern::Pattern;

impl<S: Clone + Send + Sync + 'static> App<S> {
    /// A custom workflow step by its function's `callback_id`. The handler's
    /// [`client`](Context::client) holds the function's own token; finish
    /// with [`complete`](Context::complete) or [`fail`](Context::fail).
    pub fn function(
        self,
        callback_id: impl Into<Pattern>,
        handler: impl Handler<FunctionExecutedEvent, S>,
    ) -> Self {
        let pattern = callback_id.into();
        self.event_route(
            move |e| match e {
                Event::FunctionExecuted(f) => f
                    .function
                    .as_ref()
                    .and_then(|d| d.callback_id.as_deref())
                    .is_some_and(|c| pattern.matches(c)),
                _ => false,
            },
            |e| match e {
                Event::FunctionExecuted(f) => Ok(*f),
                other => Err(other),
            },
            // The step's calls go out with the step's own token.
            move |mut cx: Context<FunctionExecutedEvent, S>| {
                if let Some(token) = cx.payload.bot_access_token.clone() {
                    cx.use_token(token);
                }
                handler.call(cx)
            },
        )
    }

    /// Messages a person writes in an assistant thread (a thread of the
    /// app's direct-message conversation).
    pub fn assistant_message(self, handler: impl Handler<MessageEvent, S>) -> Self {
        self.event_route(
            |e| {
                matches!(e, Event::Message(m)
                    if m.channel_type() == Some("im") && m.thread_ts().is_some())
            },
            take_message,
            handler,
        )
    }
}

impl<S> Context<FunctionExecutedEvent, S> {
    /// The step's inputs, by name, as JSON.
    pub fn input(&self, name: &str) -> Option<&Value> {
        self.payload.inputs.as_ref()?.get(name)
    }

    /// The input `name` decoded as `T`: Slack's parameter types map to
    /// `String` (`string`, `slack#/types/rich_text` as text), `i64` /
    /// `f64` (`integer`, `number`), `bool`, the ID types
    /// (`slack#/types/user_id` is a [`UserId`](slack_api::ids::UserId),
    /// `channel_id` a [`ChannelId`](slack_api::ids::ChannelId)), `Vec<T>`
    /// (`array`), or a struct of your own (`object`, `interactivity`).
    /// An `Option<T>` is `None` when the workflow gave no such input.
    ///
    /// # Errors
    /// [`Error::Input`] naming the input: missing, or not a `T`.
    pub fn input_as<T: DeserializeOwned>(&self, name: &str) -> Result<T, Error> {
        let input = |reason: String| {
            Error::Input(InputError {
                name: name.to_owned(),
                reason,
            })
        };
        match self.input(name) {
            Some(v) => T::deserialize(v).map_err(|e| input(e.to_string())),
            // `Option<T>` decodes from null; anything else needed the input.
            None => T::deserialize(&Value::Null).map_err(|_| input("is missing".to_owned())),
        }
    }

    /// Every input at once, decoded as `T`, a struct whose fields are the
    /// function's input parameters (types as for
    /// [`input_as`](Self::input_as)).
    ///
    /// # Errors
    /// [`Error::Input`] naming the first input that is missing or not of
    /// its field's type.
    pub fn inputs_as<T: DeserializeOwned>(&self) -> Result<T, Error> {
        let empty = Value::Object(serde_json::Map::new());
        let inputs = self.payload.inputs.as_ref().unwrap_or(&empty);
        serde_path_to_error::deserialize(inputs).map_err(|e| {
            Error::Input(InputError {
                name: e.path().to_string(),
                reason: e.inner().to_string(),
            })
        })
    }

    fn execution_id(&self) -> Result<String, Error> {
        self.payload
            .function_execution_id
            .clone()
            .ok_or(Error::Missing("function_execution_id"))
    }

    /// Reports the step done with `outputs` (an object of output values by name).
    pub async fn complete(&self, outputs: Value) -> Result<(), Error> {
        self.client()
            .functions()
            .complete_success(self.execution_id()?, outputs.to_string())
            .send()
            .await?;
        Ok(())
    }

    /// Reports the step failed, with a message for the workflow's builder.
    pub async fn fail(&self, error: impl Into<String>) -> Result<(), Error> {
        self.client()
            .functions()
            .complete_error(error, self.execution_id()?)
            .send()
            .await?;
        Ok(())
    }
}

/// Deliveries that belong to an assistant thread, whose context can set the
/// thread's status, suggested prompts and title.
pub trait AssistantThreadDelivery {}
impl AssistantThreadDelivery for AssistantThreadStartedEvent {}
impl AssistantThreadDelivery for AssistantThreadContextChangedEvent {}
impl AssistantThreadDelivery for MessageEvent {}

impl<P: AssistantThreadDelivery, S> Context<P, S> {
    fn thread(&self) -> Result<(slack_api::ids::ChannelId, slack_api::ids::Ts), Error> {
        match (self.channel(), self.thread_ts()) {
            (Some(c), Some(t)) => Ok((c.clone(), t.clone())),
            _ => Err(Error::NoChannel(self.kind().to_owned())),
        }
    }

    /// Shows `status` ("is thinking...") under the thread until the app
    /// replies; an empty status clears it.
    pub async fn set_status(&self, status: impl Into<String>) -> Result<(), Error> {
        let (channel, ts) = self.thread()?;
        self.client()
            .assistant()
            .threads_set_status(channel, status, ts)
            .send()
            .await?;
        Ok(())
    }

    /// Offers prompts the person can click: `[(title, message)]`.
    pub async fn set_suggested_prompts<T: Into<String>, M: Into<String>>(
        &self,
        prompts: impl IntoIterator<Item = (T, M)>,
    ) -> Result<(), Error> {
        let (channel, ts) = self.thread()?;
        let prompts: Vec<Value> = prompts
            .into_iter()
            .map(|(t, m)| serde_json::json!({"title": t.into(), "message": m.into()}))
            .collect();
        self.client()
            .assistant()
            .threads_set_suggested_prompts(channel, Value::from(prompts).to_string())
            .thread_ts(ts)
            .send()
            .await?;
        Ok(())
    }

    /// Starts a reply in the thread that is written as it goes (text
    /// appended with [`ReplyStream::append`], finished with
    /// [`ReplyStream::stop`]), as assistants answer.
    pub async fn stream_reply(&self, first: impl Into<String>) -> Result<ReplyStream, Error> {
        let (channel, thread_ts) = self.thread()?;
        let mut start = self
            .client()
            .chat()
            .start_stream(channel.clone())
            .thread_ts(thread_ts)
            .markdown_text(first);
        if let Some(user) = self.user_id() {
            start = start.recipient_user_id(user.clone());
        }
        if let Some(team) = self.team_id() {
            start = start.recipient_team_id(team.clone());
        }
        let started = start.send().await?;
        Ok(ReplyStream {
            client: self.client().clone(),
            channel: started.channel,
            ts: started.ts,
        })
    }

    /// Names the thread in the person's history.
    pub async fn set_title(&self, title: impl Into<String>) -> Result<(), Error> {
        let (channel, ts) = self.thread()?;
        self.client()
            .assistant()
            .threads_set_title(channel, ts, title)
            .send()
            .await?;
        Ok(())
    }
}

/// A reply being written into an assistant thread; see
/// [`Context::stream_reply`].
#[derive(Debug)]
pub struct ReplyStream {
    client: slack_api::Client,
    channel: slack_api::ids::ChannelId,
    ts: slack_api::ids::Ts,
}

impl ReplyStream {
    /// The reply's message timestamp.
    pub fn ts(&self) -> &slack_api::ids::Ts {
        &self.ts
    }

    /// Appends Markdown text to the reply.
    pub async fn append(&self, markdown: impl Into<String>) -> Result<(), Error> {
        self.client
            .chat()
            .append_stream(self.channel.clone(), markdown, self.ts.clone())
            .send()
            .await?;
        Ok(())
    }

    /// Finishes the reply.
    pub async fn stop(self) -> Result<(), Error> {
        self.client
            .chat()
            .stop_stream(self.channel, self.ts)
            .send()
            .await?;
        Ok(())
    }
}
