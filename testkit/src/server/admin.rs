//! The admin API under `/_testkit/`, for bots written in other languages.
//!
//! | request | effect |
//! |---|---|
//! | `POST /_testkit/event` (JSON event) | pushes it to every RTM client |
//! | `POST /_testkit/message` `{"user","channel","text","thread_ts"?}` | a person posts a message |
//! | `POST /_testkit/fault` `{"method","fault":{..},"times"?,"after"?}` or `{"rtm":{..},"scope"?}` or `{"socket_mode":{..}}` | injects a fault; an HTTP fault answers its `id`; an RTM `scope` is `"open"` (default), `"all"` or `{"next":n}` |
//! | `POST /_testkit/clear_fault` `{"id"}` | removes that HTTP fault only (`cleared`: whether it was still pending) |
//! | `POST /_testkit/clear_faults` | removes every HTTP and lasting RTM fault; journal and workspace stay |
//! | `GET /_testkit/journal` | calls and frames kept so far (`dropped`: how many the `--journal-limit` let go), and the text snapshot |
//! | `POST /_testkit/reset` | back to the start: workspace, journal, faults, expectations, fixtures added |
//! | `POST /_testkit/reset_journal` | empties the journal only |
//! | `POST /_testkit/reset_workspace` | back to the seeded workspace only (connections closed); journal and faults stay |
//! | `GET /_testkit/clock` | the fake clock: `now` (Unix seconds, a float) and `ts` (the same as a Slack timestamp) |
//! | `POST /_testkit/clock/advance` `{"seconds": 3.5}` | moves the clock forward; answers the new `now` and `ts` |
//! | `POST /_testkit/trigger_id` `{"user"?, "view_id"?}` | mints a trigger id for the user (default `U_ALICE`), valid for 3 s of the clock; with `view_id`, as from an interaction in that view (`views.push` pushes onto its stack) |
//!
//! After a reset (or `reset_workspace`), a websocket URL handed out before
//! it is refused: RTM answers `{"type":"error","error":{"code":1,"msg":"Socket
//! URL has expired"}}` and closes, Socket Mode closes without `hello`.
//!
//! Socket Mode faults do to the app's connections what Slack does:
//! `{"socket_mode":{"kind":"disconnect","reason":"refresh_requested"}}` (or
//! `warning`, `link_disabled`, `too_many_websockets`; soft reasons keep the
//! socket open for `grace_millis`, default 1000) and
//! `{"socket_mode":{"kind":"silent"}}` (the sockets stay open and go quiet).

use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

use super::socket_mode::register_app;
use super::{Inner, admin_drive, clock};
use crate::faults::{Fault, FaultId, RtmFault, RtmScope, SocketModeFault};
use crate::journal::Entry;
use crate::manifest::Manifest;

/// `/_testkit/...`: the admin API.
pub(super) struct Admin(pub(super) Arc<Inner>);

fn reply(status: u16, body: Value) -> ResponseTemplate {
    ResponseTemplate::new(status).set_body_json(body)
}

fn bad(msg: impl Into<String>) -> ResponseTemplate {
    reply(400, json!({"ok": false, "error": msg.into()}))
}

/// `{"ok": true}` and the fields of `v`.
fn with_ok(mut v: Value) -> Value {
    v["ok"] = json!(true);
    v
}

/// A driver waits for the app, so it is served off this thread (see
/// `admin_drive.rs`): `307` to the same path on the websocket port, at the
/// host the client used.
fn redirect_to_drivers(inner: &Inner, req: &Request, path: &str) -> ResponseTemplate {
    let port = url::Url::parse(&inner.rtm_url)
        .ok()
        .and_then(|u| u.port())
        .unwrap_or_default();
    let host = req
        .headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .map_or("127.0.0.1", |h| match h.rsplit_once(':') {
            Some((name, _)) if !h.ends_with(']') => name,
            _ => h,
        });
    ResponseTemplate::new(307)
        .insert_header("location", format!("http://{host}:{port}/_testkit/{path}"))
}

impl Respond for Admin {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let inner = &self.0;
        let path = req
            .url
            .path()
            .trim_start_matches("/_testkit/")
            .trim_end_matches('/');
        let body: Value = if req.body.is_empty() {
            Value::Null
        } else {
            match serde_json::from_slice(&req.body) {
                Ok(v) => v,
                Err(e) => return bad(format!("body is not JSON: {e}")),
            }
        };
        if req.method.as_str() == "POST" && admin_drive::DRIVERS.contains(&path) {
            return redirect_to_drivers(inner, req, path);
        }
        match (req.method.as_str(), path) {
            ("POST", "app") => {
                let manifest = match body.get("manifest") {
                    Some(m @ Value::Object(_)) => serde_json::from_value::<Manifest>(m.clone()),
                    _ => return bad("expected manifest, an app manifest object"),
                };
                let manifest = match manifest {
                    Ok(m) => m,
                    Err(e) => return bad(format!("the manifest does not decode: {e}")),
                };
                if let Some(secret) = body.get("signing_secret").and_then(Value::as_str) {
                    inner.lock().app.signing_secret = secret.into();
                }
                register_app(inner, manifest);
                let secret = inner.lock().app.signing_secret.expose().to_owned();
                reply(
                    200,
                    json!({"ok": true, "app_id": crate::APP_ID, "credentials": {"signing_secret": secret}}),
                )
            }
            ("POST", "event") => {
                if !body.is_object() {
                    return bad("expected a JSON object");
                }
                let n = inner.lock().broadcast(&body, None);
                reply(200, json!({"ok": true, "clients": n}))
            }
            ("POST", "message") => {
                let field = |k: &str| body.get(k).and_then(Value::as_str);
                let (Some(user), Some(channel), Some(text)) =
                    (field("user"), field("channel"), field("text"))
                else {
                    return bad("expected user, channel and text");
                };
                let mut st = inner.lock();
                match st
                    .workspace
                    .post_as_user(user, channel, text, field("thread_ts"))
                {
                    Ok((message, events)) => {
                        for e in &events {
                            st.broadcast(e, None);
                        }
                        reply(200, json!({"ok": true, "message": message}))
                    }
                    Err(code) => reply(200, json!({"ok": false, "error": code})),
                }
            }
            ("POST", "fault") => {
                if let Some(sm) = body.get("socket_mode") {
                    return match serde_json::from_value::<SocketModeFault>(sm.clone()) {
                        Ok(f) => reply(
                            200,
                            json!({"ok": true, "connections": inner.lock().socket_mode.apply_fault(&f)}),
                        ),
                        Err(e) => bad(format!("bad socket_mode fault: {e}")),
                    };
                }
                if let Some(rtm) = body.get("rtm") {
                    let scope = match body.get("scope") {
                        None | Some(Value::Null) => RtmScope::Open,
                        Some(v) => match serde_json::from_value::<RtmScope>(v.clone()) {
                            Ok(s) => s,
                            Err(e) => return bad(format!("bad scope: {e}")),
                        },
                    };
                    return match serde_json::from_value::<RtmFault>(rtm.clone()) {
                        Ok(f) => reply(
                            200,
                            json!({"ok": true, "clients": inner.apply_rtm_fault(&f, scope)}),
                        ),
                        Err(e) => bad(format!("bad rtm fault: {e}")),
                    };
                }
                let Some(method) = body.get("method").and_then(Value::as_str) else {
                    return bad("expected method (or rtm, or socket_mode)");
                };
                let fault = match serde_json::from_value::<Fault>(
                    body.get("fault").cloned().unwrap_or(Value::Null),
                ) {
                    Ok(f) => f,
                    Err(e) => return bad(format!("bad fault: {e}")),
                };
                if let Err(e) = fault.check() {
                    return bad(format!("bad fault: {e}"));
                }
                let remaining = match body.get("times") {
                    Some(Value::Null) | None => Some(1),
                    Some(v) if v == "always" => None,
                    Some(v) => match v.as_u64() {
                        Some(n) => Some(usize::try_from(n.max(1)).unwrap_or(usize::MAX)),
                        None => return bad("times must be a number or \"always\""),
                    },
                };
                let skip = body.get("after").and_then(Value::as_u64).unwrap_or(0);
                let id = inner.lock().faults.add(
                    method,
                    fault,
                    usize::try_from(skip).unwrap_or(usize::MAX),
                    remaining,
                );
                reply(200, json!({"ok": true, "id": id.get()}))
            }
            ("POST", "clear_fault") => {
                let Some(id) = body.get("id").and_then(Value::as_u64) else {
                    return bad("expected id, a number from /_testkit/fault");
                };
                let cleared = inner.lock().faults.clear(FaultId(id));
                reply(200, json!({"ok": true, "cleared": cleared}))
            }
            ("POST", "clear_faults") => {
                inner.clear_faults();
                reply(200, json!({"ok": true}))
            }
            ("GET", "journal") => {
                let st = inner.lock();
                let entries: Vec<Value> = st
                    .journal
                    .entries
                    .iter()
                    .filter_map(|e| match e {
                        Entry::Call(c) => Some(json!({
                            "kind": "call", "seq": c.seq, "method": c.method, "http_method": c.http_method,
                            "args": c.args, "token_kind": c.token_kind, "status": c.status,
                            "response": c.response, "source": c.source,
                        })),
                        Entry::Frame(f) => Some(json!({
                            "kind": "frame", "seq": f.seq, "connection": f.connection, "text": f.text,
                        })),
                        Entry::Dropped => None,
                    })
                    .collect();
                let dropped = st.journal.next_seq() - entries.len();
                reply(
                    200,
                    json!({"ok": true, "entries": entries, "dropped": dropped, "snapshot": st.journal.snapshot(), "misses": st.misses}),
                )
            }
            ("POST", "reset") => {
                inner.reset();
                reply(200, json!({"ok": true}))
            }
            ("POST", "reset_journal") => {
                inner.reset_journal_in(&mut inner.lock());
                reply(200, json!({"ok": true}))
            }
            ("POST", "reset_workspace") => {
                inner.reset_workspace_in(&mut inner.lock());
                reply(200, json!({"ok": true}))
            }
            ("GET", "clock") => {
                let now = inner.lock().workspace.clock.json();
                reply(200, with_ok(now))
            }
            ("POST", "clock/advance") => {
                let seconds = body.get("seconds").and_then(Value::as_f64);
                match seconds.and_then(|s| Duration::try_from_secs_f64(s).ok()) {
                    Some(by) => reply(200, with_ok(clock::advance(inner, by))),
                    None => bad("expected seconds, a number of seconds of at least 0"),
                }
            }
            ("POST", "trigger_id") => {
                let user = body
                    .get("user")
                    .and_then(Value::as_str)
                    .unwrap_or(crate::simulator::DEFAULT_USER);
                let view = body.get("view_id").and_then(Value::as_str);
                let st = &mut *inner.lock();
                let now = st.workspace.clock.now_micros();
                let id = st.views.mint_trigger(user, view, now);
                reply(200, json!({"ok": true, "trigger_id": id}))
            }
            _ => reply(404, json!({"ok": false, "error": "unknown_admin_endpoint"})),
        }
    }
}
