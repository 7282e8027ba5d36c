//! The approval app: `/deploy` opens a modal (service select, environment
//! radio buttons); its submission posts a message with Approve / Reject
//! buttons; a click updates the message and replies in its thread.

use slack_api::Client;
use slack_api::block_kit::{Block, Button, Mrkdwn, RadioButtons, SelectOption, StaticSelect, View};
use slack_api::events::{BlockActionsPayload, ViewSubmissionPayload};
use slack_api::inbound::slash::SlashCommand;
use slack_api::message::mrkdwn;
use slack_app::{App, Context, HandlerResult, ViewResponse};

pub const MODAL: &str = "deploy_modal";

/// The app as Slack knows it: create the Slack app from this manifest; the
/// fake Slack registers it the same way.
pub const MANIFEST: &str = include_str!("manifest.json");

pub fn app(bot: Client) -> App {
    App::new(bot)
        .command("/deploy", open_modal)
        .view_submission(MODAL, request_approval)
        .action("approve", decide)
        .action("reject", decide)
}

fn options(values: &[&str]) -> Vec<SelectOption> {
    values.iter().map(|v| SelectOption::new(*v, *v)).collect()
}

/// The modal, remembering the channel the command ran in.
fn modal(channel: &str, service: &str) -> View {
    let mut select = StaticSelect::new("pick", "Choose one", options(&["api", "web", "worker"]));
    if !service.is_empty() {
        select = select.initial_option(SelectOption::new(service, service));
    }
    View::modal("Deploy")
        .callback_id(MODAL)
        .private_metadata(channel)
        .submit("Request")
        .close("Cancel")
        .block(Block::input("Service", select).block_id("service"))
        .block(
            Block::input(
                "Environment",
                RadioButtons::new("pick", options(&["staging", "production"])),
            )
            .block_id("env"),
        )
}

async fn open_modal(cx: Context<SlashCommand>) -> HandlerResult {
    cx.ack();
    let trigger = cx.trigger_id().ok_or("the command carried no trigger_id")?;
    let view = modal(cx.payload.channel_id.as_str(), cx.payload.text.trim());
    cx.client()
        .views()
        .open(view)
        .trigger_id(trigger)
        .send()
        .await?;
    Ok(())
}

async fn request_approval(cx: Context<ViewSubmissionPayload>) -> HandlerResult {
    let service = cx.input_value("service", "pick").map(str::to_owned);
    let env = cx
        .input_value("env", "pick")
        .unwrap_or("staging")
        .to_owned();
    let Some(service) = service else {
        cx.ack_with(ViewResponse::errors([("service", "Pick a service")]));
        return Ok(());
    };
    cx.ack();
    let channel = cx.payload.view.private_metadata.clone().unwrap_or_default();
    let requester = cx
        .user_id()
        .map(|u| u.as_str().to_owned())
        .unwrap_or_default();
    let what = format!("{service} to {env}");
    let request = Block::section(Mrkdwn::new(format!(
        "<@{requester}> asks to deploy *{}*",
        mrkdwn::escape(&what)
    )))
    .block_id("request");
    let decision = Block::actions([
        Button::new("approve", "Approve").primary().value(&what),
        Button::new("reject", "Reject").danger().value(&what),
    ])
    .block_id("decision");
    cx.client()
        .chat()
        .post_message(channel)
        .text(format!("<@{requester}> asks to deploy {what}"))
        .blocks([Block::from(request), decision.into()])
        .send()
        .await?;
    Ok(())
}

async fn decide(cx: Context<BlockActionsPayload>) -> HandlerResult {
    cx.ack();
    let action = cx.action().ok_or("no action")?;
    let approved = action.action_id.as_deref() == Some("approve");
    let what = action.value.clone().unwrap_or_default();
    let who = cx
        .user_id()
        .map(|u| u.as_str().to_owned())
        .unwrap_or_default();
    let channel = cx
        .channel()
        .ok_or("the click came from no conversation")?
        .clone();
    let message = cx
        .payload
        .message
        .as_ref()
        .ok_or("the click came from no message")?;
    let ts = message.ts.clone().ok_or("the message has no ts")?;
    let verdict = if approved { "Approved" } else { "Rejected" };
    // Keep every block of the message as it was read back, and swap the
    // buttons for the verdict.
    let blocks = message.blocks.iter().map(|b| {
        if b.block_id() == Some("decision") {
            Block::context([Mrkdwn::new(format!("{verdict} by <@{who}>"))])
                .block_id("decision")
                .into()
        } else {
            b.clone()
        }
    });
    cx.client()
        .chat()
        .update(channel, ts.clone())
        .text(format!("{verdict} by <@{who}>: {what}"))
        .blocks(blocks)
        .send()
        .await?;
    let reply = if approved {
        format!("Deploying {what} now.")
    } else {
        format!("{what} will not be deployed.")
    };
    cx.say_builder()?.thread_ts(ts).text(reply).send().await?;
    Ok(())
}
