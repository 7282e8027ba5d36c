//! An app two workspaces install: the OAuth install flow through the app's
//! own routes, each workspace answered with its own token, a token rotated
//! when it expires, an uninstall deleting the installation.
//!
//! It runs against the fake Slack in-process (hosting two workspaces) and
//! plays the people installing the app in a browser. Installations are
//! kept in a SQLite file with `--features sqlite`, in memory without:
//!
//! ```text
//! cargo run -p slack-app --features sqlite --example multi_workspace
//! ```

use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use slack_api::events::AppMentionEvent;
use slack_app::install::{
    INSTALL_PATH, InstallationKey, InstallationStore, OauthSettings, REDIRECT_PATH,
};
use slack_app::{App, Context};
use slack_testkit::{FakeSlack, OauthApp, TEAM_ID};

const CLIENT_ID: &str = "1111.2222";
const CLIENT_SECRET: &str = "example-client-secret";

#[cfg(feature = "sqlite")]
fn store(dir: &std::path::Path) -> Result<Arc<dyn InstallationStore>, Box<dyn std::error::Error>> {
    let path = dir.join("installations.db");
    println!("installations in {}", path.display());
    Ok(Arc::new(slack_app::install::SqliteStore::open(path)?))
}

#[cfg(not(feature = "sqlite"))]
fn store(_: &std::path::Path) -> Result<Arc<dyn InstallationStore>, Box<dyn std::error::Error>> {
    println!("installations in memory (add --features sqlite for a SQLite file)");
    Ok(Arc::new(slack_app::install::MemoryStore::new()))
}

/// A browser: follows redirects, sending the app's cookie back to it.
async fn browse(url: &str, base: &str) -> Result<String, Box<dyn std::error::Error>> {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let (mut url, mut cookie) = (url.to_owned(), None::<String>);
    for _ in 0..5 {
        let mut req = http.get(&url);
        if let (Some(c), true) = (&cookie, url.starts_with(base)) {
            req = req.header("cookie", c);
        }
        let resp = req.send().await?;
        if let Some(c) = resp.headers().get("set-cookie") {
            cookie = c.to_str()?.split(';').next().map(str::to_owned);
        }
        match resp.headers().get("location") {
            Some(next) => url = next.to_str()?.to_owned(),
            None => return Ok(resp.text().await?),
        }
    }
    Err("too many redirects".into())
}

/// The page's paragraph, for printing.
fn said(page: &str) -> &str {
    page.split("<p>")
        .nth(1)
        .and_then(|p| p.split("</p>").next())
        .unwrap_or(page)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let slack = FakeSlack::start().await;
    slack.add_team("T0002", "Second Team");
    slack.register_oauth_app(OauthApp::new(CLIENT_ID, CLIENT_SECRET).token_rotation(true));
    let dir = std::env::temp_dir().join(format!("slack-rs-multi-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let store = store(&dir)?;

    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let clock = slack.clock();
    let app = App::new(slack.anonymous_client())
        .installations(store.clone())
        .oauth(
            OauthSettings::new(CLIENT_ID, CLIENT_SECRET)
                .scopes(["chat:write", "app_mentions:read"])
                .redirect_uri(format!("{base}{REDIRECT_PATH}")),
        )
        .clock(move || clock.now())
        .event::<AppMentionEvent>(|cx: Context<AppMentionEvent>| async move {
            let team = cx.installation().and_then(|i| i.team_name.clone());
            cx.say(format!("Hello, {}!", team.unwrap_or_default()))
                .await?;
            Ok(())
        });
    // The app as Slack knows it: events for it go to its router.
    slack.set_app(serde_json::from_value(serde_json::json!({
        "display_information": {"name": "multi-workspace example"},
        "oauth_config": {"scopes": {"bot": ["chat:write", "app_mentions:read"]}},
        "settings": {"event_subscriptions": {"request_url": format!("{base}/slack/events"), "bot_events": ["app_mention"]}}
    }))?);
    let router = app.into_router(slack.signing_secret());
    tokio::spawn(async move { axum::serve(listener, router).await });

    for team in [TEAM_ID, "T0002"] {
        println!("<browser> {base}{INSTALL_PATH}?team={team}");
        let page = browse(&format!("{base}{INSTALL_PATH}?team={team}"), &base).await?;
        println!("  {}", said(&page));
    }

    let mut replies = 0;
    for team in [TEAM_ID, "T0002"] {
        println!("<U_ALICE in {team}> @app hi");
        slack.push_team_event(team, mention());
        replies += 1;
        let reply = wait_for_reply(&slack, replies).await?;
        println!("  {reply}");
    }

    println!("(twelve hours later: the tokens have expired)");
    slack.clock().advance(Duration::from_secs(12 * 3600));
    println!("<U_ALICE in T0002> @app still there?");
    slack.push_team_event("T0002", mention());
    replies += 1;
    println!("  {}", wait_for_reply(&slack, replies).await?);
    let refreshed = slack
        .calls_to("oauth.v2.access")
        .iter()
        .filter(|c| c.arg("grant_type") == Some("refresh_token"))
        .filter(|c| c.response["team"]["id"] == "T0002")
        .count();
    println!("  (T0002's token refreshed before use, {refreshed} time(s), and saved)");

    println!("<admin of {TEAM_ID}> uninstalls the app");
    slack.push_team_event(TEAM_ID, json!({"type": "app_uninstalled"}));
    let key = InstallationKey::Team(TEAM_ID.into());
    for _ in 0..100 {
        if store.find(&key).await?.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let left = store.find(&key).await?.is_none();
    println!("  installation of {TEAM_ID} deleted: {left}");
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

fn mention() -> serde_json::Value {
    json!({"type": "app_mention", "user": "U_ALICE", "channel": "C_GENERAL",
           "text": "<@U_BOT> hi", "ts": "1700000003.000400", "event_ts": "1700000003.000400"})
}

/// The `n`th reply, with the workspace its token belongs to (never the token).
async fn wait_for_reply(slack: &FakeSlack, n: usize) -> Result<String, Box<dyn std::error::Error>> {
    for _ in 0..250 {
        let calls: Vec<_> = slack
            .calls_to("chat.postMessage")
            .into_iter()
            .filter(|c| c.arg("text").is_some_and(|t| t.starts_with("Hello")))
            .collect();
        if let Some(c) = calls.get(n - 1) {
            let team = c.token().and_then(|t| slack.oauth_token_team(t));
            return Ok(format!(
                "#general: {} (sent with {}'s token)",
                c.arg("text").unwrap_or_default(),
                team.unwrap_or_default()
            ));
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Err("the app did not answer".into())
}
