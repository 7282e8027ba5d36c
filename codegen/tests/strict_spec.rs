//! The spec model is strict: a misspelled key is an error naming the file
//! and the JSON path, never a silently dropped feature.

use codegen::Spec;

fn error(files: &[(&str, &str)]) -> String {
    match Spec::from_sources(files) {
        Ok(_) => panic!("the spec parsed"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_misspelled_method_key_names_the_file_and_path() {
    let chat = r#"{
      "family": "chat",
      "methods": [
        { "name": "chat.delete", "http": "POST" },
        { "name": "chat.list", "http": "GET", "paginaton": { "cursor": "cursor", "items": "x" } }
      ]
    }"#;
    let e = error(&[("methods/chat.json", chat)]);
    assert!(e.contains("spec/methods/chat.json"), "{e}");
    assert!(e.contains("methods[1].paginaton"), "{e}");
    assert!(e.contains("unknown field `paginaton`"), "{e}");
}

#[test]
fn unknown_keys_fail_everywhere() {
    for (file, text, at) in [
        ("types.json", r#"{"objcts": {}}"#, "objcts"),
        (
            "types.json",
            r#"{"objects": {"A": {"fields": [{"name": "x", "type": "string", "requried": true}]}}}"#,
            "objects.A.fields[0].requried",
        ),
        (
            "events.json",
            r#"{"unions": {"E": {"tag": "type", "variants": [], "misssing": "x"}}}"#,
            "unions.E.misssing",
        ),
        (
            "methods/pins.json",
            r#"{"family": "pins", "enum": {}}"#,
            "enum",
        ),
        (
            "methods/pins.json",
            r#"{"family": "pins", "methods": [{"name": "pins.add", "http": "POST", "response": {"feilds": []}}]}"#,
            "methods[0].response.feilds",
        ),
    ] {
        let e = error(&[(file, text)]);
        assert!(e.contains(&format!("spec/{file}")), "{file}: {e}");
        assert!(e.contains(at), "{file}: expected `{at}` in: {e}");
    }
}

#[test]
fn closed_value_sets_name_the_file_and_path() {
    for (text, at, said) in [
        (
            r#"{"family": "pins", "methods": [{"name": "pins.add", "http": "PUT"}]}"#,
            "methods[0].http",
            "unknown variant `PUT`",
        ),
        (
            r#"{"family": "pins", "methods": [{"name": "pins.add", "http": "POST", "tier": "tier5"}]}"#,
            "methods[0].tier",
            "unknown variant `tier5`",
        ),
        (
            r#"{"family": "pins", "methods": [{"name": "pins.add", "http": "POST", "tokens": ["bot", "xoxb"]}]}"#,
            "methods[0].tokens[1]",
            "unknown variant `xoxb`",
        ),
        (
            r#"{"family": "pins", "methods": [{"name": "pins.add", "http": "POST", "scopes": {"bots": []}}]}"#,
            "methods[0].scopes.bots",
            "unknown field `bots`",
        ),
        (
            r#"{"family": "pins", "methods": [{"name": "pins.add", "http": "POST",
                "args": [{"name": "x", "type": "json", "encoding": "json"}]}]}"#,
            "methods[0].args[0].encoding",
            "unknown field `encoding`",
        ),
    ] {
        let e = error(&[("methods/pins.json", text)]);
        assert!(e.contains("spec/methods/pins.json"), "{e}");
        assert!(e.contains(at), "expected `{at}` in: {e}");
        assert!(e.contains(said), "expected `{said}` in: {e}");
    }
}
