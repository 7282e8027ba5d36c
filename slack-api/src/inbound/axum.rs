//! axum integration (feature `axum`): extractors that verify Slack's request
//! signature before a handler runs, and responses for slash commands and
//! outgoing webhooks.
//!
//! The router's state must provide a [`Verifier`] through [`FromRef`]
//! (a `Verifier` state works as is).
//!
//! ```no_run
//! use axum::{Router, routing::post};
//! use slack_api::inbound::signing::Verifier;
//! use slack_api::inbound::slash::{SlashCommand, SlashResponse};
//!
//! async fn deploy(cmd: SlashCommand) -> SlashResponse {
//!     SlashResponse::in_channel(format!("Deploying {}", cmd.text))
//! }
//!
//! let app: Router = Router::new()
//!     .route("/slack/commands", post(deploy))
//!     .with_state(Verifier::new("signing secret from the app settings"));
//! ```

use ::axum::body::Bytes;
use ::axum::extract::{FromRef, FromRequest, Request};
use ::axum::http::{StatusCode, header};
use ::axum::response::{IntoResponse, Response};

use crate::inbound::outgoing::OutgoingReply;
use crate::inbound::signing::{SignatureError, Verifier};
use crate::inbound::slash::{FormError, SlashCommand, SlashResponse};

/// A request body whose Slack signature was verified.
#[derive(Debug, Clone)]
pub struct VerifiedBody(pub Bytes);

/// Why an extractor refused a request.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SlackRejection {
    /// The signature is missing, malformed, stale or wrong: answered 401.
    #[error("invalid Slack signature: {0}")]
    Signature(#[from] SignatureError),
    /// The body could not be read (too large, connection closed): answered
    /// with the status axum chose.
    #[error("could not read request body")]
    Body {
        /// The status to answer with.
        status: StatusCode,
    },
    /// The verified body is not a valid payload: answered 400.
    #[error("invalid payload: {0}")]
    Form(#[from] FormError),
}

impl IntoResponse for SlackRejection {
    fn into_response(self) -> Response {
        let status = match &self {
            SlackRejection::Signature(_) => StatusCode::UNAUTHORIZED,
            SlackRejection::Body { status } => *status,
            SlackRejection::Form(_) => StatusCode::BAD_REQUEST,
        };
        (status, self.to_string()).into_response()
    }
}

impl<S> FromRequest<S> for VerifiedBody
where
    S: Send + Sync,
    Verifier: FromRef<S>,
{
    type Rejection = SlackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let verifier = Verifier::from_ref(state);
        let headers = req.headers().clone();
        let body = Bytes::from_request(req, state)
            .await
            .map_err(|e| SlackRejection::Body { status: e.status() })?;
        verifier.verify_headers(&headers, &body)?;
        Ok(VerifiedBody(body))
    }
}

/// Verifies the signature, then parses the form body.
impl<S> FromRequest<S> for SlashCommand
where
    S: Send + Sync,
    Verifier: FromRef<S>,
{
    type Rejection = SlackRejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let VerifiedBody(body) = VerifiedBody::from_request(req, state).await?;
        Ok(SlashCommand::from_form(&body)?)
    }
}

fn json_response(body: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], body).into_response()
}

impl IntoResponse for SlashResponse {
    fn into_response(self) -> Response {
        json_response(self.to_json())
    }
}

impl IntoResponse for OutgoingReply {
    fn into_response(self) -> Response {
        json_response(self.to_json())
    }
}

#[cfg(feature = "events")]
mod events;
#[cfg(feature = "events")]
pub use events::{EventsApiRejection, events_api_handler};
