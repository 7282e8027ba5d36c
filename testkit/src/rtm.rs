//! The RTM websocket face: hello, pushes, acks, pings, transcripts.

use std::sync::Arc;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, oneshot};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::server::{Request, Response};

use crate::fixtures::{Step, Transcript, json_contains};
use crate::journal::Entry;
use crate::request::arg_matches;
use crate::server::{Client, Inner, Out};
use crate::simulator::BOT_USER;

/// Runs the websocket server on its own thread and runtime until `shutdown`.
pub(crate) fn run(
    listener: std::net::TcpListener,
    inner: Arc<Inner>,
    shutdown: oneshot::Receiver<()>,
) {
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
            _ = accept_loop(listener, inner) => {}
        }
    });
    // Dropping the runtime here ends every connection task and closes their sockets.
}

async fn accept_loop(listener: TcpListener, inner: Arc<Inner>) {
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let _ = stream.set_nodelay(true);
        tokio::spawn(connection(stream, inner.clone()));
    }
}

async fn connection(stream: TcpStream, inner: Arc<Inner>) {
    let mut path = String::new();
    // The error type is tungstenite's; it is never built here.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| {
        path = req.uri().to_string();
        Ok(resp)
    };
    let Ok(ws) = tokio_tungstenite::accept_hdr_async(stream, callback).await else {
        return;
    };
    let ticket = url::Url::parse(&format!("ws://x{path}"))
        .ok()
        .and_then(|u| {
            u.query_pairs()
                .find(|(k, _)| k == "ticket")
                .map(|(_, v)| v.into_owned())
        });
    if path.starts_with("/link") {
        return crate::socket_mode::serve(ws, inner, ticket).await;
    }
    let (tx, mut rx) = mpsc::unbounded_channel();
    let admitted = {
        let mut st = inner.lock();
        // Handed out before a reset: refused, as Slack refuses an expired URL.
        if ticket
            .as_ref()
            .is_some_and(|t| st.stale_tickets.contains(t))
        {
            None
        } else {
            Some(admit(&mut st, ticket, &tx))
        }
    };
    let Some((id, user, transcript, faults)) = admitted else {
        let (mut sink, _) = ws.split();
        let expired =
            json!({"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}});
        let _ = sink.send(Message::text(expired.to_string())).await;
        let _ = write_out(&mut sink, Some(Out::Close)).await;
        return;
    };
    inner.changed.notify_waiters();
    let start_seq = inner.lock().journal.next_seq();
    let (mut sink, mut stream) = ws.split();
    match &transcript {
        Some(t) => {
            tokio::spawn(run_transcript(
                t.clone(),
                inner.clone(),
                id,
                start_seq,
                tx.clone(),
            ));
        }
        None => {
            let _ = tx.send(Out::Text(json!({"type": "hello"}).to_string()));
        }
    }
    if !faults.is_empty() {
        // Scoped faults for new connections (see `RtmScope`), after `hello`.
        let mut st = inner.lock();
        if let Some(c) = st.clients.iter_mut().find(|c| c.id == id) {
            for f in &faults {
                c.apply(f);
            }
        }
    }
    loop {
        tokio::select! {
            out = rx.recv() => if !write_out(&mut sink, out).await {
                break;
            },
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Text(text))) => {
                    for reply in on_client_frame(&inner, id, &user, text.as_str(), transcript.is_some()) {
                        let _ = tx.send(Out::Text(reply));
                    }
                }
                Some(Ok(Message::Ping(p))) => {
                    let _ = sink.send(Message::Pong(p)).await;
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    inner.lock().clients.retain(|c| c.id != id);
    inner.changed.notify_waiters();
}

/// Registers a new RTM connection: its id, whom it acts as (from its
/// ticket; the bot without one), its transcript, and the scoped faults it gets.
fn admit(
    st: &mut crate::server::State,
    ticket: Option<String>,
    tx: &mpsc::UnboundedSender<Out>,
) -> (usize, String, Option<Transcript>, Vec<crate::RtmFault>) {
    st.connections += 1;
    let id = st.connections;
    let user = ticket
        .and_then(|t| {
            let user = st.workspace.tickets.get(&t).cloned()?;
            st.rtm_redeemed.insert(t);
            Some(user)
        })
        .unwrap_or_else(|| BOT_USER.to_string());
    let transcript = st.fixtures.transcripts.get(id - 1).cloned();
    let faults = Inner::take_rtm_rules(st);
    st.clients.push(Client {
        id,
        tx: tx.clone(),
        user: user.clone(),
        leaving: false,
        no_pong: false,
    });
    (id, user, transcript, faults)
}

/// Journals a client frame and returns the frames to send back to that client.
/// Writes one queued [`Out`] to a client's socket (RTM or Socket Mode);
/// `false` once the connection is over: closed, dropped, or the write failed.
pub(crate) async fn write_out<S>(sink: &mut S, out: Option<Out>) -> bool
where
    S: futures_util::Sink<Message> + Unpin,
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

fn on_client_frame(
    inner: &Inner,
    conn: usize,
    user: &str,
    text: &str,
    scripted: bool,
) -> Vec<String> {
    let frame = inner.record_frame(conn, text);
    let v = &frame.json;
    let id = v.get("id").cloned().unwrap_or(Value::Null);
    let mut st = inner.lock();
    match frame.kind() {
        Some("ping") => {
            if st.clients.iter().any(|c| c.id == conn && c.no_pong) {
                return Vec::new();
            }
            // Slack echoes the ping's other fields (such as `time`) in the pong.
            let mut pong = v.clone();
            pong["type"] = json!("pong");
            pong["reply_to"] = id;
            if let Some(m) = pong.as_object_mut() {
                m.remove("id");
            }
            vec![pong.to_string()]
        }
        _ if scripted => Vec::new(),
        Some("message") => {
            let channel = v.get("channel").and_then(Value::as_str).unwrap_or("");
            let body = v.get("text").and_then(Value::as_str).unwrap_or("");
            let thread = v.get("thread_ts").and_then(Value::as_str);
            if body.is_empty() {
                return vec![rtm_error(&id, 2, "message text is missing")];
            }
            match st.workspace.post_as_user(user, channel, body, thread) {
                Ok((message, events)) => {
                    for e in &events {
                        st.broadcast(e, Some(conn));
                    }
                    vec![
                        json!({"ok": true, "reply_to": id, "ts": message["ts"], "text": body})
                            .to_string(),
                    ]
                }
                Err(code) => vec![rtm_error(&id, 1, &code)],
            }
        }
        Some("typing") => Vec::new(),
        Some(_) => Vec::new(),
        None if v.is_null() => {
            vec![json!({"type": "error", "error": {"code": 1, "msg": "invalid JSON"}}).to_string()]
        }
        None => vec![rtm_error(&id, 3, "missing type")],
    }
}

fn rtm_error(id: &Value, code: i64, msg: &str) -> String {
    json!({"ok": false, "reply_to": id, "error": {"code": code, "msg": msg}}).to_string()
}

/// Replays a transcript on one connection: each `send` after the anchors before it.
async fn run_transcript(
    t: Transcript,
    inner: Arc<Inner>,
    conn: usize,
    start_seq: usize,
    tx: mpsc::UnboundedSender<Out>,
) {
    let mut cursor = start_seq;
    let mut last_id = Value::Null;
    for step in t.steps {
        match step {
            Step::Send(frame) => {
                let frame = substitute(frame, &last_id);
                if tx.send(Out::Text(frame.to_string())).is_err() {
                    return;
                }
            }
            Step::Close => {
                let _ = tx.send(Out::Close);
                return;
            }
            Step::ExpectClient(want) => {
                let found = wait_entry(&inner, &mut cursor, |e| match e {
                    Entry::Frame(f) if f.connection == conn && json_contains(&f.json, &want) => {
                        Some(f.json.get("id").cloned().unwrap_or(Value::Null))
                    }
                    _ => None,
                })
                .await;
                last_id = found;
            }
            Step::ExpectCall { method, args } => {
                wait_entry(&inner, &mut cursor, |e| match e {
                    Entry::Call(c)
                        if c.method == method
                            && args
                                .iter()
                                .all(|(k, v)| c.args.get(k).is_some_and(|a| arg_matches(a, v))) =>
                    {
                        Some(())
                    }
                    _ => None,
                })
                .await;
            }
        }
    }
}

/// Waits for a journal entry after `cursor` that `pick` accepts; moves the cursor past it.
async fn wait_entry<T>(
    inner: &Inner,
    cursor: &mut usize,
    mut pick: impl FnMut(&Entry) -> Option<T>,
) -> T {
    loop {
        let notified = inner.changed.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        {
            let st = inner.lock();
            while *cursor < st.journal.entries.len() {
                let e = &st.journal.entries[*cursor];
                *cursor += 1;
                if let Some(v) = pick(e) {
                    return v;
                }
            }
            // A reset empties the journal: start over from its beginning.
            if *cursor > st.journal.entries.len() {
                *cursor = 0;
            }
        }
        notified.await;
    }
}

fn substitute(v: Value, id: &Value) -> Value {
    match v {
        Value::String(s) if s == "$id" => id.clone(),
        Value::Array(items) => Value::Array(items.into_iter().map(|i| substitute(i, id)).collect()),
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| (k, substitute(v, id)))
                .collect::<serde_json::Map<_, _>>(),
        ),
        other => other,
    }
}
