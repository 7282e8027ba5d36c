//! Pagination as streams.
//!
//! Paginated request builders implement [`Paginate`]; their `pages()` and
//! `items()` return [`Pages`] and [`Items`]. Slack pages in two ways, and
//! both streams follow either:
//!
//! - by cursor: the next request carries the page's
//!   `response_metadata.next_cursor`, until it is empty or missing;
//! - by page number (`search.messages`, `files.list`, ...): the next request
//!   asks for `page + 1` while the response's paging object says
//!   `page < pages`, and stops at an empty page or when `pages` is missing.
//!
//! A server that never stops is stopped: a cursor or page number already
//! asked for (a cycle) and more than [`DEFAULT_MAX_PAGES`] pages (settable
//! with `max_pages`) each end the stream with an
//! [`Error::Pagination`](crate::Error::Pagination) item, after the pages that
//! came before it. Any error is yielded once and ends the stream.

use std::collections::{HashSet, VecDeque};
use std::fmt;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_core::Stream;

use crate::Result;
use crate::error::{PaginationError, PaginationErrorKind};
use crate::web::retry::BoxFuture;

/// How many pages a stream fetches at most unless told otherwise: at the
/// largest page sizes Slack allows, far more than any workspace holds.
pub const DEFAULT_MAX_PAGES: usize = 10_000;

/// Where the next page starts: what a request sets to fetch it.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Next {
    /// The cursor argument, from `response_metadata.next_cursor`.
    Cursor(String),
    /// The page number argument (from 1).
    Page(i64),
}

/// The next page of a cursor method: the page's `next_cursor` unless it is
/// empty or missing.
pub(crate) fn next_cursor(next_cursor: Option<&str>) -> Option<Next> {
    next_cursor
        .filter(|c| !c.is_empty())
        .map(|c| Next::Cursor(c.to_owned()))
}

/// The next page of a page-numbered method: `page + 1` unless this page
/// was empty or the last (`page >= pages`). `page` is the response's page
/// number, else the one `requested`, else 1; without `pages` there is no
/// telling, so the stream stops.
// Called by the generated code of the page-numbered families only.
#[cfg_attr(
    not(any(feature = "files", feature = "search", feature = "team")),
    allow(dead_code)
)]
pub(crate) fn next_number(
    requested: Option<i64>,
    page: Option<i64>,
    pages: Option<i64>,
    empty: bool,
) -> Option<Next> {
    let page = page.or(requested).unwrap_or(1);
    match pages {
        Some(pages) if !empty && page < pages => Some(Next::Page(page + 1)),
        _ => None,
    }
}

/// A request that can fetch successive pages of a paginated method.
pub trait Paginate: Clone + Send + 'static {
    /// The Web API method, for errors.
    const METHOD: &'static str;
    /// One page: the method's whole response.
    type Page: Send;
    /// One item of a page.
    type Item: Send;

    /// Points the request at the page `next` names.
    fn set_next(&mut self, next: Next);
    /// Where the page after `page` (fetched by this request) starts, or
    /// `None` after the last page.
    fn next_page(&self, page: &Self::Page) -> Option<Next>;
    /// The page's items.
    fn into_items(page: Self::Page) -> Vec<Self::Item>;
    /// Sends the request for one page.
    fn send_page(self) -> BoxFuture<'static, Result<Self::Page>>;
}

enum State<R: Paginate> {
    Ready(Box<R>),
    Pending(Box<R>, BoxFuture<'static, Result<R::Page>>),
    Done,
}

/// A stream of whole pages.
#[must_use = "streams do nothing unless polled"]
pub struct Pages<R: Paginate> {
    state: State<R>,
    seen: HashSet<Next>,
    pages: usize,
    max_pages: usize,
    /// Yielded after the last page when the cursors cycled or ran past the limit.
    stopped: Option<PaginationErrorKind>,
}

impl<R: Paginate> Pages<R> {
    /// Starts at the request's current cursor (normally none: the first page).
    pub fn new(request: R) -> Self {
        Self {
            state: State::Ready(Box::new(request)),
            seen: HashSet::new(),
            pages: 0,
            max_pages: DEFAULT_MAX_PAGES,
            stopped: None,
        }
    }

    /// Fetches at most `max` pages (default [`DEFAULT_MAX_PAGES`]); a
    /// pointer to a further page then ends the stream with an error.
    pub fn max_pages(mut self, max: usize) -> Self {
        self.max_pages = max;
        self
    }

    /// The next page, or `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<R::Page>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every page, stopping at the first error.
    pub async fn try_collect(mut self) -> Result<Vec<R::Page>> {
        let mut out = Vec::new();
        while let Some(page) = self.next().await {
            out.push(page?);
        }
        Ok(out)
    }
}

// No field is ever pinned in place: the request is boxed and the page
// future is `Pin<Box<_>>`.
impl<R: Paginate> Unpin for Pages<R> {}
impl<R: Paginate> Unpin for Items<R> {}

impl<R: Paginate> fmt::Debug for Pages<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Ready(_) => "ready",
            State::Pending(..) => "pending",
            State::Done => "done",
        };
        f.debug_struct("Pages")
            .field("state", &state)
            .field("pages", &self.pages)
            .finish()
    }
}

impl<R: Paginate> Stream for Pages<R> {
    type Item = Result<R::Page>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            match std::mem::replace(&mut this.state, State::Done) {
                State::Done => {
                    return Poll::Ready(this.stopped.take().map(|kind| {
                        Err(PaginationError {
                            method: R::METHOD.to_owned(),
                            pages: this.pages,
                            kind,
                        }
                        .into())
                    }));
                }
                State::Ready(req) => {
                    let fut = (*req).clone().send_page();
                    this.state = State::Pending(req, fut);
                }
                State::Pending(mut req, mut fut) => match fut.as_mut().poll(cx) {
                    Poll::Pending => {
                        this.state = State::Pending(req, fut);
                        return Poll::Pending;
                    }
                    // The error ends the stream: `state` stays `Done`.
                    Poll::Ready(Err(e)) => return Poll::Ready(Some(Err(e))),
                    Poll::Ready(Ok(page)) => {
                        this.pages += 1;
                        if let Some(next) = req.next_page(&page) {
                            if !this.seen.insert(next.clone()) {
                                this.stopped = Some(PaginationErrorKind::CursorCycle);
                            } else if this.pages >= this.max_pages {
                                this.stopped = Some(PaginationErrorKind::PageLimit);
                            } else {
                                req.set_next(next);
                                this.state = State::Ready(req);
                            }
                        }
                        return Poll::Ready(Some(Ok(page)));
                    }
                },
            }
        }
    }
}

/// A stream of the items of every page.
#[must_use = "streams do nothing unless polled"]
pub struct Items<R: Paginate> {
    pages: Pages<R>,
    buffer: VecDeque<R::Item>,
}

impl<R: Paginate> Items<R> {
    /// Starts at the request's current cursor (normally none: the first page).
    pub fn new(request: R) -> Self {
        Self {
            pages: Pages::new(request),
            buffer: VecDeque::new(),
        }
    }

    /// Fetches at most `max` pages; see [`Pages::max_pages`].
    pub fn max_pages(mut self, max: usize) -> Self {
        self.pages = self.pages.max_pages(max);
        self
    }

    /// The next item, or `None` after the last one (or after an error).
    pub async fn next(&mut self) -> Option<Result<R::Item>> {
        std::future::poll_fn(|cx| Pin::new(&mut *self).poll_next(cx)).await
    }

    /// Every item, stopping at the first error.
    pub async fn try_collect(mut self) -> Result<Vec<R::Item>> {
        let mut out = Vec::new();
        while let Some(item) = self.next().await {
            out.push(item?);
        }
        Ok(out)
    }
}

impl<R: Paginate> fmt::Debug for Items<R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Items")
            .field("pages", &self.pages)
            .field("buffered", &self.buffer.len())
            .finish()
    }
}

impl<R: Paginate> Stream for Items<R> {
    type Item = Result<R::Item>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        loop {
            if let Some(item) = this.buffer.pop_front() {
                return Poll::Ready(Some(Ok(item)));
            }
            match Pin::new(&mut this.pages).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => return Poll::Ready(None),
                Poll::Ready(Some(Err(e))) => return Poll::Ready(Some(Err(e))),
                Poll::Ready(Some(Ok(page))) => this.buffer.extend(R::into_items(page)),
            }
        }
    }
}
