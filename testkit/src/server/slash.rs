//! The server side of slash commands (`crate::slash`): the response URL
//! endpoint, [`FakeSlack::invoke_slash_command`] and its [`SlashRun`].

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use slack_api::inbound::slash::SlashCommand;
use wiremock::{Request, Respond, ResponseTemplate};

use super::{DEFAULT_WAIT, FakeSlack, Inner, State};
use crate::http::{object_args, record_endpoint};
use crate::slash::{
    self, RESPONSE_URL, ResponseUrlPost, SLASH_COMMAND, SlashInvocation, SlashInvokeError,
};

/// `POST /commands/...`: Slack's response URLs.
pub(super) struct ResponseUrlEndpoint(pub(super) Arc<Inner>);

impl Respond for ResponseUrlEndpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let inner = &self.0;
        let (status, body) = {
            let st = &mut *inner.lock();
            let (post, events) = st.response_urls.answer(&mut st.workspace, req);
            for e in &events {
                st.broadcast(e, None);
            }
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
                post.status,
                answer.clone(),
            );
            (post.status, answer)
        };
        inner.changed.notify_waiters();
        ResponseTemplate::new(status).set_body_json(body)
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
        self.inner.lock().response_urls.posts(&self.path)
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
        let take = |st: &mut State| st.response_urls.take_post(&self.path);
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
        self.inner.lock().response_urls.expire(&self.path);
    }
}

impl Inner {
    /// The payload Slack sends for `invocation`: a `response_url` the fake
    /// answers (at the returned path) and a fresh trigger id. Shared by every
    /// way a command reaches the app.
    pub(crate) fn command_payload(
        &self,
        invocation: &SlashInvocation,
    ) -> Result<(SlashCommand, String), SlashInvokeError> {
        let st = &mut *self.lock();
        let now = st.workspace.clock.now_micros();
        let views = &mut st.views;
        st.response_urls.command(
            &st.workspace,
            self.seed,
            &self.http_url,
            invocation,
            |user| views.mint_trigger(user, None, now),
        )
    }
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
        invoke(&self.inner, app_url, invocation).await
    }
}

/// [`FakeSlack::invoke_slash_command`], for the drivers too.
pub(crate) async fn invoke(
    inner: &Arc<Inner>,
    app_url: &str,
    invocation: SlashInvocation,
) -> Result<SlashRun, SlashInvokeError> {
    let inner = inner.clone();
    let url = slash::app_url(app_url)?;
    let (payload, path) = inner.command_payload(&invocation)?;
    let answer = slash::send_command(url, &payload, &invocation.signing_secret).await;
    let ts = {
        let st = &mut *inner.lock();
        let channel = payload.channel_id.as_str();
        let (ts, events) =
            st.response_urls
                .apply_answer(&mut st.workspace, &path, channel, &answer);
        for e in &events {
            st.broadcast(e, None);
        }
        let (args, status, response) = answer.journal(&payload);
        record_endpoint(
            &mut st.journal,
            SLASH_COMMAND,
            "POST",
            args,
            status,
            response,
        );
        ts
    };
    inner.changed.notify_waiters();
    Ok(SlashRun {
        payload,
        status: answer.status,
        body: answer.body,
        json: answer.json,
        error: answer.error,
        ts,
        inner,
        path,
    })
}
