//! `App`: listeners by kind and id, the settings they run under.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use slack_api::Client;
use slack_api::events::{
    BlockActionsPayload, Event, EventKind, InteractionPayload, MessageActionPayload, MessageEvent,
    ShortcutPayload, ViewClosedPayload, ViewSubmissionPayload,
};
use slack_api::ids::{TeamId, UserId};
use slack_api::inbound::slash::SlashCommand;

use crate::context::{Context, Meta};
use crate::error::{Failure, HandlerResult};
use crate::install::resolve::InstallConfig;
use crate::install::{Installation, InstallationStore, OauthSettings};
use crate::pattern::Pattern;
use crate::request::{OptionsRequest, Request};

/// How long a handler has to ack before the app acks for it: Slack's
/// deadline is 3 seconds from when it sent the delivery, and some of that
/// is spent on the way.
pub const DEFAULT_ACK_DEADLINE: Duration = Duration::from_millis(2500);
/// Handlers running at once, by default; more deliveries wait for a slot
/// (their acks still go out on time).
pub const DEFAULT_MAX_IN_FLIGHT: usize = 256;
/// How long shutdown waits for running handlers, by default.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(10);

/// An async function of a [`Context`]: what every listener runs.
///
/// Implemented for `Fn(Context<P, S>) -> impl Future<Output = HandlerResult>`,
/// so an `async fn` or a closure returning an `async move` block works.
pub trait Handler<P, S>: Send + Sync + 'static {
    /// Runs the handler on one delivery.
    fn call(&self, cx: Context<P, S>) -> BoxFuture<'static, HandlerResult>;
}

impl<F, Fut, P, S> Handler<P, S> for F
where
    F: Fn(Context<P, S>) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send + 'static,
{
    fn call(&self, cx: Context<P, S>) -> BoxFuture<'static, HandlerResult> {
        Box::pin(self(cx))
    }
}

/// What a listener is handed to build its context from (each part is a
/// cheap clone: the one listener that matches takes a copy).
pub(crate) struct Parts<S> {
    pub(crate) state: S,
    pub(crate) client: Client,
    pub(crate) ack: Arc<crate::ack::AckSlot>,
    pub(crate) meta: Arc<Meta>,
    pub(crate) installation: Option<Arc<Installation>>,
}

impl<S: Clone> Parts<S> {
    pub(crate) fn context<P>(&self, payload: P) -> Context<P, S> {
        let mut cx = Context::new(
            payload,
            self.state.clone(),
            self.client.clone(),
            self.ack.clone(),
            self.meta.clone(),
        );
        cx.set_installation(self.installation.clone());
        cx
    }
}

/// A listener takes a delivery it matches (and returns its handler's
/// future) or hands it back for the next listener.
pub(crate) type Route<S> = Box<
    dyn Fn(Request, &Parts<S>) -> Result<BoxFuture<'static, HandlerResult>, Request> + Send + Sync,
>;

pub(crate) type ErrorHook = Arc<dyn Fn(&Failure) + Send + Sync>;

#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) ack_deadline: Duration,
    pub(crate) max_in_flight: usize,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) ignore_self: bool,
    pub(crate) ignore_bot_messages: bool,
    pub(crate) teams: Option<Vec<TeamId>>,
    pub(crate) channel_types: Option<Vec<String>>,
    pub(crate) bot_user: Option<UserId>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            ack_deadline: DEFAULT_ACK_DEADLINE,
            max_in_flight: DEFAULT_MAX_IN_FLIGHT,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            ignore_self: true,
            ignore_bot_messages: false,
            teams: None,
            channel_types: None,
            bot_user: None,
        }
    }
}

/// A Slack app: listeners for what Slack delivers, run over Socket Mode
/// ([`App::socket_mode`]) or HTTP ([`App::into_router`]) alike.
///
/// Listeners are tried in the order they were added; the first that
/// matches handles the delivery. A delivery no listener matches is acked
/// and dropped (or handed to [`fallback`](Self::fallback)).
pub struct App<S = ()> {
    pub(crate) client: Client,
    pub(crate) state: S,
    pub(crate) routes: Vec<Route<S>>,
    pub(crate) settings: Settings,
    pub(crate) on_error: Option<ErrorHook>,
    pub(crate) install: InstallConfig,
}

impl App<()> {
    /// An app whose handlers call the Web API with `client` (the bot token).
    pub fn new(client: Client) -> Self {
        App::with_state(client, ())
    }
}

impl<S: Clone + Send + Sync + 'static> App<S> {
    /// An app whose handlers get a clone of `state` (share with `Arc` inside).
    pub fn with_state(client: Client, state: S) -> Self {
        App {
            client,
            state,
            routes: Vec::new(),
            settings: Settings::default(),
            on_error: None,
            install: InstallConfig::default(),
        }
    }

    /// Serves many workspaces: each delivery's installation is looked up in
    /// `store` before it is acked, and its handler's
    /// [`client`](Context::client) holds that workspace's bot token (the
    /// app's own client then only lends its configuration and connection
    /// pool; its token is not used). `app_uninstalled` and
    /// `tokens_revoked` delete what they name; a delivery from a workspace
    /// without an installation is acked and reported
    /// ([`FailureCause::NotInstalled`](crate::FailureCause::NotInstalled)).
    /// When the store cannot answer within
    /// [`store_timeout`](Self::store_timeout), the delivery is not acked
    /// as handled: over HTTP the answer is `503`, over Socket Mode no ack
    /// goes out, so Slack delivers it again.
    pub fn installations(mut self, store: impl InstallationStore) -> Self {
        self.install.store = Some(Arc::new(store));
        self
    }

    /// The app's OAuth credentials: [`into_router`](Self::into_router)
    /// then also serves the install flow
    /// ([`INSTALL_PATH`](crate::install::INSTALL_PATH),
    /// [`REDIRECT_PATH`](crate::install::REDIRECT_PATH)), and rotating
    /// tokens are refreshed with them before they expire. Needs
    /// [`installations`](Self::installations).
    pub fn oauth(mut self, settings: OauthSettings) -> Self {
        self.install.oauth = Some(settings);
        self
    }

    /// How long the installation store may take to answer before the
    /// delivery is answered "try again" (default 1.5 s, within Slack's 3).
    pub fn store_timeout(mut self, timeout: Duration) -> Self {
        self.install.timeout = timeout;
        self
    }

    /// Rotating tokens expiring within `margin` are refreshed before use
    /// (default 5 minutes).
    pub fn token_refresh_margin(mut self, margin: Duration) -> Self {
        self.install.refresh_margin = margin;
        self
    }

    /// What the app reads the time from, for token expiry and install
    /// link lifetimes (default `SystemTime::now`; tests pass a fake clock).
    pub fn clock(mut self, now: impl Fn() -> SystemTime + Send + Sync + 'static) -> Self {
        self.install.clock = Arc::new(now);
        self
    }

    pub(crate) fn route(
        mut self,
        f: impl Fn(Request, &Parts<S>) -> Result<BoxFuture<'static, HandlerResult>, Request>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        self.routes.push(Box::new(f));
        self
    }

    /// Events of type `T`: `app.event::<AppMentionEvent>(handler)`. The
    /// event is acked on arrival (events carry no reply).
    pub fn event<T: EventKind>(self, handler: impl Handler<T, S>) -> Self {
        self.event_route(
            |e| e.event_type() == Some(T::TYPE),
            |e| T::from_event(e).map(|e| *e),
            handler,
        )
    }

    /// An event listener: `wanted` says whether an event is the listener's,
    /// `take` takes its payload out (or gives the event back).
    pub(crate) fn event_route<P: Send + 'static>(
        self,
        wanted: impl Fn(&Event) -> bool + Send + Sync + 'static,
        take: impl Fn(Event) -> Result<P, Event> + Send + Sync + 'static,
        handler: impl Handler<P, S>,
    ) -> Self {
        self.route(move |req, parts| match req {
            Request::Event(mut cb) if wanted(&cb.event) => {
                match take(std::mem::take(&mut cb.event)) {
                    Ok(payload) => Ok(handler.call(parts.context(payload))),
                    Err(event) => {
                        cb.event = event;
                        Err(Request::Event(cb))
                    }
                }
            }
            other => Err(other),
        })
    }

    /// Messages whose text matches: a plain string matches text that
    /// contains it, a [`Pattern`] as it says.
    pub fn message(self, text: impl Into<Pattern>, handler: impl Handler<MessageEvent, S>) -> Self {
        let pattern = text.into().for_text();
        self.event_route(
            move |e| matches!(e, Event::Message(m) if m.text().is_some_and(|t| pattern.matches(t))),
            take_message,
            handler,
        )
    }

    /// A slash command by name, with its slash: `app.command("/deploy", h)`.
    /// Ack with text or a [`SlashResponse`](slack_api::inbound::slash::SlashResponse)
    /// to answer at once.
    pub fn command(self, name: impl Into<Pattern>, handler: impl Handler<SlashCommand, S>) -> Self {
        let pattern = name.into();
        self.route(move |req, parts| match req {
            Request::Command(c) if pattern.matches(&c.command) => {
                Ok(handler.call(parts.context(*c)))
            }
            other => Err(other),
        })
    }

    /// Block actions (a button click, a select, ...) by `action_id`.
    pub fn action(
        self,
        action_id: impl Into<Pattern>,
        handler: impl Handler<BlockActionsPayload, S>,
    ) -> Self {
        self.block_action(Pattern::Any, action_id, handler)
    }

    /// Block actions by `block_id` and `action_id`.
    pub fn block_action(
        self,
        block_id: impl Into<Pattern>,
        action_id: impl Into<Pattern>,
        handler: impl Handler<BlockActionsPayload, S>,
    ) -> Self {
        let (block, action) = (block_id.into(), action_id.into());
        self.route(move |req, parts| {
            let found = match &req {
                Request::Interaction(p) => match &**p {
                    InteractionPayload::BlockActions(b) => b.actions.iter().position(|a| {
                        action.matches(a.action_id.as_deref().unwrap_or(""))
                            && block.matches(a.block_id.as_deref().unwrap_or(""))
                    }),
                    _ => None,
                },
                _ => None,
            };
            match (found, req) {
                (Some(index), Request::Interaction(p)) => match *p {
                    InteractionPayload::BlockActions(b) => {
                        let mut cx = parts.context(*b);
                        cx.matched_action(index);
                        Ok(handler.call(cx))
                    }
                    p => Err(Request::Interaction(Box::new(p))),
                },
                (_, req) => Err(req),
            }
        })
    }

    /// An external select's request for options, by `action_id`; ack with
    /// an [`OptionsResponse`](crate::OptionsResponse).
    pub fn options(
        self,
        action_id: impl Into<Pattern>,
        handler: impl Handler<OptionsRequest, S>,
    ) -> Self {
        let pattern = action_id.into();
        self.route(move |req, parts| match req {
            Request::Options(o) if pattern.matches(&o.action_id) => {
                Ok(handler.call(parts.context(*o)))
            }
            other => Err(other),
        })
    }

    /// A modal's submission by its view's `callback_id`; ack with a
    /// [`ViewResponse`](crate::ViewResponse) to show errors, update, push or clear.
    pub fn view_submission(
        self,
        callback_id: impl Into<Pattern>,
        handler: impl Handler<ViewSubmissionPayload, S>,
    ) -> Self {
        let pattern = callback_id.into();
        self.interaction(
            move |p| match p {
                InteractionPayload::ViewSubmission(v)
                    if pattern.matches(v.view.callback_id.as_deref().unwrap_or("")) =>
                {
                    Ok(v)
                }
                p => Err(p),
            },
            handler,
        )
    }

    /// A modal closed by the person (views with `notify_on_close`), by `callback_id`.
    pub fn view_closed(
        self,
        callback_id: impl Into<Pattern>,
        handler: impl Handler<ViewClosedPayload, S>,
    ) -> Self {
        let pattern = callback_id.into();
        self.interaction(
            move |p| match p {
                InteractionPayload::ViewClosed(v)
                    if pattern.matches(v.view.callback_id.as_deref().unwrap_or("")) =>
                {
                    Ok(v)
                }
                p => Err(p),
            },
            handler,
        )
    }

    /// A global shortcut by `callback_id`.
    pub fn shortcut(
        self,
        callback_id: impl Into<Pattern>,
        handler: impl Handler<ShortcutPayload, S>,
    ) -> Self {
        let pattern = callback_id.into();
        self.interaction(
            move |p| match p {
                InteractionPayload::Shortcut(s) if pattern.matches(&s.callback_id) => Ok(s),
                p => Err(p),
            },
            handler,
        )
    }

    /// A message shortcut by `callback_id`.
    pub fn message_shortcut(
        self,
        callback_id: impl Into<Pattern>,
        handler: impl Handler<MessageActionPayload, S>,
    ) -> Self {
        let pattern = callback_id.into();
        self.interaction(
            move |p| match p {
                InteractionPayload::MessageAction(m) if pattern.matches(&m.callback_id) => Ok(m),
                p => Err(p),
            },
            handler,
        )
    }

    /// An interaction listener from a function that picks its payload out.
    fn interaction<P: Send + 'static>(
        self,
        pick: impl Fn(InteractionPayload) -> Result<Box<P>, InteractionPayload> + Send + Sync + 'static,
        handler: impl Handler<P, S>,
    ) -> Self {
        self.route(move |req, parts| match req {
            Request::Interaction(p) => match pick(*p) {
                Ok(payload) => Ok(handler.call(parts.context(*payload))),
                Err(p) => Err(Request::Interaction(Box::new(p))),
            },
            other => Err(other),
        })
    }

    /// Every delivery no listener before it took.
    pub fn fallback(self, handler: impl Handler<Request, S>) -> Self {
        self.route(move |req, parts| Ok(handler.call(parts.context(req))))
    }

    /// Called with each delivery that failed (a handler's error or panic, a
    /// delivery that did not decode), after it was acked. Without one,
    /// failures are logged at `error` level.
    pub fn on_error(mut self, hook: impl Fn(&Failure) + Send + Sync + 'static) -> Self {
        self.on_error = Some(Arc::new(hook));
        self
    }

    /// How long a handler may take before the app acks for it (default
    /// [`DEFAULT_ACK_DEADLINE`]); the handler keeps running.
    pub fn ack_deadline(mut self, deadline: Duration) -> Self {
        self.settings.ack_deadline = deadline;
        self
    }

    /// How many handlers run at once (default [`DEFAULT_MAX_IN_FLIGHT`]).
    pub fn max_in_flight(mut self, n: usize) -> Self {
        self.settings.max_in_flight = n.max(1);
        self
    }

    /// How long shutdown waits for running handlers (default
    /// [`DEFAULT_SHUTDOWN_TIMEOUT`]).
    pub fn shutdown_timeout(mut self, timeout: Duration) -> Self {
        self.settings.shutdown_timeout = timeout;
        self
    }

    /// Whether events the app caused itself (its own messages) are dropped
    /// before any listener sees them (default `true`, so a bot that
    /// answers messages does not answer itself).
    pub fn ignore_self(mut self, ignore: bool) -> Self {
        self.settings.ignore_self = ignore;
        self
    }

    /// The bot user the app posts as, for [`ignore_self`](Self::ignore_self);
    /// without it the app asks `auth.test` once, and also reads it from
    /// each event's `authorizations`.
    pub fn bot_user(mut self, user: impl Into<UserId>) -> Self {
        self.settings.bot_user = Some(user.into());
        self
    }

    /// Whether messages from bots (other apps, integrations) are dropped
    /// (default `false`).
    pub fn ignore_bot_messages(mut self, ignore: bool) -> Self {
        self.settings.ignore_bot_messages = ignore;
        self
    }

    /// Only deliveries from these workspaces reach listeners.
    pub fn only_teams<T: Into<TeamId>>(mut self, teams: impl IntoIterator<Item = T>) -> Self {
        self.settings.teams = Some(teams.into_iter().map(Into::into).collect());
        self
    }

    /// Only message events from these kinds of conversation (`channel`,
    /// `group`, `im`, `mpim`) reach listeners.
    pub fn only_channel_types<T: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = T>,
    ) -> Self {
        self.settings.channel_types = Some(types.into_iter().map(Into::into).collect());
        self
    }
}

/// A message event's payload, or the event back.
pub(crate) fn take_message(event: Event) -> Result<MessageEvent, Event> {
    match event {
        Event::Message(m) => Ok(m),
        other => Err(other),
    }
}
