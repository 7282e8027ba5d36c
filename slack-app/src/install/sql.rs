//! What the SQL stores share: the schema and its migrations, and the rows
//! an [`Installation`] is kept as.
//!
//! The schema is plain SQL both SQLite and PostgreSQL accept. Keys are
//! [`InstallationKey::as_storage_key`] strings; times are Unix seconds.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use slack_api::Secret;
use slack_api::ids::{EnterpriseId, TeamId, UserId};

use super::{BotToken, IncomingWebhook, Installation, StoreError, UserToken, split_scopes};

/// The migrations, in order: the schema is at version `i + 1` once
/// `MIGRATIONS[i]` ran. Never edit one that shipped; add another.
pub(crate) const MIGRATIONS: &[&str] = &["
CREATE TABLE slack_installations (
    install_key TEXT PRIMARY KEY,
    app_id TEXT,
    enterprise_id TEXT,
    enterprise_name TEXT,
    team_id TEXT,
    team_name TEXT,
    is_enterprise_install BIGINT NOT NULL,
    bot_token TEXT,
    bot_id TEXT,
    bot_user_id TEXT,
    bot_scopes TEXT,
    bot_refresh_token TEXT,
    bot_expires_at BIGINT,
    webhook_url TEXT,
    webhook_channel TEXT,
    webhook_channel_id TEXT,
    webhook_configuration_url TEXT,
    installed_at BIGINT NOT NULL
);
CREATE TABLE slack_user_tokens (
    install_key TEXT NOT NULL,
    user_id TEXT NOT NULL,
    token TEXT NOT NULL,
    scopes TEXT,
    refresh_token TEXT,
    expires_at BIGINT,
    PRIMARY KEY (install_key, user_id)
);
CREATE TABLE slack_oauth_states (
    state TEXT PRIMARY KEY,
    expires_at BIGINT NOT NULL
);
CREATE TABLE slack_events (
    event_id TEXT PRIMARY KEY,
    keep_until BIGINT NOT NULL
);
CREATE INDEX slack_events_keep_until ON slack_events (keep_until);
"];

/// The table that records the schema's version.
pub(crate) const VERSION_TABLE: &str =
    "CREATE TABLE IF NOT EXISTS slack_schema_version (version BIGINT NOT NULL)";

/// The columns of `slack_installations`, in the order [`InstallationRow`] lists them.
pub(crate) const INSTALLATION_COLUMNS: &str = "install_key, app_id, enterprise_id, \
    enterprise_name, team_id, team_name, is_enterprise_install, bot_token, bot_id, \
    bot_user_id, bot_scopes, bot_refresh_token, bot_expires_at, webhook_url, \
    webhook_channel, webhook_channel_id, webhook_configuration_url, installed_at";

/// The columns of `slack_user_tokens` read back, in [`UserRow`]'s order.
pub(crate) const USER_COLUMNS: &str = "user_id, token, scopes, refresh_token, expires_at";

/// One row of `slack_installations`.
#[derive(Default)]
pub(crate) struct InstallationRow {
    pub(crate) install_key: String,
    pub(crate) app_id: Option<String>,
    pub(crate) enterprise_id: Option<String>,
    pub(crate) enterprise_name: Option<String>,
    pub(crate) team_id: Option<String>,
    pub(crate) team_name: Option<String>,
    pub(crate) is_enterprise_install: i64,
    pub(crate) bot_token: Option<String>,
    pub(crate) bot_id: Option<String>,
    pub(crate) bot_user_id: Option<String>,
    pub(crate) bot_scopes: Option<String>,
    pub(crate) bot_refresh_token: Option<String>,
    pub(crate) bot_expires_at: Option<i64>,
    pub(crate) webhook_url: Option<String>,
    pub(crate) webhook_channel: Option<String>,
    pub(crate) webhook_channel_id: Option<String>,
    pub(crate) webhook_configuration_url: Option<String>,
    pub(crate) installed_at: i64,
}

/// One row of `slack_user_tokens` (its key aside).
pub(crate) struct UserRow {
    pub(crate) user_id: String,
    pub(crate) token: String,
    pub(crate) scopes: Option<String>,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_at: Option<i64>,
}

/// Seconds since the Unix epoch, clamped to `i64`.
pub(crate) fn unix(t: SystemTime) -> i64 {
    t.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

fn from_unix(secs: i64) -> SystemTime {
    UNIX_EPOCH + Duration::from_secs(u64::try_from(secs).unwrap_or(0))
}

fn expose(s: &Option<Secret>) -> Option<String> {
    s.as_ref().map(|s| s.expose().to_owned())
}

fn join(scopes: &[String]) -> Option<String> {
    (!scopes.is_empty()).then(|| scopes.join(","))
}

/// An installation as rows; `None` when it names no key.
pub(crate) fn to_rows(i: &Installation) -> Option<(InstallationRow, Vec<UserRow>)> {
    let key = i.key()?.as_storage_key();
    let bot = i.bot.as_ref();
    let hook = i.incoming_webhook.as_ref();
    let row = InstallationRow {
        install_key: key,
        app_id: i.app_id.clone(),
        enterprise_id: i.enterprise_id.as_ref().map(|e| e.as_str().to_owned()),
        enterprise_name: i.enterprise_name.clone(),
        team_id: i.team_id.as_ref().map(|t| t.as_str().to_owned()),
        team_name: i.team_name.clone(),
        is_enterprise_install: i64::from(i.is_enterprise_install),
        bot_token: bot.map(|b| b.token.expose().to_owned()),
        bot_id: bot.and_then(|b| b.bot_id.clone()),
        bot_user_id: bot.and_then(|b| b.user_id.as_ref().map(|u| u.as_str().to_owned())),
        bot_scopes: bot.and_then(|b| join(&b.scopes)),
        bot_refresh_token: bot.and_then(|b| expose(&b.refresh_token)),
        bot_expires_at: bot.and_then(|b| b.expires_at.map(unix)),
        webhook_url: hook.map(|h| h.url.expose().to_owned()),
        webhook_channel: hook.and_then(|h| h.channel.clone()),
        webhook_channel_id: hook.and_then(|h| h.channel_id.clone()),
        webhook_configuration_url: hook.and_then(|h| h.configuration_url.clone()),
        installed_at: unix(i.installed_at),
    };
    let users = i
        .users
        .iter()
        .map(|u| UserRow {
            user_id: u.user_id.as_str().to_owned(),
            token: u.token.expose().to_owned(),
            scopes: join(&u.scopes),
            refresh_token: expose(&u.refresh_token),
            expires_at: u.expires_at.map(unix),
        })
        .collect();
    Some((row, users))
}

fn corrupt(key: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        key: key.to_owned(),
        reason: reason.into(),
    }
}

/// Rows read back as an installation; a row that cannot be one is
/// [`StoreError::Corrupt`] (naming the key and the column, never a value).
pub(crate) fn from_rows(
    r: InstallationRow,
    users: Vec<UserRow>,
) -> Result<Installation, StoreError> {
    let key = r.install_key.as_str();
    let is_enterprise_install = match r.is_enterprise_install {
        0 => false,
        1 => true,
        _ => return Err(corrupt(key, "is_enterprise_install is neither 0 nor 1")),
    };
    let secret = |s: Option<String>, column: &str| match s {
        Some(s) if s.is_empty() => Err(corrupt(key, format!("{column} is empty"))),
        s => Ok(s.map(Secret::new)),
    };
    let bot = match secret(r.bot_token, "bot_token")? {
        Some(token) => Some(BotToken {
            token,
            bot_id: r.bot_id,
            user_id: r.bot_user_id.map(UserId::new),
            scopes: split_scopes(r.bot_scopes.as_deref()),
            refresh_token: secret(r.bot_refresh_token, "bot_refresh_token")?,
            expires_at: r.bot_expires_at.map(from_unix),
        }),
        None => None,
    };
    let incoming_webhook = match secret(r.webhook_url, "webhook_url")? {
        Some(url) => Some(IncomingWebhook {
            url,
            channel: r.webhook_channel,
            channel_id: r.webhook_channel_id,
            configuration_url: r.webhook_configuration_url,
        }),
        None => None,
    };
    let mut tokens = Vec::with_capacity(users.len());
    for u in users {
        let Some(token) = secret(Some(u.token), "a user token")? else {
            continue;
        };
        tokens.push(UserToken {
            user_id: UserId::new(u.user_id),
            token,
            scopes: split_scopes(u.scopes.as_deref()),
            refresh_token: secret(u.refresh_token, "a user refresh token")?,
            expires_at: u.expires_at.map(from_unix),
        });
    }
    let inst = Installation {
        app_id: r.app_id,
        enterprise_id: r.enterprise_id.map(EnterpriseId::new),
        enterprise_name: r.enterprise_name,
        team_id: r.team_id.map(TeamId::new),
        team_name: r.team_name,
        is_enterprise_install,
        bot,
        users: tokens,
        incoming_webhook,
        installed_at: from_unix(r.installed_at),
    };
    if inst.key().map(|k| k.as_storage_key()).as_deref() != Some(key) {
        return Err(corrupt(
            key,
            "its team or organization does not match its key",
        ));
    }
    Ok(inst)
}
