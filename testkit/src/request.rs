//! Turning an HTTP request into Slack's view of it: one argument map and a token.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

/// The kind of credential a request carried, as the fake classifies it.
///
/// Not [`slack_api::spec::TokenKind`], which says what a method accepts:
/// a request may also carry client credentials (`Basic`) or junk (`Invalid`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CredentialKind {
    /// A bot token (`xoxb-`, and a workflow step's `xwfp-`).
    Bot,
    /// A user token (`xoxp-` and the other `xox?-` kinds).
    User,
    /// An app-level token (`xapp-`).
    App,
    /// HTTP Basic with a client id and secret (`oauth.*`).
    Basic,
    /// No credential at all.
    None,
    /// Something that is not a Slack token.
    Invalid,
}

impl CredentialKind {
    /// Classifies a token string the way Slack tells them apart: by prefix.
    pub fn of(token: &str) -> CredentialKind {
        // A workflow step's own token (`xwfp-`) acts as the app's bot.
        if token.starts_with("xoxb-") || token.starts_with("xwfp-") {
            CredentialKind::Bot
        } else if token.starts_with("xapp-") {
            CredentialKind::App
        } else if token.len() > 5 && token.starts_with("xox") && token.as_bytes()[4] == b'-' {
            CredentialKind::User
        } else {
            CredentialKind::Invalid
        }
    }

    /// Short lowercase name (`bot`, `user`, ...), as used in fixtures and the journal.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Bot => "bot",
            CredentialKind::User => "user",
            CredentialKind::App => "app",
            CredentialKind::Basic => "basic",
            CredentialKind::None => "none",
            CredentialKind::Invalid => "invalid",
        }
    }
}

/// A decoded Web API request.
#[derive(Clone)]
pub(crate) struct Decoded {
    /// Slack method name, from `/api/{method}`.
    pub(crate) method: String,
    pub(crate) http_method: String,
    /// Every argument, query, form and JSON body merged; non-string JSON values kept as JSON text.
    pub(crate) args: BTreeMap<String, String>,
    pub(crate) token: Option<String>,
    pub(crate) token_kind: CredentialKind,
    /// True when the body was neither a form, JSON, nor empty (or failed to parse).
    pub(crate) body_error: Option<String>,
}

/// Renders a JSON value as the string Slack would see in a form.
pub(crate) fn value_to_arg(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Array(items) if items.iter().all(|i| !i.is_object() && !i.is_array()) => {
            items.iter().map(value_to_arg).collect::<Vec<_>>().join(",")
        }
        other => other.to_string(),
    }
}

/// The request's `Content-Type`, as sent (empty when absent).
pub(crate) fn content_type(req: &wiremock::Request) -> &str {
    req.headers
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

pub(crate) fn decode(req: &wiremock::Request) -> Decoded {
    let method = req
        .url
        .path()
        .strip_prefix("/api/")
        .unwrap_or("")
        .trim_end_matches('/')
        .to_string();
    let mut args = BTreeMap::new();
    for (k, v) in req.url.query_pairs() {
        args.insert(k.into_owned(), v.into_owned());
    }
    let content_type = content_type(req).to_ascii_lowercase();
    let mut body_error = None;
    let body = &req.body;
    let looks_json = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{');
    if content_type.starts_with("application/json") || (content_type.is_empty() && looks_json) {
        if !body.is_empty() {
            match serde_json::from_slice::<Value>(body) {
                Ok(Value::Object(map)) => {
                    for (k, v) in map {
                        args.insert(k, value_to_arg(&v));
                    }
                }
                Ok(_) => body_error = Some("JSON body is not an object".into()),
                Err(e) => body_error = Some(format!("JSON body does not parse: {e}")),
            }
        }
    } else if content_type.starts_with("multipart/") {
        // File uploads: arguments other than files still count, but we only read the query.
    } else {
        for (k, v) in url::form_urlencoded::parse(body) {
            args.insert(k.into_owned(), v.into_owned());
        }
    }

    let header = req
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::trim);
    let (token, token_kind) = match header {
        Some(h) if h.len() > 7 && h[..7].eq_ignore_ascii_case("bearer ") => {
            let t = h[7..].trim().to_string();
            let kind = CredentialKind::of(&t);
            (Some(t), kind)
        }
        Some(h) if h.len() > 6 && h[..6].eq_ignore_ascii_case("basic ") => {
            match basic_credentials(&h[6..]) {
                Some(_) => (None, CredentialKind::Basic),
                None => (None, CredentialKind::Invalid),
            }
        }
        Some(_) => (None, CredentialKind::Invalid),
        None => match args.remove("token") {
            Some(t) => {
                let kind = CredentialKind::of(&t);
                (Some(t), kind)
            }
            None if args.contains_key("client_id") && args.contains_key("client_secret") => {
                (None, CredentialKind::Basic)
            }
            None => (None, CredentialKind::None),
        },
    };
    // A token sent both ways: the header wins, the argument is not an argument.
    args.remove("token");
    Decoded {
        method,
        http_method: req.method.to_string(),
        args,
        token,
        token_kind,
        body_error,
    }
}

/// Client id and secret from an HTTP Basic header value.
fn basic_credentials(encoded: &str) -> Option<(String, String)> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    if id.is_empty() || secret.is_empty() {
        return None;
    }
    Some((id.to_string(), secret.to_string()))
}

/// Whether a request argument means the same as an expected JSON value.
///
/// A request argument is text (a query or form field, or a JSON body value
/// rendered by [`value_to_arg`]); the fixture's value says how to read it:
///
/// - a string compares as text; when it holds a JSON object or array
///   (`blocks`, `attachments` written as text) the two compare as JSON, and a
///   JSON array sent as text matches the comma list with the same items;
/// - a number matches the same number in any spelling (`5`, `"5"`, `"5.0"`);
/// - a boolean matches `true`/`false` and `1`/`0`;
/// - an array of scalars matches a comma list (`U1,U2`, spaces around items
///   ignored) or a JSON array, item by item with these rules; an array or
///   object holding objects matches JSON with the same meaning (numbers
///   compare by value, key order does not matter);
/// - `null` matches an empty argument (a missing one is checked by the caller).
pub(crate) fn arg_matches(actual: &str, expected: &Value) -> bool {
    match expected {
        Value::String(s) => {
            s == actual
                || match (parse_json(s), parse_json(actual)) {
                    (Some(a @ (Value::Object(_) | Value::Array(_))), Some(b)) => same_json(&a, &b),
                    (None, Some(Value::Array(items))) if !s.trim_start().starts_with('[') => {
                        scalar_items(&items).is_some_and(|items| items.join(",") == *s)
                    }
                    _ => false,
                }
        }
        Value::Bool(b) => parse_bool(actual) == Some(*b),
        Value::Number(n) => number_matches(n, actual),
        Value::Array(want) => {
            parse_json(actual).is_some_and(|v| match &v {
                Value::Array(got) => {
                    same_json(&v, expected)
                        || (want.len() == got.len()
                            && want.iter().zip(got).all(|(w, g)| {
                                !w.is_object() && !w.is_array() && arg_matches(&value_to_arg(g), w)
                            }))
                }
                _ => false,
            }) || value_to_arg(expected) == actual
                || (want.iter().all(|w| !w.is_object() && !w.is_array())
                    && comma_list_matches(actual, want))
        }
        Value::Object(_) => parse_json(actual).is_some_and(|v| same_json(&v, expected)),
        Value::Null => actual.is_empty(),
    }
}

/// Slack's reading of a boolean argument: `true`/`false` or `1`/`0`.
pub(crate) fn parse_bool(v: &str) -> Option<bool> {
    match v.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

fn parse_json(s: &str) -> Option<Value> {
    serde_json::from_str(s).ok()
}

/// The items of a JSON array of scalars as form text, `None` if one is not a scalar.
fn scalar_items(items: &[Value]) -> Option<Vec<String>> {
    items
        .iter()
        .map(|i| (!i.is_object() && !i.is_array()).then(|| value_to_arg(i)))
        .collect()
}

fn comma_list_matches(actual: &str, want: &[Value]) -> bool {
    if actual.trim().is_empty() {
        return want.is_empty();
    }
    let got: Vec<&str> = actual.split(',').map(str::trim).collect();
    got.len() == want.len() && want.iter().zip(got).all(|(w, g)| arg_matches(g, w))
}

fn number_matches(n: &serde_json::Number, actual: &str) -> bool {
    let t = actual.trim();
    if let (Some(a), Ok(b)) = (n.as_i64(), t.parse::<i64>()) {
        return a == b;
    }
    if let (Some(a), Ok(b)) = (n.as_u64(), t.parse::<u64>()) {
        return a == b;
    }
    match (n.as_f64(), t.parse::<f64>()) {
        (Some(a), Ok(b)) => b.is_finite() && a == b,
        _ => false,
    }
}

/// JSON equality by meaning: numbers compare by value (`1` and `1.0`), objects
/// regardless of key order, everything else exactly.
pub(crate) fn same_json(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            x == y
                || match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                    (Some(x), Some(y), _, _) => x == y,
                    (_, _, Some(x), Some(y)) => x == y,
                    _ => x.as_f64().is_some_and(|x| y.as_f64() == Some(x)),
                }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_json(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, xv)| y.get(k).is_some_and(|yv| same_json(xv, yv)))
        }
        (x, y) => x == y,
    }
}
