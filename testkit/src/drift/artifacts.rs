//! Findings that Slack's merged reference samples produce and no real payload
//! has, tolerated by `slack-drift --samples` ([`Report::for_samples`]).
//!
//! Each java-slack-sdk sample merges every example Slack documents into one
//! JSON value: an `actions` block carries every element type, rich text ones
//! too, and a rich text list or section holds every rich text piece. A rule
//! here names one such shape narrowly: the finding's kind, how its path ends,
//! what was expected there and whether the finding fits (the value seen, or
//! the key). Only `--samples` applies them; real traffic with the same shape
//! is still drift.
//! `spec/bootstrap/check.py` tolerates the same Block Kit shapes in its own
//! walk of the samples ("block kit sample artifacts tolerated"); it does not
//! walk the `app-backend` samples, which the last two rules are for.
//!
//! [`Report::for_samples`]: super::Report::for_samples

use slack_api::block_kit::{RichTextElement, RichTextInline};
use slack_api::drift::{DriftKind, Finding};
use slack_api::types::File;

/// One shape of finding the merged samples produce.
#[derive(Debug)]
#[non_exhaustive]
pub struct Artifact {
    /// A short name, printed with how many findings it tolerated.
    pub name: &'static str,
    /// The finding's kind.
    pub kind: DriftKind,
    /// How the finding's path ends (`[]` is any array element; a last `.*`
    /// is any one key, for an ignored field).
    pub path_end: &'static str,
    /// What the finding says was expected there: a union's tag field, the
    /// variant or type that did not decode, or nothing (an ignored field).
    pub expected: &'static str,
    /// Whether the finding fits: by its example, the value seen (a tag as
    /// JSON text, or a decode error's message), or by its path's last key.
    pub fits: fn(&Finding) -> bool,
}

/// Every tolerated shape, in the order the report prints them.
pub static ARTIFACTS: &[Artifact] = &[
    // The merged `actions` block lists every element type, rich text ones too.
    Artifact {
        name: "rich text element in an actions block",
        kind: DriftKind::UnknownTag,
        path_end: "blocks[].elements[]",
        expected: "Element.type",
        fits: |f| is_rich_text_element(f.example()),
    },
    // Merged sections, quotes and code blocks hold every rich text element, lists too.
    Artifact {
        name: "rich text element among inline pieces",
        kind: DriftKind::UnknownTag,
        path_end: "elements[].elements[]",
        expected: "RichTextInline.type",
        fits: |f| is_rich_text_element(f.example()),
    },
    // A merged list's items are inline pieces; Slack's are always sections.
    Artifact {
        name: "inline piece as a list item",
        kind: DriftKind::UnknownTag,
        path_end: "elements[].elements[]",
        expected: "RichTextElement.type",
        fits: |f| is_inline_piece(f.example()),
    },
    // The Events API and app-backend overflow placeholders have no options; Slack requires 1 to 5.
    Artifact {
        name: "overflow without options",
        kind: DriftKind::DecodeError,
        path_end: "blocks[].elements[]",
        expected: "Element::overflow",
        fits: |f| f.example() == "missing field `options`",
    },
    // The RTM samples' date piece predates its required `format`.
    Artifact {
        name: "rich text date without format",
        kind: DriftKind::DecodeError,
        path_end: "elements[].elements[]",
        expected: "RichTextInline::date",
        fits: |f| f.example() == "missing field `format`",
    },
    // The app-backend samples' message has a file comment merged with the file's own fields.
    Artifact {
        name: "file fields in a message's comment",
        kind: DriftKind::IgnoredField,
        path_end: "message.comment.*",
        expected: "",
        fits: |f| f.path().rsplit('.').next().is_some_and(is_file_field),
    },
    // The slash command sample leaves every field empty; Slack always fills the required ones.
    Artifact {
        name: "empty required slash command fields",
        kind: DriftKind::DecodeError,
        path_end: "",
        expected: "SlashCommand",
        fits: |f| f.example() == r#""""#,
    },
];

impl Artifact {
    /// The rule `finding` matches, if any.
    pub fn matching(finding: &Finding) -> Option<&'static Artifact> {
        ARTIFACTS.iter().find(|a| {
            a.kind == finding.kind()
                && path_ends(finding.path(), a.path_end)
                && a.expected == finding.expected()
                && (a.fits)(finding)
        })
    }
}

/// Whether `path` ends with `end`, whose last `.*` stands for any one key.
fn path_ends(path: &str, end: &str) -> bool {
    match end.strip_suffix(".*") {
        Some(holder) => path
            .rsplit_once('.')
            .is_some_and(|(parent, _)| parent.ends_with(holder)),
        None => path.ends_with(end),
    }
}

/// Whether the generated decoder knows `tag` (JSON text): decoding
/// `{"type": tag}` with it reports no unknown tag (a known one only lacks
/// its fields). Asking the decoder keeps the rules in step with the spec.
fn knows_tag(tag: &str, decode: fn(&str)) -> bool {
    let Ok(tag) = serde_json::from_str::<String>(tag) else {
        return false;
    };
    let probe = serde_json::json!({ "type": tag }).to_string();
    let ((), findings) = slack_api::drift::collect(|| decode(&probe));
    !findings.iter().any(|f| f.kind() == DriftKind::UnknownTag)
}

/// A tag of the spec's `RichTextElement` (`"rich_text_list"`, ...).
fn is_rich_text_element(tag: &str) -> bool {
    knows_tag(tag, |p| drop(RichTextElement::from_json(p)))
}

/// A tag of the spec's `RichTextInline` (`"broadcast"`, `"text"`, ...).
fn is_inline_piece(tag: &str) -> bool {
    knows_tag(tag, |p| drop(RichTextInline::from_json(p)))
}

/// A key the spec's `File` has: decoding `{key: null}` as one ignores nothing.
fn is_file_field(key: &str) -> bool {
    let probe = serde_json::json!({ key: null }).to_string();
    let (_, findings) = slack_api::drift::collect(|| slack_api::de::from_str::<File>(&probe));
    !findings.iter().any(|f| f.kind() == DriftKind::IgnoredField)
}
