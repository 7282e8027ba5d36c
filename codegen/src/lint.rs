//! Spec text that says nothing, rejected by `lower`: a field doc that only
//! restates the field's name, and a family type whose name repeats the
//! family's (`conversations::ConversationsListInvite`).

use crate::names::{camel, words};

/// Words a doc may add without saying anything more.
const ARTICLES: &[&str] = &["a", "an", "the"];

/// Abbreviations in field names a doc may spell out, still saying nothing.
const SPELLED_OUT: &[(&str, &str)] = &[
    ("id", "identifier"),
    ("ids", "identifiers"),
    ("ts", "timestamp"),
    ("prefs", "preferences"),
    ("msg", "message"),
    ("num", "number"),
];

/// Whether `doc` only restates the field name `name`: lowercased, split into
/// words at anything that is not a letter or digit (and at case changes),
/// and without articles, it is the name's words, each abbreviation spelled
/// out or not (`/// Identifier.` on `id`, `/// The user ID.` on `user_id`).
pub(crate) fn restates(name: &str, doc: &str) -> bool {
    let lower = |s: &str| -> Vec<String> {
        words(s)
            .into_iter()
            .map(|w| w.to_ascii_lowercase())
            .filter(|w| !ARTICLES.contains(&w.as_str()))
            .collect()
    };
    let doc = lower(doc);
    let name = lower(name);
    doc.len() == name.len()
        && doc.iter().zip(&name).all(|(d, n)| {
            d == n
                || SPELLED_OUT
                    .iter()
                    .any(|(short, long)| n == short && (d == long || d == short))
        })
}

/// Whether a type name of family `family` starts with the family's name as
/// a whole word (`ConversationsListInvite` in `conversations`, but not
/// `Reaction` in `reactions`).
pub(crate) fn stutters(family: &str, name: &str) -> bool {
    name.strip_prefix(&camel(family))
        .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restating_docs() {
        for (name, doc) in [
            ("id", "Identifier."),
            ("id", "The ID."),
            ("name", "Name."),
            ("user_id", "User identifier."),
            ("is_archived", "Is archived."),
            ("thread_ts", "Thread timestamp."),
            ("reply_to", "Reply to."),
        ] {
            assert!(restates(name, doc), "{name}: {doc}");
        }
        for (name, doc) in [
            ("id", "The user's ID."),
            ("name", "Name of the channel, without the leading #."),
            ("is_archived", "Whether it is archived."),
            ("ts", "When it was posted."),
        ] {
            assert!(!restates(name, doc), "{name}: {doc}");
        }
    }

    #[test]
    fn stuttering_names() {
        assert!(stutters("conversations", "ConversationsListInvite"));
        assert!(stutters("slack_lists", "SlackListsItem"));
        assert!(!stutters("reactions", "Reaction"));
        assert!(!stutters("chat", "Chatter"));
    }
}
