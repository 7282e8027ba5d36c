//! The server side of file uploads (`crate::simulator::files`): the upload
//! and download endpoints, and [`FakeSlack::uploaded_file`].

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use wiremock::{Request, Respond, ResponseTemplate};

use super::{FakeSlack, Inner};
use crate::faults::Fault;
use crate::http::record;
use crate::journal::Call;
use crate::request::{self, CredentialKind};
use crate::simulator::TEAM_ID;
use crate::simulator::files::{DOWNLOAD_PREFIX, UPLOAD_METHOD, UPLOAD_PREFIX, store};

impl FakeSlack {
    /// The bytes uploaded to the fake for a file ID (from
    /// `files.getUploadURLExternal`), whether or not the upload was completed.
    pub fn uploaded_file(&self, id: &str) -> Option<Vec<u8>> {
        self.inner.lock().workspace.files.uploaded(id)
    }
}

/// The journal entry for one byte upload; the body itself is not kept there.
pub(super) fn upload_call(req: &Request, status: u16, response: Value) -> Call {
    let d = request::decode(req);
    let id = req.url.path().strip_prefix(UPLOAD_PREFIX).unwrap_or("");
    let mut args = BTreeMap::new();
    args.insert("file_id".to_string(), id.to_string());
    args.insert("bytes".to_string(), req.body.len().to_string());
    let ct = request::content_type(req);
    if !ct.is_empty() {
        args.insert("content_type".to_string(), ct.to_string());
    }
    Call {
        seq: 0,
        method: UPLOAD_METHOD.to_string(),
        http_method: req.method.to_string(),
        args,
        token_kind: d.token_kind,
        token: d.token,
        status,
        response,
        source: "files".into(),
    }
}

/// `POST /upload/v1/{id}`: stores the bytes of a reserved upload.
pub(super) struct Upload(pub(super) Arc<Inner>);

impl Respond for Upload {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let (status, text, headers, delay) = {
            let mut st = self.0.lock();
            let mut headers = Vec::new();
            let mut delay = None;
            let fault = match st.faults.take(UPLOAD_METHOD) {
                Some(Fault::RateLimited { retry_after }) => {
                    headers.push(("retry-after", retry_after.to_string()));
                    Some((429, "rate limited".to_string()))
                }
                Some(Fault::Status { status }) => Some((status, String::new())),
                Some(Fault::Error { code }) => Some((400, code)),
                Some(Fault::Delay { millis }) => {
                    delay = Some(Duration::from_millis(millis));
                    None
                }
                Some(Fault::Reset) | None => None,
            };
            let (status, text) = match fault {
                Some(f) => f,
                None => store(&mut st.workspace, req),
            };
            record(&mut st.journal, upload_call(req, status, json!(text)));
            (status, text, headers, delay)
        };
        self.0.changed.notify_waiters();
        let mut t = ResponseTemplate::new(status);
        for (k, v) in headers {
            t = t.insert_header(k, v.as_str());
        }
        if !text.is_empty() {
            t = t.set_body_raw(text.into_bytes(), "text/plain; charset=utf-8");
        }
        if let Some(d) = delay {
            t = t.set_delay(d);
        }
        t
    }
}

/// `GET /files-pri/{team}-{id}/{name}`: a completed file's bytes, for any valid token.
pub(super) struct Download(pub(super) Arc<Inner>);

impl Respond for Download {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let d = request::decode(req);
        if matches!(
            d.token_kind,
            CredentialKind::None | CredentialKind::Invalid | CredentialKind::Basic
        ) {
            return ResponseTemplate::new(403).set_body_string("a token is required");
        }
        let (team, id) = req
            .url
            .path()
            .strip_prefix(DOWNLOAD_PREFIX)
            .and_then(|rest| rest.split('/').next())
            .and_then(|team_id| team_id.split_once('-'))
            .unwrap_or_default();
        let st = self.0.lock();
        let ws = if team == TEAM_ID {
            Some(&st.workspace)
        } else {
            st.teams.get(team)
        };
        match ws.and_then(|ws| ws.files.download(id)) {
            Some((bytes, mime)) => ResponseTemplate::new(200).set_body_raw(bytes, mime.as_str()),
            None => ResponseTemplate::new(404).set_body_string("file not found"),
        }
    }
}
