//! Several workspaces on one fake: installs per workspace (and in an
//! Enterprise Grid organization), tokens that know their workspace, and
//! events delivered as coming from one.

use std::collections::BTreeMap;
use std::time::Duration;

use slack_rtm::socket_mode::{SocketMode, SocketModeIncoming};
use slack_testkit::{FakeSlack, OauthApp, TEAM_ID};

const REDIRECT: &str = "http://127.0.0.1:1/callback";

/// The code the authorize page hands out for `team` (or its error page).
async fn code_for(slack: &FakeSlack, app: &OauthApp, team: &str) -> Result<String, (u16, String)> {
    let url = slack
        .anonymous_client()
        .authorize_url(app.client_id())
        .scopes(["chat:write"])
        .redirect_uri(REDIRECT)
        .team(team)
        .to_url();
    let resp = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .get(url)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let Some(location) = resp.headers().get("location").cloned() else {
        return Err((status, resp.text().await.unwrap_or_default()));
    };
    let query: BTreeMap<String, String> = url::Url::parse(location.to_str().unwrap())
        .unwrap()
        .query_pairs()
        .into_owned()
        .collect();
    Ok(query["code"].clone())
}

#[tokio::test]
async fn each_workspace_installs_with_its_own_tokens() {
    let slack = FakeSlack::start().await;
    slack.add_team("T0002", "Second Team");
    slack.add_enterprise_team("T0003", "Grid Team", "E0001", "Grid Org");
    let app = slack.register_oauth_app(
        OauthApp::new("1.2", "shh")
            .token_rotation(true)
            .expires_in(60),
    );
    let client = slack.anonymous_client();
    // (team, its name, its organization)
    let cases = [
        (TEAM_ID, "Fake Team", None),
        ("T0002", "Second Team", None),
        ("T0003", "Grid Team", Some("E0001")),
    ];
    let mut tokens = Vec::new();
    for (team, name, org) in cases {
        let code = code_for(&slack, &app, team).await.expect("a code");
        let got = client
            .oauth()
            .exchange_code(app.client_id(), app.client_secret(), code)
            .redirect_uri(REDIRECT)
            .await
            .expect("exchanged");
        let t = got.team.expect("a team");
        assert_eq!(
            (t.id.unwrap().as_str(), t.name.as_deref()),
            (team, Some(name))
        );
        assert_eq!(
            got.enterprise
                .and_then(|e| e.id)
                .map(|e| e.as_str().to_owned())
                .as_deref(),
            org
        );
        let token = got.access_token.expect("a bot token");
        assert_eq!(
            slack.oauth_token_team(token.expose()).as_deref(),
            Some(team)
        );
        tokens.push((team, token, got.refresh_token.expect("rotating")));
    }

    // Tokens expire on the fake clock; a refresh stays in its workspace.
    slack.clock().advance(Duration::from_secs(61));
    let (team, token, refresh) = &tokens[1];
    let expired = slack
        .client(token.expose())
        .chat()
        .post_message("C_GENERAL")
        .text("late")
        .await
        .expect_err("expired");
    assert_eq!(
        expired.api_code().map(|c| c.as_str()),
        Some("token_expired")
    );
    let renewed = client
        .oauth()
        .refresh_token(app.client_id(), app.client_secret(), refresh.clone())
        .await
        .expect("refreshed");
    assert_eq!(renewed.team.and_then(|t| t.id).unwrap().as_str(), *team);
    let fresh = renewed.access_token.unwrap();
    assert_eq!(
        slack.oauth_token_team(fresh.expose()).as_deref(),
        Some(*team)
    );

    // A workspace the fake does not host is refused on Slack's page.
    assert_eq!(
        code_for(&slack, &app, "T_NOPE").await,
        Err((400, "invalid_team".to_owned()))
    );
}

#[tokio::test]
async fn an_event_comes_from_the_workspace_it_names() {
    let slack = FakeSlack::start().await;
    slack.add_enterprise_team("T0003", "Grid Team", "E0001", "Grid Org");
    let mut events = SocketMode::builder()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();
    let id = slack
        .push_team_event("T0003", serde_json::json!({"type": "app_uninstalled"}))
        .expect("delivered");
    let envelope = loop {
        if let Some(Ok(SocketModeIncoming::Envelope(e))) = events.next().await {
            break e;
        }
    };
    assert_eq!(envelope.event_id(), Some(id.as_str()));
    let slack_rtm::socket_mode::Payload::EventsApi(
        slack_api::events::EventsApiPayload::EventCallback(cb),
    ) = &envelope.payload
    else {
        panic!("an event_callback: {:?}", envelope.payload);
    };
    assert_eq!(cb.team_id.as_ref().map(|t| t.as_str()), Some("T0003"));
    assert_eq!(cb.enterprise_id.as_ref().map(|e| e.as_str()), Some("E0001"));
    assert_eq!(
        cb.authorizations[0].team_id.as_ref().map(|t| t.as_str()),
        Some("T0003")
    );
    events.shutdown().await;
}

/// Installs the app in `team` (or organization) and returns the bot token.
async fn install(slack: &FakeSlack, app: &OauthApp, team: &str) -> String {
    let code = code_for(slack, app, team).await.expect("a code");
    let got = slack
        .anonymous_client()
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), code)
        .redirect_uri(REDIRECT)
        .await
        .expect("exchanged");
    got.access_token.expect("a bot token").expose().to_owned()
}

/// The texts of `channel`'s history as `token` reads it.
async fn texts(slack: &FakeSlack, token: &str, channel: &str) -> Vec<String> {
    let history = slack.client(token).conversations().history(channel).await;
    history
        .expect("history")
        .messages
        .into_iter()
        .filter_map(|m| m.text)
        .collect()
}

/// The channel names `token` lists in workspace `team`.
async fn channels(slack: &FakeSlack, token: &str, team: &str) -> Vec<String> {
    let list = slack
        .client(token)
        .conversations()
        .list()
        .team_id(team)
        .await;
    list.expect("conversations.list")
        .channels
        .into_iter()
        .filter_map(|c| c.name)
        .collect()
}

#[tokio::test]
async fn each_workspace_keeps_its_own_messages_and_names_itself() {
    let slack = FakeSlack::start().await;
    slack.add_team("T0002", "Second Team");
    let app = slack.register_oauth_app(OauthApp::new("1.2", "shh"));
    let second = install(&slack, &app, "T0002").await;
    let first = install(&slack, &app, TEAM_ID).await;
    let mut events = SocketMode::builder()
        .connect(&slack.client("xapp-1-test"))
        .await
        .unwrap();

    let posted = slack
        .client(&second)
        .chat()
        .post_message("C_GENERAL")
        .text("in the second team")
        .await
        .expect("posted");
    assert!(
        texts(&slack, &second, "C_GENERAL")
            .await
            .contains(&"in the second team".to_owned())
    );
    assert!(
        !texts(&slack, &first, "C_GENERAL")
            .await
            .contains(&"in the second team".to_owned())
    );

    // The workspace names itself to its own tokens.
    let who = slack
        .client(&second)
        .auth()
        .test()
        .await
        .expect("auth.test");
    assert_eq!(who.team_id.as_ref().map(|t| t.as_str()), Some("T0002"));
    assert_eq!(who.team.as_deref(), Some("Second Team"));
    assert_eq!(who.url.as_deref(), Some("https://second-team.slack.com/"));
    let link = slack
        .client(&second)
        .chat()
        .get_permalink("C_GENERAL", posted.ts.clone())
        .await
        .expect("permalink");
    assert!(
        link.permalink
            .starts_with("https://second-team.slack.com/archives/C_GENERAL/")
    );

    // What happens there reaches the app as that workspace's event.
    let cb = loop {
        let Some(Ok(SocketModeIncoming::Envelope(e))) = events.next().await else {
            continue;
        };
        if let slack_rtm::socket_mode::Payload::EventsApi(
            slack_api::events::EventsApiPayload::EventCallback(cb),
        ) = e.payload
        {
            break cb;
        }
    };
    assert_eq!(cb.team_id.as_ref().map(|t| t.as_str()), Some("T0002"));
    assert_eq!(cb.event.ts().map(|t| t.as_str()), Some(posted.ts.as_str()));
    events.shutdown().await;

    // A reset empties every workspace; the added ones stay added.
    slack.reset();
    let again = install(&slack, &app, "T0002").await;
    assert!(texts(&slack, &again, "C_GENERAL").await.is_empty());
}

#[tokio::test]
async fn an_org_wide_install_acts_in_the_workspace_a_call_names() {
    let slack = FakeSlack::start().await;
    slack.add_enterprise_team("T0003", "Grid One", "E0001", "Grid Org");
    slack.add_enterprise_team("T0004", "Grid Two", "E0001", "Grid Org");
    let app = slack.register_oauth_app(OauthApp::new("1.2", "shh"));
    let code = code_for(&slack, &app, "E0001").await.expect("a code");
    let got = slack
        .anonymous_client()
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), code)
        .redirect_uri(REDIRECT)
        .await
        .expect("exchanged");
    assert_eq!(got.is_enterprise_install, Some(true));
    assert!(
        got.team.is_none_or(|t| t.id.is_none()),
        "no team for an org-wide install"
    );
    assert_eq!(
        got.enterprise
            .and_then(|e| e.id)
            .map(|e| e.as_str().to_owned())
            .as_deref(),
        Some("E0001")
    );
    let token = got.access_token.expect("a bot token").expose().to_owned();
    assert_eq!(slack.oauth_token_team(&token).as_deref(), Some("E0001"));

    slack
        .client(&token)
        .conversations()
        .create("grid-two-only")
        .team_id("T0004")
        .await
        .expect("created");
    assert!(
        channels(&slack, &token, "T0004")
            .await
            .contains(&"grid-two-only".to_owned())
    );
    assert!(
        !channels(&slack, &token, "T0003")
            .await
            .contains(&"grid-two-only".to_owned())
    );
}
