//! `FakeSlack`: the handle a test holds, and where every endpoint is
//! mounted. The shared state is `state.rs`; each child module is the server
//! side of one face (the Web API, the journal, a feature): it locks the
//! state, hands the feature module its own part, and delivers what comes
//! back. Features never import the server.

use std::future::Future;
use std::net::SocketAddr;
use std::panic::Location;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use serde_json::Value;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio_tungstenite::WebSocketStream;
use wiremock::matchers::{method, path, path_regex};
use wiremock::{Mock, MockServer};

use crate::faults::{Fault, FaultId, FaultRule, InvalidFault, RtmFault, RtmScope};
use crate::fixtures::Fixture;
use crate::simulator::files::UPLOAD_METHOD;
use crate::ws;

mod admin;
mod admin_drive;
mod api;
mod builder;
mod clock;
pub(crate) mod drivers;
mod files;
mod oauth;
mod rtm;
pub(crate) mod slash;
mod socket_mode;
mod state;
mod views;
mod waits;
mod webhooks;

pub use builder::{FakeSlackBuilder, StartError};
pub use clock::FakeClock;
pub(crate) use state::{ExpectRule, Inner, State};
pub use waits::Expectation;

use api::{Api, api_method, api_reset_call, reset_mock};

/// How long `wait_for_call`/`wait_for_frame` wait by default.
pub const DEFAULT_WAIT: Duration = Duration::from_secs(5);

/// Mounts every endpoint: the admin API first, then what Slack serves
/// outside `/api/` (webhooks, response URLs, the OAuth page, uploads), then
/// `/api/{method}`, whose injected connection resets come before its answers.
async fn mount(server: &MockServer, inner: &Arc<Inner>) {
    let mocks = [
        Mock::given(path_regex("^/_testkit/"))
            .respond_with(admin::Admin(inner.clone()))
            .with_priority(1)
            .named("slack-testkit admin"),
        Mock::given(path_regex("^/services/"))
            .respond_with(webhooks::Endpoint(inner.clone()))
            .with_priority(2)
            .named("slack-testkit incoming webhooks"),
        Mock::given(path_regex("^/commands/"))
            .respond_with(slash::ResponseUrlEndpoint(inner.clone()))
            .with_priority(2)
            .named("slack-testkit response URLs"),
        Mock::given(method("GET"))
            .and(path("/oauth/v2/authorize"))
            .respond_with(oauth::Authorize(inner.clone()))
            .with_priority(2)
            .named("slack-testkit OAuth authorize"),
        reset_mock(
            inner,
            "^/upload/v1/",
            |_| UPLOAD_METHOD.to_string(),
            |req| files::upload_call(req, 0, Value::Null),
        )
        .with_priority(2)
        .named("slack-testkit upload reset"),
        Mock::given(path_regex("^/upload/v1/"))
            .respond_with(files::Upload(inner.clone()))
            .with_priority(3)
            .named("slack-testkit upload"),
        Mock::given(path_regex("^/files-pri/"))
            .respond_with(files::Download(inner.clone()))
            .with_priority(3)
            .named("slack-testkit file download"),
        reset_mock(inner, "^/api/", api_method, api_reset_call)
            .with_priority(u8::MAX - 1)
            .named("slack-testkit connection reset"),
        Mock::given(path_regex("^/api/"))
            .respond_with(Api(inner.clone()))
            .with_priority(u8::MAX)
            .named("slack-testkit"),
    ];
    for mock in mocks {
        mock.mount(server).await;
    }
}

/// Serves one websocket: `/link` is Socket Mode, anything else RTM.
async fn socket(inner: Arc<Inner>, ws: WebSocketStream<TcpStream>, path: String) {
    let ticket = ws::ticket_of(&path);
    if path.starts_with("/link") {
        socket_mode::connection(ws, inner, ticket).await
    } else {
        rtm::connection(ws, inner, ticket).await
    }
}

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
    /// (the `bot_events` of its [`Manifest`](crate::Manifest)). An event naming a
    /// conversation the workspace does not have goes to everyone.
    /// Returns how many RTM clients got it.
    pub async fn push_event(&self, event: Value) -> usize {
        self.inner.lock().broadcast(&event, None)
    }

    /// How many RTM clients are connected.
    pub fn rtm_clients(&self) -> usize {
        self.inner.lock().rtm.clients()
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
                .wait(DEFAULT_WAIT, |st| (st.rtm.clients() >= n).then_some(()))
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
            let probe = |st: &mut State| st.rtm.connected(&st.workspace.tickets);
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
