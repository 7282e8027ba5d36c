//! A Socket Mode bot: answers "ping" with "pong" through the Web API and
//! answers the `/deploy` slash command in its acknowledgement.
//!
//! With `SLACK_APP_TOKEN` (an app-level `xapp-` token with
//! `connections:write`) it connects to Slack and runs until the connection
//! ends; replies also need `SLACK_BOT_TOKEN` (`chat:write`). Without a
//! token it starts the fake Slack from `slack-testkit` in-process, has
//! people post a few messages and run a slash command, and exits after
//! answering them:
//!
//! ```text
//! cargo run -p slack-rtm --example socket_mode_bot
//! ```

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use slack_rtm::socket_mode::{Envelope, Payload, SocketMode, SocketModeIncoming};
use slack_rtm::{Event, MessageEvent};

/// Messages the fake workspace's people post when running without a token.
const SCRIPT: &[(&str, &str)] = &[
    ("U_ALICE", "ping"),
    ("U_BOB", "good morning"),
    ("U_BOB", "ping"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let app_token = std::env::var("SLACK_APP_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty());
    if let Some(app_token) = app_token {
        let app = slack_api::Client::new(app_token.trim());
        let bot = match slack_api::Client::from_env() {
            Ok(bot) => Some(bot),
            Err(_) => {
                println!("SLACK_BOT_TOKEN is not set: listening only, no replies");
                None
            }
        };
        return run(&app, bot.as_ref(), None).await;
    }

    println!("SLACK_APP_TOKEN is not set: running against the fake Slack");
    let slack = Arc::new(slack_testkit::FakeSlack::start().await);
    let app = slack.client("xapp-1-example");
    let bot = slack.client("xoxb-example");
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
    let people = slack.clone();
    let script = tokio::spawn(async move {
        if ready_rx.await.is_err() {
            return;
        }
        for (user, text) in SCRIPT {
            println!("<{user}> {text}");
            people.post_as_user(user, "C_GENERAL", text).await;
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        println!("<U_ALICE> /deploy prod");
        let id = people.socket_mode_slash_command("/deploy", "prod");
        let ack = people.wait_for_ack(&id).await;
        println!("(Slack received the ack of {id}: {})", ack["payload"]);
    });
    let pings = SCRIPT.iter().filter(|(_, t)| *t == "ping").count();
    // Every ping answered, plus the slash command.
    run(&app, Some(&bot), Some((ready_tx, pings + 1))).await?;
    script.await?;
    println!("done");
    Ok(())
}

/// The bot. `demo` carries the signal to start the scripted conversation
/// and how many requests to answer before stopping.
async fn run(
    app: &slack_api::Client,
    bot: Option<&slack_api::Client>,
    demo: Option<(tokio::sync::oneshot::Sender<()>, usize)>,
) -> Result<(), Box<dyn std::error::Error>> {
    // Our own replies come back as events; auth.test says which user we are.
    let me = match bot {
        Some(bot) => bot.auth().test().await?.user_id.map(|u| u.to_string()),
        None => None,
    };
    let mut events = SocketMode::builder().connect(app).await?;
    let connections = events.hello().and_then(|h| h.num_connections).unwrap_or(1);
    println!("connected over Socket Mode ({connections} connection(s) open)");
    let (mut ready, mut remaining) = match demo {
        Some((tx, n)) => (Some(tx), Some(n)),
        None => (None, None),
    };

    while let Some(item) = events.next().await {
        let answered = match item {
            Ok(SocketModeIncoming::Envelope(env)) => handle(env, bot, me.as_deref()).await?,
            Ok(SocketModeIncoming::Lifecycle { connection, change }) => {
                println!("connection {connection}: {change:?}");
                // Start the scripted conversation once we are listening.
                if let Some(tx) = ready.take() {
                    let _ = tx.send(());
                }
                false
            }
            Ok(_) => false,
            // Already acknowledged; Slack will not send it again.
            Err(e) => {
                eprintln!("undecodable delivery: {e}");
                false
            }
        };
        if answered && let Some(n) = remaining.as_mut() {
            *n -= 1;
            if *n == 0 {
                events.shutdown().await;
            }
        }
    }
    Ok(())
}

/// Handles one envelope; `true` when it answered someone.
async fn handle(
    mut env: Envelope,
    bot: Option<&slack_api::Client>,
    me: Option<&str>,
) -> Result<bool, Box<dyn std::error::Error>> {
    if let Some(n) = env.retry_attempt.filter(|n| *n > 0) {
        println!("(redelivery #{n}: {:?})", env.retry_reason);
    }
    if let Some(Event::Message(MessageEvent::Plain(m))) = env.event() {
        let (Some(channel), Some(text), Some(user)) = (&m.channel, &m.text, &m.user) else {
            return Ok(false);
        };
        if m.bot_id.is_some() || Some(user.as_str()) == me {
            return Ok(false);
        }
        if text.trim() != "ping" {
            println!("   heard {user} in {channel}: {text:?}");
            return Ok(false);
        }
        let Some(bot) = bot else {
            println!("   {user} said ping (no bot token to answer with)");
            return Ok(false);
        };
        let sent = bot
            .chat()
            .post_message(channel.clone())
            .text("pong")
            .await?;
        println!("-> pong to {user} in {channel} (ts {})", sent.ts);
        return Ok(true);
    }
    if let Payload::SlashCommand(cmd) = &env.payload {
        let reply = format!("Deploying {} for <@{}>", cmd.text, cmd.user_id);
        let command = cmd.command.clone();
        if let Some(acker) = env.take_acker() {
            // The answer rides on the ack, within Slack's 3 seconds.
            let on_time = acker.ack_with(json!({ "response_type": "in_channel", "text": reply }));
            println!("-> answered {command} in its ack: {reply:?} (on time: {on_time})");
        }
        return Ok(true);
    }
    if let Some(event) = env.event() {
        let name = format!("{event:?}");
        println!("   event {}", name.split(['(', ' ']).next().unwrap_or("?"));
    }
    Ok(false)
}
