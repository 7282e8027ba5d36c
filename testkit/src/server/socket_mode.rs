//! The server side of Socket Mode and the Events API (`crate::socket_mode`):
//! one task per `/link` socket, the Events API poster, and the
//! `FakeSlack` methods that drive and wait on the app.

use std::collections::BTreeMap;
use std::future::Future;
use std::panic::Location;
use std::sync::{Arc, Weak};
use std::time::Duration;

use serde_json::{Value, json};
use slack_api::inbound::signing::Signer;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;

use super::{DEFAULT_WAIT, FakeSlack, Inner, State};
use crate::SlashInvocation;
use crate::faults::SocketModeFault;
use crate::http::record_endpoint;
use crate::journal::Entry;
use crate::manifest::{Kind, Manifest};
use crate::socket_mode::{EVENTS_API_POST, ack_of};
use crate::ws::{self, Peer};

/// Serves one Socket Mode socket (opened with `ticket`) until it closes.
pub(super) async fn connection(
    ws: WebSocketStream<TcpStream>,
    inner: Arc<Inner>,
    ticket: Option<String>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let (silence, silenced) = oneshot::channel();
    let admitted = {
        let st = &mut *inner.lock();
        if st.socket_mode.is_stale(ticket.as_deref()) {
            None
        } else {
            let id = st.next_connection();
            Some((id, st.socket_mode.admit(id, &tx, silence)))
        }
    };
    // Handed out before a reset: closed without `hello`, so the app asks
    // `apps.connections.open` for a fresh URL.
    let Some((id, redelivery)) = admitted else {
        return ws::refuse(ws, None).await;
    };
    inner.changed.notify_waiters();
    let tick = (redelivery / 4).max(Duration::from_millis(5));
    let mut peer = AppPeer { inner: &inner, id };
    ws::serve(ws, rx, Some(silenced), Some(tick), &mut peer).await;
    inner.lock().socket_mode.leave(id);
    inner.changed.notify_waiters();
}

/// The app on one Socket Mode connection, as the socket loop sees it.
struct AppPeer<'a> {
    inner: &'a Inner,
    id: usize,
}

impl Peer for AppPeer<'_> {
    fn text(&mut self, text: &str) {
        // Journaled and settled under one lock: a waiter sees the ack and
        // its envelope gone together.
        self.inner
            .record_frame_then(self.id, text, |st, frame| st.socket_mode.on_frame(frame));
    }

    fn ping(&mut self) {
        self.inner.lock().socket_mode.on_ping();
    }

    fn tick(&mut self) {
        self.inner.lock().socket_mode.redeliver_due();
    }
}

/// POSTs each Events API payload, signed, to `url`, journaling the answer.
async fn http_worker(
    inner: Weak<Inner>,
    url: String,
    secret: String,
    mut rx: mpsc::UnboundedReceiver<String>,
) {
    let client = reqwest::Client::new();
    while let Some(body) = rx.recv().await {
        let signed = Signer::new(&secret).sign_now(body.as_bytes());
        let r = client
            .post(&url)
            .header("content-type", "application/json")
            .header(
                slack_api::inbound::signing::TIMESTAMP_HEADER,
                &signed.timestamp,
            )
            .header(
                slack_api::inbound::signing::SIGNATURE_HEADER,
                &signed.signature,
            )
            .body(body.clone())
            .timeout(Duration::from_secs(3))
            .send()
            .await;
        let (status, text) = match r {
            Ok(resp) => {
                let s = resp.status().as_u16();
                (s, resp.text().await.unwrap_or_default())
            }
            Err(e) => (0, e.to_string()),
        };
        let Some(inner) = inner.upgrade() else { return };
        {
            let mut st = inner.lock();
            let mut args = BTreeMap::new();
            args.insert("body".to_string(), body);
            record_endpoint(
                &mut st.journal,
                EVENTS_API_POST,
                "POST",
                args,
                status,
                json!(text),
            );
        }
        inner.changed.notify_waiters();
    }
}

/// Socket Mode and the Events API.
impl FakeSlack {
    /// How many Socket Mode connections are open.
    pub fn socket_mode_clients(&self) -> usize {
        self.inner.lock().socket_mode.clients()
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until `n` Socket Mode connections are open.
    ///
    /// # Panics
    /// On timeout, naming the caller's line and how many were open.
    #[track_caller]
    pub fn wait_for_socket_mode_clients(&self, n: usize) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    (st.socket_mode.clients() >= n).then_some(())
                })
                .await;
            if ok.is_none() {
                panic!(
                    "slack-testkit: at {at}: timed out after {DEFAULT_WAIT:?} waiting for {n} \
                     Socket Mode connection(s); {} open",
                    self.socket_mode_clients()
                );
            }
        }
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until the app is connected over Socket
    /// Mode and stable: at least one connection is open, neither told to go
    /// away (`disconnect`) nor silent ([`SocketModeFault::Silent`]), and every
    /// URL `apps.connections.open` handed out has been used, so no reconnect
    /// is under way. Use it after a fault instead of sleeping until the app
    /// is back:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// use slack_testkit::SocketModeFault;
    /// slack.wait_for_socket_mode_connected().await;
    /// slack.socket_mode_fault(SocketModeFault::disconnect("link_disabled"));
    /// slack.wait_for_socket_mode_connected().await; // the app reconnected
    /// assert_eq!(slack.calls_to("apps.connections.open").len(), 2);
    /// # }
    /// ```
    ///
    /// # Panics
    /// On timeout, naming the caller's line, the connections and the URLs
    /// not used yet.
    #[track_caller]
    pub fn wait_for_socket_mode_connected(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let probe = |st: &mut State| st.socket_mode.connected();
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    let (live, _, unused) = probe(st);
                    (live > 0 && unused == 0).then_some(())
                })
                .await;
            if ok.is_none() {
                let (live, other, unused) = probe(&mut self.inner.lock());
                panic!(
                    "slack-testkit: at {at}: no stable Socket Mode connection within \
                     {DEFAULT_WAIT:?}: {live} live, {other} told to disconnect or silent, \
                     {unused} apps.connections.open URL(s) not used yet"
                );
            }
        }
    }

    /// How long an unacked envelope waits before it is redelivered with a
    /// higher `retry_attempt` (default 1 s; Slack waits a few seconds).
    /// Applies to connections opened afterwards.
    pub fn set_socket_mode_redelivery(&self, delay: Duration) {
        self.inner.lock().socket_mode.set_redelivery(delay);
    }

    /// Sends an envelope of `kind` (`events_api`, `slash_commands`,
    /// `interactive`, or anything) with `payload`; returns its `envelope_id`.
    pub fn push_envelope(
        &self,
        kind: &str,
        payload: Value,
        accepts_response_payload: bool,
    ) -> String {
        self.inner
            .lock()
            .socket_mode
            .push(kind, payload, accepts_response_payload)
    }

    /// Runs slash command `command` with `text` as Alice in `C_GENERAL`
    /// over Socket Mode, with a fresh [`trigger_id`](Self::trigger_id) and
    /// a `response_url` the fake answers; returns the `envelope_id`
    /// ([`run_command`](Self::run_command) also waits for the ack).
    ///
    /// # Panics
    /// When the workspace no longer has Alice in `C_GENERAL`.
    pub fn socket_mode_slash_command(&self, command: &str, text: &str) -> String {
        match self.push_command(&SlashInvocation::new(command, text, "")) {
            Ok(id) => id,
            Err(e) => panic!("slack-testkit: cannot run {command}: {e}"),
        }
    }

    /// Sends `disconnect` with `reason` to every Socket Mode connection.
    /// For `warning` and `refresh_requested` the sockets stay open for
    /// `grace`, then close (as Slack does); for other reasons they close now.
    pub fn socket_mode_disconnect(&self, reason: &str, grace: Duration) -> usize {
        self.inner.lock().socket_mode.disconnect(reason, grace)
    }

    /// Injects a Socket Mode fault on the open connections; returns how many
    /// were affected. See [`SocketModeFault`].
    pub fn socket_mode_fault(&self, fault: SocketModeFault) -> usize {
        self.inner.lock().socket_mode.apply_fault(&fault)
    }

    /// Websocket pings received from Socket Mode apps so far (the fake
    /// answers each with a pong unless the connection is silent).
    pub fn socket_mode_pings(&self) -> usize {
        self.inner.lock().socket_mode.pings()
    }

    /// Envelopes sent but not yet acknowledged.
    pub fn pending_envelopes(&self) -> usize {
        self.inner.lock().socket_mode.pending()
    }

    /// Waits (up to [`DEFAULT_WAIT`]) for the client's ack of `envelope_id`
    /// and returns the ack frame (with its `payload`, if any).
    ///
    /// # Panics
    /// On timeout, naming the caller's line and the envelopes the app did ack.
    #[track_caller]
    pub fn wait_for_ack(&self, envelope_id: &str) -> impl Future<Output = Value> + Send + '_ {
        let at = Location::caller();
        let envelope_id = envelope_id.to_string();
        async move {
            let got = self
                .wait(DEFAULT_WAIT, |st| {
                    st.journal.entries.iter().find_map(|e| match e {
                        Entry::Frame(f) if ack_of(f) == Some(envelope_id.as_str()) => {
                            Some(f.json.clone())
                        }
                        _ => None,
                    })
                })
                .await;
            got.unwrap_or_else(|| {
                let acked: Vec<String> = self
                    .frames()
                    .iter()
                    .filter_map(|f| ack_of(f).map(str::to_string))
                    .collect();
                panic!(
                    "slack-testkit: at {at}: no ack of {envelope_id} within {DEFAULT_WAIT:?}; \
                     acked so far: {}; {}",
                    if acked.is_empty() {
                        "none".to_string()
                    } else {
                        acked.join(", ")
                    },
                    self.inner.lock().socket_mode.describe_pending()
                )
            })
        }
    }

    /// Waits (up to [`DEFAULT_WAIT`]) until every envelope sent so far (by
    /// [`push_envelope`](Self::push_envelope), a slash command, or a
    /// workspace change) has been acked, redeliveries included. Use it where
    /// a test would otherwise sleep before checking what the app did:
    ///
    /// ```no_run
    /// # async fn f(slack: slack_testkit::FakeSlack) {
    /// slack.post_as_user("U_ALICE", "C_GENERAL", "deploy").await;
    /// slack.wait_for_all_acks().await;
    /// assert_eq!(slack.pending_envelopes(), 0);
    /// # }
    /// ```
    ///
    /// # Panics
    /// On timeout, naming the caller's line and each envelope still unacked.
    #[track_caller]
    pub fn wait_for_all_acks(&self) -> impl Future<Output = ()> + Send + '_ {
        let at = Location::caller();
        async move {
            let ok = self
                .wait(DEFAULT_WAIT, |st| {
                    (st.socket_mode.pending() == 0).then_some(())
                })
                .await;
            if ok.is_none() {
                let sm = &mut self.inner.lock().socket_mode;
                panic!(
                    "slack-testkit: at {at}: envelopes not acked within {DEFAULT_WAIT:?}; {}; \
                     {} Socket Mode connection(s) open",
                    sm.describe_pending(),
                    sm.clients()
                );
            }
        }
    }

    /// Registers the app under test from its [`Manifest`] once the fake
    /// runs, replacing the one registered before: see
    /// [`FakeSlackBuilder::app`](crate::FakeSlackBuilder::app). With Socket
    /// Mode off, workspace changes are POSTed from now on to
    /// `settings.event_subscriptions.request_url` (journaled as
    /// [`EVENTS_API_POST`] calls with the app's status and body). Must be
    /// called inside a tokio runtime.
    pub fn set_app(&self, manifest: Manifest) {
        register_app(&self.inner, manifest);
    }

    /// The app's signing secret, which the fake signs its HTTP deliveries
    /// with: give it to the app (`App::into_router`). One per fake, the
    /// same for the same [`seed`](crate::FakeSlackBuilder::seed).
    pub fn signing_secret(&self) -> String {
        self.inner.lock().app.signing_secret.expose().to_owned()
    }
}

/// [`FakeSlack::set_app`], for the builder and the admin API too.
pub(crate) fn register_app(inner: &Arc<Inner>, manifest: Manifest) {
    let st = &mut *inner.lock();
    let events_url = manifest
        .url_for(Kind::Event)
        .ok()
        .filter(|_| !manifest.settings.socket_mode_enabled);
    let http = events_url.map(|url| {
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(http_worker(
            Arc::downgrade(inner),
            url.to_owned(),
            st.app.signing_secret.expose().to_owned(),
            rx,
        ));
        tx
    });
    st.socket_mode.set_http(http);
    st.app.manifest = Some(manifest);
}
