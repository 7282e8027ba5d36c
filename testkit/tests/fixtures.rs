//! The fixtures in `fixtures/`: one per spec method, each a decode test.
//!
//! Regenerate with `cargo test -p slack-testkit --test fixtures -- --ignored`:
//! simulated methods are answered by the fake's workspace, the others are
//! synthesized from the spec's response fields.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value, json};
use slack_testkit::FakeSlack;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn web_dir() -> PathBuf {
    root().join("fixtures/web")
}

fn fixture_files() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(web_dir()).expect("fixtures/web exists") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let v: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            out.push((path.file_name().unwrap().to_string_lossy().into_owned(), v));
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_spec_method_has_a_fixture() {
    let have: Vec<String> = fixture_files()
        .iter()
        .map(|(_, v)| v["method"].as_str().unwrap().to_string())
        .collect();
    let missing: Vec<&str> = slack_api::spec::METHODS
        .iter()
        .map(|m| m.name)
        .filter(|m| !have.iter().any(|h| h == m))
        .collect();
    assert!(missing.is_empty(), "methods without a fixture: {missing:?}");
}

#[test]
fn every_fixture_decodes_and_holds_no_secret() {
    let mut failures = Vec::new();
    for (file, v) in fixture_files() {
        let text = serde_json::to_string(&v).unwrap();
        assert_eq!(slack_testkit::record::find_secret(&text), None, "{file}");
        let fixture =
            slack_testkit::Fixture::from_json(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        if fixture.response.body["ok"] != true {
            continue;
        }
        let body = serde_json::to_vec(&fixture.response.body).unwrap();
        if let Err(e) = slack_api::spec::decode_response(&fixture.method, &body) {
            failures.push(format!("{file}: {e}"));
        }
    }
    assert!(
        failures.is_empty(),
        "fixtures that do not decode:\n{}",
        failures.join("\n")
    );
}

#[tokio::test]
async fn the_fixture_folder_replays() {
    let slack = FakeSlack::builder()
        .simulate(false)
        .fixtures_dir(root().join("fixtures"))
        .start()
        .await;
    let body = common::ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "Deploy finished")],
    )
    .await;
    assert_eq!(body["channel"], "C_GENERAL");
    let body = common::ok(&slack, "rtm.connect", &[]).await;
    assert!(body["url"].as_str().unwrap().starts_with(&slack.rtm_url()));
}

// ----- generation -----

/// Arguments that make each simulated method succeed, in an order that builds on earlier calls.
fn simulated_calls(parent_ts: &str) -> Vec<(&'static str, Vec<(&'static str, String)>)> {
    let s = |v: &str| v.to_string();
    vec![
        ("api.test", vec![("foo", s("bar"))]),
        ("auth.test", vec![]),
        (
            "chat.postMessage",
            vec![("channel", s("C_GENERAL")), ("text", s("Deploy finished"))],
        ),
        (
            "chat.meMessage",
            vec![("channel", s("C_GENERAL")), ("text", s("is deploying"))],
        ),
        (
            "chat.update",
            vec![
                ("channel", s("C_GENERAL")),
                ("ts", s(parent_ts)),
                ("text", s("Deploy finished (edited)")),
            ],
        ),
        (
            "chat.getPermalink",
            vec![("channel", s("C_GENERAL")), ("message_ts", s(parent_ts))],
        ),
        (
            "chat.postEphemeral",
            vec![
                ("channel", s("C_GENERAL")),
                ("user", s("U_ALICE")),
                ("text", s("Only you can see this")),
            ],
        ),
        (
            "reactions.add",
            vec![
                ("channel", s("C_GENERAL")),
                ("timestamp", s(parent_ts)),
                ("name", s("tada")),
            ],
        ),
        (
            "reactions.get",
            vec![("channel", s("C_GENERAL")), ("timestamp", s(parent_ts))],
        ),
        ("reactions.list", vec![]),
        (
            "reactions.remove",
            vec![
                ("channel", s("C_GENERAL")),
                ("timestamp", s(parent_ts)),
                ("name", s("tada")),
            ],
        ),
        ("conversations.create", vec![("name", s("launch"))]),
        (
            "conversations.invite",
            vec![("channel", s("C00000001")), ("users", s("U_BOB"))],
        ),
        (
            "conversations.kick",
            vec![("channel", s("C00000001")), ("user", s("U_BOB"))],
        ),
        (
            "conversations.rename",
            vec![("channel", s("C00000001")), ("name", s("launch-day"))],
        ),
        (
            "conversations.setTopic",
            vec![
                ("channel", s("C00000001")),
                ("topic", s("Launch checklist")),
            ],
        ),
        (
            "conversations.setPurpose",
            vec![
                ("channel", s("C00000001")),
                ("purpose", s("Coordinate the launch")),
            ],
        ),
        (
            "conversations.mark",
            vec![("channel", s("C_GENERAL")), ("ts", s(parent_ts))],
        ),
        ("conversations.info", vec![("channel", s("C_GENERAL"))]),
        ("conversations.list", vec![("limit", s("2"))]),
        (
            "conversations.history",
            vec![("channel", s("C_GENERAL")), ("limit", s("10"))],
        ),
        (
            "conversations.replies",
            vec![("channel", s("C_GENERAL")), ("ts", s(parent_ts))],
        ),
        ("conversations.members", vec![("channel", s("C_DEV"))]),
        ("conversations.open", vec![("users", s("U_ALICE"))]),
        ("conversations.leave", vec![("channel", s("C00000001"))]),
        ("conversations.join", vec![("channel", s("C00000001"))]),
        ("conversations.archive", vec![("channel", s("C00000001"))]),
        ("conversations.unarchive", vec![("channel", s("C00000001"))]),
        ("users.info", vec![("user", s("U_ALICE"))]),
        ("users.list", vec![("limit", s("3"))]),
        ("users.lookupByEmail", vec![("email", s("bob@example.com"))]),
        ("users.profile.get", vec![("user", s("U_CAROL"))]),
        ("users.getPresence", vec![("user", s("U_BOB"))]),
        ("users.setPresence", vec![("presence", s("auto"))]),
        ("rtm.connect", vec![]),
        ("rtm.start", vec![]),
        (
            "chat.delete",
            vec![("channel", s("C_GENERAL")), ("ts", s(parent_ts))],
        ),
    ]
}

struct Spec {
    types: BTreeMap<String, Value>,
}

impl Spec {
    fn load() -> Spec {
        let mut types = BTreeMap::new();
        let mut add = |v: &Value| {
            for section in ["objects", "enums", "unions"] {
                if let Some(m) = v[section].as_object() {
                    for (k, t) in m {
                        let mut t = t.clone();
                        t["section"] = json!(section);
                        types.insert(k.clone(), t);
                    }
                }
            }
        };
        let read = |p: PathBuf| -> Value {
            serde_json::from_str(&std::fs::read_to_string(p).unwrap()).unwrap()
        };
        add(&read(root().join("spec/types.json")));
        for e in std::fs::read_dir(root().join("spec/methods")).unwrap() {
            add(&read(e.unwrap().path()));
        }
        Spec { types }
    }

    fn value(&self, ty: &str, name: &str, depth: usize) -> Value {
        if let Some(inner) = ty.strip_prefix('[').and_then(|t| t.strip_suffix(']')) {
            return if depth > 3 {
                json!([])
            } else {
                json!([self.value(inner, name, depth + 1)])
            };
        }
        if ty.starts_with('{') {
            return json!({});
        }
        match ty {
            "string" | "secret" => json!(string_for(name)),
            "time" => json!(1_700_000_000),
            "seconds" => json!(43_200),
            "integer" => json!(if name.contains("created")
                || name.contains("time")
                || name.ends_with("_set")
            {
                1_700_000_000
            } else {
                1
            }),
            "number" => json!(1.5),
            "boolean" => json!(false),
            "json" => json!({}),
            "Ts" => json!("1700000001.000100"),
            "ChannelId" => json!("C_GENERAL"),
            "UserId" => json!("U_ALICE"),
            "TeamId" => json!("T0001"),
            "BotId" => json!("B_BOT"),
            "AppId" => json!("A_BOT"),
            "FileId" => json!("F00000001"),
            "EnterpriseId" => json!("E0001"),
            "UserGroupId" => json!("S0001"),
            // Block Kit lives in block_kit.json, outside these types.
            "View" => json!({"id": "V0001", "type": "modal", "blocks": []}),
            other => match self.types.get(other) {
                Some(t) => self.named(t, depth),
                None => Value::Null,
            },
        }
    }

    fn named(&self, t: &Value, depth: usize) -> Value {
        match t["section"].as_str() {
            Some("enums") => t["values"][0].clone(),
            Some("objects") => self.object(t["fields"].as_array().unwrap(), depth, depth == 0),
            Some("unions") => {
                let variants = t["variants"].as_array().unwrap();
                match t["tag"].as_str() {
                    Some(tag) => {
                        let v = variants
                            .iter()
                            .find(|v| v["tag"].is_string())
                            .unwrap_or(&variants[0]);
                        let mut obj = self.value(v["type"].as_str().unwrap(), "", depth);
                        if let (Some(m), Some(val)) = (obj.as_object_mut(), v["tag"].as_str()) {
                            m.insert(tag.to_string(), json!(val));
                        }
                        obj
                    }
                    None => {
                        // Prefer the object form of a shape union: it exercises more decoding.
                        let v = variants
                            .iter()
                            .rev()
                            .find(|v| self.types.contains_key(v["type"].as_str().unwrap()))
                            .unwrap_or(&variants[0]);
                        self.value(v["type"].as_str().unwrap(), "", depth)
                    }
                }
            }
            _ => Value::Null,
        }
    }

    fn object(&self, fields: &[Value], depth: usize, all: bool) -> Value {
        let mut m = Map::new();
        for f in fields {
            let required = f["required"].as_bool().unwrap_or(false);
            if !(required || all) || depth > 4 {
                continue;
            }
            let name = f["name"].as_str().unwrap();
            let v = self.value(f["type"].as_str().unwrap(), name, depth + 1);
            if !v.is_null() {
                m.insert(name.to_string(), v);
            }
        }
        Value::Object(m)
    }
}

fn string_for(name: &str) -> String {
    match name {
        "name" => "general".into(),
        "text" => "Deploy finished".into(),
        "email" => "alice@example.com".into(),
        "url" | "permalink" => {
            "https://fake-team.slack.com/archives/C_GENERAL/p1700000001000100".into()
        }
        "type" => "message".into(),
        n if n.ends_with("_url") || n.starts_with("url_") => {
            "https://fake-team.slack.com/files/F00000001".into()
        }
        n if n.ends_with("_token") || n == "token" => "xoxb-REDACTED".into(),
        // Keys the secret check reads as secrets whatever they hold.
        n if n.ends_with("_secret") || n == "code" => "REDACTED".into(),
        "title" => "Launch notes".into(),
        _ => "example".into(),
    }
}

#[tokio::test]
#[ignore = "writes fixtures/web; run to regenerate"]
async fn regenerate_fixtures() {
    let dir = web_dir();
    std::fs::create_dir_all(&dir).unwrap();
    let slack = FakeSlack::start().await;
    let parent = slack
        .post_as_user("U_ALICE", "C_GENERAL", "Deploy started")
        .await;
    slack
        .reply_as_user("U_BOB", "C_GENERAL", &parent, "Watching the dashboards")
        .await;
    let mut written = std::collections::BTreeSet::new();
    // The simulator answers what it knows; the bot's own message is the one we edit and react to.
    let own = common::ok(
        &slack,
        "chat.postMessage",
        &[("channel", "C_GENERAL"), ("text", "Deploy finished")],
    )
    .await;
    let own_ts = own["ts"].as_str().unwrap().to_string();
    for (method, args) in simulated_calls(&own_ts) {
        let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let (_, mut body) = common::form(&slack, method, Some(common::BOT), &args).await;
        assert_eq!(body["ok"], true, "{method}: {body}");
        if let Some(url) = body.get_mut("url").filter(|_| method.starts_with("rtm.")) {
            *url = json!("wss://wss-primary.slack.com/websocket/REDACTED");
        }
        let matcher: Map<String, Value> = args
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        write_fixture(&dir, method, Value::Object(matcher), body);
        written.insert(method.to_string());
    }
    let spec = Spec::load();
    for family in std::fs::read_dir(root().join("spec/methods")).unwrap() {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(family.unwrap().path()).unwrap())
                .unwrap();
        for m in v["methods"].as_array().unwrap() {
            let name = m["name"].as_str().unwrap();
            if written.contains(name) {
                continue;
            }
            let mut body = spec.object(m["response"]["fields"].as_array().unwrap(), 0, true);
            let mut full = Map::new();
            full.insert("ok".into(), json!(true));
            full.append(body.as_object_mut().unwrap());
            write_fixture(&dir, name, json!({}), Value::Object(full));
        }
    }
}

fn write_fixture(dir: &Path, method: &str, args: Value, body: Value) {
    let f = json!({
        "version": 1,
        "method": method,
        "match": {"args": args},
        "response": {"status": 200, "body": body},
        "description": "made by the testkit (regenerate_fixtures)",
    });
    let text = serde_json::to_string_pretty(&f).unwrap() + "\n";
    assert_eq!(slack_testkit::record::find_secret(&text), None, "{method}");
    std::fs::write(dir.join(format!("{method}.json")), text).unwrap();
}
