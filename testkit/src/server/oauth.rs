//! The server side of the OAuth flow (`crate::oauth`): the authorize page
//! and the `FakeSlack` methods that register apps and expire tokens.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::json;
use wiremock::{Request, Respond, ResponseTemplate};

use super::{FakeSlack, Inner};
use crate::http::record_endpoint;
use crate::oauth::{OAUTH_AUTHORIZE, OauthApp, TeamInfo};
use crate::simulator::{Team, Workspace};

/// `GET /oauth/v2/authorize`: the user "clicks Allow" (or Cancel) at once.
pub(super) struct Authorize(pub(super) Arc<Inner>);

impl Respond for Authorize {
    fn respond(&self, req: &Request) -> ResponseTemplate {
        let inner = &self.0;
        let template = {
            let st = &mut *inner.lock();
            let q: BTreeMap<String, String> = req.url.query_pairs().into_owned().collect();
            let config = st.app.manifest.as_ref().map(|m| &m.oauth_config);
            let (status, location, error) = st.oauth.authorize(inner.seed, &q, config);
            let mut args = q.clone();
            args.remove("state");
            let response = match (&error, &location) {
                (Some(code), _) => json!({"ok": false, "error": code}),
                (None, Some(loc)) => json!({"ok": true, "redirect": loc}),
                (None, None) => json!({"ok": true}),
            };
            record_endpoint(
                &mut st.journal,
                OAUTH_AUTHORIZE,
                "GET",
                args,
                status,
                response,
            );
            match location {
                Some(loc) => ResponseTemplate::new(status).insert_header("location", loc.as_str()),
                None => ResponseTemplate::new(status).set_body_raw(
                    error.unwrap_or_default().into_bytes(),
                    "text/plain; charset=utf-8",
                ),
            }
        };
        inner.changed.notify_waiters();
        template
    }
}

impl FakeSlack {
    /// The default OAuth app (registered on first call): client ID
    /// `1000000000001.2000000000002`, no token rotation, any redirect URI.
    pub fn oauth_app(&self) -> OauthApp {
        self.inner.lock().oauth.default_app()
    }

    /// Registers (or replaces, by client ID) an OAuth app; returns it.
    ///
    /// The authorize page at [`oauth_authorize_url`](Self::oauth_authorize_url)
    /// then redirects to the app's `redirect_uri` with `code` and `state`
    /// (or `error=access_denied` when the app is set to [`deny`](OauthApp::deny)),
    /// and `oauth.v2.access` trades the code, once, for a bot token (when
    /// `scope` was asked) and a user token in `authed_user` (when
    /// `user_scope` was). Credentials go in the form or HTTP Basic. With
    /// token rotation, tokens come with `refresh_token` and `expires_in`,
    /// answer `token_expired` once expired, and the `refresh_token` grant
    /// and `oauth.v2.exchange` hand out new ones.
    pub fn register_oauth_app(&self, app: OauthApp) -> OauthApp {
        self.inner.lock().oauth.register(app.clone());
        app
    }

    /// The authorize page, `{uri}/oauth/v2/authorize` (clients from
    /// [`client`](Self::client) already use it for `authorize_url`).
    pub fn oauth_authorize_url(&self) -> String {
        format!("{}/oauth/v2/authorize", self.uri())
    }

    /// A `slack_api::Client` without a token, pointed at this fake (for `oauth.v2.access`).
    pub fn anonymous_client(&self) -> slack_api::Client {
        slack_api::Client::builder()
            .api_base_url(self.api_base_url())
            .oauth_authorize_url(self.oauth_authorize_url())
            .build()
            .expect("a client for a loopback URL always builds")
    }

    /// Adds a workspace beyond the default one ([`TEAM_ID`](crate::TEAM_ID)):
    /// the authorize page installs there when asked with `team=<team_id>`
    /// (as Slack's `team` parameter preselects a workspace), and
    /// `oauth.v2.access` then names it, with its own tokens (which expire
    /// on the fake clock with token rotation). It is a workspace of its
    /// own: seeded with the same people and channels as the default one
    /// (the same ids), its messages, files and the rest are its own, and a
    /// token issued for it (bot or user) reads and writes there, with
    /// `auth.test`, `team.info` and what it posts naming this team. What
    /// happens there reaches the app as this team's events, as do
    /// [`push_team_event`](Self::push_team_event)'s. RTM serves only the
    /// default workspace.
    pub fn add_team(&self, team_id: &str, name: &str) {
        self.add(team_id, name, None);
    }

    /// [`add_team`](Self::add_team) for a workspace of the Enterprise Grid
    /// organization `enterprise_id`: installs and events name the organization too.
    pub fn add_enterprise_team(
        &self,
        team_id: &str,
        name: &str,
        enterprise_id: &str,
        enterprise_name: &str,
    ) {
        let enterprise = (enterprise_id.to_string(), enterprise_name.to_string());
        self.add(team_id, name, Some(enterprise));
    }

    fn add(&self, team_id: &str, name: &str, enterprise: Option<(String, String)>) {
        let st = &mut *self.inner.lock();
        let info = TeamInfo {
            name: name.to_string(),
            enterprise,
        };
        st.oauth.add_team(team_id, info);
        if team_id != crate::TEAM_ID {
            let team = Team::named(team_id, name);
            let ws = Workspace::for_team(self.inner.seed, team, st.workspace.clock.clone());
            st.teams.insert(team_id.to_string(), ws);
        }
    }

    /// The workspace an access token from `oauth.v2.access` was issued for.
    pub fn oauth_token_team(&self, token: &str) -> Option<String> {
        self.inner
            .lock()
            .oauth
            .token_team(token)
            .map(str::to_string)
    }

    /// Delivers `event` as an `event_callback` of workspace `team_id` (and
    /// its organization, for a team added with
    /// [`add_enterprise_team`](Self::add_enterprise_team)) to the app, over
    /// Socket Mode and to the Events API URL, as a workspace change would
    /// be; returns its `event_id` (`None` when no app is connected).
    pub fn push_team_event(&self, team_id: &str, event: serde_json::Value) -> Option<String> {
        let id = {
            let st = &mut *self.inner.lock();
            let enterprise = st.oauth.enterprise_of(team_id).map(|(id, _)| id);
            st.socket_mode
                .deliver_event_in(team_id, enterprise.as_deref(), &event)
        };
        self.inner.changed.notify_waiters();
        id
    }

    /// Makes every rotating token issued so far expire now (they answer
    /// `token_expired`), so a test can exercise its refresh path without
    /// waiting. Returns how many tokens it expired.
    pub fn expire_oauth_tokens(&self) -> usize {
        let st = &mut *self.inner.lock();
        st.oauth.expire_all(st.workspace.clock.now_micros())
    }
}
