//! Slack's documented Block Kit limits (text lengths, item counts), checked
//! before a request is sent: Slack answers `invalid_blocks` without saying
//! which block, so the client says it first, with the path of the field.

use std::collections::BTreeMap;
use std::fmt;

use crate::block_kit::{Mrkdwn, PlainText, Text};

/// Where a value sits in a request argument: `blocks[2].accessory.text`.
#[derive(Debug, Clone, Copy)]
pub struct Path<'a> {
    parent: Option<&'a Path<'a>>,
    segment: Segment<'a>,
}

#[derive(Debug, Clone, Copy)]
enum Segment<'a> {
    Key(&'a str),
    Index(usize),
}

impl<'a> Path<'a> {
    /// The path of a whole argument (`blocks`, `view`).
    pub fn root(name: &'a str) -> Path<'a> {
        Path {
            parent: None,
            segment: Segment::Key(name),
        }
    }

    /// The path of a field of the value at `self`.
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Key(key),
        }
    }

    /// The path of an item of the list at `self`.
    pub fn index(&'a self, i: usize) -> Path<'a> {
        Path {
            parent: Some(self),
            segment: Segment::Index(i),
        }
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.parent {
            p.fmt(f)?;
        }
        match (self.parent, self.segment) {
            (_, Segment::Index(i)) => write!(f, "[{i}]"),
            (None, Segment::Key(k)) => f.write_str(k),
            (Some(_), Segment::Key(k)) => write!(f, ".{k}"),
        }
    }
}

/// A value over one of Slack's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LimitError {
    path: String,
    message: String,
}

impl LimitError {
    pub(crate) fn new(path: impl fmt::Display, message: impl Into<String>) -> LimitError {
        LimitError {
            path: path.to_string(),
            message: message.into(),
        }
    }

    /// Where the value is (`blocks[2].accessory.text`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// What is wrong with it.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for LimitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for LimitError {}

/// A value whose limits can be checked: every Block Kit type, and the
/// lists, maps and options holding them.
pub trait Check {
    /// Appends to `out` every limit the value, found at `at`, goes over.
    fn check(&self, at: &Path<'_>, out: &mut Vec<LimitError>);

    /// Every limit the value goes over, with paths from `name`.
    fn limit_errors(&self, name: &str) -> Vec<LimitError> {
        let mut out = Vec::new();
        self.check(&Path::root(name), &mut out);
        out
    }
}

impl<T: Check> Check for Option<T> {
    fn check(&self, at: &Path<'_>, out: &mut Vec<LimitError>) {
        if let Some(v) = self {
            v.check(at, out);
        }
    }
}

impl<T: Check> Check for Box<T> {
    fn check(&self, at: &Path<'_>, out: &mut Vec<LimitError>) {
        (**self).check(at, out);
    }
}

impl<T: Check> Check for Vec<T> {
    fn check(&self, at: &Path<'_>, out: &mut Vec<LimitError>) {
        for (i, v) in self.iter().enumerate() {
            v.check(&at.index(i), out);
        }
    }
}

impl<T: Check> Check for BTreeMap<String, T> {
    fn check(&self, at: &Path<'_>, out: &mut Vec<LimitError>) {
        for (k, v) in self {
            v.check(&at.key(k), out);
        }
    }
}

/// Text whose length Slack limits: strings and text objects (whose `text`
/// counts).
pub(crate) trait TextLength {
    fn text_length(&self) -> usize;
}

impl TextLength for String {
    fn text_length(&self) -> usize {
        self.chars().count()
    }
}

impl TextLength for PlainText {
    fn text_length(&self) -> usize {
        self.text.text_length()
    }
}

impl TextLength for Mrkdwn {
    fn text_length(&self) -> usize {
        self.text.text_length()
    }
}

impl TextLength for Text {
    fn text_length(&self) -> usize {
        match self {
            Text::PlainText(t) => t.text_length(),
            Text::Mrkdwn(t) => t.text_length(),
            // Unknown text kinds are Slack's to judge.
            _ => 0,
        }
    }
}

impl<T: TextLength> TextLength for Box<T> {
    fn text_length(&self) -> usize {
        (**self).text_length()
    }
}

/// At most `max` characters in the field `key`.
pub(crate) fn check_length<T: TextLength>(
    at: &Path<'_>,
    key: &str,
    value: &T,
    max: usize,
    out: &mut Vec<LimitError>,
) {
    let n = value.text_length();
    if n > max {
        out.push(LimitError::new(
            at.key(key),
            format!("{n} characters, at most {max}"),
        ));
    }
}

/// Between `min` and `max` items in the list field `key` (an optional list
/// may also be empty).
pub(crate) fn check_items<T>(
    at: &Path<'_>,
    key: &str,
    value: &[T],
    [min, max]: [Option<usize>; 2],
    required: bool,
    out: &mut Vec<LimitError>,
) {
    let n = value.len();
    if let Some(max) = max
        && n > max
    {
        out.push(LimitError::new(
            at.key(key),
            format!("{n} items, at most {max}"),
        ));
    }
    if let Some(min) = min
        && n < min
        && (n > 0 || required)
    {
        out.push(LimitError::new(
            at.key(key),
            format!("{n} items, at least {min}"),
        ));
    }
}
