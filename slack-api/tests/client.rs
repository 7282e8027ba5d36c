//! Wire-level tests of the client against a loopback HTTP server.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};
use slack_api::error::{ErrorCode, PaginationErrorKind, TransportErrorKind};
use slack_api::web::retry::BoxFuture;
use slack_api::web::retry::{RetryPolicy, Sleeper};
use slack_api::{Client, Error, Secret};
use wiremock::matchers::{body_json, body_string, header, method, path, query_param};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

const TOKEN: &str = "xoxb-1111-2222-supersecret";

/// Records requested waits and returns at once.
#[derive(Debug, Default)]
struct RecordingSleeper(Mutex<Vec<Duration>>);

impl RecordingSleeper {
    fn waits(&self) -> Vec<Duration> {
        self.0.lock().unwrap().clone()
    }
}

impl Sleeper for RecordingSleeper {
    fn sleep(&self, d: Duration) -> BoxFuture<'static, ()> {
        self.0.lock().unwrap().push(d);
        Box::pin(async {})
    }
}

async fn setup() -> (MockServer, Client, Arc<RecordingSleeper>) {
    let server = MockServer::builder().start().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("{}/api/", server.uri()))
        .sleeper(sleeper.clone())
        .retry_policy(
            RetryPolicy::default()
                .jitter(0.0)
                .base_backoff(Duration::from_millis(10)),
        )
        .build()
        .unwrap();
    (server, client, sleeper)
}

fn ok(body: Value) -> ResponseTemplate {
    ResponseTemplate::new(200).set_body_json(body)
}

#[tokio::test]
async fn post_message_sends_json_with_bearer_token() {
    let (server, client, _) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .and(header("content-type", "application/json; charset=utf-8"))
        .and(body_json(
            json!({"channel": "C1", "text": "Hello", "thread_ts": "1700000000.000100"}),
        ))
        .respond_with(ok(
            json!({"ok": true, "channel": "C1", "ts": "1700000001.000200"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let sent = client
        .chat()
        .post_message("C1")
        .text("Hello")
        .thread_ts("1700000000.000100")
        .await
        .unwrap();
    assert_eq!(sent.channel, "C1");
    assert_eq!(sent.ts, "1700000001.000200");
    let req = &server.received_requests().await.unwrap()[0];
    assert!(!req.url.as_str().contains("supersecret"));
}

#[tokio::test]
async fn get_methods_put_arguments_in_the_query() {
    let (server, client, _) = setup().await;
    Mock::given(method("GET"))
        .and(path("/api/users.info"))
        .and(query_param("user", "U1"))
        .and(header("authorization", format!("Bearer {TOKEN}").as_str()))
        .respond_with(ok(json!({"ok": true, "user": {"id": "U1", "name": "ann"}})))
        .expect(1)
        .mount(&server)
        .await;
    let resp = client.users().info("U1").await.unwrap();
    let user = resp.user.expect("user");
    assert_eq!(user.id.as_str(), "U1");
    let req = &server.received_requests().await.unwrap()[0];
    assert!(req.body.is_empty());
}

#[tokio::test]
async fn escape_hatch_posts_a_form_for_unknown_methods() {
    let (server, client, _) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/some.newMethod"))
        .and(header("content-type", "application/x-www-form-urlencoded"))
        .and(body_string(
            "blocks=%5B%7B%22type%22%3A%22divider%22%7D%5D&flag=true&users=U1%2CU2&x=1",
        ))
        .respond_with(ok(json!({"ok": true, "answer": 42})))
        .expect(1)
        .mount(&server)
        .await;
    let raw = client
        .call(
            "some.newMethod",
            &json!({"x": 1, "users": ["U1", "U2"], "blocks": [{"type": "divider"}], "flag": true, "none": null}),
        )
        .await
        .unwrap();
    assert_eq!(raw["answer"], 42);
}

#[tokio::test]
async fn escape_hatch_uses_the_spec_for_known_methods() {
    let (server, client, _) = setup().await;
    Mock::given(method("POST"))
        .and(path("/api/chat.postMessage"))
        .and(body_json(
            json!({"channel": "C1", "blocks": [{"type": "divider"}]}),
        ))
        .respond_with(ok(json!({"ok": true, "channel": "C1", "ts": "1.2"})))
        .expect(1)
        .mount(&server)
        .await;
    let raw: Value = client
        .call(
            "chat.postMessage",
            &json!({"channel": "C1", "blocks": [{"type": "divider"}]}),
        )
        .await
        .unwrap();
    assert_eq!(raw["ts"], "1.2");
}

#[tokio::test]
async fn rate_limit_waits_retry_after_then_succeeds() {
    let (server, client, sleeper) = setup().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "7"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(json!({"ok": true, "channel": "C1", "ts": "1.2"})))
        .mount(&server)
        .await;
    let sent = client.chat().post_message("C1").text("hi").await.unwrap();
    assert_eq!(sent.ts, "1.2");
    assert_eq!(sleeper.waits(), [Duration::from_secs(7)]);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);
}

#[tokio::test]
async fn rate_limit_gives_up_after_max_retries() {
    let (server, client, sleeper) = setup().await;
    Mock::given(path("/api/users.info"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "1"))
        .mount(&server)
        .await;
    let err = client.users().info("U1").await.unwrap_err();
    match &err {
        Error::RateLimited(r) => {
            assert_eq!(r.retry_after, Some(Duration::from_secs(1)));
            assert_eq!(r.retries, 3);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.is_retryable());
    assert_eq!(sleeper.waits().len(), 3);
}

#[tokio::test]
async fn server_errors_are_retried_only_when_safe() {
    let (server, client, sleeper) = setup().await;
    Mock::given(path("/api/users.info"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(2)
        .mount(&server)
        .await;
    Mock::given(path("/api/users.info"))
        .respond_with(ok(json!({"ok": true, "user": {"id": "U1"}})))
        .mount(&server)
        .await;
    client.users().info("U1").await.unwrap();
    assert_eq!(
        sleeper.waits(),
        [Duration::from_millis(10), Duration::from_millis(20)]
    );

    // chat.postMessage is not retry_safe: one attempt, then an HTTP error.
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(500).set_body_string("oops"))
        .mount(&server)
        .await;
    let err = client
        .chat()
        .post_message("C1")
        .text("once")
        .await
        .unwrap_err();
    match &err {
        Error::Http(h) => assert_eq!(
            (h.status, h.retries, h.body_excerpt.as_str()),
            (500, 0, "oops")
        ),
        other => panic!("{other:?}"),
    }
    let posts = server
        .received_requests()
        .await
        .unwrap()
        .into_iter()
        .filter(|r: &Request| r.url.path() == "/api/chat.postMessage")
        .count();
    assert_eq!(posts, 1);
    assert_eq!(sleeper.waits().len(), 2);
}

#[tokio::test]
async fn timeouts_are_transport_errors() {
    let server = MockServer::builder().start().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(json!({"ok": true})).set_delay(Duration::from_secs(5)))
        .mount(&server)
        .await;
    let client = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("{}/api/", server.uri()))
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let err = client
        .chat()
        .post_message("C1")
        .text("x")
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => {
            assert_eq!(t.kind, TransportErrorKind::Timeout);
            assert_eq!(t.retries, 0, "chat.postMessage must not be repeated");
        }
        other => panic!("{other:?}"),
    }
    assert!(std::error::Error::source(&err).is_some());
}

#[tokio::test]
async fn connect_failures_are_retried_even_for_unsafe_methods() {
    // Bind and drop a listener to get a closed loopback port.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("http://127.0.0.1:{port}/api/"))
        .sleeper(sleeper.clone())
        .retry_policy(RetryPolicy::default().max_retries(2).jitter(0.0))
        .build()
        .unwrap();
    let err = client
        .chat()
        .post_message("C1")
        .text("x")
        .await
        .unwrap_err();
    match &err {
        Error::Transport(t) => assert_eq!((t.kind, t.retries), (TransportErrorKind::Connect, 2)),
        other => panic!("{other:?}"),
    }
    assert_eq!(sleeper.waits().len(), 2);
}

#[tokio::test]
async fn three_pages_follow_the_cursor() {
    let (server, client, _) = setup().await;
    let page = |ids: &[&str], next: &str| {
        ok(json!({
            "ok": true,
            "channels": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
            "response_metadata": {"next_cursor": next}
        }))
    };
    Mock::given(path("/api/conversations.list"))
        .and(query_param("cursor", "c2"))
        .respond_with(page(&["C3"], "c3"))
        .mount(&server)
        .await;
    Mock::given(path("/api/conversations.list"))
        .and(query_param("cursor", "c3"))
        .respond_with(page(&["C4", "C5"], ""))
        .mount(&server)
        .await;
    Mock::given(path("/api/conversations.list"))
        .and(query_param("limit", "2"))
        .respond_with(page(&["C1", "C2"], "c2"))
        .with_priority(10)
        .mount(&server)
        .await;
    let ids: Vec<String> = client
        .conversations()
        .list()
        .limit(2)
        .items()
        .try_collect()
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.id.map(String::from).unwrap_or_default())
        .collect();
    assert_eq!(ids, ["C1", "C2", "C3", "C4", "C5"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn pagination_ends_a_cursor_cycle_with_an_error_and_stops_after_an_error() {
    let (server, client, _) = setup().await;
    Mock::given(path("/api/conversations.list"))
        .respond_with(ok(json!({"ok": true, "channels": [{"id": "C1"}], "response_metadata": {"next_cursor": "same"}})))
        .mount(&server)
        .await;
    let mut pages = client.conversations().list().pages();
    assert!(matches!(pages.next().await, Some(Ok(_))));
    assert!(matches!(pages.next().await, Some(Ok(_))));
    // The second page repeats the cursor: the stream says so, then ends.
    match pages.next().await {
        Some(Err(Error::Pagination(e))) => {
            assert_eq!(e.kind, PaginationErrorKind::CursorCycle);
            assert_eq!((e.method.as_str(), e.pages), ("conversations.list", 2));
        }
        other => panic!("expected a cursor-cycle error, got {other:?}"),
    }
    assert!(pages.next().await.is_none());
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    server.reset().await;
    Mock::given(path("/api/conversations.list"))
        .respond_with(ok(json!({"ok": false, "error": "invalid_cursor"})))
        .mount(&server)
        .await;
    let mut items = client.conversations().list().items();
    assert!(matches!(items.next().await, Some(Err(Error::Api(_)))));
    assert!(items.next().await.is_none());
}

/// A `files.list` page: its files and `paging`.
fn files_page(ids: &[&str], page: i64, pages: i64) -> ResponseTemplate {
    ok(json!({
        "ok": true,
        "files": ids.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        "paging": {"count": 2, "page": page, "pages": pages, "total": 5}
    }))
}

fn file_ids(files: Vec<slack_api::types::File>) -> Vec<String> {
    files
        .into_iter()
        .map(|f| f.id.map(String::from).unwrap_or_default())
        .collect()
}

#[tokio::test]
async fn three_pages_follow_the_page_number_until_the_last() {
    let (server, client, _) = setup().await;
    Mock::given(path("/api/files.list"))
        .and(query_param("page", "2"))
        .respond_with(files_page(&["F3", "F4"], 2, 3))
        .mount(&server)
        .await;
    Mock::given(path("/api/files.list"))
        .and(query_param("page", "3"))
        .respond_with(files_page(&["F5"], 3, 3))
        .mount(&server)
        .await;
    // The first request names no page; a fourth would get page 1 again.
    Mock::given(path("/api/files.list"))
        .and(query_param("count", "2"))
        .respond_with(files_page(&["F1", "F2"], 1, 3))
        .with_priority(10)
        .mount(&server)
        .await;
    let files = client
        .files()
        .list()
        .count(2)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(file_ids(files), ["F1", "F2", "F3", "F4", "F5"]);
    let pages: Vec<Option<String>> = server
        .received_requests()
        .await
        .unwrap()
        .iter()
        .map(|r| {
            r.url
                .query_pairs()
                .find(|(k, _)| k == "page")
                .map(|(_, v)| v.into_owned())
        })
        .collect();
    assert_eq!(pages, [None, Some("2".into()), Some("3".into())]);
}

#[tokio::test]
async fn page_numbers_stop_at_an_empty_page_a_missing_page_count_and_a_repeated_page() {
    let (server, client, _) = setup().await;
    // Says there are 9 pages, but page 2 is empty: the stream ends there.
    Mock::given(path("/api/files.list"))
        .and(query_param("page", "2"))
        .respond_with(files_page(&[], 2, 9))
        .mount(&server)
        .await;
    Mock::given(path("/api/files.list"))
        .respond_with(files_page(&["F1"], 1, 9))
        .with_priority(10)
        .mount(&server)
        .await;
    let pages = client.files().list().pages().try_collect().await.unwrap();
    assert_eq!(pages.len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 2);

    // No `pages`: no telling whether there are more, so one page.
    server.reset().await;
    Mock::given(path("/api/files.list"))
        .respond_with(ok(
            json!({"ok": true, "files": [{"id": "F1"}], "paging": {"page": 1}}),
        ))
        .mount(&server)
        .await;
    let files = client.files().list().items().try_collect().await.unwrap();
    assert_eq!(file_ids(files), ["F1"]);
    assert_eq!(server.received_requests().await.unwrap().len(), 1);

    // A server that answers page 1 whatever it is asked: asking for page 2
    // a second time is a cycle.
    server.reset().await;
    Mock::given(path("/api/files.list"))
        .respond_with(files_page(&["F1"], 1, 3))
        .mount(&server)
        .await;
    let mut pages = client.files().list().pages();
    assert!(matches!(pages.next().await, Some(Ok(_))));
    assert!(matches!(pages.next().await, Some(Ok(_))));
    match pages.next().await {
        Some(Err(Error::Pagination(e))) => {
            assert_eq!(e.kind, PaginationErrorKind::CursorCycle);
            assert_eq!((e.method.as_str(), e.pages), ("files.list", 2));
        }
        other => panic!("expected a cycle error, got {other:?}"),
    }
    assert!(pages.next().await.is_none());

    // Starting at a later page goes on from there.
    server.reset().await;
    Mock::given(path("/api/files.list"))
        .and(query_param("page", "3"))
        .respond_with(files_page(&["F5"], 3, 3))
        .mount(&server)
        .await;
    let files = client
        .files()
        .list()
        .page(3)
        .items()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(file_ids(files), ["F5"]);
}

/// A server that hands out a fresh cursor on every page, forever.
struct EndlessCursors(std::sync::atomic::AtomicUsize);

impl wiremock::Respond for EndlessCursors {
    fn respond(&self, _: &wiremock::Request) -> ResponseTemplate {
        let n = self.0.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        ResponseTemplate::new(200).set_body_json(json!({
            "ok": true,
            "channels": [{"id": format!("C{n}")}],
            "response_metadata": {"next_cursor": format!("cursor-{n}")}
        }))
    }
}

#[tokio::test]
async fn pagination_stops_at_its_page_limit_with_an_error() {
    let (server, client, _) = setup().await;
    Mock::given(path("/api/conversations.list"))
        .respond_with(EndlessCursors(Default::default()))
        .mount(&server)
        .await;
    let err = client
        .conversations()
        .list()
        .items()
        .max_pages(25)
        .try_collect()
        .await
        .unwrap_err();
    match err {
        Error::Pagination(e) => {
            assert_eq!(e.kind, PaginationErrorKind::PageLimit);
            assert_eq!(e.pages, 25);
            assert!(e.to_string().contains("conversations.list"), "{e}");
        }
        other => panic!("expected a page-limit error, got {other}"),
    }
    assert_eq!(server.received_requests().await.unwrap().len(), 25);
    // The default limit is there without asking.
    assert_eq!(slack_api::web::paginate::DEFAULT_MAX_PAGES, 10_000);
}

#[tokio::test]
async fn api_errors_carry_typed_codes() {
    let (server, client, _) = setup().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(json!({
            "ok": false, "error": "channel_not_found", "warning": "missing_charset",
            "needed": "chat:write", "provided": "users:read",
            "response_metadata": {"messages": ["[ERROR] bad channel"]}
        })))
        .mount(&server)
        .await;
    let err = client
        .chat()
        .post_message("C404")
        .text("x")
        .await
        .unwrap_err();
    let Error::Api(api) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(api.code(), &ErrorCode::ChannelNotFound);
    assert_eq!(api.method(), "chat.postMessage");
    assert_eq!(api.warnings(), ["missing_charset"]);
    assert_eq!(
        (api.needed(), api.provided()),
        (Some("chat:write"), Some("users:read"))
    );
    assert_eq!(api.messages(), ["[ERROR] bad channel"]);
    assert!(!err.is_retryable());
    assert_eq!(
        err.to_string(),
        "`chat.postMessage` failed: channel_not_found (needs `chat:write`, token has `users:read`): [ERROR] bad channel"
    );

    Mock::given(path("/api/users.info"))
        .respond_with(ok(json!({"ok": false, "error": "brand_new_error"})))
        .mount(&server)
        .await;
    let err = client.users().info("U1").await.unwrap_err();
    assert_eq!(
        err.api_code(),
        Some(&ErrorCode::Unknown("brand_new_error".into()))
    );
}

#[tokio::test]
async fn warnings_stay_reachable_on_success() {
    let (server, client, _) = setup().await;
    Mock::given(path("/api/some.method"))
        .respond_with(ok(json!({"ok": true, "warning": "superfluous_charset",
            "response_metadata": {"warnings": ["superfluous_charset", "other"]}})))
        .mount(&server)
        .await;
    let spec = slack_api::spec::method("chat.postMessage").unwrap();
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(
            json!({"ok": true, "channel": "C1", "ts": "1.0", "warning": "missing_charset"}),
        ))
        .mount(&server)
        .await;
    let mut args = slack_api::web::request::Args::new();
    args.push("channel", "C1");
    let raw = client.execute_raw_response(spec, args).await.unwrap();
    assert_eq!(raw.warnings, ["missing_charset"]);
    let v = client.call("some.method", &json!({})).await.unwrap();
    assert_eq!(v["warning"], "superfluous_charset");
}

#[tokio::test]
async fn malformed_json_is_a_decode_error_with_a_path() {
    let (server, client, _) = setup().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(
            json!({"ok": true, "channel": ["not", "an", "id"], "ts": "1.0"}),
        ))
        .mount(&server)
        .await;
    let err = client
        .chat()
        .post_message("C1")
        .text("x")
        .await
        .unwrap_err();
    let Error::Decode(d) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(d.path(), "channel");
    assert_eq!(d.method(), Some("chat.postMessage"));

    Mock::given(path("/api/users.info"))
        .respond_with(ResponseTemplate::new(200).set_body_string("{\"ok\": true, \"user\": {"))
        .mount(&server)
        .await;
    let err = client.users().info("U1").await.unwrap_err();
    assert!(matches!(err, Error::Decode(_)), "{err:?}");
    assert!(!err.is_retryable());
}

#[tokio::test]
async fn builder_validates_configuration() {
    for bad in [
        "https://slack.com/",
        "not a url",
        "ftp://x/api/",
        "https://slack.com/api",
    ] {
        let err = Client::builder().api_base_url(bad).build().unwrap_err();
        assert!(matches!(err, Error::InvalidRequest(_)), "{bad}: {err:?}");
    }
    assert!(
        Client::builder()
            .api_base_url("http://127.0.0.1:9/x/api/")
            .build()
            .is_ok()
    );
    let anon = Client::anonymous();
    let err = anon.chat().post_message("C1").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
    let err = Client::new(TOKEN)
        .call("bad/name", &json!({}))
        .await
        .unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn observer_sees_every_attempt_without_the_token() {
    let server = MockServer::builder().start().await;
    let seen = Arc::new(Mutex::new(Vec::new()));
    let seen2 = seen.clone();
    let client = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("{}/api/", server.uri()))
        .sleeper(Arc::new(RecordingSleeper::default()))
        .observer(move |x| {
            seen2.lock().unwrap().push((
                x.method.to_owned(),
                x.http_method,
                x.status,
                x.attempt,
                String::from_utf8_lossy(x.request_body).into_owned(),
                String::from_utf8_lossy(x.response_body).into_owned(),
                x.authenticated,
            ));
        })
        .build()
        .unwrap();
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(json!({"ok": true, "channel": "C1", "ts": "1.0"})))
        .mount(&server)
        .await;
    client.chat().post_message("C1").text("t").await.unwrap();
    let seen = seen.lock().unwrap();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[0].2, Some(429));
    assert_eq!(seen[1].2, Some(200));
    assert_eq!(seen[1].3, 1);
    assert_eq!(seen[1].1, "POST");
    assert_eq!(seen[1].4, r#"{"channel":"C1","text":"t"}"#);
    assert!(seen[1].6);
    assert!(!format!("{seen:?}").contains("supersecret"));
}

#[tokio::test]
async fn client_side_rate_limit_holds_calls_back() {
    let server = MockServer::builder().start().await;
    let sleeper = Arc::new(RecordingSleeper::default());
    let client = Client::builder()
        .token(TOKEN)
        .api_base_url(format!("{}/api/", server.uri()))
        .sleeper(sleeper.clone())
        .rate_limit(true)
        .build()
        .unwrap();
    // oauth.v2.exchange... any tier1 method would do; find one in the table.
    let tier1 = slack_api::spec::METHODS
        .iter()
        .find(|m| m.tier == Some(slack_api::spec::RateTier::Tier1))
        .expect("a tier 1 method");
    Mock::given(path(format!("/api/{}", tier1.name)))
        .respond_with(ok(json!({"ok": true})))
        .mount(&server)
        .await;
    client.call(tier1.name, &json!({})).await.unwrap();
    assert!(sleeper.waits().is_empty());
    client.call(tier1.name, &json!({})).await.unwrap();
    let waits = sleeper.waits();
    assert_eq!(waits.len(), 1);
    assert!(waits[0] > Duration::from_secs(50), "{waits:?}");
    // Another token has its own budget.
    client
        .with_token("xoxb-other")
        .call(tier1.name, &json!({}))
        .await
        .unwrap();
    assert_eq!(sleeper.waits().len(), 1);
}

#[tokio::test]
async fn oauth_install_flow() {
    let server = MockServer::builder().start().await;
    let client = Client::builder()
        .api_base_url(format!("{}/api/", server.uri()))
        .oauth_authorize_url("https://example.test/oauth/v2/authorize")
        .build()
        .unwrap();
    let url = client
        .authorize_url("123.456")
        .scopes(["chat:write", "channels:read"])
        .user_scopes(["search:read"])
        .redirect_uri("https://app.test/cb?x=1")
        .state("s t")
        .to_url();
    assert_eq!(
        url,
        "https://example.test/oauth/v2/authorize?client_id=123.456&scope=chat%3Awrite%2Cchannels%3Aread\
         &user_scope=search%3Aread&redirect_uri=https%3A%2F%2Fapp.test%2Fcb%3Fx%3D1&state=s+t"
    );

    Mock::given(method("POST"))
        .and(path("/api/oauth.v2.access"))
        .and(body_string("client_id=123.456&client_secret=shh&code=abc"))
        .respond_with(ok(
            json!({"ok": true, "app_id": "A1", "access_token": "xoxb-new", "team": {"id": "T1"}}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    // Even a client holding a token sends none to a method that takes
    // client credentials instead.
    let installed = client
        .with_token("xoxb-some-bot-token")
        .oauth()
        .exchange_code("123.456", "shh", "abc")
        .await
        .unwrap();
    assert_eq!(
        installed.access_token.as_ref().map(Secret::expose),
        Some("xoxb-new")
    );
    assert!(!format!("{installed:?}").contains("xoxb-new"));
    let req = &server.received_requests().await.unwrap()[0];
    assert!(!req.headers.contains_key("authorization"));

    Mock::given(path("/api/oauth.v2.access"))
        .and(body_string(
            "client_id=123.456&client_secret=shh&grant_type=refresh_token&refresh_token=xoxe-1",
        ))
        .respond_with(ok(
            json!({"ok": true, "app_id": "A1", "access_token": "xoxb-rotated", "refresh_token": "xoxe-2"}),
        ))
        .expect(1)
        .mount(&server)
        .await;
    let refreshed = client
        .oauth()
        .refresh_token("123.456", "shh", "xoxe-1")
        .await
        .unwrap();
    assert_eq!(
        refreshed.access_token.as_ref().map(Secret::expose),
        Some("xoxb-rotated")
    );
    let shown = format!("{refreshed:?}");
    assert!(
        !shown.contains("xoxb-rotated") && !shown.contains("xoxe-2"),
        "{shown}"
    );
}

#[tokio::test]
async fn one_question_answers_was_this_rate_limiting() {
    let (server, client, _) = setup().await;
    let client = client.with_token(TOKEN);
    for code in ["rate_limited", "ratelimited", "ratelimit"] {
        server.reset().await;
        Mock::given(path("/api/chat.postMessage"))
            .respond_with(ok(json!({"ok": false, "error": code})))
            .mount(&server)
            .await;
        let err = client.chat().post_message("C1").await.unwrap_err();
        assert!(err.is_rate_limited(), "{code}: {err}");
        assert!(err.api_code().unwrap().is_rate_limited());
    }
    // The 429 path, once retries run out.
    server.reset().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ResponseTemplate::new(429).insert_header("retry-after", "0"))
        .mount(&server)
        .await;
    let err = client.chat().post_message("C1").await.unwrap_err();
    assert!(matches!(err, Error::RateLimited(_)) && err.is_rate_limited());
    // And not for anything else.
    server.reset().await;
    Mock::given(path("/api/chat.postMessage"))
        .respond_with(ok(json!({"ok": false, "error": "channel_not_found"})))
        .mount(&server)
        .await;
    assert!(
        !client
            .chat()
            .post_message("C1")
            .await
            .unwrap_err()
            .is_rate_limited()
    );
}
