//! The PostgreSQL store (feature `postgres`), against a real server named
//! by `DATABASE_URL`. Without it these tests print a note and pass, except
//! under `POSTGRES_REQUIRED=1` (CI), where they fail.

mod common;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use common::apps::*;
use common::store::{concurrent, contract, is_corrupt, team_install};
use slack_app::install::{InstallationKey, InstallationStore, PostgresStore};
use slack_testkit::FakeSlack;

/// The server's URL, or `None` (after saying so) when there is none.
fn database_url(test: &str) -> Option<String> {
    match std::env::var("DATABASE_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("POSTGRES_REQUIRED").as_deref() == Ok("1") => {
            panic!("{test}: POSTGRES_REQUIRED=1 but DATABASE_URL is not set")
        }
        _ => {
            // Straight to stderr: the test harness would swallow eprintln!'s.
            use std::io::Write as _;
            let _ = writeln!(
                std::io::stderr(),
                "note: {test} skipped: set DATABASE_URL to a PostgreSQL database to run it"
            );
            None
        }
    }
}

/// Keys of this run, apart from other runs on the same database.
fn prefix() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    format!("P{}x{nanos}x", std::process::id())
}

#[tokio::test]
async fn keeps_the_contract() {
    let Some(url) = database_url("keeps_the_contract") else {
        return;
    };
    let store = PostgresStore::connect(&url).await.expect("connects");
    contract(&store, &prefix()).await;
    concurrent(Arc::new(store), &prefix()).await;
}

#[tokio::test]
async fn instances_starting_together_migrate_once() {
    let Some(url) = database_url("instances_starting_together_migrate_once") else {
        return;
    };
    let (a, b) = tokio::join!(PostgresStore::connect(&url), PostgresStore::connect(&url));
    let (a, b) = (a.expect("first"), b.expect("second"));
    assert_eq!(a.schema_version().await.unwrap(), 1);
    assert_eq!(b.schema_version().await.unwrap(), 1);
    let shown = format!("{a:?}");
    assert!(
        !shown.contains("password") && !shown.contains(&url),
        "{shown}"
    );
}

#[tokio::test]
async fn a_corrupt_row_is_an_error_naming_the_row() {
    let Some(url) = database_url("a_corrupt_row_is_an_error_naming_the_row") else {
        return;
    };
    let store = PostgresStore::connect(&url).await.unwrap();
    let team = format!("{}T1", prefix());
    let key = InstallationKey::Team(team.as_str().into());
    for (corruption, says) in [
        ("is_enterprise_install = 7", "is_enterprise_install"),
        ("bot_token = ''", "bot_token is empty"),
    ] {
        store
            .save(team_install(&team, "xoxb-secret-token"))
            .await
            .unwrap();
        store
            .execute_batch(&format!(
                "UPDATE slack_installations SET {corruption} WHERE install_key = 'T:{team}'"
            ))
            .await
            .unwrap();
        let err = store.find(&key).await.expect_err("corrupt");
        assert!(is_corrupt(&err), "{err:?}");
        let text = format!("{err} {err:?}");
        assert!(
            text.contains(says) && !text.contains("xoxb-secret-token"),
            "{text}"
        );
    }
}

#[tokio::test]
async fn an_unreachable_server_is_unavailable() {
    // Nothing listens on port 1: refused at once, whatever DATABASE_URL says.
    let err = PostgresStore::connect("postgres://app:secret-pw@127.0.0.1:1/app")
        .await
        .expect_err("nothing listens there");
    assert!(err.is_retryable(), "{err}");
    let text = format!("{err} {err:?}");
    assert!(!text.contains("secret-pw"), "{text}");
    let err = PostgresStore::connect("postgres://app:secret-pw@[not a url")
        .await
        .expect_err("does not parse");
    assert!(!format!("{err} {err:?}").contains("secret-pw"));
}

/// Two app instances share one PostgreSQL: an event delivered to the
/// first and its retry delivered to the second run the handler once.
#[tokio::test]
async fn a_retry_on_another_instance_runs_the_handler_once() {
    let Some(url) = database_url("a_retry_on_another_instance_runs_the_handler_once") else {
        return;
    };
    let slack = FakeSlack::start().await;
    let p = prefix();
    let team = format!("{p}T1");
    let (one, two) = (
        PostgresStore::connect(&url).await.unwrap(),
        PostgresStore::connect(&url).await.unwrap(),
    );
    one.save(team_install(&team, "xoxb-shared")).await.unwrap();
    let failures = Failures::default();
    let first = serve(app(&slack, one, &failures)).await;
    let second = serve(app(&slack, two, &failures)).await;
    let body = event_callback(&team, None, &format!("{p}Ev"), mention("once"));
    assert_eq!(post(&first, &body, None).await, 200);
    assert_eq!(post(&second, &body, Some(1)).await, 200);
    assert_eq!(
        replies(&slack, 1).await,
        [("re: once".to_owned(), "xoxb-shared".to_owned())]
    );
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1, "handled once");
    assert!(
        failures.lock().unwrap().is_empty(),
        "{:?}",
        failures.lock().unwrap()
    );
}
