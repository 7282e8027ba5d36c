//! Many workspaces: where installations are kept, how the app finds the
//! token for each delivery, and the OAuth v2 install routes.
//!
//! An app that more than one workspace installs keeps one [`Installation`]
//! per workspace (or per Enterprise Grid organization, for an org-wide
//! install) in an [`InstallationStore`]. Given one
//! ([`App::installations`](crate::App::installations)), the app looks the
//! installation up for every delivery before it acks, hands the handler a
//! client holding that workspace's bot token, refreshes rotating tokens
//! before they expire, and deletes what `app_uninstalled` and
//! `tokens_revoked` say is gone.
//!
//! Stores: [`MemoryStore`] (always built; tests and single-process
//! experiments), `SqliteStore` (feature `sqlite`), `PostgresStore`
//! (feature `postgres`, for several app instances sharing one database).
//! The store also keeps the OAuth `state` values the install routes hand
//! out, and the `event_id`s already handled, so a retry that lands on
//! another instance is still dropped.

use std::fmt;
use std::time::{Duration, SystemTime};

use slack_api::Secret;
use slack_api::ids::{EnterpriseId, TeamId, UserId};
use slack_api::oauth::V2AccessResponse;
use slack_api::web::retry::BoxFuture;

mod memory;
pub(crate) mod oauth_routes;
#[cfg(feature = "postgres")]
mod postgres;
pub(crate) mod resolve;
#[cfg(any(feature = "sqlite", feature = "postgres"))]
mod sql;
#[cfg(feature = "sqlite")]
mod sqlite;

pub use memory::MemoryStore;
pub use oauth_routes::{DEFAULT_STATE_LIFETIME, INSTALL_PATH, OauthSettings, REDIRECT_PATH};
#[cfg(feature = "postgres")]
pub use postgres::{DEFAULT_POOL_SIZE, PostgresStore};
#[cfg(feature = "sqlite")]
pub use sqlite::SqliteStore;

/// Which installation: a workspace's, or an organization's org-wide one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstallationKey {
    /// The app installed in one workspace (team IDs are unique across organizations).
    Team(TeamId),
    /// The app installed across an Enterprise Grid organization.
    Enterprise(EnterpriseId),
}

impl InstallationKey {
    /// The key as one string, `T:<team>` or `E:<enterprise>` (how SQL stores keep it).
    pub fn as_storage_key(&self) -> String {
        match self {
            InstallationKey::Team(t) => format!("T:{}", t.as_str()),
            InstallationKey::Enterprise(e) => format!("E:{}", e.as_str()),
        }
    }
}

impl fmt::Display for InstallationKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstallationKey::Team(t) => write!(f, "team {t}"),
            InstallationKey::Enterprise(e) => write!(f, "organization {e}"),
        }
    }
}

/// The app's bot in one installation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct BotToken {
    /// The `xoxb-` token.
    pub token: Secret,
    /// The bot's ID (`B…`).
    pub bot_id: Option<String>,
    /// The bot's user (`U…`), whose own events the app ignores.
    pub user_id: Option<UserId>,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// For token rotation: what renews the token.
    pub refresh_token: Option<Secret>,
    /// For token rotation: when the token stops working.
    pub expires_at: Option<SystemTime>,
}

impl BotToken {
    /// A bot token without rotation.
    pub fn new(token: impl Into<Secret>) -> Self {
        BotToken {
            token: token.into(),
            bot_id: None,
            user_id: None,
            scopes: Vec::new(),
            refresh_token: None,
            expires_at: None,
        }
    }
}

/// A person's user token in one installation.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct UserToken {
    /// Whose token.
    pub user_id: UserId,
    /// The `xoxp-` token.
    pub token: Secret,
    /// Scopes granted.
    pub scopes: Vec<String>,
    /// For token rotation: what renews the token.
    pub refresh_token: Option<Secret>,
    /// For token rotation: when the token stops working.
    pub expires_at: Option<SystemTime>,
}

impl UserToken {
    /// `user`'s token, without rotation.
    pub fn new(user: impl Into<UserId>, token: impl Into<Secret>) -> Self {
        UserToken {
            user_id: user.into(),
            token: token.into(),
            scopes: Vec::new(),
            refresh_token: None,
            expires_at: None,
        }
    }
}

/// The incoming webhook an install created (scope `incoming-webhook`).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct IncomingWebhook {
    /// The webhook's URL (a secret: anyone holding it can post).
    pub url: Secret,
    /// The channel's name.
    pub channel: Option<String>,
    /// The channel's ID.
    pub channel_id: Option<String>,
    /// Where the person can change it.
    pub configuration_url: Option<String>,
}

/// The app installed in a workspace or an organization: what
/// `oauth.v2.access` answered, kept by an [`InstallationStore`].
///
/// `Debug` never shows a token: they are [`Secret`]s.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Installation {
    /// The app.
    pub app_id: Option<String>,
    /// The Enterprise Grid organization, if any.
    pub enterprise_id: Option<EnterpriseId>,
    /// Its name.
    pub enterprise_name: Option<String>,
    /// The workspace (`None` for an org-wide install).
    pub team_id: Option<TeamId>,
    /// Its name.
    pub team_name: Option<String>,
    /// Whether the app is installed across the organization.
    pub is_enterprise_install: bool,
    /// The bot, when bot scopes were granted.
    pub bot: Option<BotToken>,
    /// User tokens, one per person who installed with user scopes.
    pub users: Vec<UserToken>,
    /// The incoming webhook the install created.
    pub incoming_webhook: Option<IncomingWebhook>,
    /// When it was (last) installed.
    pub installed_at: SystemTime,
}

impl Installation {
    /// An installation in workspace `team`, with nothing granted yet.
    pub fn for_team(team: impl Into<TeamId>) -> Self {
        Installation {
            app_id: None,
            enterprise_id: None,
            enterprise_name: None,
            team_id: Some(team.into()),
            team_name: None,
            is_enterprise_install: false,
            bot: None,
            users: Vec::new(),
            incoming_webhook: None,
            installed_at: SystemTime::now(),
        }
    }

    /// An org-wide installation in `enterprise`.
    pub fn for_enterprise(enterprise: impl Into<EnterpriseId>) -> Self {
        Installation {
            enterprise_id: Some(enterprise.into()),
            team_id: None,
            is_enterprise_install: true,
            ..Installation::for_team("")
        }
    }

    /// What `oauth.v2.access` answered for a code, as an installation made
    /// at `now`; `None` when the answer names neither a workspace nor an
    /// organization.
    pub fn from_oauth(resp: &V2AccessResponse, now: SystemTime) -> Option<Self> {
        let team = resp.team.as_ref();
        let enterprise = resp.enterprise.as_ref();
        let mut inst = Installation {
            app_id: Some(resp.app_id.as_str().to_owned()),
            enterprise_id: enterprise.and_then(|e| e.id.clone()),
            enterprise_name: enterprise.and_then(|e| e.name.clone()),
            team_id: team
                .and_then(|t| t.id.clone())
                .filter(|t| !t.as_str().is_empty()),
            team_name: team.and_then(|t| t.name.clone()),
            is_enterprise_install: resp.is_enterprise_install == Some(true),
            bot: None,
            users: Vec::new(),
            incoming_webhook: None,
            installed_at: now,
        };
        if inst.is_enterprise_install {
            inst.team_id = None;
        }
        let expiry = |after: Option<Duration>| after.map(|d| now + d);
        if let Some(token) = resp.access_token.clone().filter(|t| !t.is_empty())
            && resp.token_type.as_deref().is_none_or(|t| t == "bot")
        {
            inst.bot = Some(BotToken {
                token,
                bot_id: None,
                user_id: resp.bot_user_id.clone(),
                scopes: split_scopes(resp.scope.as_deref()),
                refresh_token: resp.refresh_token.clone(),
                expires_at: expiry(resp.expires_in),
            });
        }
        if let Some(user) = &resp.authed_user
            && let (Some(id), Some(token)) = (&user.id, user.access_token.clone())
            && !token.is_empty()
        {
            inst.users.push(UserToken {
                user_id: UserId::new(id.clone()),
                token,
                scopes: split_scopes(user.scope.as_deref()),
                refresh_token: user.refresh_token.clone(),
                expires_at: expiry(user.expires_in),
            });
        }
        if let Some(hook) = &resp.incoming_webhook
            && let Some(url) = hook.url.clone()
        {
            inst.incoming_webhook = Some(IncomingWebhook {
                url,
                channel: hook.channel.as_ref().map(|c| c.as_str().to_owned()),
                channel_id: hook.channel_id.as_ref().map(|c| c.as_str().to_owned()),
                configuration_url: hook.configuration_url.clone(),
            });
        }
        inst.key().map(|_| inst)
    }

    /// Where it is kept: the organization for an org-wide install, else the
    /// workspace; `None` when it names neither.
    pub fn key(&self) -> Option<InstallationKey> {
        if self.is_enterprise_install {
            return self.enterprise_id.clone().map(InstallationKey::Enterprise);
        }
        self.team_id
            .clone()
            .filter(|t| !t.as_str().is_empty())
            .map(InstallationKey::Team)
    }

    /// `user`'s token, if they installed with user scopes.
    pub fn user_token(&self, user: &UserId) -> Option<&UserToken> {
        self.users.iter().find(|u| &u.user_id == user)
    }
}

pub(crate) fn split_scopes(s: Option<&str>) -> Vec<String> {
    s.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Why a store could not answer.
///
/// Never holds a token: drivers' errors are kept as the source, and the
/// stores never put a secret in a query's text.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The store could not be reached or failed the query (down, locked,
    /// connection lost). The delivery is not acknowledged as handled, so
    /// Slack retries it.
    #[error("the installation store is unavailable: {what}")]
    Unavailable {
        /// What was being done.
        what: String,
        /// The driver's error.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The store did not answer in time ([`App::store_timeout`](crate::App::store_timeout)).
    #[error("the installation store did not answer within {0:?}")]
    Timeout(Duration),
    /// A stored row does not read back (a missing token, a value of the
    /// wrong type); retrying will not help.
    #[error("the installation store holds a corrupt row for {key}: {reason}")]
    Corrupt {
        /// Which row (a key, never a token).
        key: String,
        /// What is wrong with it.
        reason: String,
    },
}

impl StoreError {
    /// A store failure doing `what`, caused by `source`.
    pub fn unavailable(
        what: impl Into<String>,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Self {
        StoreError::Unavailable {
            what: what.into(),
            source: Some(Box::new(source)),
        }
    }

    /// Whether Slack should be asked to deliver again (the store may answer then).
    pub fn is_retryable(&self) -> bool {
        !matches!(self, StoreError::Corrupt { .. })
    }
}

/// A store's answer.
pub type StoreResult<T> = Result<T, StoreError>;

/// Where installations, OAuth `state`s and handled `event_id`s are kept.
///
/// Every method returns a boxed future so the trait is object safe: the
/// app holds an `Arc<dyn InstallationStore>`. Implementations must be safe
/// to call from many handlers at once.
pub trait InstallationStore: Send + Sync + 'static {
    /// Saves an installation under its [`key`](Installation::key): its
    /// fields are replaced, its bot and webhook too when it has them (an
    /// install with user scopes only keeps the bot), and user tokens are
    /// merged by user (a second person installing adds theirs).
    fn save(&self, installation: Installation) -> BoxFuture<'_, StoreResult<()>>;

    /// The installation kept under `key`.
    fn find(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<Option<Installation>>>;

    /// Deletes the installation under `key` and its user tokens
    /// (`app_uninstalled`); `true` if there was one.
    fn delete(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<bool>>;

    /// Removes the bot token of the installation under `key` (the bot's
    /// token was revoked, `tokens_revoked`).
    fn delete_bot(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<()>>;

    /// Removes `user`'s token from the installation under `key`.
    fn delete_user(&self, key: &InstallationKey, user: &UserId) -> BoxFuture<'_, StoreResult<()>>;

    /// Keeps an OAuth `state` until `expires_at`.
    fn issue_state(&self, state: &str, expires_at: SystemTime) -> BoxFuture<'_, StoreResult<()>>;

    /// Takes `state` out: `true` if it was issued and had not expired at
    /// `now`. A state is consumed once; a second call answers `false`.
    fn consume_state(&self, state: &str, now: SystemTime) -> BoxFuture<'_, StoreResult<bool>>;

    /// Records that the event `event_id` is being handled, remembered until
    /// `keep_until`: `true` the first time, `false` for a redelivery (on
    /// this instance or another sharing the store). The default keeps no
    /// record (each instance then drops only the redeliveries it saw).
    fn claim_event(
        &self,
        event_id: &str,
        now: SystemTime,
        keep_until: SystemTime,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        let _ = (event_id, now, keep_until);
        Box::pin(async { Ok(true) })
    }
}

impl<T: InstallationStore + ?Sized> InstallationStore for std::sync::Arc<T> {
    fn save(&self, installation: Installation) -> BoxFuture<'_, StoreResult<()>> {
        (**self).save(installation)
    }
    fn find(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<Option<Installation>>> {
        (**self).find(key)
    }
    fn delete(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<bool>> {
        (**self).delete(key)
    }
    fn delete_bot(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<()>> {
        (**self).delete_bot(key)
    }
    fn delete_user(&self, key: &InstallationKey, user: &UserId) -> BoxFuture<'_, StoreResult<()>> {
        (**self).delete_user(key, user)
    }
    fn issue_state(&self, state: &str, expires_at: SystemTime) -> BoxFuture<'_, StoreResult<()>> {
        (**self).issue_state(state, expires_at)
    }
    fn consume_state(&self, state: &str, now: SystemTime) -> BoxFuture<'_, StoreResult<bool>> {
        (**self).consume_state(state, now)
    }
    fn claim_event(
        &self,
        event_id: &str,
        now: SystemTime,
        keep_until: SystemTime,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        (**self).claim_event(event_id, now, keep_until)
    }
}
