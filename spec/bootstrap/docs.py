"""Our own one-line descriptions for the bootstrap converter.

Hand-written phrases for common names, and plain-English fallbacks built from
the identifier itself. Nothing here is taken from Slack's documentation text.
"""
import re

FIELD = {
    "id": "Identifier.",
    "name": "Name.",
    "type": "Kind of object or event.",
    "subtype": "Message subtype, when not a plain message.",
    "text": "Text content.",
    "ts": "Timestamp that identifies the message.",
    "thread_ts": "Timestamp of the thread's parent message.",
    "event_ts": "When the event happened.",
    "channel": "Conversation concerned.",
    "channel_id": "Conversation concerned.",
    "channels": "Conversations.",
    "channel_type": "Kind of conversation (channel, group, im, mpim).",
    "user": "User concerned.",
    "user_id": "User concerned.",
    "users": "Users.",
    "team": "Workspace concerned.",
    "team_id": "Workspace concerned.",
    "enterprise_id": "Enterprise organization concerned.",
    "bot_id": "Bot that sent it.",
    "app_id": "App concerned.",
    "api_app_id": "App the event is delivered to.",
    "created": "Creation time, Unix seconds.",
    "updated": "Last update time, Unix seconds.",
    "creator": "User who created it.",
    "members": "Member user IDs.",
    "blocks": "Block Kit layout blocks.",
    "attachments": "Legacy secondary attachments.",
    "files": "Files attached.",
    "file": "File concerned.",
    "file_id": "File concerned.",
    "edited": "Who edited it last, and when.",
    "reactions": "Emoji reactions on it.",
    "reply_count": "Number of replies in the thread.",
    "reply_users": "Some of the users who replied.",
    "reply_users_count": "Number of distinct repliers.",
    "latest_reply": "Timestamp of the newest reply.",
    "parent_user_id": "Author of the thread's parent message.",
    "username": "Display name used for the post.",
    "icons": "Icon images.",
    "bot_profile": "Profile of the bot that posted it.",
    "client_msg_id": "Client-generated message ID.",
    "topic": "Topic.",
    "purpose": "Purpose.",
    "value": "Value.",
    "last_set": "When it was last set, Unix seconds.",
    "title": "Title.",
    "url": "URL.",
    "permalink": "Permanent link.",
    "message": "The message.",
    "messages": "Messages.",
    "previous_message": "The message as it was before.",
    "root": "The thread's parent message.",
    "has_more": "Whether more results exist past this page.",
    "response_metadata": "Paging cursor and extra notes.",
    "next_cursor": "Cursor for the next page; empty on the last page.",
    "warnings": "Warning codes.",
    "scope": "Scopes granted, comma-separated.",
    "scopes": "Scopes.",
    "access_token": "Access token issued.",
    "refresh_token": "Token for getting a fresh access token.",
    "token_type": "Kind of token issued (bot or user).",
    "expires_in": "Seconds until the token expires.",
    "email": "Email address.",
    "deleted": "Whether it has been deleted.",
    "color": "Color, as hex or a named value.",
    "tz": "Time zone name.",
    "tz_label": "Human-readable time zone.",
    "tz_offset": "Offset from UTC, in seconds.",
    "real_name": "Full name.",
    "display_name": "Name shown in the client.",
    "status_text": "Custom status text.",
    "status_emoji": "Custom status emoji.",
    "status_expiration": "When the status clears, Unix seconds; 0 for never.",
    "presence": "Presence: active or away.",
    "count": "How many.",
    "num_members": "Number of members.",
    "last_read": "Timestamp of the last message read.",
    "unread_count": "Number of unread messages.",
    "unread_count_display": "Number of unread messages that matter to the user.",
    "locale": "IETF language tag.",
    "domain": "Workspace subdomain.",
    "event_payload": "Custom metadata content.",
    "event_type": "Name of the custom metadata event.",
    "fallback": "Plain-text summary for clients that cannot render it.",
    "pretext": "Text shown above the attachment.",
    "footer": "Footer text.",
    "fields": "Fields shown in a table.",
    "short": "Whether the field fits beside others.",
    "image_url": "URL of an image.",
    "thumb_url": "URL of a thumbnail.",
    "inviter": "User who sent the invite.",
    "actor_id": "User who did it.",
    "item": "The item concerned.",
    "item_user": "Author of the item concerned.",
    "reaction": "Emoji name, without colons.",
    "is_archived": "Whether it is archived.",
    "is_private": "Whether it is private.",
    "mimetype": "MIME type.",
    "filetype": "Slack's file type code.",
    "size": "Size in bytes.",
    "mode": "Storage mode (hosted, external, snippet, ...).",
    "hidden": "Whether clients should hide it.",
    "deleted_ts": "Timestamp of the deleted message.",
    "old_name": "Name before the change.",
    "latest": "Newest message, or its timestamp.",
    "cache_ts": "Cache timestamp, Unix seconds.",
    "is_bot": "Whether it is a bot.",
    "plan": "Billing plan.",
    "metadata": "App metadata attached to the message.",
    "source_team": "Workspace the message came from.",
    "user_team": "Workspace of the author.",
    "upload": "Whether it came from an upload.",
    "display_as_bot": "Whether it is shown as posted by a bot.",
    "comment": "Comment text or object.",
    "is_moved": "Set when the conversation moved to another workspace.",
    "scheduled_message_id": "ID of the scheduled message.",
    "post_at": "When it will be posted, Unix seconds.",
    "date_created": "Creation time, Unix seconds.",
    "invite_id": "ID of the invitation.",
    "upload_url": "URL to send the file bytes to.",
    "is_enterprise_install": "Whether the app was installed org-wide.",
    "authed_user": "Token and identity of the installing user.",
    "incoming_webhook": "Webhook created by the install, if any.",
    "bot_user_id": "User ID of the app's bot.",
    "warning": "Warning code.",
}

OBJECT = {
    "Message": "A message, as returned by history, replies and post calls.",
    "Conversation": "A conversation: public or private channel, DM or group DM.",
    "User": "A member of a workspace, human or bot.",
    "UserProfile": "A user's profile.",
    "UserProfileField": "Value of one custom profile field.",
    "Reaction": "An emoji reaction with the people who added it.",
    "File": "A file shared in Slack.",
    "FileShares": "Where a file is shared, keyed by conversation ID.",
    "FileShare": "One share of a file in a conversation.",
    "FileComment": "A comment on a file.",
    "Attachment": "A legacy message attachment.",
    "AttachmentField": "One field of a legacy attachment.",
    "AttachmentAction": "A button or menu on a legacy attachment.",
    "BotProfile": "A bot's public profile.",
    "Team": "A workspace.",
    "Icons": "Image URLs (or an emoji) for an icon at several sizes.",
    "Topic": "A conversation's topic or purpose, with who set it and when.",
    "Edited": "Who edited a message last, and when.",
    "ResponseMetadata": "Paging cursor and notes that come with a response.",
    "Enterprise": "An Enterprise Grid organization.",
    "Item": "The thing an event or list entry refers to: message, file or comment.",
    "Subteam": "A user group.",
    "MessageMetadata": "App-defined metadata on a message.",
    "Room": "A call or huddle.",
    "Reply": "Acknowledgement of a message the client sent over RTM (no `type`).",
    "RtmError": "Error details in an RTM frame.",
    "TeamProfile": "The workspace's custom profile field definitions.",
    "TeamProfileField": "Definition of one custom profile field.",
    "PlainMessageEvent": "A message event with no subtype.",
    "DndStatus": "Do Not Disturb settings.",
    "AssistantAppThread": "Details of an AI assistant thread.",
    "PinnedInfo": "Who pinned an item and when.",
    "IncomingWebhook": "An incoming webhook created during OAuth.",
    "EnterpriseUser": "A user's Enterprise Grid membership.",
    "SharedLink": "A link posted in a message.",
    "RtmSelf": "The connected user, as rtm.start reports it.",
    "RtmSubteams": "User groups, as rtm.start reports them.",
    "SubteamPrefs": "Default conversations and groups of a user group.",
}


def words(ident):
    ident = re.sub(r"(?<!^)(?=[A-Z])", " ", ident)
    return ident.replace("_", " ").strip().lower()


def field_doc(parent, key, texpr):
    if key in FIELD:
        return FIELD[key]
    w = words(key)
    m = re.match(r"^image_(\d+|original|\d+x\d+)$", key)
    if m:
        return f"Image URL, {m.group(1)} px." if m.group(1)[0].isdigit() else "Image URL, original size."
    if key.startswith("is_"):
        return f"Whether it is {words(key[3:])}."
    if key.startswith("has_"):
        return f"Whether it has {words(key[4:])}."
    if key.startswith("can_"):
        return f"Whether it can {words(key[4:])}."
    if key.startswith("was_"):
        return f"Whether it was {words(key[4:])}."
    if key.endswith("_count") or key.startswith("num_"):
        base = key[:-6] if key.endswith("_count") else key[4:]
        return f"Number of {words(base)}."
    if key.endswith("_ts") or texpr == "Ts":
        return f"Timestamp: {w}."
    if key.endswith("_ids"):
        return f"IDs: {words(key[:-4])}."
    if key.endswith("_id"):
        return f"ID of the {words(key[:-3])}."
    if key.endswith("_url") or key.endswith("_link") or key.startswith("url_"):
        return f"Link: {w}."
    if key.startswith("date_") or key.endswith("_date"):
        return f"Time, Unix seconds: {w}."
    if texpr == "boolean":
        return f"Flag: {w}."
    if texpr.startswith("["):
        return f"List of {w}."
    return f"{w[0].upper() + w[1:]}." if w else "Value."


ARG = {
    "channel": "Conversation to act on.",
    "channel_id": "Conversation to act on.",
    "channels": "Conversations to act on.",
    "user": "User to act on.",
    "user_id": "User to act on.",
    "users": "Users to act on.",
    "cursor": "Paging cursor from the previous page's `next_cursor`.",
    "limit": "Page size.",
    "count": "How many items to return.",
    "page": "Page number, for page-numbered results.",
    "ts": "Timestamp of the message.",
    "timestamp": "Timestamp of the message.",
    "thread_ts": "Parent message timestamp, to reply in its thread.",
    "latest": "Only items before this timestamp.",
    "oldest": "Only items after this timestamp.",
    "inclusive": "Include items exactly at `latest`/`oldest`.",
    "text": "Message text.",
    "blocks": "Block Kit blocks, as a JSON array.",
    "attachments": "Legacy attachments, as a JSON array.",
    "metadata": "App metadata for the message, as JSON.",
    "markdown_text": "Message text in Markdown (instead of `text` or `blocks`).",
    "as_user": "Legacy: post as the user rather than the bot.",
    "icon_emoji": "Emoji to show as the sender icon.",
    "icon_url": "Image to show as the sender icon.",
    "username": "Sender name to show.",
    "link_names": "Turn @group and #channel names into links.",
    "parse": "How to treat the text: `none` or `full`.",
    "mrkdwn": "Set false to turn off mrkdwn formatting.",
    "reply_broadcast": "Also show the thread reply in the conversation.",
    "unfurl_links": "Let text links unfurl.",
    "unfurl_media": "Let media links unfurl.",
    "team_id": "Workspace to act in; needed with org-wide tokens.",
    "name": "Name to use.",
    "types": "Kinds of conversation to include.",
    "exclude_archived": "Leave out archived conversations.",
    "include_locale": "Include each user's locale.",
    "include_num_members": "Include the member count.",
    "include_all_metadata": "Return all message metadata.",
    "is_private": "Create a private channel.",
    "purpose": "New purpose text.",
    "topic": "New topic text.",
    "client_id": "App's client ID.",
    "client_secret": "App's client secret.",
    "code": "Temporary code from the OAuth redirect.",
    "redirect_uri": "Redirect URI used in the authorize step; must match.",
    "refresh_token": "Refresh token to trade for a new access token.",
    "grant_type": "`authorization_code` or `refresh_token`.",
    "code_verifier": "PKCE verifier for the code.",
    "email": "Email address to look up.",
    "file": "File to act on.",
    "full": "Return the whole reaction lists.",
    "file_comment": "File comment to act on.",
    "presence": "`auto` or `away`.",
    "profile": "Profile fields to change, as a JSON object.",
    "invite_id": "Shared-channel invitation to act on.",
    "post_at": "When to post, Unix seconds.",
    "scheduled_message_id": "Scheduled message to act on.",
    "batch_presence_aware": "Batch presence changes over RTM.",
    "presence_sub": "Only send presence events for subscribed users.",
    "no_latest": "Leave out `latest` on conversations to speed things up.",
    "no_unreads": "Skip unread counts.",
    "simple_latest": "Return only the timestamp of each conversation's latest message.",
    "mpim_aware": "Return group DMs as mpims, not groups.",
    "return_im": "Return the whole DM object.",
    "prevent_creation": "Do not create a DM that does not exist yet.",
    "unfurls": "Unfurl content keyed by URL, as a JSON object.",
    "source": "Where the link was posted: `composer` or `conversations_history`.",
    "unfurl_id": "ID from the `link_shared` event.",
    "message_ts": "Timestamp of the message.",
    "emails": "Email addresses to invite.",
    "user_ids": "Users to invite.",
    "image": "Image file to upload.",
    "filename": "Name of the file.",
    "length": "Size of the file in bytes.",
    "alt_txt": "Alternative text for an image.",
    "snippet_type": "Syntax type for a snippet.",
    "files": "Files to complete, as a JSON array of `{id, title}`.",
    "initial_comment": "Message to post with the files.",
    "title": "Title to use.",
    "chunks": "Streaming chunks, as a JSON array.",
    "force": "Do it even if it is not needed.",
    "recipient_team_id": "Workspace to act on.",
    "recipient_user_id": "User to act on.",
    "target_team": "Workspace to act on.",
}


def arg_doc(method, name, texpr):
    if name in ARG:
        return ARG[name]
    return field_doc(method, name, texpr).replace("Whether it ", "Whether to ")


VERB = {
    "list": "Lists", "info": "Gets details of", "history": "Fetches the message history of",
    "replies": "Fetches a thread of", "members": "Lists members of",
}

METHOD = {
    "api.test": "Checks that the API answers; echoes the arguments back.",
    "apps.connections.open": "Gets a websocket URL for a Socket Mode connection.",
    "auth.test": "Checks the token and says who it belongs to.",
    "chat.appendStream": "Adds text to a message that is being streamed.",
    "chat.delete": "Deletes a message.",
    "chat.deleteScheduledMessage": "Cancels a scheduled message.",
    "chat.getPermalink": "Gets a permanent link to a message.",
    "chat.meMessage": "Posts a /me action message.",
    "chat.postEphemeral": "Posts a message that only one user sees.",
    "chat.postMessage": "Posts a message to a conversation.",
    "chat.scheduleMessage": "Schedules a message to post later.",
    "chat.scheduledMessages.list": "Lists messages scheduled but not yet posted.",
    "chat.startStream": "Starts a message whose text is streamed in parts.",
    "chat.stopStream": "Finishes a streamed message.",
    "chat.unfurl": "Supplies custom previews for links in a message.",
    "chat.update": "Edits a message.",
    "conversations.acceptSharedInvite": "Accepts a Slack Connect channel invitation.",
    "conversations.approveSharedInvite": "Approves a Slack Connect channel invitation.",
    "conversations.archive": "Archives a conversation.",
    "conversations.canvases.create": "Creates the canvas of a channel.",
    "conversations.close": "Closes a DM or group DM.",
    "conversations.create": "Creates a channel.",
    "conversations.declineSharedInvite": "Declines a Slack Connect channel invitation.",
    "conversations.externalInvitePermissions.set": "Changes whether an external member may invite others.",
    "conversations.history": "Fetches messages posted in a conversation.",
    "conversations.info": "Gets details of a conversation.",
    "conversations.invite": "Adds users to a channel.",
    "conversations.inviteShared": "Invites people from other organizations to a channel.",
    "conversations.join": "Joins an existing channel.",
    "conversations.kick": "Removes a user from a conversation.",
    "conversations.leave": "Leaves a conversation.",
    "conversations.list": "Lists the workspace's conversations.",
    "conversations.listConnectInvites": "Lists Slack Connect invitations.",
    "conversations.mark": "Moves the read cursor in a conversation.",
    "conversations.members": "Lists members of a conversation.",
    "conversations.open": "Opens (or resumes) a DM or group DM.",
    "conversations.rename": "Renames a conversation.",
    "conversations.replies": "Fetches a thread's messages.",
    "conversations.requestSharedInvite.approve": "Approves a request to add an external user to a channel.",
    "conversations.requestSharedInvite.deny": "Denies a request to add an external user to a channel.",
    "conversations.requestSharedInvite.list": "Lists requests to add external users to channels.",
    "conversations.setPurpose": "Sets a conversation's purpose.",
    "conversations.setTopic": "Sets a conversation's topic.",
    "conversations.unarchive": "Brings an archived conversation back.",
    "files.completeUploadExternal": "Finishes an upload and optionally shares the files.",
    "files.getUploadURLExternal": "Reserves a URL to upload a file's bytes to.",
    "oauth.access": "Trades an OAuth code for a classic app token.",
    "oauth.token": "Trades an OAuth code for a workspace app token (retired).",
    "oauth.v2.access": "Trades an OAuth code for tokens (OAuth v2).",
    "oauth.v2.exchange": "Trades a legacy token for a rotating one.",
    "oauth.v2.user.access": "Trades an OAuth code for a user token.",
    "reactions.add": "Adds an emoji reaction.",
    "reactions.get": "Gets the reactions on an item.",
    "reactions.list": "Lists items a user reacted to.",
    "reactions.remove": "Removes an emoji reaction.",
    "rtm.connect": "Gets a websocket URL for an RTM session.",
    "rtm.start": "Gets a websocket URL plus a snapshot of the workspace (retired).",
    "users.conversations": "Lists the conversations a user is in.",
    "users.deletePhoto": "Removes the user's profile photo.",
    "users.discoverableContacts.lookup": "Checks whether a user can be found for Slack Connect.",
    "users.getPresence": "Gets a user's presence.",
    "users.identity": "Gets the signed-in user's identity (Sign in with Slack).",
    "users.info": "Gets details of a user.",
    "users.list": "Lists the workspace's users.",
    "users.lookupByEmail": "Finds a user by email address.",
    "users.profile.get": "Gets a user's profile.",
    "users.profile.set": "Changes a user's profile.",
    "users.setActive": "Marks the user active (no longer has an effect).",
    "users.setPhoto": "Sets the user's profile photo.",
    "users.setPresence": "Sets the user's presence by hand.",
}


def method_doc(name):
    if name in METHOD:
        return METHOD[name]
    if name.startswith("channels."):
        base = METHOD.get("conversations." + name.split(".", 1)[1], "Acts on a channel.")
        return "Legacy channel method. " + base
    return "Calls " + name + "."


SUBTYPE_DOC = {
    "bot_message": "Posted by a bot or integration.",
    "me_message": "A /me action message.",
    "message_changed": "A message was edited.",
    "message_deleted": "A message was deleted.",
    "message_replied": "A thread got a reply (parent message update).",
    "thread_broadcast": "A thread reply also shown in the conversation.",
    "reply_broadcast": "A reply shared to the conversation (legacy).",
    "file_share": "Files were shared in a message.",
    "file_comment": "A comment was added to a file.",
    "file_mention": "A file was mentioned.",
    "pinned_item": "An item was pinned.",
    "unpinned_item": "An item was unpinned.",
    "sh_room_created": "A huddle started.",
    "slackbot_response": "An automatic Slackbot reply.",
    "ekm_access_denied": "Content hidden by Enterprise Key Management.",
    "reminder_add": "A reminder was added.",
    "assistant_app_thread": "An AI assistant thread started.",
    "document_mention": "A document was mentioned.",
    "bot_add": "An integration was added.",
    "bot_remove": "An integration was removed.",
    "bot_enable": "An integration was turned on.",
    "bot_disable": "An integration was turned off.",
    "channel_convert_to_private": "A channel became private.",
    "channel_convert_to_public": "A private channel became public.",
    "channel_name": "A channel was renamed.",
    "group_name": "A private channel was renamed.",
    "channel_purpose": "A channel's purpose was set.",
    "group_purpose": "A private channel's purpose was set.",
    "channel_topic": "A channel's topic was set.",
    "group_topic": "A private channel's topic was set.",
    "channel_join": "Someone joined the channel.",
    "group_join": "Someone joined the private channel.",
    "channel_leave": "Someone left the channel.",
    "group_leave": "Someone left the private channel.",
}


def subtype_doc(st):
    if st in SUBTYPE_DOC:
        d = SUBTYPE_DOC[st]
    else:
        d = event_doc(st)
    return "Message subtype `" + st + "`: " + d[0].lower() + d[1:]


def object_doc(name):
    if name in OBJECT:
        return OBJECT[name]
    if name.endswith("MessageEvent") and name != "PlainMessageEvent":
        return "Message event of subtype `" + words(name[:-12]).replace(" ", "_") + "`."
    if name.endswith("Event"):
        return event_doc(words(name[:-5]).replace(" ", "_"))
    if name.endswith("Response"):
        return "Response of " + name[:-8] + "."
    return words(name).capitalize() + "."


EVENT = {
    "hello": "The RTM connection is ready.",
    "goodbye": "The server is about to close the connection.",
    "error": "The server reports an error on the connection.",
    "pong": "Answer to a ping the client sent.",
    "reconnect_url": "A URL to reconnect with (legacy).",
    "user_typing": "A user is typing in a conversation.",
    "presence_change": "A user's presence changed.",
    "reaction_added": "Someone added a reaction to an item.",
    "reaction_removed": "Someone removed a reaction from an item.",
    "accounts_changed": "The accounts signed in on this client changed.",
    "activity": "Activity feed update for the user.",
    "apps_uninstalled": "Apps were removed from the workspace.",
    "badge_counts_updated": "Unread badge counts changed.",
    "commands_changed": "Slash commands were added or changed.",
    "desktop_notification": "A notification the desktop client would show.",
    "manual_presence_change": "You set your presence by hand.",
    "mobile_in_app_notification": "A notification the mobile client would show.",
    "pref_change": "One of your preferences changed.",
    "presence_query": "Presence was asked for some users.",
    "presence_sub": "Presence subscription changed.",
    "link_shared": "A link to a domain the app handles was posted.",
    "app_mention": "The app was mentioned in a message.",
    "tokens_revoked": "Tokens of the app were revoked.",
    "url_verification": "Events API endpoint check.",
    "team_join": "A new member joined the workspace.",
    "channel_posting_permissions": "Who may post in a channel changed.",
    "resources_added": "The app was granted access to more resources.",
    "resources_removed": "The app lost access to some resources.",
    "scope_granted": "The app was granted more scopes.",
    "scope_denied": "A scope request for the app was turned down.",
    "user_resource_granted": "A user granted the app access to their resources.",
    "user_resource_denied": "A user turned down the app's resource request.",
    "user_resource_removed": "A user's grant to the app was removed.",
    "team_profile_delete": "Workspace profile fields were deleted.",
    "team_profile_reorder": "Workspace profile fields were reordered.",
    "team_pref_change": "A workspace preference changed.",
    "invite_requested": "Someone asked for an invitation to the workspace.",
    "app_requested": "A member asked for the app to be installed.",
    "call_rejected": "A call invitation was declined.",
}


SUBJECT = {"channel": "A channel", "group": "A private channel", "im": "A DM", "mpim": "A group DM",
           "file": "A file", "file_comment": "A file comment", "subteam": "A user group",
           "team": "The workspace", "user": "A user", "bot": "A bot", "pin": "A pin",
           "star": "A star", "emoji": "Custom emoji", "team_profile": "Workspace profile fields",
           "app": "The app", "workflow": "A workflow", "workflow_step": "A workflow step",
           "sh_room": "A huddle", "dnd": "Do Not Disturb", "scope": "Scopes",
           "user_resource": "User resources", "resources": "Resources", "team_access": "Access to a workspace",
           "member": "A member", "shared_channel_invite": "A Slack Connect invitation",
           "grid_migration": "An Enterprise Grid migration", "team_migration": "A workspace migration",
           "external_org_migration": "An external organization migration", "email_domain": "The email domain"}
ACTION = {"created": "was created", "deleted": "was deleted", "delete": "was deleted",
          "rename": "was renamed", "archive": "was archived", "unarchive": "was unarchived",
          "joined": "was joined by you", "left": "was left by you", "marked": "had its read cursor moved",
          "history_changed": "had many history changes at once", "open": "was opened",
          "close": "was closed", "added": "was added", "removed": "was removed", "changed": "changed",
          "change": "changed", "updated": "changed", "shared": "was shared", "unshared": "was unshared",
          "public": "was made public", "private": "was made private", "edited": "was edited",
          "started": "started", "finished": "finished", "granted": "was granted", "denied": "was denied",
          "revoked": "was revoked", "reorder": "was reordered", "join": "was joined",
          "leave": "was left", "update": "changed", "self_added": "now includes you",
          "self_removed": "no longer includes you", "members_changed": "changed members",
          "uninstalled": "was uninstalled", "published": "was published", "unpublished": "was unpublished",
          "received": "was received", "updated_user": "changed for a user", "changed_channel": "changed",
          "joined_channel": "joined a channel", "left_channel": "left a channel", "requested": "was requested",
          "domain_change": "domain changed", "plan_change": "plan changed", "pref_change": "preference changed",
          "profile_changed": "profile changed", "status_changed": "status changed",
          "huddle_changed": "huddle status changed", "typing": "is typing", "connection": "connection changed",
          "rejected": "was rejected", "id_changed": "got a new ID", "execute": "should run",
          "rate_limited": "is being rate limited", "mention": "was mentioned",
          "home_opened": "home tab was opened"}


def event_doc(t):
    if t in EVENT:
        return EVENT[t]
    parts = t.split("_")
    for i in range(len(parts) - 1, 0, -1):
        subj, act = "_".join(parts[:i]), "_".join(parts[i:])
        if act in ACTION and subj in SUBJECT:
            return f"{SUBJECT[subj]} {ACTION[act]}."
    for i in range(len(parts) - 1, 0, -1):
        subj, act = "_".join(parts[:i]), "_".join(parts[i:])
        if act in ACTION:
            return f"{subj.replace('_', ' ').capitalize()} {ACTION[act]}."
    return "Event `" + t + "`."
