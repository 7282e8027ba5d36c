//! The fake's shared state: everything mutable behind one mutex, and the
//! operations several faces need (delivering events, journaling frames,
//! resets).

use std::panic::Location;
use std::sync::{Mutex, MutexGuard};

use std::collections::BTreeMap;

use serde_json::Value;
use tokio::sync::Notify;

use crate::app::AppState;
use crate::faults::{Faults, RtmFault, RtmScope};
use crate::fixtures::FixtureSet;
use crate::journal::{Entry, Frame, Journal};
use crate::oauth::OauthState;
use crate::routing;
use crate::rtm::RtmState;
use crate::simulator::{self, Caller, Outcome, Workspace};
use crate::slash::ResponseUrls;
use crate::socket_mode::SocketModeState;
use crate::views::ViewsState;
use crate::webhooks::Hooks;

#[derive(Debug, Clone)]
pub(crate) struct ExpectRule {
    pub(crate) method: String,
    pub(crate) min: usize,
    pub(crate) max: usize,
    /// Where the test set it up, for the failure message.
    pub(crate) at: &'static Location<'static>,
}

/// Everything mutable, behind one mutex (wiremock responders are synchronous).
#[derive(Debug)]
pub(crate) struct State {
    /// The default workspace, [`TEAM_ID`](crate::TEAM_ID); its clock is the
    /// fake's clock.
    pub(crate) workspace: Workspace,
    /// The workspaces added with [`add_team`](crate::FakeSlack::add_team),
    /// by team id: their own users, channels and messages.
    pub(crate) teams: BTreeMap<String, Workspace>,
    pub(crate) journal: Journal,
    pub(crate) faults: Faults,
    pub(crate) rtm: RtmState,
    /// Websocket connections so far, RTM and Socket Mode: each one's id.
    pub(crate) connections: usize,
    /// Workspace resets so far (see `Workspace::generation`).
    pub(crate) resets: u64,
    pub(crate) fixtures: FixtureSet,
    pub(crate) misses: Vec<String>,
    /// Setup calls that could not take effect (e.g. an invalid fault), for `problems()`.
    pub(crate) setup_errors: Vec<String>,
    pub(crate) expectations: Vec<ExpectRule>,
    pub(crate) hooks: Hooks,
    pub(crate) response_urls: ResponseUrls,
    pub(crate) oauth: OauthState,
    pub(crate) socket_mode: SocketModeState,
    /// Modals, App Homes and trigger ids.
    pub(crate) views: ViewsState,
    /// The app under test: its manifest and signing secret.
    pub(crate) app: AppState,
}

impl State {
    /// The id of a websocket connection opening now (RTM and Socket Mode
    /// share one sequence, so frames in the journal name their socket).
    pub(crate) fn next_connection(&mut self) -> usize {
        self.connections += 1;
        self.connections
    }

    /// Delivers a workspace event where Slack would (see [`ROUTES`]): to the
    /// RTM clients that may see it, except `except`, and to the app over
    /// Socket Mode and the Events API when its bot may see it and the app
    /// subscribes to its type. Returns how many RTM clients got it.
    pub(crate) fn broadcast(&mut self, frame: &Value, except: Option<usize>) -> usize {
        let members = routing::audience(frame, &self.workspace);
        let reaches = |user: &str| members.is_none_or(|m| m.iter().any(|u| u == user));
        if reaches(simulator::BOT_USER) {
            let subscriptions = self.app.subscriptions();
            deliver_to_app(
                &mut self.socket_mode,
                subscriptions,
                &self.workspace,
                None,
                frame,
            );
        }
        self.rtm.deliver(frame, except, reaches)
    }
}

/// Workspaces beyond the default one.
impl State {
    /// The added workspace a token was issued for by `oauth.v2.access`,
    /// if any; other tokens act in the default workspace. An org-wide
    /// token acts in the organization's workspace its call names
    /// (`team_id`), else in the organization's first.
    pub(crate) fn team_of(
        &self,
        token: Option<&str>,
        args: &BTreeMap<String, String>,
    ) -> Option<String> {
        let team = self.oauth.token_team(token?)?;
        if self.teams.contains_key(team) {
            return Some(team.to_owned());
        }
        let first = self.oauth.teams_in(team).next()?;
        let pick = args
            .get("team_id")
            .map(String::as_str)
            .filter(|n| self.oauth.teams_in(team).any(|t| t == *n))
            .unwrap_or(first);
        self.teams.contains_key(pick).then(|| pick.to_owned())
    }

    /// Runs a simulated call in the added workspace `team` on the fake's
    /// clock, and delivers the events it causes to the app as that
    /// workspace's (RTM clients belong to the default workspace).
    pub(crate) fn answer_in(
        &mut self,
        team: &str,
        handler: simulator::Handler,
        args: &BTreeMap<String, String>,
        kind: crate::request::CredentialKind,
        token: Option<&str>,
        urls: (&str, &str),
    ) -> Value {
        self.in_team(team, |ws| {
            let caller: Caller = ws.caller_for(kind, token);
            let Outcome { body, events } = ws.answer(handler, args, caller, urls);
            (body, events)
        })
        .unwrap_or_else(|| simulator::body_of(Err("team_not_found".into())))
    }

    /// Runs `f` on the added workspace `team` on the fake's clock (what it
    /// moves, the fake's clock keeps), and delivers the events it returns.
    fn in_team<R>(
        &mut self,
        team: &str,
        f: impl FnOnce(&mut Workspace) -> (R, Vec<Value>),
    ) -> Option<R> {
        let mut ws = self.teams.remove(team)?;
        ws.clock = self.workspace.clock.clone();
        let (out, events) = f(&mut ws);
        self.workspace.clock = ws.clock.clone();
        for e in &events {
            self.deliver_in(&ws, e);
        }
        self.teams.insert(team.to_owned(), ws);
        Some(out)
    }

    /// Delivers an event of the added workspace `ws` to the app, when its
    /// bot may see it and the app subscribes to its type.
    fn deliver_in(&mut self, ws: &Workspace, frame: &Value) {
        let members = routing::audience(frame, ws);
        let reaches = members.is_none_or(|m| m.iter().any(|u| u == simulator::BOT_USER));
        if !reaches {
            return;
        }
        let enterprise = self.oauth.enterprise_of(&ws.team.id).map(|(id, _)| id);
        let subscriptions = self.app.subscriptions();
        deliver_to_app(
            &mut self.socket_mode,
            subscriptions,
            ws,
            enterprise.as_deref(),
            frame,
        );
    }

    /// Moves every workspace's clock to the fake's and posts what each has
    /// scheduled for now.
    pub(crate) fn post_due(&mut self) {
        for e in self.workspace.post_due() {
            self.broadcast(&e, None);
        }
        let teams: Vec<String> = self.teams.keys().cloned().collect();
        for team in teams {
            self.in_team(&team, |ws| ((), ws.post_due()));
        }
    }
}

/// Shared between the `FakeSlack` handle, the HTTP responders and the RTM server.
#[derive(Debug)]
pub(crate) struct Inner {
    pub(crate) state: Mutex<State>,
    /// Signalled whenever the journal grows or a websocket connects or closes.
    pub(crate) changed: Notify,
    pub(crate) simulate: bool,
    pub(crate) seed: u64,
    /// How many journal entries to keep (`None`: all).
    pub(crate) journal_limit: Option<usize>,
    pub(crate) rtm_url: String,
    /// The HTTP root, e.g. `http://127.0.0.1:41234` (for upload and file URLs).
    pub(crate) http_url: String,
    pub(crate) initial_fixtures: FixtureSet,
    /// What the builder added to the seeded workspace, for reset.
    pub(crate) shape: simulator::Shape,
}

impl Inner {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere must not wedge the fake; the state stays usable.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn record_frame(&self, connection: usize, text: &str) -> Frame {
        self.record_frame_then(connection, text, |_, _| {})
    }

    /// [`record_frame`](Self::record_frame), running `then` under the same
    /// lock, so waiters see the frame and its effect (an ack clearing its
    /// envelope) together.
    pub(crate) fn record_frame_then(
        &self,
        connection: usize,
        text: &str,
        then: impl FnOnce(&mut State, &Frame),
    ) -> Frame {
        let json = serde_json::from_str(text).unwrap_or(Value::Null);
        let frame = {
            let mut st = self.lock();
            let frame = Frame {
                seq: st.journal.next_seq(),
                connection,
                text: text.to_string(),
                json,
            };
            st.journal.entries.push(Entry::Frame(frame.clone()));
            then(&mut st, &frame);
            frame
        };
        self.changed.notify_waiters();
        frame
    }

    /// Everything back to the start, under one lock, so a connection in
    /// progress sees either the state before (and is closed with it) or
    /// the state after (and its ticket, handed out before, is refused).
    pub(crate) fn reset(&self) {
        let mut st = self.lock();
        self.reset_workspace_in(&mut st);
        self.reset_journal_in(&mut st);
        st.faults.clear_all();
        st.rtm.clear_faults();
        st.fixtures = self.initial_fixtures.clone();
        st.setup_errors.clear();
        st.expectations.clear();
    }

    /// The journal (calls, frames, what the waits returned) and the
    /// fixture misses.
    pub(crate) fn reset_journal_in(&self, st: &mut State) {
        st.journal = Journal::with_limit(self.journal_limit);
        st.misses.clear();
    }

    /// The shaped workspace again; every RTM and Socket Mode connection
    /// closed, and every ticket handed out so far no longer accepted.
    pub(crate) fn reset_workspace_in(&self, st: &mut State) {
        let old = std::mem::take(&mut st.workspace.tickets);
        st.rtm.reset(old.into_keys());
        // The shape was checked when the fake started, so this cannot fail.
        st.workspace = Workspace::shaped(self.seed, &self.shape)
            .unwrap_or_else(|_| Workspace::seeded(self.seed));
        st.resets += 1;
        st.workspace.generation = st.resets;
        for ws in st.teams.values_mut() {
            *ws = Workspace::for_team(self.seed, ws.team.clone(), st.workspace.clock.clone());
        }
        st.response_urls.reset();
        st.oauth.reset();
        st.socket_mode.reset();
        st.views.reset();
    }

    pub(crate) fn clear_faults(&self) {
        let mut st = self.lock();
        st.faults.clear_all();
        st.rtm.clear_faults();
    }

    pub(crate) fn apply_rtm_fault(&self, fault: &RtmFault, scope: RtmScope) -> usize {
        self.lock().rtm.apply_fault(fault, scope)
    }
}

/// Sends the app (Socket Mode or Events API) a workspace event its bot
/// sees, and the `app_mention` Slack adds for a message that mentions the
/// bot, each when the app subscribes to its type.
fn deliver_to_app(
    socket_mode: &mut SocketModeState,
    subscriptions: Option<&[String]>,
    ws: &Workspace,
    enterprise: Option<&str>,
    frame: &Value,
) {
    let mention = routing::app_mention_of(frame);
    for event in std::iter::once(frame).chain(mention.as_ref()) {
        if routing::subscribed(subscriptions, event, ws) {
            socket_mode.deliver_event_in(&ws.team.id, enterprise, event);
        }
    }
}
