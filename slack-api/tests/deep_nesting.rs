//! Hostile nesting is an error, never a stack overflow: every public
//! decoder runs on a 2 MiB thread (a tokio worker's default stack) with
//! messages nested through `root`, attachments and blocks nested 60, 126,
//! 200 and 10,000 deep. Before the depth budget, 60 levels of `root`
//! aborted the process in debug builds.
//!
//! The same optimized: `cargo test --profile bench -p slack-api --test deep_nesting`
//! (the release profile builds slack-api unoptimized, for install speed).

use std::time::Duration;

use slack_api::events::{Event, EventsApiPayload, InteractionPayload, SocketModeMessage};
use slack_api::inbound::events_api::EventsApi;
use slack_api::inbound::signing::Signer;
use slack_api::{Client, Error};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

const STACK: usize = 2 << 20;
const DEPTHS: [usize; 4] = [60, 126, 200, 10_000];
const SECRET: &str = "8f742231b10e8888abcd99yyyzzz85a5";

/// How a message is nested inside itself.
#[derive(Debug, Clone, Copy)]
enum Nest {
    /// `{"type":"message","root":{...}}`: a recursive typed field.
    Root,
    /// `{"attachments":[{"attachments":[...]}]}`: unknown keys, skipped.
    Attachments,
    /// `{"blocks":[{"elements":[...]}]}`: kept as raw JSON.
    Blocks,
}

/// A message event nested `depth` levels deep.
fn message(nest: Nest, depth: usize) -> String {
    let (open, close) = match nest {
        Nest::Root => (r#"{"type":"message","text":"t","ts":"1.0","root":"#, "}"),
        Nest::Attachments => (
            r#"{"type":"message","text":"t","attachments":[{"text":"a","attachments":"#,
            "}]}",
        ),
        Nest::Blocks => (
            r#"{"type":"message","text":"t","blocks":[{"type":"rich_text","elements":"#,
            "}]}",
        ),
    };
    format!(
        r#"{}{{"type":"message","text":"leaf"}}{}"#,
        open.repeat(depth),
        close.repeat(depth)
    )
}

fn envelope(event: &str) -> String {
    format!(
        r#"{{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev1","event_time":1,"event":{event}}}"#
    )
}

/// An error and its sources, as one line.
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text = format!("{text}: {s}");
        source = s.source();
    }
    text
}

/// Runs `f` on a thread with a 2 MiB stack; a stack overflow aborts the
/// whole test binary, so reaching the assertion is the test.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("the decoder panicked")
}

fn expect_err<T: std::fmt::Debug, E: std::fmt::Display>(
    what: &str,
    nest: Nest,
    depth: usize,
    result: Result<T, E>,
) {
    match result {
        Err(e) => {
            let text = e.to_string();
            assert!(
                text.contains("nested") || text.contains("recursive"),
                "{what} {nest:?} x{depth}: an error that does not say why: {text}"
            );
        }
        Ok(v) => {
            // 60 levels are within `MAX_DEPTH`: they may decode, except
            // where `root` is a typed field all the way down (a history's
            // messages), which the recursion budget stops. An event's own
            // `root` is not a field of a plain message event, so it is skipped.
            let recursive = matches!(nest, Nest::Root)
                && (what.starts_with("decode_response") || what.starts_with("Client"));
            assert!(
                depth <= slack_api::de::MAX_DEPTH && !recursive,
                "{what} {nest:?} x{depth}: decoded: {v:?}"
            );
        }
    }
}

#[test]
fn every_decoder_returns_an_error() {
    for nest in [Nest::Root, Nest::Attachments, Nest::Blocks] {
        for depth in DEPTHS {
            let msg = message(nest, depth);
            let history = format!(
                r#"{{"ok":true,"has_more":false,"channel_actions_count":0,"messages":[{msg}]}}"#
            );
            let event_callback = envelope(&msg);
            let socket_mode = format!(
                r#"{{"type":"events_api","envelope_id":"e1","accepts_response_payload":false,"payload":{event_callback}}}"#
            );
            let interaction = format!(
                r#"{{"type":"message_action","callback_id":"c","trigger_id":"t","message":{msg}}}"#
            );
            let results = on_small_stack(move || {
                [
                    (
                        "decode_response",
                        slack_api::spec::decode_response(
                            "conversations.history",
                            history.as_bytes(),
                        )
                        .map(|_| ())
                        .map_err(|e| e.to_string()),
                    ),
                    (
                        "Event::from_json",
                        Event::from_json(&msg)
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                    ),
                    (
                        "EventsApiPayload::from_json",
                        EventsApiPayload::from_json(&event_callback)
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                    ),
                    (
                        "SocketModeMessage::from_json",
                        SocketModeMessage::from_json(&socket_mode)
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                    ),
                    (
                        "InteractionPayload::from_json",
                        InteractionPayload::from_json(&interaction)
                            .map(|_| ())
                            .map_err(|e| e.to_string()),
                    ),
                    ("EventsApi::handle", {
                        let body = event_callback.as_bytes();
                        let signed = Signer::new(SECRET).sign_now(body);
                        EventsApi::new(SECRET)
                            .handle(&signed.to_header_map(), body)
                            .map(|_| ())
                            .map_err(|e| chain(&e))
                    }),
                ]
            });
            for (what, result) in results {
                expect_err(what, nest, depth, result);
            }
        }
    }
}

#[test]
fn the_http_client_returns_an_error() {
    on_small_stack(|| {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let server = MockServer::start().await;
            let client = Client::builder()
                .token("xoxb-test")
                .api_base_url(format!("{}/api/", server.uri()))
                .build()
                .unwrap();
            for nest in [Nest::Root, Nest::Attachments, Nest::Blocks] {
                for depth in DEPTHS {
                    server.reset().await;
                    let body = format!(r#"{{"ok":true,"has_more":false,"channel_actions_count":0,"messages":[{}]}}"#, message(nest, depth));
                    Mock::given(path("/api/conversations.history"))
                        .respond_with(ResponseTemplate::new(200).set_body_string(body))
                        .mount(&server)
                        .await;
                    let result = tokio::time::timeout(
                        Duration::from_secs(10),
                        client.conversations().history("C1").send(),
                    )
                    .await
                    .expect("the call hung");
                    match result {
                        Err(Error::Decode(e)) => expect_err::<(), _>(
                            "Client::conversations().history",
                            nest,
                            depth,
                            Err(e),
                        ),
                        Err(other) => panic!("{nest:?} x{depth}: not a decode error: {other}"),
                        Ok(r) => expect_err::<_, String>(
                            "Client::conversations().history",
                            nest,
                            depth,
                            Ok(r.messages.len()),
                        ),
                    }
                }
            }
        });
    });
}

#[test]
fn slack_sized_nesting_still_decodes() {
    // Three levels of `root` and twenty of blocks: more than Slack sends.
    let msg = message(Nest::Root, 3);
    let history =
        format!(r#"{{"ok":true,"has_more":false,"channel_actions_count":0,"messages":[{msg}]}}"#);
    let decoded = on_small_stack(move || {
        slack_api::spec::decode_response("conversations.history", history.as_bytes())
            .map(|_| ())
            .map_err(|e| e.to_string())
    });
    assert_eq!(decoded, Ok(()));
    let blocks = envelope(&message(Nest::Blocks, 20));
    assert!(EventsApiPayload::from_json(&blocks).is_ok());
}
