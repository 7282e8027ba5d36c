//! Constructors and readers for the common Block Kit values.
//!
//! The generated types hold every field Slack documents; these make the
//! usual cases short: `Block::section(Mrkdwn::new("*hi*"))
//! .accessory(Button::new("approve", "Approve").primary())`. Text built from
//! user input should go through [`crate::message::mrkdwn::escape`] first.

use crate::block_kit::{
    ActionsBlock, Attachment, AttachmentField, Block, Button, ButtonStyle, Checkboxes,
    ConfirmationDialog, ContextBlock, ContextElement, Datepicker, DividerBlock, Element,
    HeaderBlock, ImageBlock, ImageElement, InputBlock, MarkdownBlock, Mrkdwn, Overflow, PlainText,
    PlainTextInput, RadioButtons, RichTextBlock, RichTextElement, RichTextInline, RichTextSection,
    RichTextText, SectionBlock, SelectOption, StaticSelect, Text, UsersSelect, View, ViewState,
    ViewStateValue, ViewType,
};
use crate::ids::UserId;

impl PlainText {
    /// Text shown as is, emoji shortcodes (`:tada:`) rendered.
    pub fn new(text: impl Into<String>) -> PlainText {
        PlainText {
            text: text.into(),
            emoji: Some(true),
            ..PlainText::default()
        }
    }
}

impl From<&str> for PlainText {
    fn from(text: &str) -> PlainText {
        PlainText::new(text)
    }
}

impl From<String> for PlainText {
    fn from(text: String) -> PlainText {
        PlainText::new(text)
    }
}

impl Mrkdwn {
    /// Text in Slack's markup (`*bold*`, `<@U123>`, links).
    pub fn new(text: impl Into<String>) -> Mrkdwn {
        Mrkdwn {
            text: text.into(),
            ..Mrkdwn::default()
        }
    }

    /// Text shown as typed: `&`, `<` and `>` escaped
    /// ([`mrkdwn::escape`](crate::message::mrkdwn::escape)), so user input cannot
    /// mention `@channel` or forge a link. (`plain_text` needs no escaping.)
    pub fn escaped(text: &str) -> Mrkdwn {
        Mrkdwn::new(crate::message::mrkdwn::escape(text))
    }
}

impl Text {
    /// Plain text.
    pub fn plain(text: impl Into<String>) -> Text {
        PlainText::new(text).into()
    }

    /// Text in Slack's markup.
    pub fn mrkdwn(text: impl Into<String>) -> Text {
        Mrkdwn::new(text).into()
    }
}

impl Block {
    /// A section: text, with an optional accessory and fields.
    pub fn section(text: impl Into<Text>) -> SectionBlock {
        SectionBlock {
            text: Some(text.into()),
            ..SectionBlock::default()
        }
    }

    /// A header in large bold plain text.
    pub fn header(text: impl Into<PlainText>) -> HeaderBlock {
        HeaderBlock {
            text: text.into(),
            ..HeaderBlock::default()
        }
    }

    /// A divider line.
    pub fn divider() -> Block {
        DividerBlock::default().into()
    }

    /// A row of interactive elements.
    pub fn actions(elements: impl IntoIterator<Item = impl Into<Element>>) -> ActionsBlock {
        ActionsBlock {
            elements: elements.into_iter().map(Into::into).collect(),
            ..ActionsBlock::default()
        }
    }

    /// Small text and images.
    pub fn context(elements: impl IntoIterator<Item = impl Into<ContextElement>>) -> ContextBlock {
        ContextBlock {
            elements: elements.into_iter().map(Into::into).collect(),
            ..ContextBlock::default()
        }
    }

    /// A labelled input of a modal (or of a message, with `dispatch_action`).
    pub fn input(label: impl Into<PlainText>, element: impl Into<Element>) -> InputBlock {
        InputBlock {
            label: label.into(),
            element: element.into(),
            ..InputBlock::default()
        }
    }

    /// An image by URL.
    pub fn image(image_url: impl Into<String>, alt_text: impl Into<String>) -> ImageBlock {
        ImageBlock {
            image_url: Some(image_url.into()),
            alt_text: Some(alt_text.into()),
            ..ImageBlock::default()
        }
    }

    /// Standard Markdown, rendered by Slack.
    pub fn markdown(text: impl Into<String>) -> MarkdownBlock {
        MarkdownBlock {
            text: text.into(),
            ..MarkdownBlock::default()
        }
    }

    /// Rich text of one paragraph of plain runs.
    pub fn rich_text(text: impl Into<String>) -> RichTextBlock {
        let run = RichTextText {
            text: text.into(),
            ..RichTextText::default()
        };
        let section = RichTextSection {
            elements: vec![RichTextInline::from(run)],
            ..RichTextSection::default()
        };
        RichTextBlock {
            elements: vec![RichTextElement::from(section)],
            ..RichTextBlock::default()
        }
    }
}

/// `block_id`, shared by every block builder.
macro_rules! block_id {
    ($($t:ty),*) => {$(
        impl $t {
            /// Names the block, so its actions and state say where they came from.
            pub fn block_id(mut self, id: impl Into<String>) -> Self {
                self.block_id = Some(id.into());
                self
            }
        }
    )*};
}

block_id!(
    SectionBlock,
    HeaderBlock,
    ActionsBlock,
    ContextBlock,
    InputBlock,
    ImageBlock,
    MarkdownBlock,
    RichTextBlock
);

impl SectionBlock {
    /// The element at the right of the text: a button, select, image, ...
    pub fn accessory(mut self, element: impl Into<Element>) -> Self {
        self.accessory = Some(element.into());
        self
    }

    /// Adds a field, shown in two columns under the text.
    pub fn field(mut self, text: impl Into<Text>) -> Self {
        self.fields.push(text.into());
        self
    }
}

impl ContextBlock {
    /// Adds an element.
    pub fn element(mut self, element: impl Into<ContextElement>) -> Self {
        self.elements.push(element.into());
        self
    }
}

impl ActionsBlock {
    /// Adds an element.
    pub fn element(mut self, element: impl Into<Element>) -> Self {
        self.elements.push(element.into());
        self
    }
}

impl InputBlock {
    /// Lets the view be submitted with the input empty.
    pub fn optional(mut self) -> Self {
        self.optional = Some(true);
        self
    }

    /// Help text under the input.
    pub fn hint(mut self, hint: impl Into<PlainText>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// Sends `block_actions` when the input changes, as a button would.
    pub fn dispatch_action(mut self) -> Self {
        self.dispatch_action = Some(true);
        self
    }
}

impl Button {
    /// A button sending `action_id` in `block_actions` when clicked.
    pub fn new(action_id: impl Into<String>, text: impl Into<PlainText>) -> Button {
        Button {
            action_id: Some(action_id.into()),
            text: text.into(),
            ..Button::default()
        }
    }

    /// The value sent with the action.
    pub fn value(mut self, value: impl Into<String>) -> Self {
        self.value = Some(value.into());
        self
    }

    /// A link the client opens (the action is still sent).
    pub fn url(mut self, url: impl Into<String>) -> Self {
        self.url = Some(url.into());
        self
    }

    /// Green: the one main action.
    pub fn primary(mut self) -> Self {
        self.style = Some(ButtonStyle::Primary);
        self
    }

    /// Red: a destructive action.
    pub fn danger(mut self) -> Self {
        self.style = Some(ButtonStyle::Danger);
        self
    }

    /// Asks for confirmation before sending the action.
    pub fn confirm(mut self, dialog: ConfirmationDialog) -> Self {
        self.confirm = Some(dialog);
        self
    }
}

impl ConfirmationDialog {
    /// "Are you sure?": a title, a question and the two buttons' labels.
    pub fn new(
        title: impl Into<PlainText>,
        text: impl Into<Text>,
        confirm: impl Into<PlainText>,
        deny: impl Into<PlainText>,
    ) -> ConfirmationDialog {
        ConfirmationDialog {
            title: title.into(),
            text: text.into(),
            confirm: confirm.into(),
            deny: deny.into(),
            ..ConfirmationDialog::default()
        }
    }
}

impl SelectOption {
    /// An option of a select, overflow menu, checkboxes or radio buttons.
    pub fn new(text: impl Into<PlainText>, value: impl Into<String>) -> SelectOption {
        SelectOption {
            text: text.into().into(),
            value: value.into(),
            ..SelectOption::default()
        }
    }
}

impl StaticSelect {
    /// A menu of the given options.
    pub fn new(
        action_id: impl Into<String>,
        placeholder: impl Into<PlainText>,
        options: impl IntoIterator<Item = SelectOption>,
    ) -> StaticSelect {
        StaticSelect {
            action_id: Some(action_id.into()),
            placeholder: Some(placeholder.into()),
            options: options.into_iter().collect(),
            ..StaticSelect::default()
        }
    }

    /// The option selected at first.
    pub fn initial_option(mut self, option: SelectOption) -> Self {
        self.initial_option = Some(option);
        self
    }
}

/// `new(action_id, options)` for the elements made of options alone.
macro_rules! options_element {
    ($($t:ident: $doc:literal),*) => {$(
        impl $t {
            #[doc = $doc]
            pub fn new(
                action_id: impl Into<String>,
                options: impl IntoIterator<Item = SelectOption>,
            ) -> $t {
                $t {
                    action_id: Some(action_id.into()),
                    options: options.into_iter().collect(),
                    ..$t::default()
                }
            }
        }
    )*};
}

options_element!(
    Overflow: "A \"⋯\" menu of the given options.",
    Checkboxes: "Checkboxes for the given options.",
    RadioButtons: "Radio buttons for the given options."
);

impl UsersSelect {
    /// A menu of the workspace's people.
    pub fn new(action_id: impl Into<String>, placeholder: impl Into<PlainText>) -> UsersSelect {
        UsersSelect {
            action_id: Some(action_id.into()),
            placeholder: Some(placeholder.into()),
            ..UsersSelect::default()
        }
    }

    /// The person selected at first.
    pub fn initial_user(mut self, user: impl Into<UserId>) -> Self {
        self.initial_user = Some(user.into());
        self
    }
}

impl Datepicker {
    /// A date picker.
    pub fn new(action_id: impl Into<String>) -> Datepicker {
        Datepicker {
            action_id: Some(action_id.into()),
            ..Datepicker::default()
        }
    }

    /// The date selected at first, `YYYY-MM-DD`.
    pub fn initial_date(mut self, date: impl Into<String>) -> Self {
        self.initial_date = Some(date.into());
        self
    }
}

impl PlainTextInput {
    /// A text field.
    pub fn new(action_id: impl Into<String>) -> PlainTextInput {
        PlainTextInput {
            action_id: Some(action_id.into()),
            ..PlainTextInput::default()
        }
    }

    /// Several lines instead of one.
    pub fn multiline(mut self) -> Self {
        self.multiline = Some(true);
        self
    }

    /// Grey text shown while the field is empty.
    pub fn placeholder(mut self, text: impl Into<PlainText>) -> Self {
        self.placeholder = Some(text.into());
        self
    }

    /// The text in the field at first.
    pub fn initial_value(mut self, value: impl Into<String>) -> Self {
        self.initial_value = Some(value.into());
        self
    }
}

impl ImageElement {
    /// A small image, in a context block or as a section accessory.
    pub fn new(image_url: impl Into<String>, alt_text: impl Into<String>) -> ImageElement {
        ImageElement {
            image_url: Some(image_url.into()),
            alt_text: Some(alt_text.into()),
            ..ImageElement::default()
        }
    }
}

impl View {
    /// A modal with a title (at most 24 characters).
    pub fn modal(title: impl Into<PlainText>) -> View {
        View {
            r#type: Some(ViewType::Modal),
            title: Some(title.into()),
            ..View::default()
        }
    }

    /// The App Home tab.
    pub fn home() -> View {
        View {
            r#type: Some(ViewType::Home),
            ..View::default()
        }
    }

    /// The submit button's label (a modal with inputs needs one).
    pub fn submit(mut self, text: impl Into<PlainText>) -> Self {
        self.submit = Some(text.into());
        self
    }

    /// The close button's label.
    pub fn close(mut self, text: impl Into<PlainText>) -> Self {
        self.close = Some(text.into());
        self
    }

    /// The id `view_submission` and `view_closed` listeners match.
    pub fn callback_id(mut self, id: impl Into<String>) -> Self {
        self.callback_id = Some(id.into());
        self
    }

    /// Text the app gets back with the submission, unseen by the person.
    pub fn private_metadata(mut self, data: impl Into<String>) -> Self {
        self.private_metadata = Some(data.into());
        self
    }

    /// Also sends `view_closed` when the person closes the modal.
    pub fn notify_on_close(mut self) -> Self {
        self.notify_on_close = Some(true);
        self
    }

    /// Adds a block.
    pub fn block(mut self, block: impl Into<Block>) -> Self {
        self.blocks.push(block.into());
        self
    }

    /// The submitted value of one input, by block and action id.
    pub fn input(&self, block_id: &str, action_id: &str) -> Option<&ViewStateValue> {
        self.state.as_ref()?.get(block_id, action_id)
    }
}

impl ViewState {
    /// The value of one input, by block and action id.
    pub fn get(&self, block_id: &str, action_id: &str) -> Option<&ViewStateValue> {
        self.values.as_ref()?.get(block_id)?.get(action_id)
    }
}

impl ViewStateValue {
    /// The text of a text, number, email or URL input, or the value of the
    /// option picked in a single select or radio buttons.
    pub fn value(&self) -> Option<&str> {
        let option = match self {
            ViewStateValue::PlainTextInput(v) => return v.value.as_deref(),
            ViewStateValue::NumberInput(v) => return v.value.as_deref(),
            ViewStateValue::EmailTextInput(v) => return v.value.as_deref(),
            ViewStateValue::UrlTextInput(v) => return v.value.as_deref(),
            ViewStateValue::Datepicker(v) => return v.selected_date.as_deref(),
            ViewStateValue::Timepicker(v) => return v.selected_time.as_deref(),
            ViewStateValue::StaticSelect(v) => v.selected_option.as_ref(),
            ViewStateValue::ExternalSelect(v) => v.selected_option.as_ref(),
            ViewStateValue::RadioButtons(v) => v.selected_option.as_ref(),
            ViewStateValue::UsersSelect(v) => return v.selected_user.as_ref().map(|u| u.as_str()),
            ViewStateValue::ConversationsSelect(v) => {
                return v.selected_conversation.as_ref().map(|c| c.as_str());
            }
            ViewStateValue::ChannelsSelect(v) => {
                return v.selected_channel.as_ref().map(|c| c.as_str());
            }
            _ => None,
        };
        option.map(|o| o.value.as_str())
    }

    /// The values of the options picked in a multi-select or checkboxes.
    pub fn values(&self) -> Vec<&str> {
        let options = match self {
            ViewStateValue::MultiStaticSelect(v) => &v.selected_options,
            ViewStateValue::MultiExternalSelect(v) => &v.selected_options,
            ViewStateValue::Checkboxes(v) => &v.selected_options,
            ViewStateValue::MultiUsersSelect(v) => {
                return v.selected_users.iter().map(|u| u.as_str()).collect();
            }
            ViewStateValue::MultiConversationsSelect(v) => {
                return v
                    .selected_conversations
                    .iter()
                    .map(|c| c.as_str())
                    .collect();
            }
            ViewStateValue::MultiChannelsSelect(v) => {
                return v.selected_channels.iter().map(|c| c.as_str()).collect();
            }
            _ => return Vec::new(),
        };
        options.iter().map(|o| o.value.as_str()).collect()
    }
}

impl Attachment {
    /// A legacy attachment with a colour bar (`good`, `warning`, `danger`
    /// or `#RRGGBB`) and fallback text for notifications.
    pub fn new(fallback: impl Into<String>) -> Attachment {
        Attachment {
            fallback: Some(fallback.into()),
            ..Attachment::default()
        }
    }

    /// The colour bar.
    pub fn color(mut self, color: impl Into<String>) -> Self {
        self.color = Some(color.into());
        self
    }

    /// Adds a field (`short` ones sit side by side).
    pub fn field(
        mut self,
        title: impl Into<String>,
        value: impl Into<String>,
        short: bool,
    ) -> Self {
        self.fields.push(AttachmentField {
            title: Some(title.into()),
            value: Some(value.into()),
            short: Some(short),
            ..AttachmentField::default()
        });
        self
    }

    /// Small text at the bottom.
    pub fn footer(mut self, footer: impl Into<String>) -> Self {
        self.footer = Some(footer.into());
        self
    }

    /// What a link unfurls to in `chat.unfurl`: blocks, and nothing else.
    pub fn unfurl(blocks: impl IntoIterator<Item = impl Into<Block>>) -> Attachment {
        Attachment {
            blocks: blocks.into_iter().map(Into::into).collect(),
            ..Attachment::default()
        }
    }
}
