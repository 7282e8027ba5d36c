//! A slash command handler: verifies Slack's signature, answers `/echo` at
//! once (only the user sees it) and posts a delayed answer for the whole
//! channel through the command's `response_url`.
//!
//! ```sh
//! cargo run -p slack-api --features axum --example slash_command
//! SLACK_SIGNING_SECRET=... PORT=3000 cargo run -p slack-api --features axum --example slash_command
//! ```
//!
//! Without `SLACK_SIGNING_SECRET` it starts a fake Slack in-process, serves
//! the app on a free loopback port, runs `/echo` against it, prints both
//! answers and exits. With it, the app serves `POST /slack/commands` on
//! `PORT` (default 3000) until Ctrl-C: point the command's Request URL there.

use std::time::Duration;

use axum::Router;
use axum::routing::post;
use slack_api::block_kit::{Block, MessageContent, Mrkdwn};
use slack_api::inbound::signing::Verifier;
use slack_api::inbound::slash::{SlashCommand, SlashResponse};
use slack_api::message::mrkdwn;
use slack_testkit::{FakeSlack, SlashInvocation};

/// The app: one route, behind signature verification (the `SlashCommand`
/// extractor answers 401 to a request that is not signed with the secret).
fn app(signing_secret: &str) -> Router {
    Router::new()
        .route("/slack/commands", post(command))
        .with_state(Verifier::new(signing_secret))
}

async fn command(cmd: SlashCommand) -> SlashResponse {
    if cmd.command != "/echo" {
        return SlashResponse::ephemeral(format!("I don't know `{}`.", cmd.command));
    }
    // Slack wants an answer within 3 seconds; slower work answers later
    // through the response URL (up to 5 times within 30 minutes).
    let later = cmd.response_url();
    let text = cmd.text.clone();
    let user = cmd.user_id.clone();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(200)).await;
        // What people typed is escaped, so it cannot ping @channel or forge a link.
        let answer = SlashResponse::in_channel(
            MessageContent::new()
                .text(format!("echo: {}", mrkdwn::escape(&text)))
                .block(Block::section(Mrkdwn::new(format!(
                    "> {}",
                    mrkdwn::escape(&text)
                ))))
                .block(Block::context([Mrkdwn::new(format!(
                    "asked by {}",
                    mrkdwn::user(&user)
                ))])),
        );
        if let Err(e) = later.send(&answer).await {
            eprintln!("delayed answer failed: {e}");
        }
    });
    SlashResponse::ephemeral(format!(
        "Echoing `{}` to the channel in a moment...",
        mrkdwn::escape(&cmd.text)
    ))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    if let Ok(secret) = std::env::var("SLACK_SIGNING_SECRET") {
        let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
        let listener = tokio::net::TcpListener::bind(format!("0.0.0.0:{port}")).await?;
        println!(
            "Serving POST /slack/commands on {}; Ctrl-C to stop",
            listener.local_addr()?
        );
        axum::serve(listener, app(secret.trim())).await?;
        return Ok(());
    }

    let secret = "example-signing-secret";
    let slack = FakeSlack::start().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let url = format!("http://{}/slack/commands", listener.local_addr()?);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app(secret)).await;
    });
    println!(
        "No SLACK_SIGNING_SECRET: fake Slack at {}, app at {url}",
        slack.uri()
    );

    let run = slack
        .invoke_slash_command(
            &url,
            SlashInvocation::new("/echo", "ship it <now> & then", secret)
                .user("U_BOB")
                .channel("C_GENERAL"),
        )
        .await?;
    println!(
        "Bob ran {} {:?}; the app answered HTTP {} ({}): {}",
        run.payload.command,
        run.payload.text,
        run.status.map_or("none".to_string(), |s| s.to_string()),
        run.response_type(),
        run.text().unwrap_or("(no text)"),
    );

    let delayed = run.wait_for_response_url_post().await;
    println!(
        "Then, through the response URL ({}): {} -> fake answered HTTP {}",
        delayed.response_type(),
        delayed.text().unwrap_or("(no text)"),
        delayed.status,
    );
    println!("The whole delayed answer: {}", delayed.json);

    // A request signed with another secret never reaches the handler.
    let forged = slack
        .invoke_slash_command(&url, SlashInvocation::new("/echo", "hi", "not the secret"))
        .await?;
    println!(
        "A request signed with the wrong secret got HTTP {}: {}",
        forged.status.map_or("none".to_string(), |s| s.to_string()),
        forged.body
    );
    Ok(())
}
