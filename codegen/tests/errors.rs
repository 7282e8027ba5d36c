//! What the generator refuses, and how it says so; and that its output is
//! deterministic. What it generates is in the cases (`tests/cases.rs`).

use codegen::{Mount, Spec, generate};

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
fn bad_pagination_is_an_error_naming_the_method() {
    let check = |from: &str, to: &str, expected: &str| {
        let search = SEARCH.replace(from, to);
        assert_ne!(search, SEARCH, "{from} not in the fragment");
        let spec = Spec::from_sources(&[
            ("types.json", PAGING_TYPES),
            ("methods/search.json", &search),
        ])
        .unwrap_or_else(|e| panic!("spec: {e}"));
        let e = match generate(&spec, &Mount::default()) {
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
fn output_is_deterministic_and_sorted() {
    let files = [
        ("types.json", TYPES),
        ("methods/conversations.json", CONVERSATIONS),
    ];
    let a = generate(&Spec::from_sources(&files).unwrap(), &Mount::default()).unwrap();
    let b = generate(&Spec::from_sources(&files).unwrap(), &Mount::default()).unwrap();
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
            .and_then(|s| generate(&s, &Mount::default()))
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
    check(
        &[(
            "methods/chat.json",
            r#"{"family": "chat", "methods": [{"name": "chat.x", "http": "GET", "json_body": true}]}"#,
        )],
        "chat.x: a GET request has no body",
    );
}

#[test]
fn a_mount_is_a_crate_module_path() {
    assert!(Mount::at("crate::codegen_cases::get_method").is_ok());
    for bad in [
        "generated",
        "crate::",
        "crate::a-b",
        "crate::crate",
        "self::generated",
    ] {
        assert!(Mount::at(bad).is_err(), "{bad}");
    }
}
