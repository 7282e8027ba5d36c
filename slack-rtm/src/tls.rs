//! TLS for `wss://`: rustls on the ring provider with the webpki root set.
//!
//! The provider is chosen explicitly so the client never depends on which
//! rustls provider features happen to be enabled in the build (and never
//! pulls aws-lc).

use std::sync::{Arc, OnceLock};

use crate::error::{Result, RtmError};

static CONFIG: OnceLock<Arc<rustls::ClientConfig>> = OnceLock::new();

/// The shared TLS client configuration (built once).
pub(crate) fn config() -> Result<Arc<rustls::ClientConfig>> {
    if let Some(config) = CONFIG.get() {
        return Ok(config.clone());
    }
    let mut roots = rustls::RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(RtmError::transport)?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(CONFIG.get_or_init(|| Arc::new(config)).clone())
}
