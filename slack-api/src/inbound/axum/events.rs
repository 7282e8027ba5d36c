//! The Events API endpoint (features `axum` and `events`).

use ::axum::body::Bytes;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::http::{StatusCode, header};
use ::axum::response::{IntoResponse, Response};

/// Why the Events API extractor refused a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventsApiRejection {
    /// Bad signature (401) or payload (400).
    #[error(transparent)]
    Api(#[from] crate::inbound::events_api::EventsApiError),
    /// The body could not be read: answered with the status axum chose.
    #[error("could not read request body")]
    Body {
        /// The status to answer with.
        status: StatusCode,
    },
}

impl IntoResponse for EventsApiRejection {
    fn into_response(self) -> Response {
        let status = match &self {
            EventsApiRejection::Api(e) => {
                StatusCode::from_u16(e.status()).unwrap_or(StatusCode::BAD_REQUEST)
            }
            EventsApiRejection::Body { status } => *status,
        };
        (status, self.to_string()).into_response()
    }
}

/// Verifies, answers `url_verification` and decodes an Events API request,
/// with the [`EventsApi`](crate::inbound::events_api::EventsApi) from the router state.
impl<S> FromRequest<S> for crate::inbound::events_api::Handled
where
    S: Send + Sync,
    crate::inbound::events_api::EventsApi: FromRef<S>,
{
    type Rejection = EventsApiRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let api = crate::inbound::events_api::EventsApi::from_ref(state);
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| EventsApiRejection::Body { status: e.status() })?;
        Ok(api.handle(&headers, &body)?)
    }
}

/// 200 with the challenge, or with an empty body.
impl IntoResponse for crate::inbound::events_api::Handled {
    fn into_response(self) -> Response {
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, self.content_type())],
            self.body().to_owned(),
        )
            .into_response()
    }
}

/// A POST route for an Events API Request URL: it answers Slack at once
/// (200, or the challenge) and runs `handler` on a spawned task for each
/// new delivery, so slow work never makes Slack retry. Redeliveries of an
/// `event_id` already seen are answered and dropped.
///
/// ```no_run
/// use axum::Router;
/// use slack_api::events::{Event, EventsApiPayload};
/// use slack_api::inbound::events_api::{Delivery, EventsApi};
///
/// async fn on_event(d: Delivery) {
///     if let EventsApiPayload::EventCallback(cb) = d.payload {
///         if let Event::AppMention(m) = cb.event {
///             println!("mentioned: {:?}", m.text);
///         }
///     }
/// }
///
/// let app: Router = Router::new()
///     .route("/slack/events", slack_api::inbound::axum::events_api_handler(on_event))
///     .with_state(EventsApi::new("signing secret from the app settings"));
/// ```
pub fn events_api_handler<S, F, Fut>(handler: F) -> ::axum::routing::MethodRouter<S>
where
    S: Clone + Send + Sync + 'static,
    crate::inbound::events_api::EventsApi: FromRef<S>,
    F: Fn(crate::inbound::events_api::Delivery) -> Fut + Clone + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    ::axum::routing::post(move |handled: crate::inbound::events_api::Handled| {
        let handler = handler.clone();
        async move {
            if let crate::inbound::events_api::Handled::Delivery(d) = &handled {
                tokio::spawn(handler(d.clone()));
            }
            handled
        }
    })
}
