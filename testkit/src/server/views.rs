//! The server side of modals and App Homes (`crate::views`): minting
//! trigger ids and reading the stored views.

use serde_json::Value;

use super::FakeSlack;

/// Trigger ids and views.
impl FakeSlack {
    /// A new trigger id for `user`, as an interaction of theirs makes one
    /// (`"1700000001.98766.4f0c..."`): `views.open` or `views.push` takes
    /// it once, within 3 seconds of the [fake clock](Self::clock)
    /// (`exchanged_trigger_id` the second time, `expired_trigger_id` after).
    /// `views.push` with it pushes onto the user's open modal.
    pub fn trigger_id(&self, user: &str) -> String {
        let st = &mut *self.inner.lock();
        let now = st.workspace.clock.now_micros();
        st.views.mint_trigger(user, None, now)
    }

    /// The view `view_id` as stored now (after every `views.update`), or
    /// `None` when there is none or it was closed.
    pub fn view(&self, view_id: &str) -> Option<Value> {
        self.inner.lock().views.view(view_id)
    }

    /// `user`'s open modal stack, bottom first (empty when none is open).
    pub fn open_views(&self, user: &str) -> Vec<Value> {
        self.inner.lock().views.open_views(user)
    }

    /// `user`'s App Home view, as `views.publish` last left it.
    pub fn home_view(&self, user: &str) -> Option<Value> {
        self.inner.lock().views.home_view(user)
    }

    /// The `errors` (block id -> message) the app last answered a
    /// submission of view `view_id` with (`response_action: errors`).
    pub fn view_errors(&self, view_id: &str) -> Option<Value> {
        self.inner.lock().views.view_errors(view_id)
    }
}
