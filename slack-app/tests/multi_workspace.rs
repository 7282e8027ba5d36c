//! End to end, many workspaces: two workspaces install the app through its
//! OAuth routes (redirects followed by reqwest, as a browser would), both
//! get replies with their own tokens, one rotates its token, one
//! uninstalls; and what goes wrong in the install flow is shown to the
//! person, never a 500.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::apps::{SECRET, event_callback, mention, post};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use reqwest::redirect::Policy;
use serde_json::json;
use slack_api::events::AppMentionEvent;
use slack_app::install::{
    INSTALL_PATH, InstallationKey, InstallationStore, MemoryStore, OauthSettings, REDIRECT_PATH,
};
use slack_app::{App, Context};
use slack_testkit::{FakeSlack, OauthApp, TEAM_ID};

const CLIENT_ID: &str = "1111.2222";
const CLIENT_SECRET: &str = "e2e-client-secret";
const SECOND: &str = "T0002";

struct Setup {
    slack: FakeSlack,
    /// The app's root, `http://127.0.0.1:port`.
    base: String,
    store: Arc<dyn InstallationStore>,
}

/// The fake with two workspaces and a rotating OAuth app; our app on
/// `store`, answering mentions, its Request URL given to the fake.
async fn setup(store: Arc<dyn InstallationStore>) -> Setup {
    setup_with(store, &[]).await
}

/// [`setup`], the install also asking for `user_scopes`; a mention by a
/// person who authorized them is answered `user <id>` after `auth.test`
/// with their token.
async fn setup_with(store: Arc<dyn InstallationStore>, user_scopes: &[&str]) -> Setup {
    let slack = FakeSlack::builder().signing_secret(SECRET).start().await;
    slack.add_team(SECOND, "Second Team");
    slack.register_oauth_app(
        OauthApp::new(CLIENT_ID, CLIENT_SECRET)
            .token_rotation(true)
            .expires_in(3600),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let clock = slack.clock();
    let app = App::new(slack.anonymous_client())
        .installations(store.clone())
        .oauth(
            OauthSettings::new(CLIENT_ID, CLIENT_SECRET)
                .scopes(["chat:write", "app_mentions:read"])
                .user_scopes(user_scopes.iter().copied())
                .redirect_uri(format!("{base}{REDIRECT_PATH}")),
        )
        .clock(move || clock.now())
        .event::<AppMentionEvent>(|cx: Context<AppMentionEvent>| async move {
            if let Some(user) = cx.user_client() {
                let me = user.auth().test().await?;
                let id = me
                    .user_id
                    .map(|u| u.as_str().to_owned())
                    .unwrap_or_default();
                cx.say(format!("user {id}")).await?;
                return Ok(());
            }
            let team = cx
                .team_id()
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default();
            cx.say(format!("hello {team}")).await?;
            Ok(())
        });
    let router = app.into_router(SECRET);
    tokio::spawn(async move { axum::serve(listener, router).await });
    slack.set_app(
        serde_json::from_value(serde_json::json!({
            "display_information": {"name": "multi"},
            "oauth_config": {"scopes": {"bot": ["chat:write", "app_mentions:read"], "user": user_scopes}},
            "settings": {"event_subscriptions": {"request_url": format!("{base}/slack/events"), "bot_events": ["app_mention"]}}
        }))
        .unwrap(),
    );
    Setup { slack, base, store }
}

/// The start of an install: the app's install link answers with the
/// state cookie and a redirect to Slack's authorize page.
async fn start_install(base: &str, team: &str) -> (String, String) {
    let resp = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(format!("{base}{INSTALL_PATH}?team={team}"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302);
    let cookie = resp.headers()[SET_COOKIE].to_str().unwrap().to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    let cookie = cookie.split(';').next().unwrap().to_owned();
    let authorize = resp.headers()[LOCATION].to_str().unwrap().to_owned();
    (cookie, authorize)
}

/// The person approves on Slack's page: where Slack sends them back.
async fn approve(authorize: &str) -> String {
    let resp = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap()
        .get(authorize)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 302, "the authorize page redirects");
    resp.headers()[LOCATION].to_str().unwrap().to_owned()
}

/// GETs `url` as the browser holding `cookie` for the app, following
/// redirects (by hand: reqwest drops a `Cookie` header on a redirect to
/// another origin, and the fake's authorize page is on another port).
async fn browse(url: &str, cookie: Option<&str>) -> (u16, String) {
    let client = reqwest::Client::builder()
        .redirect(Policy::none())
        .build()
        .unwrap();
    let mut url = url.to_owned();
    for _ in 0..5 {
        let mut req = client.get(&url);
        if let Some(c) = cookie {
            req = req.header(COOKIE, c);
        }
        let resp = req.send().await.unwrap();
        let status = resp.status().as_u16();
        if (300..400).contains(&status) {
            url = resp.headers()[LOCATION].to_str().unwrap().to_owned();
            continue;
        }
        return (status, resp.text().await.unwrap());
    }
    panic!("too many redirects from {url}");
}

/// The whole flow in one browser: install link, authorize page, callback.
async fn install(base: &str, team: &str) -> (u16, String) {
    let (cookie, authorize) = start_install(base, team).await;
    // The browser follows Slack's redirect back to the app with its cookie.
    browse(&authorize, Some(&cookie)).await
}

fn bot_token(inst: &slack_app::install::Installation) -> String {
    inst.bot.as_ref().unwrap().token.expose().to_owned()
}

async fn installed(store: &Arc<dyn InstallationStore>, team: &str) -> Option<String> {
    let key = InstallationKey::Team(team.into());
    store.find(&key).await.unwrap().map(|i| bot_token(&i))
}

async fn replies_with(slack: &FakeSlack, text: &str, n: usize) -> Vec<String> {
    for _ in 0..250 {
        let tokens: Vec<String> = slack
            .calls_to("chat.postMessage")
            .iter()
            .filter(|c| c.arg("text") == Some(text))
            .map(|c| c.token().unwrap_or("").to_owned())
            .collect();
        if tokens.len() >= n {
            return tokens;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!(
        "no {n} replies {text:?}: {:?}",
        slack.calls_to("chat.postMessage")
    );
}

/// Token refreshes for workspace `team`.
fn refreshes(slack: &FakeSlack, team: &str) -> usize {
    slack
        .calls_to("oauth.v2.access")
        .iter()
        .filter(|c| c.arg("grant_type") == Some("refresh_token"))
        .filter(|c| c.response["team"]["id"] == team)
        .count()
}

async fn two_workspaces_install_rotate_and_uninstall(store: Arc<dyn InstallationStore>) {
    let Setup { slack, base, store } = setup(store).await;
    for team in [TEAM_ID, SECOND] {
        let (status, page) = install(&base, team).await;
        assert_eq!(status, 200, "{page}");
        assert!(page.contains("The app is installed in"), "{page}");
    }
    let first = installed(&store, TEAM_ID).await.expect("first installed");
    let second = installed(&store, SECOND).await.expect("second installed");
    assert_ne!(first, second);
    assert_eq!(slack.oauth_token_team(&first).as_deref(), Some(TEAM_ID));
    assert_eq!(slack.oauth_token_team(&second).as_deref(), Some(SECOND));

    // Both get their events, and answer with their own tokens.
    slack.push_team_event(TEAM_ID, mention("<@U_BOT> hi"));
    slack.push_team_event(SECOND, mention("<@U_BOT> hi"));
    assert_eq!(
        replies_with(&slack, &format!("hello {TEAM_ID}"), 1).await,
        std::slice::from_ref(&first)
    );
    assert_eq!(
        replies_with(&slack, &format!("hello {SECOND}"), 1).await,
        std::slice::from_ref(&second)
    );

    // An hour later the tokens have expired: the second workspace's is
    // refreshed once, though five handlers need it at the same moment.
    slack.clock().advance(Duration::from_secs(3600));
    let url = format!("{base}/slack/events");
    let posts: Vec<_> = (0..5)
        .map(|i| {
            let url = url.clone();
            tokio::spawn(async move {
                let body = event_callback(SECOND, None, &format!("EvRot{i}"), mention("again"));
                post(&url, &body, None).await
            })
        })
        .collect();
    for p in posts {
        assert_eq!(p.await.unwrap(), 200);
    }
    let rotated = installed(&store, SECOND).await.expect("still installed");
    assert_ne!(rotated, second, "a new token, saved");
    assert_eq!(slack.oauth_token_team(&rotated).as_deref(), Some(SECOND));
    let tokens = replies_with(&slack, &format!("hello {SECOND}"), 6).await;
    assert!(tokens[1..].iter().all(|t| *t == rotated), "{tokens:?}");
    assert_eq!(
        refreshes(&slack, SECOND),
        1,
        "one refresh for five handlers"
    );
    assert!(
        slack
            .calls_to("chat.postMessage")
            .iter()
            .all(|c| c.error() != Some("token_expired")),
        "no call went out with an expired token"
    );

    // The first workspace uninstalls: its installation is gone, the other stays.
    slack.push_team_event(TEAM_ID, json!({"type": "app_uninstalled"}));
    for _ in 0..100 {
        if installed(&store, TEAM_ID).await.is_none() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(installed(&store, TEAM_ID).await.is_none(), "rows deleted");
    assert!(installed(&store, SECOND).await.is_some());
    let before = slack.calls_to("chat.postMessage").len();
    slack.push_team_event(TEAM_ID, mention("<@U_BOT> still there?"));
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        slack.calls_to("chat.postMessage").len(),
        before,
        "no reply once uninstalled"
    );
}

#[tokio::test]
async fn two_workspaces_in_memory() {
    two_workspaces_install_rotate_and_uninstall(Arc::new(MemoryStore::new())).await;
}

#[cfg(feature = "sqlite")]
#[tokio::test]
async fn two_workspaces_in_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let store = slack_app::install::SqliteStore::open(dir.path().join("app.db")).unwrap();
    two_workspaces_install_rotate_and_uninstall(Arc::new(store)).await;
}

/// An install across an Enterprise Grid organization: one installation,
/// kept under the organization, answers events of each of its workspaces.
#[tokio::test]
async fn an_org_wide_install_answers_every_workspace_of_the_organization() {
    let Setup { slack, base, store } = setup(Arc::new(MemoryStore::new())).await;
    slack.add_enterprise_team("T0003", "Grid One", "E0001", "Grid Org");
    slack.add_enterprise_team("T0004", "Grid Two", "E0001", "Grid Org");
    let (status, page) = install(&base, "E0001").await;
    assert_eq!(status, 200, "{page}");
    assert!(page.contains("installed in Grid Org"), "{page}");
    let org = store
        .find(&InstallationKey::Enterprise("E0001".into()))
        .await
        .unwrap()
        .expect("an org-wide installation");
    assert!(org.is_enterprise_install);
    assert!(
        installed(&store, "T0003").await.is_none(),
        "no per-team rows"
    );
    let token = bot_token(&org);

    slack.push_team_event("T0003", mention("<@U_BOT> hi"));
    slack.push_team_event("T0004", mention("<@U_BOT> hi"));
    assert_eq!(
        replies_with(&slack, "hello T0003", 1).await,
        std::slice::from_ref(&token)
    );
    assert_eq!(
        replies_with(&slack, "hello T0004", 1).await,
        std::slice::from_ref(&token)
    );
}

/// A person's rotating user token is refreshed before it is used, as the
/// bot's is, and handlers reach it through `user_client`.
#[tokio::test]
async fn a_user_token_is_refreshed_and_handed_to_the_handler() {
    let Setup { slack, base, store } =
        setup_with(Arc::new(MemoryStore::new()), &["search:read"]).await;
    let (status, page) = install(&base, SECOND).await;
    assert_eq!(status, 200, "{page}");
    let key = InstallationKey::Team(SECOND.into());
    let first = store.find(&key).await.unwrap().expect("installed");
    let person = first.users.first().expect("a user token").clone();
    assert_eq!(person.user_id.as_str(), "U_ALICE");
    assert!(person.refresh_token.is_some() && person.expires_at.is_some());

    slack.clock().advance(Duration::from_secs(3600));
    slack.push_team_event(SECOND, mention("<@U_BOT> who am I?"));
    let tokens = replies_with(&slack, "user U_ALICE", 1).await;
    let now = store.find(&key).await.unwrap().expect("still installed");
    let renewed = now.user_token(&person.user_id).expect("the user token");
    assert_ne!(renewed.token, person.token, "a new user token, saved");
    assert_ne!(
        tokens[0],
        bot_token(&first),
        "the reply used the new bot token"
    );
    assert_eq!(tokens[0], bot_token(&now));
    let checks = slack.calls_to("auth.test");
    assert_eq!(checks.len(), 1);
    assert_eq!(checks[0].token(), Some(renewed.token.expose()));
    assert!(checks[0].error().is_none(), "{:?}", checks[0].response);
}

/// Bad input to the install flow: each a page saying what to do, no 500.
#[tokio::test]
async fn the_install_flow_refuses_what_it_must_and_says_why() {
    let Setup { slack, base, store } = setup(Arc::new(MemoryStore::new())).await;
    let check = |(status, page): (u16, String), want: u16, says: &str| {
        assert_eq!(status, want, "{page}");
        assert!(page.contains(says), "{says:?} not in {page}");
        assert!(
            !page.contains("xox") && !page.contains(CLIENT_SECRET),
            "{page}"
        );
    };

    // Replayed: a callback URL works once.
    let (cookie, authorize) = start_install(&base, TEAM_ID).await;
    let callback = approve(&authorize).await;
    check(browse(&callback, Some(&cookie)).await, 200, "installed");
    check(
        browse(&callback, Some(&cookie)).await,
        400,
        "expired or was already used",
    );

    // Forwarded to another browser: no cookie, refused.
    let (cookie, authorize) = start_install(&base, SECOND).await;
    let callback = approve(&authorize).await;
    check(browse(&callback, None).await, 400, "another browser");
    check(
        browse(&callback, Some("slack_app_oauth_state=someone-else")).await,
        400,
        "another browser",
    );
    // The right browser still can.
    check(browse(&callback, Some(&cookie)).await, 200, "Second Team");

    // Expired: the person took longer than the state's lifetime.
    let (cookie, authorize) = start_install(&base, TEAM_ID).await;
    let callback = approve(&authorize).await;
    slack.clock().advance(Duration::from_secs(601));
    check(browse(&callback, Some(&cookie)).await, 400, "expired");

    // No code, a made-up code, no state.
    let (cookie, authorize) = start_install(&base, TEAM_ID).await;
    let callback = approve(&authorize).await;
    let state = url::Url::parse(&callback)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "state")
        .map(|(_, v)| v.into_owned())
        .unwrap();
    let no_code = format!("{base}{REDIRECT_PATH}?state={state}");
    check(browse(&no_code, Some(&cookie)).await, 400, "no code");
    let (cookie, _) = start_install(&base, TEAM_ID).await;
    let state = cookie.split_once('=').unwrap().1.to_owned();
    let bad_code = format!("{base}{REDIRECT_PATH}?state={state}&code=made-up");
    check(browse(&bad_code, Some(&cookie)).await, 400, "invalid_code");
    check(
        browse(&format!("{base}{REDIRECT_PATH}"), None).await,
        400,
        "missing its state",
    );

    // The person clicks Cancel on Slack's page.
    slack.register_oauth_app(
        OauthApp::new(CLIENT_ID, CLIENT_SECRET)
            .token_rotation(true)
            .deny(true),
    );
    check(install(&base, TEAM_ID).await, 200, "cancelled");
    // A workspace Slack does not know: its page says so, nothing reaches the app.
    let (_, authorize) = start_install(&base, "T_NOPE").await;
    check(browse(&authorize, None).await, 400, "invalid_team");

    let key = InstallationKey::Team(SECOND.into());
    assert!(store.find(&key).await.unwrap().is_some());
}
