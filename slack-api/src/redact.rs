//! Keeping secrets out of output: the [`Secret`] type, and the scrubbing
//! of tokens and secret URLs from text that came from elsewhere (response
//! bodies, server error messages) before it reaches an error or a log.

use std::fmt;
use std::sync::Arc;

use serde::de::{Deserialize, Deserializer};

const REDACTED: &str = "[redacted]";

/// A token, client secret, signing secret, refresh token or websocket URL.
///
/// `Debug` and `Display` print `[redacted]`, so a struct holding one can
/// derive `Debug` safely. The value itself is only reachable through
/// [`expose`](Self::expose), which makes every place that sends it easy to
/// find. Cheap to clone.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Secret(Arc<str>);

impl Secret {
    /// Wraps a secret value.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into().into())
    }

    /// The secret itself, for sending it where it belongs.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// Whether the value is empty (no secret was given).
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({REDACTED})")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(REDACTED)
    }
}

impl Default for Secret {
    fn default() -> Self {
        Self::new("")
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self::new(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self::new(value)
    }
}

impl From<&Secret> for Secret {
    fn from(value: &Secret) -> Self {
        value.clone()
    }
}

impl From<&String> for Secret {
    fn from(value: &String) -> Self {
        Self::new(value.as_str())
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d).map(Self::new)
    }
}

/// Replaces anything that looks like a Slack token (`xoxb-…`, `xoxp-…`,
/// `xapp-…`, `xoxe.xoxp-…`, …) with a placeholder, so error messages and
/// logs built from bodies never carry one (OAuth responses contain tokens).
pub(crate) fn redact_tokens(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = find_token_start(rest) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let prefix_len = tail.find('-').map_or(tail.len(), |d| d + 1);
        let body_len = tail[prefix_len..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
            .unwrap_or(tail.len() - prefix_len);
        out.push_str(&tail[..prefix_len]);
        out.push_str(REDACTED);
        rest = &tail[prefix_len + body_len..];
    }
    out.push_str(rest);
    out
}

/// [`redact_tokens`] over each string, for lists taken from a body.
pub(crate) fn redact_all(items: Vec<String>) -> Vec<String> {
    items.iter().map(|s| redact_tokens(s)).collect()
}

fn find_token_start(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    (0..bytes.len()).find(|&i| {
        let t = &bytes[i..];
        (t.starts_with(b"xox") && t.len() > 4 && t[3].is_ascii_alphabetic() && t[4] == b'-')
            || t.starts_with(b"xapp-")
    })
}

/// Shows scheme, host and path with the last path segment (the secret of
/// webhook and response URLs) replaced by `***`, and no query.
pub(crate) fn redact_url(url: &str) -> String {
    let Ok(parsed) = url::Url::parse(url) else {
        return REDACTED.to_owned();
    };
    let mut segments: Vec<&str> = parsed
        .path_segments()
        .map(Iterator::collect)
        .unwrap_or_default();
    if let Some(last) = segments.last_mut().filter(|s| !s.is_empty()) {
        *last = "***";
    }
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    format!(
        "{}://{}{port}/{}",
        parsed.scheme(),
        parsed.host_str().unwrap_or(""),
        segments.join("/")
    )
}

/// `[redacted]` for a non-empty value, for `Debug` of plain-string fields.
pub(crate) fn redacted(value: &str) -> &'static str {
    if value.is_empty() { "" } else { REDACTED }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_in_text() {
        assert_eq!(redact_tokens("a xoxb-12-ab_c d"), "a xoxb-[redacted] d");
        assert_eq!(redact_tokens("xapp-1-A-2\"x"), "xapp-[redacted]\"x");
        assert_eq!(redact_tokens("xox- xoxo"), "xox- xoxo");
        assert_eq!(
            redact_tokens("Bearer xoxe.xoxp-1-abc"),
            "Bearer xoxe.xoxp-[redacted]"
        );
    }

    #[test]
    fn secret_never_prints() {
        let s = Secret::new("xoxb-very-secret");
        assert_eq!(format!("{s:?}"), "Secret([redacted])");
        assert_eq!(s.to_string(), "[redacted]");
        assert_eq!(s.expose(), "xoxb-very-secret");
        #[derive(Debug)]
        #[allow(dead_code)]
        struct Holder {
            token: Secret,
        }
        let shown = format!("{:?}", Holder { token: s });
        assert!(!shown.contains("very-secret"), "{shown}");
    }
}
