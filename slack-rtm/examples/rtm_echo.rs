//! An RTM bot that answers "ping" with "pong" and echoes everything else.
//!
//! With `SLACK_BOT_TOKEN` set (a classic bot token; see the crate docs) it
//! connects to Slack and runs until interrupted. Without it, it starts the
//! fake Slack from `slack-testkit` in-process, has two people post a few
//! messages, and exits after answering them:
//!
//! ```text
//! cargo run -p slack-rtm --example rtm_echo
//! ```

use std::time::Duration;

use slack_rtm::{Event, Lifecycle, MessageEvent, RtmIncoming};

/// Messages the fake workspace's people post when running without a token.
const SCRIPT: &[(&str, &str)] = &[
    ("U_ALICE", "ping"),
    ("U_BOB", "hello bot"),
    ("U_ALICE", "ping"),
    ("U_BOB", "bye"),
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    match std::env::var("SLACK_BOT_TOKEN") {
        Ok(_) => {
            let client = slack_api::Client::from_env()?;
            run(&client, None).await
        }
        Err(_) => {
            println!("SLACK_BOT_TOKEN is not set: running against the fake Slack");
            let slack = slack_testkit::FakeSlack::start().await;
            let client = slack.client("xoxb-example");
            let slack = std::sync::Arc::new(slack);
            let people = slack.clone();
            // Posted once the bot is listening (after its `Connected`).
            let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(async move {
                if ready_rx.await.is_err() {
                    return;
                }
                for (user, text) in SCRIPT {
                    println!("<{user}> {text}");
                    people.post_as_user(user, "C_GENERAL", text).await;
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            });
            run(&client, Some((ready_tx, SCRIPT.len()))).await
        }
    }
}

/// The bot. `demo` carries the signal to start the scripted conversation
/// and how many replies to send before stopping.
async fn run(
    client: &slack_api::Client,
    demo: Option<(tokio::sync::oneshot::Sender<()>, usize)>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (sender, mut events) = slack_rtm::connect(client).await?;
    let me = events.session().self_id().map(str::to_owned);
    println!("connected as {}", me.as_deref().unwrap_or("?"));
    let (mut ready, mut remaining) = match demo {
        Some((tx, n)) => (Some(tx), Some(n)),
        None => (None, None),
    };

    while let Some(item) = events.next().await {
        match item {
            Ok(RtmIncoming::Lifecycle(Lifecycle::Connected)) => {
                if let Some(tx) = ready.take() {
                    let _ = tx.send(());
                }
            }
            Ok(RtmIncoming::Lifecycle(change)) => println!("connection: {change:?}"),
            Ok(RtmIncoming::Event(Event::Message(MessageEvent::Plain(m)))) => {
                let (Some(channel), Some(text), Some(user)) = (&m.channel, &m.text, &m.user) else {
                    continue;
                };
                // Our own replies come back as events too.
                if Some(user.as_str()) == me.as_deref() {
                    continue;
                }
                let reply = if text.trim() == "ping" {
                    "pong".to_owned()
                } else {
                    format!("you said: {text}")
                };
                let ts = sender.send_message(channel, reply.as_str()).await?;
                println!("-> replied to {user} in {channel}: {reply:?} (ts {ts})");
                if let Some(n) = remaining.as_mut() {
                    *n -= 1;
                    if *n == 0 {
                        sender.shutdown().await;
                    }
                }
            }
            Ok(RtmIncoming::Event(other)) => println!("event: {}", event_name(&other)),
            Ok(_) => {}
            Err(e) => eprintln!("error: {e}"),
        }
    }
    println!("done");
    Ok(())
}

fn event_name(e: &Event) -> String {
    let dbg = format!("{e:?}");
    dbg.split(['(', ' ', '{']).next().unwrap_or("?").to_owned()
}
