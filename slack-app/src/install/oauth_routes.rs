//! The OAuth v2 install flow as two routes on the app's router: the
//! install link (a fresh `state`, kept in the store and in a cookie, then
//! a redirect to Slack's authorize page) and the redirect Slack sends the
//! person back to (state and cookie checked, the code exchanged, the
//! installation saved, a page saying how it went).

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use slack_api::Secret;

use super::Installation;
use super::resolve::Resolver;

/// The install link: send people here to add the app to their workspace
/// (`?team=T…` preselects one).
pub const INSTALL_PATH: &str = "/slack/install";
/// Where Slack sends people back after they approve: set it as the app's
/// redirect URL.
pub const REDIRECT_PATH: &str = "/slack/oauth_redirect";

const STATE_COOKIE: &str = "slack_app_oauth_state";
/// How long an install link stays good, by default.
pub const DEFAULT_STATE_LIFETIME: Duration = Duration::from_secs(600);

/// The app's OAuth credentials and what it asks for at install; also what
/// the app refreshes rotating tokens with.
///
/// `Debug` leaves the client secret out.
#[derive(Clone)]
pub struct OauthSettings {
    pub(crate) client_id: String,
    pub(crate) client_secret: Secret,
    scopes: Vec<String>,
    user_scopes: Vec<String>,
    redirect_uri: Option<String>,
    state_lifetime: Duration,
}

impl fmt::Debug for OauthSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OauthSettings")
            .field("client_id", &self.client_id)
            .field("scopes", &self.scopes)
            .field("user_scopes", &self.user_scopes)
            .field("redirect_uri", &self.redirect_uri)
            .field("state_lifetime", &self.state_lifetime)
            .finish_non_exhaustive()
    }
}

impl OauthSettings {
    /// The app's client ID and secret (its Basic Information page).
    pub fn new(client_id: impl Into<String>, client_secret: impl Into<Secret>) -> Self {
        OauthSettings {
            client_id: client_id.into(),
            client_secret: client_secret.into(),
            scopes: Vec::new(),
            user_scopes: Vec::new(),
            redirect_uri: None,
            state_lifetime: DEFAULT_STATE_LIFETIME,
        }
    }

    /// Bot scopes asked at install.
    pub fn scopes<I: IntoIterator<Item = T>, T: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// User scopes asked at install.
    pub fn user_scopes<I: IntoIterator<Item = T>, T: Into<String>>(mut self, scopes: I) -> Self {
        self.user_scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// The full URL of [`REDIRECT_PATH`] on the app's host (one of the
    /// app's redirect URLs); without it Slack uses the app's first one.
    /// An `https` one makes the state cookie `Secure`.
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// How long an install link works (default [`DEFAULT_STATE_LIFETIME`]).
    pub fn state_lifetime(mut self, lifetime: Duration) -> Self {
        self.state_lifetime = lifetime;
        self
    }
}

/// The install and redirect routes, for a resolver with OAuth settings.
pub(crate) fn routes(resolver: Arc<Resolver>) -> Router {
    Router::new()
        .route(INSTALL_PATH, get(install))
        .route(REDIRECT_PATH, get(callback))
        .with_state(resolver)
}

fn query(uri: &Uri) -> Vec<(String, String)> {
    url::form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

fn param<'a>(q: &'a [(String, String)], name: &str) -> Option<&'a str> {
    q.iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .filter(|v| !v.is_empty())
}

/// An unguessable state: 32 random bytes, hex.
fn new_state() -> Option<String> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

async fn install(
    axum::extract::State(resolver): axum::extract::State<Arc<Resolver>>,
    uri: Uri,
) -> Response {
    let Some(oauth) = resolver.oauth() else {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            "This app does not install over OAuth.",
        );
    };
    let Some(state) = new_state() else {
        tracing::error!("no randomness for an OAuth state");
        return unavailable();
    };
    let expires = resolver.now() + oauth.state_lifetime;
    if let Err(e) = resolver
        .bounded(resolver.store().issue_state(&state, expires))
        .await
    {
        tracing::error!(error = %e, "could not keep an OAuth state");
        return unavailable();
    }
    let q = query(&uri);
    let mut link = resolver
        .base()
        .authorize_url(oauth.client_id.clone())
        .scopes(oauth.scopes.iter().cloned())
        .user_scopes(oauth.user_scopes.iter().cloned())
        .state(state.clone());
    if let Some(r) = &oauth.redirect_uri {
        link = link.redirect_uri(r.clone());
    }
    if let Some(team) = param(&q, "team") {
        link = link.team(team);
    }
    let secure = oauth
        .redirect_uri
        .as_deref()
        .is_some_and(|r| r.starts_with("https:"));
    let cookie = format!(
        "{STATE_COOKIE}={state}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{}",
        oauth.state_lifetime.as_secs(),
        if secure { "; Secure" } else { "" }
    );
    let mut resp = StatusCode::FOUND.into_response();
    let headers = resp.headers_mut();
    if let (Ok(loc), Ok(c)) = (
        HeaderValue::from_str(&link.to_url()),
        HeaderValue::from_str(&cookie),
    ) {
        headers.insert(header::LOCATION, loc);
        headers.insert(header::SET_COOKIE, c);
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
        resp
    } else {
        page(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Installation failed",
            "The app's OAuth settings do not make a valid link.",
        )
    }
}

fn cookie_state(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|c| c.trim().split_once('='))
        .find(|(k, _)| *k == STATE_COOKIE)
        .map(|(_, v)| v.to_owned())
}

async fn callback(
    axum::extract::State(resolver): axum::extract::State<Arc<Resolver>>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let resp = callback_page(&resolver, &uri, &headers).await;
    forget_cookie(resp)
}

async fn callback_page(resolver: &Resolver, uri: &Uri, headers: &HeaderMap) -> Response {
    let Some(oauth) = resolver.oauth() else {
        return page(
            StatusCode::NOT_FOUND,
            "Not found",
            "This app does not install over OAuth.",
        );
    };
    let q = query(uri);
    let Some(state) = param(&q, "state") else {
        return failed(
            StatusCode::BAD_REQUEST,
            "The link is missing its state. Start again from the install link.",
        );
    };
    // The state must come back to the browser it was handed to.
    if cookie_state(headers).as_deref() != Some(state) {
        return failed(
            StatusCode::BAD_REQUEST,
            "This installation was started in another browser (or the cookie expired). \
             Start again from the install link, in this browser.",
        );
    }
    match resolver
        .bounded(resolver.store().consume_state(state, resolver.now()))
        .await
    {
        Ok(true) => {}
        Ok(false) => {
            return failed(
                StatusCode::BAD_REQUEST,
                "This install link has expired or was already used. Start again from the install link.",
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "could not check an OAuth state");
            return unavailable();
        }
    }
    if let Some(error) = param(&q, "error") {
        let (status, text) = if error == "access_denied" {
            (
                StatusCode::OK,
                "The installation was cancelled: the app was not added.".to_owned(),
            )
        } else {
            (
                StatusCode::BAD_REQUEST,
                format!("Slack did not install the app: {error}."),
            )
        };
        return failed(status, &text);
    }
    let Some(code) = param(&q, "code") else {
        return failed(
            StatusCode::BAD_REQUEST,
            "Slack sent no code back. Start again from the install link.",
        );
    };
    let mut exchange = resolver.base().oauth().exchange_code(
        oauth.client_id.clone(),
        oauth.client_secret.clone(),
        code,
    );
    if let Some(r) = &oauth.redirect_uri {
        exchange = exchange.redirect_uri(r.clone());
    }
    let answer = match exchange.send().await {
        Ok(a) => a,
        Err(slack_api::Error::Api(e)) => {
            tracing::warn!(code = e.code_str(), "oauth.v2.access refused the code");
            return failed(
                StatusCode::BAD_REQUEST,
                &format!(
                    "Slack refused the installation ({}). Start again from the install link.",
                    e.code_str()
                ),
            );
        }
        Err(e) => {
            tracing::error!(error = %e, "oauth.v2.access failed");
            return page(
                StatusCode::BAD_GATEWAY,
                "Installation failed",
                "Slack could not be reached to finish the installation. Try again in a moment.",
            );
        }
    };
    let Some(installation) = Installation::from_oauth(&answer, resolver.now()) else {
        return failed(
            StatusCode::BAD_GATEWAY,
            "Slack's answer named no workspace to install in.",
        );
    };
    let name = installation
        .team_name
        .clone()
        .or_else(|| installation.enterprise_name.clone())
        .unwrap_or_else(|| "your workspace".to_owned());
    let key = installation.key();
    if let Err(e) = resolver.bounded(resolver.store().save(installation)).await {
        tracing::error!(error = %e, "could not save an installation");
        return unavailable();
    }
    if let Some(key) = key {
        tracing::info!(installation = %key, "app installed");
    }
    page(
        StatusCode::OK,
        "Installed",
        &format!("The app is installed in {name}. You can close this page and go back to Slack."),
    )
}

fn forget_cookie(mut resp: Response) -> Response {
    let expired = format!("{STATE_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    if let Ok(v) = HeaderValue::from_str(&expired) {
        resp.headers_mut().insert(header::SET_COOKIE, v);
    }
    resp
}

fn failed(status: StatusCode, text: &str) -> Response {
    page(status, "Installation failed", text)
}

fn unavailable() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again",
        "The app cannot install right now. Try again in a moment.",
    )
}

fn page(status: StatusCode, title: &str, text: &str) -> Response {
    let body = format!(
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body><h1>{t}</h1><p>{p}</p></body></html>\n",
        t = escape(title),
        p = escape(text)
    );
    let mut resp = (status, body).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}
