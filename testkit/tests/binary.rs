//! The standalone `fake-slack` binary and its admin API.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use serde_json::{Value, json};

struct Server {
    child: Child,
    info: Value,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-slack"))
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fake-slack");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let info = serde_json::from_str(&line).expect("first line is JSON");
    Server { child, info }
}

#[tokio::test]
async fn admin_api_drives_the_fake() {
    let server = start(&["--port", "0", "--seed", "0"]);
    let api = server.info["api"].as_str().unwrap().to_string();
    let admin = server.info["admin"].as_str().unwrap().to_string();
    assert!(api.ends_with("/api/"));
    let http = reqwest::Client::new();
    let post = |url: String, body: Value| {
        let http = http.clone();
        async move { http.post(url).json(&body).send().await.unwrap() }
    };

    // A person posts; the bot reads it over the Web API.
    let resp = post(
        format!("{admin}message"),
        json!({"user": "U_ALICE", "channel": "C_GENERAL", "text": "hi bot"}),
    )
    .await;
    assert_eq!(resp.status(), 200);
    let hist: Value = http
        .get(format!("{api}conversations.history?channel=C_GENERAL"))
        .bearer_auth("xoxb-1")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(hist["messages"][0]["text"], "hi bot");

    // Inject a fault.
    post(
        format!("{admin}fault"),
        json!({"method": "auth.test", "fault": {"kind": "rate_limited", "retry_after": 3}}),
    )
    .await;
    let resp = http
        .post(format!("{api}auth.test"))
        .bearer_auth("xoxb-1")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 429);
    assert_eq!(resp.headers()["retry-after"], "3");

    // Read the journal.
    let journal: Value = http
        .get(format!("{admin}journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let methods: Vec<&str> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["method"].as_str().unwrap())
        .collect();
    assert_eq!(methods, ["conversations.history", "auth.test"]);

    // An event reaches RTM clients (none connected here: zero).
    let resp: Value = post(format!("{admin}event"), json!({"type": "hello"}))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(resp["clients"], 0);

    // Reset.
    post(format!("{admin}reset"), Value::Null).await;
    let journal: Value = http
        .get(format!("{admin}journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(journal["entries"], json!([]));
    let bad = post(
        format!("{admin}fault"),
        json!({"method": "x", "fault": {"kind": "nope"}}),
    )
    .await;
    assert_eq!(bad.status(), 400);
}

#[test]
fn bad_arguments_exit_with_usage() {
    let out = Command::new(env!("CARGO_BIN_EXE_fake-slack"))
        .arg("--bogus")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("usage: fake-slack"));
}

#[tokio::test]
async fn admin_refuses_a_status_no_response_can_carry() {
    let server = start(&["--port", "0"]);
    let api = server.info["api"].as_str().unwrap().to_string();
    let admin = server.info["admin"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    for status in [1000, 199, 100, 0, 65535] {
        let resp = http
            .post(format!("{admin}fault"))
            .json(&json!({"method": "api.test", "fault": {"kind": "status", "status": status}, "times": "always"}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400, "status {status}");
        let body: Value = resp.json().await.unwrap();
        assert_eq!(
            body["error"],
            format!("bad fault: status {status} is not a final HTTP status (200 to 999)")
        );
    }
    // Nothing was set: api.test still answers.
    let resp = http
        .post(format!("{api}api.test"))
        .send()
        .await
        .expect("an answer, not a dropped connection");
    assert_eq!(resp.status(), 200);
    // The edges of the range are accepted and answered.
    for status in [200, 999] {
        let resp = http
            .post(format!("{admin}fault"))
            .json(&json!({"method": "api.test", "fault": {"kind": "status", "status": status}}))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "status {status}");
    }
    let resp = http.post(format!("{api}api.test")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let resp = http.post(format!("{api}api.test")).send().await.unwrap();
    assert_eq!(resp.status().as_u16(), 999);
}

#[tokio::test]
async fn journal_limit_drops_the_oldest_entries() {
    let server = start(&["--port", "0", "--journal-limit", "2"]);
    let api = server.info["api"].as_str().unwrap().to_string();
    let admin = server.info["admin"].as_str().unwrap().to_string();
    let http = reqwest::Client::new();
    for text in ["one", "two", "three"] {
        let resp = http
            .post(format!("{api}chat.postMessage"))
            .bearer_auth("xoxb-1")
            .form(&[("channel", "C_GENERAL"), ("text", text)])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
    }
    let journal: Value = http
        .get(format!("{admin}journal"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let kept: Vec<(&Value, &Value)> = journal["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (&e["seq"], &e["args"]["text"]))
        .collect();
    assert_eq!(
        kept,
        [(&json!(1), &json!("two")), (&json!(2), &json!("three"))]
    );
    assert_eq!(journal["dropped"], 1);

    let out = Command::new(env!("CARGO_BIN_EXE_fake-slack"))
        .args(["--journal-limit", "lots"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--journal-limit"));
}

#[tokio::test]
async fn an_app_registered_from_its_manifest_is_driven_over_the_admin_api() {
    let server = start(&["--port", "0"]);
    let admin = server.info["admin"].as_str().unwrap().to_string();
    // The app: a command endpoint answering at once (signature not checked here).
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/commands", listener.local_addr().unwrap());
    let app = axum::Router::new().route(
        "/commands",
        axum::routing::post(|| async {
            (
                [("content-type", "application/json")],
                r#"{"text":"deploying"}"#,
            )
        }),
    );
    tokio::spawn(async move { axum::serve(listener, app).await });

    let http = reqwest::Client::new();
    let manifest = json!({
        "display_information": {"name": "deployer"},
        "features": {"slash_commands": [{"command": "/deploy", "url": url, "description": "Deploy"}]},
        "settings": {"socket_mode_enabled": false, "org_deploy_enabled": false}
    });
    let resp = http
        .post(format!("{admin}app"))
        .json(&json!({"manifest": manifest, "signing_secret": "s3cret"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["credentials"]["signing_secret"], "s3cret");

    // The driver is answered (through a redirect reqwest follows) with the ack.
    let ran: Value = http
        .post(format!("{admin}run_command"))
        .json(&json!({"user": "U_ALICE", "channel": "C_GENERAL", "command": "/deploy", "text": "api"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(ran, json!({"ok": true, "ack": {"text": "deploying"}}));
    let refused = http
        .post(format!("{admin}run_command"))
        .json(&json!({"command": "/foo"}))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "/foo is not a valid command");
}
