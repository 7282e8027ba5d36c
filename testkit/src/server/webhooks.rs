//! The server side of incoming webhooks (`crate::webhooks`): the endpoint
//! and [`FakeSlack::incoming_webhook_url`].

use std::sync::Arc;

use wiremock::{Request, Respond, ResponseTemplate};

use super::{FakeSlack, Inner};
use crate::http::{record_endpoint, take_fault};
use crate::webhooks::{self, INCOMING_WEBHOOK};

/// `POST /services/...`: a post to an incoming webhook.
pub(super) struct Endpoint(pub(super) Arc<Inner>);

impl Respond for Endpoint {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let inner = &self.0;
        let template = {
            let st = &mut *inner.lock();
            let fault = take_fault(&mut st.faults, INCOMING_WEBHOOK);
            let post = webhooks::post(&st.hooks, &mut st.workspace, fault, req);
            for e in &post.events {
                st.broadcast(e, None);
            }
            let (response, template) = (post.response(), post.template());
            record_endpoint(
                &mut st.journal,
                INCOMING_WEBHOOK,
                "POST",
                post.args,
                post.status,
                response,
            );
            template
        };
        inner.changed.notify_waiters();
        template
    }
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
        let path = self.inner.lock().hooks.issue(self.inner.seed, channel);
        format!("{}{path}", self.uri())
    }
}
