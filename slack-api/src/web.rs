//! The Web API client's runtime: what the generated builders and
//! [`Client`](crate::Client) are made of.
//!
//! [`request`] is the encoding-neutral argument list a builder produces,
//! [`retry`] the retry policy and the injectable sleep every wait goes
//! through (the RTM and Socket Mode clients' too), [`paginate`] the
//! `pages()` / `items()` streams. [`upload`] (feature `files`) and
//! [`install`] (feature `oauth`) are hand-written calls beside the
//! generated ones.

pub(crate) mod client;
#[cfg(feature = "oauth")]
pub mod install;
pub mod paginate;
pub mod request;
pub mod retry;
#[cfg(feature = "files")]
pub mod upload;
