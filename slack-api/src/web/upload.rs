//! One-call file upload: reserve an upload URL, send the bytes, complete.
//!
//! Slack uploads a file in three requests: `files.getUploadURLExternal`
//! (file name and size in, a pre-signed upload URL and a file ID out), a POST
//! of the bytes to that URL, and `files.completeUploadExternal`, which creates
//! the file and optionally shares it. [`Files::upload`] does all three:
//!
//! ```no_run
//! # async fn run(client: slack_api::Client) -> slack_api::Result<()> {
//! let report = client
//!     .files()
//!     .upload("report.csv", std::fs::read("report.csv").unwrap_or_default())
//!     .channel("C123")
//!     .title("Weekly report")
//!     .initial_comment("Here it is")
//!     .on_progress(|p| println!("{:.0}%", p.fraction() * 100.0))
//!     .await?;
//! println!("uploaded {}", report.id);
//! # Ok(()) }
//! ```
//!
//! The upload URL is pre-signed, so the bytes are sent without the token:
//! the token never goes to a host other than the API's. The upload itself is
//! not retried (a failed upload needs a new URL; call `upload` again).

use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use bytes::Bytes;
use tracing::Instrument;

use crate::de::DecodeError;
use crate::error::{Error, HttpError, InvalidRequest, Result, TransportError};
use crate::files::{CompleteUploadExternalResponse, Files};
use crate::ids::{ChannelId, FileId, Ts};

/// The name errors from the byte upload (the POST to the upload URL) carry
/// as their method, e.g. in [`Error::method`].
pub const UPLOAD_STEP: &str = "upload_url";

const GET_URL: &str = "files.getUploadURLExternal";
const DEFAULT_CHUNK_SIZE: usize = 64 * 1024;

/// How much of an upload has been sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Bytes handed to the connection so far.
    pub sent: u64,
    /// The file's size.
    pub total: u64,
}

impl Progress {
    /// `sent / total`, from 0.0 to 1.0.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            1.0
        } else {
            self.sent as f64 / self.total as f64
        }
    }

    /// Whether every byte has been sent.
    pub fn is_done(&self) -> bool {
        self.sent >= self.total
    }
}

type ProgressFn = Arc<dyn Fn(Progress) + Send + Sync>;

impl Files {
    /// Uploads a file in one call: `files.getUploadURLExternal`, the upload
    /// of `content`, then `files.completeUploadExternal`. Without
    /// [`channel`](UploadRequest::channel) the file stays private to the
    /// uploader.
    ///
    /// Needs the `files:write` scope. See the [module docs](crate::web::upload).
    pub fn upload(&self, filename: impl Into<String>, content: impl Into<Bytes>) -> UploadRequest {
        UploadRequest {
            files: self.clone(),
            filename: filename.into(),
            content: content.into(),
            channel: None,
            title: None,
            initial_comment: None,
            thread_ts: None,
            alt_text: None,
            snippet_type: None,
            chunk_size: DEFAULT_CHUNK_SIZE,
            timeout: None,
            on_progress: None,
        }
    }
}

/// A file upload; set options, then `.send()` or `.await` it. Made by
/// [`Files::upload`].
#[derive(Clone)]
#[must_use = "an upload does nothing until it is sent or awaited"]
pub struct UploadRequest {
    files: Files,
    filename: String,
    content: Bytes,
    channel: Option<ChannelId>,
    title: Option<String>,
    initial_comment: Option<String>,
    thread_ts: Option<Ts>,
    alt_text: Option<String>,
    snippet_type: Option<String>,
    chunk_size: usize,
    timeout: Option<Duration>,
    on_progress: Option<ProgressFn>,
}

impl fmt::Debug for UploadRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("UploadRequest")
            .field("filename", &self.filename)
            .field("len", &self.content.len())
            .field("channel", &self.channel)
            .field("title", &self.title)
            .field("thread_ts", &self.thread_ts)
            .field("chunk_size", &self.chunk_size)
            .field("timeout", &self.timeout)
            .field("on_progress", &self.on_progress.is_some())
            .finish_non_exhaustive()
    }
}

impl UploadRequest {
    /// Shares the file in this conversation once uploaded.
    pub fn channel(mut self, channel: impl Into<ChannelId>) -> Self {
        self.channel = Some(channel.into());
        self
    }

    /// The file's title (Slack uses the file name when there is none).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// Message text posted with the file (needs a channel).
    pub fn initial_comment(mut self, text: impl Into<String>) -> Self {
        self.initial_comment = Some(text.into());
        self
    }

    /// Shares the file as a reply in this thread (needs a channel).
    pub fn thread_ts(mut self, ts: impl Into<Ts>) -> Self {
        self.thread_ts = Some(ts.into());
        self
    }

    /// Description of an image for screen readers (`alt_txt`).
    pub fn alt_text(mut self, text: impl Into<String>) -> Self {
        self.alt_text = Some(text.into());
        self
    }

    /// Makes the file a snippet with this syntax type, e.g. `rust`.
    pub fn snippet_type(mut self, kind: impl Into<String>) -> Self {
        self.snippet_type = Some(kind.into());
        self
    }

    /// Size of the pieces the bytes are sent in, and so how often progress
    /// is reported (default 64 KiB; at least 1).
    pub fn chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes.max(1);
        self
    }

    /// A time limit for sending the bytes and getting the upload's answer
    /// (none by default; the two Web API calls use the client's timeout).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Called as the bytes are sent: after each piece is handed to the
    /// connection, and last with `sent == total`. It must not block.
    pub fn on_progress(mut self, f: impl Fn(Progress) + Send + Sync + 'static) -> Self {
        self.on_progress = Some(Arc::new(f));
        self
    }

    /// Runs the three steps.
    ///
    /// # Errors
    /// [`Error::InvalidRequest`] for an empty file or name, or comments and
    /// threads without a channel; the errors of the two Web API calls; for the
    /// byte upload, [`Error::Http`] on a non-2xx answer and
    /// [`Error::Transport`] when it could not be sent, both with
    /// [`UPLOAD_STEP`] as their method.
    pub async fn send(self) -> Result<UploadedFile> {
        self.check()?;
        let span = tracing::info_span!(
            "slack_api.upload",
            bytes = self.content.len(),
            file_id = tracing::field::Empty,
        );
        self.run().instrument(span).await
    }

    fn check(&self) -> Result<()> {
        let invalid = |msg: &str| Err(InvalidRequest::new(Some(GET_URL), msg).into());
        if self.content.is_empty() {
            return invalid("the file is empty; Slack needs at least one byte");
        }
        if self.filename.trim().is_empty() {
            return invalid("the file name is empty");
        }
        if self.channel.is_none() && (self.thread_ts.is_some() || self.initial_comment.is_some()) {
            return invalid("initial_comment and thread_ts need a channel to share the file in");
        }
        Ok(())
    }

    async fn run(self) -> Result<UploadedFile> {
        let total = self.content.len();
        let length = i64::try_from(total)
            .map_err(|_| InvalidRequest::new(Some(GET_URL), "the file is too large"))?;

        let mut reserve = self.files.get_upload_url_external(self.filename, length);
        if let Some(t) = self.alt_text {
            reserve = reserve.alt_txt(t);
        }
        if let Some(t) = self.snippet_type {
            reserve = reserve.snippet_type(t);
        }
        let client = reserve.clone().into_args().0;
        // Both are required fields: a response without them fails to decode.
        let reserved = reserve.await?;
        let (id, upload_url) = (reserved.file_id, reserved.upload_url);
        tracing::Span::current().record("file_id", id.as_str());

        let reporter = Reporter {
            total: total as u64,
            last: Arc::new(AtomicU64::new(0)),
            callback: self.on_progress,
        };
        post_bytes(
            &client,
            &upload_url,
            self.content,
            self.chunk_size,
            self.timeout,
            &reporter,
        )
        .await?;
        reporter.report(total as u64);

        let mut entry = serde_json::json!({ "id": id.as_str() });
        if let Some(t) = &self.title {
            entry["title"] = serde_json::Value::String(t.clone());
        }
        let mut complete = self
            .files
            .complete_upload_external(serde_json::Value::Array(vec![entry]));
        if let Some(c) = self.channel {
            complete = complete.channel_id(c);
        }
        if let Some(t) = self.initial_comment {
            complete = complete.initial_comment(t);
        }
        if let Some(t) = self.thread_ts {
            complete = complete.thread_ts(t);
        }
        let response = complete.await?;
        let title = response
            .files
            .iter()
            .find(|f| f.id.as_ref() == Some(&id))
            .and_then(|f| f.title.clone())
            .or(self.title);
        Ok(UploadedFile {
            id,
            title,
            response,
        })
    }
}

impl std::future::IntoFuture for UploadRequest {
    type Output = Result<UploadedFile>;
    type IntoFuture = crate::web::retry::BoxFuture<'static, Result<UploadedFile>>;
    fn into_future(self) -> Self::IntoFuture {
        Box::pin(self.send())
    }
}

/// A finished upload.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UploadedFile {
    /// The new file's ID.
    pub id: FileId,
    /// Its title, as Slack reported it (or as requested).
    pub title: Option<String>,
    /// What `files.completeUploadExternal` answered.
    pub response: CompleteUploadExternalResponse,
}

impl UploadedFile {
    /// The file object Slack returned for this upload.
    pub fn file(&self) -> Option<&crate::types::File> {
        self.response
            .files
            .iter()
            .find(|f| f.id.as_ref() == Some(&self.id))
    }
}

/// Reports progress at most once per new high-water mark.
struct Reporter {
    total: u64,
    last: Arc<AtomicU64>,
    callback: Option<ProgressFn>,
}

impl Reporter {
    fn report(&self, sent: u64) {
        let Some(cb) = &self.callback else { return };
        let prev = self.last.fetch_max(sent, Ordering::AcqRel);
        if sent > prev {
            cb(Progress {
                sent,
                total: self.total,
            });
        }
    }

    fn share(&self) -> Reporter {
        Reporter {
            total: self.total,
            last: Arc::clone(&self.last),
            callback: self.callback.clone(),
        }
    }
}

/// POSTs the bytes as a raw body, in pieces so progress can be reported.
async fn post_bytes(
    client: &crate::Client,
    url: &str,
    content: Bytes,
    chunk: usize,
    timeout: Option<Duration>,
    reporter: &Reporter,
) -> Result<()> {
    let url = url::Url::parse(url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| {
            Error::Decode(
                DecodeError::custom("upload_url is not an http(s) URL").with_method(GET_URL),
            )
        })?;
    let total = content.len();
    let state = (content, 0usize, reporter.share());
    let body = futures_util::stream::unfold(state, move |(content, offset, reporter)| async move {
        // Being asked for the next piece means the previous one was taken.
        if offset > 0 {
            reporter.report(offset as u64);
        }
        if offset >= content.len() {
            return None;
        }
        let end = offset.saturating_add(chunk).min(content.len());
        let piece = content.slice(offset..end);
        Some((Ok::<_, std::io::Error>(piece), (content, end, reporter)))
    });
    // The URL is pre-signed, a credential of sorts: `from_http` strips it.
    let transport = |e: reqwest::Error| Error::Transport(TransportError::from_http(UPLOAD_STEP, e));
    // The API client's own HTTP client: its proxy, TLS and pool apply here too.
    let (http, user_agent) = client.http();
    let mut req = http
        .post(url)
        .header(reqwest::header::USER_AGENT, user_agent)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .header(reqwest::header::CONTENT_LENGTH, total)
        .body(reqwest::Body::wrap_stream(body));
    if let Some(t) = timeout {
        req = req.timeout(t);
    }
    let resp = req.send().await.map_err(transport)?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(transport)?;
    if !(200..300).contains(&status) {
        let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
        let excerpt: String = text
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        return Err(HttpError {
            method: UPLOAD_STEP.to_owned(),
            status,
            body_excerpt: crate::redact::redact_tokens(&excerpt),
            retries: 0,
        }
        .into());
    }
    Ok(())
}
