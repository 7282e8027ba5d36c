//! The Web API face: `/api/{method}` answered in order by faults, the
//! spec checks, fixtures and the simulated methods (`methods.rs`), each
//! answer journaled.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::matchers::path_regex;
use wiremock::{Match, Mock, Request, Respond, ResponseTemplate};

use super::{Inner, State};
use crate::faults::Fault;
use crate::http::record;
use crate::journal::{Call, Entry};
use crate::methods::{self, Handler};
use crate::oauth::OauthCall;
use crate::request::{self, Decoded};
use crate::simulator::{self, args::Args, views::ViewCall};
use crate::validate;

impl Inner {
    /// Answers one Web API request; the heart of the HTTP face.
    fn answer(&self, req: &Request) -> ResponseTemplate {
        let d = request::decode(req);
        let template = {
            let mut st = self.lock();
            st.oauth.basic = crate::oauth::basic_credentials(req);
            st.oauth.now = st.workspace.clock.now_micros();
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
            && let Err(body) = st.app.check_scopes(spec.bot_scopes, d.token_kind)
        {
            return invalid(body);
        }
        if let Some(spec) = spec
            && let Err(body) = validate::check_args(spec, &d.args)
        {
            return invalid(body);
        }
        if simulated && let Err(body) = validate::check_blocks(&d.method, &d.args) {
            return invalid(body);
        }
        if let Some(body) = st.oauth.check_token(d) {
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
            // A method of the spec the workspace does not simulate and no
            // fixture was given for: say which, and how to answer it.
            Err(_) if !simulated && self.simulate && !has_fixture => {
                let (body, report) = not_simulated(&d.method);
                st.misses.push(report);
                return (200, body, "not_simulated".into());
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
        let team = st.team_of(d.token.as_deref(), &d.args);
        let body = match handler {
            Handler::Workspace(f) => {
                let urls = (self.rtm_url.as_str(), self.http_url.as_str());
                if let Some(team) = team {
                    let body =
                        st.answer_in(&team, f, &d.args, d.token_kind, d.token.as_deref(), urls);
                    return (200, body, "simulator".into());
                }
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
            Handler::Views(f) => {
                let call = ViewCall {
                    caller: &caller,
                    args: Args(&d.args),
                    now: st.workspace.clock.now_micros(),
                };
                f(&mut st.views, &call)
            }
        };
        (200, body, "simulator".into())
    }
}

/// The Web API method a request to `/api/{method}` calls.
pub(super) fn api_method(req: &Request) -> String {
    req.url
        .path()
        .strip_prefix("/api/")
        .unwrap_or("")
        .to_string()
}

/// The journal entry of a Web API call cut off by a connection reset.
pub(super) fn api_reset_call(req: &Request) -> Call {
    let d = request::decode(req);
    Call {
        seq: 0,
        method: d.method,
        http_method: d.http_method,
        args: d.args,
        token_kind: d.token_kind,
        token: d.token,
        status: 0,
        response: Value::Null,
        source: "fault".into(),
    }
}

/// A mock for requests to `path` whose method (`method_of`) has a pending
/// [`Fault::Reset`]: the fault is taken, the call journaled (`call_of`),
/// and the connection closed without an answer.
pub(super) fn reset_mock(
    inner: &Arc<Inner>,
    path: &str,
    method_of: fn(&Request) -> String,
    call_of: fn(&Request) -> Call,
) -> Mock {
    let answer = {
        let inner = inner.clone();
        move |req: &Request| {
            {
                let mut st = inner.lock();
                st.faults.take(&method_of(req));
                record(&mut st.journal, call_of(req));
            }
            inner.changed.notify_waiters();
            ConnectionReset
        }
    };
    Mock::given(path_regex(path))
        .and(ResetPending(inner.clone(), method_of))
        .respond_with_err(answer)
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
pub(super) struct Api(pub(super) Arc<Inner>);

impl Respond for Api {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        self.0.answer(req)
    }
}

/// Matches requests whose method has a pending `Fault::Reset`.
struct ResetPending(Arc<Inner>, fn(&Request) -> String);

impl Match for ResetPending {
    fn matches(&self, req: &Request) -> bool {
        self.0.lock().faults.reset_pending(&(self.1)(req))
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

/// The answer to a method the fake knows from the spec but neither
/// simulates nor has a fixture for, and the line `verify()` reports.
fn not_simulated(method: &str) -> (Value, String) {
    let msg = format!(
        "the fake Slack does not simulate `{method}` and has no fixture for it: \
         give one (FakeSlackBuilder::fixture, fixtures_dir or FakeSlack::add_fixture)"
    );
    let body = json!({
        "ok": false,
        "error": "testkit_not_simulated",
        "method": method,
        "response_metadata": {"messages": [msg]},
    });
    (body, msg)
}
