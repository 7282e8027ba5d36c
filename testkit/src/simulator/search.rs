//! `search.messages`, `search.files` and `search.all`: the stored messages
//! (by text) and files (by name or title) the caller can see, newest
//! first, paged by `page`/`count` as Slack does.
//!
//! The query is a case-insensitive substring of the text, after Slack's
//! `in:` (`in:#dev`, `in:dev`, `in:<#C123>`) and `from:` (`from:@bob`,
//! `from:bob`, `from:<@U123>`) modifiers, which narrow the conversations
//! and authors.

use serde_json::{Value, json};

use super::args::{Args, numbered_page};
use super::{Caller, Channel, Res, Workspace, fail, str_of};

/// A search query: the words to find and the `in:` / `from:` filters.
#[derive(Debug, Default)]
struct Query {
    text: String,
    channels: Vec<String>,
    users: Vec<String>,
}

impl Query {
    /// Whether the conversation `id` (named `name`) is one of its `in:`.
    fn in_channel(&self, id: &str, name: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|x| x == id || x == name)
    }
}

/// The `<#C123|name>` or `<@U123>` inside a mention, or the name without `#`/`@`.
fn target(s: &str, sigil: char) -> String {
    match s.strip_prefix('<').and_then(|s| s.strip_suffix('>')) {
        Some(inner) => inner
            .trim_start_matches(['#', '@'])
            .split('|')
            .next()
            .unwrap_or("")
            .to_string(),
        None => s.trim_start_matches(sigil).to_string(),
    }
}

fn parse(q: &str) -> Query {
    let mut out = Query::default();
    let mut words = Vec::new();
    for w in q.split_whitespace() {
        if let Some(c) = w.strip_prefix("in:") {
            out.channels.push(target(c, '#'));
        } else if let Some(u) = w.strip_prefix("from:") {
            out.users.push(target(u, '@'));
        } else {
            words.push(w);
        }
    }
    out.text = words.join(" ").to_lowercase();
    out
}

impl Workspace {
    /// A match's `channel`: the conversation's id, name and sharing flags.
    fn match_channel(c: &Channel) -> Value {
        json!({
            "id": c.id,
            "name": if c.is_im { c.im_user.clone().unwrap_or_default() } else { c.name.clone() },
            "is_channel": !c.is_private && !c.is_im && !c.is_mpim,
            "is_group": c.is_private && !c.is_mpim,
            "is_im": c.is_im,
            "is_mpim": c.is_mpim,
            "is_private": c.is_private || c.is_im || c.is_mpim,
            "is_shared": false,
            "is_ext_shared": false,
            "is_org_shared": false,
            "is_pending_ext_shared": false,
            "pending_shared": [],
        })
    }

    /// `search.messages`.
    pub(crate) fn search_messages(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let (raw, q) = query(a)?;
        Ok(json!({"query": raw, "messages": self.message_results(caller, &q, a)?}))
    }

    /// `search.files`: files by name or title, newest first.
    pub(crate) fn search_files(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let (raw, q) = query(a)?;
        Ok(json!({"query": raw, "files": self.file_results(caller, &q, a)?}))
    }

    /// `search.all`: messages and files, each paged as on its own.
    pub(crate) fn search_all(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let (raw, q) = query(a)?;
        Ok(json!({
            "query": raw,
            "messages": self.message_results(caller, &q, a)?,
            "files": self.file_results(caller, &q, a)?,
            "posts": {"total": 0, "matches": []},
        }))
    }

    fn message_results(&self, caller: &Caller, q: &Query, a: &Args<'_>) -> Res {
        let mut found: Vec<(&str, &Channel, &serde_json::Map<String, Value>)> = Vec::new();
        for c in self
            .channels
            .iter()
            .filter(|c| self.visible(caller, c) && q.in_channel(&c.id, &c.name))
        {
            for m in self.messages.get(&c.id).into_iter().flatten() {
                let text = str_of(m, "text").unwrap_or("");
                if self.by(q, str_of(m, "user")) && text.to_lowercase().contains(&q.text) {
                    found.push((str_of(m, "ts").unwrap_or(""), c, m));
                }
            }
        }
        // Newest first (`sort_dir=asc`: oldest); every score is the same.
        found.sort_by(|x, y| y.0.cmp(x.0).then_with(|| y.1.id.cmp(&x.1.id)));
        if a.get("sort_dir") == Some("asc") {
            found.reverse();
        }
        results(found, a, self.page_size, |(ts, c, m)| {
            let user = str_of(m, "user");
            json!({
                "iid": format!("{}-{ts}", c.id),
                "team": self.team.id,
                "channel": Self::match_channel(c),
                "type": "message",
                "user": user,
                "username": user.and_then(|u| self.user(u)).map(|u| u.name.clone()),
                "ts": ts,
                "text": str_of(m, "text").unwrap_or(""),
                "permalink": format!("{}archives/{}/p{}", self.team.url(), c.id, ts.replace('.', "")),
                "blocks": m.get("blocks").cloned().unwrap_or(json!([])),
            })
        })
    }

    /// The files the caller can see whose name or title holds the words,
    /// shared in the `in:` conversations and by the `from:` people.
    fn file_results(&self, caller: &Caller, q: &Query, a: &Args<'_>) -> Res {
        let named = |f: &Value, key: &str| {
            f[key]
                .as_str()
                .is_some_and(|n| n.to_lowercase().contains(&q.text))
        };
        let shared_in = |f: &Value| {
            q.channels.is_empty()
                || f["channels"].as_array().into_iter().flatten().any(|id| {
                    let id = id.as_str().unwrap_or("");
                    let name = self
                        .channels
                        .iter()
                        .find(|c| c.id == id)
                        .map(|c| c.name.as_str());
                    q.in_channel(id, name.unwrap_or(""))
                })
        };
        let mut found: Vec<&Value> = self
            .files
            .all()
            .filter(|f| self.file_visible(caller, f) && shared_in(f))
            .filter(|f| self.by(q, f["user"].as_str()))
            .filter(|f| named(f, "name") || named(f, "title"))
            .collect();
        // Newest first; IDs grow, so they order files made in the same second.
        let key = |f: &Value| (f["created"].as_u64(), f["id"].as_str().map(str::to_owned));
        found.sort_by_key(|f| std::cmp::Reverse(key(f)));
        if a.get("sort_dir") == Some("asc") {
            found.reverse();
        }
        results(found, a, self.page_size, Value::clone)
    }

    /// Whether `user` (an ID) is one of the query's `from:` people.
    fn by(&self, q: &Query, user: Option<&str>) -> bool {
        q.users.is_empty()
            || q.users
                .iter()
                .any(|x| user.is_some_and(|u| u == x || self.user(u).is_some_and(|p| p.name == *x)))
    }
}

/// The `query` argument and its parts; `no_query` when it asks nothing.
fn query<'a>(a: &'a Args<'_>) -> Result<(&'a str, Query), String> {
    let raw = a.get("query").unwrap_or("");
    let q = parse(raw);
    if q.text.is_empty() && q.channels.is_empty() && q.users.is_empty() {
        return fail("no_query");
    }
    Ok((raw, q))
}

/// One page of `found` as Slack answers a search: `total`, `matches`
/// (each rendered by `render`), `paging` and `pagination`.
fn results<T>(
    found: Vec<T>,
    a: &Args<'_>,
    page_size: Option<usize>,
    render: impl Fn(T) -> Value,
) -> Res {
    let total = found.len();
    let (page, paging) = numbered_page(found, a, 20, 100, page_size)?;
    let first =
        (paging["page"].as_u64().unwrap_or(1) - 1) * paging["count"].as_u64().unwrap_or(20) + 1;
    let matches: Vec<Value> = page.into_iter().map(render).collect();
    let last = first + matches.len() as u64 - 1;
    Ok(json!({
        "total": total,
        "matches": matches,
        "paging": paging,
        "pagination": {
            "total_count": total,
            "page": paging["page"],
            "per_page": paging["count"],
            "page_count": paging["pages"],
            "first": if matches.is_empty() { 0 } else { first },
            "last": if matches.is_empty() { 0 } else { last },
        },
    }))
}
