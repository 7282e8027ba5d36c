//! The app over HTTP: Slack POSTs each delivery to the app's Request URL
//! and the ack is the response.

use std::sync::Arc;

use axum::Router;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use slack_api::events::EventsApiPayload;
use slack_api::inbound::events_api::{EventsApi, Handled, Retry};
use slack_api::inbound::signing::Verifier;
use slack_api::inbound::slash::SlashCommand;
use tokio::sync::oneshot;

use crate::ack::{AckBody, Answer};
use crate::app::App;
use crate::dispatch::Runtime;
use crate::request::{DecodeFailure, Request, from_interaction_json, not_a_callback};

/// The path the router serves: point the app's Events API, Interactivity,
/// Slash Commands and Select Menus URLs all at it.
pub const EVENTS_PATH: &str = "/slack/events";

/// The largest body read, as axum's `Bytes` extractor allows by default:
/// Slack's are far smaller.
const MAX_BODY: usize = 2 * 1024 * 1024;

struct Endpoint<S> {
    runtime: Arc<Runtime<S>>,
    events_api: EventsApi,
}

impl<S: Clone + Send + Sync + 'static> App<S> {
    /// An axum router answering Slack at [`EVENTS_PATH`]: signatures
    /// checked with `signing_secret`, `url_verification` answered,
    /// redelivered events dropped, each ack sent as the HTTP response.
    pub fn into_router(self, signing_secret: impl AsRef<[u8]>) -> Router {
        self.into_router_with(Verifier::new(signing_secret))
    }

    /// [`into_router`](Self::into_router) with a configured verifier
    /// (clock, maximum request age).
    pub fn into_router_with(self, verifier: Verifier) -> Router {
        let runtime = Runtime::new(self);
        let install = runtime
            .resolver
            .clone()
            .filter(|r| r.oauth().is_some())
            .map(crate::install::oauth_routes::routes);
        let endpoint = Arc::new(Endpoint {
            runtime,
            events_api: EventsApi::with_verifier(verifier),
        });
        let router = Router::new()
            .route(EVENTS_PATH, post(handle::<S>))
            .with_state(endpoint);
        match install {
            Some(install) => router.merge(install),
            None => router,
        }
    }
}

async fn handle<S: Clone + Send + Sync + 'static>(
    State(endpoint): State<Arc<Endpoint<S>>>,
    request: axum::extract::Request,
) -> Response {
    // Headers are read in place: axum's `HeaderMap` extractor copies them.
    let (parts, body) = request.into_parts();
    let Ok(body) = axum::body::to_bytes(body, MAX_BODY).await else {
        return (
            StatusCode::PAYLOAD_TOO_LARGE,
            "the body is too large or was cut off",
        )
            .into_response();
    };
    let headers = &parts.headers;
    let lookup = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Err(e) = endpoint.events_api.verifier().verify_with(lookup, &body) {
        tracing::warn!(error = %e, "refused a request with a bad signature");
        return (StatusCode::UNAUTHORIZED, e.to_string()).into_response();
    }
    let is_form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("application/x-www-form-urlencoded"));
    let req = if is_form {
        from_form(&body)
    } else if endpoint.runtime.resolver.is_some() {
        // Serving many workspaces, redeliveries are dropped once the
        // installation is known (through the store, so across instances):
        // an event answered 503 must be taken when it comes again.
        match from_events_json(&body) {
            Ok(req) => req,
            Err(challenge) => return challenge.into_response(),
        }
    } else {
        let retry = Retry::from_headers(lookup);
        match endpoint.events_api.handle_verified(&body, retry) {
            Ok(Handled::Challenge(c)) => return c.into_response(),
            Ok(Handled::Duplicate(_)) => return StatusCode::OK.into_response(),
            Ok(Handled::Delivery(d)) => match d.payload {
                EventsApiPayload::EventCallback(cb) => Ok(Request::Event(cb)),
                other => Err(not_a_callback(&other)),
            },
            // `Handled` may grow; what it adds needs no handler.
            Ok(_) => return StatusCode::OK.into_response(),
            Err(e) => Err(DecodeFailure::Malformed {
                kind: "events api",
                reason: e.to_string(),
            }),
        }
    };
    let (tx, rx) = oneshot::channel::<Answer>();
    endpoint.runtime.deliver_here(
        req,
        Box::new(move |body| {
            // The request may have gone (Slack hung up): nothing to answer.
            let _ = tx.send(body);
        }),
    );
    // The runtime acks by its deadline, so this wait is bounded.
    let body = match rx.await {
        Ok(Answer::Ack(body)) => body,
        // The store could not answer: Slack retries a 503.
        Ok(Answer::Retry) => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                "the app cannot handle this delivery right now; retry it",
            )
                .into_response();
        }
        Err(_) => AckBody::empty(),
    };
    match body.into_json() {
        Some(json) => {
            let mut resp = json.to_string().into_response();
            resp.headers_mut().insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
            resp
        }
        None => StatusCode::OK.into_response(),
    }
}

/// An Events API body, without the in-memory dedup (the runtime dedups
/// through the store); `Err` is a `url_verification` challenge to answer.
fn from_events_json(body: &[u8]) -> Result<Result<Request, DecodeFailure>, String> {
    let malformed = |reason: String| DecodeFailure::Malformed {
        kind: "events api",
        reason,
    };
    let Ok(text) = std::str::from_utf8(body) else {
        return Ok(Err(malformed("the body is not UTF-8".to_owned())));
    };
    match EventsApiPayload::from_json(text) {
        Ok(EventsApiPayload::UrlVerification(v)) => Err(v.challenge),
        Ok(EventsApiPayload::EventCallback(cb)) => Ok(Ok(Request::Event(cb))),
        Ok(EventsApiPayload::Unknown(v)) if !v.is_object() => {
            Ok(Err(malformed("the body is not a JSON object".to_owned())))
        }
        Ok(other) => Ok(Err(not_a_callback(&other))),
        Err(e) => Ok(Err(malformed(e.to_string()))),
    }
}

/// A form POST: an interaction (`payload=`) or a slash command.
fn from_form(body: &[u8]) -> Result<Request, DecodeFailure> {
    if let Some((_, payload)) = url::form_urlencoded::parse(body).find(|(k, _)| k == "payload") {
        return from_interaction_json(&payload);
    }
    SlashCommand::from_form(body)
        .map(|c| Request::Command(Box::new(c)))
        .map_err(|e| DecodeFailure::Malformed {
            kind: "command",
            reason: e.to_string(),
        })
}
