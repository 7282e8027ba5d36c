//! Slash command payloads, responses, response_url limits, outgoing webhooks.

use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde_json::json;
use slack_api::block_kit::{Block, MessageContent, Mrkdwn};
use slack_api::inbound::outgoing::{OutgoingReply, OutgoingWebhook};
use slack_api::inbound::signing::Clock;
use slack_api::inbound::slash::{
    FormError, ResponseType, ResponseUrl, ResponseUrlError, SlashCommand, SlashResponse,
};
use wiremock::matchers::{body_json, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

/// A body shaped like the one Slack POSTs (from its request-signing docs, plus newer fields).
const FORM: &str = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&enterprise_id=E0001&enterprise_name=Globex&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=deploy+api+%26+web+%3Cnow%3E&api_app_id=A0KRD7HC3&is_enterprise_install=false&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c&new_field=42";

#[test]
fn parses_a_real_looking_form() {
    let cmd = SlashCommand::from_form(FORM.as_bytes()).unwrap();
    assert_eq!(cmd.token, "xyzz0WbapA4vBCDEFasx0q6G");
    assert_eq!(cmd.team_id, "T1DC2JH3J");
    assert_eq!(cmd.team_domain, "testteamnow");
    assert_eq!(
        cmd.enterprise_id.as_ref().map(|e| e.as_str()),
        Some("E0001")
    );
    assert_eq!(cmd.enterprise_name.as_deref(), Some("Globex"));
    assert_eq!(cmd.channel_id, "G8PSS9T3V");
    assert_eq!(cmd.channel_name, "foobar");
    assert_eq!(cmd.user_id, "U2CERLKJA");
    assert_eq!(cmd.user_name, "roadrunner");
    assert_eq!(cmd.command, "/webhook-collect");
    assert_eq!(cmd.text, "deploy api & web <now>");
    assert_eq!(
        cmd.api_app_id.as_ref().map(|a| a.as_str()),
        Some("A0KRD7HC3")
    );
    assert!(!cmd.is_enterprise_install);
    assert_eq!(
        cmd.response_url,
        "https://hooks.slack.com/commands/T1DC2JH3J/397700885554/96rGlfmibIGlgcZRskXaIFfN"
    );
    assert_eq!(
        cmd.trigger_id,
        "398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    );
    assert_eq!(cmd.extra.get("new_field").map(String::as_str), Some("42"));

    // Encoding and parsing again keeps every field.
    assert_eq!(
        SlashCommand::from_form(cmd.to_form().as_bytes()).unwrap(),
        cmd
    );

    // Debug hides the token and the response URL's secret.
    let debug = format!("{cmd:?}");
    assert!(!debug.contains("xyzz0WbapA4vBCDEFasx0q6G"), "{debug}");
    assert!(!debug.contains("96rGlfmibIGlgcZRskXaIFfN"), "{debug}");
    assert!(debug.contains("/webhook-collect"));
}

#[test]
fn minimal_and_invalid_forms() {
    let cmd = SlashCommand::from_form(
        b"command=%2Fx&team_id=T&channel_id=C&user_id=U&is_enterprise_install=true",
    )
    .unwrap();
    assert_eq!(
        (
            cmd.text.as_str(),
            cmd.enterprise_id.clone(),
            cmd.is_enterprise_install
        ),
        ("", None, true)
    );
    for (body, field) in [
        (&b""[..], "command"),
        (b"command=", "command"),
        (b"command=%2Fx&channel_id=C&user_id=U", "team_id"),
        (b"command=%2Fx&team_id=T&user_id=U", "channel_id"),
        (b"command=%2Fx&team_id=T&channel_id=C", "user_id"),
    ] {
        assert_eq!(
            SlashCommand::from_form(body),
            Err(FormError::MissingField(field))
        );
    }
    // Invalid UTF-8 and stray separators are not fatal.
    let cmd = SlashCommand::from_form(
        b"&&command=%2Fx&team_id=T&channel_id=C&user_id=U&text=%FF%FE&=&junk",
    )
    .unwrap();
    assert_eq!(cmd.text, "\u{FFFD}\u{FFFD}");
}

#[test]
fn reads_the_json_socket_mode_carries() {
    // The same fields as the form, as JSON values: strings as they are,
    // booleans and numbers as their text, `null` as absent.
    let payload = json!({
        "command": "/deploy", "text": "api", "team_id": "T1", "channel_id": "C1",
        "user_id": "U1", "is_enterprise_install": true, "enterprise_id": null,
        "new_field": 42,
    });
    let cmd = SlashCommand::from_json(payload.as_object().unwrap()).unwrap();
    assert_eq!(
        (cmd.command.as_str(), cmd.text.as_str()),
        ("/deploy", "api")
    );
    assert!(cmd.is_enterprise_install);
    assert_eq!(cmd.enterprise_id, None);
    assert_eq!(cmd.extra.get("new_field").map(String::as_str), Some("42"));
    // The form of the same command reads the same.
    assert_eq!(
        SlashCommand::from_form(cmd.to_form().as_bytes()).unwrap(),
        cmd
    );
    let payload = json!({"command": "/deploy", "team_id": "T1", "channel_id": "C1", "user_id": ""});
    assert_eq!(
        SlashCommand::from_json(payload.as_object().unwrap()),
        Err(FormError::MissingField("user_id"))
    );
}

#[test]
fn responses_serialize() {
    let cases = [
        (
            SlashResponse::ephemeral("only you"),
            json!({"response_type": "ephemeral", "text": "only you"}),
        ),
        (
            SlashResponse::in_channel("everyone"),
            json!({"response_type": "in_channel", "text": "everyone"}),
        ),
        (SlashResponse::new(MessageContent::new()), json!({})),
        (
            SlashResponse::delete_original(),
            json!({"delete_original": true}),
        ),
        (
            SlashResponse::new(
                MessageContent::new()
                    .text("fallback")
                    .block(Block::section(Mrkdwn::new("*done*")))
                    .blocks([Block::divider(), Block::divider()])
                    .block(Block::Unknown(json!({"type": "custom"}))),
            )
            .response_type(ResponseType::InChannel)
            .replace_original(true),
            json!({
                "response_type": "in_channel",
                "text": "fallback",
                "blocks": [{"type": "divider"}, {"type": "divider"}, {"type": "custom"}],
                "replace_original": true
            }),
        ),
    ];
    for (response, expected) in cases {
        assert_eq!(serde_json::to_value(&response).unwrap(), expected);
        assert_eq!(
            serde_json::from_slice::<serde_json::Value>(&response.to_json()).unwrap(),
            expected
        );
    }
}

/// A clock a test moves forward by hand.
fn manual_clock(start: SystemTime) -> (Clock, Arc<Mutex<SystemTime>>) {
    let now = Arc::new(Mutex::new(start));
    let read = Arc::clone(&now);
    (Clock::from_fn(move || *read.lock().unwrap()), now)
}

fn t0() -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(1_700_000_000)
}

#[tokio::test]
async fn response_url_allows_five_uses() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/commands/T1/1/secret"))
        .and(body_json(
            json!({"response_type": "in_channel", "text": "step"}),
        ))
        .respond_with(ResponseTemplate::new(200).set_body_string(r#"{"ok":true}"#))
        .expect(5)
        .mount(&server)
        .await;
    let (clock, now) = manual_clock(t0());
    let url = ResponseUrl::new(format!("{}/commands/T1/1/secret", server.uri())).clock(clock);
    let shared = url.clone();
    for i in 0..5u32 {
        *now.lock().unwrap() = t0() + Duration::from_secs(60 * u64::from(i));
        // Clones share the count.
        let client = if i % 2 == 0 { &url } else { &shared };
        client
            .send(&SlashResponse::in_channel("step"))
            .await
            .unwrap();
        assert_eq!(url.remaining(), 4 - i);
    }
    match url.send(&SlashResponse::in_channel("step")).await {
        Err(ResponseUrlError::LimitReached { max_uses: 5 }) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert_eq!(url.uses(), 5);
    // wiremock verifies on drop that exactly five posts arrived.
    let debug = format!("{url:?}");
    assert!(!debug.contains("secret"), "{debug}");
}

#[tokio::test]
async fn response_url_expires_after_thirty_minutes() {
    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    let (clock, now) = manual_clock(t0());
    let url = ResponseUrl::new(format!("{}/commands/T1/1/x", server.uri())).clock(clock);
    *now.lock().unwrap() = t0() + Duration::from_secs(30 * 60);
    url.send(&SlashResponse::ephemeral("just in time"))
        .await
        .unwrap();
    *now.lock().unwrap() = t0() + Duration::from_secs(30 * 60 + 1);
    match url.send(&SlashResponse::ephemeral("late")).await {
        Err(ResponseUrlError::Expired { age }) => assert_eq!(age, Duration::from_secs(1801)),
        other => panic!("unexpected {other:?}"),
    }

    // `issued_at` moves the window start back to when the command ran.
    let (clock, _now) = manual_clock(t0());
    let old = ResponseUrl::new(format!("{}/commands/T1/1/x", server.uri()))
        .clock(clock)
        .issued_at(t0() - Duration::from_secs(31 * 60));
    assert!(matches!(
        old.send(&SlashResponse::ephemeral("x")).await,
        Err(ResponseUrlError::Expired { .. })
    ));
    // Custom limits.
    let one = ResponseUrl::new(format!("{}/commands/T1/1/x", server.uri()))
        .limits(0, Duration::from_secs(60));
    assert!(matches!(
        one.send(&SlashResponse::ephemeral("x")).await,
        Err(ResponseUrlError::LimitReached { max_uses: 0 })
    ));
}

#[tokio::test]
async fn response_url_errors() {
    let server = MockServer::builder().start().await;
    for (p, status, body) in [
        ("/json_error/a", 200, r#"{"ok":false,"error":"no_text"}"#),
        (
            "/json_error_404/a",
            404,
            r#"{"ok":false,"error":"expired_url"}"#,
        ),
        ("/plain/a", 404, "used_url"),
        ("/html/a", 500, "<h1>oops</h1>"),
        ("/limited/a", 429, ""),
    ] {
        Mock::given(path(p))
            .respond_with(
                ResponseTemplate::new(status)
                    .set_body_string(body)
                    .insert_header("retry-after", "3"),
            )
            .mount(&server)
            .await;
    }
    let send = |p: &str| {
        let url = ResponseUrl::new(format!("{}{p}", server.uri()));
        async move { url.send(&SlashResponse::ephemeral("x")).await.unwrap_err() }
    };
    assert!(matches!(send("/json_error/a").await,
        ResponseUrlError::Rejected { status: 200, code } if code == "no_text"));
    assert!(matches!(send("/json_error_404/a").await,
        ResponseUrlError::Rejected { status: 404, code } if code == "expired_url"));
    assert!(matches!(send("/plain/a").await,
        ResponseUrlError::Rejected { status: 404, code } if code == "used_url"));
    assert!(matches!(send("/html/a").await,
        ResponseUrlError::HttpStatus { status: 500, body } if body.contains("oops")));
    assert!(matches!(send("/limited/a").await,
        ResponseUrlError::RateLimited { retry_after: Some(d) } if d == Duration::from_secs(3)));

    // Requests that never left give their use back.
    let bad = ResponseUrl::new("not a url");
    assert!(matches!(
        bad.send(&SlashResponse::new(MessageContent::new())).await,
        Err(ResponseUrlError::InvalidUrl)
    ));
    assert_eq!(bad.uses(), 0);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let refused = ResponseUrl::new(format!("http://127.0.0.1:{port}/commands/a"));
    assert!(matches!(
        refused
            .send(&SlashResponse::new(MessageContent::new()))
            .await,
        Err(ResponseUrlError::Transport(_))
    ));
    assert_eq!(refused.uses(), 0);
}

#[tokio::test]
async fn command_response_url_client_posts_to_it() {
    let server = MockServer::builder().start().await;
    Mock::given(path("/commands/T1/9/abc"))
        .respond_with(ResponseTemplate::new(200).set_body_string("ok"))
        .expect(1)
        .mount(&server)
        .await;
    let mut cmd = SlashCommand::new("/deploy", "api");
    cmd.response_url = format!("{}/commands/T1/9/abc", server.uri());
    let url = cmd.response_url();
    url.send(&SlashResponse::in_channel("deployed"))
        .await
        .unwrap();
    assert_eq!(url.remaining(), 4);
}

#[test]
fn outgoing_webhook_payload_and_reply() {
    let body = "token=outgoing-token-123&team_id=T0001&team_domain=example&service_id=123456&channel_id=C2147483705&channel_name=test&timestamp=1355517523.000005&user_id=U2147483697&user_name=Steve&text=googlebot%3A+What+is+the+air-speed+velocity+of+an+unladen+swallow%3F&trigger_word=googlebot%3A&bot_id=B1";
    let hook = OutgoingWebhook::from_form(body.as_bytes()).unwrap();
    assert_eq!(hook.team_id, "T0001");
    assert_eq!(hook.service_id.as_deref(), Some("123456"));
    assert_eq!(hook.channel_id, "C2147483705");
    assert_eq!(hook.channel_name, "test");
    assert_eq!(hook.timestamp.as_str(), "1355517523.000005");
    assert_eq!(hook.user_id, "U2147483697");
    assert_eq!(hook.user_name, "Steve");
    assert_eq!(hook.trigger_word, "googlebot:");
    assert_eq!(
        hook.text_after_trigger(),
        " What is the air-speed velocity of an unladen swallow?"
    );
    assert_eq!(hook.extra.get("bot_id").map(String::as_str), Some("B1"));
    assert!(hook.token_matches("outgoing-token-123"));
    assert!(!hook.token_matches("outgoing-token-124"));
    assert!(!hook.token_matches("short"));
    assert_eq!(
        OutgoingWebhook::from_form(hook.to_form().as_bytes()).unwrap(),
        hook
    );
    assert!(!format!("{hook:?}").contains("outgoing-token-123"));

    assert_eq!(
        OutgoingWebhook::from_form(b"channel_id=C1").unwrap_err(),
        FormError::MissingField("user_id")
    );
    let empty_token = OutgoingWebhook::from_form(b"channel_id=C1&user_id=U1").unwrap();
    assert!(!empty_token.token_matches(""));

    assert_eq!(
        serde_json::to_value(OutgoingReply::new("African or European?")).unwrap(),
        json!({"text": "African or European?"})
    );
}

#[cfg(feature = "axum")]
mod axum_extractors {
    use axum::body::Body;
    use axum::extract::FromRequest;
    use axum::http::{Request, StatusCode};
    use axum::response::IntoResponse;
    use slack_api::inbound::axum::{SlackRejection, VerifiedBody};
    use slack_api::inbound::signing::{SignatureError, Signer, Verifier};

    use super::*;

    fn request(body: &str, headers: Option<(String, String)>) -> Request<Body> {
        let mut req = Request::post("/slack/commands");
        if let Some((ts, sig)) = headers {
            req = req
                .header("x-slack-request-timestamp", ts)
                .header("x-slack-signature", sig);
        }
        req.body(Body::from(body.to_owned())).unwrap()
    }

    #[tokio::test]
    async fn verified_slash_command() {
        let signer = Signer::new("secret").clock(Clock::fixed(t0()));
        let verifier = Verifier::new("secret").now(t0());
        let signed = signer.sign_now(FORM.as_bytes());
        let headers = Some((signed.timestamp.clone(), signed.signature.clone()));

        let cmd = SlashCommand::from_request(request(FORM, headers.clone()), &verifier)
            .await
            .unwrap();
        assert_eq!(cmd.command, "/webhook-collect");
        let body = VerifiedBody::from_request(request(FORM, headers.clone()), &verifier)
            .await
            .unwrap();
        assert_eq!(body.0, FORM.as_bytes());

        let tampered =
            SlashCommand::from_request(request(&FORM.replace("api", "web"), headers), &verifier)
                .await;
        assert!(matches!(
            tampered,
            Err(SlackRejection::Signature(SignatureError::Mismatch))
        ));
        let unsigned = SlashCommand::from_request(request(FORM, None), &verifier)
            .await
            .unwrap_err();
        assert_eq!(unsigned.into_response().status(), StatusCode::UNAUTHORIZED);

        // Signed but not a slash command.
        let other = signer.sign_now(b"x=1");
        let err = SlashCommand::from_request(
            request("x=1", Some((other.timestamp, other.signature))),
            &verifier,
        )
        .await
        .unwrap_err();
        assert_eq!(err.into_response().status(), StatusCode::BAD_REQUEST);

        let resp = SlashResponse::ephemeral("hi").into_response();
        assert_eq!(resp.headers()["content-type"], "application/json");
    }
}
