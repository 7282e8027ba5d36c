//! The one table of simulated Web API methods: each method's name and its
//! handler, by the state the handler needs. The server's "is it simulated"
//! check and its dispatch both read it. A new method is a row here; a
//! family with state of its own (outside the workspace) also adds a
//! [`Handler`] variant that borrows just that state.

use crate::{oauth, simulator, socket_mode};
use simulator::{files, views};

/// How a simulated method is answered, named by the state it borrows.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Handler {
    /// The workspace: users, conversations, messages, files.
    Workspace(simulator::Handler),
    /// OAuth apps, codes and tokens.
    Oauth(oauth::Handler),
    /// Socket Mode connection URLs.
    SocketMode(socket_mode::Handler),
    /// Modals, App Homes and trigger ids, at the fake clock's now.
    Views(views::Handler),
}

use Handler::{Oauth, SocketMode, Views, Workspace};

/// Every method the fake simulates.
#[rustfmt::skip]
pub(crate) const METHODS: &[(&str, Handler)] = &[
    ("api.test", Workspace(|w, c| w.api_test(&c.args))),
    ("auth.test", Workspace(|w, c| Ok(w.auth_test(&c.caller)))),
    // A workflow step's outcome: the journal records it, nothing else keeps it.
    ("functions.completeSuccess", Workspace(|_, _| Ok(serde_json::json!({})))),
    ("functions.completeError", Workspace(|_, _| Ok(serde_json::json!({})))),
    ("chat.postMessage", Workspace(|w, c| w.chat_post(&c.caller, &c.args, &mut c.events, None))),
    ("chat.meMessage", Workspace(|w, c| w.chat_post(&c.caller, &c.args, &mut c.events, Some("me_message")))),
    ("chat.update", Workspace(|w, c| w.chat_update(&c.caller, &c.args, &mut c.events))),
    ("chat.delete", Workspace(|w, c| w.chat_delete(&c.caller, &c.args, &mut c.events))),
    ("chat.postEphemeral", Workspace(|w, c| w.chat_ephemeral(&c.caller, &c.args))),
    ("chat.getPermalink", Workspace(|w, c| w.chat_permalink(&c.caller, &c.args))),
    ("chat.scheduleMessage", Workspace(|w, c| w.chat_schedule(&c.caller, &c.args))),
    ("chat.scheduledMessages.list", Workspace(|w, c| w.chat_scheduled_list(&c.caller, &c.args))),
    ("chat.deleteScheduledMessage", Workspace(|w, c| w.chat_delete_scheduled(&c.caller, &c.args))),
    ("reactions.add", Workspace(|w, c| w.reaction(&c.caller, &c.args, true, &mut c.events))),
    ("reactions.remove", Workspace(|w, c| w.reaction(&c.caller, &c.args, false, &mut c.events))),
    ("reactions.get", Workspace(|w, c| w.reactions_get(&c.caller, &c.args))),
    ("reactions.list", Workspace(|w, c| w.reactions_list(&c.caller, &c.args))),
    ("conversations.create", Workspace(|w, c| w.conv_create(&c.caller, &c.args, &mut c.events))),
    ("conversations.archive", Workspace(|w, c| w.conv_archive(&c.caller, &c.args, true, &mut c.events))),
    ("conversations.unarchive", Workspace(|w, c| w.conv_archive(&c.caller, &c.args, false, &mut c.events))),
    ("conversations.join", Workspace(|w, c| w.conv_join(&c.caller, &c.args, &mut c.events))),
    ("conversations.leave", Workspace(|w, c| w.conv_leave(&c.caller, &c.args, &mut c.events))),
    ("conversations.invite", Workspace(|w, c| w.conv_invite(&c.caller, &c.args, &mut c.events))),
    ("conversations.kick", Workspace(|w, c| w.conv_kick(&c.caller, &c.args, &mut c.events))),
    ("conversations.info", Workspace(|w, c| w.conv_info(&c.caller, &c.args))),
    ("conversations.list", Workspace(|w, c| w.conv_list(&c.caller, &c.args))),
    ("conversations.history", Workspace(|w, c| w.conv_history(&c.caller, &c.args))),
    ("conversations.replies", Workspace(|w, c| w.conv_replies(&c.caller, &c.args))),
    ("conversations.members", Workspace(|w, c| w.conv_members(&c.caller, &c.args))),
    ("conversations.rename", Workspace(|w, c| w.conv_rename(&c.caller, &c.args, &mut c.events))),
    ("conversations.setTopic", Workspace(|w, c| w.conv_set(&c.caller, &c.args, "topic", &mut c.events))),
    ("conversations.setPurpose", Workspace(|w, c| w.conv_set(&c.caller, &c.args, "purpose", &mut c.events))),
    ("conversations.open", Workspace(|w, c| w.conv_open(&c.caller, &c.args, &mut c.events))),
    ("conversations.mark", Workspace(|w, c| w.conv_mark(&c.caller, &c.args))),
    ("users.info", Workspace(|w, c| w.users_info(&c.args))),
    ("users.list", Workspace(|w, c| w.users_list(&c.args))),
    ("users.lookupByEmail", Workspace(|w, c| w.users_by_email(&c.args))),
    ("users.profile.get", Workspace(|w, c| w.users_profile(&c.caller, &c.args))),
    ("users.getPresence", Workspace(|w, c| w.users_presence(&c.caller, &c.args))),
    ("users.setPresence", Workspace(|w, c| w.users_set_presence(&c.caller, &c.args, &mut c.events))),
    ("users.conversations", Workspace(|w, c| w.users_conversations(&c.caller, &c.args))),
    ("users.profile.set", Workspace(|w, c| w.users_profile_set(&c.caller, &c.args, &mut c.events))),
    ("usergroups.create", Workspace(|w, c| w.usergroups_create(&c.caller, &c.args, &mut c.events))),
    ("usergroups.list", Workspace(|w, c| w.usergroups_list(&c.args))),
    ("usergroups.update", Workspace(|w, c| w.usergroups_update(&c.caller, &c.args, &mut c.events))),
    ("usergroups.users.list", Workspace(|w, c| w.usergroups_users_list(&c.args))),
    ("usergroups.users.update", Workspace(|w, c| w.usergroups_users_update(&c.caller, &c.args, &mut c.events))),
    ("usergroups.disable", Workspace(|w, c| w.usergroups_set_enabled(&c.caller, &c.args, false, &mut c.events))),
    ("usergroups.enable", Workspace(|w, c| w.usergroups_set_enabled(&c.caller, &c.args, true, &mut c.events))),
    ("dnd.info", Workspace(|w, c| w.dnd_info(&c.caller, &c.args))),
    ("reminders.add", Workspace(|w, c| w.reminders_add(&c.caller, &c.args))),
    ("reminders.list", Workspace(|w, c| w.reminders_list(&c.caller))),
    ("reminders.delete", Workspace(|w, c| w.reminders_delete(&c.caller, &c.args))),
    ("reminders.info", Workspace(|w, c| w.reminders_info(&c.caller, &c.args))),
    ("reminders.complete", Workspace(|w, c| w.reminders_complete(&c.caller, &c.args))),
    ("search.messages", Workspace(|w, c| w.search_messages(&c.caller, &c.args))),
    ("search.files", Workspace(|w, c| w.search_files(&c.caller, &c.args))),
    ("search.all", Workspace(|w, c| w.search_all(&c.caller, &c.args))),
    ("pins.add", Workspace(|w, c| w.pin(&c.caller, &c.args, true, &mut c.events))),
    ("pins.remove", Workspace(|w, c| w.pin(&c.caller, &c.args, false, &mut c.events))),
    ("pins.list", Workspace(|w, c| w.pins_list(&c.caller, &c.args))),
    ("bookmarks.add", Workspace(|w, c| w.bookmarks_add(&c.caller, &c.args))),
    ("bookmarks.edit", Workspace(|w, c| w.bookmarks_edit(&c.caller, &c.args))),
    ("bookmarks.remove", Workspace(|w, c| w.bookmarks_remove(&c.caller, &c.args))),
    ("bookmarks.list", Workspace(|w, c| w.bookmarks_list(&c.caller, &c.args))),
    ("team.info", Workspace(|w, c| w.team_info(&c.args))),
    ("bots.info", Workspace(|w, c| w.bots_info(&c.args))),
    ("emoji.list", Workspace(|w, c| w.emoji_list(&c.args))),
    ("rtm.connect", Workspace(|w, c| Ok(w.rtm_connect(&c.caller, c.rtm_url, false)))),
    ("rtm.start", Workspace(|w, c| Ok(w.rtm_connect(&c.caller, c.rtm_url, true)))),
    ("files.getUploadURLExternal", Workspace(|w, c| files::get_upload_url(w, &c.caller, c.args.0, c.http_url))),
    ("files.completeUploadExternal", Workspace(|w, c| files::complete(w, &c.caller, c.args.0, c.http_url, &mut c.events))),
    ("files.info", Workspace(|w, c| w.files_info(&c.caller, &c.args))),
    ("files.list", Workspace(|w, c| w.files_list(&c.caller, &c.args))),
    ("files.delete", Workspace(|w, c| w.files_delete(&c.caller, &c.args, &mut c.events))),
    ("oauth.v2.access", Oauth(|o, c| o.access(c.seed, c.decoded))),
    ("oauth.v2.exchange", Oauth(|o, c| o.exchange(c.seed, c.decoded, c.caller))),
    (socket_mode::OPEN_METHOD, SocketMode(socket_mode::open)),
    ("views.open", Views(views::open)),
    ("views.push", Views(views::push)),
    ("views.update", Views(views::update)),
    ("views.publish", Views(views::publish)),
];

/// The handler of `method`, if the fake simulates it.
pub(crate) fn find(method: &str) -> Option<Handler> {
    METHODS.iter().find(|(m, _)| *m == method).map(|(_, h)| *h)
}
