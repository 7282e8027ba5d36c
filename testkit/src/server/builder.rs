//! [`FakeSlackBuilder`]: the options of a fake, and starting it.

use std::future::Future;
use std::panic::Location;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use slack_api::Secret;
use tokio::sync::{Notify, oneshot};
use wiremock::MockServer;

use super::{FakeSlack, Inner, State, admin_drive, mount, socket};
use crate::app::AppState;
use crate::faults::Faults;
use crate::fixtures::{Fixture, FixtureError, FixtureSet};
use crate::http::opaque;
use crate::journal::Journal;
use crate::manifest::Manifest;
use crate::rtm::RtmState;
use crate::simulator::{self, Workspace};
use crate::ws;

/// The signing secret's place in [`opaque`]'s sequence, apart from the
/// webhooks' (1,000 on), commands' (2,000 on) and OAuth's (5,000 on).
const SIGNING_SECRET_COUNTER: u64 = 9_000;

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
/// - Timestamps come from a fake clock ([`FakeSlack::clock`], moved only by
///   the test: `1700000001.000100`, `1700000002.000100`, ...;
///   [`seed`](Self::seed) shifts it) and new IDs count up (`C00000001`, ...).
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
    app: Option<Manifest>,
    signing_secret: Option<Secret>,
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
            app: None,
            signing_secret: None,
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

    /// Registers the app under test as Slack knows it, from its
    /// [`Manifest`]: deliveries go over Socket Mode when
    /// `settings.socket_mode_enabled`, otherwise as requests signed with
    /// [`FakeSlack::signing_secret`] to the manifest's event,
    /// interactivity, options and command URLs; only its slash commands
    /// and shortcuts can be run, only its `bot_events` reach it (RTM is not
    /// affected), and a bot token has only its bot scopes (`missing_scope`
    /// otherwise). Without one, the app gets everything over Socket Mode.
    /// [`FakeSlack::set_app`] does the same once the fake runs.
    pub fn app(mut self, manifest: Manifest) -> Self {
        self.app = Some(manifest);
        self
    }

    /// The app's signing secret, instead of one made from the
    /// [`seed`](Self::seed) ([`FakeSlack::signing_secret`]).
    pub fn signing_secret(mut self, secret: impl Into<Secret>) -> Self {
        self.signing_secret = Some(secret.into());
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

        let inner =
            Arc::new(Inner {
                state: Mutex::new(State {
                    workspace,
                    teams: Default::default(),
                    journal: Journal::with_limit(self.journal_limit),
                    faults: Faults::default(),
                    rtm: RtmState::default(),
                    connections: 0,
                    resets: 0,
                    fixtures: set.clone(),
                    misses: Vec::new(),
                    setup_errors: Vec::new(),
                    expectations: Vec::new(),
                    hooks: Default::default(),
                    response_urls: Default::default(),
                    oauth: Default::default(),
                    socket_mode: Default::default(),
                    views: Default::default(),
                    app: AppState::new(self.signing_secret.unwrap_or_else(|| {
                        Secret::new(opaque(self.seed, SIGNING_SECRET_COUNTER, 32))
                    })),
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
        mount(&server, &inner).await;

        let (shutdown, rx) = oneshot::channel();
        let ws_inner = inner.clone();
        let on_socket = move |ws, path: String| socket(ws_inner.clone(), ws, path);
        let http_inner = inner.clone();
        let on_http = move |stream| admin_drive::serve(http_inner.clone(), stream);
        let ws_thread = std::thread::Builder::new()
            .name("slack-testkit-rtm".into())
            .spawn(move || ws::run(ws_listener, rx, on_socket, on_http))
            .map_err(StartError::Io)?;

        if let Some(manifest) = self.app {
            super::socket_mode::register_app(&inner, manifest);
        }
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
