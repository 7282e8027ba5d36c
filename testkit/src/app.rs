//! The app under test as Slack knows it: its manifest (or none: every
//! event, every command, over Socket Mode) and its signing secret. Says
//! where each delivery goes and what Slack refuses before it gets there.

use serde_json::{Value, json};
use slack_api::Secret;

use crate::manifest::{Kind, Manifest};
use crate::request::CredentialKind;

/// Where a delivery goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    /// An envelope over the app's Socket Mode connection.
    SocketMode,
    /// A signed POST to this request URL.
    Http(String),
}

/// The registered app.
#[derive(Debug)]
pub(crate) struct AppState {
    /// `None` until an app is registered.
    pub(crate) manifest: Option<Manifest>,
    /// What HTTP deliveries are signed with (the app's "Signing Secret").
    pub(crate) signing_secret: Secret,
}

impl AppState {
    pub(crate) fn new(signing_secret: Secret) -> Self {
        AppState {
            manifest: None,
            signing_secret,
        }
    }

    /// Where a delivery of `kind` goes: Socket Mode unless a manifest
    /// with Socket Mode off names a request URL for it.
    pub(crate) fn route(&self, kind: Kind) -> Result<Route, String> {
        match &self.manifest {
            Some(m) if !m.settings.socket_mode_enabled => {
                m.url_for(kind).map(|u| Route::Http(u.to_owned()))
            }
            _ => Ok(Route::SocketMode),
        }
    }

    /// Where `/command` goes, or why Slack refuses it.
    pub(crate) fn command_route(&self, command: &str) -> Result<Route, String> {
        let Some(m) = &self.manifest else {
            return Ok(Route::SocketMode);
        };
        let declared = m.command(command)?;
        if m.settings.socket_mode_enabled {
            return Ok(Route::SocketMode);
        }
        declared.url.clone().map(Route::Http).ok_or_else(|| {
            format!("{command} has no url in the app's manifest, and Socket Mode is off")
        })
    }

    /// Why Slack would not offer the shortcut, if it would not.
    pub(crate) fn check_shortcut(&self, callback_id: &str, kind: &str) -> Result<(), String> {
        match &self.manifest {
            Some(m) => m.shortcut(callback_id, kind).map(drop),
            None => Ok(()),
        }
    }

    /// Why Slack would not run the workflow step, if it would not.
    pub(crate) fn check_function(&self, callback_id: &str) -> Result<(), String> {
        match &self.manifest {
            Some(m) if !m.functions.contains_key(callback_id) => Err(format!(
                "the app's manifest declares no function {callback_id}"
            )),
            _ => Ok(()),
        }
    }

    /// The event types the app subscribes to; `None` (no manifest): all.
    pub(crate) fn subscriptions(&self) -> Option<&[String]> {
        self.manifest.as_ref().map(Manifest::bot_events)
    }

    /// `missing_scope` for a bot token calling a method that needs a bot
    /// scope the manifest does not ask for (any one of the method's bot
    /// scopes will do, as Slack's docs list alternatives).
    pub(crate) fn check_scopes(
        &self,
        needed: &[&str],
        token_kind: CredentialKind,
    ) -> Result<(), Value> {
        let Some(m) = &self.manifest else {
            return Ok(());
        };
        let granted = &m.oauth_config.scopes.bot;
        if token_kind != CredentialKind::Bot
            || needed.is_empty()
            || needed.iter().any(|s| granted.iter().any(|g| g == s))
        {
            return Ok(());
        }
        Err(json!({
            "ok": false,
            "error": "missing_scope",
            "needed": needed.join(","),
            "provided": granted.join(","),
        }))
    }
}
