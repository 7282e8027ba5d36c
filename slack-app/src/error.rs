//! Errors of the app's own calls, and what a failed handler reports.

use slack_api::inbound::slash::ResponseUrlError;

use crate::request::DecodeFailure;

/// What a handler returns when it fails: any error, boxed.
pub type HandlerError = Box<dyn std::error::Error + Send + Sync>;

/// A handler's result.
pub type HandlerResult = Result<(), HandlerError>;

/// An error from the app's helpers ([`Context::say`](crate::Context::say),
/// [`Context::respond`](crate::Context::respond)) or from running a transport.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A Web API call failed.
    #[error(transparent)]
    Api(#[from] slack_api::Error),
    /// Posting to a `response_url` failed.
    #[error(transparent)]
    ResponseUrl(#[from] ResponseUrlError),
    /// The Socket Mode connection could not be opened or kept.
    #[error(transparent)]
    SocketMode(#[from] slack_rtm::RtmError),
    /// `say` on a delivery that names no conversation (a global shortcut, ...).
    #[error("a {0} delivery names no conversation to post in")]
    NoChannel(String),
    /// The delivery lacks a field the call needs.
    #[error("the delivery has no {0}")]
    Missing(&'static str),
    /// `respond` on a delivery that carries no `response_url`.
    #[error("a {0} delivery carries no response_url")]
    NoResponseUrl(String),
    /// A workflow step's input is missing or not of the type asked for
    /// ([`Context::input_as`](crate::Context::input_as)).
    #[error("function input {}: {}", .0.name, .0.reason)]
    Input(InputError),
}

/// Which function input did not decode, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct InputError {
    /// The input's name (for a nested field, its path: `ticket.priority`).
    pub name: String,
    /// What was wrong: `is missing`, `invalid type: string "x", expected i64`.
    pub reason: String,
}

/// A delivery the app could not handle, passed to the error handler
/// ([`App::on_error`](crate::App::on_error)) after it was acknowledged.
#[derive(Debug)]
#[non_exhaustive]
pub struct Failure {
    /// The delivery's kind (`command`, `block_actions`, `event:app_mention`, ...).
    pub kind: String,
    /// What went wrong.
    pub cause: FailureCause,
}

/// Why a delivery failed.
#[derive(Debug)]
#[non_exhaustive]
pub enum FailureCause {
    /// The handler returned an error.
    Handler(HandlerError),
    /// The handler panicked, with this message.
    Panic(String),
    /// The delivery did not decode.
    Decode(DecodeFailure),
    /// The installation store could not answer (down, timed out, a
    /// corrupt row). Unless the row is corrupt, the delivery was not
    /// acknowledged as handled, so Slack delivers it again.
    Store(crate::install::StoreError),
    /// Refreshing the workspace's rotating token failed.
    TokenRefresh(slack_api::Error),
    /// No installation for where the delivery came from (a workspace that
    /// never installed the app, or uninstalled it); acked and dropped.
    NotInstalled(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.cause {
            FailureCause::Handler(e) => write!(f, "{} handler failed: {e}", self.kind),
            FailureCause::Panic(m) => write!(f, "{} handler panicked: {m}", self.kind),
            FailureCause::Decode(e) => write!(f, "{} delivery dropped: {e}", self.kind),
            FailureCause::Store(e) => write!(f, "{} delivery not handled: {e}", self.kind),
            FailureCause::TokenRefresh(e) => {
                write!(
                    f,
                    "{} delivery not handled: refreshing the token failed: {e}",
                    self.kind
                )
            }
            FailureCause::NotInstalled(at) => {
                write!(
                    f,
                    "{} delivery dropped: the app is not installed in {at}",
                    self.kind
                )
            }
        }
    }
}
