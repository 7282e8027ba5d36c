//! Identifier conversions: Slack's names to Rust's.

use proc_macro2::{Ident, Span};

/// Rust keywords that must be written as raw identifiers.
const KEYWORDS: &[&str] = &[
    "abstract", "as", "async", "await", "become", "box", "break", "const", "continue", "do", "dyn",
    "else", "enum", "extern", "false", "final", "fn", "for", "gen", "if", "impl", "in", "let",
    "loop", "macro", "match", "mod", "move", "mut", "override", "priv", "pub", "ref", "return",
    "static", "struct", "trait", "true", "try", "type", "typeof", "unsafe", "unsized", "use",
    "virtual", "where", "while", "yield",
];

/// Keywords that cannot be raw identifiers; they get a trailing underscore.
const NOT_RAW: &[&str] = &["crate", "self", "super", "Self", "_"];

/// Splits a name into words at non-alphanumeric characters, at
/// lower-to-upper case changes (`scheduledMessages` -> `scheduled`,
/// `Messages`), and where an acronym ends (`getUploadURLExternal` -> `get`,
/// `Upload`, `URL`, `External`).
pub(crate) fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut prev: Option<char> = None;
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        // The last capital of an acronym starts the next word: `URLExternal`.
        let next_lower = chars.get(i + 1).is_some_and(|n| n.is_ascii_lowercase());
        if let Some(p) = prev
            && c.is_ascii_uppercase()
            && p.is_ascii_uppercase()
            && next_lower
            && !cur.is_empty()
        {
            out.push(std::mem::take(&mut cur));
        }
        if !c.is_ascii_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            prev = None;
            continue;
        }
        if let Some(p) = prev
            && c.is_ascii_uppercase()
            && (p.is_ascii_lowercase() || p.is_ascii_digit())
            && !cur.is_empty()
        {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
        prev = Some(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `scheduledMessages` -> `scheduled_messages`.
pub(crate) fn snake(s: &str) -> String {
    let w: Vec<String> = words(s)
        .into_iter()
        .map(|w| w.to_ascii_lowercase())
        .collect();
    let mut out = w.join("_");
    if out.is_empty() {
        out.push_str("empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, '_');
    }
    out
}

/// `public_channel` -> `PublicChannel`; `postMessage` -> `PostMessage`.
pub(crate) fn camel(s: &str) -> String {
    let mut out = String::new();
    for w in words(s) {
        // `IM` -> `Im`: clippy's upper_case_acronyms wants title case.
        let all_upper = w.len() > 1 && !w.chars().any(|c| c.is_ascii_lowercase());
        let mut cs = w.chars();
        if let Some(f) = cs.next() {
            out.push(f.to_ascii_uppercase());
            if all_upper {
                out.extend(cs.map(|c| c.to_ascii_lowercase()));
            } else {
                out.extend(cs);
            }
        }
    }
    if out.is_empty() {
        out.push_str("Empty");
    }
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        out.insert(0, 'V');
    }
    out
}

/// `chat.postMessage` -> `CHAT_POST_MESSAGE`.
pub(crate) fn screaming(s: &str) -> String {
    snake(s).to_ascii_uppercase()
}

/// An identifier, raw when it is a keyword.
pub(crate) fn ident(s: &str) -> Ident {
    if NOT_RAW.contains(&s) {
        Ident::new(&format!("{s}_"), Span::call_site())
    } else if KEYWORDS.contains(&s) {
        Ident::new_raw(s, Span::call_site())
    } else {
        Ident::new(s, Span::call_site())
    }
}

/// Whether `s` is usable as an identifier as it is.
pub(crate) fn is_ident(s: &str) -> bool {
    let mut cs = s.chars();
    matches!(cs.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && cs.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && s != "_"
}

/// The Rust function name of a method: the dotted parts after the family, in
/// snake case, joined (`chat.scheduledMessages.list` -> `scheduled_messages_list`).
pub(crate) fn method_fn(name: &str) -> String {
    let parts: Vec<&str> = name.split('.').collect();
    let rest = if parts.len() > 1 {
        &parts[1..]
    } else {
        &parts[..]
    };
    rest.iter().map(|p| snake(p)).collect::<Vec<_>>().join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        assert_eq!(
            method_fn("chat.scheduledMessages.list"),
            "scheduled_messages_list"
        );
        assert_eq!(method_fn("oauth.v2.access"), "v2_access");
        assert_eq!(method_fn("users.profile.get"), "profile_get");
        assert_eq!(method_fn("users.lookupByEmail"), "lookup_by_email");
        assert_eq!(
            method_fn("files.getUploadURLExternal"),
            "get_upload_url_external"
        );
        assert_eq!(camel("getUploadURLExternal"), "GetUploadUrlExternal");
        assert_eq!(snake("IMChannel"), "im_channel");
        assert_eq!(snake("URL"), "url");
        assert_eq!(camel("public_channel"), "PublicChannel");
        assert_eq!(camel("v2_user_access"), "V2UserAccess");
        assert_eq!(camel("2fa"), "V2fa");
        assert_eq!(screaming("chat.postMessage"), "CHAT_POST_MESSAGE");
        assert_eq!(snake("is-member"), "is_member");
        assert_eq!(ident("type").to_string(), "r#type");
        assert_eq!(ident("self").to_string(), "self_");
    }
}
