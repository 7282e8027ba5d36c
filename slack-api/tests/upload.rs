//! One-call file upload against the fake Slack: the three steps on the wire,
//! progress, the file shared in the channel, and each step failing.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use slack_api::web::upload::{Progress, UPLOAD_STEP};
use slack_api::{Client, Error};
use slack_testkit::{CredentialKind, FakeSlack, Fault, UPLOAD_METHOD};

/// Bytes that are not all alike, so a reordered or dropped chunk shows.
fn content(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

async fn history(client: &Client, channel: &str) -> Vec<Value> {
    let h = client
        .call("conversations.history", &json!({ "channel": channel }))
        .await
        .expect("history");
    h["messages"].as_array().cloned().unwrap_or_default()
}

fn recorder() -> (
    Arc<Mutex<Vec<Progress>>>,
    impl Fn(Progress) + Send + Sync + 'static,
) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = seen.clone();
    (seen, move |p| sink.lock().unwrap().push(p))
}

#[tokio::test]
async fn upload_reports_progress_and_shares_the_file() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let bytes = content(200_000);
    let (seen, on_progress) = recorder();

    let up = client
        .files()
        .upload("report.csv", bytes.clone())
        .channel("C_GENERAL")
        .title("Weekly report")
        .initial_comment("numbers are in")
        .chunk_size(64 * 1024)
        .on_progress(on_progress)
        .await
        .expect("upload");

    // Progress climbs in steps and ends at 100%.
    let seen = seen.lock().unwrap().clone();
    assert!(seen.len() >= 2, "progress reported per chunk: {seen:?}");
    assert!(seen.windows(2).all(|w| w[0].sent < w[1].sent), "{seen:?}");
    assert!(seen.iter().all(|p| p.total == 200_000));
    let last = seen.last().unwrap();
    assert_eq!(last.sent, 200_000);
    assert!(last.is_done());
    assert_eq!(last.fraction(), 1.0);

    // The bytes arrived intact.
    assert_eq!(slack.uploaded_file(up.id.as_str()), Some(bytes.clone()));
    assert_eq!(up.title.as_deref(), Some("Weekly report"));
    let file = up.file().expect("file in the response");
    assert_eq!(file.name.as_deref(), Some("report.csv"));
    assert_eq!(file.size, Some(200_000));
    assert_eq!(file.mimetype.as_deref(), Some("text/csv"));

    // Shared in the channel as a `file_share` message with the comment.
    let messages = history(&client, "C_GENERAL").await;
    let share = messages
        .iter()
        .find(|m| m["subtype"] == "file_share")
        .expect("a file_share message");
    assert_eq!(share["text"], "numbers are in");
    assert_eq!(share["user"], "U_BOT");
    assert_eq!(share["files"][0]["id"], up.id.as_str());
    assert_eq!(share["files"][0]["title"], "Weekly report");

    // The private URL serves the file to a token holder.
    let url = file.url_private.clone().expect("url_private");
    let got = reqwest::Client::new()
        .get(&url)
        .bearer_auth("xoxb-test")
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().as_ref(), bytes.as_slice());
}

#[tokio::test]
async fn the_three_steps_on_the_wire() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let up = client
        .files()
        .upload("notes.txt", b"hello, file".to_vec())
        .channel("C_DEV")
        .alt_text("some notes")
        .await
        .expect("upload");

    let methods: Vec<String> = slack.calls().into_iter().map(|c| c.method).collect();
    assert_eq!(
        methods,
        [
            "files.getUploadURLExternal",
            UPLOAD_METHOD,
            "files.completeUploadExternal"
        ]
    );

    let reserve = slack.wait_for_call("files.getUploadURLExternal").await;
    assert_eq!(reserve.token_kind, CredentialKind::Bot);
    assert_eq!(reserve.arg("filename"), Some("notes.txt"));
    assert_eq!(reserve.arg("length"), Some("11"));
    assert_eq!(reserve.arg("alt_txt"), Some("some notes"));

    // The pre-signed upload URL gets the raw bytes and no token.
    let upload = slack.wait_for_call(UPLOAD_METHOD).await;
    assert_eq!(upload.http_method, "POST");
    assert_eq!(upload.token_kind, CredentialKind::None);
    assert_eq!(upload.arg("bytes"), Some("11"));
    assert_eq!(upload.arg("content_type"), Some("application/octet-stream"));
    assert_eq!(upload.arg("file_id"), Some(up.id.as_str()));

    let complete = slack.wait_for_call("files.completeUploadExternal").await;
    assert_eq!(complete.arg("channel_id"), Some("C_DEV"));
    assert_eq!(
        complete.json_arg("files"),
        Some(json!([{ "id": up.id.as_str() }]))
    );
    assert!(complete.arg("initial_comment").is_none());
    // Without a title Slack names the file after itself.
    assert_eq!(up.title.as_deref(), Some("notes.txt"));
}

#[tokio::test]
async fn upload_without_channel_stays_private() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let before = history(&client, "C_GENERAL").await.len();
    let up = client
        .files()
        .upload("secret.bin", vec![1u8, 2, 3])
        .await
        .expect("upload");
    assert_eq!(slack.uploaded_file(up.id.as_str()), Some(vec![1, 2, 3]));
    assert!(up.file().unwrap().channels.is_empty());
    assert!(
        slack.calls_to("files.completeUploadExternal")[0]
            .arg("channel_id")
            .is_none()
    );
    assert_eq!(history(&client, "C_GENERAL").await.len(), before);
}

#[tokio::test]
async fn upload_into_a_thread() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let parent = slack
        .post_as_user("U_ALICE", "C_GENERAL", "send me the log")
        .await;
    let up = client
        .files()
        .upload("app.log", b"line 1\nline 2\n".to_vec())
        .channel("C_GENERAL")
        .thread_ts(parent.as_str())
        .initial_comment("here")
        .await
        .expect("upload");
    let replies = client
        .call(
            "conversations.replies",
            &json!({ "channel": "C_GENERAL", "ts": parent }),
        )
        .await
        .expect("replies");
    let reply = &replies["messages"][1];
    assert_eq!(reply["subtype"], "file_share");
    assert_eq!(reply["thread_ts"], parent.as_str());
    assert_eq!(reply["files"][0]["id"], up.id.as_str());
}

#[tokio::test]
async fn complete_fails_when_the_bytes_never_arrived() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let reserved = client
        .files()
        .get_upload_url_external("a.txt", 3)
        .await
        .expect("reserve");
    let id = reserved.file_id;
    let url = reserved.upload_url;
    assert!(url.starts_with(&slack.uri()), "{url} is on the fake");

    let err = client
        .files()
        .complete_upload_external(json!([{ "id": id.as_str() }]))
        .channel_id("C_GENERAL")
        .await
        .unwrap_err();
    assert_eq!(err.api_code().map(|c| c.as_str()), Some("file_not_found"));
    assert_eq!(err.method(), Some("files.completeUploadExternal"));
    assert_eq!(slack.uploaded_file(id.as_str()), None);
    assert!(
        !history(&client, "C_GENERAL")
            .await
            .iter()
            .any(|m| m["subtype"] == "file_share")
    );
}

#[tokio::test]
async fn upload_answered_500_is_an_http_error_and_nothing_is_completed() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    slack.fault(UPLOAD_METHOD, Fault::status(500));
    let err = client
        .files()
        .upload("x.txt", b"abc".to_vec())
        .channel("C_GENERAL")
        .await
        .unwrap_err();
    match &err {
        Error::Http(e) => {
            assert_eq!(e.status, 500);
            assert_eq!(e.method, UPLOAD_STEP);
        }
        other => panic!("expected an HTTP error, got {other:?}"),
    }
    assert!(err.is_retryable());
    assert!(slack.calls_to("files.completeUploadExternal").is_empty());
}

#[tokio::test]
async fn dropped_upload_connection_is_a_transport_error() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    slack.fault(UPLOAD_METHOD, Fault::Reset);
    let err = client
        .files()
        .upload("x.txt", b"abc".to_vec())
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Transport(_)), "{err:?}");
    assert_eq!(err.method(), Some(UPLOAD_STEP));
    assert!(slack.calls_to("files.completeUploadExternal").is_empty());
}

#[tokio::test]
async fn api_errors_of_each_web_api_step_surface() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");

    slack.fault(
        "files.getUploadURLExternal",
        Fault::error("file_uploads_disabled"),
    );
    let err = client
        .files()
        .upload("x.txt", b"abc".to_vec())
        .await
        .unwrap_err();
    assert_eq!(
        err.api_code().map(|c| c.as_str()),
        Some("file_uploads_disabled")
    );
    assert!(slack.calls_to(UPLOAD_METHOD).is_empty());

    // Sharing into an archived channel fails at completion.
    let err = client
        .files()
        .upload("x.txt", b"abc".to_vec())
        .channel("C_ARCHIVED")
        .await
        .unwrap_err();
    assert_eq!(err.api_code().map(|c| c.as_str()), Some("is_archived"));
    assert_eq!(err.method(), Some("files.completeUploadExternal"));
}

#[tokio::test]
async fn invalid_uploads_are_refused_before_sending() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let cases = [
        client.files().upload("empty.txt", Vec::new()),
        client.files().upload("  ", b"x".to_vec()),
        client
            .files()
            .upload("a.txt", b"x".to_vec())
            .thread_ts("1700000001.000100"),
        client
            .files()
            .upload("a.txt", b"x".to_vec())
            .initial_comment("hi"),
    ];
    for req in cases {
        let shown = format!("{req:?}");
        let err = req.await.unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{shown}: {err:?}");
    }
    assert!(slack.calls().is_empty());
}

#[tokio::test]
async fn the_fake_takes_multipart_uploads_and_guards_downloads() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let reserved = client
        .files()
        .get_upload_url_external("pic.png", 4)
        .await
        .expect("reserve");
    let id = reserved.file_id;
    let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"filename\"\r\n\r\npic.png\r\n\
--XyZ\r\nContent-Disposition: form-data; name=\"file\"; filename=\"pic.png\"\r\n\
Content-Type: image/png\r\n\r\n\x89PNG\r\n--XyZ--\r\n"
        .to_vec();
    let http = reqwest::Client::new();
    let sent = http
        .post(reserved.upload_url)
        .header("content-type", "multipart/form-data; boundary=XyZ")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(sent.status(), 200);
    assert_eq!(sent.text().await.unwrap(), "OK - 4");
    assert_eq!(slack.uploaded_file(id.as_str()), Some(b"\x89PNG".to_vec()));

    let done = client
        .files()
        .complete_upload_external(json!([{ "id": id.as_str(), "title": "A picture" }]))
        .await
        .expect("complete");
    let file = &done.files[0];
    assert_eq!(file.title.as_deref(), Some("A picture"));
    assert_eq!(file.mimetype.as_deref(), Some("image/png"));
    let url = file.url_private.clone().expect("url_private");
    assert_eq!(http.get(&url).send().await.unwrap().status(), 403);
    let got = http
        .get(&url)
        .bearer_auth("xoxb-test")
        .send()
        .await
        .unwrap();
    assert_eq!(got.bytes().await.unwrap().as_ref(), b"\x89PNG");

    // Completing twice finds nothing left to complete.
    let again = client
        .files()
        .complete_upload_external(json!([{ "id": id.as_str() }]))
        .await
        .unwrap_err();
    assert_eq!(again.api_code().map(|c| c.as_str()), Some("file_not_found"));
}

#[tokio::test]
async fn a_slow_upload_times_out() {
    let slack = FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    slack.fault(
        UPLOAD_METHOD,
        Fault::delay(std::time::Duration::from_secs(5)),
    );
    let err = client
        .files()
        .upload("x.txt", b"abc".to_vec())
        .timeout(std::time::Duration::from_millis(100))
        .await
        .unwrap_err();
    match &err {
        Error::Transport(e) => assert!(e.is_timeout(), "{e:?}"),
        other => panic!("expected a timeout, got {other:?}"),
    }
    assert_eq!(err.method(), Some(UPLOAD_STEP));
}

/// The bytes go out through the API client's own HTTP client, so its
/// settings (here the `User-Agent`; equally a proxy) apply to them too.
#[tokio::test]
async fn the_upload_uses_the_clients_http_settings() {
    use wiremock::matchers::{header, method, path};
    use wiremock::{Mock, MockServer, ResponseTemplate};

    let server = MockServer::start().await;
    let ok = |body: Value| ResponseTemplate::new(200).set_body_json(body);
    Mock::given(path("/api/files.getUploadURLExternal"))
        .respond_with(ok(json!({
            "ok": true,
            "file_id": "F1",
            "upload_url": format!("{}/upload/F1", server.uri()),
        })))
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .and(path("/upload/F1"))
        .and(header("user-agent", "notes-bot/2.0"))
        .respond_with(ResponseTemplate::new(200))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/files.completeUploadExternal"))
        .respond_with(ok(
            json!({"ok": true, "files": [{"id": "F1", "title": "n.txt"}]}),
        ))
        .mount(&server)
        .await;

    let client = Client::builder()
        .token("xoxb-test")
        .api_base_url(format!("{}/api/", server.uri()))
        .user_agent("notes-bot/2.0")
        .build()
        .expect("client");
    let up = client
        .files()
        .upload("n.txt", b"hi".to_vec())
        .await
        .expect("upload");
    assert_eq!(up.id.as_str(), "F1");
    // `expect(1)` on the upload mock is checked when the server drops.
}
