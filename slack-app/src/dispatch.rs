//! Runs deliveries: filters, routing, the ack deadline, the in-flight
//! limit, panics, and waiting for running handlers at shutdown.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use futures_util::FutureExt;
use slack_api::Client;
use slack_api::events::{Event, InteractionPayload};
use slack_api::ids::UserId;
use tokio::sync::{Notify, OnceCell, Semaphore};
use tokio::time::Instant;
use tracing::Instrument;

use crate::ack::{AckBody, AckSink, AckSlot};
use crate::app::{App, ErrorHook, Parts, Route, Settings};
use crate::context::Meta;
use crate::error::{Failure, FailureCause};
use crate::install::resolve::{Outcome, ResolveError, Resolved, Resolver};
use crate::request::{DecodeFailure, Request};

/// An [`App`] turned into something transports feed.
pub(crate) struct Runtime<S> {
    client: Client,
    state: S,
    routes: Vec<Route<S>>,
    pub(crate) settings: Settings,
    on_error: Option<ErrorHook>,
    slots: Arc<Semaphore>,
    running: Running,
    /// The bot user, from the settings or `auth.test` (asked once).
    bot_user: OnceCell<Option<UserId>>,
    /// Serving many workspaces: each delivery's installation.
    pub(crate) resolver: Option<Arc<Resolver>>,
}

/// Counts deliveries being handled, so shutdown can wait for them.
#[derive(Default)]
struct Running {
    count: AtomicUsize,
    idle: Notify,
}

struct RunningGuard<'a>(&'a Running);

impl Running {
    fn enter(&self) -> RunningGuard<'_> {
        self.count.fetch_add(1, Ordering::AcqRel);
        RunningGuard(self)
    }
}

impl Drop for RunningGuard<'_> {
    fn drop(&mut self) {
        if self.0.count.fetch_sub(1, Ordering::AcqRel) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

impl<S: Clone + Send + Sync + 'static> Runtime<S> {
    pub(crate) fn new(app: App<S>) -> Arc<Self> {
        let bot_user = OnceCell::new_with(app.settings.bot_user.clone().map(Some));
        let resolver = app.install.store.clone().map(|store| {
            Arc::new(Resolver::new(
                store,
                app.install.clone(),
                app.client.clone(),
            ))
        });
        Arc::new(Runtime {
            resolver,
            client: app.client,
            state: app.state,
            routes: app.routes,
            slots: Arc::new(Semaphore::new(app.settings.max_in_flight)),
            settings: app.settings,
            on_error: app.on_error,
            running: Running::default(),
            bot_user,
        })
    }

    /// Handles one delivery in the background; `sink` receives its ack
    /// exactly once, within the deadline.
    pub(crate) fn deliver(self: &Arc<Self>, req: Result<Request, DecodeFailure>, sink: AckSink) {
        tokio::spawn(self.clone().handle(req, sink));
    }

    /// [`deliver`](Self::deliver), run here up to the handler's first
    /// wait: a handler that acks and returns at once (most do) costs no
    /// task of its own, the rest goes on in the background.
    pub(crate) fn deliver_here(
        self: &Arc<Self>,
        req: Result<Request, DecodeFailure>,
        sink: AckSink,
    ) {
        let mut delivery = Box::pin(self.clone().handle(req, sink));
        if (&mut delivery).now_or_never().is_none() {
            tokio::spawn(delivery);
        }
    }

    /// The work of one delivery, for a task to run.
    async fn handle(self: Arc<Self>, req: Result<Request, DecodeFailure>, sink: AckSink) {
        let slot = Arc::new(AckSlot::new(sink));
        let req = match req {
            Ok(req) => req,
            Err(e) => {
                // Acked so Slack does not redeliver what will never decode.
                slot.send(AckBody::empty());
                self.report(Failure {
                    kind: "unknown".to_owned(),
                    cause: FailureCause::Decode(e),
                });
                return;
            }
        };
        let deadline = Instant::now() + self.settings.ack_deadline;
        let meta = Arc::new(meta_of(&req));
        let span = tracing::info_span!(
            "slack_app.delivery",
            kind = %meta.kind,
            team = meta.team_id.as_ref().map(|t| t.as_str()),
            user = meta.user_id.as_ref().map(|u| u.as_str()),
            channel = meta.channel.as_ref().map(|c| c.as_str()),
        );
        let is_event = matches!(req, Request::Event(_));
        if is_event && self.resolver.is_none() {
            // Events carry no reply: ack first, as Slack asks.
            slot.send(AckBody::empty());
        }
        async {
            let _running = self.running.enter();
            let Some(resolved) = self.resolve(&req, &meta, &slot).await else {
                return;
            };
            if is_event {
                // The installation is known: now the event can be acked.
                slot.send(AckBody::empty());
            }
            self.run(req, meta, slot, deadline, resolved).await;
        }
        .instrument(span)
        .await;
    }

    /// The client and installation a delivery runs with; `None` once the
    /// delivery has been answered (a duplicate, no installation, the store
    /// failing).
    async fn resolve(&self, req: &Request, meta: &Meta, slot: &AckSlot) -> Option<Resolved> {
        let Some(resolver) = &self.resolver else {
            return Some(Resolved {
                client: self.client.clone(),
                bot_user: None,
                installation: None,
            });
        };
        let failure = |cause| Failure {
            kind: meta.kind.clone(),
            cause,
        };
        match resolver.resolve(req).await {
            Ok(Outcome::Ready(r)) => Some(r),
            Ok(Outcome::Duplicate) => {
                tracing::debug!("event already handled (the store says); acked");
                slot.send(AckBody::empty());
                None
            }
            Ok(Outcome::NotInstalled(at)) => {
                slot.send(AckBody::empty());
                self.report(failure(FailureCause::NotInstalled(at)));
                None
            }
            Err(e) => {
                if e.is_retryable() {
                    // Not acked as handled: Slack delivers it again.
                    slot.refuse();
                } else {
                    slot.send(AckBody::empty());
                }
                self.report(failure(match e {
                    ResolveError::Store(e) => FailureCause::Store(e),
                    ResolveError::Refresh { source, .. } => FailureCause::TokenRefresh(source),
                }));
                None
            }
        }
    }

    async fn run(
        &self,
        req: Request,
        meta: Arc<Meta>,
        slot: Arc<AckSlot>,
        deadline: Instant,
        resolved: Resolved,
    ) {
        if let Some(why) = self.dropped(&req, resolved.bot_user.as_ref()).await {
            tracing::debug!(why, "delivery filtered out");
            slot.send(AckBody::empty());
            return;
        }
        let parts = Parts {
            state: self.state.clone(),
            client: resolved.client,
            ack: slot.clone(),
            meta: meta.clone(),
            installation: resolved.installation,
        };
        let mut req = req;
        let mut handler = None;
        for route in &self.routes {
            match route(req, &parts) {
                Ok(fut) => {
                    handler = Some(fut);
                    break;
                }
                Err(r) => req = r,
            }
        }
        let Some(handler) = handler else {
            tracing::debug!("no listener matches; acked");
            slot.send(AckBody::empty());
            return;
        };
        let run = async {
            // The semaphore is never closed.
            let _slot = self.slots.acquire().await.ok();
            AssertUnwindSafe(handler).catch_unwind().await
        };
        tokio::pin!(run);
        // A handler done at its first poll needs no deadline timer.
        let outcome = match (&mut run).now_or_never() {
            Some(outcome) => outcome,
            None => tokio::select! {
                outcome = &mut run => outcome,
                () = tokio::time::sleep_until(deadline) => {
                    if slot.send(AckBody::empty()) {
                        tracing::warn!(
                            deadline = ?self.settings.ack_deadline,
                            "handler neither acked nor returned by the deadline; sent an empty ack"
                        );
                    }
                    run.await
                }
            },
        };
        // Returning acks for a handler that did not.
        slot.send(AckBody::empty());
        match outcome {
            Ok(Ok(())) => {}
            Ok(Err(e)) => self.report(Failure {
                kind: meta.kind.clone(),
                cause: FailureCause::Handler(e),
            }),
            Err(panic) => self.report(Failure {
                kind: meta.kind.clone(),
                cause: FailureCause::Panic(panic_message(&*panic)),
            }),
        }
    }

    /// Why the middleware drops `req`, if it does.
    async fn dropped(&self, req: &Request, bot_user: Option<&UserId>) -> Option<&'static str> {
        let s = &self.settings;
        if let Some(teams) = &s.teams
            && req.team_id().is_none_or(|t| !teams.contains(t))
        {
            return Some("team not allowed");
        }
        let Request::Event(cb) = req else {
            return None;
        };
        if s.ignore_self {
            let from_authorizations = cb
                .authorizations
                .iter()
                .filter(|a| a.is_bot == Some(true))
                .filter_map(|a| a.user_id.as_ref());
            if let Some(user) = cb.event.user() {
                if from_authorizations.clone().any(|a| a == user) {
                    return Some("the app's own event");
                }
                // Serving many workspaces, each installation names its bot.
                let own = match (&self.resolver, bot_user) {
                    (Some(_), bot) => bot,
                    (None, _) => self.bot_user().await.as_ref(),
                };
                if own == Some(user) {
                    return Some("the app's own event");
                }
            }
        }
        if let Event::Message(m) = &cb.event {
            if s.ignore_bot_messages && (m.bot_id().is_some() || m.subtype() == Some("bot_message"))
            {
                return Some("a bot's message");
            }
            if let Some(types) = &s.channel_types
                && m.channel_type()
                    .is_none_or(|t| !types.iter().any(|x| x == t))
            {
                return Some("conversation type not allowed");
            }
        }
        None
    }

    /// The app's bot user: set, or asked of `auth.test` once.
    async fn bot_user(&self) -> &Option<UserId> {
        self.bot_user
            .get_or_init(|| async {
                match self.client.auth().test().send().await {
                    Ok(me) => me.user_id,
                    Err(e) => {
                        tracing::warn!(error = %e, "auth.test failed; only `authorizations` tell the app's own events");
                        None
                    }
                }
            })
            .await
    }

    fn report(&self, failure: Failure) {
        match &self.on_error {
            Some(hook) => hook(&failure),
            None => tracing::error!(kind = %failure.kind, "{failure}"),
        }
    }

    /// Waits until no delivery is being handled, up to the shutdown timeout;
    /// `false` if some still were.
    pub(crate) async fn drain(&self) -> bool {
        let wait = async {
            loop {
                let idle = self.running.idle.notified();
                if self.running.count.load(Ordering::Acquire) == 0 {
                    return;
                }
                idle.await;
            }
        };
        let done = tokio::time::timeout(self.settings.shutdown_timeout, wait)
            .await
            .is_ok();
        if !done {
            tracing::warn!(
                running = self.running.count.load(Ordering::Acquire),
                "shutdown timeout: handlers still running were left"
            );
        }
        done
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned())
}

/// Reads where a delivery happened and how to answer it.
fn meta_of(req: &Request) -> Meta {
    let mut m = Meta {
        kind: req.kind(),
        team_id: req.team_id().cloned(),
        user_id: req.user_id().cloned(),
        ..Meta::default()
    };
    match req {
        Request::Event(cb) => {
            m.channel = cb.event.channel().cloned();
            m.thread_ts = cb.event.thread_ts().cloned();
            // Assistant threads say where they are one level down.
            let thread = match &cb.event {
                Event::AssistantThreadStarted(e) => e.assistant_thread.as_ref(),
                Event::AssistantThreadContextChanged(e) => e.assistant_thread.as_ref(),
                _ => None,
            };
            if let Some(t) = thread {
                m.channel = t.channel_id.clone();
                m.thread_ts = t.thread_ts.clone();
                m.user_id = t.user_id.clone().or(m.user_id);
            }
        }
        Request::Command(c) => {
            m.channel = Some(c.channel_id.clone());
            m.response_url = Some(c.response_url.clone());
            m.trigger_id = Some(c.trigger_id.clone());
        }
        Request::Interaction(p) => match &**p {
            InteractionPayload::BlockActions(b) => {
                m.channel = b.channel.as_ref().map(|c| c.id.clone());
                m.thread_ts = b.message.as_ref().and_then(|msg| msg.thread_ts.clone());
                m.response_url = b.response_url.clone();
                m.trigger_id = b.trigger_id.clone();
            }
            InteractionPayload::MessageAction(a) => {
                m.channel = a.channel.as_ref().map(|c| c.id.clone());
                m.response_url = a.response_url.clone();
                m.trigger_id = a.trigger_id.clone();
            }
            InteractionPayload::Shortcut(s) => m.trigger_id = s.trigger_id.clone(),
            InteractionPayload::ViewSubmission(v) => m.trigger_id = v.trigger_id.clone(),
            _ => {}
        },
        Request::Options(o) => m.channel = o.channel.as_ref().map(|c| c.id.clone()),
    }
    m
}
