//! `FakeSlack`: the wiremock HTTP face, the RTM websocket face, and the shared state.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::net::SocketAddr;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use serde_json::{Value, json};
use tokio::sync::{Notify, mpsc, oneshot};
use wiremock::matchers::path_regex;
use wiremock::{Match, Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::{Fault, FaultId, FaultRule, Faults, InvalidFault, RtmFault, RtmScope};
use crate::fixtures::{Fixture, FixtureError, FixtureSet};
use crate::journal::{Call, Entry, Frame, Journal};
use crate::methods::{self, Handler};
use crate::oauth::OauthCall;
use crate::request::{self, Decoded};
use crate::simulator::{self, Workspace};
use crate::{admin, rtm, validate};

/// How long `wait_for_call`/`wait_for_frame` wait by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// What the RTM side sends to one connection.
#[derive(Debug)]
pub(crate) enum Out {
    Text(String),
    /// Send a close frame, then end the connection.
    Close,
    /// End the connection without a close frame.
    Drop,
}

#[derive(Debug)]
pub(crate) struct Client {
    pub(crate) id: usize,
    pub(crate) tx: mpsc::UnboundedSender<Out>,
    /// Whom the connection acts as (from its `rtm.connect` ticket): it gets
    /// the events of that user's conversations.
    pub(crate) user: String,
    /// Sent `goodbye` or dropped by a fault: closing, so not "connected".
    pub(crate) leaving: bool,
    /// Under [`RtmFault::NoPong`]: its pings go unanswered.
    pub(crate) no_pong: bool,
}

impl Client {
    /// Does `fault` to this connection now.
    pub(crate) fn apply(&mut self, fault: &RtmFault) {
        let outs: Vec<Out> = match fault {
            RtmFault::NoPong => {
                self.no_pong = true;
                return;
            }
            RtmFault::Goodbye => vec![
                Out::Text(json!({"type": "goodbye"}).to_string()),
                Out::Close,
            ],
            RtmFault::DropSocket => vec![Out::Drop],
            RtmFault::ErrorFrame { code, msg } => vec![Out::Text(
                json!({"type": "error", "error": {"code": code, "msg": msg}}).to_string(),
            )],
            RtmFault::UnknownEvent => vec![Out::Text(
                json!({"type": "testkit_unknown_event", "payload": {"answer": 42}}).to_string(),
            )],
            RtmFault::Malformed => vec![Out::Text("{\"type\": \"message\", \"text\": ".into())],
            RtmFault::RawFrame { text } => vec![Out::Text(text.clone())],
        };
        if matches!(fault, RtmFault::Goodbye | RtmFault::DropSocket) {
            self.leaving = true;
        }
        for o in outs {
            let _ = self.tx.send(o);
        }
    }
}

/// An RTM fault waiting for connections not open yet (see [`RtmScope`]).
#[derive(Debug, Clone)]
pub(crate) struct RtmRule {
    pub(crate) fault: RtmFault,
    /// `None`: every future connection.
    pub(crate) remaining: Option<usize>,
}

/// Where Slack sends an event; see [`ROUTES`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Only to clients whose user is a member of the event's conversation
    /// (`channel`, `channel.id` or `item.channel`); that includes DMs.
    Conversation,
    /// To every client of the team.
    Team,
}

/// The routing table: which events go only to a conversation's members.
/// Types not listed are team-wide ([`Route::Team`]), like the ones listed
/// as such. A conversation event naming a conversation the workspace does
/// not have (an event a test made up) goes to every client: the fake cannot
/// know who is in it.
const ROUTES: &[(&str, Route)] = &[
    ("message", Route::Conversation),
    ("app_mention", Route::Conversation),
    ("reaction_added", Route::Conversation),
    ("reaction_removed", Route::Conversation),
    ("pin_added", Route::Conversation),
    ("pin_removed", Route::Conversation),
    ("member_joined_channel", Route::Conversation),
    ("member_left_channel", Route::Conversation),
    ("user_typing", Route::Conversation),
    ("im_created", Route::Conversation),
    ("channel_created", Route::Team),
    ("channel_rename", Route::Team),
    ("channel_archive", Route::Team),
    ("channel_unarchive", Route::Team),
    ("channel_deleted", Route::Team),
    ("user_change", Route::Team),
    ("team_join", Route::Team),
    ("emoji_changed", Route::Team),
    ("presence_change", Route::Team),
];

fn route_of(kind: &str) -> Route {
    ROUTES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(Route::Team, |(_, r)| *r)
}

/// The conversation an event is about: `channel` (an ID or an object with
/// one) or `item.channel` (reactions, pins).
fn conversation_of(event: &Value) -> Option<&str> {
    let channel = event.get("channel");
    channel
        .and_then(Value::as_str)
        .or_else(|| channel.and_then(|c| c.get("id")).and_then(Value::as_str))
        .or_else(|| event.get("item")?.get("channel")?.as_str())
}

/// Whether the app subscribes to `kind`: `None` subscribes to everything;
/// a message also matches `message.channels`, `message.groups`,
/// `message.im` or `message.mpim`, by its conversation.
fn subscribed(
    subscriptions: Option<&[String]>,
    kind: &str,
    conversation: Option<&str>,
    workspace: &Workspace,
) -> bool {
    let Some(subs) = subscriptions else {
        return true;
    };
    subs.iter().any(|s| {
        s == kind
            || (kind == "message"
                && s.strip_prefix("message.").is_some_and(|k| {
                    conversation.is_some_and(|c| workspace.conversation_kind(c) == k)
                }))
    })
}

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
    pub(crate) workspace: Workspace,
    pub(crate) journal: Journal,
    pub(crate) faults: Faults,
    /// RTM faults for connections opened later.
    pub(crate) rtm_rules: Vec<RtmRule>,
    pub(crate) clients: Vec<Client>,
    pub(crate) connections: usize,
    /// RTM tickets handed out before the last reset: a socket opened with
    /// one is refused (`Socket URL has expired`).
    pub(crate) stale_tickets: BTreeSet<String>,
    /// Workspace resets so far (see `Workspace::generation`).
    pub(crate) resets: u64,
    /// RTM tickets (from `rtm.connect`/`rtm.start`) a websocket has used.
    pub(crate) rtm_redeemed: BTreeSet<String>,
    pub(crate) fixtures: FixtureSet,
    pub(crate) misses: Vec<String>,
    /// Setup calls that could not take effect (e.g. an invalid fault), for `problems()`.
    pub(crate) setup_errors: Vec<String>,
    pub(crate) expectations: Vec<ExpectRule>,
    pub(crate) hooks: crate::webhooks::Hooks,
    pub(crate) response_urls: crate::slash::ResponseUrls,
    pub(crate) oauth: crate::oauth::OauthState,
    pub(crate) socket_mode: crate::socket_mode::SocketModeState,
    /// The event types the app subscribes to (`None`: all), for Socket Mode
    /// and the Events API.
    pub(crate) subscriptions: Option<Vec<String>>,
}

impl State {
    /// Delivers a workspace event where Slack would (see [`ROUTES`]): to the
    /// RTM clients that may see it, except `except`, and to the app over
    /// Socket Mode and the Events API when its bot may see it and the app
    /// subscribes to its type. Returns how many RTM clients got it.
    pub(crate) fn broadcast(&mut self, frame: &Value, except: Option<usize>) -> usize {
        let kind = frame.get("type").and_then(Value::as_str).unwrap_or("");
        let conversation = conversation_of(frame);
        let members = match route_of(kind) {
            Route::Team => None,
            Route::Conversation => conversation.and_then(|c| self.workspace.members_of(c)),
        };
        let reaches = |user: &str| members.is_none_or(|m| m.iter().any(|u| u == user));
        if reaches(simulator::BOT_USER)
            && subscribed(
                self.subscriptions.as_deref(),
                kind,
                conversation,
                &self.workspace,
            )
        {
            self.socket_mode.deliver_event(frame);
        }
        self.clients.retain(|c| !c.tx.is_closed());
        let mut text = None;
        let mut n = 0;
        for c in &self.clients {
            if Some(c.id) == except || !reaches(&c.user) {
                continue;
            }
            let text = text.get_or_insert_with(|| frame.to_string());
            if c.tx.send(Out::Text(text.clone())).is_ok() {
                n += 1;
            }
        }
        n
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
        st.rtm_rules.clear();
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
        st.stale_tickets.extend(old.into_keys());
        // The shape was checked when the fake started, so this cannot fail.
        st.workspace = Workspace::shaped(self.seed, &self.shape)
            .unwrap_or_else(|_| Workspace::seeded(self.seed));
        st.resets += 1;
        st.workspace.generation = st.resets;
        st.response_urls.reset();
        st.oauth.reset();
        st.socket_mode.reset();
        st.rtm_redeemed.clear();
        for c in st.clients.drain(..) {
            let _ = c.tx.send(Out::Close);
        }
    }

    pub(crate) fn clear_faults(&self) {
        let mut st = self.lock();
        st.faults.clear_all();
        st.rtm_rules.clear();
        for c in &mut st.clients {
            c.no_pong = false;
        }
    }

    pub(crate) fn apply_rtm_fault(&self, fault: &RtmFault, scope: RtmScope) -> usize {
        let mut st = self.lock();
        st.clients.retain(|c| !c.tx.is_closed());
        let remaining = match scope {
            RtmScope::Open => None,
            RtmScope::All => Some(None),
            RtmScope::Next(0) => None,
            RtmScope::Next(n) => Some(Some(n)),
        };
        if let Some(remaining) = remaining {
            st.rtm_rules.push(RtmRule {
                fault: fault.clone(),
                remaining,
            });
        }
        if matches!(scope, RtmScope::Next(_)) {
            return 0;
        }
        for c in &mut st.clients {
            c.apply(fault);
        }
        st.clients.len()
    }

    /// The RTM faults a connection opening now gets, each counted once.
    pub(crate) fn take_rtm_rules(st: &mut State) -> Vec<RtmFault> {
        let faults = st.rtm_rules.iter().map(|r| r.fault.clone()).collect();
        for r in &mut st.rtm_rules {
            if let Some(n) = &mut r.remaining {
                *n = n.saturating_sub(1);
            }
        }
        st.rtm_rules.retain(|r| r.remaining != Some(0));
        faults
    }

    /// Answers one Web API request; the heart of the HTTP face.
    fn answer(&self, req: &Request) -> ResponseTemplate {
        let d = request::decode(req);
        let template = {
            let mut st = self.lock();
            st.oauth.basic = crate::oauth::basic_credentials(req);
            let seq = st.journal.next_seq();
            let (status, headers, body, source, delay) = self.answer_locked(&mut st, &d);
            let mut t = template(status);
            for (k, v) in &headers {
                t = t.insert_header(k.as_str(), v.as_str());
            }
            if !body.is_null() {
                t = t.set_body_raw(
                    serde_json::to_vec(&body).unwrap_or_default(),
                    "application/json; charset=utf-8",
                );
            }
            if let Some(d) = delay {
                t = t.set_delay(d);
            }
            // The request's arguments move into the journal: one copy of a
            // big body, not one per reader.
            let Decoded {
                method,
                http_method,
                args,
                token,
                token_kind,
                ..
            } = d;
            st.journal.entries.push(Entry::Call(Call {
                seq,
                method,
                http_method,
                args,
                token_kind,
                token,
                status,
                response: body,
                source,
            }));
            t
        };
        self.changed.notify_waiters();
        template
    }

    #[allow(clippy::type_complexity)]
    fn answer_locked(
        &self,
        st: &mut State,
        d: &Decoded,
    ) -> (
        u16,
        BTreeMap<String, String>,
        Value,
        String,
        Option<Duration>,
    ) {
        let mut headers = BTreeMap::new();
        let mut delay = None;
        match st.faults.take(&d.method) {
            Some(Fault::RateLimited { retry_after }) => {
                headers.insert("retry-after".into(), retry_after.to_string());
                return (
                    429,
                    headers,
                    validate::error("ratelimited"),
                    "fault".into(),
                    None,
                );
            }
            Some(Fault::Status { status }) => {
                return (status, headers, Value::Null, "fault".into(), None);
            }
            Some(Fault::Error { code }) => {
                return (200, headers, validate::error(&code), "fault".into(), None);
            }
            Some(Fault::Delay { millis }) => delay = Some(Duration::from_millis(millis)),
            // Resets are answered by their own mock (see `ResetPending`); one
            // reaching here raced with a reset of the fault list.
            Some(Fault::Reset) | None => {}
        }
        let (status, body, source) = self.answer_call(st, d, &mut headers);
        (status, headers, body, source, delay)
    }

    fn answer_call(
        &self,
        st: &mut State,
        d: &Decoded,
        headers: &mut BTreeMap<String, String>,
    ) -> (u16, Value, String) {
        let invalid = |body: Value| (200, body, "invalid".to_string());
        if d.method.is_empty() {
            return (404, validate::error("unknown_method"), "invalid".into());
        }
        if let Some(e) = &d.body_error {
            return invalid(
                json!({"ok": false, "error": "invalid_json", "response_metadata": {"messages": [e]}}),
            );
        }
        let spec = slack_api::spec::method(&d.method);
        let has_fixture = st.fixtures.fixtures.iter().any(|f| f.method == d.method);
        let handler = methods::find(&d.method).filter(|_| self.simulate);
        let simulated = handler.is_some();
        if spec.is_none() && !has_fixture && !simulated {
            return invalid(validate::error("unknown_method"));
        }
        if let Err(body) = validate::check_auth(&d.method, spec, d.token_kind) {
            return invalid(body);
        }
        if let Some(spec) = spec
            && let Err(body) = validate::check_args(spec, &d.args)
        {
            return invalid(body);
        }
        if let Some(body) = crate::oauth::check_token(st, d) {
            return invalid(body);
        }
        match st.fixtures.find(&d.method, &d.args, d.token_kind) {
            Ok(f) => {
                let mut body = f.response.body.clone();
                // Recorded RTM URLs point at Slack; point them at this fake.
                if matches!(
                    d.method.as_str(),
                    "rtm.connect" | "rtm.start" | "apps.connections.open"
                ) && body.get("url").is_some()
                {
                    body["url"] = json!(format!("{}?ticket=fixture", self.rtm_url));
                }
                headers.extend(
                    f.response
                        .headers
                        .iter()
                        .map(|(k, v)| (k.to_ascii_lowercase(), v.clone())),
                );
                return (f.response.status, body, format!("fixture:{}", f.file));
            }
            Err(miss) if !simulated => {
                st.misses.push(miss.report(&d.args));
                return (200, miss.body(), "no_fixture".into());
            }
            Err(_) => {}
        }
        let Some(handler) = handler else {
            return (200, validate::error("unknown_method"), "invalid".into());
        };
        let caller = st.workspace.caller_for(d.token_kind, d.token.as_deref());
        let body = match handler {
            Handler::Workspace(f) => {
                let urls = (self.rtm_url.as_str(), self.http_url.as_str());
                let outcome = st.workspace.answer(f, &d.args, caller, urls);
                for e in &outcome.events {
                    st.broadcast(e, None);
                }
                outcome.body
            }
            Handler::Oauth(f) => {
                let call = OauthCall {
                    seed: self.seed,
                    decoded: d,
                    caller: &caller.user,
                };
                simulator::body_of(f(&mut st.oauth, &call))
            }
            Handler::SocketMode(f) => simulator::body_of(f(&mut st.socket_mode, d, &self.rtm_url)),
        };
        (200, body, "simulator".into())
    }
}

/// A response template for `status`. Faults are checked when set, but a
/// fixture may carry any number: one no final HTTP response can carry becomes
/// a 500 rather than a panic inside wiremock.
fn template(status: u16) -> ResponseTemplate {
    if (200..=999).contains(&status) {
        ResponseTemplate::new(status)
    } else {
        ResponseTemplate::new(500)
    }
}

/// The catch-all `/api/{method}` responder.
struct Api(Arc<Inner>);

impl Respond for Api {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.0.answer(req)
    }
}

/// Matches requests whose method has a pending `Fault::Reset`.
struct ResetPending(Arc<Inner>);

impl Match for ResetPending {
    fn matches(&self, req: &Request) -> bool {
        let method = req.url.path().strip_prefix("/api/").unwrap_or("");
        self.0.lock().faults.reset_pending(method)
    }
}

#[derive(Debug)]
struct ConnectionReset;

impl std::fmt::Display for ConnectionReset {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("slack-testkit: injected connection reset")
    }
}

impl std::error::Error for ConnectionReset {}

/// A fake Slack: Web API over HTTP, RTM over a websocket, on loopback ports
/// of its own. See the [crate docs](crate) for an example.
///
/// Dropping it stops both servers and, unless the thread is already
/// panicking, checks the expectations set with [`FakeSlack::expect`] and
/// reports requests no fixture answered.
pub struct FakeSlack {
    server: Option<MockServer>,
    inner: Arc<Inner>,
    ws_addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    ws_thread: Option<std::thread::JoinHandle<()>>,
}

impl std::fmt::Debug for FakeSlack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FakeSlack")
            .field("api_base_url", &self.api_base_url())
            .field("rtm_url", &self.inner.rtm_url)
            .finish()
    }
}

/// Options for a [`FakeSlack`]; from [`FakeSlack::builder`].
///
/// # The seeded workspace
///
/// Every fake starts with the same workspace, and [`FakeSlack::reset`]
/// brings it back:
///
/// - Team [`TEAM_ID`](crate::TEAM_ID) (`T0001`) "Fake Team".
/// - Users `U_ALICE` (alice, admin), `U_BOB`, `U_CAROL`, `U_DAVE`,
///   `U_ERIN`, `U_FRANK` (`name@example.com`), and the bot
///   [`BOT_USER`](crate::BOT_USER) `U_BOT` (bot id `B_BOT`).
/// - Channels `C_GENERAL` (#general) and `C_RANDOM` (#random) with everyone;
///   `C_DEV` (#dev: alice, bob, the bot); `C_PRIVATE` (#secret-plans,
///   private: alice, carol); `C_ARCHIVED` (#old-project, archived: alice,
///   the bot). No messages.
/// - A `xoxb-` or `xapp-` token acts as the bot, a `xoxp-` token as Alice,
///   [`FakeSlack::user_token`] as another user.
/// - Timestamps come from a fake clock (`1700000001.000100`,
///   `1700000002.000100`, ...; [`seed`](Self::seed) shifts it) and new IDs
///   count up (`C00000001`, ...).
/// - Cursor-paginated methods page by `limit`, default 100 (replies 1000,
///   `users.list` everything); [`page_size`](Self::page_size) caps a page.
///
/// Shape it for your test: users, channels, members and messages are added
/// in that order before the fake starts, and come back on reset.
///
/// ```no_run
/// # async fn f() {
/// use slack_testkit::FakeSlack;
/// let slack = FakeSlack::builder()
///     .user("U_ZOE", "zoe")
///     .channel("C_OPS", "ops")
///     .members("C_OPS", ["U_ZOE", "U_ALICE", "U_BOT"])
///     .message("U_ZOE", "C_OPS", "is the deploy done?")
///     .page_size(2) // conversations.members pages: 2, 1
///     .start()
///     .await;
/// # }
/// ```
#[derive(Debug, Clone)]
#[must_use]
pub struct FakeSlackBuilder {
    seed: u64,
    shape: simulator::Shape,
    simulate: bool,
    fixture_dirs: Vec<PathBuf>,
    fixtures: Vec<Fixture>,
    port: Option<u16>,
    rtm_port: Option<u16>,
    host: String,
    journal_limit: Option<usize>,
    subscriptions: Option<Vec<String>>,
}

impl Default for FakeSlackBuilder {
    fn default() -> Self {
        FakeSlackBuilder {
            seed: 0,
            shape: simulator::Shape::default(),
            simulate: true,
            fixture_dirs: Vec::new(),
            fixtures: Vec::new(),
            port: None,
            rtm_port: None,
            host: "127.0.0.1".into(),
            journal_limit: None,
            subscriptions: None,
        }
    }
}

/// Why a [`FakeSlack`] could not start.
#[derive(Debug)]
pub enum StartError {
    /// A fixture file could not be read.
    Fixture(FixtureError),
    /// A port could not be bound.
    Io(std::io::Error),
    /// The workspace cannot be shaped as the builder asks (a user or
    /// channel that exists already, an unknown member, a message its author
    /// cannot post).
    Workspace(String),
}

impl std::fmt::Display for StartError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StartError::Fixture(e) => write!(f, "{e}"),
            StartError::Io(e) => write!(f, "cannot bind: {e}"),
            StartError::Workspace(e) => write!(f, "cannot shape the workspace: {e}"),
        }
    }
}

impl std::error::Error for StartError {}

impl FakeSlackBuilder {
    /// Shifts the simulated clock, so two seeds give different timestamps. Default 0.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Whether the simulated workspace answers what no fixture matches. Default on.
    pub fn simulate(mut self, on: bool) -> Self {
        self.simulate = on;
        self
    }

    /// Loads fixtures and RTM transcripts from a folder (may be called more than once).
    pub fn fixtures_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.fixture_dirs.push(dir.as_ref().to_path_buf());
        self
    }

    /// Adds one fixture.
    pub fn fixture(mut self, fixture: Fixture) -> Self {
        self.fixtures.push(fixture);
        self
    }

    /// Serves HTTP on this port instead of a free one (for the standalone binary).
    pub fn port(mut self, port: u16) -> Self {
        self.port = Some(port);
        self
    }

    /// Serves the RTM websocket on this port instead of a free one.
    pub fn rtm_port(mut self, port: u16) -> Self {
        self.rtm_port = Some(port);
        self
    }

    /// Interface to bind, `127.0.0.1` by default.
    pub fn host(mut self, host: impl Into<String>) -> Self {
        self.host = host.into();
        self
    }

    /// Keeps only the newest `limit` journal entries (calls and frames),
    /// dropping the oldest, so a long-running fake stays within bounded
    /// memory. By default the journal keeps everything, as a test wants;
    /// the standalone `fake-slack` caps it (`--journal-limit`).
    ///
    /// Calls and frames dropped before a `wait_for_*` asked for them are
    /// skipped; [`calls`](FakeSlack::calls), [`problems`](FakeSlack::problems)
    /// and expectations see only what is kept. `0` keeps nothing.
    pub fn journal_limit(mut self, limit: usize) -> Self {
        self.journal_limit = Some(limit);
        self
    }

    /// The event types the app subscribes to, as in its Slack app config
    /// (`message.channels`, `message.im`, `app_mention`, `reaction_added`,
    /// ...): only those reach it over Socket Mode and the Events API. By
    /// default it gets every type. RTM has no subscriptions and is not affected.
    pub fn event_subscriptions<S: Into<String>>(
        mut self,
        types: impl IntoIterator<Item = S>,
    ) -> Self {
        self.subscriptions = Some(types.into_iter().map(Into::into).collect());
        self
    }

    /// Adds a user `id` (e.g. `U_ZOE`) named `name` (`zoe`, real name the
    /// same, `zoe@example.com`), not an admin, in no channel: see
    /// [`members`](Self::members). Its token is [`FakeSlack::user_token`].
    pub fn user(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.shape.users.push((id.into(), name.into()));
        self
    }

    /// Adds a public channel `id` (e.g. `C_OPS`) named `name` (`ops`), with
    /// no members: see [`members`](Self::members).
    pub fn channel(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.shape.channels.push((id.into(), name.into(), false));
        self
    }

    /// Adds a private channel, visible only to its members.
    pub fn private_channel(mut self, id: impl Into<String>, name: impl Into<String>) -> Self {
        self.shape.channels.push((id.into(), name.into(), true));
        self
    }

    /// Adds `users` to the members of `channel` (seeded or added), in order;
    /// members already there stay where they are.
    pub fn members<S: Into<String>>(
        mut self,
        channel: impl Into<String>,
        users: impl IntoIterator<Item = S>,
    ) -> Self {
        let users = users.into_iter().map(Into::into).collect();
        self.shape.members.push((channel.into(), users));
        self
    }

    /// Posts a message from `user` in `channel` before the fake starts: it
    /// is in the history, with a `ts` from the fake clock, and reaches no
    /// client. The user must be a member.
    pub fn message(
        mut self,
        user: impl Into<String>,
        channel: impl Into<String>,
        text: impl Into<String>,
    ) -> Self {
        self.shape
            .messages
            .push((user.into(), channel.into(), text.into()));
        self
    }

    /// The most items a page of a cursor-paginated method holds, whatever
    /// `limit` the client asks (at least 1): `page_size(2)` makes a bot
    /// follow `next_cursor` through `conversations.members` of a 3-member
    /// channel. By default a page holds `limit` items.
    pub fn page_size(mut self, n: usize) -> Self {
        self.shape.page_size = Some(n.max(1));
        self
    }

    /// Starts the fake, or says why it cannot.
    pub async fn try_start(self) -> Result<FakeSlack, StartError> {
        let workspace = Workspace::shaped(self.seed, &self.shape).map_err(StartError::Workspace)?;
        let mut set = FixtureSet::default();
        for dir in &self.fixture_dirs {
            let loaded = FixtureSet::load_dir(dir).map_err(StartError::Fixture)?;
            set.fixtures.extend(loaded.fixtures);
            set.transcripts.extend(loaded.transcripts);
        }
        set.fixtures.extend(self.fixtures);

        let ws_listener =
            std::net::TcpListener::bind((self.host.as_str(), self.rtm_port.unwrap_or(0)))
                .map_err(StartError::Io)?;
        ws_listener.set_nonblocking(true).map_err(StartError::Io)?;
        let ws_addr = ws_listener.local_addr().map_err(StartError::Io)?;
        let http_listener =
            std::net::TcpListener::bind((self.host.as_str(), self.port.unwrap_or(0)))
                .map_err(StartError::Io)?;

        let inner = Arc::new(Inner {
            state: Mutex::new(State {
                workspace,
                journal: Journal::with_limit(self.journal_limit),
                faults: Faults::default(),
                rtm_rules: Vec::new(),
                clients: Vec::new(),
                connections: 0,
                stale_tickets: BTreeSet::new(),
                resets: 0,
                rtm_redeemed: BTreeSet::new(),
                fixtures: set.clone(),
                misses: Vec::new(),
                setup_errors: Vec::new(),
                expectations: Vec::new(),
                hooks: Default::default(),
                response_urls: Default::default(),
                oauth: Default::default(),
                socket_mode: Default::default(),
                subscriptions: self.subscriptions,
            }),
            changed: Notify::new(),
            simulate: self.simulate,
            seed: self.seed,
            journal_limit: self.journal_limit,
            rtm_url: format!("ws://{ws_addr}/rtm"),
            http_url: format!(
                "http://{}",
                http_listener.local_addr().map_err(StartError::Io)?
            ),
            initial_fixtures: set,
            shape: self.shape,
        });

        let server = MockServer::builder()
            .listener(http_listener)
            .disable_request_recording()
            .start()
            .await;
        Mock::given(path_regex("^/_testkit/"))
            .respond_with(admin::Admin(inner.clone()))
            .with_priority(1)
            .named("slack-testkit admin")
            .mount(&server)
            .await;
        crate::webhooks::mount(&server, &inner).await;
        crate::simulator::files::mount(&server, inner.clone()).await;
        Mock::given(path_regex("^/api/"))
            .and(ResetPending(inner.clone()))
            .respond_with_err({
                let inner = inner.clone();
                move |req: &Request| {
                    let d = request::decode(req);
                    {
                        let mut st = inner.lock();
                        st.faults.take(&d.method);
                        let call = Call {
                            seq: st.journal.next_seq(),
                            method: d.method,
                            http_method: d.http_method,
                            args: d.args,
                            token_kind: d.token_kind,
                            token: d.token,
                            status: 0,
                            response: Value::Null,
                            source: "fault".into(),
                        };
                        st.journal.entries.push(Entry::Call(call));
                    }
                    inner.changed.notify_waiters();
                    ConnectionReset
                }
            })
            .with_priority(u8::MAX - 1)
            .named("slack-testkit connection reset")
            .mount(&server)
            .await;
        Mock::given(path_regex("^/api/"))
            .respond_with(Api(inner.clone()))
            .with_priority(u8::MAX)
            .named("slack-testkit")
            .mount(&server)
            .await;

        let (shutdown, rx) = oneshot::channel();
        let ws_inner = inner.clone();
        let ws_thread = std::thread::Builder::new()
            .name("slack-testkit-rtm".into())
            .spawn(move || rtm::run(ws_listener, ws_inner, rx))
            .map_err(StartError::Io)?;

        Ok(FakeSlack {
            server: Some(server),
            inner,
            ws_addr,
            shutdown: Some(shutdown),
            ws_thread: Some(ws_thread),
        })
    }

    /// Starts the fake.
    ///
    /// # Panics
    /// When a fixture file is invalid or no port can be bound: a broken test setup.
    #[track_caller]
    pub fn start(self) -> impl Future<Output = FakeSlack> + Send {
        let at = Location::caller();
        async move {
            match self.try_start().await {
                Ok(s) => s,
                Err(e) => panic!("slack-testkit: at {at}: cannot start FakeSlack: {e}"),
            }
        }
    }
}

/// How many calls an expectation wants; from [`FakeSlack::expect`].
#[derive(Debug)]
pub struct Expectation<'a> {
    slack: &'a FakeSlack,
    index: usize,
}

impl Expectation<'_> {
    fn set(self, min: usize, max: usize) {
        let mut st = self.slack.inner.lock();
        if let Some(e) = st.expectations.get_mut(self.index) {
            e.min = min;
            e.max = max;
        }
    }

    /// Exactly `n` calls.
    pub fn times(self, n: usize) {
        self.set(n, n)
    }

    /// At least `n` calls.
    pub fn at_least(self, n: usize) {
        self.set(n, usize::MAX)
    }

    /// At most `n` calls.
    pub fn at_most(self, n: usize) {
        self.set(0, n)
    }

    /// No call at all.
    pub fn never(self) {
        self.set(0, 0)
    }
}

/// A fault rule being set up, and the handle that removes it; from
/// [`FakeSlack::fault`]. Fails one call unless told otherwise.
///
/// ```no_run
/// # async fn doc() {
/// use slack_testkit::{FakeSlack, Fault};
/// let slack = FakeSlack::start().await;
/// let limited = slack.fault("chat.postMessage", Fault::rate_limited(30)).always();
/// slack.fault("users.info", Fault::status(503)).always();
/// // ...
/// limited.clear(); // chat.postMessage answers again; users.info still fails
/// # }
/// ```
#[derive(Debug)]
pub struct FaultSetup<'a> {
    slack: &'a FakeSlack,
    /// `None` when the fault was refused (see [`FakeSlack::fault`]).
    id: Option<FaultId>,
}

impl FaultSetup<'_> {
    fn with(self, f: impl FnOnce(&mut FaultRule)) -> Self {
        if let Some(id) = self.id {
            let mut st = self.slack.inner.lock();
            if let Some(r) = st.faults.get_mut(id) {
                f(r);
            }
        }
        self
    }

    /// The fault's id, for [`FakeSlack::clear_fault`]; `None` when the
    /// fault was refused and not set.
    pub fn id(&self) -> Option<FaultId> {
        self.id
    }

    /// Removes this fault, and only this one: calls it has not failed yet
    /// get their normal answer. Returns whether it was still pending
    /// (`false` once its count is used up, or after a clear or reset).
    pub fn clear(self) -> bool {
        self.id.is_some_and(|id| self.slack.clear_fault(id))
    }

    /// Fails the next `n` calls.
    pub fn times(self, n: usize) -> Self {
        self.with(|r| r.remaining = Some(n.max(1)))
    }

    /// Fails every call from now on.
    pub fn always(self) -> Self {
        self.with(|r| r.remaining = None)
    }

    /// Lets the first `n` calls through before failing.
    pub fn after(self, n: usize) -> Self {
        self.with(|r| r.skip = n)
    }
}

impl FakeSlack {
    /// A fake with fixtures (none by default) and the simulated workspace.
    ///
    /// # Panics
    /// As [`FakeSlackBuilder::start`].
    #[track_caller]
    pub fn start() -> impl Future<Output = FakeSlack> + Send {
        FakeSlack::builder().start()
    }

    /// A fake that answers only from the fixtures in `dir`.
    ///
    /// # Panics
    /// As [`FakeSlackBuilder::start`], e.g. when a fixture in `dir` is invalid.
    #[track_caller]
    pub fn replay(dir: impl AsRef<Path>) -> impl Future<Output = FakeSlack> + Send {
        FakeSlack::builder()
            .simulate(false)
            .fixtures_dir(dir)
            .start()
    }

    /// Options: seed, fixtures, simulation on or off, ports.
    pub fn builder() -> FakeSlackBuilder {
        FakeSlackBuilder::default()
    }

    fn server(&self) -> &MockServer {
        self.server.as_ref().expect("server lives until drop")
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The Web API base URL, ending with `/api/`.
    pub fn api_base_url(&self) -> String {
        format!("{}/api/", self.server().uri())
    }

    /// The HTTP root, e.g. `http://127.0.0.1:41234` (the admin API is under `/_testkit/`).
    pub fn uri(&self) -> String {
        self.server().uri()
    }

    /// The RTM websocket URL (what `rtm.connect` hands out, without a ticket).
    pub fn rtm_url(&self) -> String {
        self.inner.rtm_url.clone()
    }

    /// The RTM websocket address.
    pub fn rtm_addr(&self) -> SocketAddr {
        self.ws_addr
    }

    /// The underlying wiremock server: mocks mounted on it take precedence over the fake.
    pub fn mock_server(&self) -> &MockServer {
        self.server()
    }

    /// A `slack_api::Client` with that token, pointed at this fake.
    pub fn client(&self, token: &str) -> slack_api::Client {
        self.client_builder(token)
            .build()
            .expect("a client for a loopback URL always builds")
    }

    /// A `slack_api::ClientBuilder` with that token and this fake's URL, to add options.
    pub fn client_builder(&self, token: &str) -> slack_api::ClientBuilder {
        slack_api::Client::builder()
            .token(token)
            .api_base_url(self.api_base_url())
            .oauth_authorize_url(format!("{}/oauth/v2/authorize", self.uri()))
    }

    /// A user token that acts as that seeded user (e.g. `U_BOB`).
    pub fn user_token(&self, user: &str) -> String {
        format!("xoxp-testkit-{user}")
    }

    // ----- driving the workspace -----

    /// A person posts a message: it lands in history and reaches the RTM
    /// clients of the channel's members (and the app, if its bot is one).
    /// Returns the message `ts`.
    ///
    /// # Panics
    /// When the user or channel does not exist, or the user is not a member.
    #[track_caller]
    pub fn post_as_user(
        &self,
        user: &str,
        channel: &str,
        text: &str,
    ) -> impl Future<Output = String> + Send + '_ {
        let at = Location::caller();
        let (user, channel, text) = (user.to_string(), channel.to_string(), text.to_string());
        async move { self.post(&user, &channel, &text, None, at) }
    }

    /// A person replies in a thread. Returns the reply's `ts`.
    ///
    /// # Panics
    /// As [`post_as_user`](Self::post_as_user), or when the thread does not exist.
    #[track_caller]
    pub fn reply_as_user(
        &self,
        user: &str,
        channel: &str,
        thread_ts: &str,
        text: &str,
    ) -> impl Future<Output = String> + Send + '_ {
        let at = Location::caller();
        let (user, channel, thread_ts, text) = (
            user.to_string(),
            channel.to_string(),
            thread_ts.to_string(),
            text.to_string(),
        );
        async move { self.post(&user, &channel, &text, Some(&thread_ts), at) }
    }

    fn post(
        &self,
        user: &str,
        channel: &str,
        text: &str,
        thread: Option<&str>,
        at: &Location<'_>,
    ) -> String {
        let mut st = self.inner.lock();
        match st.workspace.post_as_user(user, channel, text, thread) {
            Ok((message, events)) => {
                for e in &events {
                    st.broadcast(e, None);
                }
                message["ts"].as_str().unwrap_or_default().to_string()
            }
            Err(code) => panic!("slack-testkit: at {at}: {user} cannot post in {channel}: {code}"),
        }
    }

    /// Sends an event (any JSON) the way Slack would route it: a message,
    /// reaction, pin, ... of a conversation to the RTM clients (and the app)
    /// whose user is a member of it, anything else to every client; over
    /// Socket Mode and the Events API only the types the app subscribes to
    /// ([`FakeSlackBuilder::event_subscriptions`]). An event naming a
    /// conversation the workspace does not have goes to everyone.
    /// Returns how many RTM clients got it.
    pub async fn push_event(&self, event: Value) -> usize {
        self.inner.lock().broadcast(&event, None)
    }

    /// How many RTM clients are connected.
    pub fn rtm_clients(&self) -> usize {
        let mut st = self.inner.lock();
        st.clients.retain(|c| !c.tx.is_closed());
        st.clients.len()
    }

    /// Waits until at least `n` RTM clients are connected (default timeout).
    ///
    /// # Panics
    /// On timeout, naming the caller's line and how many were connected.
    #[track_caller]
    pub fn wait_for_rtm_clients(&self, n: usize) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    st.clients.retain(|c| !c.tx.is_closed());
                    (st.clients.len() >= n).then_some(())
                })
                .await;
            if ok.is_none() {
                panic!(
                    "slack-testkit: at {at}: timed out after {DEFAULT_WAIT:?} waiting for {n} RTM \
                     client(s); {} connected",
                    self.rtm_clients()
                );
            }
        }
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until an RTM client is connected and
    /// stable: at least one websocket is open and not closing (a
    /// [`RtmFault::Goodbye`] or [`RtmFault::DropSocket`] closes the ones it
    /// reaches), and every URL `rtm.connect`/`rtm.start` handed out has been
    /// used, so no reconnect is under way. Use it after a fault instead of
    /// sleeping until the client is back:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// use slack_testkit::RtmFault;
    /// slack.wait_for_rtm_connected().await;
    /// slack.rtm_fault(RtmFault::Goodbye);
    /// slack.wait_for_rtm_connected().await; // the client reconnected
    /// assert_eq!(slack.calls_to("rtm.connect").len(), 2);
    /// # }
    /// ```
    ///
    /// # Panics
    /// On timeout, naming the caller's line, the open connections and the
    /// URLs not used yet.
    #[track_caller]
    pub fn wait_for_rtm_connected(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let probe = |st: &mut State| {
                st.clients.retain(|c| !c.tx.is_closed());
                let open = st.clients.iter().filter(|c| !c.leaving).count();
                let unused = st
                    .workspace
                    .tickets
                    .keys()
                    .filter(|t| !st.rtm_redeemed.contains(*t))
                    .count();
                (open, st.clients.len() - open, unused)
            };
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    let (open, _, unused) = probe(st);
                    (open > 0 && unused == 0).then_some(())
                })
                .await;
            if ok.is_none() {
                let (open, closing, unused) = probe(&mut self.inner.lock());
                panic!(
                    "slack-testkit: at {at}: no stable RTM connection within {DEFAULT_WAIT:?}: \
                     {open} open, {closing} closing, {unused} rtm.connect/rtm.start URL(s) \
                     not used yet"
                );
            }
        }
    }

    // ----- faults -----

    /// Makes calls to `method` (`"*"` for any) fail; once unless `.times(n)`/`.always()`.
    ///
    /// A fault no HTTP response can carry (see [`Fault::check`], e.g.
    /// `Fault::status(1000)`) is not set: it is reported by
    /// [`problems`](Self::problems), so [`verify`](Self::verify) and the drop
    /// check fail with the reason. [`try_fault`](Self::try_fault) returns it instead.
    pub fn fault(&self, method: &str, fault: Fault) -> FaultSetup<'_> {
        match self.try_fault(method, fault) {
            Ok(setup) => setup,
            Err(e) => {
                self.inner
                    .lock()
                    .setup_errors
                    .push(format!("fault for {method} not set: {e}"));
                FaultSetup {
                    slack: self,
                    id: None,
                }
            }
        }
    }

    /// [`fault`](Self::fault), or why that fault cannot be injected.
    pub fn try_fault(&self, method: &str, fault: Fault) -> Result<FaultSetup<'_>, InvalidFault> {
        fault.check()?;
        let id = self.inner.lock().faults.add(method, fault, 0, Some(1));
        Ok(FaultSetup {
            slack: self,
            id: Some(id),
        })
    }

    /// Removes the HTTP fault `id` (from [`FaultSetup::id`]) and no other.
    /// Returns whether it was still pending. Same as [`FaultSetup::clear`].
    pub fn clear_fault(&self, id: FaultId) -> bool {
        self.inner.lock().faults.clear(id)
    }

    /// Removes every fault: HTTP faults, lasting RTM faults (see
    /// [`rtm_fault`](Self::rtm_fault)) on open and future connections.
    /// The journal, the workspace, fixtures, expectations and connections
    /// stay as they are. What a fault already did stays done: a socket
    /// closed stays closed, and a Socket Mode connection gone
    /// [`Silent`](crate::SocketModeFault::Silent) stays silent (a half-open
    /// socket does not come back; the app must reconnect), but new
    /// connections are healthy.
    pub fn clear_faults(&self) {
        self.inner.clear_faults();
    }

    /// Applies a fault to every connected RTM client now; returns how many
    /// were connected. A lasting fault ([`RtmFault::NoPong`]) stays on those
    /// connections only, so a client that reconnects gets a healthy socket;
    /// [`rtm_fault_scoped`](Self::rtm_fault_scoped) reaches later connections.
    /// Same as `rtm_fault_scoped(fault, RtmScope::Open)`.
    pub fn rtm_fault(&self, fault: RtmFault) -> usize {
        self.inner.apply_rtm_fault(&fault, RtmScope::Open)
    }

    /// Applies an RTM fault to the connections `scope` names: the open
    /// ones, the open ones and every later one, or the next `n` to open.
    /// A later connection gets it right after `hello`. Returns how many
    /// open connections it reached now (0 for [`RtmScope::Next`]).
    /// [`clear_faults`](Self::clear_faults) and [`reset`](Self::reset) end it.
    ///
    /// ```no_run
    /// # async fn doc() {
    /// use slack_testkit::{FakeSlack, RtmFault, RtmScope};
    /// let slack = FakeSlack::start().await;
    /// // Pings go unanswered on this socket and on every reconnect.
    /// slack.rtm_fault_scoped(RtmFault::NoPong, RtmScope::All);
    /// // The next two connections are dropped right after `hello`.
    /// slack.rtm_fault_scoped(RtmFault::DropSocket, RtmScope::Next(2));
    /// # }
    /// ```
    pub fn rtm_fault_scoped(&self, fault: RtmFault, scope: RtmScope) -> usize {
        self.inner.apply_rtm_fault(&fault, scope)
    }

    /// Adds a fixture at run time; it is consulted before the simulator.
    pub fn add_fixture(&self, fixture: Fixture) {
        self.inner.lock().fixtures.fixtures.push(fixture);
    }

    /// Back to the start: [`reset_workspace`](Self::reset_workspace),
    /// [`reset_journal`](Self::reset_journal) and
    /// [`clear_faults`](Self::clear_faults) at once, and expectations,
    /// problems and added fixtures cleared. Mocks mounted on
    /// [`mock_server`](Self::mock_server) stay.
    ///
    /// It cannot race with a connection in progress: a socket opened with a
    /// URL that `rtm.connect`, `rtm.start` or `apps.connections.open` handed
    /// out before the reset is refused, not let into the reset state (RTM
    /// sends `{"type":"error","error":{"code":1,"msg":"Socket URL has
    /// expired"}}` and closes; Socket Mode closes without `hello`), so the
    /// client reconnects with a fresh URL.
    pub fn reset(&self) {
        self.inner.reset();
    }

    /// Back to the seeded (or shaped) workspace only: RTM and Socket Mode
    /// connections closed, URLs handed out before refused (as with
    /// [`reset`](Self::reset)), undelivered Socket Mode envelopes, response
    /// URLs and OAuth codes and tokens dropped. The journal, faults,
    /// fixtures and expectations stay.
    pub fn reset_workspace(&self) {
        let mut st = self.inner.lock();
        self.inner.reset_workspace_in(&mut st);
    }

    /// Empties the journal only: calls, frames, what the waits returned
    /// and fixture misses. Expectations count the calls kept from then on.
    /// The workspace, connections, faults and fixtures stay.
    pub fn reset_journal(&self) {
        let mut st = self.inner.lock();
        self.inner.reset_journal_in(&mut st);
    }

    // ----- journal -----

    /// Every Web API call so far, in order.
    pub fn calls(&self) -> Vec<Call> {
        self.inner.lock().journal.calls().cloned().collect()
    }

    /// Every call to `method` so far.
    pub fn calls_to(&self, method: &str) -> Vec<Call> {
        self.inner
            .lock()
            .journal
            .calls()
            .filter(|c| c.method == method)
            .cloned()
            .collect()
    }

    /// Every frame RTM clients sent so far.
    pub fn frames(&self) -> Vec<Frame> {
        self.inner.lock().journal.frames().cloned().collect()
    }

    /// The next call to `method` this method has not returned yet, waiting up to 5 s.
    ///
    /// Successive waits for the same method return successive calls.
    ///
    /// # Panics
    /// On timeout, with the caller's line, how many calls to `method` earlier
    /// waits returned, the methods called since, and the journal.
    #[track_caller]
    pub fn wait_for_call(&self, method: &str) -> impl Future<Output = Call> + Send + '_ {
        self.wait_for_call_timeout(method, DEFAULT_WAIT)
    }

    /// [`wait_for_call`](Self::wait_for_call) with a timeout of your choosing.
    ///
    /// # Panics
    /// As [`wait_for_call`](Self::wait_for_call).
    #[track_caller]
    pub fn wait_for_call_timeout(
        &self,
        method: &str,
        timeout: Duration,
    ) -> impl Future<Output = Call> + Send + '_ {
        let at = Location::caller();
        let method = method.to_string();
        async move {
            let got = self.wait(timeout, |st| st.journal.take_call(&method)).await;
            got.unwrap_or_else(|| {
                let st = self.inner.lock();
                panic!(
                    "slack-testkit: at {at}: no call to {method} within {timeout:?}; {}; journal:\n{}",
                    st.journal.calls_missed(&method),
                    st.journal.snapshot()
                )
            })
        }
    }

    /// Fails if `method` is called within `duration`: "no further call".
    ///
    /// It waits the whole `duration` when nothing comes, and fails as soon
    /// as a call comes. Calls already returned by
    /// [`wait_for_call`](Self::wait_for_call) do not count; an earlier call
    /// no wait returned does, so take the calls you expect first:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// use std::time::Duration;
    /// let reply = slack.wait_for_call("chat.postMessage").await;
    /// // The bot answers once, not once per retry.
    /// slack.expect_quiet("chat.postMessage", Duration::from_millis(200)).await;
    /// # }
    /// ```
    ///
    /// # Panics
    /// When a call to `method` comes, naming the caller's line and the call.
    #[track_caller]
    pub fn expect_quiet(
        &self,
        method: &str,
        duration: Duration,
    ) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        let method = method.to_string();
        async move {
            let came = self
                .wait(duration, |st| st.journal.peek_call(&method).cloned())
                .await;
            if let Some(call) = came {
                panic!(
                    "slack-testkit: at {at}: expected no call to {method} within {duration:?}, \
                     got #{}: {}",
                    call.seq,
                    call.summary()
                );
            }
        }
    }

    /// The next client frame of that `type` (`"*"` for any) not returned yet, waiting up to 5 s.
    ///
    /// Successive waits for the same type return successive frames; each
    /// type (and `"*"`) keeps its own place, so `wait_for_frame("ping")`
    /// after `wait_for_frame("message")` still returns the first ping.
    /// These are frames the client sent (acks, pings, messages); what the
    /// fake sends is what your client receives.
    ///
    /// # Panics
    /// On timeout, with the caller's line, the frames sent since the last
    /// one of that type returned, and the journal.
    #[track_caller]
    pub fn wait_for_frame(&self, kind: &str) -> impl Future<Output = Frame> + Send + '_ {
        self.wait_for_frame_timeout(kind, DEFAULT_WAIT)
    }

    /// [`wait_for_frame`](Self::wait_for_frame) with a timeout of your choosing.
    ///
    /// # Panics
    /// As [`wait_for_frame`](Self::wait_for_frame).
    #[track_caller]
    pub fn wait_for_frame_timeout(
        &self,
        kind: &str,
        timeout: Duration,
    ) -> impl Future<Output = Frame> + Send + '_ {
        let at = Location::caller();
        let kind = kind.to_string();
        async move {
            let got = self.wait(timeout, |st| st.journal.take_frame(&kind)).await;
            got.unwrap_or_else(|| {
                let st = self.inner.lock();
                panic!(
                    "slack-testkit: at {at}: no `{kind}` frame within {timeout:?}; {}; journal:\n{}",
                    st.journal.frames_missed(&kind),
                    st.journal.snapshot()
                )
            })
        }
    }

    /// Runs `probe` whenever the state changes (and every few milliseconds,
    /// for changes nothing signals) until it returns a value or `timeout`
    /// passes; then one last probe.
    pub(crate) async fn wait<T>(
        &self,
        timeout: Duration,
        mut probe: impl FnMut(&mut State) -> Option<T>,
    ) -> Option<T> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(v) = probe(&mut self.inner.lock()) {
                return Some(v);
            }
            let now = tokio::time::Instant::now();
            if now >= deadline {
                return probe(&mut self.inner.lock());
            }
            let tick = deadline.min(now + Duration::from_millis(20));
            let _ = tokio::time::timeout_at(tick, notified).await;
        }
    }

    /// The journal as stable text, one line per call or frame, tokens left out:
    /// made for `insta::assert_snapshot!`.
    pub fn journal_snapshot(&self) -> String {
        self.inner.lock().journal.snapshot()
    }

    // ----- expectations -----

    /// Expects calls to `method`: at least one unless refined with `.times(n)` etc.
    /// Checked by [`verify`](Self::verify) and when the fake is dropped.
    /// A failed expectation names the line that set it up.
    #[track_caller]
    pub fn expect(&self, method: &str) -> Expectation<'_> {
        let at = Location::caller();
        let mut st = self.inner.lock();
        st.expectations.push(ExpectRule {
            method: method.to_string(),
            min: 1,
            max: usize::MAX,
            at,
        });
        let index = st.expectations.len() - 1;
        Expectation { slack: self, index }
    }

    /// Unmet expectations and requests no fixture answered, as messages.
    pub fn problems(&self) -> Vec<String> {
        let st = self.inner.lock();
        let mut out = Vec::new();
        for e in &st.expectations {
            let n = st.journal.calls().filter(|c| c.method == e.method).count();
            if n < e.min || n > e.max {
                let want = match (e.min, e.max) {
                    (a, b) if a == b => format!("exactly {a}"),
                    (a, usize::MAX) => format!("at least {a}"),
                    (a, b) => format!("between {a} and {b}"),
                };
                out.push(format!(
                    "expected {want} call(s) to {}, got {n} (expectation set at {})",
                    e.method, e.at
                ));
            }
        }
        out.extend(st.setup_errors.iter().cloned());
        out.extend(st.misses.iter().cloned());
        out
    }

    /// Checks expectations and fixture misses.
    ///
    /// # Panics
    /// With every problem found, naming the caller's line.
    #[track_caller]
    pub fn verify(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            tokio::task::yield_now().await;
            let problems = self.problems();
            if !problems.is_empty() {
                panic!(
                    "slack-testkit: at {at}: verification failed:\n- {}",
                    problems.join("\n- ")
                );
            }
        }
    }
}

impl Drop for FakeSlack {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.ws_thread.take() {
            let _ = t.join();
        }
        drop(self.server.take());
        if std::thread::panicking() {
            return;
        }
        let problems = self.problems();
        if !problems.is_empty() {
            panic!(
                "slack-testkit: verification failed:\n- {}",
                problems.join("\n- ")
            );
        }
    }
}
