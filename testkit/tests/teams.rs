//! Several workspaces on one fake: installs per workspace (and in an
//! Enterprise Grid organization), tokens that know their workspace, and
//! events delivered as coming from one.

use std::collections::BTreeMap;
use std::time::Duration;

use slack_rtm::socket_mode::{Incoming, SocketMode};
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
        if let Some(Ok(Incoming::Envelope(e))) = events.next().await {
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
