//! One `MessageContent`, sent wherever a message goes: the chat methods,
//! incoming webhooks and slash command / `response_url` replies; limits
//! checked the same way on each; text from people escaped.

use serde_json::json;
use slack_api::block_kit::{Attachment, Block, Button, MessageContent, Mrkdwn};
use slack_api::inbound::slash::{ResponseUrl, ResponseUrlError, SlashResponse};
use slack_api::message::webhook::{IncomingWebhook, WebhookError, WebhookMessage};
use slack_testkit::FakeSlack;

fn deploy() -> MessageContent {
    MessageContent::new()
        .text("Deploy done")
        .block(Block::section(Mrkdwn::new("*api* is live")))
        .block(Block::actions([Button::new("undo", "Undo")]))
}

#[tokio::test]
async fn one_content_goes_to_chat_and_webhooks_alike() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let content = deploy();
    let posted = client
        .chat()
        .post_message("C_GENERAL")
        .content(content.clone())
        .await
        .unwrap();
    IncomingWebhook::new(slack.incoming_webhook_url("C_GENERAL"))
        .send(&WebhookMessage::new(content.clone()))
        .await
        .unwrap();
    let history = client.conversations().history("C_GENERAL").await.unwrap();
    let expected = serde_json::to_value(&content.blocks).unwrap();
    assert_eq!(history.messages.len(), 2);
    for m in &history.messages {
        assert_eq!(m.text.as_deref(), Some("Deploy done"));
        assert_eq!(serde_json::to_value(&m.blocks).unwrap(), expected);
    }

    // The other chat methods take it too; text alone converts.
    client
        .chat()
        .update("C_GENERAL", posted.ts.clone())
        .content("Deploy undone")
        .await
        .unwrap();
    let update = &slack.calls_to("chat.update")[0];
    assert_eq!(update.arg("text"), Some("Deploy undone"));
    assert_eq!(
        update.arg("blocks"),
        None,
        "nothing set that the content lacks"
    );
    client
        .chat()
        .post_ephemeral("C_GENERAL", "U_ALICE")
        .content(content.clone())
        .await
        .unwrap();
    let ephemeral = &slack.calls_to("chat.postEphemeral")[0];
    let sent: serde_json::Value = serde_json::from_str(ephemeral.arg("blocks").unwrap()).unwrap();
    assert_eq!(sent, expected);
}

#[test]
fn a_slash_response_carries_the_same_content() {
    let reply = SlashResponse::in_channel(deploy()).replace_original(true);
    assert_eq!(
        serde_json::to_value(&reply).unwrap(),
        json!({
            "response_type": "in_channel",
            "text": "Deploy done",
            "blocks": serde_json::to_value(&deploy().blocks).unwrap(),
            "replace_original": true
        })
    );
    assert_eq!(reply.content(), &deploy());
}

#[tokio::test]
async fn content_over_a_limit_is_sent_nowhere_unless_asked() {
    let slack = FakeSlack::start().await;
    let too_long = MessageContent::new()
        .text("fallback")
        .block(Block::header("h".repeat(151)));
    assert_eq!(too_long.limit_errors()[0].path(), "blocks[0].text");

    let hook = IncomingWebhook::new(slack.incoming_webhook_url("C_GENERAL"));
    match hook.send(&WebhookMessage::new(too_long.clone())).await {
        Err(WebhookError::OverLimit(p)) => assert_eq!(p.path(), "blocks[0].text"),
        other => panic!("{other:?}"),
    }
    let client = slack.client("xoxb-test");
    let history = client.conversations().history("C_GENERAL").await.unwrap();
    assert!(history.messages.is_empty(), "the webhook sent nothing");

    // Nothing is sent, so the URL's uses are untouched (the URL is never dialled).
    let url = ResponseUrl::new("http://127.0.0.1:9/never-dialled");
    match url.send(&SlashResponse::in_channel(too_long.clone())).await {
        Err(ResponseUrlError::OverLimit(p)) => assert_eq!(p.path(), "blocks[0].text"),
        other => panic!("{other:?}"),
    }

    let err = client
        .chat()
        .post_message("C_GENERAL")
        .content(too_long.clone())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("blocks[0].text"), "{err}");

    // Opting out sends it; the fake then judges it as Slack does.
    let unchecked = WebhookMessage::new(too_long).skip_limit_checks();
    let sent = hook.send(&unchecked).await;
    assert!(!matches!(sent, Err(WebhookError::OverLimit(_))), "{sent:?}");
}

#[test]
fn text_from_people_is_escaped() {
    let typed = "<!channel> & <https://evil.example|your bank>";
    let shown = "&lt;!channel&gt; &amp; &lt;https://evil.example|your bank&gt;";
    let content = MessageContent::new().escaped_text(typed);
    assert_eq!(content.text.as_deref(), Some(shown));
    assert_eq!(Mrkdwn::escaped(typed).text, shown);
    assert!(MessageContent::new().is_empty());
    assert!(!content.is_empty());
}

#[tokio::test]
async fn unfurls_are_typed_blocks_per_link() {
    let slack = FakeSlack::start().await;
    // The fake does not simulate chat.unfurl: a fixture answers it.
    let ok = json!({"version": 1, "method": "chat.unfurl", "response": {"body": {"ok": true}}});
    slack.add_fixture(slack_testkit::Fixture::from_json(&ok.to_string()).unwrap());
    let client = slack.client("xoxb-test");
    let preview = Attachment::unfurl([Block::section(Mrkdwn::new("*Build #12* passed"))]);
    let link = "https://ci.example.com/builds/12".to_owned();
    client
        .chat()
        .unfurl()
        .channel("C_GENERAL")
        .ts("1700000001.000100")
        .unfurls([(link.clone(), preview)].into())
        .await
        .unwrap();
    let call = &slack.calls_to("chat.unfurl")[0];
    let sent: serde_json::Value = serde_json::from_str(call.arg("unfurls").unwrap()).unwrap();
    assert_eq!(
        sent,
        json!({link.clone(): {"blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "*Build #12* passed"}}]}})
    );

    // The blocks inside are checked like any others.
    let over = Attachment::unfurl([Block::header("h".repeat(151))]);
    let err = client
        .chat()
        .unfurl()
        .unfurls([(link, over)].into())
        .await
        .unwrap_err();
    assert!(err.to_string().contains("blocks[0].text"), "{err}");
}
