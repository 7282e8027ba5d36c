//! The server side of RTM (`crate::rtm`): one task per RTM socket, and
//! transcript replay.

use std::sync::Arc;

use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;

use super::Inner;
use crate::fixtures::{Step, Transcript, json_contains};
use crate::journal::Entry;
use crate::request::arg_matches;
use crate::ws::{self, Out, Peer};

/// Serves one RTM socket (opened with `ticket`) until it closes.
pub(super) async fn connection(
    ws: WebSocketStream<TcpStream>,
    inner: Arc<Inner>,
    ticket: Option<String>,
) {
    let (tx, rx) = mpsc::unbounded_channel();
    let admitted = {
        let st = &mut *inner.lock();
        // Handed out before a reset: refused, as Slack refuses an expired URL.
        if st.rtm.is_stale(ticket.as_deref()) {
            None
        } else {
            let id = st.next_connection();
            let (user, faults) = st.rtm.admit(id, ticket, &st.workspace.tickets, &tx);
            let transcript = st.fixtures.transcripts.get(id - 1).cloned();
            if transcript.is_none() {
                // Queued while the connection becomes visible, so nothing a
                // test sends it once it is (a goodbye, an event) can overtake
                // `hello`. A transcript says its own hello.
                let _ = tx.send(Out::Text(json!({"type": "hello"}).to_string()));
            }
            Some((id, user, transcript, faults))
        }
    };
    let Some((id, user, transcript, faults)) = admitted else {
        let expired =
            json!({"type": "error", "error": {"code": 1, "msg": "Socket URL has expired"}});
        return ws::refuse(ws, Some(expired.to_string())).await;
    };
    inner.changed.notify_waiters();
    let start_seq = inner.lock().journal.next_seq();
    if let Some(t) = &transcript {
        tokio::spawn(run_transcript(
            t.clone(),
            inner.clone(),
            id,
            start_seq,
            tx.clone(),
        ));
    }
    if !faults.is_empty() {
        // Scoped faults for new connections (see `RtmScope`), after `hello`.
        inner.lock().rtm.apply_to(id, &faults);
    }
    let mut peer = RtmPeer {
        inner: &inner,
        id,
        user,
        scripted: transcript.is_some(),
        tx,
    };
    ws::serve(ws, rx, None, None, &mut peer).await;
    inner.lock().rtm.leave(id);
    inner.changed.notify_waiters();
}

/// One RTM client, as the socket loop sees it.
struct RtmPeer<'a> {
    inner: &'a Inner,
    id: usize,
    user: String,
    scripted: bool,
    tx: mpsc::UnboundedSender<Out>,
}

impl Peer for RtmPeer<'_> {
    /// Journals the frame, answers it, and passes on what it caused.
    fn text(&mut self, text: &str) {
        let frame = self.inner.record_frame(self.id, text);
        let st = &mut *self.inner.lock();
        let (replies, events) = st.rtm.on_frame(
            &mut st.workspace,
            self.id,
            &self.user,
            &frame,
            self.scripted,
        );
        for e in &events {
            st.broadcast(e, Some(self.id));
        }
        for reply in replies {
            let _ = self.tx.send(Out::Text(reply));
        }
    }
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
