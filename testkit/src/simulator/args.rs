//! A simulated call's arguments, and pagination over them (by cursor and by page number).

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::Value;

/// Typed access to the argument map.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Args<'a>(pub(crate) &'a BTreeMap<String, String>);

impl Args<'_> {
    pub(crate) fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// The argument, or the given Slack error code when absent.
    pub(crate) fn req(&self, k: &str, missing: &str) -> Result<&str, String> {
        self.get(k).ok_or_else(|| missing.to_string())
    }

    pub(crate) fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }

    /// A comma-joined list (or a JSON array sent as text).
    pub(crate) fn list(&self, k: &str) -> Vec<String> {
        let Some(raw) = self.get(k) else {
            return Vec::new();
        };
        if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) {
            return items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect();
        }
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

const CURSOR_PREFIX: &str = "testkit:";

/// Encodes a page offset as an opaque cursor.
fn cursor_for(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{CURSOR_PREFIX}{offset}"))
}

fn offset_of(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix(CURSOR_PREFIX)?
        .parse()
        .ok()
}

/// One page of `items` per `cursor`/`limit`; `default_limit` 0 means "all";
/// a page holds at most `page_size` items when set.
pub(super) fn paginate(
    items: Vec<Value>,
    a: &Args<'_>,
    default_limit: usize,
    page_size: Option<usize>,
) -> Result<(Vec<Value>, String), String> {
    paginate_iter(items.into_iter(), a, default_limit, page_size, |v| v)
}

/// [`paginate`] over a lazy sequence: items before the cursor are skipped
/// unrendered, only the page is `render`ed, and one more item is looked at
/// to know whether there is a next page.
pub(super) fn paginate_iter<T>(
    items: impl Iterator<Item = T>,
    a: &Args<'_>,
    default_limit: usize,
    page_size: Option<usize>,
    render: impl FnMut(T) -> Value,
) -> Result<(Vec<Value>, String), String> {
    let start = match a.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => offset_of(c).ok_or_else(|| "invalid_cursor".to_string())?,
        None => 0,
    };
    let limit = match a.get("limit").filter(|l| !l.is_empty()) {
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| "invalid_limit".to_string())?,
        None => default_limit,
    };
    let limit = if limit == 0 {
        usize::MAX
    } else {
        limit.min(1000)
    };
    let limit = limit.min(page_size.unwrap_or(usize::MAX).max(1));
    let mut rest = items.skip(start);
    let page: Vec<Value> = rest.by_ref().take(limit).map(render).collect();
    let next = if rest.next().is_some() {
        cursor_for(start + page.len())
    } else {
        String::new()
    };
    Ok((page, next))
}

/// One page of `items` by `page` (from 1) and `count`, as the methods that
/// page by number do it, with Slack's `paging` object (`count`, `total`,
/// `page`, `pages`). A page past the last is empty; a page size the
/// builder's `page_size` caps is capped.
pub(super) fn numbered_page<T>(
    items: Vec<T>,
    a: &Args<'_>,
    default_count: usize,
    max_count: usize,
    page_size: Option<usize>,
) -> Result<(Vec<T>, Value), String> {
    let number = |k: &str, default: usize| match a.get(k).filter(|v| !v.is_empty()) {
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| "invalid_arguments".to_string()),
        None => Ok(default),
    };
    let count = number("count", default_count)?
        .clamp(1, max_count)
        .min(page_size.unwrap_or(usize::MAX).max(1));
    let page = number("page", 1)?.max(1);
    let total = items.len();
    let pages = total.div_ceil(count);
    let items = items
        .into_iter()
        .skip((page - 1).saturating_mul(count))
        .take(count)
        .collect();
    let paging = serde_json::json!({"count": count, "total": total, "page": page, "pages": pages});
    Ok((items, paging))
}
