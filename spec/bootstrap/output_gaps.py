#!/usr/bin/env python3
"""Fills the response fields the spec lacked against the reference's method
files (`slack-api-ref/methods/<method>.json`, its `output.properties`), and
makes `output.required` fields required where no sample omits them;
also adds fields real traffic carries to events and shared objects, and types
tokens and secrets as `secret`.

One-off and idempotent: a field already in the spec is left as it is. The
types and docs below are ours; the reference gives names and shapes only.
`codegen/tests/reference_coverage.rs` checks the result stays complete.

Run from anywhere: python3 spec/bootstrap/output_gaps.py
"""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.dirname(HERE)
REF = os.path.abspath(os.path.join(SPEC, "..", "..", "shared", "reference"))
METHODS = os.path.join(REF, "slack-api-ref", "methods")
SAMPLES = os.path.join(REF, "java-slack-sdk-samples", "api")

# method -> [(field, type, doc, extra)]
FIELDS = {
    "admin.conversations.ekm.listOriginalConnectedChannelInfo": [
        ("channels", "[EkmChannelInfo]", "Each channel with the workspace and channel it was first connected to."),
    ],
    "admin.usergroups.addChannels": [
        ("channel_limit_user_ids", "[UserId]", "Members who would pass their channel limit by joining."),
        ("invalid_channels", "[ChannelId]", "Channels that cannot be added to the group."),
    ],
    "admin.usergroups.removeChannels": [
        ("invalid_channels", "[ChannelId]", "Channels that cannot be removed from the group."),
    ],
    "apps.event.authorizations.list": [
        ("cursor_next", "string", "Cursor of the next page, when there is one."),
    ],
    "apps.manifest.create": [
        ("app_token", "secret", "App-level token issued with the new app."),
    ],
    "apps.manifest.validate": [
        ("warnings", "[ManifestWarning]", "Problems that do not stop the manifest from being used."),
    ],
    "apps.uninstall": [
        ("uninstalled", "boolean", "Whether the app was removed from the workspace."),
    ],
    "auth.revoke": [
        ("revoked", "boolean", "Whether the token no longer works."),
    ],
    "bots.info": [
        ("bots", "[BotProfile]", "The bots asked for, when several were."),
    ],
    "chat.postMessage": [
        ("is_duplicate", "boolean", "Set when Slack took the post for a repeat of one already sent."),
    ],
    "chat.stopStream": [
        ("channel", "ChannelId", "Conversation the streamed message is in."),
        ("message", "Message", "The streamed message as it now stands."),
        ("ts", "Ts", "Timestamp of the streamed message."),
    ],
    "conversations.history": [
        ("deleted", "[Ts]", "Timestamps of messages deleted in the requested range."),
        ("deleted_overflow", "boolean", "Set when more messages were deleted than `deleted` lists."),
        ("is_limited", "boolean", "Set when the workspace's plan hides older history."),
        ("latest_updates", "json", "Messages edited since the caller's last read; Slack documents no shape."),
        ("mutation_timestamps", "MutationTimestamps", "When the history last changed."),
        ("next_ts", "integer", "Where a time-ordered read would continue."),
        ("unchanged_messages", "[Ts]", "Timestamps of messages unchanged since the caller's last read."),
        ("unread_count_display", "integer", "Unread messages as the caller's client would show the count."),
        ("users", "json", "People the messages are from; Slack documents no shape."),
        ("warnings", "[string]", "Notes on the request that did not stop it."),
    ],
    "conversations.info": [
        ("app_home", "json", "The app's Home tab, when the conversation is an app's direct message."),
        ("home_view", "View", "The view shown on that Home tab, if any."),
    ],
    "conversations.invite": [
        ("group", "Conversation", "The private channel, under its legacy name."),
    ],
    "conversations.leave": [
        ("not_in_channel", "boolean", "Set when the caller was not a member to begin with."),
    ],
    "conversations.open": [
        ("app_home", "json", "The app's Home tab, when the conversation is an app's direct message."),
        ("home_view", "View", "The view shown on that Home tab, if any."),
    ],
    "conversations.replies": [
        ("latest_updates", "json", "Replies edited since the caller's last read; Slack documents no shape."),
        ("unchanged_messages", "[Ts]", "Timestamps of replies unchanged since the caller's last read."),
    ],
    "conversations.requestSharedInvite.approve": [
        ("confirmation_code", "string", "Code the inviting organization confirms the invitation with."),
        ("url", "string", "Link that accepts the invitation."),
    ],
    "dnd.endSnooze": [
        ("dnd_profile_status", "json", "The caller's notification profile after the change."),
        ("snooze_endtime", "time", "When the snooze would have ended."),
        ("snooze_remaining", "integer", "Seconds of snooze left (none, once ended)."),
    ],
    "dnd.info": [
        ("dnd_profile_status", "json", "The person's notification profile."),
        ("snooze_enabled", "boolean", "Whether notifications are snoozed now."),
        ("snooze_endtime", "time", "When the snooze ends."),
        ("snooze_is_indefinite", "boolean", "Set when the snooze has no end time."),
        ("snooze_remaining", "integer", "Seconds until the snooze ends."),
    ],
    "files.info": [
        ("content_html", "string", "The file's content rendered as HTML, for posts and snippets."),
    ],
    "files.sharedPublicURL": [
        ("comment", "[FileComment]", "Comments on the file."),
        ("paging", "Paging", "Where this page of comments sits."),
    ],
    "oauth.access": [
        ("app_id", "AppId", "App the token belongs to."),
        ("app_user_id", "UserId", "Bot user of the app in the workspace."),
        ("expires_in", "integer", "Seconds until the token expires, for rotating tokens."),
        ("refresh_token", "secret", "Token that gets a fresh access token, for rotating tokens."),
        ("single_channel_id", "ChannelId", "The one channel the install was limited to, if it was."),
        ("team", "Team", "Workspace the token acts in."),
        ("user", "LegacyAccessUser", "Person who authorized, with their token when one was asked for."),
    ],
    "oauth.v2.access": [
        ("user_id", "UserId", "Person the refreshed user token belongs to (user-token refreshes only)."),
    ],
    "oauth.v2.exchange": [
        ("user_id", "UserId", "Person the exchanged legacy user token belonged to."),
    ],
    "openid.connect.token": [
        ("state", "string", "The `state` the sign-in started with, handed back."),
    ],
    "openid.connect.userInfo": [
        ("https://slack.com/team_image_default", "boolean", "Set when the workspace has no icon of its own.",
         {"rust_name": "https_slack_com_team_image_default"}),
    ],
    "pins.list": [
        ("count", "integer", "How many items are pinned."),
    ],
    "reactions.get": [
        ("comment", "FileComment", "The file comment, when the reactions are on one."),
        ("file", "File", "The file, when the reactions are on one."),
    ],
    "search.files": [
        ("callstack", "string", "Debugging trace Slack sometimes adds."),
        ("channels", "json", "Channels the matches are in; Slack documents no shape."),
        ("groups", "json", "Private channels the matches are in; Slack documents no shape."),
        ("ignored_exclude_bots_pref", "boolean", "Set when the search included bots despite the caller's preference."),
        ("ims", "json", "Direct messages the matches are in; Slack documents no shape."),
        ("teams", "json", "Workspaces the matches are in; Slack documents no shape."),
        ("users", "json", "People the matches are from; Slack documents no shape."),
    ],
    "slackLists.access.delete": [
        ("failed_to_update_channel_ids", "[ChannelId]", "Channels whose access could not be changed."),
        ("failed_to_update_user_ids", "[UserId]", "People whose access could not be changed."),
    ],
    "slackLists.access.set": [
        ("failed_to_update_channel_ids", "[ChannelId]", "Channels whose access could not be changed."),
        ("failed_to_update_user_ids", "[UserId]", "People whose access could not be changed."),
    ],
    "slackLists.items.info": [
        ("parent_task", "ListItem", "The item this one is a subtask of, if any."),
    ],
    "team.externalTeams.disconnect": [
        ("job_enqueued", "boolean", "Whether the disconnection was queued to run."),
    ],
    "users.info": [
        ("users", "[User]", "The people asked for, when several were."),
    ],
    "users.profile.set": [
        ("email_pending", "string", "New email address waiting for the person to confirm it."),
    ],
    "workflows.featured.list": [
        ("featured_workflows", "[FeaturedWorkflows]", "Each channel with the workflows featured in it."),
    ],
}

# family file -> {object: (doc, [(field, type, doc, required)])}
OBJECTS = {
    "admin.json": {
        "EkmChannelInfo": ("A channel under Enterprise Key Management and where it was first connected.", [
            ("id", "ChannelId", "The channel.", True),
            ("internal_team_ids", "[TeamId]", "Workspaces of the organization the channel is in.", True),
            ("original_connected_channel_id", "ChannelId", "The channel it was first connected as.", True),
            ("original_connected_host_id", "TeamId", "Workspace that first hosted the connection.", True),
        ]),
    },
    "apps.json": {
        "ManifestWarning": ("A problem in a manifest that does not stop it from being used.", [
            ("code", "string", "Machine-readable kind of warning.", True),
            ("message", "string", "What is wrong, for people.", True),
            ("pointer", "string", "JSON pointer to the manifest key concerned.", False),
        ]),
    },
    "conversations.json": {
        "MutationTimestamps": ("Moments a conversation's history last changed.", [
            ("history_invalid", "Ts", "Last time cached history became stale.", True),
            ("latest", "Ts", "Newest change of any kind.", True),
            ("updated", "Ts", "Last edit or deletion.", True),
        ]),
    },
    "oauth.json": {
        "LegacyAccessUser": ("The person behind a legacy OAuth install.", [
            ("access_token", "secret", "Their user token, when user scopes were asked for.", False),
            ("email", "string", "Their email address.", False),
            ("id", "UserId", "Their user ID.", False),
            ("image_192", "string", "Their picture, 192 pixels square.", False),
            ("image_24", "string", "Their picture, 24 pixels square.", False),
            ("image_32", "string", "Their picture, 32 pixels square.", False),
            ("image_48", "string", "Their picture, 48 pixels square.", False),
            ("image_512", "string", "Their picture, 512 pixels square.", False),
            ("image_72", "string", "Their picture, 72 pixels square.", False),
            ("name", "string", "Their display name.", False),
            ("scope", "string", "Scopes of their token, comma-separated.", False),
            ("token_type", "string", "Kind of their token.", False),
        ]),
    },
    "workflows.json": {
        "FeaturedTrigger": ("A workflow trigger featured in a channel.", [
            ("id", "string", "The trigger's ID.", True),
            ("title", "string", "What the trigger is called in the channel.", True),
        ]),
        "FeaturedWorkflows": ("The workflows featured in one channel.", [
            ("channel_id", "ChannelId", "The channel.", True),
            ("triggers", "[FeaturedTrigger]", "Its featured triggers, in order.", True),
        ]),
    },
}

# Fields real traffic carries that the events and shared objects lacked.
THREAD_FIELDS = [
    ("latest_reply", "Ts", "Timestamp of the newest reply, on a thread's parent."),
    ("pinned_to", "[ChannelId]", "Conversations the message is pinned in."),
    ("replies", "[MessageReply]", "Who replied when, on a thread's parent (older payloads)."),
    ("reply_count", "integer", "How many replies the thread has, on its parent."),
    ("reply_users", "[UserId]", "Some of the people who replied, on a thread's parent."),
    ("reply_users_count", "integer", "How many different people replied, on a thread's parent."),
]
SHARED_FIELDS = {
    ("events.json", "TeamDomainChangeEvent"): [("team_id", "TeamId", "Workspace whose domain changed.")],
    ("events.json", "TeamRenameEvent"): [("team_id", "TeamId", "Workspace that was renamed.")],
    ("types.json", "File"): [
        ("url", "string", "Older name of the file's private link, still sent on some messages."),
        ("url_download", "string", "Older name of the file's private download link."),
    ],
}
# A field whose type was wrong: Slack sends `priority` as a fraction.
RETYPED = {("types.json", "Conversation", "priority"): "number"}


def shared_objects():
    for name in ("events.json", "types.json"):
        path = os.path.join(SPEC, name)
        with open(path) as f:
            d = json.load(f)
        changed = False
        for obj_name, obj in d["objects"].items():
            add = list(SHARED_FIELDS.get((name, obj_name), []))
            if name == "events.json" and obj_name.endswith("MessageEvent"):
                add += THREAD_FIELDS
            have = {f["name"] for f in obj["fields"]}
            for n, t, doc in add:
                if n not in have:
                    obj["fields"].append({"name": n, "type": t, "doc": doc})
                    changed = True
            for f in obj["fields"]:
                t = RETYPED.get((name, obj_name, f["name"]))
                if t and f["type"] != t:
                    f["type"] = t
                    changed = True
            obj["fields"].sort(key=lambda f: f["name"])
        if changed:
            with open(path, "w") as f:
                f.write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
            print("updated", name)


ENVELOPE = {"ok", "error", "warning", "needed", "provided", "response_metadata"}


# JSON fields these add, each with the reason check.py asks for.
JSON_REASONS = {
    "conversations.history:latest_updates": "Slack documents it as an object with no shape.",
    "conversations.history:users": "Slack documents it as an object with no shape.",
    "conversations.replies:latest_updates": "Slack documents it as an object with no shape.",
    "conversations.info:app_home": "Slack documents no shape for the Home tab object.",
    "conversations.open:app_home": "Slack documents no shape for the Home tab object.",
    "dnd.endSnooze:dnd_profile_status": "Slack documents no shape for it.",
    "dnd.info:dnd_profile_status": "Slack documents no shape for it.",
    "search.files:channels": "Slack documents it as an object with no shape.",
    "search.files:groups": "Slack documents it as an object with no shape.",
    "search.files:ims": "Slack documents it as an object with no shape.",
    "search.files:teams": "Slack documents it as an object with no shape.",
    "search.files:users": "Slack documents it as an object with no shape.",
}


def ordered(field):
    """A field's keys in the spec's usual order; `required` only when true."""
    out = {"name": field.pop("name"), "type": field.pop("type")}
    if field.pop("required", False):
        out["required"] = True
    out["doc"] = field.pop("doc")
    out.update(field)
    field.clear()
    return out


def may_be_null(schema):
    """Whether the reference lets the value be `null` (Slack sends `team:
    null` for an organization-wide install): such a field stays optional."""
    if not isinstance(schema, dict):
        return False
    if schema.get("type") == "null" or "null" in (schema.get("type") or []):
        return True
    return any(may_be_null(s) for s in schema.get("anyOf", []) + schema.get("oneOf", []))


def is_secret_name(name):
    return name == "token" or name.endswith("_token") or name.endswith("_secret")


def secrets(fields):
    """Tokens and secrets typed as plain strings become `secret`, so they never
    show in `Debug`. `token_type` and the like are names, not secrets."""
    changed = False
    for f in fields:
        if f["type"] == "string" and is_secret_name(f["name"]):
            f["type"] = "secret"
            changed = True
    return changed


def is_collection(ty):
    return ty.startswith("[") or ty.startswith("{")


def response_samples(method):
    """The method's sample, unless it holds nothing but the envelope (an
    error answer says nothing about the fields). The samples are merged
    supersets whose `ok` is a placeholder, so it is not looked at."""
    p = os.path.join(SAMPLES, method + ".json")
    if not os.path.exists(p):
        return []
    with open(p) as f:
        d = json.load(f)
    return [d] if isinstance(d, dict) and set(d) - ENVELOPE else []


def main():
    paths = sorted(glob.glob(os.path.join(SPEC, "methods", "*.json")))
    for path in paths:
        with open(path) as f:
            family = json.load(f)
        changed = False
        name = os.path.basename(path)
        for obj, (doc, fields) in OBJECTS.get(name, {}).items():
            objects = family.setdefault("objects", {})
            if obj not in objects:
                objects[obj] = {
                    "doc": doc,
                    "fields": [
                        ordered({"name": n, "type": t, "required": r, "doc": d})
                        for n, t, d, r in sorted(fields)
                    ],
                }
                changed = True
        if changed:
            family["objects"] = dict(sorted(family["objects"].items()))
        for obj in family.get("objects", {}).values():
            changed |= secrets(obj.get("fields", []))
        for m in family.get("methods", []):
            changed |= secrets(m["response"]["fields"]) | secrets(m.get("args", []))
            fields = m["response"]["fields"]
            have = {f["name"] for f in fields}
            for entry in FIELDS.get(m["name"], []):
                n, t, d = entry[:3]
                if n in have:
                    continue
                field = {"name": n, "type": t, "doc": d}
                if len(entry) > 3:
                    field.update(entry[3])
                fields.append(field)
                changed = True
            fields.sort(key=lambda f: f["name"])
            ref = os.path.join(METHODS, m["name"] + ".json")
            if not os.path.exists(ref):
                continue
            with open(ref) as f:
                out = json.load(f).get("output") or {}
            samples = response_samples(m["name"])
            for f in fields:
                if f.get("required") or is_collection(f["type"]) or f["name"] in ENVELOPE:
                    continue
                if f["name"] not in (out.get("required") or []):
                    continue
                if may_be_null((out.get("properties") or {}).get(f["name"])):
                    continue
                # The samples are merged supersets: one without the field
                # shows Slack leaves it out sometimes.
                if any(f["name"] not in s for s in samples):
                    continue
                f["required"] = True
                f.update(ordered(dict(f)))
                changed = True
        if changed:
            with open(path, "w") as f:
                f.write(json.dumps(family, indent=2, ensure_ascii=False) + "\n")
            print("updated", os.path.relpath(path, SPEC))


def allowlist():
    path = os.path.join(SPEC, "json_allowlist.json")
    with open(path) as f:
        d = json.load(f)
    before = len(d["fields"])
    d["fields"].update(JSON_REASONS)
    d["fields"] = dict(sorted(d["fields"].items()))
    if len(d["fields"]) != before:
        with open(path, "w") as f:
            f.write(json.dumps(d, indent=2, ensure_ascii=False) + "\n")
        print("updated json_allowlist.json")


if __name__ == "__main__":
    allowlist()
    shared_objects()
    main()
