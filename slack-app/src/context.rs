//! What a handler receives: the typed payload, the app's state and client,
//! and the ways to answer (ack, say, respond).

use std::fmt;
use std::sync::Arc;

use slack_api::Client;
use slack_api::block_kit::{Action, MessageContent, ViewStateValue};
use slack_api::chat::{PostMessageRequest, PostMessageResponse};
use slack_api::events::{BlockActionsPayload, ViewSubmissionPayload};
use slack_api::ids::{ChannelId, TeamId, Ts, UserId};
use slack_api::inbound::slash::{ResponseUrl, SlashResponse};

use crate::ack::{AckBody, AckSlot};
use crate::error::Error;
use crate::install::Installation;

/// Where a delivery happened and how to answer it, read once when routing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Meta {
    pub(crate) kind: String,
    pub(crate) team_id: Option<TeamId>,
    pub(crate) user_id: Option<UserId>,
    pub(crate) channel: Option<ChannelId>,
    pub(crate) thread_ts: Option<Ts>,
    pub(crate) response_url: Option<String>,
    pub(crate) trigger_id: Option<String>,
}

/// A handler's view of one delivery.
///
/// `payload` is the typed delivery (a [`SlashCommand`](slack_api::inbound::slash::SlashCommand),
/// a [`BlockActionsPayload`], an event, ...). The ack goes out once: on
/// [`ack`](Self::ack) / [`ack_with`](Self::ack_with), when the handler
/// returns, or at the app's deadline, whichever comes first.
pub struct Context<P, S = ()> {
    /// The delivery, typed.
    pub payload: P,
    state: S,
    client: Client,
    ack: Arc<AckSlot>,
    /// Shared with the runtime, which reports failures under its kind.
    meta: Arc<Meta>,
    /// For block actions: which of `actions` the listener matched.
    action_index: usize,
    /// Built on first use: it counts the uses Slack allows.
    response_url: std::sync::OnceLock<Option<ResponseUrl>>,
    installation: Option<Arc<Installation>>,
}

impl<P: fmt::Debug, S> fmt::Debug for Context<P, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Context")
            .field("kind", &self.meta.kind)
            .field("payload", &self.payload)
            .field("acked", &self.ack.is_sent())
            .finish_non_exhaustive()
    }
}

impl<P, S> Context<P, S> {
    pub(crate) fn new(
        payload: P,
        state: S,
        client: Client,
        ack: Arc<AckSlot>,
        meta: Arc<Meta>,
    ) -> Self {
        Context {
            payload,
            state,
            client,
            ack,
            meta,
            action_index: 0,
            response_url: std::sync::OnceLock::new(),
            installation: None,
        }
    }

    pub(crate) fn set_installation(&mut self, installation: Option<Arc<Installation>>) {
        self.installation = installation;
    }

    /// The workspace's installation, for an app serving many
    /// ([`App::installations`](crate::App::installations)): its team,
    /// bot, user tokens and webhook.
    pub fn installation(&self) -> Option<&Installation> {
        self.installation.as_deref()
    }

    /// The app's state (a clone of what [`App::with_state`](crate::App::with_state) was given).
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The Web API client, holding the app's bot token: the bot token of
    /// the delivery's workspace for an app serving many, a workflow
    /// step's own token in a [`function`](crate::App::function) handler.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// A client holding the user token of the person who acted, for an
    /// app serving many whose install asked for user scopes: `None` when
    /// that person never authorized the app (or the delivery names no one).
    /// Rotating user tokens are refreshed before the handler runs, as the
    /// bot's are.
    pub fn user_client(&self) -> Option<Client> {
        let user = self.installation()?.user_token(self.user_id()?)?;
        Some(self.client.with_token(user.token.clone()))
    }

    pub(crate) fn use_token(&mut self, token: slack_api::Secret) {
        self.client = self.client.with_token(token);
    }

    /// Acknowledges with no payload; `false` if an ack already went out.
    pub fn ack(&self) -> bool {
        self.ack.send(AckBody::empty())
    }

    /// Acknowledges with a payload: a command's reply ([`SlashResponse`] or
    /// text), a view submission's [`ViewResponse`](crate::ViewResponse), an
    /// [`OptionsResponse`](crate::OptionsResponse). `false` if an ack
    /// already went out (the payload is then not delivered).
    pub fn ack_with(&self, body: impl Into<AckBody>) -> bool {
        self.ack.send(body.into())
    }

    /// Whether the ack has gone out.
    pub fn is_acked(&self) -> bool {
        self.ack.is_sent()
    }

    /// The delivery's kind (`command`, `block_actions`, `event:app_mention`, ...).
    pub fn kind(&self) -> &str {
        &self.meta.kind
    }

    /// The workspace it came from.
    pub fn team_id(&self) -> Option<&TeamId> {
        self.meta.team_id.as_ref()
    }

    /// The person who acted.
    pub fn user_id(&self) -> Option<&UserId> {
        self.meta.user_id.as_ref()
    }

    /// The conversation it happened in, if any.
    pub fn channel(&self) -> Option<&ChannelId> {
        self.meta.channel.as_ref()
    }

    /// The thread it happened in, if any: [`say`](Self::say) replies there.
    pub fn thread_ts(&self) -> Option<&Ts> {
        self.meta.thread_ts.as_ref()
    }

    /// The `trigger_id` for `views.open` / `views.push` (valid for 3 seconds).
    pub fn trigger_id(&self) -> Option<&str> {
        self.meta.trigger_id.as_deref()
    }

    /// A `chat.postMessage` to the delivery's conversation (and thread),
    /// to fill in and send: `cx.say_builder()?.text("..").blocks(..).send().await`.
    pub fn say_builder(&self) -> Result<PostMessageRequest, Error> {
        let channel = self
            .meta
            .channel
            .clone()
            .ok_or_else(|| Error::NoChannel(self.meta.kind.clone()))?;
        let req = self.client.chat().post_message(channel);
        Ok(match &self.meta.thread_ts {
            Some(ts) => req.thread_ts(ts.clone()),
            None => req,
        })
    }

    /// Posts `content` (text, or a [`MessageContent`] with blocks) in the
    /// delivery's conversation, in its thread if it happened in one.
    pub async fn say(
        &self,
        content: impl Into<MessageContent>,
    ) -> Result<PostMessageResponse, Error> {
        Ok(self.say_builder()?.content(content).send().await?)
    }

    /// Answers through the delivery's `response_url` (commands, block
    /// actions in messages, message shortcuts): ephemeral or in channel,
    /// replacing or deleting the original. Slack allows 5 uses in 30 minutes.
    pub async fn respond(&self, response: SlashResponse) -> Result<(), Error> {
        let url = self
            .response_url
            .get_or_init(|| self.meta.response_url.clone().map(ResponseUrl::new))
            .as_ref()
            .ok_or_else(|| Error::NoResponseUrl(self.meta.kind.clone()))?;
        Ok(url.send(&response).await?)
    }
}

impl<S> Context<BlockActionsPayload, S> {
    pub(crate) fn matched_action(&mut self, index: usize) {
        self.action_index = index;
    }

    /// The action the listener matched (a payload usually carries one).
    pub fn action(&self) -> Option<&Action> {
        self.payload.actions.get(self.action_index)
    }
}

impl<S> Context<ViewSubmissionPayload, S> {
    /// The state of one input of the submitted view, by block and action
    /// id: the text of a text input, the option picked in a select, the
    /// dates, people, files or rich text chosen (see [`ViewStateValue`]).
    pub fn input(&self, block_id: &str, action_id: &str) -> Option<&ViewStateValue> {
        self.payload.view.input(block_id, action_id)
    }

    /// The text of a text input, or the value of the selected option of a
    /// select or radio buttons, by block and action id.
    pub fn input_value(&self, block_id: &str, action_id: &str) -> Option<&str> {
        self.input(block_id, action_id)?.value()
    }
}
