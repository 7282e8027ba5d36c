//! Slack's app manifest, as far as the fake honours it: where deliveries go
//! (Socket Mode or the request URLs), the slash commands and shortcuts a
//! person can run, the bot events the app subscribes to, and the scopes its
//! bot token has. Keys the fake does not read are accepted and ignored, so a
//! manifest exported from Slack registers as it is.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// An app manifest ([`FakeSlackBuilder::app`](crate::FakeSlackBuilder::app)),
/// decoded from Slack's JSON:
///
/// ```
/// let manifest: slack_testkit::Manifest = serde_json::from_value(serde_json::json!({
///     "display_information": {"name": "Deployer"},
///     "features": {
///         "bot_user": {"display_name": "deployer"},
///         "slash_commands": [{"command": "/deploy", "description": "Deploy a service"}],
///         "shortcuts": [{"name": "Deploy", "type": "global", "callback_id": "deploy", "description": "Deploy"}]
///     },
///     "oauth_config": {"scopes": {"bot": ["commands", "chat:write"]}},
///     "settings": {"event_subscriptions": {"bot_events": ["app_mention"]}, "socket_mode_enabled": true}
/// })).unwrap();
/// assert!(manifest.settings.socket_mode_enabled);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Manifest {
    /// The app's name and descriptions.
    pub display_information: DisplayInformation,
    /// Bot user, slash commands, shortcuts.
    pub features: Features,
    /// Scopes and redirect URLs.
    pub oauth_config: OauthConfig,
    /// Event subscriptions, interactivity, Socket Mode.
    pub settings: Settings,
    /// Custom workflow steps by callback id.
    pub functions: BTreeMap<String, Function>,
}

/// `display_information`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct DisplayInformation {
    /// The app's name.
    pub name: String,
    /// A short description.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// `features`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Features {
    /// The app's bot user.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bot_user: Option<BotUser>,
    /// The slash commands people can run.
    pub slash_commands: Vec<SlashCommand>,
    /// Global and message shortcuts.
    pub shortcuts: Vec<Shortcut>,
}

/// `features.bot_user`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct BotUser {
    /// The bot's name in Slack.
    pub display_name: String,
    /// Shown as online whatever its connection.
    pub always_online: bool,
}

/// One of `features.slash_commands`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct SlashCommand {
    /// The command, with its slash: `/deploy`.
    pub command: String,
    /// Where Slack POSTs it when Socket Mode is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// What it does.
    pub description: String,
    /// Shown after the command while typing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_hint: Option<String>,
    /// Whether user and channel mentions arrive escaped.
    pub should_escape: bool,
}

/// One of `features.shortcuts`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Shortcut {
    /// Its name in the shortcuts menu.
    pub name: String,
    /// `global` or `message`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The `callback_id` its payload carries.
    pub callback_id: String,
    /// What it does.
    pub description: String,
}

/// `oauth_config`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct OauthConfig {
    /// The scopes the app asks for.
    pub scopes: Scopes,
    /// Where the install flow may redirect.
    pub redirect_urls: Vec<String>,
}

/// `oauth_config.scopes`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Scopes {
    /// The bot token's scopes.
    pub bot: Vec<String>,
    /// A user token's scopes.
    pub user: Vec<String>,
}

/// `settings`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Settings {
    /// The Events API subscription.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_subscriptions: Option<EventSubscriptions>,
    /// Where interactions go.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interactivity: Option<Interactivity>,
    /// Deliveries over a Socket Mode connection instead of request URLs.
    pub socket_mode_enabled: bool,
    /// Installable on a whole Enterprise Grid organization.
    pub org_deploy_enabled: bool,
    /// Bot tokens expire and are refreshed.
    pub token_rotation_enabled: bool,
}

/// `settings.event_subscriptions`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct EventSubscriptions {
    /// Where events are POSTed when Socket Mode is off.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// The event types the bot receives (`app_mention`, `message.channels`, ...).
    pub bot_events: Vec<String>,
    /// The event types received on behalf of users who installed the app.
    pub user_events: Vec<String>,
}

/// `settings.interactivity`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Interactivity {
    /// Whether the app takes interactions at all.
    pub is_enabled: bool,
    /// Where block actions, shortcuts and view submissions are POSTed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_url: Option<String>,
    /// Where external selects load their options.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_menu_options_url: Option<String>,
}

/// One of `functions`: a custom workflow step.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Function {
    /// Its name in Workflow Builder.
    pub title: String,
    /// What it does.
    pub description: String,
    /// Its inputs by name.
    pub input_parameters: BTreeMap<String, Parameter>,
    /// Its outputs by name.
    pub output_parameters: BTreeMap<String, Parameter>,
}

/// A function's input or output.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct Parameter {
    /// `string`, `integer`, `number`, `boolean`, `slack#/types/user_id`, ...
    #[serde(rename = "type")]
    pub kind: String,
    /// Its label.
    pub title: String,
    /// Whether a workflow must give it.
    pub is_required: bool,
}

/// How a delivery reaches the app under this manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// An Events API payload.
    Event,
    /// Block actions, shortcuts, view submissions and closes.
    Interaction,
    /// An external select's options request.
    Options,
}

impl Manifest {
    /// The request URL Slack POSTs `kind` to; `Err` names the missing key.
    pub(crate) fn url_for(&self, kind: Kind) -> Result<&str, String> {
        let s = &self.settings;
        let (url, key) = match kind {
            Kind::Event => (
                s.event_subscriptions
                    .as_ref()
                    .and_then(|e| e.request_url.as_deref()),
                "settings.event_subscriptions.request_url",
            ),
            Kind::Interaction => (
                s.interactivity
                    .as_ref()
                    .and_then(|i| i.request_url.as_deref()),
                "settings.interactivity.request_url",
            ),
            Kind::Options => (
                s.interactivity
                    .as_ref()
                    .and_then(|i| i.message_menu_options_url.as_deref()),
                "settings.interactivity.message_menu_options_url",
            ),
        };
        url.ok_or_else(|| format!("the app's manifest has no {key}, and Socket Mode is off"))
    }

    /// The declared slash command `command`, or Slack's answer to a person
    /// typing one the app does not have.
    pub(crate) fn command(&self, command: &str) -> Result<&SlashCommand, String> {
        self.features
            .slash_commands
            .iter()
            .find(|c| c.command == command)
            .ok_or_else(|| format!("{command} is not a valid command"))
    }

    /// The declared shortcut `callback_id` of `kind` (`global` or `message`).
    pub(crate) fn shortcut(&self, callback_id: &str, kind: &str) -> Result<&Shortcut, String> {
        self.features
            .shortcuts
            .iter()
            .find(|s| s.callback_id == callback_id && s.kind == kind)
            .ok_or_else(|| {
                format!(
                    "the app's manifest declares no {kind} shortcut with callback_id {callback_id}"
                )
            })
    }

    /// `settings.event_subscriptions.bot_events`.
    pub(crate) fn bot_events(&self) -> &[String] {
        self.settings
            .event_subscriptions
            .as_ref()
            .map_or(&[], |e| &e.bot_events)
    }
}
