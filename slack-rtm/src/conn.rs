//! The websocket machinery shared by Slack's websocket protocols: connect and
//! wait for the greeting, keepalive, acknowledged sends, reconnect with
//! backoff, clean shutdown.
//!
//! A protocol (RTM, Socket Mode) plugs in through [`Protocol`]: how to get a
//! fresh URL, how to judge the first frame, what a ping looks like and what
//! each incoming frame means. Everything else lives here once.
//!
//! Nothing here waits without a bound: every write gives up after the write
//! timeout (the connection is then dropped and reopened), an optional idle
//! limit drops a socket that has gone quiet, and the event queue is bounded
//! ([`crate::queue`]) without ever making the connection task wait on it.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use slack_api::Secret;
use slack_api::web::retry::Sleeper;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;

use crate::error::{Result, RtmError};
use crate::observe::{Direction, Observer};
use crate::policy::ReconnectPolicy;
use crate::queue::{self, Full};
pub(crate) use crate::queue::{Delivered, Output};
use crate::ws::Ws;
use crate::{DisconnectReason, Lifecycle};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
type AckTx = oneshot::Sender<Result<serde_json::Value>>;

/// Timing and reconnect settings of one client.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) ack_timeout: Duration,
    pub(crate) hello_timeout: Duration,
    /// How long one write may take before the connection is dropped.
    pub(crate) write_timeout: Duration,
    /// Drop the connection when nothing at all was received for this long.
    pub(crate) idle_timeout: Option<Duration>,
    /// How many events the stream holds, and what happens when it is full.
    pub(crate) queue_capacity: usize,
    pub(crate) queue_policy: Full,
    pub(crate) reconnect: ReconnectPolicy,
    pub(crate) sleeper: Arc<dyn Sleeper>,
    /// Sees every text frame sent and received.
    pub(crate) observer: Option<Observer>,
}

impl Settings {
    fn observe(&self, direction: Direction, text: &str) {
        if let Some(o) = &self.observer {
            o.call(direction, text);
        }
    }
}

/// What a websocket protocol tells the shared machinery.
pub(crate) trait Protocol: Send + 'static {
    /// What the stream yields.
    type Item: Send + 'static;

    /// Obtains a fresh websocket URL (called on every reconnect).
    fn open(&mut self) -> BoxFuture<Result<Secret>>;

    /// Judges the first text frame on a new socket (the greeting).
    fn check_first_frame(&mut self, text: &str) -> Result<()>;

    /// The ping to send every ping interval; `id` is fresh.
    fn ping(&mut self, id: u64) -> Ping;

    /// What an incoming text frame means.
    fn classify(&mut self, text: &str) -> Inbound<Self::Item>;

    /// The error to end with instead of reconnecting after losing the
    /// socket for `reason`, when reconnecting cannot help.
    fn fatal(&mut self, _reason: &DisconnectReason) -> Option<RtmError> {
        None
    }

    /// A frame to send at once in answer to the frame just classified,
    /// before its item is handed on (Socket Mode acks); called until `None`.
    fn take_reply(&mut self) -> Option<String> {
        None
    }
}

/// What keepalive sends.
pub(crate) enum Ping {
    /// An application-level ping frame, answered by an [`Inbound::Pong`]
    /// within the pong timeout (RTM).
    Text(String),
    /// A websocket ping; liveness is judged by the idle timeout (Socket Mode).
    Websocket,
}

/// The meaning of one incoming frame.
pub(crate) enum Inbound<T> {
    /// Hand to the application.
    Item(T),
    /// Resolves the pending send with this id.
    Ack {
        id: u64,
        result: Result<serde_json::Value>,
    },
    /// Answer to our ping.
    Pong,
    /// The server wants us gone: reconnect.
    Disconnect(DisconnectReason),
    /// The server will close this socket soon: open the next one now and
    /// keep serving this one until the next is up, so nothing is lost.
    Refresh(DisconnectReason),
    /// Undecodable: reported, and the stream goes on.
    Malformed(RtmError),
    /// Nothing to do.
    Ignore,
}

enum Command {
    Send {
        frame: String,
        ack: Option<(u64, AckTx)>,
    },
    Shutdown {
        done: oneshot::Sender<()>,
    },
}

/// The sending side: cheap to clone, usable from any task.
#[derive(Clone)]
pub(crate) struct Handle {
    cmd: mpsc::UnboundedSender<Command>,
    next_id: Arc<AtomicU64>,
    ack_timeout: Duration,
    sleeper: Arc<dyn Sleeper>,
}

impl Handle {
    /// A fresh frame id, unique for the client's lifetime.
    pub(crate) fn next_id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    /// Queues a frame that expects no answer.
    pub(crate) fn send(&self, frame: String) -> Result<()> {
        self.cmd
            .send(Command::Send { frame, ack: None })
            .map_err(|_| RtmError::Closed)
    }

    /// Sends a frame carrying `id` and waits for the ack (or the timeout).
    pub(crate) fn request(
        &self,
        id: u64,
        frame: String,
    ) -> impl Future<Output = Result<serde_json::Value>> + Send + 'static {
        let (tx, rx) = oneshot::channel();
        let queued = self.cmd.send(Command::Send {
            frame,
            ack: Some((id, tx)),
        });
        // Start the clock now: the timeout covers queueing, writing and the ack.
        let timeout = self.sleeper.sleep(self.ack_timeout);
        let after = self.ack_timeout;
        async move {
            if queued.is_err() {
                return Err(RtmError::Closed);
            }
            tokio::select! {
                r = rx => r.unwrap_or(Err(RtmError::Closed)),
                () = timeout => Err(RtmError::AckTimeout { id, after }),
            }
        }
    }

    /// Asks the driver to close the socket and stop; waits until it has.
    pub(crate) async fn shutdown(&self) {
        let (done, wait) = oneshot::channel();
        if self.cmd.send(Command::Shutdown { done }).is_ok() {
            let _ = wait.await;
        }
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.cmd.is_closed()
    }
}

/// Connects to `url`, waits for the greeting, and starts the background task.
pub(crate) async fn start<P: Protocol>(
    mut protocol: P,
    settings: Settings,
    url: Secret,
) -> Result<(Handle, queue::Receiver<P::Item>)> {
    let ws = establish(&url, &settings, &mut protocol).await?;
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (out_tx, out_rx) = queue::channel(settings.queue_capacity, settings.queue_policy);
    let next_id = Arc::new(AtomicU64::new(1));
    let handle = Handle {
        cmd: cmd_tx,
        next_id: next_id.clone(),
        ack_timeout: settings.ack_timeout,
        sleeper: settings.sleeper.clone(),
    };
    let driver = Driver {
        protocol,
        settings,
        cmd_rx,
        out: out_tx,
        next_id,
        pending: HashMap::new(),
        next: None,
    };
    tokio::spawn(driver.run(ws));
    Ok((handle, out_rx))
}

/// Opens the socket and waits for the greeting, all within the hello timeout.
async fn establish<P: Protocol>(url: &Secret, settings: &Settings, protocol: &mut P) -> Result<Ws> {
    let target = redact(url);
    let result = match connect_raw(url, settings).await {
        Ok((ws, first)) => protocol.check_first_frame(&first).map(|()| ws),
        Err(e) => Err(e),
    };
    match &result {
        Ok(_) => tracing::info!(url = %target, "connected"),
        Err(e) => tracing::warn!(url = %target, error = %e, "connect failed"),
    }
    result
}

/// Opens the socket and reads its first text frame, within the hello timeout.
async fn connect_raw(url: &Secret, settings: &Settings) -> Result<(Ws, String)> {
    tracing::debug!(url = %redact(url), "opening websocket");
    let work = async {
        let mut ws = crate::ws::open(url).await?;
        loop {
            match ws.next().await {
                Some(Ok(Message::Text(t))) => {
                    settings.observe(Direction::Incoming, t.as_str());
                    return Ok((ws, t.as_str().to_owned()));
                }
                Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => continue,
                Some(Ok(Message::Binary(_))) => {
                    return Err(RtmError::UnexpectedFirstFrame {
                        kind: "a binary frame".into(),
                    });
                }
                Some(Ok(Message::Close(_))) | None => {
                    return Err(RtmError::UnexpectedFirstFrame {
                        kind: "the socket closing".into(),
                    });
                }
                Some(Err(e)) => return Err(RtmError::transport(e)),
            }
        }
    };
    let after = settings.hello_timeout;
    tokio::select! {
        r = work => r,
        () = settings.sleeper.sleep(after) => Err(RtmError::HelloTimeout { after }),
    }
}

/// Scheme and host only: the path and query of Slack's websocket URLs carry
/// the connection ticket, which must not reach logs.
pub(crate) fn redact(url: &Secret) -> String {
    match url::Url::parse(url.expose()) {
        Ok(u) => format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or("?")),
        Err(_) => "<unparsable url>".to_owned(),
    }
}

/// Why one connection ended.
enum End {
    Lost(DisconnectReason),
    /// A refresh's next socket is up and greeted: switch to it.
    Replaced(Box<Ws>, DisconnectReason),
    Shutdown(oneshot::Sender<()>),
    /// Nobody is listening or sending any more.
    Abandoned,
}

/// Why the reconnect loop stopped without a socket.
enum Stop {
    Shutdown(oneshot::Sender<()>),
    GaveUp(Option<RtmError>),
    Abandoned,
}

/// A successor socket being opened, with its first frame.
type NextSocket = oneshot::Receiver<Result<(Ws, String)>>;

struct Driver<P: Protocol> {
    protocol: P,
    settings: Settings,
    cmd_rx: mpsc::UnboundedReceiver<Command>,
    out: queue::Sender<P::Item>,
    next_id: Arc<AtomicU64>,
    pending: HashMap<u64, AckTx>,
    /// The socket being opened after a refresh request, with its first frame.
    next: Option<(DisconnectReason, NextSocket)>,
}

/// Writes one frame, giving up after the write timeout: a peer that stops
/// reading must not hold the connection task (keepalive, shutdown) forever.
async fn write(ws: &mut Ws, settings: &Settings, msg: Message) -> std::result::Result<(), End> {
    let after = settings.write_timeout;
    tokio::select! {
        r = ws.send(msg) => r.map_err(|e| End::Lost(DisconnectReason::Transport(e.to_string()))),
        () = settings.sleeper.sleep(after) => Err(End::Lost(DisconnectReason::WriteTimeout { after })),
    }
}

/// Closes the socket politely if that completes within the write timeout.
async fn close(ws: &mut Ws, settings: &Settings) {
    tokio::select! {
        _ = ws.close(None) => {}
        () = settings.sleeper.sleep(settings.write_timeout) => {
            tracing::debug!("close handshake timed out; dropping the socket");
        }
    }
}

/// A timer that never fires, for a disabled idle limit.
fn never() -> BoxFuture<()> {
    Box::pin(std::future::pending())
}

impl<P: Protocol> Driver<P> {
    async fn run(mut self, mut ws: Ws) {
        self.emit(Ok(Delivered::Lifecycle(Lifecycle::Connected)));
        loop {
            let end = self.serve(&mut ws).await;
            self.fail_pending(|| RtmError::Disconnected);
            match end {
                End::Replaced(new, reason) => {
                    // Only now, with the next socket up, let the old one go.
                    close(&mut ws, &self.settings).await;
                    ws = *new;
                    tracing::info!(%reason, "switched to a fresh connection");
                    self.emit(Ok(Delivered::Lifecycle(Lifecycle::Disconnected { reason })));
                    self.emit(Ok(Delivered::Lifecycle(Lifecycle::Reconnected)));
                }
                End::Lost(reason) => {
                    tracing::warn!(%reason, "disconnected");
                    drop(ws);
                    let fatal = self.protocol.fatal(&reason);
                    self.emit(Ok(Delivered::Lifecycle(Lifecycle::Disconnected { reason })));
                    if let Some(err) = fatal {
                        tracing::error!(error = %err, "not reconnecting");
                        self.emit(Err(err));
                        return;
                    }
                    let next = match self.next.take() {
                        // A refresh was already opening the next socket: use it.
                        Some((_, rx)) => match idle_while(&mut self.cmd_rx, &self.out, rx).await {
                            Ok(Ok(Ok((new, first)))) => self
                                .protocol
                                .check_first_frame(&first)
                                .ok()
                                .map(|()| Ok(new)),
                            Ok(_) => None,
                            Err(stop) => Some(Err(stop)),
                        },
                        None => None,
                    };
                    let next = match next {
                        Some(r) => r,
                        None => self.reconnect().await,
                    };
                    match next {
                        Ok(new) => {
                            ws = new;
                            tracing::info!("reconnected");
                            self.emit(Ok(Delivered::Lifecycle(Lifecycle::Reconnected)));
                        }
                        Err(Stop::Shutdown(done)) => {
                            self.finish(done);
                            return;
                        }
                        Err(Stop::GaveUp(err)) => {
                            if let Some(err) = err {
                                tracing::error!(error = %err, "stopped reconnecting");
                                self.emit(Err(err));
                            }
                            return;
                        }
                        Err(Stop::Abandoned) => return,
                    }
                }
                End::Shutdown(done) => {
                    close(&mut ws, &self.settings).await;
                    tracing::info!("shut down");
                    self.finish(done);
                    return;
                }
                End::Abandoned => {
                    close(&mut ws, &self.settings).await;
                    tracing::debug!("client dropped; closing");
                    return;
                }
            }
        }
    }

    fn emit(&self, item: Output<P::Item>) {
        // Never waits; a dropped stream is fine: sending may go on without it.
        self.out.push(item);
    }

    fn fail_pending(&mut self, err: impl Fn() -> RtmError) {
        for (_, tx) in self.pending.drain() {
            let _ = tx.send(Err(err()));
        }
    }

    fn finish(mut self, done: oneshot::Sender<()>) {
        // Refuse whatever was queued behind the shutdown.
        self.cmd_rx.close();
        while let Ok(cmd) = self.cmd_rx.try_recv() {
            match cmd {
                Command::Send {
                    ack: Some((_, tx)), ..
                } => {
                    let _ = tx.send(Err(RtmError::Closed));
                }
                Command::Send { ack: None, .. } => {}
                Command::Shutdown { done } => {
                    let _ = done.send(());
                }
            }
        }
        drop(self.out);
        let _ = done.send(());
    }

    /// Runs one live connection until it ends.
    async fn serve(&mut self, ws: &mut Ws) -> End {
        match self.serve_inner(ws).await {
            Ok(never) => match never {},
            Err(end) => end,
        }
    }

    async fn serve_inner(
        &mut self,
        ws: &mut Ws,
    ) -> std::result::Result<std::convert::Infallible, End> {
        let sleeper = self.settings.sleeper.clone();
        let idle_after = self.settings.idle_timeout;
        let arm_idle = || match idle_after {
            Some(d) => sleeper.sleep(d),
            None => never(),
        };
        let mut timer = sleeper.sleep(self.settings.ping_interval);
        let mut idle = arm_idle();
        let mut awaiting_pong = false;
        let mut senders_alive = true;
        // Reading stops while a backpressured queue is full.
        let backpressure = self.settings.queue_policy == Full::Wait;
        let mut paused = false;
        loop {
            let reading = !backpressure || self.out.has_room();
            if reading && paused {
                // Frames waited in the socket, unread: the idle clock starts over.
                paused = false;
                idle = arm_idle();
                tracing::debug!("event queue has room again; reading resumes");
            } else if !reading && !paused {
                paused = true;
                tracing::debug!("event queue full; reading pauses");
            }
            tokio::select! {
                frame = ws.next(), if reading => {
                    if frame.as_ref().is_some_and(|f| f.is_ok()) {
                        idle = arm_idle();
                    }
                    match frame {
                        Some(Ok(Message::Text(t))) => self.on_text(ws, t.as_str(), &mut awaiting_pong, &mut timer).await?,
                        Some(Ok(Message::Binary(b))) => {
                            let e = RtmError::Malformed(crate::error::MalformedFrame::new(
                                &format!("<{} binary bytes>", b.len()),
                                "unexpected binary frame",
                            ));
                            self.emit(Err(e));
                        }
                        // tungstenite answers websocket pings itself.
                        Some(Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_))) => {}
                        Some(Ok(Message::Close(frame))) => {
                            return Err(End::Lost(DisconnectReason::Closed {
                                code: frame.as_ref().map(|f| u16::from(f.code)),
                                reason: frame.map(|f| f.reason.to_string()).filter(|r| !r.is_empty()),
                            }));
                        }
                        None => return Err(End::Lost(DisconnectReason::Closed { code: None, reason: None })),
                        Some(Err(e)) => return Err(End::Lost(DisconnectReason::Transport(e.to_string()))),
                    }
                }
                () = self.out.room(), if !reading => {}
                cmd = self.cmd_rx.recv(), if senders_alive => match cmd {
                    Some(Command::Send { frame, ack }) => {
                        if let Some((id, tx)) = ack {
                            // Forget sends whose caller gave up (timed out).
                            self.pending.retain(|_, tx| !tx.is_closed());
                            self.pending.insert(id, tx);
                        }
                        self.settings.observe(Direction::Outgoing, &frame);
                        write(ws, &self.settings, Message::text(frame)).await?;
                    }
                    Some(Command::Shutdown { done }) => return Err(End::Shutdown(done)),
                    None => {
                        if self.out.is_closed() {
                            return Err(End::Abandoned);
                        }
                        senders_alive = false;
                    }
                },
                () = self.out.closed(), if !senders_alive => return Err(End::Abandoned),
                r = async {
                    match self.next.as_mut() {
                        Some((_, rx)) => rx.await,
                        None => std::future::pending().await,
                    }
                } => {
                    let reason = self.next.take().map(|(r, _)| r);
                    let reason = reason.unwrap_or(DisconnectReason::Closed { code: None, reason: None });
                    match r {
                        Ok(Ok((new, first))) => match self.protocol.check_first_frame(&first) {
                            Ok(()) => return Err(End::Replaced(Box::new(new), reason)),
                            Err(e) => tracing::warn!(error = %e, "next connection refused"),
                        },
                        Ok(Err(e)) => tracing::warn!(error = %e, "next connection failed"),
                        Err(_) => {}
                    }
                }
                () = &mut idle, if reading => {
                    let after = idle_after.unwrap_or_default();
                    return Err(End::Lost(DisconnectReason::Idle { after }));
                }
                () = &mut timer => {
                    if awaiting_pong {
                        return Err(End::Lost(DisconnectReason::MissedPong));
                    }
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    match self.protocol.ping(id) {
                        Ping::Text(ping) => {
                            self.settings.observe(Direction::Outgoing, &ping);
                            write(ws, &self.settings, Message::text(ping)).await?;
                            awaiting_pong = true;
                            timer = sleeper.sleep(self.settings.pong_timeout);
                        }
                        Ping::Websocket => {
                            write(ws, &self.settings, Message::Ping(Default::default())).await?;
                            timer = sleeper.sleep(self.settings.ping_interval);
                        }
                    }
                }
            }
        }
    }

    /// Handles one incoming text frame.
    async fn on_text(
        &mut self,
        ws: &mut Ws,
        text: &str,
        awaiting_pong: &mut bool,
        timer: &mut BoxFuture<()>,
    ) -> std::result::Result<(), End> {
        self.settings.observe(Direction::Incoming, text);
        let inbound = self.protocol.classify(text);
        // Answers (acks) go out before the item is handed on.
        while let Some(reply) = self.protocol.take_reply() {
            self.settings.observe(Direction::Outgoing, &reply);
            write(ws, &self.settings, Message::text(reply)).await?;
        }
        match inbound {
            Inbound::Item(item) => self.emit(Ok(Delivered::Item(item))),
            Inbound::Ack { id, result } => match self.pending.remove(&id) {
                Some(tx) => {
                    let _ = tx.send(result);
                }
                None => tracing::debug!(id, "ack for no pending send"),
            },
            Inbound::Pong => {
                if *awaiting_pong {
                    *awaiting_pong = false;
                    *timer = self.settings.sleeper.sleep(self.settings.ping_interval);
                }
            }
            Inbound::Disconnect(reason) => return Err(End::Lost(reason)),
            Inbound::Refresh(reason) => {
                if self.next.is_none() {
                    tracing::info!(%reason, "opening the next connection");
                    let open = self.protocol.open();
                    let settings = self.settings.clone();
                    let (tx, rx) = oneshot::channel();
                    tokio::spawn(async move {
                        let r = match open.await {
                            Ok(url) => connect_raw(&url, &settings).await,
                            Err(e) => Err(e),
                        };
                        let _ = tx.send(r);
                    });
                    self.next = Some((reason, rx));
                }
            }
            Inbound::Malformed(e) => {
                tracing::warn!(error = %e, "malformed frame");
                self.emit(Err(e));
            }
            Inbound::Ignore => {}
        }
        Ok(())
    }

    /// Reconnects with backoff; meanwhile refuses sends and honours shutdown.
    async fn reconnect(&mut self) -> std::result::Result<Ws, Stop> {
        let policy = self.settings.reconnect.clone();
        let mut last = None;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            if !policy.allows(attempt) {
                let err = if policy.is_enabled() {
                    Some(RtmError::ReconnectFailed {
                        attempts: attempt - 1,
                        last: Box::new(last.unwrap_or(RtmError::Disconnected)),
                    })
                } else {
                    None
                };
                return Err(Stop::GaveUp(err));
            }
            let delay = policy.delay(attempt);
            tracing::info!(attempt, ?delay, "reconnecting");
            self.emit(Ok(Delivered::Lifecycle(Lifecycle::Reconnecting {
                attempt,
                delay,
            })));
            let pause = self.settings.sleeper.sleep(delay);
            idle_while(&mut self.cmd_rx, &self.out, pause).await?;

            let open = self.protocol.open();
            let settings = &self.settings;
            let protocol = &mut self.protocol;
            let connect = async move {
                let url = open.await?;
                establish(&url, settings, protocol).await
            };
            match idle_while(&mut self.cmd_rx, &self.out, connect).await? {
                Ok(ws) => return Ok(ws),
                Err(e) if e.is_fatal() => return Err(Stop::GaveUp(Some(e))),
                Err(e) => last = Some(e),
            }
        }
    }
}

/// Drives `fut` while answering commands: sends fail (there is no socket),
/// a shutdown stops everything.
async fn idle_while<T, I, F: Future<Output = T>>(
    cmd_rx: &mut mpsc::UnboundedReceiver<Command>,
    out: &queue::Sender<I>,
    fut: F,
) -> std::result::Result<T, Stop> {
    tokio::pin!(fut);
    let mut senders_alive = true;
    loop {
        tokio::select! {
            r = &mut fut => return Ok(r),
            cmd = cmd_rx.recv(), if senders_alive => match cmd {
                Some(Command::Send { ack: Some((_, tx)), .. }) => {
                    let _ = tx.send(Err(RtmError::Disconnected));
                }
                Some(Command::Send { ack: None, .. }) => {}
                Some(Command::Shutdown { done }) => return Err(Stop::Shutdown(done)),
                None if out.is_closed() => return Err(Stop::Abandoned),
                None => senders_alive = false,
            },
            () = out.closed(), if !senders_alive => return Err(Stop::Abandoned),
        }
    }
}
