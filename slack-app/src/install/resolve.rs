//! Finding a delivery's installation before it is acked: the store lookup
//! (bounded by a timeout), refreshing rotating tokens once however many
//! handlers need them, dedup through the store, and the deletes that
//! `app_uninstalled` and `tokens_revoked` call for.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use slack_api::events::Event;
use slack_api::ids::UserId;
use slack_api::{Client, Secret};

use super::{Installation, InstallationKey, InstallationStore, OauthSettings, StoreError};
use crate::request::Request;

/// What the app reads the time from (token expiry, state lifetimes).
pub(crate) type Clock = Arc<dyn Fn() -> SystemTime + Send + Sync>;

/// How long a store call may take by default before the delivery is
/// answered as "try again".
pub(crate) const DEFAULT_STORE_TIMEOUT: Duration = Duration::from_millis(1500);
/// Tokens expiring sooner than this are refreshed before use, by default.
pub(crate) const DEFAULT_REFRESH_MARGIN: Duration = Duration::from_secs(300);
/// How long a handled `event_id` is remembered (Slack retries within minutes).
const EVENT_MEMORY: Duration = Duration::from_secs(3600);

/// The app's many-workspaces settings, as the builder collects them.
#[derive(Clone)]
pub(crate) struct InstallConfig {
    pub(crate) store: Option<Arc<dyn InstallationStore>>,
    pub(crate) oauth: Option<OauthSettings>,
    pub(crate) clock: Clock,
    pub(crate) timeout: Duration,
    pub(crate) refresh_margin: Duration,
}

impl Default for InstallConfig {
    fn default() -> Self {
        InstallConfig {
            store: None,
            oauth: None,
            clock: Arc::new(SystemTime::now),
            timeout: DEFAULT_STORE_TIMEOUT,
            refresh_margin: DEFAULT_REFRESH_MARGIN,
        }
    }
}

/// Why a delivery's installation could not be resolved.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ResolveError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("refreshing the token of {key} failed")]
    Refresh {
        key: InstallationKey,
        #[source]
        source: slack_api::Error,
    },
}

impl ResolveError {
    /// Whether Slack should deliver again.
    pub(crate) fn is_retryable(&self) -> bool {
        match self {
            ResolveError::Store(e) => e.is_retryable(),
            // Slack refusing the refresh token will refuse it again.
            ResolveError::Refresh { source, .. } => !matches!(source, slack_api::Error::Api(_)),
        }
    }
}

/// What a delivery runs with.
pub(crate) struct Resolved {
    pub(crate) client: Client,
    pub(crate) bot_user: Option<UserId>,
    pub(crate) installation: Option<Arc<Installation>>,
}

pub(crate) enum Outcome {
    Ready(Resolved),
    /// No installation for where it came from.
    NotInstalled(String),
    /// An `event_id` already handled (here or by another instance).
    Duplicate,
}

/// Per-request installation lookup, shared by every delivery.
pub(crate) struct Resolver {
    store: Arc<dyn InstallationStore>,
    cfg: InstallConfig,
    base: Client,
    /// One lock per installation being refreshed: the first handler
    /// refreshes, the others wait and read what it saved.
    refreshing: Mutex<HashMap<InstallationKey, Arc<tokio::sync::Mutex<()>>>>,
    /// Events this instance took, for stores that keep no record of them.
    seen: slack_api::inbound::events_api::Dedup,
}

impl Resolver {
    pub(crate) fn new(store: Arc<dyn InstallationStore>, cfg: InstallConfig, base: Client) -> Self {
        Resolver {
            store,
            cfg,
            base: base.without_token(),
            refreshing: Mutex::new(HashMap::new()),
            seen: slack_api::inbound::events_api::Dedup::default(),
        }
    }

    pub(crate) fn now(&self) -> SystemTime {
        (self.cfg.clock)()
    }

    pub(crate) fn store(&self) -> &Arc<dyn InstallationStore> {
        &self.store
    }

    pub(crate) fn oauth(&self) -> Option<&OauthSettings> {
        self.cfg.oauth.as_ref()
    }

    pub(crate) fn base(&self) -> &Client {
        &self.base
    }

    /// A store call, bounded by the timeout.
    pub(crate) async fn bounded<T>(
        &self,
        call: impl Future<Output = Result<T, StoreError>>,
    ) -> Result<T, StoreError> {
        match tokio::time::timeout(self.cfg.timeout, call).await {
            Ok(r) => r,
            Err(_) => Err(StoreError::Timeout(self.cfg.timeout)),
        }
    }

    /// The installation a delivery belongs to, with fresh tokens.
    pub(crate) async fn resolve(&self, req: &Request) -> Result<Outcome, ResolveError> {
        let origin = req.origin();
        let mut keys = Vec::with_capacity(2);
        let team = origin.team_id.clone().map(InstallationKey::Team);
        let org = origin
            .enterprise_id
            .clone()
            .map(InstallationKey::Enterprise);
        if origin.is_enterprise_install {
            keys.extend(org.clone());
            keys.extend(team.clone());
        } else {
            keys.extend(team.clone());
            keys.extend(org.clone());
        }
        let mut found = None;
        for key in keys {
            if let Some(inst) = self.bounded(self.store.find(&key)).await? {
                found = Some((key, inst));
                break;
            }
        }
        let event = match req {
            Request::Event(cb) => Some(cb),
            _ => None,
        };
        // What says the tokens are gone is handled without them.
        if let Some(cb) = event {
            match &cb.event {
                Event::AppUninstalled(_) => {
                    if let Some((key, _)) = &found {
                        self.bounded(self.store.delete(key)).await?;
                        tracing::info!(installation = %key, "app uninstalled; installation deleted");
                    }
                    return self.tokenless(cb.event_id.as_deref()).await;
                }
                Event::TokensRevoked(e) => {
                    if let Some((key, inst)) = &found {
                        let tokens = e.tokens.clone().unwrap_or_default();
                        for user in &tokens.oauth {
                            let user = UserId::new(user.clone());
                            self.bounded(self.store.delete_user(key, &user)).await?;
                        }
                        if !tokens.bot.is_empty() && inst.bot.is_some() {
                            self.bounded(self.store.delete_bot(key)).await?;
                        }
                        tracing::info!(installation = %key, users = tokens.oauth.len(), bot = !tokens.bot.is_empty(), "tokens revoked; removed");
                    }
                    return self.tokenless(cb.event_id.as_deref()).await;
                }
                _ => {}
            }
        }
        let Some((key, inst)) = found else {
            let at = match (&origin.team_id, &origin.enterprise_id) {
                (Some(t), _) => format!("team {t}"),
                (None, Some(e)) => format!("organization {e}"),
                (None, None) => "a delivery naming no workspace".to_owned(),
            };
            return Ok(Outcome::NotInstalled(at));
        };
        let inst = self.fresh(key, inst).await?;
        if let Some(id) = event.and_then(|cb| cb.event_id.as_deref())
            && !self.claim(id).await?
        {
            return Ok(Outcome::Duplicate);
        }
        let (client, bot_user) = match &inst.bot {
            Some(bot) => (self.base.with_token(bot.token.clone()), bot.user_id.clone()),
            // An install with user scopes only: the installer's token.
            None => match inst.users.first() {
                Some(u) => (self.base.with_token(u.token.clone()), None),
                None => (self.base.clone(), None),
            },
        };
        Ok(Outcome::Ready(Resolved {
            client,
            bot_user,
            installation: Some(Arc::new(inst)),
        }))
    }

    /// Whether this delivery of `event_id` is the first: on this instance,
    /// then in the store (for every instance sharing it).
    async fn claim(&self, event_id: &str) -> Result<bool, StoreError> {
        if !self.seen.first_time(event_id) {
            return Ok(false);
        }
        let now = self.now();
        let claimed = self
            .bounded(self.store.claim_event(event_id, now, now + EVENT_MEMORY))
            .await;
        if !matches!(claimed, Ok(true)) {
            // Not taken here after all: its redelivery must be.
            self.seen.forget(event_id);
        }
        claimed
    }

    async fn tokenless(&self, event_id: Option<&str>) -> Result<Outcome, ResolveError> {
        if let Some(id) = event_id
            && !self.claim(id).await?
        {
            return Ok(Outcome::Duplicate);
        }
        Ok(Outcome::Ready(Resolved {
            client: self.base.clone(),
            bot_user: None,
            installation: None,
        }))
    }

    /// Whether a rotating token stops working within the margin.
    fn due(&self, refresh: Option<&Secret>, expires_at: Option<SystemTime>) -> bool {
        refresh.is_some() && expires_at.is_some_and(|at| at <= self.now() + self.cfg.refresh_margin)
    }

    fn expiring(&self, inst: &Installation) -> bool {
        let bot = inst.bot.as_ref();
        bot.is_some_and(|b| self.due(b.refresh_token.as_ref(), b.expires_at))
            || inst
                .users
                .iter()
                .any(|u| self.due(u.refresh_token.as_ref(), u.expires_at))
    }

    /// `inst` with bot and user tokens that do not expire within the
    /// margin: refreshed (once, whoever else is waiting) and saved when
    /// needed. A bot token that cannot be refreshed fails the delivery; a
    /// user token is kept as it is, with a warning (the handler may not
    /// need it, and using it says what is wrong).
    async fn fresh(
        &self,
        key: InstallationKey,
        inst: Installation,
    ) -> Result<Installation, ResolveError> {
        if !self.expiring(&inst) {
            return Ok(inst);
        }
        let Some(oauth) = self.cfg.oauth.clone() else {
            tracing::warn!(installation = %key, "a token is about to expire and the app has no OAuth settings to refresh it");
            return Ok(inst);
        };
        let lock = self
            .refreshing
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(key.clone())
            .or_default()
            .clone();
        let _one_at_a_time = lock.lock().await;
        // Another handler may have refreshed it while this one waited.
        let mut inst = self.bounded(self.store.find(&key)).await?.unwrap_or(inst);
        if !self.expiring(&inst) {
            return Ok(inst);
        }
        if let Some(bot) = inst.bot.as_mut()
            && self.due(bot.refresh_token.as_ref(), bot.expires_at)
        {
            let mut rotating = Rotating {
                token: &mut bot.token,
                refresh: &mut bot.refresh_token,
                expires_at: &mut bot.expires_at,
            };
            self.renew(&oauth, &mut rotating)
                .await
                .map_err(|source| ResolveError::Refresh {
                    key: key.clone(),
                    source,
                })?;
            tracing::info!(installation = %key, "bot token refreshed");
        }
        for user in &mut inst.users {
            if !self.due(user.refresh_token.as_ref(), user.expires_at) {
                continue;
            }
            let mut rotating = Rotating {
                token: &mut user.token,
                refresh: &mut user.refresh_token,
                expires_at: &mut user.expires_at,
            };
            match self.renew(&oauth, &mut rotating).await {
                Ok(()) => {
                    tracing::info!(installation = %key, user = %user.user_id, "user token refreshed")
                }
                Err(e) => {
                    tracing::warn!(installation = %key, user = %user.user_id, error = %e, "a user token could not be refreshed")
                }
            }
        }
        self.bounded(self.store.save(inst.clone())).await?;
        Ok(inst)
    }

    /// Trades a rotating token's refresh token for a new token, in place.
    async fn renew(
        &self,
        oauth: &OauthSettings,
        rotating: &mut Rotating<'_>,
    ) -> Result<(), slack_api::Error> {
        let Some(refresh) = rotating.refresh.clone() else {
            return Ok(());
        };
        let resp = self
            .base
            .oauth()
            .refresh_token(
                oauth.client_id.clone(),
                oauth.client_secret.clone(),
                refresh,
            )
            .send()
            .await?;
        let now = self.now();
        if let Some(token) = resp.access_token.filter(|t| !t.is_empty()) {
            *rotating.token = token;
        }
        if let Some(r) = resp.refresh_token.filter(|t| !t.is_empty()) {
            *rotating.refresh = Some(r);
        }
        *rotating.expires_at = resp.expires_in.map(|d| now + d);
        Ok(())
    }
}

/// The parts of a bot or user token that rotation renews.
struct Rotating<'a> {
    token: &'a mut Secret,
    refresh: &'a mut Option<Secret>,
    expires_at: &'a mut Option<SystemTime>,
}
