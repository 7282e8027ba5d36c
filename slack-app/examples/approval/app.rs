//! The approval app: `/deploy` opens a modal (service select, environment
//! radio buttons); its submission posts a message with Approve / Reject
//! buttons; a click updates the message and replies in its thread.

use serde_json::{Value, json};
use slack_api::Client;
use slack_api::events::{BlockActionsPayload, ViewSubmissionPayload};
use slack_api::slash::SlashCommand;
use slack_app::{App, Context, HandlerResult, ViewResponse};

pub const MODAL: &str = "deploy_modal";

pub fn app(bot: Client) -> App {
    App::new(bot)
        .command("/deploy", open_modal)
        .view_submission(MODAL, request_approval)
        .action("approve", decide)
        .action("reject", decide)
}

fn plain(text: &str) -> Value {
    json!({"type": "plain_text", "text": text})
}

fn option(text: &str) -> Value {
    json!({"text": plain(text), "value": text})
}

/// The modal, remembering the channel the command ran in.
fn modal(channel: &str, service: &str) -> Value {
    let services: Vec<Value> = ["api", "web", "worker"].iter().map(|s| option(s)).collect();
    let mut select = json!({"type": "static_select", "action_id": "pick", "options": services});
    if !service.is_empty() {
        select["initial_option"] = option(service);
    }
    json!({
        "type": "modal",
        "callback_id": MODAL,
        "private_metadata": channel,
        "title": plain("Deploy"),
        "submit": plain("Request"),
        "close": plain("Cancel"),
        "blocks": [
            {"type": "input", "block_id": "service", "label": plain("Service"), "element": select},
            {"type": "input", "block_id": "env", "label": plain("Environment"),
             "element": {"type": "radio_buttons", "action_id": "pick",
                         "options": [option("staging"), option("production")]}}
        ]
    })
}

async fn open_modal(cx: Context<SlashCommand>) -> HandlerResult {
    cx.ack();
    let trigger = cx.trigger_id().ok_or("the command carried no trigger_id")?;
    let view = modal(cx.payload.channel_id.as_str(), cx.payload.text.trim());
    cx.client()
        .views()
        .open(view.to_string())
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
    cx.client()
        .chat()
        .post_message(channel)
        .text(format!("<@{requester}> asks to deploy {what}"))
        .blocks(json!([
            {"type": "section", "block_id": "request",
             "text": {"type": "mrkdwn", "text": format!("<@{requester}> asks to deploy *{what}*")}},
            {"type": "actions", "block_id": "decision", "elements": [
                {"type": "button", "action_id": "approve", "style": "primary",
                 "text": plain("Approve"), "value": what},
                {"type": "button", "action_id": "reject", "style": "danger",
                 "text": plain("Reject"), "value": what}
            ]}
        ]))
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
    let ts: slack_api::ids::Ts = cx
        .payload
        .message
        .as_ref()
        .and_then(|m| m.get("ts"))
        .and_then(Value::as_str)
        .ok_or("the click came from no message")?
        .into();
    let verdict = if approved { "Approved" } else { "Rejected" };
    cx.client()
        .chat()
        .update(channel, ts.clone())
        .text(format!("{verdict} by <@{who}>: {what}"))
        .blocks(json!([{"type": "section",
                        "text": {"type": "mrkdwn", "text": format!("*{what}*: {verdict} by <@{who}>")}}]))
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
