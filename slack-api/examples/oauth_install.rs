//! The OAuth v2 install flow as a small axum app: an "Add to Slack" link with
//! a random `state`, the redirect handler that checks it and trades the code
//! for tokens, an in-memory token store, and refresh for rotating tokens.
//!
//! ```sh
//! cargo run -p slack-api --features axum --example oauth_install
//! SLACK_CLIENT_ID=... SLACK_CLIENT_SECRET=... \
//!   SLACK_REDIRECT_URI=https://your.host/slack/oauth/callback PORT=3000 \
//!   cargo run -p slack-api --features axum --example oauth_install
//! ```
//!
//! Without `SLACK_CLIENT_ID` it starts a fake Slack in-process (with token
//! rotation on), plays the user's browser with reqwest (following the
//! redirects), calls `auth.test` with the stored bot token, lets the token
//! expire and shows the refresh, then exits. With the variables set, it
//! serves the app on `PORT` until Ctrl-C: open `/` in a browser.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Html;
use axum::routing::get;
use slack_api::{Client, Secret};
use slack_testkit::{FakeSlack, OauthApp};

/// Tokens of one installation (one workspace).
#[derive(Clone)]
struct Installation {
    team_name: String,
    bot_token: Secret,
    /// With token rotation: what renews the bot token, and when it expires.
    bot_refresh: Option<(Secret, Instant)>,
    user_id: String,
    user_token: Option<Secret>,
}

struct App {
    /// A client without a token: the install calls need none.
    slack: Client,
    client_id: String,
    client_secret: Secret,
    redirect_uri: String,
    /// `state` values handed out and not used yet, with when they were made.
    pending: Mutex<HashMap<String, Instant>>,
    /// Installations by team ID. A real app keeps these in a database.
    installs: Mutex<HashMap<String, Installation>>,
}

type Shared = Arc<App>;
type AnyError = Box<dyn std::error::Error + Send + Sync>;

const STATE_LIFETIME: Duration = Duration::from_secs(10 * 60);

fn random_state() -> String {
    let mut bytes = [0u8; 16];
    // The state defends against forged callbacks: it must be unguessable.
    getrandom::getrandom(&mut bytes).expect("the OS random source");
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Keeps a token out of logs: shows its kind and length only.
fn redact(token: &Secret) -> String {
    let token = token.expose();
    let kind = token.split('-').next().unwrap_or("?");
    format!("{kind}-*** ({} chars)", token.len())
}

fn router(app: Shared) -> Router {
    Router::new()
        .route("/", get(add_to_slack))
        .route("/slack/oauth/callback", get(callback))
        .with_state(app)
}

/// The page with the "Add to Slack" link; each visit gets a fresh state.
async fn add_to_slack(State(app): State<Shared>) -> Html<String> {
    let state = random_state();
    {
        let mut pending = app.pending.lock().unwrap_or_else(|p| p.into_inner());
        pending.retain(|_, at| at.elapsed() < STATE_LIFETIME);
        pending.insert(state.clone(), Instant::now());
    }
    let link = app
        .slack
        .authorize_url(&app.client_id)
        .scopes(["chat:write", "channels:read"])
        .user_scopes(["search:read"])
        .redirect_uri(&app.redirect_uri)
        .state(state)
        .to_url();
    Html(format!(
        "<a href=\"{}\">Add to Slack</a>",
        link.replace('&', "&amp;").replace('"', "&quot;")
    ))
}

#[derive(serde::Deserialize)]
struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Where Slack sends the user back: check the state, trade the code, store the tokens.
async fn callback(State(app): State<Shared>, Query(q): Query<Callback>) -> (StatusCode, String) {
    let fresh = q.state.as_ref().is_some_and(|s| {
        let mut pending = app.pending.lock().unwrap_or_else(|p| p.into_inner());
        // Each state works once, and only for a while.
        pending
            .remove(s)
            .is_some_and(|at| at.elapsed() < STATE_LIFETIME)
    });
    if !fresh {
        return (
            StatusCode::BAD_REQUEST,
            "Unknown or expired state; start again.".into(),
        );
    }
    if let Some(error) = q.error {
        return (StatusCode::OK, format!("Install cancelled ({error})."));
    }
    let Some(code) = q.code else {
        return (StatusCode::BAD_REQUEST, "No code in the callback.".into());
    };
    let installed = match app
        .slack
        .oauth()
        .exchange_code(&app.client_id, &app.client_secret, code)
        .redirect_uri(&app.redirect_uri)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            return (
                StatusCode::BAD_GATEWAY,
                format!("Slack refused the code: {e}"),
            );
        }
    };
    let (Some(bot_token), Some(team)) = (installed.access_token, installed.team) else {
        return (StatusCode::BAD_GATEWAY, "Slack sent no bot token.".into());
    };
    let team_id = team.id.map(|t| t.as_str().to_string()).unwrap_or_default();
    let team_name = team.name.unwrap_or_default();
    let bot_refresh = installed
        .refresh_token
        .map(|r| (r, Instant::now() + installed.expires_in.unwrap_or_default()));
    let user = installed.authed_user.unwrap_or_default();
    let install = Installation {
        team_name: team_name.clone(),
        bot_token,
        bot_refresh,
        user_id: user.id.unwrap_or_default(),
        user_token: user.access_token,
    };
    app.installs
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(team_id.clone(), install);
    (
        StatusCode::OK,
        format!("Installed in {team_name} ({team_id})."),
    )
}

impl App {
    fn installation(&self, team_id: &str) -> Option<Installation> {
        self.installs
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(team_id)
            .cloned()
    }

    /// Trades the refresh token for a new bot token and stores it.
    async fn refresh(&self, team_id: &str) -> Result<Secret, AnyError> {
        let Some(Installation {
            bot_refresh: Some((refresh, _)),
            ..
        }) = self.installation(team_id)
        else {
            return Err("no refresh token for this team".into());
        };
        let renewed = self
            .slack
            .oauth()
            .refresh_token(&self.client_id, &self.client_secret, refresh)
            .await?;
        let token = renewed.access_token.unwrap_or_default();
        let lifetime = renewed.expires_in.unwrap_or_default();
        let mut installs = self.installs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(i) = installs.get_mut(team_id) {
            i.bot_token = token.clone();
            if let Some(r) = renewed.refresh_token {
                i.bot_refresh = Some((r, Instant::now() + lifetime));
            }
        }
        Ok(token)
    }

    /// A bot client for the team, refreshing first when the token is about to expire.
    async fn bot(&self, team_id: &str) -> Result<Client, AnyError> {
        let install = self.installation(team_id);
        let token = match install {
            Some(Installation {
                bot_refresh: Some((_, expires_at)),
                ..
            }) if expires_at <= Instant::now() + Duration::from_secs(60) => {
                self.refresh(team_id).await?
            }
            Some(i) => i.bot_token,
            None => Secret::default(),
        };
        Ok(self.slack.with_token(token))
    }
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    if let (Ok(id), Ok(secret)) = (
        std::env::var("SLACK_CLIENT_ID"),
        std::env::var("SLACK_CLIENT_SECRET"),
    ) {
        let port = std::env::var("PORT").unwrap_or_else(|_| "3000".into());
        let redirect = std::env::var("SLACK_REDIRECT_URI")
            .unwrap_or_else(|_| format!("http://localhost:{port}/slack/oauth/callback"));
        let app = Arc::new(App {
            slack: Client::anonymous(),
            client_id: id,
            client_secret: secret.into(),
            redirect_uri: redirect,
            pending: Mutex::default(),
            installs: Mutex::default(),
        });
        let listener = tokio::net::TcpListener::bind(format!("0.0.0.0:{port}")).await?;
        println!("Open http://localhost:{port}/ to install; Ctrl-C to stop");
        axum::serve(listener, router(app)).await?;
        return Ok(());
    }

    // --- Against the fake Slack ---
    let slack = FakeSlack::start().await;
    let registered = slack.register_oauth_app(
        OauthApp::new("1234.5678", "example-client-secret").token_rotation(true),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let app = Arc::new(App {
        slack: slack.anonymous_client(),
        client_id: registered.client_id().to_string(),
        client_secret: registered.client_secret().into(),
        redirect_uri: format!("{base}/slack/oauth/callback"),
        pending: Mutex::default(),
        installs: Mutex::default(),
    });
    tokio::spawn({
        let router = router(app.clone());
        async move {
            let _ = axum::serve(listener, router).await;
        }
    });
    println!(
        "No SLACK_CLIENT_ID: fake Slack at {}, app at {base}",
        slack.uri()
    );

    // The "browser": open the page, click the link, follow the redirects.
    let page = reqwest::get(format!("{base}/")).await?.text().await?;
    let link = page
        .split("href=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .ok_or("no link on the page")?
        .replace("&amp;", "&")
        .replace("&quot;", "\"");
    println!(
        "1. The page links to {}",
        link.split('?').next().unwrap_or("")
    );
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::custom(|attempt| {
            let url = attempt.url();
            println!(
                "2. Redirected to {}{}",
                url.origin().ascii_serialization(),
                url.path()
            );
            attempt.follow()
        }))
        .build()?;
    let done = browser.get(&link).send().await?;
    println!(
        "3. The app answered HTTP {}: {}",
        done.status(),
        done.text().await?
    );

    let install = app.installation("T0001").ok_or("nothing was stored")?;
    println!(
        "4. Stored for {}: bot token {}, user {} with token {}",
        install.team_name,
        redact(&install.bot_token),
        install.user_id,
        install.user_token.as_ref().map_or("none".into(), redact),
    );
    let me = app.bot("T0001").await?.auth().test().await?;
    println!(
        "5. auth.test with the bot token: user {} in team {}",
        me.user_id.as_ref().map_or("?", |u| u.as_str()),
        me.team_id.as_ref().map_or("?", |t| t.as_str()),
    );

    // Rotating tokens expire (after 12 hours); make it happen now.
    slack.expire_oauth_tokens();
    let err = app
        .bot("T0001")
        .await?
        .auth()
        .test()
        .await
        .expect_err("the token just expired");
    println!("6. After expiry, auth.test fails: {err}");
    if err.api_code().map(|c| c.as_str()) == Some("token_expired") {
        let token = app.refresh("T0001").await?;
        println!("7. Refreshed: new bot token {}", redact(&token));
        let me = app.bot("T0001").await?.auth().test().await?;
        println!(
            "8. auth.test with the new token: user {}",
            me.user_id.as_ref().map_or("?", |u| u.as_str())
        );
    }
    Ok(())
}
