//! Checking a request against the spec the way Slack does, before answering it.

use std::collections::BTreeMap;

use serde_json::{Value, json};
use slack_api::spec::{ArgKind, MethodSpec, TokenKind as SpecToken};

use crate::request::TokenKind;

/// Methods Slack answers without any token.
const TOKENLESS: &[&str] = &["api.test"];

/// Checks credentials: `Err(body)` when Slack would refuse them.
pub(crate) fn check_auth(
    method: &str,
    spec: Option<&MethodSpec>,
    kind: TokenKind,
) -> Result<(), Value> {
    let accepts_none = TOKENLESS.contains(&method)
        || spec.is_some_and(|s| s.tokens.contains(&SpecToken::None))
        || (spec.is_none() && method.starts_with("oauth."));
    let wanted = match kind {
        TokenKind::Invalid => return Err(error("invalid_auth")),
        TokenKind::None if accepts_none => return Ok(()),
        TokenKind::None => return Err(error("not_authed")),
        TokenKind::Basic if accepts_none => return Ok(()),
        TokenKind::Basic => return Err(error("invalid_auth")),
        TokenKind::Bot => SpecToken::Bot,
        TokenKind::User => SpecToken::User,
        TokenKind::App => SpecToken::App,
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

pub(crate) fn error(code: &str) -> Value {
    json!({"ok": false, "error": code})
}

fn with_message(code: &str, msg: String) -> Value {
    json!({"ok": false, "error": code, "response_metadata": {"messages": [msg]}})
}
