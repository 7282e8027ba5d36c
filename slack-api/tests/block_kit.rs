//! Typed Block Kit: the corpus and the reference samples round-trip,
//! arbitrary JSON never panics and comes back unchanged, the builders write
//! what Slack expects, and limits are checked before sending.

use std::path::{Path, PathBuf};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use slack_api::block_kit::{
    Action, Attachment, Block, Button, Check, ConfirmationDialog, ConversationFilter,
    DispatchActionConfig, Element, FeedbackButton, Mrkdwn, OptionGroup, PlainText, PlainTextInput,
    RawText, RichTextElement, RichTextInline, RichTextStyle, SelectOption, SlackFile, StaticSelect,
    TableColumnSettings, Trigger, TriggerInputParameter, UrlSource, View, ViewStateValue, Workflow,
};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Decodes `value` as `T`, serializes it back and returns both.
fn round_trip<T: DeserializeOwned + Serialize>(value: &Value) -> (T, Value) {
    let text = value.to_string();
    let typed: T =
        slack_api::de::from_str(&text).unwrap_or_else(|e| panic!("does not decode: {e}\n{text}"));
    let back = serde_json::to_value(&typed).unwrap();
    (typed, back)
}

/// The decoded value, after checking it comes back equal.
fn same<T: DeserializeOwned + Serialize>(what: &str, value: &Value) -> T {
    let (typed, back) = round_trip::<T>(value);
    assert_eq!(&back, value, "{what} does not round-trip");
    typed
}

/// `Unknown(..)` anywhere in the Debug output: something fell back to raw.
fn assert_fully_typed(what: &str, debug: &str) {
    assert!(
        !debug.contains("Unknown(") && !debug.contains("extra: Extra([(\""),
        "{what} is not fully typed: {debug}"
    );
}

fn corpus(folder: &str) -> Vec<(String, Value)> {
    let dir = repo().join("slack-api/tests/block_kit_corpus").join(folder);
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let value = serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (name, value)
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(!out.is_empty(), "{folder} is empty");
    out
}

/// Decodes `value` as the type named by a composition file, round-tripped.
fn composition(name: &str, v: &Value) -> String {
    macro_rules! by_name {
        ($($file:literal => $t:ty),* $(,)?) => {
            match name {
                $($file => format!("{:?}", same::<$t>(name, v)),)*
                other => panic!("composition/{other}.json: no type for it in this test"),
            }
        };
    }
    by_name!(
        "confirmation_dialog" => ConfirmationDialog,
        "conversation_filter" => ConversationFilter,
        "dispatch_action_config" => DispatchActionConfig,
        "feedback_button" => FeedbackButton,
        "mrkdwn" => Mrkdwn,
        "option_group" => OptionGroup,
        "plain_text" => PlainText,
        "raw_text" => RawText,
        "rich_text_style" => RichTextStyle,
        "select_option" => SelectOption,
        "slack_file" => SlackFile,
        "table_column_settings" => TableColumnSettings,
        "trigger" => Trigger,
        "trigger_input_parameter" => TriggerInputParameter,
        "url_source" => UrlSource,
        "workflow" => Workflow,
    )
}

#[test]
fn the_corpus_decodes_typed_and_round_trips() {
    let mut counts = Vec::new();
    for folder in [
        "blocks",
        "elements",
        "composition",
        "rich_text",
        "views",
        "attachments",
        "actions",
    ] {
        let files = corpus(folder);
        for (name, v) in &files {
            let what = format!("{folder}/{name}.json");
            let debug = match folder {
                "blocks" => format!("{:?}", same::<Block>(&what, v)),
                "elements" => format!("{:?}", same::<Element>(&what, v)),
                "composition" => composition(name, v),
                "rich_text" if name.starts_with("rich_text_") => {
                    format!("{:?}", same::<RichTextElement>(&what, v))
                }
                "rich_text" => format!("{:?}", same::<RichTextInline>(&what, v)),
                "views" => format!("{:?}", same::<View>(&what, v)),
                "attachments" => format!("{:?}", same::<Attachment>(&what, v)),
                "actions" => format!("{:?}", same::<Action>(&what, v)),
                _ => unreachable!(),
            };
            assert_fully_typed(&what, &debug);
        }
        counts.push(format!("{folder}: {}", files.len()));
    }
    println!("round-tripped {}", counts.join(", "));
}

#[test]
fn unknown_types_and_keys_come_back_unchanged() {
    for (name, v) in corpus("unknown") {
        let what = format!("unknown/{name}.json");
        let debug = if name.starts_with("block_") {
            format!("{:?}", same::<Block>(&what, &v))
        } else if name.starts_with("element_") {
            format!("{:?}", same::<Element>(&what, &v))
        } else if name.starts_with("view_") {
            format!("{:?}", same::<View>(&what, &v))
        } else if name.starts_with("attachment_") {
            format!("{:?}", same::<Attachment>(&what, &v))
        } else {
            panic!("{what}: the prefix names no root type");
        };
        assert!(
            debug.contains("Unknown(") || debug.contains("extra: Extra([(\""),
            "{what} holds nothing unknown: {debug}"
        );
    }
}

#[test]
fn an_unknown_block_keeps_its_json_and_a_known_one_its_extra_keys() {
    let v = json!({"type": "hologram", "block_id": "h1", "depth": {"z": 3}});
    let block: Block = same("hologram", &v);
    assert!(matches!(&block, Block::Unknown(raw) if raw == &v));

    let v = json!({"type": "button", "action_id": "go", "text": {"type": "plain_text", "text": "Go"},
                   "sparkle": true, "value": 7});
    let element: Element = same("button", &v);
    let Element::Button(b) = element else {
        panic!("not a button")
    };
    assert_eq!(b.action_id.as_deref(), Some("go"));
    // `value` is a string in the spec: an integer stays raw, and comes back.
    assert_eq!(b.value, None);
    assert_eq!(b.extra.get("value"), Some(&json!(7)));
    assert_eq!(b.extra.get("sparkle"), Some(&json!(true)));
}

#[test]
fn a_known_block_missing_a_required_field_is_kept_raw_not_an_error() {
    // A header must have text; this one does not: the message still decodes.
    let v = json!([{"type": "header"}, {"type": "divider"}]);
    let blocks: Vec<Block> = same("blocks", &v);
    assert!(matches!(blocks[0], Block::Unknown(_)));
    assert!(matches!(blocks[1], Block::Divider(_)));
}

/// Every `blocks` array in the reference samples (Web API responses, events,
/// interaction payloads) round-trips block by block.
#[test]
fn every_block_in_the_reference_samples_round_trips() {
    let root = repo().join("../shared/reference/java-slack-sdk-samples");
    if !root.exists() {
        assert!(
            std::env::var_os("REFERENCE_REQUIRED").is_none(),
            "{} is missing",
            root.display()
        );
        println!("note: {} not found; skipped", root.display());
        return;
    }
    fn walk(v: &Value, out: &mut Vec<Value>, views: &mut Vec<Value>) {
        match v {
            Value::Object(m) => {
                for (k, x) in m {
                    if k == "blocks"
                        && let Value::Array(items) = x
                    {
                        out.extend(items.iter().filter(|b| b.is_object()).cloned());
                    }
                    if k == "view" && x.is_object() {
                        views.push(x.clone());
                    }
                    walk(x, out, views);
                }
            }
            Value::Array(items) => items.iter().for_each(|x| walk(x, out, views)),
            _ => {}
        }
    }
    let mut files = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                files.push(p);
            }
        }
    }
    let (mut blocks, mut views) = (Vec::new(), Vec::new());
    for f in &files {
        if let Ok(v) = serde_json::from_str::<Value>(&std::fs::read_to_string(f).unwrap()) {
            walk(&v, &mut blocks, &mut views);
        }
    }
    assert!(blocks.len() > 50, "found only {} blocks", blocks.len());
    for b in &blocks {
        same::<Block>("a sample block", b);
    }
    for v in &views {
        same::<View>("a sample view", v);
    }
    println!(
        "{} blocks and {} views from {} sample files round-tripped",
        blocks.len(),
        views.len(),
        files.len()
    );
}

/// A small deterministic generator of arbitrary JSON, biased towards Block
/// Kit's keys and types so decoders go deep.
struct Arbitrary(u64);

impl Arbitrary {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }

    fn value(&mut self, depth: u32) -> Value {
        const KEYS: &[&str] = &[
            "type",
            "text",
            "elements",
            "element",
            "accessory",
            "fields",
            "block_id",
            "action_id",
            "options",
            "value",
            "style",
            "emoji",
            "blocks",
            "title",
            "state",
            "values",
            "selected_option",
            "url",
            "label",
            "confirm",
            "rows",
            "extra_key",
        ];
        const TYPES: &[&str] = &[
            "section",
            "actions",
            "context",
            "header",
            "divider",
            "input",
            "image",
            "rich_text",
            "rich_text_section",
            "rich_text_list",
            "text",
            "user",
            "button",
            "static_select",
            "plain_text",
            "mrkdwn",
            "table",
            "raw_text",
            "modal",
            "plain_text_input",
            "future_thing",
            "",
        ];
        let roll = self.next() % 10;
        if depth == 0 || roll < 3 {
            return match self.next() % 6 {
                0 => Value::Null,
                1 => Value::Bool(self.next().is_multiple_of(2)),
                2 => json!(self.next() % 1000),
                3 => json!(-((self.next() % 1000) as i64)),
                4 => Value::String(self.pick(TYPES).to_owned()),
                _ => Value::String("x".repeat((self.next() % 5) as usize)),
            };
        }
        if roll < 5 {
            let n = self.next() % 4;
            return Value::Array((0..n).map(|_| self.value(depth - 1)).collect());
        }
        let mut m = serde_json::Map::new();
        if !self.next().is_multiple_of(4) {
            m.insert("type".into(), Value::String(self.pick(TYPES).to_owned()));
        }
        for _ in 0..self.next() % 5 {
            let k = self.pick(KEYS).to_owned();
            let v = self.value(depth - 1);
            m.insert(k, v);
        }
        Value::Object(m)
    }
}

/// Numbers compare by value: a `number` field reads `3` as `3.0`.
fn normalize(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(a) => Value::Array(a.iter().map(normalize).collect()),
        Value::Object(m) => {
            Value::Object(m.iter().map(|(k, x)| (k.clone(), normalize(x))).collect())
        }
        other => other.clone(),
    }
}

fn never_loses<T: DeserializeOwned + Serialize>(text: &str, v: &Value) {
    if let Ok(typed) = slack_api::de::from_str::<T>(text) {
        let back = serde_json::to_value(&typed).unwrap();
        assert_eq!(normalize(&back), normalize(v), "lost on the way: {text}");
    }
}

#[test]
fn arbitrary_json_never_panics_and_never_loses_anything() {
    let mut g = Arbitrary(0x5eed_b10c_4b17);
    for _ in 0..20_000 {
        let v = g.value(6);
        let text = v.to_string();
        never_loses::<Block>(&text, &v);
        never_loses::<Element>(&text, &v);
        never_loses::<RichTextInline>(&text, &v);
        never_loses::<View>(&text, &v);
        never_loses::<Attachment>(&text, &v);
        never_loses::<Vec<Block>>(&text, &v);
    }
}

#[test]
fn deeply_nested_blocks_are_an_error_not_a_stack_overflow() {
    // Rich text and attachments nest; so can a hostile payload. Built as
    // text: a `Value` this deep would overflow the test's own stack.
    let depth = 5_000;
    let quote = r#"{"type":"rich_text_quote","elements":["#;
    let text = format!(
        r#"[{{"type":"rich_text","elements":[{}{{"type":"text","text":"x"}}{}]}}]"#,
        quote.repeat(depth),
        "]}".repeat(depth)
    );
    assert!(slack_api::de::from_str::<Vec<Block>>(&text).is_err());
    let attachment =
        r#"{"blocks":[{"type":"section","text":{"type":"mrkdwn","text":"x"}}],"attachments":["#;
    let text = format!(
        r#"{}{{"fallback":"x"}}{}"#,
        attachment.repeat(depth),
        "]}".repeat(depth)
    );
    assert!(slack_api::de::from_str::<Attachment>(&text).is_err());
}

#[test]
fn builders_write_what_slack_expects() {
    let blocks: Vec<Block> = vec![
        Block::header("Deploy finished").into(),
        Block::section(Mrkdwn::new("*api* is live"))
            .block_id("summary")
            .accessory(
                Button::new("open", "Open")
                    .url("https://example.com")
                    .primary(),
            )
            .into(),
        Block::divider(),
        Block::actions([
            Element::from(Button::new("rollback", "Roll back").danger().value("api")),
            StaticSelect::new("env", "Environment", [SelectOption::new("prod", "prod")]).into(),
        ])
        .into(),
        Block::input("Reason", PlainTextInput::new("why").multiline())
            .block_id("reason")
            .optional()
            .into(),
        Block::context([Mrkdwn::new("by <@U1>")]).into(),
    ];
    assert_eq!(
        serde_json::to_value(&blocks).unwrap(),
        json!([
            {"type": "header", "text": {"type": "plain_text", "text": "Deploy finished", "emoji": true}},
            {"type": "section", "block_id": "summary", "text": {"type": "mrkdwn", "text": "*api* is live"},
             "accessory": {"type": "button", "action_id": "open", "style": "primary", "url": "https://example.com",
                           "text": {"type": "plain_text", "text": "Open", "emoji": true}}},
            {"type": "divider"},
            {"type": "actions", "elements": [
                {"type": "button", "action_id": "rollback", "style": "danger", "value": "api",
                 "text": {"type": "plain_text", "text": "Roll back", "emoji": true}},
                {"type": "static_select", "action_id": "env",
                 "placeholder": {"type": "plain_text", "text": "Environment", "emoji": true},
                 "options": [{"text": {"type": "plain_text", "text": "prod", "emoji": true}, "value": "prod"}]}
            ]},
            {"type": "input", "block_id": "reason", "optional": true,
             "label": {"type": "plain_text", "text": "Reason", "emoji": true},
             "element": {"type": "plain_text_input", "action_id": "why", "multiline": true}},
            {"type": "context", "elements": [{"type": "mrkdwn", "text": "by <@U1>"}]}
        ])
    );
    let view = View::modal("Deploy")
        .callback_id("deploy")
        .submit("Go")
        .block(Block::input("Service", PlainTextInput::new("name")).block_id("svc"));
    assert_eq!(
        serde_json::to_value(&view).unwrap(),
        json!({"type": "modal", "callback_id": "deploy",
               "title": {"type": "plain_text", "text": "Deploy", "emoji": true},
               "submit": {"type": "plain_text", "text": "Go", "emoji": true},
               "blocks": [{"type": "input", "block_id": "svc",
                           "label": {"type": "plain_text", "text": "Service", "emoji": true},
                           "element": {"type": "plain_text_input", "action_id": "name"}}]})
    );
}

#[test]
fn view_state_values_are_typed_per_element_kind() {
    let v = json!({"type": "modal", "state": {"values": {
        "svc": {"pick": {"type": "static_select", "selected_option": {"text": {"type": "plain_text", "text": "api"}, "value": "api"}}},
        "why": {"text": {"type": "plain_text_input", "value": "hotfix"}},
        "who": {"people": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "when": {"day": {"type": "datepicker", "selected_date": "2026-12-01"}}
    }}});
    let view: View = same("view", &v);
    assert_eq!(
        view.input("svc", "pick").and_then(ViewStateValue::value),
        Some("api")
    );
    assert_eq!(
        view.input("why", "text").and_then(ViewStateValue::value),
        Some("hotfix")
    );
    assert_eq!(
        view.input("who", "people").map(ViewStateValue::values),
        Some(vec!["U1", "U2"])
    );
    assert_eq!(
        view.input("when", "day").and_then(ViewStateValue::value),
        Some("2026-12-01")
    );
    assert!(matches!(
        view.input("who", "people"),
        Some(ViewStateValue::MultiUsersSelect(_))
    ));
    assert!(view.input("nope", "pick").is_none());
}

#[test]
fn limits_name_the_path_of_the_offending_field() {
    let long = "x".repeat(3001);
    let blocks: Vec<Block> = vec![
        Block::divider(),
        Block::section(Mrkdwn::new(long)).into(),
        Block::actions((0..26).map(|i| Button::new(format!("b{i}"), "B"))).into(),
    ];
    let errors = blocks.limit_errors("blocks");
    let shown: Vec<String> = errors.iter().map(ToString::to_string).collect();
    assert!(
        shown.contains(&"blocks[1].text: 3001 characters, at most 3000".to_owned()),
        "{shown:?}"
    );
    assert!(
        shown
            .iter()
            .any(|e| e.starts_with("blocks[2].elements: 26 items")),
        "{shown:?}"
    );
    assert!(Block::header("short").limit_errors("b").is_empty());
}

#[tokio::test]
async fn a_block_over_a_limit_is_refused_before_sending_unless_asked() {
    let slack = slack_testkit::FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let too_long = Block::header("h".repeat(151));
    let err = client
        .chat()
        .post_message("C_GENERAL")
        .blocks([too_long.clone()])
        .await
        .unwrap_err();
    let slack_api::Error::InvalidRequest(e) = &err else {
        panic!("{err:?}")
    };
    assert!(e.message.contains("blocks[0].text"), "{e}");
    assert!(
        slack.calls_to("chat.postMessage").is_empty(),
        "nothing was sent"
    );
    // Opting out sends it; the fake then judges it as Slack does.
    let _ = client
        .chat()
        .post_message("C_GENERAL")
        .blocks([too_long])
        .skip_limit_checks()
        .await;
    assert_eq!(slack.calls_to("chat.postMessage").len(), 1);
}

#[tokio::test]
async fn a_message_read_back_changes_one_button_and_loses_nothing() {
    let slack = slack_testkit::FakeSlack::start().await;
    let client = slack.client("xoxb-test");
    let original = json!([
        {"type": "section", "block_id": "s", "text": {"type": "mrkdwn", "text": "Deploy?"},
         "future_key": {"kept": true}},
        {"type": "actions", "block_id": "a", "elements": [
            {"type": "button", "action_id": "yes", "text": {"type": "plain_text", "text": "Yes"}},
            {"type": "shiny_new_element", "action_id": "later", "glow": 3}
        ]},
        {"type": "future_block", "anything": [1, 2, 3]}
    ]);
    let blocks: Vec<Block> = serde_json::from_value(original.clone()).unwrap();
    let posted = client
        .chat()
        .post_message("C_GENERAL")
        .text("Deploy?")
        .blocks(blocks)
        .await
        .unwrap();
    let history = client
        .conversations()
        .history("C_GENERAL")
        .limit(1)
        .await
        .unwrap();
    let mut blocks = history.messages[0].blocks.clone();
    assert_eq!(serde_json::to_value(&blocks).unwrap(), original);

    let Block::Actions(actions) = &mut blocks[1] else {
        panic!("{:?}", blocks[1])
    };
    let Element::Button(yes) = &mut actions.elements[0] else {
        panic!("not a button")
    };
    yes.text = PlainText::new("Yes, deploy");
    client
        .chat()
        .update("C_GENERAL", posted.ts.clone())
        .blocks(blocks)
        .await
        .unwrap();
    let history = client
        .conversations()
        .history("C_GENERAL")
        .limit(1)
        .await
        .unwrap();
    let mut expected = original;
    expected[1]["elements"][0]["text"] =
        json!({"type": "plain_text", "text": "Yes, deploy", "emoji": true});
    assert_eq!(
        serde_json::to_value(&history.messages[0].blocks).unwrap(),
        expected
    );
}
