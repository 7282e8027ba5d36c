//! Posts a message with text and Block Kit blocks through an incoming webhook.
//!
//! ```sh
//! cargo run -p slack-api --example incoming_webhook
//! SLACK_WEBHOOK_URL=https://hooks.slack.com/services/... cargo run -p slack-api --example incoming_webhook
//! ```
//!
//! Without `SLACK_WEBHOOK_URL` it starts a fake Slack in-process, posts to a
//! webhook of its `#general`, and reads the channel back to show the result.

use slack_api::block_kit::{Block, MessageContent, Mrkdwn};
use slack_api::ids::UserId;
use slack_api::message::mrkdwn;
use slack_api::message::webhook::{IncomingWebhook, WebhookError, WebhookMessage};
use slack_testkit::FakeSlack;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Keep the fake alive for the whole run: dropping it stops its server.
    let (url, fake) = match std::env::var("SLACK_WEBHOOK_URL") {
        Ok(url) if !url.trim().is_empty() => (url.trim().to_string(), None),
        _ => {
            let slack = FakeSlack::start().await;
            println!(
                "No SLACK_WEBHOOK_URL: using a fake Slack at {}",
                slack.uri()
            );
            (slack.incoming_webhook_url("C_GENERAL"), Some(slack))
        }
    };
    let hook = IncomingWebhook::new(url);
    println!("Posting to {hook:?}");

    let who = mrkdwn::user(&UserId::from("U_ALICE"));
    let content = MessageContent::new()
        // The text is the notification fallback when blocks are present.
        .text("Deploy finished: api v1.4.2 is live on prod")
        .block(Block::header("Deploy finished"))
        .block(
            Block::section(Mrkdwn::new("*api* `v1.4.2` is live on *prod*"))
                .field(Mrkdwn::new(format!("*Started by*\n{who}")))
                .field(Mrkdwn::new("*Duration*\n4m 12s")),
        )
        .block(Block::divider())
        .block(Block::context([Mrkdwn::escaped(
            "Changelog: fixes & improvements <see release notes>",
        )]));
    // The same content could go to chat.postMessage (`.content(content)`)
    // or a slash command's response_url (`SlashResponse::in_channel(content)`).
    let message = WebhookMessage::new(content);
    hook.send(&message).await?;
    println!("Sent the deploy message.");

    // Slack refuses a message with no text, blocks or attachments with a
    // plain-text code; the SDK turns it into a typed error.
    match hook.send(&WebhookMessage::new(MessageContent::new())).await {
        Err(WebhookError::Rejected { status, code }) => {
            println!("An empty message was rejected as expected: `{code}` (HTTP {status})");
        }
        Err(other) => return Err(other.into()),
        Ok(()) => println!("Unexpected: the empty message was accepted"),
    }

    if let Some(slack) = fake {
        let history = slack
            .client("xoxb-example")
            .conversations()
            .history("C_GENERAL")
            .await?;
        println!("#general in the fake Slack now holds:");
        for m in &history.messages {
            println!(
                "  [{}] {} ({} blocks, subtype {})",
                m.ts.as_ref().map(|t| t.as_str()).unwrap_or("?"),
                m.text.as_deref().unwrap_or(""),
                m.blocks.len(),
                m.subtype.as_deref().unwrap_or("none"),
            );
        }
    }
    Ok(())
}
