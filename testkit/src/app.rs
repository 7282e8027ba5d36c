//! How the app under test receives what people do: over Socket Mode, or
//! as signed HTTP requests to its Request URL.

/// Where drivers ([`FakeSlack::run_command`](crate::FakeSlack::run_command),
/// [`click`](crate::FakeSlack::click), ...) deliver.
#[derive(Debug, Default)]
pub(crate) struct AppState {
    /// The Request URL and signing secret, once
    /// [`set_events_api_url`](crate::FakeSlack::set_events_api_url) named
    /// them; otherwise deliveries go over Socket Mode.
    pub(crate) request_url: Option<RequestUrl>,
}

#[derive(Clone)]
pub(crate) struct RequestUrl {
    pub(crate) url: String,
    pub(crate) signing_secret: String,
}

impl std::fmt::Debug for RequestUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequestUrl")
            .field("url", &self.url)
            .field("signing_secret", &"[redacted]")
            .finish()
    }
}
