//! What counts as a secret in a request or a body, and scrubbing it: shared
//! by the recorder (which must never write one) and the fixture-miss reports
//! (which must never print one).

pub(crate) const REDACTED: &str = "REDACTED";
/// Keys whose string values are secrets whatever they look like.
pub(crate) const SECRET_KEYS: &[&str] = &[
    "client_secret",
    "signing_secret",
    "verification_token",
    "secret",
    "password",
    "code",
];

/// Replaces secrets in a string: tokens keep their prefix (`xoxb-REDACTED`),
/// Slack hook URLs keep their host.
pub fn scrub_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while !rest.is_empty() {
        if let Some(len) = token_at(rest) {
            // Both `xox?-` and `xapp-` prefixes are five bytes long.
            out.push_str(&rest[..5]);
            out.push_str(REDACTED);
            rest = &rest[len..];
        } else if let Some(len) = hook_at(rest) {
            out.push_str("https://hooks.slack.com/");
            out.push_str(REDACTED);
            rest = &rest[len..];
        } else {
            let ch = rest.chars().next().expect("non-empty");
            out.push(ch);
            rest = &rest[ch.len_utf8()..];
        }
    }
    out
}

fn is_token_char(c: u8) -> bool {
    c.is_ascii_alphanumeric() || c == b'-'
}

/// Length of a live token at the start of `s` (not one already redacted).
pub(crate) fn token_at(s: &str) -> Option<usize> {
    let b = s.as_bytes();
    let is_xox = b.len() > 5 && b.starts_with(b"xox") && b[3].is_ascii_lowercase() && b[4] == b'-';
    if !is_xox && !s.starts_with("xapp-") {
        return None;
    }
    // Both prefixes are five bytes long.
    let prefix = 5;
    let len = prefix
        + b[prefix..]
            .iter()
            .take_while(|c| is_token_char(**c))
            .count();
    let body = &s[prefix..len];
    (!body.is_empty() && body != REDACTED).then_some(len)
}

/// Length of a live Slack hook URL (webhooks, response URLs) at the start of `s`.
pub(crate) fn hook_at(s: &str) -> Option<usize> {
    const HOST: &str = "https://hooks.slack.com/";
    if !s.starts_with(HOST) {
        return None;
    }
    let len = HOST.len()
        + s.as_bytes()[HOST.len()..]
            .iter()
            .take_while(|c| !c.is_ascii_whitespace() && **c != b'"')
            .count();
    (s[HOST.len()..len] != *REDACTED && len > HOST.len()).then_some(len)
}

/// Whether an argument of this name holds a secret whatever its value looks like.
pub(crate) fn is_secret_arg(name: &str) -> bool {
    SECRET_KEYS.contains(&name.to_ascii_lowercase().as_str())
}
