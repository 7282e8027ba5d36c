//! Incoming webhooks on the fake: `POST {uri}/services/T0001/B.../secret`.
//!
//! A post lands in the hook's channel as a `bot_message` from the app and is
//! pushed to RTM clients; the answer is Slack's: `ok` or a plain-text error
//! code. Posts are journaled as calls named [`INCOMING_WEBHOOK`].

use std::collections::BTreeMap;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{Request, ResponseTemplate};

use crate::faults::Fault;
use crate::http::{object_args, opaque, parse_body, plain};
use crate::simulator::{TEAM_ID, Workspace};

/// Journal name of incoming webhook posts (`slack.wait_for_call(INCOMING_WEBHOOK)`).
pub const INCOMING_WEBHOOK: &str = "incoming_webhook";

/// The webhooks handed out, by URL path.
#[derive(Debug, Default)]
pub(crate) struct Hooks {
    by_path: BTreeMap<String, String>,
}

impl Hooks {
    /// A new hook posting into `channel`; returns its URL path.
    pub(crate) fn issue(&mut self, seed: u64, channel: &str) -> String {
        let n = self.by_path.len() as u64 + 1;
        let path = format!(
            "/services/{TEAM_ID}/B{n:08}/{}",
            opaque(seed, 1_000 + n, 24)
        );
        self.by_path.insert(path.clone(), channel.to_string());
        path
    }
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

/// One post to a hook, answered.
#[derive(Debug, Default)]
pub(crate) struct Post {
    pub(crate) status: u16,
    /// The error code answered; `None` for `ok`.
    code: Option<String>,
    /// What the journal keeps: the hook, its channel, the body's fields, the `ts` stored.
    pub(crate) args: BTreeMap<String, String>,
    delay: Option<Duration>,
    retry_after: Option<u64>,
    /// The workspace events the post caused.
    pub(crate) events: Vec<Value>,
}

impl Post {
    /// The answer as the journal shows it.
    pub(crate) fn response(&self) -> Value {
        match &self.code {
            None => json!({"ok": true}),
            Some(c) => json!({"ok": false, "error": c}),
        }
    }

    /// The answer as Slack gives it: plain text.
    pub(crate) fn template(&self) -> ResponseTemplate {
        let mut t = plain(self.status, self.code.as_deref().unwrap_or("ok"));
        if let Some(secs) = self.retry_after {
            t = t.insert_header("retry-after", secs.to_string().as_str());
        }
        if let Some(d) = self.delay {
            t = t.set_delay(d);
        }
        t
    }
}

/// Answers a post to a hook under `fault` (the one set for [`INCOMING_WEBHOOK`]).
pub(crate) fn post(
    hooks: &Hooks,
    workspace: &mut Workspace,
    fault: Option<Fault>,
    req: &Request,
) -> Post {
    let mut p = Post::default();
    p.args
        .insert("hook".to_string(), req.url.path().to_string());
    let fail = |mut p: Post, status: u16, code: String| {
        p.status = status;
        p.code = Some(code);
        p
    };
    match fault {
        Some(Fault::RateLimited { retry_after }) => {
            p.retry_after = Some(retry_after);
            return fail(p, 429, "rate_limited".into());
        }
        Some(Fault::Status { status }) => return fail(p, status, "fault".into()),
        Some(Fault::Error { code }) => return fail(p, status_of(&code), code),
        Some(Fault::Delay { millis }) => p.delay = Some(Duration::from_millis(millis)),
        Some(Fault::Reset) | None => {}
    }
    let Some(channel) = hooks.by_path.get(req.url.path()).cloned() else {
        return fail(p, 404, "no_service".into());
    };
    p.args.insert("channel".into(), channel.clone());
    let Some(body) = parse_body(req) else {
        return fail(p, 400, "invalid_payload".into());
    };
    p.args.extend(object_args(&body));
    match workspace.post_as_app(&channel, &body) {
        Ok((message, events)) => {
            if let Some(ts) = message.get("ts").and_then(Value::as_str) {
                p.args.insert("ts".into(), ts.to_string());
            }
            p.status = 200;
            p.events = events;
            p
        }
        Err(code) => fail(p, status_of(&code), code),
    }
}
