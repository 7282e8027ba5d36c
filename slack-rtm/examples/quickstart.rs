//! The SDK end to end: post, read back, react, reply in a thread, page through
//! conversations and receive it all as events over RTM.
//!
//! ```sh
//! cargo run --example quickstart
//! ```
//!
//! With no `SLACK_BOT_TOKEN` it starts the embedded fake Slack in-process, so
//! it needs no account and no network. With `SLACK_BOT_TOKEN` (a classic bot
//! token, which RTM requires) and `SLACK_CHANNEL` (a channel ID the bot is in)
//! it does the same against your workspace.

use std::time::Duration;

use slack_api::Client;
use slack_api::types::ConversationType;
use slack_api::types::{ChannelId, Ts};
use slack_rtm::{Event, Lifecycle, RtmIncoming};
use slack_testkit::FakeSlack;

type BoxError = Box<dyn std::error::Error + Send + Sync>;

#[tokio::main]
async fn main() -> Result<(), BoxError> {
    // Keep the fake alive for the whole run; `None` against real Slack.
    let (client, channel, fake) = match std::env::var("SLACK_BOT_TOKEN") {
        Ok(_) => {
            let channel = std::env::var("SLACK_CHANNEL")
                .map_err(|_| "SLACK_CHANNEL must name a channel ID the bot is in")?;
            println!("Using the real Slack (SLACK_BOT_TOKEN is set).");
            (Client::from_env()?, ChannelId::from(channel), None)
        }
        Err(_) => {
            let fake = FakeSlack::start().await;
            println!(
                "No SLACK_BOT_TOKEN: using the embedded fake Slack at {}",
                fake.api_base_url()
            );
            (
                fake.client("xoxb-quickstart"),
                ChannelId::from("C_GENERAL"),
                Some(fake),
            )
        }
    };

    // 1. Who are we?
    let me = client.auth().test().await?;
    println!(
        "1. auth.test: connected to team {} as user {}",
        show(me.team_id.as_ref()),
        show(me.user_id.as_ref())
    );

    // 2. Open the real-time connection first, so we see everything that follows.
    let (sender, mut events) = slack_rtm::connect(&client).await?;
    println!("2. rtm.connect: websocket open, waiting for events");

    // 3. Post a message.
    let sent = client
        .chat()
        .post_message(channel.clone())
        .text("Hello from slack-rs :wave:")
        .await?;
    println!(
        "3. chat.postMessage: posted ts={} in {}",
        sent.ts, sent.channel
    );

    // 4. Read it back from history.
    let history = client
        .conversations()
        .history(channel.clone())
        .limit(5)
        .await?;
    let found = history
        .messages
        .iter()
        .find(|m| m.ts.as_ref() == Some(&sent.ts));
    println!(
        "4. conversations.history: {} message(s); ours is there: {:?}",
        history.messages.len(),
        found.and_then(|m| m.text.as_deref())
    );

    // 5. React to it.
    client
        .reactions()
        .add(channel.clone(), "thumbsup", sent.ts.clone())
        .await?;
    println!("5. reactions.add: :thumbsup: on {}", sent.ts);

    // 6. Reply in a thread.
    let reply = client
        .chat()
        .post_message(channel.clone())
        .text("...and a reply in the thread")
        .thread_ts(sent.ts.clone())
        .await?;
    println!("6. chat.postMessage: thread reply ts={}", reply.ts);

    // 7. Page through public channels, two at a time, following the cursor.
    let mut channels = client
        .conversations()
        .list()
        .types([ConversationType::PublicChannel])
        .limit(2)
        .items();
    let mut names = Vec::new();
    while let Some(conversation) = channels.next().await {
        let conversation = conversation?;
        names.push(conversation.name.unwrap_or_default());
        if names.len() >= 20 {
            break;
        }
    }
    println!(
        "7. conversations.list: {} channel(s): {}",
        names.len(),
        names.join(", ")
    );

    // 8. Someone talks to the bot (only the fake can make that happen).
    if let Some(fake) = &fake {
        fake.post_as_user("U_ALICE", channel.as_str(), "ping").await;
        println!("8. (fake) U_ALICE says \"ping\" in {channel}");
    }

    // 9. Everything above arrived over RTM too; answer a "ping" with an RTM send.
    println!("9. events received over RTM:");
    let mut seen = 0;
    let deadline = tokio::time::sleep(Duration::from_secs(if fake.is_some() { 5 } else { 15 }));
    tokio::pin!(deadline);
    loop {
        let item = tokio::select! {
            item = events.next() => item,
            () = &mut deadline => break,
        };
        let Some(item) = item else { break };
        match item {
            Ok(RtmIncoming::Event(Event::Message(message))) => {
                seen += 1;
                let text = message.text().unwrap_or("");
                let ts = message.ts().map(Ts::as_str).unwrap_or("?");
                println!("   message  ts={ts} text={text:?}");
                if let Some(channel) = message.channel().filter(|_| text == "ping") {
                    let ts = sender.send_message(channel, "pong").await?;
                    println!("   sent \"pong\" over RTM, acked with ts={ts}");
                    if fake.is_some() {
                        break;
                    }
                }
            }
            Ok(RtmIncoming::Event(Event::ReactionAdded(reaction))) => {
                seen += 1;
                println!(
                    "   reaction :{}: added",
                    reaction.reaction.unwrap_or_default()
                );
            }
            Ok(RtmIncoming::Event(Event::Hello(_)))
            | Ok(RtmIncoming::Lifecycle(Lifecycle::Connected)) => {}
            Ok(RtmIncoming::Event(other)) => println!("   other event: {}", event_name(&other)),
            Ok(RtmIncoming::Lifecycle(change)) => println!("   connection: {change:?}"),
            Ok(_) => {}
            Err(e) => println!("   undecodable frame: {e}"),
        }
    }
    sender.shutdown().await;
    println!("Done: {seen} event(s) seen over RTM.");
    Ok(())
}

fn show<T: std::fmt::Display>(value: Option<&T>) -> String {
    value.map_or_else(|| "?".to_owned(), ToString::to_string)
}

fn event_name(event: &Event) -> String {
    format!("{event:?}")
        .split(['(', ' ', '{'])
        .next()
        .unwrap_or("?")
        .to_owned()
}
