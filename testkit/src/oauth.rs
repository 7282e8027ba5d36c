//! The OAuth v2 install flow on the fake: the authorize page (which approves
//! at once and redirects), `oauth.v2.access` (code and refresh-token grants)
//! and `oauth.v2.exchange`, for apps registered with
//! [`FakeSlack::oauth_app`](crate::FakeSlack::oauth_app) or
//! [`FakeSlack::register_oauth_app`](crate::FakeSlack::register_oauth_app).

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use wiremock::Request;

use crate::http::opaque;
use crate::manifest::OauthConfig;
use crate::request::{CredentialKind, Decoded};
use crate::simulator::{BOT_USER, DEFAULT_USER, TEAM_ID, TEAM_NAME};

/// Journal name of visits to the authorize page.
pub const OAUTH_AUTHORIZE: &str = "oauth_authorize";

/// One `oauth.v2.*` call, as its handler sees it.
pub(crate) struct OauthCall<'a> {
    pub(crate) seed: u64,
    pub(crate) decoded: &'a Decoded,
    /// The user the call's token acts as.
    pub(crate) caller: &'a str,
}

/// An `oauth.v2.*` method; see the table in `methods.rs`.
pub(crate) type Handler = fn(&mut OauthState, &OauthCall<'_>) -> Result<Value, String>;

use crate::simulator::APP_ID;
const DEFAULT_CLIENT_ID: &str = "1000000000001.2000000000002";
const DEFAULT_CLIENT_SECRET: &str = "testkit-client-secret";

/// An app registered with the fake's OAuth: credentials and install behaviour.
///
/// `Debug` leaves the client secret out.
#[derive(Clone, PartialEq, Eq)]
pub struct OauthApp {
    client_id: String,
    client_secret: String,
    token_rotation: bool,
    expires_in: u64,
    redirect_uris: Vec<String>,
    deny: bool,
    installer: String,
}

impl fmt::Debug for OauthApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OauthApp")
            .field("client_id", &self.client_id)
            .field("token_rotation", &self.token_rotation)
            .field("expires_in", &self.expires_in)
            .field("redirect_uris", &self.redirect_uris)
            .field("deny", &self.deny)
            .field("installer", &self.installer)
            .finish_non_exhaustive()
    }
}

impl OauthApp {
    /// An app with these credentials: no token rotation, any redirect URI,
    /// installed by `U_ALICE`, who clicks "Allow".
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<String>) -> Self {
        OauthApp {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            token_rotation: false,
            expires_in: 43_200,
            redirect_uris: Vec::new(),
            deny: false,
            installer: DEFAULT_USER.to_string(),
        }
    }

    /// Turns token rotation on: tokens expire (after 12 hours unless
    /// [`expires_in`](Self::expires_in) says otherwise) and come with a refresh token.
    #[must_use]
    pub fn token_rotation(mut self, on: bool) -> Self {
        self.token_rotation = on;
        self
    }

    /// Lifetime of rotating tokens, in seconds.
    #[must_use]
    pub fn expires_in(mut self, seconds: u64) -> Self {
        self.expires_in = seconds;
        self
    }

    /// Adds an allowed redirect URI (the app settings' list). With none, any is accepted;
    /// otherwise the authorize request's must start with one of them.
    #[must_use]
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uris.push(uri.into());
        self
    }

    /// Whether the user clicks "Cancel": the authorize page then redirects
    /// with `error=access_denied`.
    #[must_use]
    pub fn deny(mut self, deny: bool) -> Self {
        self.deny = deny;
        self
    }

    /// Who installs the app (whose user token `authed_user` carries).
    #[must_use]
    pub fn installer(mut self, user: impl Into<String>) -> Self {
        self.installer = user.into();
        self
    }

    /// The client ID.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// The client secret.
    pub fn client_secret(&self) -> &str {
        &self.client_secret
    }
}

/// A workspace beyond the default one that the app can be installed in
/// ([`FakeSlack::add_team`](crate::FakeSlack::add_team)).
#[derive(Debug, Clone)]
pub(crate) struct TeamInfo {
    pub(crate) name: String,
    /// The Enterprise Grid organization it belongs to: ID and name.
    pub(crate) enterprise: Option<(String, String)>,
}

/// A code handed out by the authorize page, until exchanged.
#[derive(Debug, Clone)]
struct Grant {
    client_id: String,
    /// The workspace the person installs in.
    team: String,
    scopes: Vec<String>,
    user_scopes: Vec<String>,
    redirect_uri: Option<String>,
    user: String,
}

/// What a refresh token renews.
#[derive(Debug, Clone)]
struct Renewable {
    client_id: String,
    team: String,
    /// `bot` or `user`.
    token_type: &'static str,
    user: String,
    scopes: String,
}

/// OAuth state: apps, pending codes, issued tokens.
#[derive(Debug, Default)]
pub(crate) struct OauthState {
    apps: BTreeMap<String, OauthApp>,
    /// Workspaces beyond the default one (configuration, kept on reset).
    teams: BTreeMap<String, TeamInfo>,
    /// The workspace of each access token issued.
    token_teams: BTreeMap<String, String>,
    codes: BTreeMap<String, Grant>,
    refresh: BTreeMap<String, Renewable>,
    /// Rotating access tokens and when they stop working, on the fake
    /// clock (microseconds).
    expiring: BTreeMap<String, u64>,
    /// Legacy tokens already traded by `oauth.v2.exchange`.
    exchanged: Vec<String>,
    counter: u64,
    /// HTTP Basic credentials of the request being answered (set per request).
    pub(crate) basic: Option<(String, String)>,
    /// The fake clock when the request being answered came (set per request).
    pub(crate) now: u64,
}

impl OauthState {
    /// Forgets codes and tokens; registered apps stay (they are configuration).
    pub(crate) fn reset(&mut self) {
        let apps = std::mem::take(&mut self.apps);
        let teams = std::mem::take(&mut self.teams);
        *self = OauthState {
            apps,
            teams,
            ..OauthState::default()
        };
    }

    /// Adds (or replaces) a workspace the app can be installed in.
    pub(crate) fn add_team(&mut self, id: &str, info: TeamInfo) {
        self.teams.insert(id.to_string(), info);
    }

    /// Whether `team` is the default workspace, one added, or the
    /// organization of one added (an org-wide install).
    fn knows_team(&self, team: &str) -> bool {
        team == TEAM_ID || self.teams.contains_key(team) || self.enterprise_name(team).is_some()
    }

    /// The name of Enterprise Grid organization `id`, if a workspace added
    /// belongs to it.
    fn enterprise_name(&self, id: &str) -> Option<&str> {
        self.teams.values().find_map(|t| match &t.enterprise {
            Some((e, name)) if e == id => Some(name.as_str()),
            _ => None,
        })
    }

    /// The workspaces of organization `enterprise`, in id order.
    pub(crate) fn teams_in(&self, enterprise: &str) -> impl Iterator<Item = &str> {
        self.teams
            .iter()
            .filter(move |(_, t)| t.enterprise.as_ref().is_some_and(|(e, _)| e == enterprise))
            .map(|(id, _)| id.as_str())
    }

    /// The enterprise a workspace belongs to, if any: ID and name.
    pub(crate) fn enterprise_of(&self, team: &str) -> Option<(String, String)> {
        self.teams.get(team).and_then(|t| t.enterprise.clone())
    }

    /// `team` and `enterprise` as `oauth.v2.access` answers them; `team`
    /// an organization's id for an org-wide install.
    fn team_fields(&self, body: &mut Value, team: &str) {
        if let Some(name) = self.enterprise_name(team) {
            body["team"] = Value::Null;
            body["enterprise"] = json!({"id": team, "name": name});
            body["is_enterprise_install"] = json!(true);
            return;
        }
        let name = self.teams.get(team).map_or(TEAM_NAME, |t| t.name.as_str());
        body["team"] = json!({"id": team, "name": name});
        body["enterprise"] = match self.enterprise_of(team) {
            Some((id, name)) => json!({"id": id, "name": name}),
            None => Value::Null,
        };
        body["is_enterprise_install"] = json!(false);
    }

    /// The workspace an access token was issued for (by `oauth.v2.access`),
    /// or the organization for an org-wide install.
    pub(crate) fn token_team(&self, token: &str) -> Option<&str> {
        self.token_teams.get(token).map(String::as_str)
    }
}

/// Client id and secret from an `Authorization: Basic` header.
pub(crate) fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let value = req.headers.get("authorization")?.to_str().ok()?.trim();
    let encoded = value
        .get(..6)
        .filter(|p| p.eq_ignore_ascii_case("basic "))
        .map(|_| &value[6..])?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((id.to_string(), secret.to_string()))
}

fn list(s: Option<&str>) -> Vec<String> {
    s.unwrap_or("")
        .split([',', ' '])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// Issuing tokens: `oauth.v2.access` and `oauth.v2.exchange`.
impl OauthState {
    fn next(&mut self, seed: u64, len: usize) -> (u64, String) {
        self.counter += 1;
        (self.counter, opaque(seed, 5_000 + self.counter, len))
    }

    /// A new access token (and, with rotation, refresh token and lifetime) as JSON fields.
    fn issue(
        &mut self,
        seed: u64,
        app: &OauthApp,
        team: &str,
        token_type: &'static str,
        user: &str,
        scopes: &str,
    ) -> Value {
        let (n, secret) = self.next(seed, 24);
        let access = match token_type {
            "bot" => format!("xoxb-{n}-{secret}"),
            // The trailing user ID makes the simulator act as that user.
            _ => format!("xoxp-{n}-{secret}-{user}"),
        };
        self.token_teams.insert(access.clone(), team.to_string());
        let mut v = json!({
            "access_token": access,
            "token_type": token_type,
            "scope": scopes,
        });
        if app.token_rotation {
            let (_, r) = self.next(seed, 40);
            let refresh = format!("xoxe-1-{r}");
            self.refresh.insert(
                refresh.clone(),
                Renewable {
                    client_id: app.client_id.clone(),
                    team: team.to_string(),
                    token_type,
                    user: user.to_string(),
                    scopes: scopes.to_string(),
                },
            );
            self.expiring
                .insert(access, self.now + secs_to_micros(app.expires_in));
            v["refresh_token"] = json!(refresh);
            v["expires_in"] = json!(app.expires_in);
        }
        v
    }

    /// The app named by the request's credentials (form fields or HTTP Basic).
    fn authenticate(&mut self, d: &Decoded) -> Result<OauthApp, String> {
        let basic = self.basic.take();
        let (id, secret) = match basic {
            Some(pair) => pair,
            None => (
                d.args.get("client_id").cloned().unwrap_or_default(),
                d.args.get("client_secret").cloned().unwrap_or_default(),
            ),
        };
        let app = self
            .apps
            .get(&id)
            .cloned()
            .ok_or_else(|| "invalid_client_id".to_string())?;
        if app.client_secret != secret {
            return Err("bad_client_secret".into());
        }
        Ok(app)
    }

    pub(crate) fn access(&mut self, seed: u64, d: &Decoded) -> Result<Value, String> {
        let app = self.authenticate(d)?;
        let arg = |k: &str| d.args.get(k).map(String::as_str).filter(|v| !v.is_empty());
        match arg("grant_type").unwrap_or("authorization_code") {
            "authorization_code" => {
                let code = arg("code").ok_or("invalid_code")?;
                let grant = self
                    .codes
                    .get(code)
                    .filter(|g| g.client_id == app.client_id)
                    .cloned()
                    .ok_or("invalid_code")?;
                if grant.redirect_uri.is_some()
                    && grant.redirect_uri.as_deref() != arg("redirect_uri")
                {
                    return Err("bad_redirect_uri".into());
                }
                // Codes work once.
                self.codes.remove(code);
                let mut body = json!({
                    "app_id": APP_ID,
                    "authed_user": {"id": grant.user},
                });
                self.team_fields(&mut body, &grant.team);
                if !grant.scopes.is_empty() {
                    let scopes = grant.scopes.join(",");
                    let bot = self.issue(seed, &app, &grant.team, "bot", BOT_USER, &scopes);
                    if let (Value::Object(b), Value::Object(t)) = (&mut body, bot) {
                        b.extend(t);
                    }
                    body["bot_user_id"] = json!(BOT_USER);
                }
                if !grant.user_scopes.is_empty() {
                    let user = self.issue(
                        seed,
                        &app,
                        &grant.team,
                        "user",
                        &grant.user,
                        &grant.user_scopes.join(","),
                    );
                    if let (Value::Object(u), Value::Object(t)) = (&mut body["authed_user"], user) {
                        u.extend(t);
                    }
                }
                Ok(body)
            }
            "refresh_token" => {
                let token = arg("refresh_token").ok_or("invalid_refresh_token")?;
                let r = self
                    .refresh
                    .get(token)
                    .filter(|r| r.client_id == app.client_id)
                    .cloned()
                    .ok_or("invalid_refresh_token")?;
                let mut body = self.issue(seed, &app, &r.team, r.token_type, &r.user, &r.scopes);
                body["app_id"] = json!(APP_ID);
                self.team_fields(&mut body, &r.team);
                if r.token_type == "bot" {
                    body["bot_user_id"] = json!(BOT_USER);
                } else {
                    body["authed_user"] = json!({"id": r.user});
                }
                Ok(body)
            }
            _ => Err("invalid_grant_type".into()),
        }
    }

    pub(crate) fn exchange(&mut self, seed: u64, d: &Decoded, user: &str) -> Result<Value, String> {
        let app = self.authenticate(d)?;
        let token = d.token.clone().ok_or("invalid_token")?;
        if !app.token_rotation {
            return Err("token_rotation_not_enabled".into());
        }
        if self.exchanged.contains(&token) {
            return Err("token_already_exchanged".into());
        }
        if self.expiring.contains_key(&token) {
            return Err("invalid_token".into());
        }
        let token_type = match d.token_kind {
            CredentialKind::Bot => "bot",
            CredentialKind::User => "user",
            _ => return Err("invalid_token".into()),
        };
        self.exchanged.push(token);
        let who = if token_type == "bot" { BOT_USER } else { user };
        let mut body = self.issue(seed, &app, TEAM_ID, token_type, who, "");
        body["app_id"] = json!(APP_ID);
        body["team"] = json!({"id": TEAM_ID, "name": TEAM_NAME});
        body["enterprise"] = Value::Null;
        body["is_enterprise_install"] = json!(false);
        if token_type == "bot" {
            body["bot_user_id"] = json!(BOT_USER);
        } else {
            body["user_id"] = json!(user);
        }
        Ok(body)
    }
}

/// The authorize page, token expiry, and the registered apps.
impl OauthState {
    /// Status, redirect location, and error code of an authorize request.
    /// With the app's manifest `config`, the scopes asked must be among
    /// its scopes and the redirect among its `redirect_urls`, as Slack
    /// checks them.
    pub(crate) fn authorize(
        &mut self,
        seed: u64,
        q: &BTreeMap<String, String>,
        config: Option<&OauthConfig>,
    ) -> (u16, Option<String>, Option<String>) {
        let get = |k: &str| q.get(k).map(String::as_str).filter(|v| !v.is_empty());
        // Problems with the client or redirect URI are shown on Slack's page, not redirected.
        let Some(app) = get("client_id").and_then(|id| self.apps.get(id)).cloned() else {
            return (400, None, Some("invalid_client_id".into()));
        };
        let allowed = config
            .map(|c| c.redirect_urls.as_slice())
            .filter(|urls| !urls.is_empty())
            .unwrap_or(&app.redirect_uris);
        let redirect = match get("redirect_uri") {
            Some(r) if allowed.is_empty() || allowed.iter().any(|a| r.starts_with(a.as_str())) => {
                r.to_string()
            }
            Some(_) => return (400, None, Some("bad_redirect_uri".into())),
            None => match allowed.first() {
                Some(r) => r.clone(),
                None => return (400, None, Some("bad_redirect_uri".into())),
            },
        };
        let Ok(mut target) = url::Url::parse(&redirect) else {
            return (400, None, Some("bad_redirect_uri".into()));
        };
        // The workspace the person picks (`team` preselects one).
        let team = get("team").unwrap_or(TEAM_ID).to_string();
        if !self.knows_team(&team) {
            return (400, None, Some("invalid_team".into()));
        }
        let scopes = list(get("scope"));
        let user_scopes = list(get("user_scope"));
        let beyond = |asked: &[String], granted: Option<&Vec<String>>| {
            granted.is_some_and(|g| asked.iter().any(|s| !g.contains(s)))
        };
        let error = if (scopes.is_empty() && user_scopes.is_empty())
            || beyond(&scopes, config.map(|c| &c.scopes.bot))
            || beyond(&user_scopes, config.map(|c| &c.scopes.user))
        {
            Some("invalid_scope")
        } else if app.deny {
            Some("access_denied")
        } else {
            None
        };
        {
            let mut pairs = target.query_pairs_mut();
            match error {
                Some(code) => {
                    pairs.append_pair("error", code);
                }
                None => {
                    let (n, secret) = self.next(seed, 20);
                    let code = format!("{n}.{secret}");
                    self.codes.insert(
                        code.clone(),
                        Grant {
                            client_id: app.client_id.clone(),
                            team: team.clone(),
                            scopes,
                            user_scopes,
                            redirect_uri: get("redirect_uri").map(str::to_string),
                            user: app.installer.clone(),
                        },
                    );
                    pairs.append_pair("code", &code);
                }
            }
            if let Some(state) = q.get("state") {
                pairs.append_pair("state", state);
            }
        }
        (302, Some(target.into()), error.map(str::to_string))
    }

    /// `token_expired` for a rotating token past its lifetime.
    pub(crate) fn check_token(&self, d: &Decoded) -> Option<Value> {
        let token = d.token.as_deref()?;
        let expires = self.expiring.get(token)?;
        (self.now >= *expires).then(|| json!({"ok": false, "error": "token_expired"}))
    }

    /// The default app, registered on first use.
    pub(crate) fn default_app(&mut self) -> OauthApp {
        self.apps
            .entry(DEFAULT_CLIENT_ID.to_string())
            .or_insert_with(|| OauthApp::new(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET))
            .clone()
    }

    /// Registers (or replaces, by client ID) an app.
    pub(crate) fn register(&mut self, app: OauthApp) {
        self.apps.insert(app.client_id.clone(), app);
    }

    /// Makes every rotating token issued so far expire at `now` (the fake
    /// clock's microseconds); returns how many.
    pub(crate) fn expire_all(&mut self, now: u64) -> usize {
        let mut n = 0;
        for at in self.expiring.values_mut() {
            if *at > now {
                *at = now;
                n += 1;
            }
        }
        n
    }
}

fn secs_to_micros(secs: u64) -> u64 {
    u64::try_from(Duration::from_secs(secs).as_micros()).unwrap_or(u64::MAX)
}
