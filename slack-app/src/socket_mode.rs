//! The app over Socket Mode: deliveries arrive on a websocket the app
//! opens, acks go back on it. No public URL needed.

use std::future::Future;

use slack_api::events::EventsApiPayload;
use slack_api::{Client, Secret};
use slack_rtm::socket_mode::{
    Envelope, Payload, SocketMode, SocketModeBuilder, SocketModeIncoming,
};

use crate::ack::{AckSink, Answer};
use crate::app::App;
use crate::dispatch::Runtime;
use crate::error::Error;
use crate::request::{DecodeFailure, Request, from_interaction, not_a_callback};

/// An [`App`] about to run over Socket Mode; see [`App::socket_mode`].
pub struct SocketModeApp<S> {
    app: App<S>,
    app_client: Client,
    builder: SocketModeBuilder,
}

impl<S: Clone + Send + Sync + 'static> App<S> {
    /// Runs the app over Socket Mode with an app-level `xapp-` token
    /// (scope `connections:write`); the app's client keeps the bot token.
    pub fn socket_mode(self, app_token: impl Into<Secret>) -> SocketModeApp<S> {
        let app_client = self.client.with_token(app_token);
        SocketModeApp {
            app: self,
            app_client,
            builder: SocketMode::builder(),
        }
    }
}

impl<S: Clone + Send + Sync + 'static> SocketModeApp<S> {
    /// Connection settings: how many connections, ping and idle timeouts,
    /// reconnects.
    pub fn connection(mut self, builder: SocketModeBuilder) -> Self {
        self.builder = builder;
        self
    }

    /// Runs until the connections end for good (Slack disables the link,
    /// or reconnecting gives up).
    pub async fn run(self) -> Result<(), Error> {
        self.run_until(std::future::pending()).await
    }

    /// Runs until `shutdown` completes: then stops reading, waits for
    /// running handlers (up to [`App::shutdown_timeout`]) so their acks
    /// still go out, and closes the connections.
    pub async fn run_until(self, shutdown: impl Future<Output = ()>) -> Result<(), Error> {
        // The app acks within its own deadline; the connection's window
        // only backs it up.
        let builder = self
            .builder
            .ack_window(self.app.settings.ack_deadline + self.app.settings.ack_deadline / 5)
            // Serving many workspaces, an event is acked only once its
            // installation is found, or not at all when the store is down.
            .defer_all_acks(self.app.install.store.is_some());
        let mut events = builder.connect(&self.app_client).await?;
        let runtime = Runtime::new(self.app);
        tokio::pin!(shutdown);
        let ended = loop {
            let item = tokio::select! {
                item = events.next() => item,
                () = &mut shutdown => break None,
            };
            match item {
                None => break None,
                Some(Err(e)) => break Some(e),
                Some(Ok(SocketModeIncoming::Envelope(envelope))) => {
                    let (req, sink) = split(envelope);
                    runtime.deliver(req, sink);
                }
                Some(Ok(SocketModeIncoming::Lifecycle { connection, change })) => {
                    tracing::info!(connection, ?change, "socket mode connection");
                }
                Some(Ok(_)) => {}
            }
        };
        runtime.drain().await;
        events.shutdown().await;
        match ended {
            Some(e) => Err(e.into()),
            None => Ok(()),
        }
    }
}

/// The request an envelope carries and where its ack goes.
fn split(mut envelope: Envelope) -> (Result<Request, DecodeFailure>, AckSink) {
    let sink: AckSink = match envelope.take_acker() {
        Some(acker) => Box::new(move |answer: Answer| {
            match answer {
                Answer::Ack(body) => match body.into_json() {
                    Some(payload) => acker.ack_with(payload),
                    None => acker.ack(),
                },
                // No ack: Slack delivers the envelope again.
                Answer::Retry => acker.withhold(),
            };
        }),
        // Acked on arrival: the envelope takes no response payload.
        None => Box::new(|_| {}),
    };
    let req = match envelope.payload {
        Payload::EventsApi(EventsApiPayload::EventCallback(cb)) => Ok(Request::Event(cb)),
        Payload::EventsApi(other) => Err(not_a_callback(&other)),
        Payload::SlashCommand(c) => Ok(Request::Command(Box::new(c))),
        Payload::Interactive(p) => from_interaction(p),
        Payload::Unknown { kind, .. } => Err(DecodeFailure::UnknownKind(kind)),
        _ => Err(DecodeFailure::UnknownKind(
            "socket mode envelope".to_owned(),
        )),
    };
    (req, sink)
}
