//! The OAuth v2 install flow: the authorize link, the code exchange and
//! refreshing rotated tokens.
//!
//! ```no_run
//! # async fn run() -> slack_api::Result<()> {
//! let client = slack_api::Client::anonymous();
//! let url = client
//!     .authorize_url("123.456")
//!     .scopes(["chat:write", "channels:read"])
//!     .redirect_uri("https://example.com/slack/callback")
//!     .state("opaque-csrf-value")
//!     .to_url();
//! // ... the user approves; Slack redirects back with `code` ...
//! let installed = client.oauth().exchange_code("123.456", "secret", "the-code").await?;
//! # let _ = (url, installed); Ok(()) }
//! ```
//!
//! The client id and secret travel in the form body, which Slack accepts for
//! `oauth.v2.access`; the client's own token, if it has one, is not sent.
//! `client_secret`, `code` and `refresh_token` are [`Secret`]s: an observer
//! ([`Client::builder`]) sees them as [`ArgValue::Secret`](crate::web::request::ArgValue::Secret),
//! whose `Debug` is `[redacted]`, and the tokens in the response are
//! `Secret`s too.

use url::Url;

use crate::oauth::{Oauth, V2AccessRequest};
use crate::{Client, Secret};

/// A link to Slack's OAuth v2 authorize page.
#[derive(Debug, Clone)]
#[must_use]
pub struct AuthorizeUrl {
    base: String,
    client_id: String,
    scopes: Vec<String>,
    user_scopes: Vec<String>,
    redirect_uri: Option<String>,
    state: Option<String>,
    team: Option<String>,
}

impl AuthorizeUrl {
    /// A link for the app `client_id`, on the client's OAuth base URL.
    pub fn new(client: &Client, client_id: impl Into<String>) -> Self {
        Self {
            base: client.oauth_authorize_url().to_owned(),
            client_id: client_id.into(),
            scopes: Vec::new(),
            user_scopes: Vec::new(),
            redirect_uri: None,
            state: None,
            team: None,
        }
    }

    /// Bot token scopes to request.
    pub fn scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// User token scopes to request.
    pub fn user_scopes<I: IntoIterator<Item = S>, S: Into<String>>(mut self, scopes: I) -> Self {
        self.user_scopes.extend(scopes.into_iter().map(Into::into));
        self
    }

    /// Where Slack sends the user back (must match the app's configuration).
    pub fn redirect_uri(mut self, uri: impl Into<String>) -> Self {
        self.redirect_uri = Some(uri.into());
        self
    }

    /// An opaque value Slack returns unchanged, to tie the callback to the request.
    pub fn state(mut self, state: impl Into<String>) -> Self {
        self.state = Some(state.into());
        self
    }

    /// Preselects a workspace.
    pub fn team(mut self, team: impl Into<String>) -> Self {
        self.team = Some(team.into());
        self
    }

    /// The link.
    pub fn to_url(&self) -> String {
        // The base was validated as a URL when the client was built.
        let mut url = match Url::parse(&self.base) {
            Ok(u) => u,
            Err(_) => return String::new(),
        };
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.client_id);
            if !self.scopes.is_empty() {
                q.append_pair("scope", &self.scopes.join(","));
            }
            if !self.user_scopes.is_empty() {
                q.append_pair("user_scope", &self.user_scopes.join(","));
            }
            if let Some(r) = &self.redirect_uri {
                q.append_pair("redirect_uri", r);
            }
            if let Some(s) = &self.state {
                q.append_pair("state", s);
            }
            if let Some(t) = &self.team {
                q.append_pair("team", t);
            }
        }
        url.into()
    }
}

impl Client {
    /// A link to the OAuth v2 authorize page for app `client_id`.
    pub fn authorize_url(&self, client_id: impl Into<String>) -> AuthorizeUrl {
        AuthorizeUrl::new(self, client_id)
    }
}

impl Oauth {
    /// `oauth.v2.access` exchanging the `code` from the redirect for tokens.
    /// Add `.redirect_uri(..)` when the authorize link had one.
    pub fn exchange_code(
        &self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        code: impl Into<Secret>,
    ) -> V2AccessRequest {
        self.v2_access()
            .client_id(client_id)
            .client_secret(client_secret)
            .code(code)
    }

    /// `oauth.v2.access` with the `refresh_token` grant: a new access token
    /// (and refresh token) for an app with token rotation.
    pub fn refresh_token(
        &self,
        client_id: impl Into<String>,
        client_secret: impl Into<Secret>,
        refresh_token: impl Into<Secret>,
    ) -> V2AccessRequest {
        self.v2_access()
            .client_id(client_id)
            .client_secret(client_secret)
            .grant_type("refresh_token")
            .refresh_token(refresh_token)
    }
}
