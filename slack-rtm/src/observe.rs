//! A hook that sees every websocket text frame, for recording sessions into
//! test transcripts or for debugging.

use std::fmt;
use std::sync::Arc;

/// Which way a frame went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Direction {
    /// Received from Slack.
    Incoming,
    /// Sent to Slack.
    Outgoing,
}

/// One websocket text frame, as handed to an
/// [`observer`](crate::RtmBuilder::observer).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct FrameRecord<'a> {
    /// Which way it went.
    pub direction: Direction,
    /// The frame's text, exactly as on the wire.
    pub text: &'a str,
}

/// A shared observer; cheap to clone into every connection.
#[derive(Clone)]
pub(crate) struct Observer(Arc<dyn Fn(&FrameRecord<'_>) + Send + Sync>);

impl Observer {
    pub(crate) fn new(f: impl Fn(&FrameRecord<'_>) + Send + Sync + 'static) -> Observer {
        Observer(Arc::new(f))
    }

    pub(crate) fn call(&self, direction: Direction, text: &str) {
        (self.0)(&FrameRecord { direction, text });
    }
}

impl fmt::Debug for Observer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Observer(..)")
    }
}
