//! The app over HTTP: Slack POSTs each delivery to the app's Request URL
//! and the ack is the response.

use std::sync::Arc;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use slack_api::events::EventsApiPayload;
use slack_api::events_api::{EventsApi, Handled, Retry};
use slack_api::signing::Verifier;
use slack_api::slash::SlashCommand;
use tokio::sync::oneshot;

use crate::ack::AckBody;
use crate::app::App;
use crate::dispatch::Runtime;
use crate::request::{DecodeFailure, Request, from_interaction_json, not_a_callback};

/// The path the router serves: point the app's Events API, Interactivity,
/// Slash Commands and Select Menus URLs all at it.
pub const EVENTS_PATH: &str = "/slack/events";

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
        let endpoint = Arc::new(Endpoint {
            runtime: Runtime::new(self),
            events_api: EventsApi::with_verifier(verifier),
        });
        Router::new()
            .route(EVENTS_PATH, post(handle::<S>))
            .with_state(endpoint)
    }
}

async fn handle<S: Clone + Send + Sync + 'static>(
    State(endpoint): State<Arc<Endpoint<S>>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
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
    let (tx, rx) = oneshot::channel::<AckBody>();
    endpoint.runtime.deliver(
        req,
        Box::new(move |body| {
            // The request may have gone (Slack hung up): nothing to answer.
            let _ = tx.send(body);
        }),
    );
    // The runtime acks by its deadline, so this wait is bounded.
    match rx.await.ok().and_then(AckBody::into_json) {
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
