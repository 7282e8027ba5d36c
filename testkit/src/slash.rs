//! Playing Slack's side of a slash command: the signed form POST to the app,
//! and the `response_url` the app answers later through.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value, json};
use slack_api::inbound::signing::Signer;
use slack_api::inbound::slash::{RESPONSE_URL_MAX_AGE, RESPONSE_URL_MAX_USES, SlashCommand};
use wiremock::Request;

use crate::http::opaque;
use crate::simulator::{APP_ID, DEFAULT_USER, TEAM_ID, Workspace};

/// Journal name of slash command invocations sent to the app.
pub const SLASH_COMMAND: &str = "slash_command";
/// Journal name of posts the app made to a `response_url`.
pub const RESPONSE_URL: &str = "response_url";
/// How long Slack waits for the app's immediate answer.
pub const SLASH_TIMEOUT: Duration = Duration::from_secs(3);

/// A slash command to run against an app; see
/// [`FakeSlack::invoke_slash_command`](crate::FakeSlack::invoke_slash_command).
///
/// Empty `user` and `channel` mean `U_ALICE` in `C_GENERAL`.
#[derive(Clone, Default)]
pub struct SlashInvocation {
    /// The command with its slash, e.g. `/deploy`.
    pub command: String,
    /// What the user typed after the command.
    pub text: String,
    /// Who runs it (a seeded or created user ID).
    pub user: String,
    /// Where it runs (a conversation ID).
    pub channel: String,
    /// The app's signing secret, used to sign the request.
    pub signing_secret: String,
}

impl fmt::Debug for SlashInvocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlashInvocation")
            .field("command", &self.command)
            .field("text", &self.text)
            .field("user", &self.user)
            .field("channel", &self.channel)
            .field("signing_secret", &"[redacted]")
            .finish()
    }
}

impl SlashInvocation {
    /// `command` with `text`, run by `U_ALICE` in `C_GENERAL`, signed with `signing_secret`.
    pub fn new(
        command: impl Into<String>,
        text: impl Into<String>,
        signing_secret: impl Into<String>,
    ) -> Self {
        SlashInvocation {
            command: command.into(),
            text: text.into(),
            signing_secret: signing_secret.into(),
            ..SlashInvocation::default()
        }
    }

    /// Runs it as this user.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = user.into();
        self
    }

    /// Runs it in this conversation.
    pub fn channel(mut self, channel: impl Into<String>) -> Self {
        self.channel = channel.into();
        self
    }
}

/// Why a slash command could not be sent to the app at all.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum SlashInvokeError {
    /// The invoking user does not exist in the workspace.
    UnknownUser(String),
    /// The conversation does not exist.
    UnknownChannel(String),
    /// The user is not a member of the conversation.
    NotInChannel {
        /// The user.
        user: String,
        /// The conversation.
        channel: String,
    },
    /// The app URL is not an http(s) URL.
    InvalidAppUrl(String),
}

impl fmt::Display for SlashInvokeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SlashInvokeError::UnknownUser(u) => write!(f, "no user {u} in the fake workspace"),
            SlashInvokeError::UnknownChannel(c) => {
                write!(f, "no conversation {c} in the fake workspace")
            }
            SlashInvokeError::NotInChannel { user, channel } => {
                write!(f, "{user} is not a member of {channel}")
            }
            SlashInvokeError::InvalidAppUrl(u) => write!(f, "not an http(s) URL: {u}"),
        }
    }
}

impl std::error::Error for SlashInvokeError {}

/// One POST the app made to a command's `response_url`, and what the fake answered.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ResponseUrlPost {
    /// The body as sent.
    pub body: String,
    /// The body parsed as JSON (`Value::Null` when it is not JSON).
    pub json: Value,
    /// HTTP status the fake answered.
    pub status: u16,
    /// The error code answered (`used_url`, `expired_url`, `no_text`,
    /// `invalid_payload`), or `None` when the post was accepted.
    pub error: Option<String>,
    /// `ts` of the channel message it posted or replaced (in-channel responses only).
    pub ts: Option<String>,
}

impl ResponseUrlPost {
    /// Whether the fake accepted the post.
    pub fn accepted(&self) -> bool {
        self.error.is_none()
    }

    /// The `text` field.
    pub fn text(&self) -> Option<&str> {
        self.json.get("text").and_then(Value::as_str)
    }

    /// The `response_type` field (`ephemeral` when absent, as Slack reads it).
    pub fn response_type(&self) -> &str {
        self.json
            .get("response_type")
            .and_then(Value::as_str)
            .unwrap_or("ephemeral")
    }
}

/// Per response URL: where it posts and how it was used.
#[derive(Debug)]
struct UrlState {
    channel: String,
    /// When it was handed out, on the fake clock (microseconds).
    issued: u64,
    expired: bool,
    uses: u32,
    posts: Vec<ResponseUrlPost>,
    /// How many posts `wait_for_response_url_post` handed out.
    cursor: usize,
    /// The last in-channel message this URL posted, for `replace_original`/`delete_original`.
    last_ts: Option<String>,
}

/// The response URLs handed out, by path.
#[derive(Debug, Default)]
pub(crate) struct ResponseUrls {
    by_path: BTreeMap<String, UrlState>,
    issued: u64,
}

/// The response URLs and the posts the app makes to them.
impl ResponseUrls {
    /// Forgets every URL handed out.
    pub(crate) fn reset(&mut self) {
        self.by_path.clear();
    }

    /// A new response URL path for a command run in `channel`, handed out
    /// at `now` (the fake clock's microseconds).
    fn issue(&mut self, seed: u64, channel: &str, now: u64) -> String {
        self.issued += 1;
        let n = self.issued;
        let path = format!(
            "/commands/{TEAM_ID}/{}/{}",
            7_000_000_000 + n,
            opaque(seed, 2_000 + n, 24)
        );
        self.by_path.insert(
            path.clone(),
            UrlState {
                channel: channel.to_string(),
                issued: now,
                expired: false,
                uses: 0,
                posts: Vec::new(),
                cursor: 0,
                last_ts: None,
            },
        );
        path
    }

    /// Every post made to the URL at `path`.
    pub(crate) fn posts(&self, path: &str) -> Vec<ResponseUrlPost> {
        self.by_path
            .get(path)
            .map(|u| u.posts.clone())
            .unwrap_or_default()
    }

    /// The next post to `path` not handed out before.
    pub(crate) fn take_post(&mut self, path: &str) -> Option<ResponseUrlPost> {
        let u = self.by_path.get_mut(path)?;
        let post = u.posts.get(u.cursor).cloned()?;
        u.cursor += 1;
        Some(post)
    }

    /// Ends the URL's window now.
    pub(crate) fn expire(&mut self, path: &str) {
        if let Some(u) = self.by_path.get_mut(path) {
            u.expired = true;
        }
    }

    /// Answers a POST to a response URL as Slack does and keeps it with
    /// the URL; returns the post and the workspace events it caused.
    pub(crate) fn answer(
        &mut self,
        workspace: &mut Workspace,
        req: &Request,
    ) -> (ResponseUrlPost, Vec<Value>) {
        let path = req.url.path();
        let mut events = Vec::new();
        let post = self.answer_post(workspace, path, &req.body, &mut events);
        if let Some(u) = self.by_path.get_mut(path) {
            u.posts.push(post.clone());
        }
        (post, events)
    }

    fn answer_post(
        &mut self,
        workspace: &mut Workspace,
        path: &str,
        raw: &[u8],
        events: &mut Vec<Value>,
    ) -> ResponseUrlPost {
        let json: Value = serde_json::from_slice(raw).unwrap_or(Value::Null);
        let mut post = ResponseUrlPost {
            body: String::from_utf8_lossy(raw).into_owned(),
            json: json.clone(),
            status: 200,
            error: None,
            ts: None,
        };
        let fail = |status: u16, code: &str, mut post: ResponseUrlPost| {
            post.status = status;
            post.error = Some(code.to_string());
            post
        };
        let Some(url) = self.by_path.get(path) else {
            return fail(404, "no_service", post);
        };
        let age = Duration::from_micros(workspace.clock.now_micros().saturating_sub(url.issued));
        if url.expired || age > RESPONSE_URL_MAX_AGE {
            return fail(404, "expired_url", post);
        }
        if url.uses >= RESPONSE_URL_MAX_USES {
            return fail(404, "used_url", post);
        }
        let Value::Object(body) = json else {
            return fail(400, "invalid_payload", post);
        };
        let channel = url.channel.clone();
        let last_ts = url.last_ts.clone();
        let flag = |k: &str| body.get(k).and_then(Value::as_bool) == Some(true);
        let in_channel = body.get("response_type").and_then(Value::as_str) == Some("in_channel");
        let outcome: Result<Option<String>, String> = if flag("delete_original") {
            match &last_ts {
                Some(ts) => workspace
                    .delete_app_message(&channel, ts)
                    .map(|evs| events.extend(evs))
                    .map(|()| None),
                // The original was ephemeral: nothing in the channel to delete.
                None => Ok(None),
            }
        } else if flag("replace_original") && last_ts.is_some() {
            let ts = last_ts.clone().unwrap_or_default();
            workspace
                .replace_app_message(&channel, &ts, &body)
                .map(|evs| events.extend(evs))
                .map(|()| Some(ts))
        } else if in_channel {
            post_in_channel(workspace, &channel, &body, events)
        } else {
            check_content(&body).map(|()| None)
        };
        match outcome {
            Ok(ts) => {
                if let Some(u) = self.by_path.get_mut(path) {
                    u.uses += 1;
                    if flag("delete_original") {
                        u.last_ts = None;
                    } else if ts.is_some() {
                        u.last_ts.clone_from(&ts);
                    }
                }
                post.ts = ts;
                post
            }
            Err(code) => {
                let status = if code == "channel_not_found" {
                    404
                } else {
                    400
                };
                fail(status, &code, post)
            }
        }
    }
}

/// Posts an in-channel answer as the app; returns its `ts`.
fn post_in_channel(
    workspace: &mut Workspace,
    channel: &str,
    body: &Map<String, Value>,
    events: &mut Vec<Value>,
) -> Result<Option<String>, String> {
    let (message, evs) = workspace.post_as_app(channel, body)?;
    events.extend(evs);
    Ok(message
        .get("ts")
        .and_then(Value::as_str)
        .map(str::to_string))
}

/// An ephemeral answer still needs text or blocks.
fn check_content(body: &Map<String, Value>) -> Result<(), String> {
    let text = body.get("text").and_then(Value::as_str).unwrap_or("");
    let blocks = body
        .get("blocks")
        .and_then(Value::as_array)
        .is_some_and(|b| !b.is_empty());
    let attachments = body
        .get("attachments")
        .and_then(Value::as_array)
        .is_some_and(|a| !a.is_empty());
    if text.is_empty() && !blocks && !attachments {
        return Err("no_text".into());
    }
    Ok(())
}

/// The app's immediate answer to a command.
#[derive(Debug)]
pub(crate) struct AppAnswer {
    /// `None` when it did not answer in time or at all.
    pub(crate) status: Option<u16>,
    pub(crate) body: String,
    /// The body, when it is a JSON object.
    pub(crate) json: Option<Value>,
    /// `operation_timeout` or `dispatch_failed` when the app failed.
    pub(crate) error: Option<String>,
}

impl AppAnswer {
    /// The journal's `(arguments, status, response)` for the command.
    pub(crate) fn journal(&self, payload: &SlashCommand) -> (BTreeMap<String, String>, u16, Value) {
        let mut args = BTreeMap::new();
        args.insert("command".to_string(), payload.command.clone());
        args.insert("text".to_string(), payload.text.clone());
        args.insert("user_id".to_string(), payload.user_id.as_str().to_string());
        args.insert(
            "channel_id".to_string(),
            payload.channel_id.as_str().to_string(),
        );
        let response = match (&self.json, &self.error) {
            (_, Some(code)) => json!({"ok": false, "error": code}),
            (Some(v), None) => v.clone(),
            (None, None) => json!(self.body),
        };
        (args, self.status.unwrap_or(0), response)
    }
}

/// Running a command: its payload, and the app's immediate answer.
impl ResponseUrls {
    /// The payload Slack sends for `invocation`, with a new response URL
    /// (on `uri`) at the returned path and the trigger id `trigger` makes
    /// for the invoking user.
    pub(crate) fn command(
        &mut self,
        workspace: &Workspace,
        seed: u64,
        uri: &str,
        invocation: &SlashInvocation,
        trigger: impl FnOnce(&str) -> String,
    ) -> Result<(SlashCommand, String), SlashInvokeError> {
        let user = non_empty(&invocation.user, DEFAULT_USER);
        let channel = non_empty(&invocation.channel, "C_GENERAL");
        let user_name = workspace
            .user_name(&user)
            .ok_or_else(|| SlashInvokeError::UnknownUser(user.clone()))?;
        let facts = workspace
            .channel_facts(&channel)
            .ok_or_else(|| SlashInvokeError::UnknownChannel(channel.clone()))?;
        if !workspace.is_member(&facts.id, &user) {
            return Err(SlashInvokeError::NotInChannel { user, channel });
        }
        let path = self.issue(seed, &facts.id, workspace.clock.now_micros());
        let mut payload = SlashCommand::new(invocation.command.clone(), invocation.text.clone());
        payload.token = "testkit-verification-token".into();
        payload.team_id = TEAM_ID.into();
        payload.team_domain = "fake-team".into();
        payload.channel_id = facts.id.as_str().into();
        payload.channel_name = facts.name;
        payload.user_id = user.as_str().into();
        payload.user_name = user_name;
        payload.response_url = format!("{uri}{path}");
        payload.trigger_id = trigger(&user);
        payload.api_app_id = Some(APP_ID.into());
        Ok((payload, path))
    }

    /// Applies an immediate `in_channel` answer as Slack does: posted into
    /// the channel, the message `replace_original` later edits. Returns its
    /// `ts` and the events.
    pub(crate) fn apply_answer(
        &mut self,
        workspace: &mut Workspace,
        path: &str,
        channel: &str,
        answer: &AppAnswer,
    ) -> (Option<String>, Vec<Value>) {
        let mut events = Vec::new();
        let Some(Value::Object(m)) = &answer.json else {
            return (None, events);
        };
        if answer.status != Some(200)
            || m.get("response_type").and_then(Value::as_str) != Some("in_channel")
        {
            return (None, events);
        }
        let Ok(Some(ts)) = post_in_channel(workspace, channel, m, &mut events) else {
            return (None, events);
        };
        if let Some(u) = self.by_path.get_mut(path) {
            u.last_ts = Some(ts.clone());
        }
        (Some(ts), events)
    }
}

/// `app_url` if it is an http(s) URL.
pub(crate) fn app_url(app_url: &str) -> Result<url::Url, SlashInvokeError> {
    url::Url::parse(app_url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| SlashInvokeError::InvalidAppUrl(app_url.to_string()))
}

/// Sends `payload` to the app as Slack does: a form POST signed with
/// `secret`; waits up to [`SLASH_TIMEOUT`] for the answer.
pub(crate) async fn send_command(url: url::Url, payload: &SlashCommand, secret: &str) -> AppAnswer {
    let body = payload.to_form();
    let signed = Signer::new(secret).sign_now(body.as_bytes());
    let (status, body, error) = match send(url, body, &signed).await {
        Ok((status, text)) => (Some(status), text, None),
        Err(code) => (None, String::new(), Some(code)),
    };
    let json = serde_json::from_str::<Value>(&body)
        .ok()
        .filter(Value::is_object);
    AppAnswer {
        status,
        body,
        json,
        error,
    }
}

fn non_empty(s: &str, default: &str) -> String {
    if s.is_empty() { default } else { s }.to_string()
}

/// POSTs the signed form; `Err` carries the code Slack would show the user.
async fn send(
    url: url::Url,
    body: String,
    signed: &slack_api::inbound::signing::SignedHeaders,
) -> Result<(u16, String), String> {
    let client = reqwest::Client::builder()
        .timeout(SLASH_TIMEOUT)
        .build()
        .map_err(|_| "dispatch_failed".to_string())?;
    let resp = client
        .post(url)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .header(
            reqwest::header::USER_AGENT,
            "Slackbot 1.0 (+https://api.slack.com/robots)",
        )
        .headers(signed.to_header_map())
        .body(body)
        .send()
        .await
        .map_err(classify)?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(classify)?;
    Ok((status, text))
}

fn classify(e: reqwest::Error) -> String {
    if e.is_timeout() {
        "operation_timeout".into()
    } else {
        "dispatch_failed".into()
    }
}
