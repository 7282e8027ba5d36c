//! With a drift hook installed, a successful call reports only what its
//! typed response lacks: the client's own envelope check reports nothing.
//! (Its own binary: the hook is process-wide.)

use std::sync::Mutex;

use serde_json::json;
use slack_api::Client;
use slack_api::drift::{self, DriftReport};
use wiremock::matchers::path;
use wiremock::{Mock, MockServer, ResponseTemplate};

static REPORTS: Mutex<Vec<(String, Vec<String>)>> = Mutex::new(Vec::new());

fn keep(report: &DriftReport) {
    let paths = report
        .findings()
        .iter()
        .map(|f| f.path().to_owned())
        .collect();
    REPORTS
        .lock()
        .unwrap()
        .push((report.target().to_owned(), paths));
}

#[tokio::test]
async fn the_envelope_check_reports_nothing() {
    let server = MockServer::start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "channel": "C1",
            "ts": "1.0",
            "message": {"type": "message", "text": "hi", "ts": "1.0"},
            "colour": "teal"
        })))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token("xoxb-test")
        .api_base_url(format!("{}/api/", server.uri()))
        .build()
        .unwrap();
    drift::set_hook(keep);
    client.chat().post_message("C1").text("hi").await.unwrap();
    drift::clear_hook();
    let reports = REPORTS.lock().unwrap().clone();
    assert!(
        reports
            .iter()
            .all(|(target, _)| !target.contains("Envelope")),
        "the client's envelope was reported: {reports:?}"
    );
    // What the typed response lacks is still reported, once.
    assert_eq!(
        reports,
        [(
            "chat::PostMessageResponse".to_owned(),
            vec!["colour".to_owned()]
        )]
    );
}
