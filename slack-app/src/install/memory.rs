//! An [`InstallationStore`] in memory: for tests, and for one process that
//! may forget its installations when it stops.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::SystemTime;

use slack_api::ids::UserId;
use slack_api::web::retry::BoxFuture;

use super::{Installation, InstallationKey, InstallationStore, StoreResult};

/// Installations, OAuth states and handled events in memory, behind one
/// mutex. Clone it through an `Arc` to look at it from a test while an
/// app uses it.
#[derive(Debug, Default)]
pub struct MemoryStore {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    installations: HashMap<InstallationKey, Installation>,
    states: HashMap<String, SystemTime>,
    events: HashMap<String, SystemTime>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every update is a single map operation: a panic elsewhere leaves the maps valid.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// How many installations it holds.
    pub fn len(&self) -> usize {
        self.lock().installations.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl InstallationStore for MemoryStore {
    fn save(&self, installation: Installation) -> BoxFuture<'_, StoreResult<()>> {
        let mut st = self.lock();
        if let Some(key) = installation.key() {
            match st.installations.get_mut(&key) {
                Some(old) => *old = merge(old, installation),
                None => {
                    st.installations.insert(key, installation);
                }
            }
        }
        Box::pin(async { Ok(()) })
    }

    fn find(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<Option<Installation>>> {
        let found = self.lock().installations.get(key).cloned();
        Box::pin(async move { Ok(found) })
    }

    fn delete(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<bool>> {
        let gone = self.lock().installations.remove(key).is_some();
        Box::pin(async move { Ok(gone) })
    }

    fn delete_bot(&self, key: &InstallationKey) -> BoxFuture<'_, StoreResult<()>> {
        if let Some(i) = self.lock().installations.get_mut(key) {
            i.bot = None;
        }
        Box::pin(async { Ok(()) })
    }

    fn delete_user(&self, key: &InstallationKey, user: &UserId) -> BoxFuture<'_, StoreResult<()>> {
        if let Some(i) = self.lock().installations.get_mut(key) {
            i.users.retain(|u| &u.user_id != user);
        }
        Box::pin(async { Ok(()) })
    }

    fn issue_state(&self, state: &str, expires_at: SystemTime) -> BoxFuture<'_, StoreResult<()>> {
        self.lock().states.insert(state.to_owned(), expires_at);
        Box::pin(async { Ok(()) })
    }

    fn consume_state(&self, state: &str, now: SystemTime) -> BoxFuture<'_, StoreResult<bool>> {
        let mut st = self.lock();
        let valid = st.states.remove(state).is_some_and(|expires| expires > now);
        st.states.retain(|_, expires| *expires > now);
        drop(st);
        Box::pin(async move { Ok(valid) })
    }

    fn claim_event(
        &self,
        event_id: &str,
        now: SystemTime,
        keep_until: SystemTime,
    ) -> BoxFuture<'_, StoreResult<bool>> {
        let mut st = self.lock();
        st.events.retain(|_, until| *until > now);
        let first = !st.events.contains_key(event_id);
        if first {
            st.events.insert(event_id.to_owned(), keep_until);
        }
        Box::pin(async move { Ok(first) })
    }
}

/// `new` saved over `old`: new fields win, user tokens are merged by user.
pub(crate) fn merge(old: &Installation, mut new: Installation) -> Installation {
    for u in &old.users {
        if new.user_token(&u.user_id).is_none() {
            new.users.push(u.clone());
        }
    }
    if new.bot.is_none() {
        new.bot = old.bot.clone();
    }
    if new.incoming_webhook.is_none() {
        new.incoming_webhook = old.incoming_webhook.clone();
    }
    new
}
