//! What a listener matches: an exact id or command, text contained in a
//! message, or (with the `regex` feature) a regular expression.

/// Matches ids (`action_id`, `block_id`, `callback_id`) and message text.
///
/// From a `&str` or `String` it is [`Pattern::Exact`] for ids; the message
/// listener reads a plain string as [`Pattern::Contains`] instead.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub enum Pattern {
    /// Equal to this string.
    Exact(String),
    /// Contains this string.
    Contains(String),
    /// Anything.
    Any,
    /// Matches this regular expression.
    #[cfg(feature = "regex")]
    Regex(regex::Regex),
}

impl Pattern {
    /// Whether `s` matches.
    pub fn matches(&self, s: &str) -> bool {
        match self {
            Pattern::Exact(p) => p == s,
            Pattern::Contains(p) => s.contains(p.as_str()),
            Pattern::Any => true,
            #[cfg(feature = "regex")]
            Pattern::Regex(r) => r.is_match(s),
        }
    }

    /// A plain string becomes "contains"; other patterns stay as they are.
    pub(crate) fn for_text(self) -> Self {
        match self {
            Pattern::Exact(p) => Pattern::Contains(p),
            p => p,
        }
    }
}

impl From<&str> for Pattern {
    fn from(s: &str) -> Self {
        Pattern::Exact(s.to_owned())
    }
}

impl From<String> for Pattern {
    fn from(s: String) -> Self {
        Pattern::Exact(s)
    }
}

#[cfg(feature = "regex")]
impl From<regex::Regex> for Pattern {
    fn from(r: regex::Regex) -> Self {
        Pattern::Regex(r)
    }
}

#[cfg(test)]
mod tests {
    use super::Pattern;

    #[test]
    fn strings_are_exact_for_ids_and_contained_for_text() {
        assert!(Pattern::from("approve").matches("approve"));
        assert!(!Pattern::from("approve").matches("approve_all"));
        let text = Pattern::from("deploy").for_text();
        assert!(text.matches("please deploy now"));
        assert!(!text.matches("Deploy"), "case matters, as in Slack's ids");
        assert!(Pattern::Any.matches(""));
    }

    #[cfg(feature = "regex")]
    #[test]
    fn regexes_match_as_they_say_for_ids_and_text() {
        let ids = Pattern::from(regex::Regex::new("^approve_[0-9]+$").unwrap());
        assert!(ids.matches("approve_42"));
        assert!(!ids.matches("approve_x"));
        let text = Pattern::from(regex::Regex::new("(?i)deploy").unwrap()).for_text();
        assert!(
            text.matches("Deploy the api"),
            "a regex stays a regex for text"
        );
    }
}
