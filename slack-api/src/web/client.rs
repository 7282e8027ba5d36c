//! The client: configuration, and the one non-generic path every call takes.

use std::collections::HashMap;
use std::fmt;
use std::hash::{Hash, Hasher};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::HeaderMap;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::Secret;
use crate::de;
use crate::error::{
    ApiError, ApiErrorDetails, Error, ErrorCode, HttpError, InvalidRequest, RateLimited, Result,
    TransportError, TransportErrorKind,
};
use crate::spec::{ArgKind, HttpVerb, MethodSpec, RateTier, TokenKind};
use crate::web::request::{ArgValue, Args};
use crate::web::retry::{RetryPolicy, Sleeper, TokioSleeper, random_fraction};

const DEFAULT_API_BASE: &str = "https://slack.com/api/";
const DEFAULT_OAUTH_AUTHORIZE: &str = "https://slack.com/oauth/v2/authorize";
const DEFAULT_USER_AGENT: &str = concat!("slack-rs/", env!("CARGO_PKG_VERSION"));

/// A hook that sees every HTTP exchange (see [`ClientBuilder::observer`]).
type Observer = Arc<dyn Fn(&Exchange<'_>) + Send + Sync>;

/// A stable key for the rate limiter that does not hold the token.
fn fingerprint(token: &Secret) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    token.expose().hash(&mut h);
    h.finish()
}

/// A Slack Web API client.
///
/// Cheap to clone (clones share the connection pool, the retry policy and the
/// rate limiter) and usable from many tasks at once. One client per token;
/// [`with_token`](Self::with_token) makes another for a different token
/// sharing everything else.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    token: Option<Secret>,
}

struct Inner {
    http: reqwest::Client,
    api_base: Url,
    oauth_authorize: Url,
    timeout: Duration,
    max_response_bytes: usize,
    user_agent: String,
    retry: RetryPolicy,
    sleeper: Arc<dyn Sleeper>,
    limiter: Option<RateLimiter>,
    observer: Option<Observer>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_base_url", &self.inner.api_base.as_str())
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("retry", &self.inner.retry)
            .field("rate_limit", &self.inner.limiter.is_some())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// A client for `token` with the default configuration.
    ///
    /// # Panics
    /// If the TLS backend cannot be initialised, as `reqwest::Client::new`
    /// does. Use [`Client::builder`] to get that as an error.
    pub fn new(token: impl Into<Secret>) -> Self {
        match Self::builder().token(token).build() {
            Ok(c) => c,
            Err(e) => panic!("could not build the HTTP client: {e}"),
        }
    }

    /// A client for the token in `SLACK_BOT_TOKEN`, or else `SLACK_API_TOKEN`.
    pub fn from_env() -> Result<Self> {
        let token = ["SLACK_BOT_TOKEN", "SLACK_API_TOKEN"]
            .into_iter()
            .find_map(|name| std::env::var(name).ok().filter(|t| !t.trim().is_empty()))
            .ok_or_else(|| {
                InvalidRequest::new(None, "neither SLACK_BOT_TOKEN nor SLACK_API_TOKEN is set")
            })?;
        Self::builder().token(token.trim()).build()
    }

    /// A client without a token, for methods that take none (`oauth.v2.access`).
    ///
    /// # Panics
    /// As [`Client::new`].
    pub fn anonymous() -> Self {
        match Self::builder().build() {
            Ok(c) => c,
            Err(e) => panic!("could not build the HTTP client: {e}"),
        }
    }

    /// A builder for a configured client.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// The same client with another token (another workspace's bot token, an
    /// app-level `xapp-` token, ...), sharing the connection pool.
    pub fn with_token(&self, token: impl Into<Secret>) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            token: Some(token.into()).filter(|t| !t.is_empty()),
        }
    }

    /// The same client without a token.
    pub fn without_token(&self) -> Self {
        Self {
            inner: Arc::clone(&self.inner),
            token: None,
        }
    }

    /// Whether the client has a token.
    pub fn has_token(&self) -> bool {
        self.token.is_some()
    }

    /// The API base URL, ending in `/api/`.
    pub fn api_base_url(&self) -> &str {
        self.inner.api_base.as_str()
    }

    /// The OAuth v2 authorize page URL.
    pub fn oauth_authorize_url(&self) -> &str {
        self.inner.oauth_authorize.as_str()
    }

    /// The retry policy.
    pub fn retry_policy(&self) -> &RetryPolicy {
        &self.inner.retry
    }

    /// The HTTP client and `User-Agent` behind this client, for requests
    /// that are not Web API calls (file upload bodies): same proxy, TLS and
    /// connection pool.
    #[cfg(feature = "files")]
    pub(crate) fn http(&self) -> (&reqwest::Client, &str) {
        (&self.inner.http, &self.inner.user_agent)
    }

    /// The sleeper the client waits with; RTM and Socket Mode connections
    /// opened with this client wait with it too unless given their own.
    pub fn sleeper(&self) -> Arc<dyn Sleeper> {
        Arc::clone(&self.inner.sleeper)
    }

    /// Calls any Web API method with arguments from anything serializable to
    /// a JSON object, returning the raw response.
    ///
    /// Methods in the spec are sent as it says (verb, body encoding, retry
    /// safety); others are POSTed as a form and never retried except on 429.
    pub async fn call<A: Serialize + ?Sized>(
        &self,
        method: &str,
        args: &A,
    ) -> Result<serde_json::Value> {
        self.call_as(method, args).await
    }

    /// [`call`](Self::call), decoding the response into `T`.
    pub async fn call_as<T: DeserializeOwned, A: Serialize + ?Sized>(
        &self,
        method: &str,
        args: &A,
    ) -> Result<T> {
        let spec = crate::spec::method(method);
        let args = args_from_serialize(method, spec, args)?;
        let info = match spec {
            Some(s) => CallInfo::from_spec(s),
            None => CallInfo {
                name: method,
                http: HttpVerb::Post,
                json_body: false,
                retry_safe: false,
                tier: None,
                token_required: false,
                sends_token: true,
            },
        };
        let raw = self.perform(&info, &args).await?;
        de::from_slice(&raw.body).map_err(|e| Error::Decode(e.with_method(method)))
    }

    /// Sends a method's arguments and decodes the response. Generated
    /// builders call this.
    pub async fn execute<T: DeserializeOwned>(
        &self,
        spec: &'static MethodSpec,
        args: Args,
    ) -> Result<T> {
        let body = self.execute_raw(spec, args).await?;
        de::from_slice(&body).map_err(|e| Error::Decode(e.with_method(spec.name)))
    }

    /// Sends a method's arguments and returns the checked (`ok: true`) body.
    pub async fn execute_raw(&self, spec: &'static MethodSpec, args: Args) -> Result<Bytes> {
        Ok(self.execute_raw_response(spec, args).await?.body)
    }

    /// [`execute_raw`](Self::execute_raw), also returning the warnings and
    /// messages Slack attached to a successful response. Pair it with a
    /// builder's `into_args()` to see the warnings of a typed call:
    ///
    /// ```no_run
    /// # async fn run(client: slack_api::Client) -> slack_api::Result<()> {
    /// let spec = slack_api::spec::method("chat.postMessage").expect("in the spec");
    /// let (client, args) = client.chat().post_message("C123").text("hi").into_args();
    /// let raw = client.execute_raw_response(spec, args).await?;
    /// println!("warnings: {:?}", raw.warnings);
    /// # Ok(()) }
    /// ```
    pub async fn execute_raw_response(
        &self,
        spec: &'static MethodSpec,
        args: Args,
    ) -> Result<RawResponse> {
        self.perform(&CallInfo::from_spec(spec), &args).await
    }

    /// The non-generic path: encoding, auth, rate limiting, retries, envelope.
    async fn perform(&self, call: &CallInfo<'_>, args: &Args) -> Result<RawResponse> {
        let span = tracing::info_span!(
            "slack_api.call",
            method = call.name,
            status = tracing::field::Empty,
            retries = tracing::field::Empty,
        );
        async {
            let result = self.perform_inner(call, args).await;
            let span = tracing::Span::current();
            match &result {
                Ok(r) => {
                    span.record("status", r.status);
                    span.record("retries", r.retries);
                }
                Err(e) => tracing::debug!(error = %e, "call failed"),
            }
            result
        }
        .instrument(span)
        .await
    }

    async fn perform_inner(&self, call: &CallInfo<'_>, args: &Args) -> Result<RawResponse> {
        let inner = &*self.inner;
        let url = method_url(&inner.api_base, call.name)?;
        if let Some(first) = args.rejected().first() {
            let more = match args.rejected().len() {
                1 => String::new(),
                n => format!(" (and {} more)", n - 1),
            };
            return Err(InvalidRequest::new(
                Some(call.name),
                format!("over Slack's limits: {first}{more}"),
            )
            .into());
        }
        if call.token_required && self.token.is_none() {
            return Err(InvalidRequest::new(
                Some(call.name),
                "this method needs a token and the client has none",
            )
            .into());
        }
        let (url, body, content_type) = encode(call, url, args)?;

        if let (Some(limiter), Some(tier)) = (&inner.limiter, call.tier) {
            let key = (
                call.name.to_owned(),
                self.token.as_ref().map_or(0, fingerprint),
            );
            let wait = limiter.reserve(key, tier);
            if !wait.is_zero() {
                tracing::debug!(wait_ms = wait.as_millis() as u64, "client-side rate limit");
                inner.sleeper.sleep(wait).await;
            }
        }

        let policy = &inner.retry;
        let mut retries = 0u32;
        loop {
            let attempt = self
                .attempt(call, &url, body.as_ref(), content_type, args, retries)
                .await;
            let (status, headers, resp_body) = match attempt {
                Ok(r) => r,
                Err(mut e) => {
                    // Nothing was sent on a connect failure, so repeating it is always safe.
                    // A body too large stays too large.
                    let retryable = (e.kind == TransportErrorKind::Connect || call.retry_safe)
                        && e.kind != TransportErrorKind::BodyTooLarge;
                    if retryable && retries < policy.retries() {
                        let wait = policy.backoff(retries, random_fraction());
                        tracing::debug!(retries, wait_ms = wait.as_millis() as u64, kind = ?e.kind, "retrying after transport error");
                        inner.sleeper.sleep(wait).await;
                        retries += 1;
                        continue;
                    }
                    e.retries = retries;
                    tracing::Span::current().record("retries", retries);
                    return Err(e.into());
                }
            };
            tracing::Span::current().record("status", status);

            if status == 429 {
                let retry_after = retry_after(&headers);
                if retries < policy.retries() {
                    let wait = policy.rate_limit_wait(retries, retry_after, random_fraction());
                    tracing::info!(
                        retries,
                        wait_ms = wait.as_millis() as u64,
                        "rate limited; waiting"
                    );
                    inner.sleeper.sleep(wait).await;
                    retries += 1;
                    continue;
                }
                tracing::Span::current().record("retries", retries);
                return Err(RateLimited {
                    method: call.name.to_owned(),
                    retry_after,
                    retries,
                }
                .into());
            }

            if status >= 500 && call.retry_safe && retries < policy.retries() {
                let wait = policy.backoff(retries, random_fraction());
                tracing::debug!(
                    retries,
                    status,
                    wait_ms = wait.as_millis() as u64,
                    "retrying after server error"
                );
                inner.sleeper.sleep(wait).await;
                retries += 1;
                continue;
            }
            tracing::Span::current().record("retries", retries);
            return check_envelope(call.name, status, retries, resp_body);
        }
    }

    /// One HTTP round trip. Returns status, headers and body, or a transport error.
    async fn attempt(
        &self,
        call: &CallInfo<'_>,
        url: &Url,
        body: Option<&Bytes>,
        content_type: Option<&'static str>,
        args: &Args,
        retries: u32,
    ) -> std::result::Result<(u16, HeaderMap, Bytes), TransportError> {
        let inner = &*self.inner;
        let verb = match call.http {
            HttpVerb::Get => reqwest::Method::GET,
            HttpVerb::Post => reqwest::Method::POST,
        };
        let mut req = inner
            .http
            .request(verb, url.clone())
            .header(reqwest::header::USER_AGENT, &inner.user_agent);
        let token = self.token.as_ref().filter(|_| call.sends_token);
        if let Some(token) = token {
            req = req.bearer_auth(token.expose());
        }
        req = req.timeout(inner.timeout);
        if let (Some(body), Some(ct)) = (body, content_type) {
            req = req
                .header(reqwest::header::CONTENT_TYPE, ct)
                .body(body.clone());
        }
        let started = Instant::now();
        let result = async {
            let mut resp = req.send().await?;
            let status = resp.status().as_u16();
            // Moved out, not copied: only a 429 and the observer read them.
            let headers = std::mem::take(resp.headers_mut());
            let body = read_capped(resp, inner.max_response_bytes).await?;
            Ok::<_, ReadError>((status, headers, body))
        }
        .await;
        let elapsed = started.elapsed();
        if let Some(observer) = &inner.observer {
            let (status, headers, resp_body) = match &result {
                Ok((s, h, b)) => (Some(*s), header_pairs(h), b.as_ref()),
                Err(_) => (None, Vec::new(), &[][..]),
            };
            observer(&Exchange {
                method: call.name,
                args,
                http_method: if call.http == HttpVerb::Get {
                    "GET"
                } else {
                    "POST"
                },
                url: url.as_str(),
                authenticated: token.is_some(),
                request_content_type: content_type,
                request_body: body.map_or(&[][..], |b| b.as_ref()),
                attempt: retries,
                status,
                response_headers: &headers,
                response_body: resp_body,
                elapsed,
            });
        }
        result.map_err(|e| match e {
            ReadError::Http(e) => TransportError::from_http(call.name, e),
            ReadError::TooLarge { limit } => TransportError::new(
                call.name,
                TransportErrorKind::BodyTooLarge,
                Some(
                    format!(
                        "the response body is larger than {limit} bytes (`max_response_bytes`)"
                    )
                    .into(),
                ),
            ),
        })
    }
}

enum ReadError {
    Http(reqwest::Error),
    TooLarge { limit: usize },
}

impl From<reqwest::Error> for ReadError {
    fn from(e: reqwest::Error) -> Self {
        ReadError::Http(e)
    }
}

/// The body, read chunk by chunk so that one larger than `limit` is refused
/// as soon as it says so (`Content-Length`) or grows past it.
async fn read_capped(
    mut resp: reqwest::Response,
    limit: usize,
) -> std::result::Result<Bytes, ReadError> {
    if resp.content_length().is_some_and(|n| n > limit as u64) {
        return Err(ReadError::TooLarge { limit });
    }
    let mut body = bytes::BytesMut::with_capacity(resp.content_length().map_or(0, |n| n as usize));
    while let Some(chunk) = resp.chunk().await? {
        if body.len() + chunk.len() > limit {
            return Err(ReadError::TooLarge { limit });
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// What the client knows about the method being called.
struct CallInfo<'a> {
    name: &'a str,
    http: HttpVerb,
    json_body: bool,
    retry_safe: bool,
    tier: Option<RateTier>,
    token_required: bool,
    /// False for methods that take no token (`oauth.v2.access` takes the
    /// app's client credentials): the client's token is not sent to them.
    sends_token: bool,
}

impl CallInfo<'static> {
    fn from_spec(spec: &'static MethodSpec) -> Self {
        CallInfo {
            name: spec.name,
            http: spec.http,
            json_body: spec.json_body,
            retry_safe: spec.retry_safe,
            tier: spec.tier,
            token_required: !spec.tokens.is_empty() && !spec.tokens.contains(&TokenKind::None),
            sends_token: spec.tokens.is_empty()
                || spec.tokens.iter().any(|t| *t != TokenKind::None),
        }
    }
}

fn method_url(base: &Url, method: &str) -> Result<Url> {
    let valid = !method.is_empty()
        && method
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        && !method.starts_with('.');
    if !valid {
        return Err(InvalidRequest::new(Some(method), "not a valid method name").into());
    }
    base.join(method)
        .map_err(|_| InvalidRequest::new(Some(method), "could not build the method URL").into())
}

/// URL (with the query for GET), body and content type.
fn encode(
    call: &CallInfo<'_>,
    mut url: Url,
    args: &Args,
) -> Result<(Url, Option<Bytes>, Option<&'static str>)> {
    match call.http {
        HttpVerb::Get => {
            if !args.is_empty() {
                url.set_query(Some(&args.to_urlencoded()));
            }
            Ok((url, None, None))
        }
        HttpVerb::Post if call.json_body => {
            let body = serde_json::to_vec(args).map_err(|e| {
                InvalidRequest::new(Some(call.name), format!("could not encode JSON: {e}"))
            })?;
            Ok((
                url,
                Some(Bytes::from(body)),
                Some("application/json; charset=utf-8"),
            ))
        }
        HttpVerb::Post => Ok((
            url,
            Some(Bytes::from(args.to_urlencoded())),
            Some("application/x-www-form-urlencoded"),
        )),
    }
}

/// Response headers as the observer sees them: names and lossy-UTF-8 values.
fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = std::str::from_utf8(headers.get(reqwest::header::RETRY_AFTER)?.as_bytes())
        .ok()?
        .trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    value
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && *s >= 0.0)
        .map(|s| Duration::from_secs_f64(s.min(86_400.0)))
}

/// The fields of every Web API response the client itself looks at.
#[derive(serde::Deserialize)]
struct Envelope {
    // Strict: `"ok": "yes"` is not a Slack response, so it fails to decode.
    #[serde(default)]
    ok: Option<bool>,
    #[serde(default, deserialize_with = "de::opt")]
    error: Option<String>,
    #[serde(default, deserialize_with = "de::opt")]
    warning: Option<String>,
    #[serde(default, deserialize_with = "de::opt")]
    needed: Option<String>,
    #[serde(default, deserialize_with = "de::opt")]
    provided: Option<String>,
    #[serde(default, deserialize_with = "de::opt")]
    response_metadata: Option<Metadata>,
}

#[derive(serde::Deserialize)]
struct Metadata {
    #[serde(default, deserialize_with = "de::vec")]
    messages: Vec<String>,
    #[serde(default, deserialize_with = "de::vec")]
    warnings: Vec<String>,
}

impl de::Lenient for Metadata {
    const SHAPE: de::Shape = de::Shape::Object;
}

fn check_envelope(method: &str, status: u16, retries: u32, body: Bytes) -> Result<RawResponse> {
    let success = (200..300).contains(&status);
    let envelope = match de::from_slice_unreported::<Envelope>(&body) {
        Ok(e) => e,
        Err(e) if success => return Err(e.with_method(method).into()),
        Err(_) => return Err(http_error(method, status, retries, &body)),
    };
    let (messages, mut warnings) = envelope
        .response_metadata
        .map(|m| (m.messages, m.warnings))
        .unwrap_or_default();
    if let Some(w) = envelope.warning {
        for w in w.split(',').map(str::trim).filter(|w| !w.is_empty()) {
            if !warnings.iter().any(|x| x == w) {
                warnings.push(w.to_owned());
            }
        }
    }
    if envelope.ok == Some(false) || (envelope.ok.is_none() && envelope.error.is_some()) {
        let code = envelope.error.unwrap_or_else(|| "unknown_error".to_owned());
        return Err(ApiError::new(ApiErrorDetails {
            method: method.to_owned(),
            code: ErrorCode::from(code.as_str()),
            status,
            warnings,
            needed: envelope.needed,
            provided: envelope.provided,
            messages,
        })
        .into());
    }
    if !success {
        return Err(http_error(method, status, retries, &body));
    }
    // Only `"ok": true` is success: a body without it, with `"ok": "yes"`,
    // or that is not an object at all is not a Slack response.
    if envelope.ok != Some(true) || !body_is_object(&body) {
        return Err(de::DecodeError::custom(
            "the response is not a Slack response: no `\"ok\": true` in a JSON object",
        )
        .with_method(method)
        .into());
    }
    if !warnings.is_empty() {
        tracing::warn!(method, warnings = %warnings.join(","), "Slack returned warnings");
    }
    Ok(RawResponse {
        body,
        status,
        warnings,
        messages,
        retries,
    })
}

/// Whether the first non-blank byte opens an object (the envelope decoder
/// accepts an array too, reading it as a sequence of fields).
fn body_is_object(body: &[u8]) -> bool {
    body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
}

fn http_error(method: &str, status: u16, retries: u32, body: &[u8]) -> Error {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let excerpt: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect();
    HttpError {
        method: method.to_owned(),
        status,
        body_excerpt: crate::redact::redact_tokens(&excerpt),
        retries,
    }
    .into()
}

/// Builds [`Args`] from a serializable value for [`Client::call`].
fn args_from_serialize<A: Serialize + ?Sized>(
    method: &str,
    spec: Option<&MethodSpec>,
    args: &A,
) -> Result<Args> {
    let value = serde_json::to_value(args).map_err(|e| {
        InvalidRequest::new(
            Some(method),
            format!("arguments could not be serialized: {e}"),
        )
    })?;
    let map = match value {
        serde_json::Value::Object(m) => m,
        serde_json::Value::Null => serde_json::Map::new(),
        _ => {
            return Err(InvalidRequest::new(
                Some(method),
                "arguments must serialize to a JSON object",
            )
            .into());
        }
    };
    let mut out = Args::new();
    for (name, v) in map {
        let kind = spec.and_then(|s| s.arg(&name)).map(|a| a.kind);
        let arg = match (kind, v) {
            (_, serde_json::Value::Null) => continue,
            (Some(ArgKind::Json), v) => ArgValue::Json(v),
            (_, serde_json::Value::String(s)) => ArgValue::Str(s),
            (_, serde_json::Value::Bool(b)) => ArgValue::Bool(b),
            (_, serde_json::Value::Number(n)) => match n.as_i64() {
                Some(i) => ArgValue::Int(i),
                None => ArgValue::Float(n.as_f64().unwrap_or_default()),
            },
            (Some(ArgKind::List) | None, serde_json::Value::Array(items))
                if items.iter().all(|i| i.is_string() || i.is_number()) =>
            {
                ArgValue::List(
                    items
                        .into_iter()
                        .map(|i| match i {
                            serde_json::Value::String(s) => s,
                            other => other.to_string(),
                        })
                        .collect(),
                )
            }
            (_, v) => ArgValue::Json(v),
        };
        out.push(name, arg);
    }
    Ok(out)
}

/// A successful (`ok: true`) response before decoding.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct RawResponse {
    /// The body as received.
    pub body: Bytes,
    /// HTTP status.
    pub status: u16,
    /// Warning codes (`warning` and `response_metadata.warnings`), e.g. `missing_charset`.
    pub warnings: Vec<String>,
    /// `response_metadata.messages`.
    pub messages: Vec<String>,
    /// How many retries it took.
    pub retries: u32,
}

/// One HTTP request and its response, as handed to an observer
/// ([`ClientBuilder::observer`]). The `Authorization` header is not included.
#[derive(Debug)]
#[non_exhaustive]
pub struct Exchange<'a> {
    /// Web API method, e.g. `chat.postMessage`.
    pub method: &'a str,
    /// The call's arguments.
    pub args: &'a Args,
    /// `GET` or `POST`.
    pub http_method: &'static str,
    /// Full URL, including the query string for GET.
    pub url: &'a str,
    /// Whether a token was sent (the token itself is never exposed).
    pub authenticated: bool,
    /// Content type of the request body, if any.
    pub request_content_type: Option<&'static str>,
    /// Request body (empty for GET).
    pub request_body: &'a [u8],
    /// 0 for the first attempt, then the retry number.
    pub attempt: u32,
    /// HTTP status, `None` when no response arrived.
    pub status: Option<u16>,
    /// Response headers.
    pub response_headers: &'a [(String, String)],
    /// Response body.
    pub response_body: &'a [u8],
    /// Time from sending to the end of the body.
    pub elapsed: Duration,
}

/// Client-side limiter: a token bucket per (method, token) sized by the tier.
struct RateLimiter {
    buckets: Mutex<HashMap<(String, u64), Bucket>>,
}

struct Bucket {
    tokens: f64,
    updated: Instant,
}

impl RateLimiter {
    fn new() -> Self {
        Self {
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one request's worth and returns how long to wait before sending.
    fn reserve(&self, key: (String, u64), tier: RateTier) -> Duration {
        let per_minute = f64::from(tier.per_minute().max(1));
        let rate = per_minute / 60.0;
        let now = Instant::now();
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        let b = buckets.entry(key).or_insert(Bucket {
            tokens: per_minute,
            updated: now,
        });
        let elapsed = now.saturating_duration_since(b.updated).as_secs_f64();
        b.tokens = (b.tokens + elapsed * rate).min(per_minute);
        b.updated = now;
        b.tokens -= 1.0;
        if b.tokens >= 0.0 {
            Duration::ZERO
        } else {
            Duration::from_secs_f64(-b.tokens / rate)
        }
    }
}

/// Configuration for a [`Client`].
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    token: Option<Secret>,
    api_base_url: Option<String>,
    oauth_authorize_url: Option<String>,
    timeout: Option<Duration>,
    connect_timeout: Option<Duration>,
    max_response_bytes: Option<usize>,
    proxy: Option<String>,
    user_agent: Option<String>,
    retry: Option<RetryPolicy>,
    sleeper: Option<Arc<dyn Sleeper>>,
    http: Option<reqwest::Client>,
    rate_limit: bool,
    observer: Option<Observer>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token.as_ref().map(|_| "[redacted]"))
            .field("api_base_url", &self.api_base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("retry", &self.retry)
            .field("rate_limit", &self.rate_limit)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// How long one HTTP attempt may take, from connecting to the last byte of
    /// the body, unless [`timeout`](Self::timeout) says otherwise (the official
    /// Python SDK's figure).
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
    /// How long opening a connection may take, unless
    /// [`connect_timeout`](Self::connect_timeout) says otherwise.
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
    /// The largest response body read, unless
    /// [`max_response_bytes`](Self::max_response_bytes) says otherwise. Slack's largest
    /// pages are a few megabytes.
    pub const DEFAULT_MAX_RESPONSE_BYTES: usize = 64 << 20;

    /// The token (`xoxb-`, `xoxp-` or `xapp-`).
    pub fn token(mut self, token: impl Into<Secret>) -> Self {
        self.token = Some(token.into());
        self
    }

    /// The Web API base URL, ending in `/api/` (default `https://slack.com/api/`).
    /// Point it at a fake Slack in tests.
    pub fn api_base_url(mut self, url: impl Into<String>) -> Self {
        self.api_base_url = Some(url.into());
        self
    }

    /// The OAuth v2 authorize page (default `https://slack.com/oauth/v2/authorize`).
    pub fn oauth_authorize_url(mut self, url: impl Into<String>) -> Self {
        self.oauth_authorize_url = Some(url.into());
        self
    }

    /// How long each HTTP attempt may take, from connecting to the last
    /// byte of the body (default [`DEFAULT_TIMEOUT`](Self::DEFAULT_TIMEOUT), 30 s). A call that
    /// runs out fails with a [`Timeout`](TransportErrorKind::Timeout)
    /// transport error, retried as any transport error is.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// How long opening a connection may take (default
    /// [`DEFAULT_CONNECT_TIMEOUT`](Self::DEFAULT_CONNECT_TIMEOUT), 10 s). Not applied to a client given
    /// with [`http_client`](Self::http_client), which has its own.
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// The largest response body the client reads (default
    /// [`DEFAULT_MAX_RESPONSE_BYTES`](Self::DEFAULT_MAX_RESPONSE_BYTES), 64 MiB). A larger one fails with a
    /// [`BodyTooLarge`](TransportErrorKind::BodyTooLarge) transport error
    /// instead of being buffered.
    pub fn max_response_bytes(mut self, max: usize) -> Self {
        self.max_response_bytes = Some(max);
        self
    }

    /// An HTTP(S) proxy for all requests.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// The `User-Agent` header (default `slack-rs/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// The retry policy (default [`RetryPolicy::default`]).
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// What the client waits with between retries and for the rate limiter
    /// (default [`TokioSleeper`]); the RTM and Socket Mode clients built
    /// from this client wait with it too. Takes any [`Sleeper`], an `Arc` of
    /// one included, as their builders do.
    pub fn sleeper(mut self, sleeper: impl Sleeper + 'static) -> Self {
        self.sleeper = Some(Arc::new(sleeper));
        self
    }

    /// A preconfigured `reqwest::Client` (then [`proxy`](Self::proxy) cannot be used).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Holds calls back client-side to stay within each method's rate tier,
    /// per method and token (off by default).
    pub fn rate_limit(mut self, enabled: bool) -> Self {
        self.rate_limit = enabled;
        self
    }

    /// A hook called with every HTTP exchange (each attempt), e.g. to record
    /// fixtures. It must not block.
    pub fn observer(mut self, observer: impl Fn(&Exchange<'_>) + Send + Sync + 'static) -> Self {
        self.observer = Some(Arc::new(observer));
        self
    }

    /// Checks the configuration and builds the client.
    pub fn build(self) -> Result<Client> {
        let api_base = parse_url(
            self.api_base_url.as_deref().unwrap_or(DEFAULT_API_BASE),
            "api_base_url",
        )?;
        if !api_base.path().ends_with("/api/") || api_base.query().is_some() {
            return Err(InvalidRequest::new(
                None,
                format!("api_base_url must end with `/api/`, got `{api_base}`"),
            )
            .into());
        }
        let oauth_authorize = parse_url(
            self.oauth_authorize_url
                .as_deref()
                .unwrap_or(DEFAULT_OAUTH_AUTHORIZE),
            "oauth_authorize_url",
        )?;
        let http = match self.http {
            Some(_) if self.proxy.is_some() => {
                return Err(
                    InvalidRequest::new(None, "proxy cannot be combined with http_client").into(),
                );
            }
            Some(c) => c,
            None => {
                let mut b = reqwest::Client::builder().connect_timeout(
                    self.connect_timeout
                        .unwrap_or(Self::DEFAULT_CONNECT_TIMEOUT),
                );
                if let Some(p) = &self.proxy {
                    let proxy = reqwest::Proxy::all(p.as_str()).map_err(|e| {
                        let mut err = InvalidRequest::new(None, "invalid proxy URL");
                        err.source = Some(Box::new(e));
                        err
                    })?;
                    b = b.proxy(proxy);
                }
                b.build().map_err(|e| {
                    let mut err = InvalidRequest::new(None, "could not build the HTTP client");
                    err.source = Some(Box::new(e));
                    err
                })?
            }
        };
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                api_base,
                oauth_authorize,
                timeout: self.timeout.unwrap_or(Self::DEFAULT_TIMEOUT),
                max_response_bytes: self
                    .max_response_bytes
                    .unwrap_or(Self::DEFAULT_MAX_RESPONSE_BYTES),
                user_agent: self
                    .user_agent
                    .unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned()),
                retry: self.retry.unwrap_or_default(),
                sleeper: self.sleeper.unwrap_or_else(|| Arc::new(TokioSleeper)),
                limiter: self.rate_limit.then(RateLimiter::new),
                observer: self.observer,
            }),
            token: self.token.filter(|t| !t.is_empty()),
        })
    }
}

fn parse_url(s: &str, what: &str) -> Result<Url> {
    let url = Url::parse(s)
        .map_err(|_| InvalidRequest::new(None, format!("{what} is not a valid URL")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(InvalidRequest::new(None, format!("{what} must be http or https")).into());
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_is_send_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<Client>();
    }
}
