//! Incoming webhooks against a loopback server.

use std::time::Duration;

use serde_json::json;
use slack_api::block_kit::{Block, MessageContent, Mrkdwn};
use slack_api::message::webhook::{
    IncomingWebhook, WebhookError, WebhookErrorCode, WebhookMessage,
};
use wiremock::matchers::{body_json, header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

const HOOK_PATH: &str = "/services/T0001/B0001/sEcReTpAtH";

async fn server() -> MockServer {
    MockServer::builder().start().await
}

fn hook(server: &MockServer) -> IncomingWebhook {
    IncomingWebhook::new(format!("{}{HOOK_PATH}", server.uri()))
}

#[tokio::test]
async fn sends_the_full_message_shape() {
    let server = server().await;
    let expected = json!({
        "text": "Build green",
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*green*"}}],
        "attachments": [{"color": "good", "text": "all tests passed"}],
        "username": "ci-bot",
        "icon_emoji": ":robot_face:",
        "icon_url": "https://i.test/bot.png",
        "channel": "#builds",
        "thread_ts": "1700000000.000100",
        "mrkdwn": true,
        "unfurl_links": false,
        "unfurl_media": true
    });
    Mock::given(method("POST"))
        .and(path(HOOK_PATH))
        .and(header("content-type", "application/json; charset=utf-8"))
        .and(body_json(&expected))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;

    let message = WebhookMessage::new(
        MessageContent::new()
            .text("Build green")
            .block(Block::section(Mrkdwn::new("*green*")))
            .attachment(
                serde_json::from_value(json!({"color": "good", "text": "all tests passed"}))
                    .unwrap(),
            ),
    )
    .username("ci-bot")
    .icon_emoji(":robot_face:")
    .icon_url("https://i.test/bot.png")
    .channel("#builds")
    .thread_ts("1700000000.000100")
    .mrkdwn(true)
    .unfurl_links(false)
    .unfurl_media(true);
    hook(&server).send(&message).await.unwrap();
}

#[tokio::test]
async fn text_only_message_and_custom_client() {
    let server = server().await;
    Mock::given(method("POST"))
        .and(body_json(json!({"text": "hi"})))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(2)
        .mount(&server)
        .await;
    hook(&server).send(&"hi".into()).await.unwrap();
    hook(&server)
        .http_client(reqwest::Client::new())
        .send(&WebhookMessage::from("hi".to_owned()))
        .await
        .unwrap();
}

/// Each plain-text error Slack documents maps to its variant.
#[tokio::test]
async fn plain_text_errors_are_typed() {
    let cases = [
        (400, "invalid_payload", WebhookErrorCode::InvalidPayload),
        (400, "user_not_found", WebhookErrorCode::UserNotFound),
        (404, "channel_not_found", WebhookErrorCode::ChannelNotFound),
        (400, "no_text", WebhookErrorCode::NoText),
        (
            410,
            "channel_is_archived",
            WebhookErrorCode::ChannelIsArchived,
        ),
        (403, "action_prohibited", WebhookErrorCode::ActionProhibited),
        (
            400,
            "posting_to_general_channel_denied",
            WebhookErrorCode::PostingToGeneralChannelDenied,
        ),
        (
            400,
            "too_many_attachments",
            WebhookErrorCode::TooManyAttachments,
        ),
        (404, "no_service", WebhookErrorCode::NoService),
        (400, "no_service_id", WebhookErrorCode::NoServiceId),
        (400, "no_team", WebhookErrorCode::NoTeam),
        (403, "team_disabled", WebhookErrorCode::TeamDisabled),
        (403, "invalid_token", WebhookErrorCode::InvalidToken),
        (
            400,
            "brand_new_error\n",
            WebhookErrorCode::Unknown("brand_new_error".into()),
        ),
    ];
    for (status, body, expected) in cases {
        let server = server().await;
        Mock::given(method("POST"))
            .respond_with(ResponseTemplate::new(status).set_body_string(body))
            .mount(&server)
            .await;
        let err = hook(&server).send(&"x".into()).await.unwrap_err();
        match err {
            WebhookError::Rejected { status: s, code } => {
                assert_eq!(s, status, "{body}");
                assert_eq!(code.as_str(), body.trim());
                assert_eq!(code, expected);
            }
            other => panic!("{body}: unexpected {other:?}"),
        }
    }
}

#[tokio::test]
async fn rate_limits_and_non_code_errors() {
    let server = server().await;
    Mock::given(path("/limited/a/b"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .mount(&server)
        .await;
    Mock::given(path("/broken/a/b"))
        .respond_with(ResponseTemplate::new(502).set_body_string("<html>Bad Gateway</html>"))
        .mount(&server)
        .await;

    let limited = IncomingWebhook::new(format!("{}/limited/a/b", server.uri()));
    match limited.send(&"x".into()).await.unwrap_err() {
        WebhookError::RateLimited { retry_after } => {
            assert_eq!(retry_after, Some(Duration::from_secs(7)))
        }
        other => panic!("unexpected {other:?}"),
    }
    let broken = IncomingWebhook::new(format!("{}/broken/a/b", server.uri()));
    match broken.send(&"x".into()).await.unwrap_err() {
        WebhookError::HttpStatus { status, body } => {
            assert_eq!(status, 502);
            assert!(body.contains("Bad Gateway"));
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn invalid_url_and_transport_errors_hide_the_secret() {
    for url in ["not a url", "ftp://hooks.test/services/a/b/c", ""] {
        assert!(matches!(
            IncomingWebhook::new(url).send(&"x".into()).await,
            Err(WebhookError::InvalidUrl)
        ));
    }
    // A port nobody listens on: connection refused.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = IncomingWebhook::new(format!("http://127.0.0.1:{port}{HOOK_PATH}"))
        .send(&"x".into())
        .await
        .unwrap_err();
    assert!(matches!(err, WebhookError::Transport(_)), "{err:?}");
    let mut chain = format!("{err} {err:?}");
    let mut source = std::error::Error::source(&err);
    while let Some(s) = source {
        chain.push_str(&format!(" {s} {s:?}"));
        source = s.source();
    }
    assert!(!chain.contains("sEcReTpAtH"), "{chain}");
}

#[test]
fn debug_redacts_the_secret_path() {
    let hook = IncomingWebhook::new("https://hooks.slack.com/services/T0001/B0001/sEcReTpAtH?x=1");
    let text = format!("{hook:?}");
    assert!(!text.contains("sEcReTpAtH"), "{text}");
    assert!(
        text.contains("https://hooks.slack.com/services/T0001/B0001/***"),
        "{text}"
    );
    assert!(!format!("{:?}", IncomingWebhook::new("garbage sEcReTpAtH")).contains("sEcReTpAtH"));
}

#[test]
fn message_serializes_only_what_is_set() {
    let m = WebhookMessage::new(vec![Block::divider()]);
    assert_eq!(
        serde_json::to_value(&m).unwrap(),
        json!({"blocks": [{"type": "divider"}]})
    );
    assert_eq!(WebhookErrorCode::NoText.to_string(), "no_text");
}
