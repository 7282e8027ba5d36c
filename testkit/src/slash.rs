//! Playing Slack's side of a slash command: the signed form POST to the app,
//! and the `response_url` the app answers later through.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Map, Value, json};
use slack_api::signing::Signer;
use slack_api::slash::{RESPONSE_URL_MAX_AGE, RESPONSE_URL_MAX_USES, SlashCommand};
use wiremock::matchers::path_regex;
use wiremock::{Mock, MockServer, Request, Respond, ResponseTemplate};

use crate::http::{object_args, opaque, record_endpoint};
use crate::server::{DEFAULT_WAIT, FakeSlack, Inner, State};
use crate::simulator::{DEFAULT_USER, TEAM_ID};

/// Journal name of slash command invocations sent to the app.
pub const SLASH_COMMAND: &str = "slash_command";
/// Journal name of posts the app made to a `response_url`.
pub const RESPONSE_URL: &str = "response_url";
/// How long Slack waits for the app's immediate answer.
pub const SLASH_TIMEOUT: Duration = Duration::from_secs(3);

/// A slash command to run against an app; see [`FakeSlack::invoke_slash_command`].
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
    issued: Instant,
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

impl ResponseUrls {
    pub(crate) fn reset(&mut self) {
        self.by_path.clear();
    }
}

/// The result of [`FakeSlack::invoke_slash_command`]: the app's immediate
/// answer, and a handle on its command's `response_url`.
pub struct SlashRun {
    /// The payload the fake sent.
    pub payload: SlashCommand,
    /// The app's HTTP status; `None` when it did not answer in time or at all.
    pub status: Option<u16>,
    /// The app's answer body.
    pub body: String,
    /// The answer parsed as JSON (a `SlashResponse`), when it was JSON.
    pub json: Option<Value>,
    /// What Slack would show the user when the app failed: `operation_timeout`
    /// (no answer within 3 seconds) or `dispatch_failed` (no connection).
    pub error: Option<String>,
    /// `ts` of the channel message an immediate `in_channel` answer posted.
    pub ts: Option<String>,
    inner: Arc<Inner>,
    path: String,
}

impl fmt::Debug for SlashRun {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SlashRun")
            .field("payload", &self.payload)
            .field("status", &self.status)
            .field("body", &self.body)
            .field("error", &self.error)
            .field("ts", &self.ts)
            .finish_non_exhaustive()
    }
}

impl SlashRun {
    /// The immediate answer's `text` (a plain-text body counts as text).
    pub fn text(&self) -> Option<&str> {
        match &self.json {
            Some(v) => v.get("text").and_then(Value::as_str),
            None if self.status == Some(200) && !self.body.is_empty() => Some(&self.body),
            None => None,
        }
    }

    /// The immediate answer's `response_type` (`ephemeral` when absent, as Slack reads it).
    pub fn response_type(&self) -> &str {
        self.json
            .as_ref()
            .and_then(|v| v.get("response_type"))
            .and_then(Value::as_str)
            .unwrap_or("ephemeral")
    }

    /// The full `response_url` the app was given.
    pub fn response_url(&self) -> &str {
        &self.payload.response_url
    }

    /// Every post the app made to the `response_url` so far.
    pub fn response_url_posts(&self) -> Vec<ResponseUrlPost> {
        self.inner
            .lock()
            .response_urls
            .by_path
            .get(&self.path)
            .map(|u| u.posts.clone())
            .unwrap_or_default()
    }

    /// The next post to the `response_url` not returned before, waiting up to 5 s.
    ///
    /// # Panics
    /// On timeout.
    pub async fn wait_for_response_url_post(&self) -> ResponseUrlPost {
        match self.wait_for_response_url_post_timeout(DEFAULT_WAIT).await {
            Some(p) => p,
            None => panic!("slack-testkit: no post to the response_url within {DEFAULT_WAIT:?}"),
        }
    }

    /// The next post to the `response_url` not returned before, or `None`
    /// when none arrives within `timeout`.
    pub async fn wait_for_response_url_post_timeout(
        &self,
        timeout: Duration,
    ) -> Option<ResponseUrlPost> {
        let deadline = tokio::time::Instant::now() + timeout;
        let take = |st: &mut State| {
            let u = st.response_urls.by_path.get_mut(&self.path)?;
            let post = u.posts.get(u.cursor).cloned()?;
            u.cursor += 1;
            Some(post)
        };
        loop {
            let notified = self.inner.changed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if let Some(p) = take(&mut self.inner.lock()) {
                return Some(p);
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return take(&mut self.inner.lock());
            }
        }
    }

    /// Ends the `response_url`'s 30-minute window now: later posts get `expired_url`.
    pub fn expire_response_url(&self) {
        if let Some(u) = self.inner.lock().response_urls.by_path.get_mut(&self.path) {
            u.expired = true;
        }
    }
}

/// Answers POSTs to `/commands/...`, Slack's response URLs.
struct ResponseUrlEndpoint(Arc<Inner>);

impl Respond for ResponseUrlEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let inner = &self.0;
        let (status, body) = {
            let mut st = inner.lock();
            let (status, post) = respond_locked(&mut st, req);
            let answer = match &post.error {
                None => json!({"ok": true}),
                Some(code) => json!({"ok": false, "error": code}),
            };
            let mut args = match &post.json {
                Value::Object(m) => object_args(m),
                _ => BTreeMap::new(),
            };
            args.insert("url".into(), req.url.path().to_string());
            record_endpoint(
                &mut st.journal,
                RESPONSE_URL,
                "POST",
                args,
                status,
                answer.clone(),
            );
            if let Some(u) = st.response_urls.by_path.get_mut(req.url.path()) {
                u.posts.push(post);
            }
            (status, answer)
        };
        inner.changed.notify_waiters();
        ResponseTemplate::new(status).set_body_json(body)
    }
}

fn respond_locked(st: &mut State, req: &Request) -> (u16, ResponseUrlPost) {
    let body_text = String::from_utf8_lossy(&req.body).into_owned();
    let json: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
    let mut post = ResponseUrlPost {
        body: body_text,
        json: json.clone(),
        status: 200,
        error: None,
        ts: None,
    };
    let fail = |status: u16, code: &str, post: &mut ResponseUrlPost| {
        post.status = status;
        post.error = Some(code.to_string());
        status
    };
    let path = req.url.path().to_string();
    let Some(url) = st.response_urls.by_path.get(&path) else {
        let s = fail(404, "no_service", &mut post);
        return (s, post);
    };
    if url.expired || url.issued.elapsed() > RESPONSE_URL_MAX_AGE {
        let s = fail(404, "expired_url", &mut post);
        return (s, post);
    }
    if url.uses >= RESPONSE_URL_MAX_USES {
        let s = fail(404, "used_url", &mut post);
        return (s, post);
    }
    let Value::Object(body) = json else {
        let s = fail(400, "invalid_payload", &mut post);
        return (s, post);
    };
    let channel = url.channel.clone();
    let last_ts = url.last_ts.clone();
    let flag = |k: &str| body.get(k).and_then(Value::as_bool) == Some(true);
    let in_channel = body.get("response_type").and_then(Value::as_str) == Some("in_channel");
    let outcome: Result<Option<String>, String> = if flag("delete_original") {
        match &last_ts {
            Some(ts) => st.workspace.delete_app_message(&channel, ts).map(|events| {
                for e in &events {
                    st.broadcast(e, None);
                }
                None
            }),
            // The original was ephemeral: nothing in the channel to delete.
            None => Ok(None),
        }
    } else if flag("replace_original") && last_ts.is_some() {
        let ts = last_ts.clone().unwrap_or_default();
        st.workspace
            .replace_app_message(&channel, &ts, &body)
            .map(|events| {
                for e in &events {
                    st.broadcast(e, None);
                }
                Some(ts)
            })
    } else if in_channel {
        post_in_channel(st, &channel, &body)
    } else {
        check_content(&body).map(|()| None)
    };
    match outcome {
        Ok(ts) => {
            if let Some(u) = st.response_urls.by_path.get_mut(&path) {
                u.uses += 1;
                if flag("delete_original") {
                    u.last_ts = None;
                } else if ts.is_some() {
                    u.last_ts.clone_from(&ts);
                }
            }
            post.ts = ts;
            (200, post)
        }
        Err(code) => {
            let status = if code == "channel_not_found" {
                404
            } else {
                400
            };
            let s = fail(status, &code, &mut post);
            (s, post)
        }
    }
}

/// Posts an in-channel answer as the app; returns its `ts`.
fn post_in_channel(
    st: &mut State,
    channel: &str,
    body: &Map<String, Value>,
) -> Result<Option<String>, String> {
    let (message, events) = st.workspace.post_as_app(channel, body)?;
    for e in &events {
        st.broadcast(e, None);
    }
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

pub(crate) async fn mount(server: &MockServer, inner: &Arc<Inner>) {
    Mock::given(path_regex("^/commands/"))
        .respond_with(ResponseUrlEndpoint(inner.clone()))
        .with_priority(2)
        .named("slack-testkit response URLs")
        .mount(server)
        .await;
}

impl FakeSlack {
    /// Runs a slash command on the app listening at `app_url`, as Slack does:
    /// a form POST (`application/x-www-form-urlencoded`, every field of
    /// [`SlashCommand`]) signed with the invocation's signing secret, with a
    /// `response_url` on this fake. Waits up to 3 seconds for the answer.
    ///
    /// The app's answer is applied as Slack would: an `in_channel` JSON
    /// answer is posted into the channel (history and RTM). Posts to the
    /// `response_url` are recorded (see [`SlashRun::wait_for_response_url_post`])
    /// and answered like Slack: at most 5 within 30 minutes (`used_url`,
    /// `expired_url` after that), `in_channel` ones posted into the channel,
    /// `replace_original`/`delete_original` applied to the last one. The
    /// invocation and every response URL post are journaled as calls named
    /// [`SLASH_COMMAND`] and [`RESPONSE_URL`].
    ///
    /// # Errors
    /// When the user or channel does not exist, the user is not in the
    /// channel, or `app_url` is not an http(s) URL. An app that fails to
    /// answer is not an error: see [`SlashRun::error`].
    pub async fn invoke_slash_command(
        &self,
        app_url: &str,
        invocation: SlashInvocation,
    ) -> Result<SlashRun, SlashInvokeError> {
        let inner = self.inner().clone();
        let user = non_empty(&invocation.user, DEFAULT_USER);
        let channel = non_empty(&invocation.channel, "C_GENERAL");
        let parsed = url::Url::parse(app_url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| SlashInvokeError::InvalidAppUrl(app_url.to_string()))?;

        let mut payload = SlashCommand::new(invocation.command.clone(), invocation.text.clone());
        let path = {
            let mut st = inner.lock();
            let user_name = st
                .workspace
                .user_name(&user)
                .ok_or_else(|| SlashInvokeError::UnknownUser(user.clone()))?;
            let facts = st
                .workspace
                .channel_facts(&channel)
                .ok_or_else(|| SlashInvokeError::UnknownChannel(channel.clone()))?;
            if !st.workspace.is_member(&facts.id, &user) {
                return Err(SlashInvokeError::NotInChannel {
                    user: user.clone(),
                    channel: channel.clone(),
                });
            }
            st.response_urls.issued += 1;
            let n = st.response_urls.issued;
            let path = format!(
                "/commands/{TEAM_ID}/{}/{}",
                7_000_000_000 + n,
                opaque(inner.seed, 2_000 + n, 24)
            );
            st.response_urls.by_path.insert(
                path.clone(),
                UrlState {
                    channel: facts.id.clone(),
                    issued: Instant::now(),
                    expired: false,
                    uses: 0,
                    posts: Vec::new(),
                    cursor: 0,
                    last_ts: None,
                },
            );
            payload.token = "testkit-verification-token".into();
            payload.team_id = TEAM_ID.into();
            payload.team_domain = "fake-team".into();
            payload.channel_id = facts.id.as_str().into();
            payload.channel_name = facts.name;
            payload.user_id = user.as_str().into();
            payload.user_name = user_name;
            payload.response_url = format!("{}{path}", self.uri());
            payload.trigger_id = format!(
                "{}.{}.{}",
                7_000_000_000 + n,
                1_000_000_000 + n,
                opaque(inner.seed, 3_000 + n, 32).to_ascii_lowercase()
            );
            payload.api_app_id = Some(crate::simulator::APP_ID.into());
            path
        };

        let body = payload.to_form();
        let signed = Signer::new(&invocation.signing_secret).sign_now(body.as_bytes());
        let (status, answer, error) = match send(parsed, body, &signed).await {
            Ok((status, text)) => (Some(status), text, None),
            Err(code) => (None, String::new(), Some(code)),
        };
        let json = serde_json::from_str::<Value>(&answer)
            .ok()
            .filter(Value::is_object);

        let ts = {
            let mut st = inner.lock();
            let mut ts = None;
            if status == Some(200)
                && let Some(Value::Object(m)) = &json
                && m.get("response_type").and_then(Value::as_str) == Some("in_channel")
            {
                let channel = payload.channel_id.as_str().to_string();
                if let Ok(Some(posted)) = post_in_channel(&mut st, &channel, m) {
                    if let Some(u) = st.response_urls.by_path.get_mut(&path) {
                        u.last_ts = Some(posted.clone());
                    }
                    ts = Some(posted);
                }
            }
            let mut args = BTreeMap::new();
            args.insert("command".to_string(), payload.command.clone());
            args.insert("text".to_string(), payload.text.clone());
            args.insert("user_id".to_string(), payload.user_id.as_str().to_string());
            args.insert(
                "channel_id".to_string(),
                payload.channel_id.as_str().to_string(),
            );
            let response = match (&json, &error) {
                (_, Some(code)) => json!({"ok": false, "error": code}),
                (Some(v), None) => v.clone(),
                (None, None) => json!(answer),
            };
            record_endpoint(
                &mut st.journal,
                SLASH_COMMAND,
                "POST",
                args,
                status.unwrap_or(0),
                response,
            );
            ts
        };
        inner.changed.notify_waiters();
        Ok(SlashRun {
            payload,
            status,
            body: answer,
            json,
            error,
            ts,
            inner,
            path,
        })
    }
}

fn non_empty(s: &str, default: &str) -> String {
    if s.is_empty() { default } else { s }.to_string()
}

/// POSTs the signed form; `Err` carries the code Slack would show the user.
async fn send(
    url: url::Url,
    body: String,
    signed: &slack_api::signing::SignedHeaders,
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
