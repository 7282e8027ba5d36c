//! Many workspaces: the installation store, and the app resolving each
//! delivery's token from it before acking, over HTTP and Socket Mode.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

use serde_json::json;
use slack_api::Secret;
use slack_api::events::TokensRevokedEvent;
use slack_api::web::retry::BoxFuture;
use slack_app::Context;
use slack_app::install::{
    BotToken, Installation, InstallationKey, InstallationStore, MemoryStore, StoreError,
    StoreResult, UserToken,
};
use slack_testkit::FakeSlack;

mod common;

use common::apps::*;
use common::store::{concurrent, contract, team_install};

/// A store that can be taken down or slowed, in front of a memory store.
#[derive(Default)]
struct Flaky {
    inner: MemoryStore,
    down: AtomicBool,
    slow: AtomicBool,
    /// Keeps no record of events, as a store relying on the trait's default.
    no_claims: AtomicBool,
    finds: AtomicUsize,
}

impl Flaky {
    fn gate<'a, T: Send + 'a>(
        &'a self,
        f: impl FnOnce() -> BoxFuture<'a, StoreResult<T>> + Send + 'a,
    ) -> BoxFuture<'a, StoreResult<T>> {
        Box::pin(async move {
            if self.slow.load(Ordering::SeqCst) {
                tokio::time::sleep(Duration::from_secs(5)).await;
            }
            if self.down.load(Ordering::SeqCst) {
                return Err(StoreError::unavailable(
                    "connecting",
                    std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused"),
                ));
            }
            f().await
        })
    }
}

impl InstallationStore for Flaky {
    fn save(&self, i: Installation) -> BoxFuture<'_, StoreResult<()>> {
        self.gate(move || self.inner.save(i))
    }
    fn find(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<Option<Installation>>> {
        self.finds.fetch_add(1, Ordering::SeqCst);
        let key = key.clone();
        self.gate(move || Box::pin(async move { self.inner.find(&key).await }))
    }
    fn delete(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<bool>> {
        let key = key.clone();
        self.gate(move || Box::pin(async move { self.inner.delete(&key).await }))
    }
    fn delete_bot(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<()>> {
        let key = key.clone();
        self.gate(move || Box::pin(async move { self.inner.delete_bot(&key).await }))
    }
    fn delete_user(
        &self,
        key: &InstallationKey,
        user: &slack_api::ids::UserId,
    ) -> BoxFuture<'_, StoreResult<()>> {
        let (key, user) = (key.clone(), user.clone());
        self.gate(move || Box::pin(async move { self.inner.delete_user(&key, &user).await }))
    }
    fn issue_state(&self, s: &str, at: SystemTime) -> BoxFuture<'_, StoreResult<()>> {
        let s = s.to_owned();
        self.gate(move || Box::pin(async move { self.inner.issue_state(&s, at).await }))
    }
    fn consume_state(&self, s: &str, now: SystemTime) -> BoxFuture<'_, StoreResult<bool>> {
        let s = s.to_owned();
        self.gate(move || Box::pin(async move { self.inner.consume_state(&s, now).await }))
    }
    fn claim_event(
        &self,
        id: &str,
        now: SystemTime,
        until: SystemTime,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        let id = id.to_owned();
        if self.no_claims.load(Ordering::SeqCst) {
            return Box::pin(async { Ok(true) });
        }
        self.gate(move || Box::pin(async move { self.inner.claim_event(&id, now, until).await }))
    }
}

#[tokio::test]
async fn memory_store_keeps_the_contract() {
    contract(&MemoryStore::new(), "").await;
    concurrent(Arc::new(MemoryStore::new()), "").await;
}

#[tokio::test]
async fn each_workspace_gets_its_own_token() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(MemoryStore::new());
    store.save(team_install("T1", "xoxb-one")).await.unwrap();
    store.save(team_install("T2", "xoxb-two")).await.unwrap();
    let mut org = Installation::for_enterprise("E1");
    org.bot = Some(BotToken::new("xoxb-org"));
    store.save(org).await.unwrap();
    let failures = Failures::default();
    let url = serve(app(&slack, store.clone(), &failures)).await;

    let cases = [
        ("T1", None, "one"),
        ("T2", None, "two"),
        // A workspace of an organization with an org-wide install.
        ("T9", Some("E1"), "org"),
    ];
    for (i, (team, org, text)) in cases.iter().enumerate() {
        let body = event_callback(team, *org, &format!("Ev{i}"), mention(text));
        assert_eq!(post(&url, &body, None).await, 200);
    }
    let mut got = replies(&slack, 3).await;
    got.sort();
    assert_eq!(
        got,
        [
            ("re: one".to_owned(), "xoxb-one".to_owned()),
            ("re: org".to_owned(), "xoxb-org".to_owned()),
            ("re: two".to_owned(), "xoxb-two".to_owned()),
        ]
    );

    // A workspace that never installed: acked, reported, nothing sent.
    let body = event_callback("T404", None, "Ev9", mention("who?"));
    assert_eq!(post(&url, &body, None).await, 200);
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 3);
    let failures = failures.lock().unwrap().clone();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("not_installed") && failures[0].contains("T404"),
        "{failures:?}"
    );
}

#[tokio::test]
async fn a_store_that_cannot_answer_gets_503_and_the_retry_is_handled_once() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(Flaky::default());
    store.save(team_install("T1", "xoxb-one")).await.unwrap();
    let failures = Failures::default();
    let url =
        serve(app(&slack, store.clone(), &failures).store_timeout(Duration::from_millis(200)))
            .await;
    let body = event_callback("T1", None, "EvDown", mention("hello"));

    store.down.store(true, Ordering::SeqCst);
    assert_eq!(post(&url, &body, None).await, 503, "down");
    store.down.store(false, Ordering::SeqCst);
    store.slow.store(true, Ordering::SeqCst);
    assert_eq!(post(&url, &body, Some(1)).await, 503, "timed out");
    store.slow.store(false, Ordering::SeqCst);
    assert_eq!(post(&url, &body, Some(2)).await, 200, "back");
    assert_eq!(post(&url, &body, Some(3)).await, 200, "a redelivery");
    let got = replies(&slack, 1).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1, "{got:?}");

    let failures = failures.lock().unwrap().clone();
    assert_eq!(failures.len(), 2, "{failures:?}");
    assert!(
        failures.iter().all(|f| f.starts_with("store")),
        "{failures:?}"
    );
    assert!(failures[1].contains("200ms"), "{failures:?}");
    assert!(
        failures.iter().all(|f| !f.contains("xoxb-one")),
        "no token in errors: {failures:?}"
    );
}

#[tokio::test]
async fn two_instances_sharing_a_store_run_a_retried_event_once() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(MemoryStore::new());
    store.save(team_install("T1", "xoxb-one")).await.unwrap();
    let failures = Failures::default();
    let first = serve(app(&slack, store.clone(), &failures)).await;
    let second = serve(app(&slack, store.clone(), &failures)).await;
    let body = event_callback("T1", None, "EvTwice", mention("once"));
    assert_eq!(post(&first, &body, None).await, 200);
    assert_eq!(post(&second, &body, Some(1)).await, 200);
    replies(&slack, 1).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
}

#[tokio::test]
async fn uninstall_and_revoked_tokens_delete_rows() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(MemoryStore::new());
    let mut one = team_install("T1", "xoxb-one");
    one.users.push(UserToken::new("U1", "xoxp-u1"));
    one.users.push(UserToken::new("U2", "xoxp-u2"));
    store.save(one).await.unwrap();
    store.save(team_install("T2", "xoxb-two")).await.unwrap();
    let failures = Failures::default();
    let revoked = Arc::new(AtomicUsize::new(0));
    let seen = revoked.clone();
    let app = app(&slack, store.clone(), &failures).event::<TokensRevokedEvent>(
        move |_cx: Context<TokensRevokedEvent>| {
            let seen = seen.clone();
            async move {
                seen.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        },
    );
    let url = serve(app).await;

    let revoke = json!({"type": "tokens_revoked", "tokens": {"oauth": ["U1"], "bot": []}});
    assert_eq!(
        post(&url, &event_callback("T1", None, "Ev1", revoke), None).await,
        200
    );
    let key = InstallationKey::Team("T1".into());
    let got = store.find(&key).await.unwrap().expect("kept");
    let users: Vec<&str> = got.users.iter().map(|u| u.user_id.as_str()).collect();
    assert_eq!(users, ["U2"]);
    assert!(got.bot.is_some());

    let revoke = json!({"type": "tokens_revoked", "tokens": {"oauth": [], "bot": ["U_BOT"]}});
    assert_eq!(
        post(&url, &event_callback("T1", None, "Ev2", revoke), None).await,
        200
    );
    assert!(store.find(&key).await.unwrap().expect("kept").bot.is_none());

    let gone = json!({"type": "app_uninstalled"});
    assert_eq!(
        post(&url, &event_callback("T1", None, "Ev3", gone), None).await,
        200
    );
    assert!(store.find(&key).await.unwrap().is_none());
    let other = InstallationKey::Team("T2".into());
    assert!(
        store.find(&other).await.unwrap().is_some(),
        "other teams stay"
    );
    // Listeners still see what was revoked.
    for _ in 0..50 {
        if revoked.load(Ordering::SeqCst) == 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert_eq!(revoked.load(Ordering::SeqCst), 2);
    assert!(
        failures.lock().unwrap().is_empty(),
        "{:?}",
        failures.lock().unwrap()
    );
}

#[tokio::test]
async fn over_socket_mode_an_unanswered_store_holds_the_ack_until_redelivery() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(Flaky::default());
    store.save(team_install("T1", "xoxb-one")).await.unwrap();
    store.down.store(true, Ordering::SeqCst);
    let failures = Failures::default();
    let app = app(&slack, store.clone(), &failures);
    let running = tokio::spawn(app.socket_mode("xapp-1-test").run());
    slack.wait_for_socket_mode_clients(1).await;

    let id = slack.push_envelope(
        "events_api",
        event_callback("T1", None, "EvSock", mention("over the socket")),
        false,
    );
    // Down: no ack, and the fake redelivers after a second.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        slack.pending_envelopes(),
        1,
        "not acked while the store is down"
    );
    assert!(slack.calls_to("chat.postMessage").is_empty());
    assert!(
        failures
            .lock()
            .unwrap()
            .iter()
            .any(|f| f.starts_with("store")),
        "{:?}",
        failures.lock().unwrap()
    );

    store.down.store(false, Ordering::SeqCst);
    slack.wait_for_all_acks().await;
    let got = replies(&slack, 1).await;
    assert_eq!(
        got,
        [("re: over the socket".to_owned(), "xoxb-one".to_owned())]
    );
    let _ = id;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1, "handled once");
    running.abort();
}

#[test]
fn secrets_stay_out_of_debug() {
    let mut i = team_install("T1", "xoxb-very-secret");
    i.users
        .push(UserToken::new("U1", Secret::new("xoxp-very-secret")));
    let shown = format!("{i:?}");
    assert!(!shown.contains("very-secret"), "{shown}");
    let settings = slack_app::install::OauthSettings::new("123.456", "client-very-secret");
    assert!(!format!("{settings:?}").contains("very-secret"));
}

#[tokio::test]
async fn the_install_routes_answer_503_while_the_store_is_down() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(Flaky::default());
    store.down.store(true, Ordering::SeqCst);
    let failures = Failures::default();
    let app = app(&slack, store.clone(), &failures)
        .oauth(slack_app::install::OauthSettings::new("1.2", "shh").scopes(["chat:write"]));
    let events = serve(app).await;
    let base = events.trim_end_matches(slack_app::http::EVENTS_PATH);
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    for path in ["/slack/install", "/slack/oauth_redirect?state=abc&code=x"] {
        let resp = http
            .get(format!("{base}{path}"))
            .header("cookie", "slack_app_oauth_state=abc")
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status().as_u16(), 503, "{path}");
        let page = resp.text().await.unwrap();
        assert!(
            page.contains("Try again in a moment") && !page.contains("refused"),
            "{page}"
        );
    }
}

#[tokio::test]
async fn a_store_without_event_records_still_drops_a_redelivery_to_the_same_instance() {
    let slack = FakeSlack::start().await;
    let store = Arc::new(Flaky::default());
    store.no_claims.store(true, Ordering::SeqCst);
    store.save(team_install("T1", "xoxb-one")).await.unwrap();
    let failures = Failures::default();
    let url = serve(app(&slack, store.clone(), &failures)).await;
    let body = event_callback("T1", None, "EvLocal", mention("local"));
    assert_eq!(post(&url, &body, None).await, 200);
    assert_eq!(post(&url, &body, Some(1)).await, 200);
    replies(&slack, 1).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
}
