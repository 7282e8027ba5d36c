//! Typed builders for the common Block Kit blocks.
//!
//! Each block is a small struct with chained setters that converts into
//! [`Block`]; anything not covered here goes through [`Block::raw`] as JSON.
//! [`to_value`] produces the array `chat.postMessage` expects.
//!
//! ```
//! use slack_api::blocks::{self, Actions, Block, Button, ButtonStyle, Header, Section, Text};
//!
//! let blocks: Vec<Block> = vec![
//!     Header::new("Deploy finished").into(),
//!     Section::new(Text::mrkdwn("*api* is live on `prod`"))
//!         .accessory(Button::new("Open", "open_dashboard").url("https://example.com"))
//!         .into(),
//!     Block::divider(),
//!     Actions::new()
//!         .button(Button::new("Roll back", "rollback").style(ButtonStyle::Danger).value("api"))
//!         .into(),
//! ];
//! let json = blocks::to_value(&blocks);
//! assert_eq!(json[0]["type"], "header");
//! ```

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::Value;

/// A text object: `plain_text` or `mrkdwn`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    kind: TextKind,
    text: String,
    emoji: Option<bool>,
    verbatim: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TextKind {
    Plain,
    Mrkdwn,
}

impl Text {
    /// Plain text, shown as is.
    pub fn plain(text: impl Into<String>) -> Self {
        Self {
            kind: TextKind::Plain,
            text: text.into(),
            emoji: None,
            verbatim: None,
        }
    }

    /// Text with Slack's markup (`*bold*`, `<@U123>`, links). Escape user
    /// input with [`crate::mrkdwn::escape`].
    pub fn mrkdwn(text: impl Into<String>) -> Self {
        Self {
            kind: TextKind::Mrkdwn,
            text: text.into(),
            emoji: None,
            verbatim: None,
        }
    }

    /// For plain text: whether `:emoji:` codes are rendered (ignored for mrkdwn).
    pub fn emoji(mut self, emoji: bool) -> Self {
        self.emoji = Some(emoji);
        self
    }

    /// For mrkdwn: when true, Slack does not auto-link URLs, channel names or
    /// mentions (ignored for plain text).
    pub fn verbatim(mut self, verbatim: bool) -> Self {
        self.verbatim = Some(verbatim);
        self
    }

    /// The text content.
    pub fn text(&self) -> &str {
        &self.text
    }
}

impl Serialize for Text {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        match self.kind {
            TextKind::Plain => {
                map.serialize_entry("type", "plain_text")?;
                map.serialize_entry("text", &self.text)?;
                if let Some(emoji) = self.emoji {
                    map.serialize_entry("emoji", &emoji)?;
                }
            }
            TextKind::Mrkdwn => {
                map.serialize_entry("type", "mrkdwn")?;
                map.serialize_entry("text", &self.text)?;
                if let Some(verbatim) = self.verbatim {
                    map.serialize_entry("verbatim", &verbatim)?;
                }
            }
        }
        map.end()
    }
}

/// A button's colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum ButtonStyle {
    /// Green: the main action.
    Primary,
    /// Red: a destructive action.
    Danger,
}

/// A button element, for [`Actions`] blocks and [`Section`] accessories.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "button")]
pub struct Button {
    text: Text,
    action_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    style: Option<ButtonStyle>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accessibility_label: Option<String>,
}

impl Button {
    /// A button labelled `text` (plain text) that reports `action_id` when clicked.
    pub fn new(text: impl Into<String>, action_id: impl Into<String>) -> Self {
        Self {
            text: Text::plain(text),
            action_id: action_id.into(),
            value: None,
            url: None,
            style: None,
            accessibility_label: None,
        }
    }

    /// The value sent with the interaction payload.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// A URL the client opens when the button is clicked.
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// The colour; default buttons are neutral.
    pub fn style(mut self, style: ButtonStyle) -> Self {
        self.style = Some(style);
        self
    }

    /// A label for screen readers.
    pub fn accessibility_label(mut self, label: impl Into<String>) -> Self {
        self.accessibility_label = Some(label.into());
        self
    }
}

/// An image element, for [`Context`] blocks and [`Section`] accessories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "image")]
pub struct ImageElement {
    image_url: String,
    alt_text: String,
}

impl ImageElement {
    /// A small image at `image_url`, described by `alt_text`.
    pub fn new(image_url: impl Into<String>, alt_text: impl Into<String>) -> Self {
        Self {
            image_url: image_url.into(),
            alt_text: alt_text.into(),
        }
    }
}

/// An interactive or decorative element inside a block.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum Element {
    /// A button.
    Button(Button),
    /// A small image.
    Image(ImageElement),
    /// Any other element (select menus, date pickers, ...) as raw JSON.
    Raw(Value),
}

impl From<Button> for Element {
    fn from(b: Button) -> Self {
        Element::Button(b)
    }
}

impl From<ImageElement> for Element {
    fn from(i: ImageElement) -> Self {
        Element::Image(i)
    }
}

impl From<Value> for Element {
    fn from(v: Value) -> Self {
        Element::Raw(v)
    }
}

/// An element of a [`Context`] block: text or a small image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
#[non_exhaustive]
pub enum ContextElement {
    /// A text object.
    Text(Text),
    /// A small image.
    Image(ImageElement),
}

impl From<Text> for ContextElement {
    fn from(t: Text) -> Self {
        ContextElement::Text(t)
    }
}

impl From<ImageElement> for ContextElement {
    fn from(i: ImageElement) -> Self {
        ContextElement::Image(i)
    }
}

/// A section: text, up to ten fields in two columns, and an optional accessory.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename = "section")]
pub struct Section {
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<Text>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fields: Vec<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    accessory: Option<Element>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
}

impl Section {
    /// A section showing `text`.
    pub fn new(text: Text) -> Self {
        Self {
            text: Some(text),
            fields: Vec::new(),
            accessory: None,
            block_id: None,
        }
    }

    /// A section made only of fields.
    pub fn from_fields(fields: impl IntoIterator<Item = Text>) -> Self {
        Self {
            text: None,
            fields: fields.into_iter().collect(),
            accessory: None,
            block_id: None,
        }
    }

    /// Adds one field (Slack shows at most ten).
    pub fn field(mut self, field: Text) -> Self {
        self.fields.push(field);
        self
    }

    /// Sets the element shown to the right of the text.
    pub fn accessory(mut self, element: impl Into<Element>) -> Self {
        self.accessory = Some(element.into());
        self
    }

    /// An ID that identifies the block in interaction payloads.
    pub fn block_id(mut self, id: impl Into<String>) -> Self {
        self.block_id = Some(id.into());
        self
    }
}

/// Small, muted text and images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(tag = "type", rename = "context")]
pub struct Context {
    elements: Vec<ContextElement>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
}

impl Context {
    /// An empty context block; add elements with [`element`](Self::element).
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a text or image element.
    pub fn element(mut self, element: impl Into<ContextElement>) -> Self {
        self.elements.push(element.into());
        self
    }

    /// An ID that identifies the block in interaction payloads.
    pub fn block_id(mut self, id: impl Into<String>) -> Self {
        self.block_id = Some(id.into());
        self
    }
}

/// A horizontal rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
#[serde(tag = "type", rename = "divider")]
pub struct Divider {
    #[serde(skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
}

impl Divider {
    /// A divider.
    pub fn new() -> Self {
        Self::default()
    }

    /// An ID that identifies the block in interaction payloads.
    pub fn block_id(mut self, id: impl Into<String>) -> Self {
        self.block_id = Some(id.into());
        self
    }
}

/// Large bold plain text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "header")]
pub struct Header {
    text: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
}

impl Header {
    /// A header showing `text` (plain text; Slack allows 150 characters).
    pub fn new(text: impl Into<String>) -> Self {
        Self {
            text: Text::plain(text),
            block_id: None,
        }
    }

    /// An ID that identifies the block in interaction payloads.
    pub fn block_id(mut self, id: impl Into<String>) -> Self {
        self.block_id = Some(id.into());
        self
    }
}

/// A row of interactive elements.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
#[serde(tag = "type", rename = "actions")]
pub struct Actions {
    elements: Vec<Element>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
}

impl Actions {
    /// An empty actions block.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a button.
    pub fn button(self, button: Button) -> Self {
        self.element(button)
    }

    /// Adds any element (a button, or raw JSON for other elements).
    pub fn element(mut self, element: impl Into<Element>) -> Self {
        self.elements.push(element.into());
        self
    }

    /// An ID that identifies the block in interaction payloads.
    pub fn block_id(mut self, id: impl Into<String>) -> Self {
        self.block_id = Some(id.into());
        self
    }
}

/// A full-width image.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename = "image")]
pub struct Image {
    image_url: String,
    alt_text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    title: Option<Text>,
    #[serde(skip_serializing_if = "Option::is_none")]
    block_id: Option<String>,
}

impl Image {
    /// An image at `image_url`, described by `alt_text`.
    pub fn new(image_url: impl Into<String>, alt_text: impl Into<String>) -> Self {
        Self {
            image_url: image_url.into(),
            alt_text: alt_text.into(),
            title: None,
            block_id: None,
        }
    }

    /// A plain-text title shown above the image.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(Text::plain(title));
        self
    }

    /// An ID that identifies the block in interaction payloads.
    pub fn block_id(mut self, id: impl Into<String>) -> Self {
        self.block_id = Some(id.into());
        self
    }
}

/// One layout block.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Block {
    /// `section`.
    Section(Section),
    /// `context`.
    Context(Context),
    /// `divider`.
    Divider(Divider),
    /// `header`.
    Header(Header),
    /// `actions`.
    Actions(Actions),
    /// `image`.
    Image(Image),
    /// Any other block, passed through as JSON unchanged.
    Raw(Value),
}

impl Block {
    /// A divider block.
    pub fn divider() -> Self {
        Block::Divider(Divider::new())
    }

    /// A block given as raw JSON, for block types without a builder here.
    pub fn raw(value: Value) -> Self {
        Block::Raw(value)
    }

    /// The block's `type`, or `None` for raw JSON without a string `type`.
    pub fn kind(&self) -> Option<&str> {
        Some(match self {
            Block::Section(_) => "section",
            Block::Context(_) => "context",
            Block::Divider(_) => "divider",
            Block::Header(_) => "header",
            Block::Actions(_) => "actions",
            Block::Image(_) => "image",
            Block::Raw(v) => return v.get("type").and_then(Value::as_str),
        })
    }
}

impl Serialize for Block {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Block::Section(b) => b.serialize(s),
            Block::Context(b) => b.serialize(s),
            Block::Divider(b) => b.serialize(s),
            Block::Header(b) => b.serialize(s),
            Block::Actions(b) => b.serialize(s),
            Block::Image(b) => b.serialize(s),
            Block::Raw(v) => v.serialize(s),
        }
    }
}

macro_rules! into_block {
    ($($ty:ident),*) => {$(
        impl From<$ty> for Block {
            fn from(b: $ty) -> Self {
                Block::$ty(b)
            }
        }
    )*};
}
into_block!(Section, Context, Divider, Header, Actions, Image);

impl From<Value> for Block {
    fn from(v: Value) -> Self {
        Block::Raw(v)
    }
}

impl From<Block> for Value {
    fn from(b: Block) -> Self {
        // Serializing our own types to a Value cannot fail (string keys only).
        serde_json::to_value(b).unwrap_or(Value::Null)
    }
}

/// The JSON array of `blocks`, for arguments such as `chat.postMessage`'s `blocks`.
pub fn to_value(blocks: &[Block]) -> Value {
    Value::Array(blocks.iter().cloned().map(Value::from).collect())
}
