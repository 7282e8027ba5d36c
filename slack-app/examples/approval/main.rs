//! An approval app: `/deploy` opens a modal, its submission posts a message
//! with Approve / Reject buttons, a click updates the message and replies in
//! its thread.
//!
//! With `SLACK_BOT_TOKEN` and `SLACK_APP_TOKEN` (an `xapp-` token with
//! `connections:write`) it runs over Socket Mode against your workspace
//! until stopped (create the Slack app from `manifest.json`). Without them
//! it starts the fake Slack in-process with the app registered from that
//! manifest and plays the person: runs the command, fills in the modal,
//! clicks Approve, and prints each step.
//!
//! ```text
//! cargo run --example approval
//! ```

mod app;

use serde_json::json;
use slack_testkit::{FakeSlack, Target};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let tokens = (
        std::env::var("SLACK_BOT_TOKEN"),
        std::env::var("SLACK_APP_TOKEN"),
    );
    if let (Ok(bot), Ok(app_token)) = tokens {
        println!("running over Socket Mode; /deploy in Slack to start");
        app::app(slack_api::Client::new(bot))
            .socket_mode(app_token)
            .run()
            .await?;
        return Ok(());
    }
    println!("SLACK_BOT_TOKEN / SLACK_APP_TOKEN not set: running against the fake Slack");
    let slack = FakeSlack::builder()
        .app(serde_json::from_str(app::MANIFEST)?)
        .start()
        .await;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(
        app::app(slack.client("xoxb-example"))
            .socket_mode("xapp-example")
            .run_until(async move {
                let _ = stopped.await;
            }),
    );
    slack.wait_for_socket_mode_connected().await;

    println!("<U_ALICE> /deploy");
    slack
        .run_command("U_ALICE", "C_GENERAL", "/deploy", "")
        .await;
    slack.wait_for_call("views.open").await;
    let modal = slack.open_views("U_ALICE").pop().ok_or("no modal opened")?;
    let view_id = modal["id"].as_str().unwrap_or_default().to_owned();
    println!("(modal {view_id} opened: {})", modal["title"]["text"]);

    let values = json!({
        "service": {"pick": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "api"}, "value": "api"}}},
        "env": {"pick": {"type": "radio_buttons", "selected_option": {"text": {"type": "plain_text", "text": "production"}, "value": "production"}}}
    });
    println!("<U_ALICE> submits: api to production");
    slack.submit_view("U_ALICE", &view_id, values).await;
    let request = slack.wait_for_call("chat.postMessage").await;
    let ts = request.response["ts"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    println!("#general: {}", request.arg("text").unwrap_or_default());

    println!("<U_BOB> clicks Approve");
    slack
        .click(
            "U_BOB",
            Target::message("C_GENERAL", &ts),
            "approve",
            "api to production",
        )
        .await;
    let update = slack.wait_for_call("chat.update").await;
    println!(
        "#general (edited): {}",
        update.arg("text").unwrap_or_default()
    );
    let reply = slack.wait_for_call("chat.postMessage").await;
    println!(
        "#general (thread): {}",
        reply.arg("text").unwrap_or_default()
    );

    let _ = stop.send(());
    running.await??;
    println!("done");
    Ok(())
}
