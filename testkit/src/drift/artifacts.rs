//! Findings that Slack's merged reference samples produce and no real payload
//! has, tolerated by `slack-drift --samples` ([`Report::for_samples`]).
//!
//! Each java-slack-sdk sample merges every example Slack documents into one
//! JSON value: an `actions` block carries every element type, rich text ones
//! too, and a rich text list or section holds every rich text piece. A rule
//! here names one such shape narrowly: the finding's kind, how its path ends,
//! what was expected there and the value seen. Only `--samples` applies them;
//! real traffic with the same shape is still drift.
//! `spec/bootstrap/check.py` tolerates the same shapes in its own walk of the
//! samples ("block kit sample artifacts tolerated").
//!
//! [`Report::for_samples`]: super::Report::for_samples

use slack_api::block_kit::{RichTextElement, RichTextInline};
use slack_api::drift::{DriftKind, Finding};

/// One shape of finding the merged samples produce.
#[derive(Debug)]
#[non_exhaustive]
pub struct Artifact {
    /// A short name, printed with how many findings it tolerated.
    pub name: &'static str,
    /// The finding's kind.
    pub kind: DriftKind,
    /// How the finding's path ends (`[]` is any array element).
    pub path_end: &'static str,
    /// What the finding says was expected there: a union's tag field, or the
    /// variant that did not decode.
    pub expected: &'static str,
    /// Whether the value seen fits: a tag (as JSON text), or a decode
    /// error's message.
    pub example: fn(&str) -> bool,
}

/// Every tolerated shape, in the order the report prints them.
pub static ARTIFACTS: &[Artifact] = &[
    // The merged `actions` block lists every element type, rich text ones too.
    Artifact {
        name: "rich text element in an actions block",
        kind: DriftKind::UnknownTag,
        path_end: "blocks[].elements[]",
        expected: "Element.type",
        example: is_rich_text_element,
    },
    // Merged sections, quotes and code blocks hold every rich text element, lists too.
    Artifact {
        name: "rich text element among inline pieces",
        kind: DriftKind::UnknownTag,
        path_end: "elements[].elements[]",
        expected: "RichTextInline.type",
        example: is_rich_text_element,
    },
    // A merged list's items are inline pieces; Slack's are always sections.
    Artifact {
        name: "inline piece as a list item",
        kind: DriftKind::UnknownTag,
        path_end: "elements[].elements[]",
        expected: "RichTextElement.type",
        example: is_inline_piece,
    },
    // The Events API samples' overflow placeholder has no options; Slack requires 1 to 5.
    Artifact {
        name: "overflow without options",
        kind: DriftKind::DecodeError,
        path_end: "blocks[].elements[]",
        expected: "Element::overflow",
        example: |e| e == "missing field `options`",
    },
    // The RTM samples' date piece predates its required `format`.
    Artifact {
        name: "rich text date without format",
        kind: DriftKind::DecodeError,
        path_end: "elements[].elements[]",
        expected: "RichTextInline::date",
        example: |e| e == "missing field `format`",
    },
];

impl Artifact {
    /// The rule `finding` matches, if any.
    pub fn matching(finding: &Finding) -> Option<&'static Artifact> {
        ARTIFACTS.iter().find(|a| {
            a.kind == finding.kind()
                && finding.path().ends_with(a.path_end)
                && a.expected == finding.expected()
                && (a.example)(finding.example())
        })
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
