//! The websocket server RTM and Socket Mode share: one listener on its own
//! thread, the handshake, and the loop that moves frames between a socket
//! and its connection. What a frame means is the protocol's business
//! ([`Peer`]); this module knows only websockets. A connection that opens
//! with a `POST` is not a websocket: it goes to the caller as it is (the
//! admin API's drivers, which wait for the app, are served here, off the
//! Web API's thread).

use std::future::Future;
use std::time::Duration;

use futures_util::{Sink, SinkExt, StreamExt};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

/// What the fake sends to one connection.
#[derive(Debug)]
pub(crate) enum Out {
    Text(String),
    /// Send a close frame, then end the connection.
    Close,
    /// End the connection without a close frame.
    Drop,
}

/// Serves websockets on `listener` from a thread and runtime of its own
/// until `shutdown`; each accepted socket goes to `on_socket` with its
/// request path (and query), each `POST` connection to `on_http`.
pub(crate) fn run<F, Fut, H, HFut>(
    listener: std::net::TcpListener,
    shutdown: oneshot::Receiver<()>,
    on_socket: F,
    on_http: H,
) where
    F: Fn(WebSocketStream<TcpStream>, String) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
    H: Fn(TcpStream) -> HFut + Clone + Send + 'static,
    HFut: Future<Output = ()> + Send + 'static,
{
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    rt.block_on(async move {
        let Ok(listener) = TcpListener::from_std(listener) else {
            return;
        };
        tokio::select! {
            _ = shutdown => {}
            _ = accept_loop(listener, on_socket, on_http) => {}
        }
    });
    // Dropping the runtime here ends every connection task and closes their sockets.
}

async fn accept_loop<F, Fut, H, HFut>(listener: TcpListener, on_socket: F, on_http: H)
where
    F: Fn(WebSocketStream<TcpStream>, String) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = ()> + Send + 'static,
    H: Fn(TcpStream) -> HFut + Clone + Send + 'static,
    HFut: Future<Output = ()> + Send + 'static,
{
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        let (on_socket, on_http) = (on_socket.clone(), on_http.clone());
        tokio::spawn(async move {
            // A websocket handshake is a GET; peeking leaves it unread.
            let mut head = [0u8; 5];
            match stream.peek(&mut head).await {
                Ok(5) if &head == b"POST " => on_http(stream).await,
                _ => accept(stream, on_socket).await,
            }
        });
    }
}

/// The handshake, in the connection's own task, then the connection.
async fn accept<F, Fut>(stream: TcpStream, on_socket: F)
where
    F: Fn(WebSocketStream<TcpStream>, String) -> Fut,
    Fut: Future<Output = ()>,
{
    let mut path = String::new();
    // The error type is tungstenite's; it is never built here.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| {
        path = req.uri().to_string();
        Ok(resp)
    };
    if let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await {
        on_socket(ws, path).await;
    }
}

/// The `ticket` query parameter of a socket's request path.
pub(crate) fn ticket_of(path: &str) -> Option<String> {
    let url = url::Url::parse(&format!("ws://x{path}")).ok()?;
    url.query_pairs()
        .find(|(k, _)| k == "ticket")
        .map(|(_, v)| v.into_owned())
}

/// What a connection does with what its client sends.
pub(crate) trait Peer {
    /// A text frame from the client.
    fn text(&mut self, text: &str);
    /// A websocket ping from the client, before the pong goes out.
    fn ping(&mut self) {}
    /// Called every `tick` given to [`serve`].
    fn tick(&mut self) {}
}

/// Moves frames until the connection ends: what arrives on `rx` goes to
/// the socket, what the client sends goes to `peer`, pings get pongs.
/// Once `silenced` fires, the socket stays open and nothing is read or
/// sent (half-open) until the fake closes it.
pub(crate) async fn serve<S>(
    ws: WebSocketStream<S>,
    mut rx: mpsc::UnboundedReceiver<Out>,
    mut silenced: Option<oneshot::Receiver<()>>,
    tick: Option<Duration>,
    peer: &mut impl Peer,
) where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut sink, mut stream) = ws.split();
    let mut ticker = tick.map(tokio::time::interval);
    loop {
        tokio::select! {
            // Silence first: a frame read after the fault went silent must
            // not be answered, whichever woke the task.
            biased;
            Some(Ok(())) = maybe(silenced.as_mut()) => {
                while let Some(out) = rx.recv().await {
                    if !matches!(out, Out::Text(_)) {
                        break;
                    }
                }
                break;
            }
            out = rx.recv() => if !write_out(&mut sink, out).await {
                break;
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => peer.text(text.as_str()),
                Some(Ok(Message::Ping(p))) => {
                    peer.ping();
                    let _ = sink.send(Message::Pong(p)).await;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
            Some(_) = maybe(ticker.as_mut().map(|t| t.tick())) => peer.tick(),
        }
    }
}

/// `f`'s output, or never when there is no `f`.
async fn maybe<F: Future>(f: Option<F>) -> Option<F::Output> {
    match f {
        Some(f) => Some(f.await),
        None => std::future::pending().await,
    }
}

/// Refuses a socket: sends `first` (if any), then a close frame.
pub(crate) async fn refuse<S>(ws: WebSocketStream<S>, first: Option<String>)
where
    S: AsyncRead + AsyncWrite + Unpin,
{
    let (mut sink, _) = ws.split();
    if let Some(text) = first {
        let _ = sink.send(Message::text(text)).await;
    }
    let _ = write_out(&mut sink, Some(Out::Close)).await;
}

/// Writes one queued [`Out`] to a socket; `false` once the connection is
/// over: closed, dropped, or the write failed.
async fn write_out<S>(sink: &mut S, out: Option<Out>) -> bool
where
    S: Sink<Message> + Unpin,
{
    match out {
        Some(Out::Text(t)) => sink.send(Message::text(t)).await.is_ok(),
        Some(Out::Close) => {
            let _ = sink.send(Message::Close(None)).await;
            let _ = sink.close().await;
            false
        }
        Some(Out::Drop) | None => false,
    }
}
