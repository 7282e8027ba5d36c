//! Slack message text: escaping, mention and link builders, and a parser.
//!
//! Slack's message text is plain text where `&`, `<` and `>` are escaped as
//! `&amp;`, `&lt;` and `&gt;`, and everything between `<` and `>` is a
//! control sequence: `<@U123>` mentions a user, `<#C123>` a channel,
//! `<!here>` notifies, `<https://example.com|label>` links. The builders
//! here produce those sequences; [`parse`] reads them back into [`Token`]s
//! and [`render`] turns tokens into text again.
//!
//! ```
//! use slack_api::ids::UserId;
//! use slack_api::message::mrkdwn::{self, Token};
//!
//! let text = format!("{} deployed {}", mrkdwn::user(&UserId::new("U1")), mrkdwn::escape("a<b"));
//! assert_eq!(text, "<@U1> deployed a&lt;b");
//! assert_eq!(mrkdwn::parse(&text)[1], Token::Text(" deployed a<b".into()));
//! ```

use std::fmt::Write as _;

use crate::ids::{ChannelId, UserGroupId, UserId};

/// Escapes `&`, `<` and `>`, the only characters Slack requires escaped in message text.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

/// Reverses [`escape`]: decodes `&amp;`, `&lt;` and `&gt;` and leaves any other `&` as is.
pub fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let (decoded, len) = if rest.starts_with("&amp;") {
            ('&', 5)
        } else if rest.starts_with("&lt;") {
            ('<', 4)
        } else if rest.starts_with("&gt;") {
            ('>', 4)
        } else {
            ('&', 1)
        };
        out.push(decoded);
        rest = &rest[len..];
    }
    out.push_str(rest);
    out
}

/// Mentions a user: `<@U123>`.
pub fn user(id: &UserId) -> String {
    format!("<@{id}>")
}

/// Links a channel: `<#C123>`.
pub fn channel(id: &ChannelId) -> String {
    format!("<#{id}>")
}

/// Mentions a user group: `<!subteam^S123>`.
pub fn user_group(id: &UserGroupId) -> String {
    format!("<!subteam^{id}>")
}

/// Notifies the active members of the channel: `<!here>`.
pub fn here() -> String {
    Special::Here.to_string()
}

/// Notifies every member of the channel: `<!channel>`.
pub fn channel_all() -> String {
    Special::Channel.to_string()
}

/// Notifies every member of the workspace (only in `#general`): `<!everyone>`.
pub fn everyone() -> String {
    Special::Everyone.to_string()
}

/// A link with a label: `<https://example.com|label>`. The label is
/// escaped; the URL has `&`, `<`, `>` escaped and `|` percent-encoded so it
/// cannot end early.
pub fn link(url: &str, label: &str) -> String {
    format!("<{}|{}>", escape_url(url), escape(label))
}

/// A bare link: `<https://example.com>`.
pub fn url(url: &str) -> String {
    format!("<{}>", escape_url(url))
}

/// A date Slack shows in each reader's time zone:
/// `<!date^1700000000^{date_short} at {time}|fallback>`.
///
/// `format` uses Slack's tokens (`{date_num}`, `{date}`, `{date_short}`,
/// `{date_long}`, `{date_pretty}`, `{time}`, `{time_secs}`, ...);
/// `fallback` is shown by clients that cannot render the date.
pub fn date(unix_seconds: i64, format: &str, fallback: &str) -> String {
    render_date(unix_seconds, format, None, fallback)
}

fn render_date(unix_seconds: i64, format: &str, link: Option<&str>, fallback: &str) -> String {
    let mut s = format!("<!date^{unix_seconds}^{}", escape(format).replace('|', ""));
    if let Some(link) = link {
        let _ = write!(s, "^{}", escape_url(link));
    }
    let _ = write!(s, "|{}>", escape(fallback));
    s
}

fn escape_url(url: &str) -> String {
    escape(url).replace('|', "%7C")
}

/// A notification that addresses a group of people at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Special {
    /// `<!here>`: active members of the channel.
    Here,
    /// `<!channel>`: all members of the channel.
    Channel,
    /// `<!everyone>`: all members of the workspace.
    Everyone,
}

impl Special {
    /// The keyword after `!`.
    pub fn as_str(self) -> &'static str {
        match self {
            Special::Here => "here",
            Special::Channel => "channel",
            Special::Everyone => "everyone",
        }
    }

    fn from_keyword(s: &str) -> Option<Self> {
        match s {
            "here" => Some(Special::Here),
            "channel" => Some(Special::Channel),
            "everyone" => Some(Special::Everyone),
            _ => None,
        }
    }
}

impl std::fmt::Display for Special {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "<!{}>", self.as_str())
    }
}

/// One piece of parsed message text. Labels and text are unescaped.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Token {
    /// Plain text between control sequences, unescaped.
    Text(String),
    /// `<@U123>` or `<@U123|name>`.
    UserMention {
        /// The mentioned user.
        id: UserId,
        /// The display label Slack sometimes adds.
        label: Option<String>,
    },
    /// `<#C123>` or `<#C123|general>`.
    ChannelMention {
        /// The linked channel.
        id: ChannelId,
        /// The channel name Slack sometimes adds.
        label: Option<String>,
    },
    /// `<!subteam^S123>` or `<!subteam^S123|@team>`.
    UserGroupMention {
        /// The mentioned user group.
        id: UserGroupId,
        /// The handle Slack sometimes adds.
        label: Option<String>,
    },
    /// `<!here>`, `<!channel>`, `<!everyone>` (a label such as `<!here|here>` is dropped).
    Special(Special),
    /// `<!date^1700000000^{date}|fallback>` or with a link: `<!date^ts^format^url|fallback>`.
    Date {
        /// Unix seconds.
        timestamp: i64,
        /// Slack's format string.
        format: String,
        /// Optional link target.
        link: Option<String>,
        /// Text for clients that cannot render the date.
        fallback: String,
    },
    /// `<https://example.com>`, `<mailto:a@b.c|label>`, ...
    Link {
        /// The target, unescaped.
        url: String,
        /// The label, unescaped.
        label: Option<String>,
    },
    /// Any other `<!...>` sequence, kept as its raw (still escaped) inner text.
    Unknown(String),
}

impl Token {
    /// Writes the token back as message text.
    pub fn render_into(&self, out: &mut String) {
        let label = |out: &mut String, label: &Option<String>| {
            if let Some(l) = label {
                out.push('|');
                out.push_str(&escape(l));
            }
        };
        match self {
            Token::Text(t) => out.push_str(&escape(t)),
            Token::UserMention { id, label: l } => {
                let _ = write!(out, "<@{id}");
                label(out, l);
                out.push('>');
            }
            Token::ChannelMention { id, label: l } => {
                let _ = write!(out, "<#{id}");
                label(out, l);
                out.push('>');
            }
            Token::UserGroupMention { id, label: l } => {
                let _ = write!(out, "<!subteam^{id}");
                label(out, l);
                out.push('>');
            }
            Token::Special(s) => {
                let _ = write!(out, "{s}");
            }
            Token::Date {
                timestamp,
                format,
                link,
                fallback,
            } => {
                out.push_str(&render_date(*timestamp, format, link.as_deref(), fallback));
            }
            Token::Link { url, label: l } => {
                out.push('<');
                out.push_str(&escape_url(url));
                label(out, l);
                out.push('>');
            }
            Token::Unknown(raw) => {
                let _ = write!(out, "<{raw}>");
            }
        }
    }
}

/// Turns tokens back into message text; `parse(&render(&t)) == t` for
/// tokens `parse` produces.
pub fn render(tokens: &[Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        t.render_into(&mut out);
    }
    out
}

/// Splits message text into tokens. Never fails: a `<` without a closing
/// `>` is kept as text. Adjacent text is merged into one [`Token::Text`].
pub fn parse(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut pending = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('<') {
        let Some(len) = rest[start + 1..].find('>') else {
            break;
        };
        pending.push_str(&rest[..start]);
        let inner = &rest[start + 1..start + 1 + len];
        rest = &rest[start + 1 + len + 1..];
        match parse_sequence(inner) {
            Some(token) => {
                if !pending.is_empty() {
                    tokens.push(Token::Text(unescape(&std::mem::take(&mut pending))));
                }
                tokens.push(token);
            }
            None => {
                // Not a control sequence (e.g. `<>`): keep it as literal text.
                pending.push('<');
                pending.push_str(inner);
                pending.push('>');
            }
        }
    }
    pending.push_str(rest);
    if !pending.is_empty() {
        tokens.push(Token::Text(unescape(&pending)));
    }
    tokens
}

fn parse_sequence(inner: &str) -> Option<Token> {
    if inner.is_empty() {
        return None;
    }
    let (target, label) = match inner.split_once('|') {
        Some((t, l)) => (t, Some(unescape(l))),
        None => (inner, None),
    };
    if let Some(id) = target.strip_prefix('@') {
        return Some(Token::UserMention {
            id: UserId::new(id),
            label,
        });
    }
    if let Some(id) = target.strip_prefix('#') {
        return Some(Token::ChannelMention {
            id: ChannelId::new(id),
            label,
        });
    }
    if let Some(command) = target.strip_prefix('!') {
        if let Some(id) = command.strip_prefix("subteam^") {
            return Some(Token::UserGroupMention {
                id: UserGroupId::new(id),
                label,
            });
        }
        if let Some(special) = Special::from_keyword(command) {
            return Some(Token::Special(special));
        }
        if let Some(date) = command.strip_prefix("date^") {
            let mut parts = date.splitn(3, '^');
            let ts = parts.next().and_then(|t| t.parse().ok());
            let format = parts.next();
            if let (Some(timestamp), Some(format)) = (ts, format) {
                return Some(Token::Date {
                    timestamp,
                    format: unescape(format),
                    link: parts.next().map(unescape),
                    fallback: label.unwrap_or_default(),
                });
            }
        }
        return Some(Token::Unknown(inner.to_owned()));
    }
    Some(Token::Link {
        url: unescape(target),
        label,
    })
}
