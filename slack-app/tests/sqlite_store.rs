//! The SQLite store (feature `sqlite`): a real file in a temporary directory.

mod common;

use std::sync::Arc;

use common::apps::*;
use common::store::{concurrent, contract, is_corrupt, team_install};
use slack_app::install::{InstallationKey, InstallationStore, SqliteStore, StoreError};
use slack_testkit::FakeSlack;

#[tokio::test]
async fn keeps_the_contract_in_a_file() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let store = SqliteStore::open(dir.path().join("app.db")).expect("opens");
    contract(&store, "").await;
    concurrent(Arc::new(store), "").await;
}

#[tokio::test]
async fn survives_a_restart_and_migrates_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested.db");
    let store = SqliteStore::open(&path).unwrap();
    assert_eq!(store.schema_version().await.unwrap(), 1);
    store.save(team_install("T1", "xoxb-kept")).await.unwrap();
    drop(store);
    // Two openers at once (two processes starting): one migrates, both work.
    let (a, b) = (
        SqliteStore::open(&path).unwrap(),
        SqliteStore::open(&path).unwrap(),
    );
    assert_eq!(a.schema_version().await.unwrap(), 1, "not migrated twice");
    let key = InstallationKey::Team("T1".into());
    let got = b
        .find(&key)
        .await
        .unwrap()
        .expect("kept across the restart");
    assert_eq!(got.bot.unwrap().token.expose(), "xoxb-kept");
}

#[tokio::test]
async fn a_corrupt_row_is_an_error_naming_the_row_not_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("app.db")).unwrap();
    let cases = [
        (
            "T1",
            "UPDATE slack_installations SET bot_expires_at = 'soon' WHERE install_key = 'T:T1'",
            "bot_expires_at",
        ),
        (
            "T2",
            "UPDATE slack_installations SET is_enterprise_install = 7 WHERE install_key = 'T:T2'",
            "is_enterprise_install",
        ),
        (
            "T3",
            "UPDATE slack_installations SET bot_token = '' WHERE install_key = 'T:T3'",
            "bot_token is empty",
        ),
        (
            "T4",
            "UPDATE slack_installations SET team_id = 'T5' WHERE install_key = 'T:T4'",
            "does not match",
        ),
    ];
    for (team, corruption, says) in cases {
        store
            .save(team_install(team, "xoxb-secret-token"))
            .await
            .unwrap();
        store.execute_batch(corruption).await.unwrap();
        let err = store
            .find(&InstallationKey::Team(team.into()))
            .await
            .expect_err("a corrupt row does not read back");
        assert!(is_corrupt(&err), "{team}: {err:?}");
        assert!(!err.is_retryable());
        let text = format!("{err} {err:?}");
        assert!(
            text.contains(&format!("T:{team}")) && text.contains(says),
            "{team}: {text}"
        );
        assert!(!text.contains("xoxb-secret-token"), "{text}");
        // Installing again replaces the corrupt row.
        store.save(team_install(team, "xoxb-again")).await.unwrap();
        assert!(
            store
                .find(&InstallationKey::Team(team.into()))
                .await
                .unwrap()
                .is_some()
        );
    }
}

#[tokio::test]
async fn a_newer_schema_or_an_unusable_file_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let store = SqliteStore::open(&path).unwrap();
    store
        .execute_batch("INSERT INTO slack_schema_version (version) VALUES (99)")
        .await
        .unwrap();
    drop(store);
    let err = SqliteStore::open(&path).expect_err("newer than this version knows");
    assert!(is_corrupt(&err), "{err}");

    std::fs::write(
        dir.path().join("junk.db"),
        b"not a database at all, not even close....",
    )
    .unwrap();
    let err = SqliteStore::open(dir.path().join("junk.db")).expect_err("not a database");
    assert!(matches!(err, StoreError::Unavailable { .. }), "{err}");
    let err = SqliteStore::open(dir.path().join("no/such/dir/app.db")).expect_err("no directory");
    assert!(err.is_retryable(), "{err}");
}

#[tokio::test]
async fn an_app_on_sqlite_answers_each_workspace_and_acks_a_corrupt_row() {
    let slack = FakeSlack::start().await;
    let dir = tempfile::tempdir().unwrap();
    let store = SqliteStore::open(dir.path().join("app.db")).unwrap();
    store.save(team_install("T1", "xoxb-one")).await.unwrap();
    store.save(team_install("T2", "xoxb-two")).await.unwrap();
    let failures = Failures::default();
    let url = serve(app(&slack, store.clone(), &failures)).await;
    assert_eq!(
        post(&url, &event_callback("T1", None, "Ev1", mention("a")), None).await,
        200
    );
    assert_eq!(
        replies(&slack, 1).await,
        [("re: a".to_owned(), "xoxb-one".to_owned())]
    );

    store
        .execute_batch(
            "UPDATE slack_installations SET bot_expires_at = 'x' WHERE install_key = 'T:T2'",
        )
        .await
        .unwrap();
    // Retrying cannot mend the row: acked, and reported.
    assert_eq!(
        post(&url, &event_callback("T2", None, "Ev2", mention("b")), None).await,
        200
    );
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
    let failures = failures.lock().unwrap().clone();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(
        failures[0].starts_with("store") && failures[0].contains("corrupt row for T:T2"),
        "{failures:?}"
    );
}
