//! Checking a request against the spec the way Slack does, before answering it.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use slack_api::block_kit::{Block, Check};
use slack_api::drift::DriftKind;
use slack_api::spec::{ArgKind, MethodSpec, TokenKind};

use crate::request::CredentialKind;

/// Methods Slack answers without any token.
const TOKENLESS: &[&str] = &["api.test"];

/// Checks credentials: `Err(body)` when Slack would refuse them.
pub(crate) fn check_auth(
    method: &str,
    spec: Option<&MethodSpec>,
    kind: CredentialKind,
) -> Result<(), Value> {
    let accepts_none = TOKENLESS.contains(&method)
        || spec.is_some_and(|s| s.tokens.contains(&TokenKind::None))
        || (spec.is_none() && method.starts_with("oauth."));
    let wanted = match kind {
        CredentialKind::Invalid => return Err(error("invalid_auth")),
        CredentialKind::None if accepts_none => return Ok(()),
        CredentialKind::None => return Err(error("not_authed")),
        CredentialKind::Basic if accepts_none => return Ok(()),
        CredentialKind::Basic => return Err(error("invalid_auth")),
        CredentialKind::Bot => TokenKind::Bot,
        CredentialKind::User => TokenKind::User,
        CredentialKind::App => TokenKind::App,
    };
    match spec {
        Some(s) if !s.tokens.is_empty() && !s.tokens.contains(&wanted) && !accepts_none => {
            Err(error("not_allowed_token_type"))
        }
        _ => Ok(()),
    }
}

/// Checks required arguments and argument kinds.
pub(crate) fn check_args(spec: &MethodSpec, args: &BTreeMap<String, String>) -> Result<(), Value> {
    // A `token` argument is read as the caller's token (`request::decode`
    // takes it out of the arguments), and checked as such.
    for a in spec.args.iter().filter(|a| a.name != "token") {
        match args.get(a.name) {
            None if a.required => {
                // Slack answers `missing_argument` where the method documents it,
                // `invalid_arguments` with a message elsewhere.
                let code = if spec.errors.contains(&"missing_argument") {
                    "missing_argument"
                } else {
                    "invalid_arguments"
                };
                return Err(with_message(
                    code,
                    format!("[ERROR] missing required field: {}", a.name),
                ));
            }
            Some(v) if !kind_ok(a.kind, v) => {
                return Err(with_message(
                    "invalid_arguments",
                    format!(
                        "[ERROR] invalid type for field: {} (expected {})",
                        a.name,
                        kind_name(a.kind)
                    ),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

fn kind_ok(kind: ArgKind, v: &str) -> bool {
    match kind {
        ArgKind::String | ArgKind::List => true,
        ArgKind::Integer => v.trim().parse::<i64>().is_ok(),
        ArgKind::Number => v.trim().parse::<f64>().is_ok_and(f64::is_finite),
        ArgKind::Boolean => crate::request::parse_bool(v).is_some(),
        ArgKind::Json => serde_json::from_str::<Value>(v).is_ok(),
    }
}

fn kind_name(kind: ArgKind) -> &'static str {
    match kind {
        ArgKind::String => "string",
        ArgKind::Integer => "integer",
        ArgKind::Number => "number",
        ArgKind::Boolean => "boolean",
        ArgKind::List => "list",
        ArgKind::Json => "json",
    }
}

/// Checks the Block Kit a message or view carries, as Slack does: every
/// block of a known type with its required fields, within the documented
/// limits (a type the spec does not know passes: it may be newer than the
/// spec). The first problem is answered with a JSON pointer to it.
pub(crate) fn check_blocks(method: &str, args: &BTreeMap<String, String>) -> Result<(), Value> {
    let (arg, code) = match method {
        "chat.postMessage" | "chat.postEphemeral" | "chat.update" | "chat.scheduleMessage" => {
            ("blocks", "invalid_blocks")
        }
        "views.open" | "views.push" | "views.update" | "views.publish" => {
            ("view", "invalid_arguments")
        }
        _ => return Ok(()),
    };
    let Some(Ok(value)) = args.get(arg).map(|v| serde_json::from_str::<Value>(v)) else {
        return Ok(());
    };
    let (blocks, at) = match (arg, &value) {
        ("blocks", Value::Array(items)) => (items, String::from("/blocks")),
        ("view", Value::Object(v)) => match v.get("blocks") {
            Some(Value::Array(items)) => (items, String::from("/view/blocks")),
            _ => return Ok(()),
        },
        _ => return Ok(()),
    };
    for (i, raw) in blocks.iter().enumerate() {
        // A type the spec does not know may be newer than the spec: Slack
        // may know it, so it passes. A known block that does not decode
        // (a required field missing, or of the wrong shape) does not.
        let (decoded, findings) =
            slack_api::drift::collect(|| serde_json::from_value::<Block>(raw.clone()));
        let unreadable = findings.iter().any(|f| f.kind() == DriftKind::DecodeError);
        let problem = match decoded {
            Err(_) => Some((format!("{at}/{i}"), "not a block object".to_owned())),
            Ok(_) if unreadable => Some((
                format!("{at}/{i}"),
                match raw.get("type").and_then(Value::as_str) {
                    Some(t) => format!("invalid `{t}` block"),
                    None => "missing required field: type".to_owned(),
                },
            )),
            Ok(Block::Unknown(_)) if raw.get("type").and_then(Value::as_str).is_none() => Some((
                format!("{at}/{i}"),
                "missing required field: type".to_owned(),
            )),
            Ok(block) => block.limit_errors("").first().map(|e| {
                (
                    format!("{at}/{i}{}", pointer(e.path())),
                    e.message().to_owned(),
                )
            }),
        };
        if let Some((pointer, message)) = problem {
            return Err(with_message(
                code,
                format!("[ERROR] {message} [json-pointer:{pointer}]"),
            ));
        }
    }
    Ok(())
}

/// `.text[2].label` (a limit's path below the block) as `/text/2/label`.
fn pointer(path: &str) -> String {
    path.replace('[', ".")
        .replace(']', "")
        .split('.')
        .filter(|s| !s.is_empty())
        .map(|s| format!("/{s}"))
        .collect()
}

pub(crate) fn error(code: &str) -> Value {
    json!({"ok": false, "error": code})
}

fn with_message(code: &str, msg: String) -> Value {
    json!({"ok": false, "error": code, "response_metadata": {"messages": [msg]}})
}
