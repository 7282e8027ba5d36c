//! The bounded queue between a connection's task and its event stream.
//!
//! It holds at most `capacity` events and errors; lifecycle changes are
//! always queued (one per connect or disconnect, so they are few) and never
//! dropped. What happens when it is full is the transport's policy:
//!
//! - [`Full::DropOldest`] (RTM, which has no redelivery): the oldest queued
//!   event makes room for the new one, and the receiver is told how many
//!   went ([`Delivered::Lagged`]) before the next event.
//! - [`Full::Wait`] (Socket Mode): the connection stops reading its socket
//!   until there is room ([`Sender::has_room`], [`Sender::room`]); Slack
//!   redelivers whatever it sent that was not acknowledged.
//!
//! Pushing never waits, so a full queue never holds up keepalive or shutdown.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{Context, Poll, Waker};

use tokio::sync::Notify;

use crate::Lifecycle;
use crate::error::Result;

/// What the driver yields before the protocol-specific wrapping.
#[derive(Debug)]
pub(crate) enum Delivered<T> {
    Item(T),
    Lifecycle(Lifecycle),
    /// This many events were dropped because the stream was full.
    Lagged(u64),
}

pub(crate) type Output<T> = Result<Delivered<T>>;

/// What a full queue does; see the module docs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Full {
    DropOldest,
    Wait,
}

struct State<T> {
    items: VecDeque<Output<T>>,
    /// Queued items that count against the capacity (not lifecycle changes).
    counted: usize,
    /// Dropped since the receiver last heard about it.
    dropped: u64,
    rx_waker: Option<Waker>,
    rx_alive: bool,
    tx_alive: bool,
}

struct Shared<T> {
    state: Mutex<State<T>>,
    capacity: usize,
    policy: Full,
    /// Signalled when room appears or the receiver goes.
    room: Notify,
}

impl<T> Shared<T> {
    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn counts<T>(item: &Output<T>) -> bool {
    !matches!(item, Ok(Delivered::Lifecycle(_)))
}

/// A queue holding at most `capacity` (at least 1) events.
pub(crate) fn channel<T>(capacity: usize, policy: Full) -> (Sender<T>, Receiver<T>) {
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            items: VecDeque::new(),
            counted: 0,
            dropped: 0,
            rx_waker: None,
            rx_alive: true,
            tx_alive: true,
        }),
        capacity: capacity.max(1),
        policy,
        room: Notify::new(),
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// The connection task's end.
pub(crate) struct Sender<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Queues `item` without waiting; see the module docs for a full queue.
    /// Dropped silently once the receiver is gone.
    pub(crate) fn push(&self, item: Output<T>) {
        let waker = {
            let mut st = self.shared.lock();
            if !st.rx_alive {
                return;
            }
            if counts(&item) {
                if st.counted >= self.shared.capacity
                    && self.shared.policy == Full::DropOldest
                    && let Some(i) = st.items.iter().position(counts)
                {
                    st.items.remove(i);
                    st.counted -= 1;
                    st.dropped += 1;
                }
                st.counted += 1;
            }
            st.items.push_back(item);
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }

    /// Whether another event fits (or the receiver is gone, so it does not matter).
    pub(crate) fn has_room(&self) -> bool {
        let st = self.shared.lock();
        !st.rx_alive || st.counted < self.shared.capacity
    }

    /// Waits until [`has_room`](Self::has_room).
    pub(crate) async fn room(&self) {
        loop {
            let notified = self.shared.room.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.has_room() {
                return;
            }
            notified.await;
        }
    }

    /// Whether the receiver is gone.
    pub(crate) fn is_closed(&self) -> bool {
        !self.shared.lock().rx_alive
    }

    /// Waits until the receiver is gone.
    pub(crate) async fn closed(&self) {
        loop {
            let notified = self.shared.room.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.is_closed() {
                return;
            }
            notified.await;
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        let waker = {
            let mut st = self.shared.lock();
            st.tx_alive = false;
            st.rx_waker.take()
        };
        if let Some(w) = waker {
            w.wake();
        }
    }
}

/// The event stream's end.
pub(crate) struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Receiver<T> {
    /// The next item: a [`Delivered::Lagged`] first when events were
    /// dropped (after any lifecycle changes queued before them); `None` once
    /// the sender is gone and everything was taken.
    pub(crate) fn poll_recv(&mut self, cx: &mut Context<'_>) -> Poll<Option<Output<T>>> {
        let mut st = self.shared.lock();
        let front_counts = st.items.front().is_none_or(counts);
        if st.dropped > 0 && front_counts {
            let dropped = std::mem::take(&mut st.dropped);
            return Poll::Ready(Some(Ok(Delivered::Lagged(dropped))));
        }
        match st.items.pop_front() {
            Some(item) => {
                if counts(&item) {
                    st.counted -= 1;
                    drop(st);
                    self.shared.room.notify_waiters();
                }
                Poll::Ready(Some(item))
            }
            None if !st.tx_alive => Poll::Ready(None),
            None => {
                st.rx_waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }

    /// [`poll_recv`](Self::poll_recv) as a future.
    pub(crate) async fn recv(&mut self) -> Option<Output<T>> {
        std::future::poll_fn(|cx| self.poll_recv(cx)).await
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        let items = {
            let mut st = self.shared.lock();
            st.rx_alive = false;
            st.counted = 0;
            std::mem::take(&mut st.items)
        };
        // Dropped outside the lock: items may hold ackers that send on drop.
        drop(items);
        self.shared.room.notify_waiters();
    }
}
