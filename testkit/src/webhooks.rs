//! Incoming webhooks on the fake: `POST {uri}/services/T0001/B.../secret`.
//!
//! A post lands in the hook's channel as a `bot_message` from the app and is
//! pushed to RTM clients; the answer is Slack's: `ok` or a plain-text error
//! code. Posts are journaled as calls named [`INCOMING_WEBHOOK`].

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Value, json};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::faults::Fault;
use crate::http::{object_args, opaque, parse_body, plain, record_endpoint, take_fault};
use crate::server::{FakeSlack, Inner, State};
use crate::simulator::TEAM_ID;

/// Journal name of incoming webhook posts (`slack.wait_for_call(INCOMING_WEBHOOK)`).
pub const INCOMING_WEBHOOK: &str = "incoming_webhook";

/// The webhooks handed out, by URL path.
#[derive(Debug, Default)]
pub(crate) struct Hooks {
    by_path: BTreeMap<String, String>,
}

/// The status Slack pairs with each webhook error code.
fn status_of(code: &str) -> u16 {
    match code {
        "channel_not_found" | "no_service" | "user_not_found" => 404,
        "channel_is_archived" => 410,
        "action_prohibited" | "posting_to_general_channel_denied" | "invalid_token" => 403,
        _ => 400,
    }
}

struct WebhookEndpoint(Arc<Inner>);

impl Respond for WebhookEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let inner = &self.0;
        let template = {
            let mut st = inner.lock();
            let (status, code, args, delay, retry_after) = post(&mut st, req);
            let response = match &code {
                None => json!({"ok": true}),
                Some(c) => json!({"ok": false, "error": c}),
            };
            record_endpoint(
                &mut st.journal,
                INCOMING_WEBHOOK,
                "POST",
                args,
                status,
                response,
            );
            let mut t = plain(status, code.as_deref().unwrap_or("ok"));
            if let Some(secs) = retry_after {
                t = t.insert_header("retry-after", secs.to_string().as_str());
            }
            if let Some(d) = delay {
                t = t.set_delay(d);
            }
            t
        };
        inner.changed.notify_waiters();
        template
    }
}

type PostOutcome = (
    u16,
    Option<String>,
    BTreeMap<String, String>,
    Option<std::time::Duration>,
    Option<u64>,
);

fn post(st: &mut State, req: &Request) -> PostOutcome {
    let mut args = BTreeMap::new();
    args.insert("hook".to_string(), req.url.path().to_string());
    let mut delay = None;
    match take_fault(&mut st.faults, INCOMING_WEBHOOK) {
        Some(Fault::RateLimited { retry_after }) => {
            return (
                429,
                Some("rate_limited".into()),
                args,
                None,
                Some(retry_after),
            );
        }
        Some(Fault::Status { status }) => return (status, Some("fault".into()), args, None, None),
        Some(Fault::Error { code }) => {
            let status = status_of(&code);
            return (status, Some(code), args, None, None);
        }
        Some(Fault::Delay { millis }) => delay = Some(std::time::Duration::from_millis(millis)),
        Some(Fault::Reset) | None => {}
    }
    let Some(channel) = st.hooks.by_path.get(req.url.path()).cloned() else {
        return (404, Some("no_service".into()), args, delay, None);
    };
    args.insert("channel".into(), channel.clone());
    let Some(body) = parse_body(req) else {
        return (400, Some("invalid_payload".into()), args, delay, None);
    };
    args.extend(object_args(&body));
    match st.workspace.post_as_app(&channel, &body) {
        Ok((message, events)) => {
            if let Some(ts) = message.get("ts").and_then(Value::as_str) {
                args.insert("ts".into(), ts.to_string());
            }
            for e in &events {
                st.broadcast(e, None);
            }
            (200, None, args, delay, None)
        }
        Err(code) => (status_of(&code), Some(code), args, delay, None),
    }
}

/// Mounts the endpoints Slack serves outside `/api/`: incoming webhooks,
/// slash command response URLs and the OAuth authorize page.
pub(crate) async fn mount(server: &MockServer, inner: &Arc<Inner>) {
    Mock::given(path_regex("^/services/"))
        .respond_with(WebhookEndpoint(inner.clone()))
        .with_priority(2)
        .named("slack-testkit incoming webhooks")
        .mount(server)
        .await;
    crate::slash::mount(server, inner).await;
    crate::oauth::mount(server, inner).await;
}

impl FakeSlack {
    /// A new incoming webhook URL posting into `channel`, like the one an app
    /// install creates: `{uri}/services/T0001/B.../secret`.
    ///
    /// POSTs to it (JSON, or a form with a `payload` field) land in the
    /// channel's history as a `bot_message` from the app and reach RTM
    /// clients. Answers: `ok`, or Slack's plain-text codes: `invalid_payload`
    /// (body not a JSON object), `no_text` (no text, blocks or attachments),
    /// `invalid_blocks`, `too_many_attachments`, `channel_not_found` (the
    /// channel does not exist), `channel_is_archived`, and `no_service` for
    /// a URL the fake never handed out. Each post is journaled as a call
    /// named [`INCOMING_WEBHOOK`] (arguments: the JSON fields, plus `channel`
    /// and the `ts` stored); faults set with `slack.fault(INCOMING_WEBHOOK, ..)`
    /// apply (an error fault answers its code as text).
    pub fn incoming_webhook_url(&self, channel: &str) -> String {
        let inner = self.inner();
        let mut st = inner.lock();
        let n = st.hooks.by_path.len() as u64 + 1;
        let path = format!(
            "/services/{TEAM_ID}/B{n:08}/{}",
            opaque(inner.seed, 1_000 + n, 24)
        );
        st.hooks.by_path.insert(path.clone(), channel.to_string());
        format!("{}{path}", self.uri())
    }
}
