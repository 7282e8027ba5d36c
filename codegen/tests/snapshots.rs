//! The generator's output on small spec fragments, as insta snapshots.

use codegen::{Spec, generate};

/// Generates from inline spec files and returns the named output file.
fn gen_file(files: &[(&str, &str)], name: &str) -> String {
    let spec = Spec::from_sources(files).unwrap_or_else(|e| panic!("spec: {e}"));
    let out = generate(&spec).unwrap_or_else(|e| panic!("generate: {e}"));
    out.into_iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} not generated"))
        .contents
}

const TYPES: &str = r#"{
  "objects": {
    "Conversation": {
      "doc": "A channel, group or DM.",
      "fields": [
        { "name": "id", "type": "ChannelId", "required": true, "doc": "Its ID." },
        { "name": "is_archived", "type": "boolean", "doc": "Whether it is archived." },
        { "name": "name", "type": "string", "doc": "Its name." },
        { "name": "type", "type": "ConversationType", "doc": "Its kind." }
      ]
    },
    "ResponseMetadata": {
      "doc": "Paging and warnings.",
      "fields": [ { "name": "next_cursor", "type": "string", "doc": "Cursor of the next page." } ]
    }
  },
  "enums": {
    "ConversationType": { "doc": "Kinds of conversation.", "values": ["im", "mpim", "public_channel"] }
  },
  "unions": {}
}"#;

#[test]
fn get_method() {
    let reactions = r#"{
      "family": "reactions",
      "doc": "Emoji reactions.",
      "methods": [{
        "name": "reactions.get",
        "doc": "Gets the reactions on an item.",
        "http": "GET", "json_body": false,
        "tokens": ["bot", "user"],
        "scopes": { "bot": ["reactions:read"], "user": ["reactions:read"] },
        "tier": "tier3", "retry_safe": true, "deprecated": null,
        "args": [
          { "name": "channel", "type": "ChannelId", "required": true, "doc": "Where the message is." },
          { "name": "full", "type": "boolean", "doc": "Return every reacting user." },
          { "name": "timestamp", "type": "Ts", "required": true, "doc": "The message's ts." },
          { "name": "types", "type": "[ConversationType]", "doc": "Kinds to include." }
        ],
        "response": { "fields": [
          { "name": "channel", "type": "ChannelId", "doc": "Where the message is." },
          { "name": "type", "type": "string", "doc": "Kind of item." }
        ] },
        "errors": ["message_not_found"],
        "pagination": null
      }]
    }"#;
    insta::assert_snapshot!(gen_file(
        &[("types.json", TYPES), ("methods/reactions.json", reactions)],
        "reactions.rs"
    ));
}

const CONVERSATIONS: &str = r#"{
  "family": "conversations",
  "doc": "Channels, groups and DMs.",
  "methods": [{
    "name": "conversations.list",
    "doc": "Lists conversations.",
    "http": "GET", "json_body": false,
    "tokens": ["bot"], "scopes": { "bot": ["channels:read"] },
    "tier": "tier2", "retry_safe": true,
    "deprecated": { "replacement": null },
    "args": [
      { "name": "cursor", "type": "string", "doc": "Page cursor." },
      { "name": "limit", "type": "integer", "doc": "Page size." }
    ],
    "response": { "fields": [
      { "name": "channels", "type": "[Conversation]", "doc": "This page." },
      { "name": "response_metadata", "type": "ResponseMetadata", "doc": "Paging." }
    ] },
    "errors": [],
    "pagination": { "cursor": "cursor", "limit": "limit", "items": "channels" }
  }]
}"#;

#[test]
fn paginated_method() {
    insta::assert_snapshot!(gen_file(
        &[
            ("types.json", TYPES),
            ("methods/conversations.json", CONVERSATIONS)
        ],
        "conversations.rs"
    ));
}

/// A search family paged by page number, with the items and the paging
/// object inside a nested object (`messages.matches`, `messages.paging`).
const SEARCH: &str = r#"{
  "family": "search",
  "doc": "Search.",
  "objects": {
    "Results": {
      "doc": "Matches with paging.",
      "fields": [
        { "name": "matches", "type": "[Conversation]", "doc": "This page." },
        { "name": "paging", "type": "Paging", "doc": "Page numbers." }
      ]
    }
  },
  "methods": [{
    "name": "search.messages",
    "doc": "Searches messages.",
    "http": "GET", "json_body": false,
    "tokens": ["user"], "scopes": { "user": ["search:read"] },
    "tier": "tier2", "retry_safe": true,
    "args": [
      { "name": "count", "type": "integer", "doc": "Page size." },
      { "name": "page", "type": "integer", "doc": "Page number." },
      { "name": "query", "type": "string", "required": true, "doc": "What to find." }
    ],
    "response": { "fields": [
      { "name": "messages", "type": "Results", "doc": "The matches." }
    ] },
    "errors": [],
    "pagination": { "page": "page", "count": "count", "items": "messages.matches", "paging": "messages.paging" }
  }]
}"#;

const PAGING_TYPES: &str = r#"{
  "objects": {
    "Conversation": {
      "doc": "A channel.",
      "fields": [ { "name": "id", "type": "ChannelId", "required": true, "doc": "Its ID." } ]
    },
    "Paging": {
      "doc": "Page numbers.",
      "fields": [
        { "name": "page", "type": "integer", "doc": "This page, from 1." },
        { "name": "pages", "type": "integer", "required": true, "doc": "How many pages." }
      ]
    }
  }
}"#;

#[test]
fn page_numbered_method() {
    insta::assert_snapshot!(gen_file(
        &[
            ("types.json", PAGING_TYPES),
            ("methods/search.json", SEARCH)
        ],
        "search.rs"
    ));
}

#[test]
fn bad_pagination_is_an_error_naming_the_method() {
    let check = |from: &str, to: &str, expected: &str| {
        let search = SEARCH.replace(from, to);
        assert_ne!(search, SEARCH, "{from} not in the fragment");
        let spec = Spec::from_sources(&[
            ("types.json", PAGING_TYPES),
            ("methods/search.json", &search),
        ])
        .unwrap_or_else(|e| panic!("spec: {e}"));
        let e = match generate(&spec) {
            Ok(_) => panic!("generated with {to}"),
            Err(e) => e.to_string(),
        };
        assert!(e.contains("search.messages"), "{e}");
        assert!(e.contains(expected), "{to}: expected `{expected}` in: {e}");
    };
    check(
        r#""page": "page", "count""#,
        r#""cursor": "page", "page": "page", "count""#,
        "exactly one of",
    );
    check(r#", "paging": "messages.paging""#, "", "needs `paging`");
    check(
        r#""count": "count", "items""#,
        r#""limit": "count", "items""#,
        "not `limit`",
    );
    check(
        r#""paging": "messages.paging""#,
        r#""paging": "messages.nope""#,
        "no `nope` field",
    );
    check(
        r#""items": "messages.matches""#,
        r#""items": "messages.paging""#,
        "not an array",
    );
    check(
        r#""paging": "messages.paging""#,
        r#""paging": "messages.matches""#,
        "not an object",
    );
    check(
        r#""items": "messages.matches""#,
        r#""items": "query.matches""#,
        "no `query` field",
    );
    check(
        r#""page": "page", "count""#,
        r#""page": "query", "count""#,
        "optional integer",
    );
}

#[test]
fn spec_table_and_error_codes() {
    let common = r#"{ "errors": ["invalid_auth", "not_authed"] }"#;
    let files = [
        ("common.json", common),
        ("types.json", TYPES),
        ("methods/conversations.json", CONVERSATIONS),
    ];
    insta::assert_snapshot!("spec_table", gen_file(&files, "spec_table.rs"));
    insta::assert_snapshot!("error_code", gen_file(&files, "error_code.rs"));
    insta::assert_snapshot!("mod", gen_file(&files, "mod.rs"));
}

#[test]
fn json_body_method() {
    let chat = r#"{
      "family": "chat",
      "doc": "Messages.",
      "methods": [{
        "name": "chat.postMessage",
        "doc": "Sends a message.",
        "http": "POST", "json_body": true,
        "tokens": ["bot", "user"], "scopes": { "bot": ["chat:write"] },
        "tier": "special", "retry_safe": false,
        "args": [
          { "name": "blocks", "type": "json", "doc": "Block Kit blocks." },
          { "name": "channel", "type": "ChannelId", "required": true, "doc": "Where to post." },
          { "name": "mrkdwn", "type": "boolean", "doc": "Format the text." },
          { "name": "reply_broadcast", "type": "boolean", "doc": "Also post to the channel." },
          { "name": "text", "type": "string", "doc": "Message text." },
          { "name": "thread_ts", "type": "Ts", "doc": "Parent message." },
          { "name": "users", "type": "[UserId]", "doc": "Users: a list in a form, an array in a JSON body." }
        ],
        "response": { "fields": [
          { "name": "channel", "type": "ChannelId", "doc": "Where it went." },
          { "name": "ts", "type": "Ts", "required": true, "doc": "Its ts." }
        ] },
        "errors": ["channel_not_found", "no_text"],
        "pagination": null
      }]
    }"#;
    insta::assert_snapshot!(gen_file(
        &[("types.json", TYPES), ("methods/chat.json", chat)],
        "chat.rs"
    ));
}

#[test]
fn shape_union_field() {
    let types = r#"{
      "objects": {
        "Channel": {
          "doc": "A channel object.",
          "fields": [
            { "name": "id", "type": "ChannelId", "required": true, "doc": "Its ID." },
            { "name": "latest", "type": "Channel", "doc": "Self reference, boxed." }
          ]
        },
        "File": {
          "doc": "A file.",
          "fields": [
            { "name": "channel", "type": "ChannelRef", "doc": "ID or object." },
            { "name": "size", "type": "Size", "doc": "Number or text." },
            { "name": "channels", "type": "[ChannelRef]", "doc": "Several." }
          ]
        }
      },
      "unions": {
        "ChannelRef": {
          "doc": "A channel as its ID or the whole object.",
          "variants": [ { "name": "Id", "type": "ChannelId" }, { "name": "Object", "type": "Channel" } ]
        },
        "Size": {
          "doc": "A size as a number or a string.",
          "variants": [ { "name": "Bytes", "type": "integer" }, { "name": "Text", "type": "string" } ]
        }
      }
    }"#;
    insta::assert_snapshot!(gen_file(&[("types.json", types)], "types.rs"));
}

#[test]
fn event_union_with_subtypes() {
    let events = r#"{
      "objects": {
        "BotMessageEvent": { "doc": "A bot posted.", "fields": [
          { "name": "bot_id", "type": "BotId", "doc": "The bot." },
          { "name": "channel", "type": "ChannelId", "doc": "Where." },
          { "name": "ts", "type": "Ts", "required": true, "doc": "When." }
        ] },
        "MessageChangedEvent": { "doc": "A message was edited.", "fields": [
          { "name": "channel", "type": "ChannelId", "doc": "Where." },
          { "name": "message", "type": "MessageEvent", "doc": "The new message." },
          { "name": "ts", "type": "Ts", "required": true, "doc": "When." }
        ] },
        "PlainMessageEvent": { "doc": "A user posted.", "fields": [
          { "name": "channel", "type": "ChannelId", "doc": "Where." },
          { "name": "subtype", "type": "string", "doc": "Empty or absent: decoded on a guess." },
          { "name": "text", "type": "string", "doc": "What." },
          { "name": "ts", "type": "Ts", "required": true, "doc": "When." }
        ] },
        "ReactionAddedEvent": { "doc": "A reaction was added.", "fields": [
          { "name": "reaction", "type": "string", "required": true, "doc": "Emoji name." },
          { "name": "ts", "type": "Ts", "doc": "Event time." }
        ] },
        "Reply": { "doc": "An ack of a message the client sent.", "fields": [
          { "name": "ok", "type": "boolean", "doc": "Whether it worked." },
          { "name": "reply_to", "type": "integer", "doc": "The id of the sent message." },
          { "name": "ts", "type": "Ts", "doc": "Its ts." }
        ] }
      },
      "unions": {
        "Event": {
          "doc": "Any event.",
          "tag": "type",
          "missing": "Reply",
          "variants": [
            { "tag": "message", "name": "Message", "type": "MessageEvent" },
            { "tag": "reaction_added", "name": "ReactionAdded", "type": "ReactionAddedEvent" },
            { "tag": null, "name": "Reply", "type": "Reply" }
          ]
        },
        "MessageEvent": {
          "doc": "A message, by subtype.",
          "tag": "subtype",
          "missing": "Message",
          "variants": [
            { "tag": "bot_message", "name": "BotMessage", "type": "BotMessageEvent" },
            { "tag": null, "name": "Message", "type": "PlainMessageEvent" },
            { "tag": "message_changed", "name": "MessageChanged", "type": "MessageChangedEvent" }
          ]
        }
      }
    }"#;
    insta::assert_snapshot!(gen_file(&[("events.json", events)], "events.rs"));
}

#[test]
fn output_is_deterministic_and_sorted() {
    let files = [
        ("types.json", TYPES),
        ("methods/conversations.json", CONVERSATIONS),
    ];
    let a = generate(&Spec::from_sources(&files).unwrap()).unwrap();
    let b = generate(&Spec::from_sources(&files).unwrap()).unwrap();
    assert_eq!(a, b);
    let names: Vec<&str> = a.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "block_kit.rs",
            "conversations.rs",
            "error_code.rs",
            "events.rs",
            "mod.rs",
            "spec_table.rs",
            "types.rs"
        ]
    );
    for f in &a {
        assert!(
            f.contents
                .starts_with("// Code generated by `cargo xtask codegen` from spec/"),
            "{}",
            f.name
        );
    }
}

/// Bad specs fail with a message naming the file and the problem.
#[test]
fn errors_name_the_problem() {
    let check = |files: &[(&str, &str)], expected: &str| {
        let err = Spec::from_sources(files)
            .and_then(|s| generate(&s))
            .expect_err(expected)
            .to_string();
        assert!(
            err.contains(expected),
            "{err:?} does not contain {expected:?}"
        );
    };
    check(
        &[(
            "types.json",
            r#"{"objects": {"A": {"fields": [{"name": "b", "type": "Nope"}]}}}"#,
        )],
        "unknown type Nope",
    );
    check(&[("types.json", "{")], "spec/types.json");
    check(
        &[("methods/chat.json", r#"{"family": "chatter"}"#)],
        "expected \"chat\"",
    );
    check(&[("other.json", "{}")], "not a spec file name");
    check(
        &[(
            "methods/chat.json",
            r#"{"family": "chat", "methods": [{"name": "chat.x", "http": "GET",
           "args": [{"name": "cursor", "type": "string"}], "response": {"fields": []},
           "pagination": {"cursor": "cursor", "items": "messages"}}]}"#,
        )],
        "no `messages` field",
    );
    check(
        &[(
            "types.json",
            r#"{"unions": {"U": {"tag": "type", "variants": [{"tag": "a", "name": "A", "type": "string"}]}}}"#,
        )],
        "must be an object or tagged union",
    );
}

/// A shared type compiles only with a feature that reaches it: `Item` through
/// `pins` and `stars` (via `Saved`), `Paging` through `stars` alone, `Orphan`
/// through nothing (ungated).
#[test]
fn shared_types_gated_by_reaching_features() {
    let types = r#"{
      "objects": {
        "Item": { "doc": "A pinned or saved item.", "fields": [ { "name": "type", "type": "string", "doc": "Kind of item." } ] },
        "Orphan": { "doc": "Used by hand-written code only.", "fields": [] },
        "Paging": { "doc": "Page numbers.", "fields": [ { "name": "page", "type": "integer", "doc": "This page." } ] },
        "Saved": { "doc": "A saved item.", "fields": [ { "name": "item", "type": "Item", "doc": "What was saved." } ] }
      }
    }"#;
    let pins = r#"{
      "family": "pins", "doc": "Pins.",
      "methods": [{ "name": "pins.list", "doc": "Lists pins.", "http": "GET",
        "response": { "fields": [ { "name": "items", "type": "[Item]", "doc": "Pinned items." } ] } }]
    }"#;
    let stars = r#"{
      "family": "stars", "doc": "Saved items.",
      "methods": [{ "name": "stars.list", "doc": "Lists saved items.", "http": "GET",
        "response": { "fields": [
          { "name": "items", "type": "[Saved]", "doc": "Saved items." },
          { "name": "paging", "type": "Paging", "doc": "Page numbers." }
        ] } }]
    }"#;
    insta::assert_snapshot!(gen_file(
        &[
            ("types.json", types),
            ("methods/pins.json", pins),
            ("methods/stars.json", stars)
        ],
        "types.rs"
    ));
}

#[test]
fn block_kit_types_go_both_ways_and_keep_what_they_do_not_know() {
    let kit = r#"{
      "objects": {
        "Button": { "doc": "A button.", "fields": [
          { "name": "action_id", "type": "string", "doc": "Id.", "max_length": 255 },
          { "name": "text", "type": "PlainText", "required": true, "doc": "Label.", "max_length": 75 }
        ]},
        "ActionsBlock": { "doc": "Buttons.", "fields": [
          { "name": "elements", "type": "[Button]", "required": true, "doc": "The buttons.", "max_items": 25 }
        ]},
        "PlainText": { "doc": "Plain text.", "fields": [
          { "name": "text", "type": "string", "required": true, "doc": "The text." }
        ]}
      },
      "unions": {
        "Block": { "doc": "A block.", "tag": "type", "variants": [
          { "tag": "actions", "name": "Actions", "type": "ActionsBlock" }
        ]},
        "Text": { "doc": "A text object.", "tag": "type", "variants": [
          { "tag": "plain_text", "name": "PlainText", "type": "PlainText" }
        ]}
      }
    }"#;
    insta::assert_snapshot!(gen_file(&[("block_kit.json", kit)], "block_kit.rs"));
}
