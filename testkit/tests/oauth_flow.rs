//! The OAuth v2 install flow against the fake: authorize redirect, code
//! exchange, one-time codes, token rotation and refresh.

use std::collections::BTreeMap;
use std::time::Duration;

use slack_api::Client;
use slack_testkit::{FakeSlack, OAUTH_AUTHORIZE, OauthApp};

const REDIRECT: &str = "http://127.0.0.1:1/slack/oauth/callback";

/// GETs `url` without following redirects; returns the status and the
/// `Location` header's query, parsed.
async fn visit(url: &str) -> (u16, BTreeMap<String, String>, String) {
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let resp = http.get(url).send().await.expect("loopback");
    let status = resp.status().as_u16();
    let location = resp
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let query = url::Url::parse(&location)
        .map(|u| u.query_pairs().into_owned().collect())
        .unwrap_or_default();
    let body = resp.text().await.unwrap_or_default();
    (
        status,
        query,
        if location.is_empty() { body } else { location },
    )
}

fn code_of(e: &slack_api::Error) -> &str {
    e.api_code()
        .map(|c| c.as_str())
        .unwrap_or("not an API error")
}

async fn authorize(
    slack: &FakeSlack,
    client: &Client,
    app: &OauthApp,
    user_scopes: bool,
) -> String {
    let mut link = client
        .authorize_url(app.client_id())
        .scopes(["chat:write", "channels:read"])
        .redirect_uri(REDIRECT)
        .state("csrf-123");
    if user_scopes {
        link = link.user_scopes(["search:read"]);
    }
    let url = link.to_url();
    assert!(url.starts_with(&slack.oauth_authorize_url()), "{url}");
    let (status, query, location) = visit(&url).await;
    assert_eq!(status, 302);
    assert!(location.starts_with(REDIRECT), "{location}");
    assert_eq!(query.get("state").map(String::as_str), Some("csrf-123"));
    query.get("code").cloned().expect("a code")
}

#[tokio::test]
async fn authorize_redirects_and_the_code_works_once() {
    let slack = FakeSlack::start().await;
    let app = slack.oauth_app();
    let client = slack.anonymous_client();
    let code = authorize(&slack, &client, &app, true).await;

    let installed = client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), &code)
        .redirect_uri(REDIRECT)
        .await
        .expect("exchanged");
    let bot = installed.access_token.clone().expect("bot token");
    let bot = bot.expose();
    assert!(bot.starts_with("xoxb-"), "{bot}");
    assert_eq!(installed.token_type.as_deref(), Some("bot"));
    assert_eq!(installed.scope.as_deref(), Some("chat:write,channels:read"));
    assert_eq!(
        installed.bot_user_id.as_ref().map(|u| u.as_str()),
        Some("U_BOT")
    );
    assert_eq!(installed.refresh_token, None);
    assert_eq!(installed.expires_in, None);
    let team = installed.team.as_ref().expect("team");
    assert_eq!(team.id.as_ref().map(|t| t.as_str()), Some("T0001"));
    let user = installed.authed_user.as_ref().expect("authed_user");
    assert_eq!(user.id.as_deref(), Some("U_ALICE"));
    assert_eq!(user.scope.as_deref(), Some("search:read"));
    let user_token = user.access_token.clone().expect("user token");
    let user_token = user_token.expose();
    assert!(user_token.starts_with("xoxp-"), "{user_token}");

    // The tokens work, each as its own identity.
    let me = slack.client(bot).auth().test().await.expect("auth.test");
    assert_eq!(me.user_id.as_ref().map(|u| u.as_str()), Some("U_BOT"));
    let me = slack
        .client(user_token)
        .auth()
        .test()
        .await
        .expect("auth.test");
    assert_eq!(me.user_id.as_ref().map(|u| u.as_str()), Some("U_ALICE"));

    // Codes are one-time.
    let again = client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), &code)
        .redirect_uri(REDIRECT)
        .await
        .expect_err("used code");
    assert_eq!(code_of(&again), "invalid_code");

    let visits = slack.calls_to(OAUTH_AUTHORIZE);
    assert_eq!(visits.len(), 1);
    assert_eq!(visits[0].status, 302);
    assert_eq!(visits[0].arg("state"), None, "state is not journaled");
}

#[tokio::test]
async fn without_user_scopes_there_is_no_user_token() {
    let slack = FakeSlack::start().await;
    let app = slack.oauth_app();
    let client = slack.anonymous_client();
    let code = authorize(&slack, &client, &app, false).await;
    let installed = client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), &code)
        .redirect_uri(REDIRECT)
        .await
        .expect("exchanged");
    let user = installed.authed_user.expect("authed_user");
    assert_eq!(user.id.as_deref(), Some("U_ALICE"));
    assert_eq!(user.access_token, None);
}

#[tokio::test]
async fn exchange_errors() {
    let slack = FakeSlack::start().await;
    let app = slack.oauth_app();
    let client = slack.anonymous_client();
    let code = authorize(&slack, &client, &app, false).await;
    let oauth = client.oauth();
    let cases = [
        (
            oauth
                .exchange_code("nope", app.client_secret(), &code)
                .redirect_uri(REDIRECT),
            "invalid_client_id",
        ),
        (
            oauth
                .exchange_code(app.client_id(), "wrong", &code)
                .redirect_uri(REDIRECT),
            "bad_client_secret",
        ),
        (
            oauth.exchange_code(app.client_id(), app.client_secret(), &code),
            "bad_redirect_uri",
        ),
        (
            oauth
                .exchange_code(app.client_id(), app.client_secret(), &code)
                .redirect_uri("http://elsewhere/"),
            "bad_redirect_uri",
        ),
        (
            oauth.exchange_code(app.client_id(), app.client_secret(), "1.bogus"),
            "invalid_code",
        ),
        (
            oauth
                .exchange_code(app.client_id(), app.client_secret(), &code)
                .redirect_uri(REDIRECT)
                .grant_type("password"),
            "invalid_grant_type",
        ),
        (
            oauth.refresh_token(app.client_id(), app.client_secret(), "xoxe-1-bogus"),
            "invalid_refresh_token",
        ),
    ];
    for (request, want) in cases {
        let err = request.await.expect_err(want);
        assert_eq!(code_of(&err), want);
    }
    // Failed attempts do not burn the code.
    client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), &code)
        .redirect_uri(REDIRECT)
        .await
        .expect("still valid");
}

#[tokio::test]
async fn credentials_may_come_as_http_basic() {
    let slack = FakeSlack::start().await;
    let app = slack.oauth_app();
    let client = slack.anonymous_client();
    let code = authorize(&slack, &client, &app, false).await;
    let http = reqwest::Client::new();
    let exchange = |secret: &str| {
        http.post(format!("{}oauth.v2.access", slack.api_base_url()))
            .basic_auth(app.client_id(), Some(secret))
            .form(&[("code", code.as_str()), ("redirect_uri", REDIRECT)])
            .send()
    };
    let body: serde_json::Value = exchange("wrong").await.unwrap().json().await.unwrap();
    assert_eq!(body["error"], "bad_client_secret");
    let body: serde_json::Value = exchange(app.client_secret())
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["ok"], true, "{body}");
    assert!(body["access_token"].as_str().unwrap().starts_with("xoxb-"));
}

#[tokio::test]
async fn authorize_page_errors_and_denial() {
    let slack = FakeSlack::start().await;
    let client = slack.anonymous_client();
    let app = slack.register_oauth_app(
        OauthApp::new("42.42", "s3cret").redirect_uri("https://app.example.com/slack/"),
    );

    // Unknown client or a redirect outside the app's list: an error page, no redirect.
    let (status, _, body) =
        visit(&client.authorize_url("9.9").scopes(["chat:write"]).to_url()).await;
    assert_eq!((status, body.as_str()), (400, "invalid_client_id"));
    let (status, _, body) = visit(
        &client
            .authorize_url(app.client_id())
            .scopes(["chat:write"])
            .redirect_uri("https://evil.example.com/")
            .to_url(),
    )
    .await;
    assert_eq!((status, body.as_str()), (400, "bad_redirect_uri"));

    // Without redirect_uri, the app's configured one is used.
    let (status, query, location) = visit(
        &client
            .authorize_url(app.client_id())
            .scopes(["chat:write"])
            .to_url(),
    )
    .await;
    assert_eq!(status, 302);
    assert!(
        location.starts_with("https://app.example.com/slack/"),
        "{location}"
    );
    assert!(query.contains_key("code"));

    // No scopes at all.
    let (status, query, _) =
        visit(&client.authorize_url(app.client_id()).state("s").to_url()).await;
    assert_eq!(status, 302);
    assert_eq!(
        query.get("error").map(String::as_str),
        Some("invalid_scope")
    );

    // The user clicks Cancel.
    slack.register_oauth_app(app.clone().deny(true));
    let (status, query, _) = visit(
        &client
            .authorize_url(app.client_id())
            .scopes(["chat:write"])
            .state("s2")
            .to_url(),
    )
    .await;
    assert_eq!(status, 302);
    assert_eq!(
        query.get("error").map(String::as_str),
        Some("access_denied")
    );
    assert_eq!(query.get("state").map(String::as_str), Some("s2"));
    assert!(!query.contains_key("code"));
}

#[tokio::test]
async fn rotating_tokens_expire_and_refresh() {
    let slack = FakeSlack::start().await;
    let app = slack.register_oauth_app(
        OauthApp::new("7.7", "rotating-secret")
            .token_rotation(true)
            .expires_in(3600),
    );
    let client = slack.anonymous_client();
    let code = authorize(&slack, &client, &app, true).await;
    let installed = client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), &code)
        .redirect_uri(REDIRECT)
        .await
        .expect("exchanged");
    assert_eq!(installed.expires_in, Some(Duration::from_secs(3600)));
    let bot = installed.access_token.clone().expect("token");
    let bot = bot.expose();
    let refresh = installed.refresh_token.clone().expect("refresh token");
    let user = installed.authed_user.clone().expect("authed_user");
    assert!(user.refresh_token.is_some());
    assert_eq!(user.expires_in, Some(Duration::from_secs(3600)));

    slack
        .client(bot)
        .auth()
        .test()
        .await
        .expect("fresh token works");
    assert_eq!(slack.expire_oauth_tokens(), 2);
    let err = slack.client(bot).auth().test().await.expect_err("expired");
    assert_eq!(code_of(&err), "token_expired");

    let renewed = client
        .oauth()
        .refresh_token(app.client_id(), app.client_secret(), &refresh)
        .await
        .expect("refreshed");
    let new_bot = renewed.access_token.clone().expect("new token");
    assert_ne!(new_bot.expose(), bot);
    assert_eq!(renewed.token_type.as_deref(), Some("bot"));
    assert_eq!(renewed.scope.as_deref(), Some("chat:write,channels:read"));
    assert!(renewed.refresh_token.is_some());
    let me = slack
        .client(new_bot.expose())
        .auth()
        .test()
        .await
        .expect("new token works");
    assert_eq!(me.user_id.as_ref().map(|u| u.as_str()), Some("U_BOT"));

    // The user token refreshes to a token acting as the installer.
    let renewed = client
        .oauth()
        .refresh_token(
            app.client_id(),
            app.client_secret(),
            user.refresh_token.unwrap(),
        )
        .await
        .expect("refreshed");
    assert_eq!(renewed.token_type.as_deref(), Some("user"));
    let me = slack
        .client(renewed.access_token.unwrap().expose())
        .auth()
        .test()
        .await
        .expect("user token works");
    assert_eq!(me.user_id.as_ref().map(|u| u.as_str()), Some("U_ALICE"));

    // A refresh token belongs to its app.
    let other = slack.oauth_app();
    let err = client
        .oauth()
        .refresh_token(other.client_id(), other.client_secret(), &refresh)
        .await
        .expect_err("another app's refresh token");
    assert_eq!(code_of(&err), "invalid_refresh_token");
}

#[tokio::test]
async fn legacy_tokens_exchange_once_when_rotation_is_on() {
    let slack = FakeSlack::start().await;
    let plain = slack.oauth_app();
    let err = slack
        .client("xoxb-legacy-1")
        .oauth()
        .v2_exchange(plain.client_id(), plain.client_secret(), "xoxb-legacy-1")
        .await
        .expect_err("no rotation");
    assert_eq!(code_of(&err), "token_rotation_not_enabled");

    let app = slack.register_oauth_app(OauthApp::new("8.8", "x").token_rotation(true));
    let legacy = slack.client("xoxb-legacy-1");
    let fresh = legacy
        .oauth()
        .v2_exchange(app.client_id(), app.client_secret(), "xoxb-legacy-1")
        .await
        .expect("exchanged");
    assert_eq!(fresh.token_type, "bot");
    assert!(fresh.refresh_token.expose().starts_with("xoxe-"));
    assert_eq!(fresh.expires_in, Duration::from_secs(43_200));
    let err = legacy
        .oauth()
        .v2_exchange(app.client_id(), app.client_secret(), "xoxb-legacy-1")
        .await
        .expect_err("twice");
    assert_eq!(code_of(&err), "token_already_exchanged");

    // The legacy token travels as the `token` argument: a client of its own
    // would not send it, since the method takes no bearer token.
    let user = slack
        .client("")
        .oauth()
        .v2_exchange(
            app.client_id(),
            app.client_secret(),
            slack.user_token("U_BOB"),
        )
        .await
        .expect("exchanged");
    assert_eq!(user.token_type, "user");
    let me = slack
        .client(user.access_token.expose())
        .auth()
        .test()
        .await
        .expect("works");
    assert_eq!(me.user_id.as_ref().map(|u| u.as_str()), Some("U_BOB"));
}

#[tokio::test]
async fn reset_forgets_codes_but_keeps_apps() {
    let slack = FakeSlack::start().await;
    let app = slack.register_oauth_app(OauthApp::new("5.5", "y"));
    let client = slack.anonymous_client();
    let code = authorize(&slack, &client, &app, false).await;
    slack.reset();
    let err = client
        .oauth()
        .exchange_code(app.client_id(), app.client_secret(), &code)
        .redirect_uri(REDIRECT)
        .await
        .expect_err("forgotten");
    assert_eq!(code_of(&err), "invalid_code");
    authorize(&slack, &client, &app, false).await;
}

#[tokio::test]
async fn the_manifest_bounds_the_scopes_and_redirects_an_install_asks_for() {
    let manifest = serde_json::from_value(serde_json::json!({
        "oauth_config": {
            "scopes": {"bot": ["chat:write", "channels:read"], "user": ["search:read"]},
            "redirect_urls": [REDIRECT]
        }
    }))
    .expect("a manifest");
    let slack = FakeSlack::builder().app(manifest).start().await;
    let app = slack.oauth_app();
    let client = slack.anonymous_client();
    // What the manifest lists is granted.
    authorize(&slack, &client, &app, true).await;

    // A scope beyond it is refused, back at the app's redirect.
    let url = client
        .authorize_url(app.client_id())
        .scopes(["chat:write", "admin"])
        .redirect_uri(REDIRECT)
        .to_url();
    let (status, query, _) = visit(&url).await;
    assert_eq!(status, 302);
    assert_eq!(
        query.get("error").map(String::as_str),
        Some("invalid_scope")
    );

    // A redirect the manifest does not list is shown on Slack's page.
    let url = client
        .authorize_url(app.client_id())
        .scopes(["chat:write"])
        .redirect_uri("http://elsewhere.example/cb")
        .to_url();
    let (status, _, body) = visit(&url).await;
    assert_eq!((status, body.as_str()), (400, "bad_redirect_uri"));
}
