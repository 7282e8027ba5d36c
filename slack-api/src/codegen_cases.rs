//! Compiles the generator's cases (`codegen/tests/cases/*/expected/`), so a
//! spec fragment whose output does not compile fails `cargo test`. Each case
//! was generated for the mount `crate::codegen_cases::<case>`, and sits here
//! beside the real `crate::generated` against the same runtime (`de`, `kit`,
//! `request`, ...). A case's `mod.rs` only names files and is compared, not
//! compiled. A case's family is one of this crate's off-by-default families,
//! so the feature names it gates on are known; a family file also adds
//! `Client::<family>()`, so its case compiles only while the real family is
//! off (the default). `codegen/tests/cases.rs` checks every case is listed
//! here.

/// `case!(name: file, ...)`: the case's module, one submodule per file.
macro_rules! case {
    ($(#[$attr:meta])* $case:ident: $($file:ident),+) => {
        $(#[$attr])*
        pub(crate) mod $case {
            $(
                pub mod $file {
                    include!(concat!(
                        "../../codegen/tests/cases/",
                        stringify!($case),
                        "/expected/",
                        stringify!($file),
                        ".rs"
                    ));
                }
            )+
        }
    };
}

// `error_code.rs` compiles where the case has error codes (an enum of
// `Unknown` alone makes its `if let` irrefutable), `spec_table.rs` where it
// has methods (else `decode_response`'s `match` has one arm). The families of
// `gated_shared_types` gate the shared types they reach; its family files
// would add `Client::stars` and `Client::dnd` beside the real ones.
case!(both_directions: types, block_kit, events);
case!(boxed_recursive_field: types, block_kit, events);
case!(large_optional_field_boxed: types, block_kit, events);
case!(#[cfg(not(feature = "bookmarks"))]
    cursor_pagination: types, block_kit, events, error_code, spec_table, bookmarks);
case!(gated_shared_types: types);
case!(#[cfg(not(feature = "pins"))]
    get_method: types, block_kit, events, spec_table, pins);
case!(#[cfg(not(feature = "reminders"))]
    json_body: types, block_kit, events, spec_table, reminders);
case!(nested_tagged_union: types, block_kit, events);
case!(#[cfg(not(feature = "search"))]
    page_numbers: types, block_kit, events, spec_table, search);
case!(shape_union_field: types, block_kit, events);

#[test]
fn a_nested_union_dispatches_on_both_tags() {
    use nested_tagged_union::events::{Event, MessageEvent};
    let e = Event::from_json(
        r#"{"type": "message", "subtype": "bot_message", "ts": "1.2", "event_ts": "1.3"}"#,
    )
    .unwrap();
    assert!(matches!(e, Event::Message(MessageEvent::BotMessage(_))));
    // A common accessor reads each variant its own way.
    assert_eq!(e.event_ts(), Some("1.3"));
    let reply = Event::from_json(r#"{"ok": true, "reply_to": 1, "event_ts": "2.0"}"#).unwrap();
    assert!(matches!(reply, Event::Reply(_)));
    assert_eq!(reply.event_ts(), Some("2.0"));
}

#[test]
fn a_block_kit_type_writes_back_the_response_type_it_holds() {
    use both_directions::block_kit::Block;
    let json = r#"{"type":"file","file":{"id":"F1","type":"png"}}"#;
    let block: Block = serde_json::from_str(json).unwrap();
    assert_eq!(serde_json::to_string(&block).unwrap(), json);
}
