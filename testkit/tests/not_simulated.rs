//! A method of the spec that the fake neither simulates nor has a fixture
//! for answers `testkit_not_simulated`, naming it; a fixture answers it.

use serde_json::json;
use slack_testkit::{FakeSlack, Fixture};

fn canvas_fixture(args: serde_json::Value) -> Fixture {
    Fixture::from_json(
        &json!({
            "version": 1,
            "method": "canvases.create",
            "match": {"args": args},
            "response": {"body": {"ok": true, "canvas_id": "F_CANVAS"}}
        })
        .to_string(),
    )
    .unwrap()
}

#[tokio::test]
async fn an_unsimulated_method_without_a_fixture_says_which_and_fails_verify() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let err = client.canvases().create().title("Plan").await.unwrap_err();
    let slack_api::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.code_str(), "testkit_not_simulated");
    let msg = api.messages().first().cloned().unwrap_or_default();
    assert!(msg.contains("`canvases.create`"), "{msg}");
    assert!(msg.contains("fixture"), "{msg}");
    assert!(err.to_string().contains("canvases.create"), "{err}");
    // The raw body names the method too, for clients in other languages.
    let raw = client
        .call("calls.info", &json!({"id": "R1"}))
        .await
        .unwrap_err();
    assert!(raw.to_string().contains("calls.info"), "{raw}");
    let call = slack.wait_for_call("calls.info").await;
    assert_eq!(call.source, "not_simulated");

    let problems = slack.problems();
    assert_eq!(problems.len(), 2, "{problems:?}");
    assert!(
        problems[0].contains("does not simulate `canvases.create`"),
        "{problems:?}"
    );
    slack.reset();
    assert!(slack.problems().is_empty());

    // Simulated methods and names Slack does not have are answered as before.
    assert!(client.auth().test().await.is_ok());
    let unknown = client.call("canvases.nope", &json!({})).await.unwrap_err();
    assert!(unknown.to_string().contains("unknown_method"), "{unknown}");
}

#[tokio::test]
async fn a_fixture_answers_an_unsimulated_method_and_a_near_miss_names_it() {
    let slack = FakeSlack::builder()
        .fixture(canvas_fixture(json!({"title": "Plan"})))
        .start()
        .await;
    let client = slack.client("xoxb-test");
    let made = client.canvases().create().title("Plan").await.unwrap();
    assert_eq!(made.canvas_id, "F_CANVAS");
    // A fixture for the method exists but does not match: the nearest one
    // and the difference, as for any fixture miss.
    let err = client.canvases().create().title("Other").await.unwrap_err();
    let slack_api::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.code_str(), "testkit_no_fixture");
    slack.reset();

    // Added at run time, a fixture answers too.
    slack.add_fixture(canvas_fixture(json!({"title": "Later"})));
    assert!(client.canvases().create().title("Later").await.is_ok());
    slack.verify().await;
}

#[tokio::test]
async fn replay_mode_still_reports_a_missing_fixture() {
    let slack = FakeSlack::builder().simulate(false).start().await;
    let err = slack.client("xoxb-test").auth().test().await.unwrap_err();
    let slack_api::Error::Api(api) = &err else {
        panic!("expected an API error, got {err:?}");
    };
    assert_eq!(api.code_str(), "testkit_no_fixture");
    slack.reset();
}
