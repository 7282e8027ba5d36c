//! The websocket machinery shared by Slack's websocket protocols: connect and
//! wait for the greeting, keepalive, acknowledged sends, reconnect with
//! backoff, clean shutdown.
//!
//! A protocol (RTM today, Socket Mode next) plugs in through [`Protocol`]:
//! how to get a fresh URL, how to judge the first frame, what a ping looks
//! like and what each incoming frame means. Everything else lives here once.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use slack_api::retry::Sleeper;
use tokio::net::TcpStream;
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use crate::error::{Result, RtmError};
use crate::observe::{Direction, Observer};
use crate::policy::ReconnectPolicy;
use crate::{DisconnectReason, Lifecycle};

pub(crate) type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send + 'static>>;
type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
type AckTx = oneshot::Sender<Result<serde_json::Value>>;

/// Timing and reconnect settings of one client.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) ping_interval: Duration,
    pub(crate) pong_timeout: Duration,
    pub(crate) ack_timeout: Duration,
    pub(crate) hello_timeout: Duration,
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
    fn open(&mut self) -> BoxFuture<Result<String>>;

    /// Judges the first text frame on a new socket (the greeting).
    fn check_first_frame(&mut self, text: &str) -> Result<()>;

    /// The application-level ping with this id, or `None` when the protocol
    /// relies on websocket pings only.
    fn ping_frame(&mut self, id: u64) -> Option<String>;

    /// What an incoming text frame means.
    fn classify(&mut self, text: &str) -> Inbound<Self::Item>;

    /// A frame to send at once in answer to the frame just classified,
    /// before its item is handed on (Socket Mode acks); called until `None`.
    fn take_reply(&mut self) -> Option<String> {
        None
    }
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

/// What the driver yields before the protocol-specific wrapping.
#[derive(Debug)]
pub(crate) enum Delivered<T> {
    Item(T),
    Lifecycle(Lifecycle),
}

pub(crate) type Output<T> = Result<Delivered<T>>;

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
    url: String,
) -> Result<(Handle, mpsc::UnboundedReceiver<Output<P::Item>>)> {
    let ws = establish(&url, &settings, &mut protocol).await?;
    let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
    let (out_tx, out_rx) = mpsc::unbounded_channel();
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
async fn establish<P: Protocol>(url: &str, settings: &Settings, protocol: &mut P) -> Result<Ws> {
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
async fn connect_raw(url: &str, settings: &Settings) -> Result<(Ws, String)> {
    tracing::debug!(url = %redact(url), "opening websocket");
    let work = async {
        let connector = crate::tls::connector()?;
        let (mut ws, _) =
            tokio_tungstenite::connect_async_tls_with_config(url, None, false, Some(connector))
                .await
                .map_err(RtmError::transport)?;
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
pub(crate) fn redact(url: &str) -> String {
    match url::Url::parse(url) {
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
    out: mpsc::UnboundedSender<Output<P::Item>>,
    next_id: Arc<AtomicU64>,
    pending: HashMap<u64, AckTx>,
    /// The socket being opened after a refresh request, with its first frame.
    next: Option<(DisconnectReason, NextSocket)>,
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
                    let _ = ws.close(None).await;
                    ws = *new;
                    tracing::info!(%reason, "switched to a fresh connection");
                    self.emit(Ok(Delivered::Lifecycle(Lifecycle::Disconnected { reason })));
                    self.emit(Ok(Delivered::Lifecycle(Lifecycle::Reconnected)));
                }
                End::Lost(reason) => {
                    tracing::warn!(%reason, "disconnected");
                    drop(ws);
                    self.emit(Ok(Delivered::Lifecycle(Lifecycle::Disconnected { reason })));
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
                    let _ = ws.close(None).await;
                    tracing::info!("shut down");
                    self.finish(done);
                    return;
                }
                End::Abandoned => {
                    let _ = ws.close(None).await;
                    tracing::debug!("client dropped; closing");
                    return;
                }
            }
        }
    }

    fn emit(&self, item: Output<P::Item>) {
        // A dropped stream is fine: sending may go on without it.
        let _ = self.out.send(item);
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
        let sleeper = self.settings.sleeper.clone();
        let mut timer = sleeper.sleep(self.settings.ping_interval);
        let mut awaiting_pong = false;
        let mut senders_alive = true;
        loop {
            tokio::select! {
                frame = ws.next() => match frame {
                    Some(Ok(Message::Text(t))) => {
                    self.settings.observe(Direction::Incoming, t.as_str());
                    let inbound = self.protocol.classify(t.as_str());
                    // Answers (acks) go out before the item is handed on.
                    while let Some(reply) = self.protocol.take_reply() {
                        self.settings.observe(Direction::Outgoing, &reply);
                        if let Err(e) = ws.send(Message::text(reply)).await {
                            return End::Lost(DisconnectReason::Transport(e.to_string()));
                        }
                    }
                    match inbound {
                        Inbound::Item(item) => self.emit(Ok(Delivered::Item(item))),
                        Inbound::Ack { id, result } => match self.pending.remove(&id) {
                            Some(tx) => { let _ = tx.send(result); }
                            None => tracing::debug!(id, "ack for no pending send"),
                        },
                        Inbound::Pong => {
                            if awaiting_pong {
                                awaiting_pong = false;
                                timer = sleeper.sleep(self.settings.ping_interval);
                            }
                        }
                        Inbound::Disconnect(reason) => return End::Lost(reason),
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
                    }
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
                        return End::Lost(DisconnectReason::Closed {
                            code: frame.as_ref().map(|f| u16::from(f.code)),
                            reason: frame.map(|f| f.reason.to_string()).filter(|r| !r.is_empty()),
                        });
                    }
                    None => return End::Lost(DisconnectReason::Closed { code: None, reason: None }),
                    Some(Err(e)) => return End::Lost(DisconnectReason::Transport(e.to_string())),
                },
                cmd = self.cmd_rx.recv(), if senders_alive => match cmd {
                    Some(Command::Send { frame, ack }) => {
                        if let Some((id, tx)) = ack {
                            // Forget sends whose caller gave up (timed out).
                            self.pending.retain(|_, tx| !tx.is_closed());
                            self.pending.insert(id, tx);
                        }
                        self.settings.observe(Direction::Outgoing, &frame);
                        if let Err(e) = ws.send(Message::text(frame)).await {
                            return End::Lost(DisconnectReason::Transport(e.to_string()));
                        }
                    }
                    Some(Command::Shutdown { done }) => return End::Shutdown(done),
                    None => {
                        if self.out.is_closed() {
                            return End::Abandoned;
                        }
                        senders_alive = false;
                    }
                },
                () = self.out.closed(), if !senders_alive => return End::Abandoned,
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
                            Ok(()) => return End::Replaced(Box::new(new), reason),
                            Err(e) => tracing::warn!(error = %e, "next connection refused"),
                        },
                        Ok(Err(e)) => tracing::warn!(error = %e, "next connection failed"),
                        Err(_) => {}
                    }
                }
                () = &mut timer => {
                    if awaiting_pong {
                        return End::Lost(DisconnectReason::MissedPong);
                    }
                    let id = self.next_id.fetch_add(1, Ordering::Relaxed);
                    match self.protocol.ping_frame(id) {
                        Some(ping) => {
                            self.settings.observe(Direction::Outgoing, &ping);
                            if let Err(e) = ws.send(Message::text(ping)).await {
                                return End::Lost(DisconnectReason::Transport(e.to_string()));
                            }
                            awaiting_pong = true;
                            timer = sleeper.sleep(self.settings.pong_timeout);
                        }
                        None => timer = sleeper.sleep(self.settings.ping_interval),
                    }
                }
            }
        }
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
async fn idle_while<T, F: Future<Output = T>>(
    cmd_rx: &mut mpsc::UnboundedReceiver<Command>,
    out: &mpsc::UnboundedSender<impl Send>,
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
