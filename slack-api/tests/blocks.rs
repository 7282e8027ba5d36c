//! Block Kit builders serialize to the JSON shapes Slack documents.

use serde_json::{Value, json};
use slack_api::blocks::{
    self, Actions, Block, Button, ButtonStyle, Context, Divider, Header, Image, ImageElement,
    Section, Text,
};

fn check(block: impl Into<Block>, expected: Value) {
    let block = block.into();
    assert_eq!(serde_json::to_value(&block).unwrap(), expected, "{block:?}");
    assert_eq!(Value::from(block.clone()), expected);
    assert_eq!(block.kind(), expected["type"].as_str());
}

#[test]
fn text_objects() {
    assert_eq!(
        serde_json::to_value(Text::plain("Hi :wave:").emoji(true)).unwrap(),
        json!({"type": "plain_text", "text": "Hi :wave:", "emoji": true})
    );
    assert_eq!(
        serde_json::to_value(Text::mrkdwn("*bold*").verbatim(true)).unwrap(),
        json!({"type": "mrkdwn", "text": "*bold*", "verbatim": true})
    );
    // Flags that do not apply to the kind are left out.
    assert_eq!(
        serde_json::to_value(Text::mrkdwn("x").emoji(true)).unwrap(),
        json!({"type": "mrkdwn", "text": "x"})
    );
}

#[test]
fn section_shapes() {
    check(
        Section::new(Text::mrkdwn("*Deploy* done")),
        json!({"type": "section", "text": {"type": "mrkdwn", "text": "*Deploy* done"}}),
    );
    check(
        Section::from_fields([Text::mrkdwn("*Env*"), Text::plain("prod")])
            .field(Text::mrkdwn("*By*"))
            .block_id("summary"),
        json!({
            "type": "section",
            "block_id": "summary",
            "fields": [
                {"type": "mrkdwn", "text": "*Env*"},
                {"type": "plain_text", "text": "prod"},
                {"type": "mrkdwn", "text": "*By*"}
            ]
        }),
    );
    check(
        Section::new(Text::plain("Logs")).accessory(
            Button::new("Open", "open_logs")
                .url("https://logs.test")
                .style(ButtonStyle::Primary),
        ),
        json!({
            "type": "section",
            "text": {"type": "plain_text", "text": "Logs"},
            "accessory": {
                "type": "button",
                "text": {"type": "plain_text", "text": "Open"},
                "action_id": "open_logs",
                "url": "https://logs.test",
                "style": "primary"
            }
        }),
    );
    check(
        Section::new(Text::plain("Pick"))
            .accessory(json!({"type": "static_select", "action_id": "s"})),
        json!({
            "type": "section",
            "text": {"type": "plain_text", "text": "Pick"},
            "accessory": {"type": "static_select", "action_id": "s"}
        }),
    );
    check(
        Section::new(Text::plain("Cat"))
            .accessory(ImageElement::new("https://c.test/cat.png", "a cat")),
        json!({
            "type": "section",
            "text": {"type": "plain_text", "text": "Cat"},
            "accessory": {"type": "image", "image_url": "https://c.test/cat.png", "alt_text": "a cat"}
        }),
    );
}

#[test]
fn other_block_shapes() {
    check(Block::divider(), json!({"type": "divider"}));
    check(
        Divider::new().block_id("d1"),
        json!({"type": "divider", "block_id": "d1"}),
    );
    check(
        Header::new("Release 1.2"),
        json!({"type": "header", "text": {"type": "plain_text", "text": "Release 1.2"}}),
    );
    check(
        Context::new()
            .element(ImageElement::new("https://a.test/u.png", "avatar"))
            .element(Text::mrkdwn("by <@U1>")),
        json!({
            "type": "context",
            "elements": [
                {"type": "image", "image_url": "https://a.test/u.png", "alt_text": "avatar"},
                {"type": "mrkdwn", "text": "by <@U1>"}
            ]
        }),
    );
    check(
        Actions::new()
            .button(
                Button::new("Approve", "approve")
                    .value("42")
                    .style(ButtonStyle::Primary),
            )
            .button(
                Button::new("Reject", "reject")
                    .value("42")
                    .style(ButtonStyle::Danger)
                    .accessibility_label("Reject request 42"),
            )
            .block_id("decision"),
        json!({
            "type": "actions",
            "block_id": "decision",
            "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Approve"},
                 "action_id": "approve", "value": "42", "style": "primary"},
                {"type": "button", "text": {"type": "plain_text", "text": "Reject"},
                 "action_id": "reject", "value": "42", "style": "danger",
                 "accessibility_label": "Reject request 42"}
            ]
        }),
    );
    check(
        Image::new("https://i.test/chart.png", "weekly chart").title("Weekly"),
        json!({
            "type": "image",
            "image_url": "https://i.test/chart.png",
            "alt_text": "weekly chart",
            "title": {"type": "plain_text", "text": "Weekly"}
        }),
    );
}

#[test]
fn raw_passthrough_and_to_value() {
    let input = json!({"type": "input", "label": {"type": "plain_text", "text": "Name"}, "element": {"type": "plain_text_input"}});
    check(Block::raw(input.clone()), input.clone());
    assert_eq!(Block::raw(json!({"no": "type"})).kind(), None);

    let all = blocks::to_value(&[
        Header::new("H").into(),
        Block::divider(),
        Block::raw(input.clone()),
    ]);
    assert_eq!(
        all,
        json!([
            {"type": "header", "text": {"type": "plain_text", "text": "H"}},
            {"type": "divider"},
            input
        ])
    );
    assert_eq!(blocks::to_value(&[]), json!([]));
}

#[tokio::test]
async fn plugs_into_post_message() {
    use wiremock::matchers::{method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::builder().start().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_string(r#"{"ok":true,"channel":"C1","ts":"1700000000.000100"}"#),
        )
        .expect(1)
        .mount(&server)
        .await;
    let client = slack_api::Client::builder()
        .token("xoxb-test")
        .api_base_url(format!("{}/api/", server.uri()))
        .build()
        .unwrap();
    let blocks = [Header::new("Release").into(), Block::divider()];
    client
        .chat()
        .post_message("C1")
        .text("Release")
        .blocks(blocks::to_value(&blocks))
        .await
        .unwrap();

    // Whatever the encoding (JSON body or form field), the blocks arrive as JSON.
    let requests = server.received_requests().await.unwrap();
    let body = String::from_utf8_lossy(&requests[0].body).into_owned();
    let sent: Value = match serde_json::from_str::<Value>(&body) {
        Ok(v) => v["blocks"].clone(),
        Err(_) => {
            let form: std::collections::HashMap<String, String> =
                url::form_urlencoded::parse(body.as_bytes())
                    .into_owned()
                    .collect();
            serde_json::from_str(&form["blocks"]).unwrap()
        }
    };
    assert_eq!(sent, blocks::to_value(&blocks));
}
