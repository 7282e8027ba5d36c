//! What the spec says about each Web API method, at run time.
//!
//! The table itself is generated from `spec/` (`METHODS`); the types here
//! describe one entry. The client reads it for the HTTP verb, body encoding,
//! retry safety and rate tier; the fake Slack in `slack-testkit` reads it to
//! validate requests the way Slack does.

/// HTTP verb a method is called with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HttpVerb {
    /// Arguments go in the query string.
    Get,
    /// Arguments go in a form (or JSON, when the method accepts it) body.
    Post,
}

/// Kinds of token a method accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// A bot token (`xoxb-`).
    Bot,
    /// A user token (`xoxp-`).
    User,
    /// An app-level token (`xapp-`).
    App,
    /// No token: the method authenticates otherwise (client id and secret).
    None,
}

/// Slack's rate-limit tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateTier {
    /// About 1 request per minute.
    Tier1,
    /// About 20 requests per minute.
    Tier2,
    /// About 50 requests per minute.
    Tier3,
    /// About 100 requests per minute.
    Tier4,
    /// A method-specific limit (for example one message per second per channel).
    Special,
}

impl RateTier {
    /// Sustained requests per minute Slack allows for this tier, per method and token.
    pub fn per_minute(self) -> u32 {
        match self {
            RateTier::Tier1 => 1,
            RateTier::Tier2 => 20,
            RateTier::Tier3 => 50,
            RateTier::Tier4 => 100,
            RateTier::Special => 60,
        }
    }
}

/// The JSON kind of an argument, as far as validation needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArgKind {
    /// Text, IDs, timestamps and string enums.
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// A list: comma-joined in forms, an array in JSON bodies.
    List,
    /// Arbitrary JSON: a JSON string in forms, the value in JSON bodies.
    Json,
}

/// One argument of a method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArgSpec {
    /// Wire name.
    pub name: &'static str,
    /// JSON kind.
    pub kind: ArgKind,
    /// Whether Slack refuses the call without it.
    pub required: bool,
}

/// How a method pages through results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pagination {
    /// How the next page is asked for.
    pub style: PageStyle,
    /// Argument carrying the page size (`limit` or `count`), if any.
    pub limit_arg: Option<&'static str>,
    /// Response field holding the page's items; a dotted path
    /// (`messages.matches`) when they sit in a nested object.
    pub items_field: &'static str,
}

/// How a paginated method names its next page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PageStyle {
    /// A cursor argument (`cursor`), set from the previous page's
    /// `response_metadata.next_cursor`.
    Cursor {
        /// The cursor argument.
        arg: &'static str,
    },
    /// A page number argument (`page`, from 1), while the response's paging
    /// object says `page < pages`.
    Number {
        /// The page number argument.
        arg: &'static str,
        /// Dotted path of the response's paging object (`paging`,
        /// `messages.paging`), with `page` and `pages`.
        paging_field: &'static str,
    },
}

/// Everything the spec records about one Web API method.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MethodSpec {
    /// Slack's name, e.g. `chat.postMessage`.
    pub name: &'static str,
    /// Family (and Cargo feature), e.g. `chat`.
    pub family: &'static str,
    /// HTTP verb.
    pub http: HttpVerb,
    /// Whether Slack accepts a JSON body.
    pub json_body: bool,
    /// Token kinds accepted.
    pub tokens: &'static [TokenKind],
    /// Scopes a bot token needs.
    pub bot_scopes: &'static [&'static str],
    /// Scopes a user token needs.
    pub user_scopes: &'static [&'static str],
    /// Rate-limit tier, when documented.
    pub tier: Option<RateTier>,
    /// Whether repeating the call cannot do anything twice.
    pub retry_safe: bool,
    /// Whether Slack has retired the method.
    pub deprecated: bool,
    /// The method to use instead, when deprecated.
    pub replacement: Option<&'static str>,
    /// Arguments (without `token`).
    pub args: &'static [ArgSpec],
    /// Error codes the method documents (besides the common ones).
    pub errors: &'static [&'static str],
    /// How the method pages, if it does.
    pub pagination: Option<Pagination>,
}

impl MethodSpec {
    /// The argument of that name, if the method has one.
    pub fn arg(&self, name: &str) -> Option<&'static ArgSpec> {
        self.args.iter().find(|a| a.name == name)
    }
}

pub use crate::generated::spec_table::{METHODS, Response, decode_response};

/// Looks a method up by Slack's name.
pub fn method(name: &str) -> Option<&'static MethodSpec> {
    METHODS.iter().copied().find(|m| m.name == name)
}
