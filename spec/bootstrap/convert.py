#!/usr/bin/env python3
"""One-off converter: builds spec/*.json from ../shared/reference.

Method metadata (verb, JSON support, scopes, tier, args, errors) comes from the
current docs (slack-api-ref), legacy methods from the older docs plus the 2020
OpenAPI file. Object shapes are inferred from the java SDK samples (which are
merged supersets) and the event examples, with fixed naming rules so the same
JSON key maps to the same shared type everywhere. Descriptions are generated
from our own phrase tables, never copied from the reference.

Run from the repository root: python3 spec/bootstrap/convert.py
After bootstrap the spec is maintained by hand; this script is kept for history.
"""
import glob
import json
import os
import re
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(__file__))
from docs import arg_doc, field_doc, method_doc, object_doc, event_doc, subtype_doc  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
REF = os.path.abspath(os.path.join(ROOT, "..", "shared", "reference"))
SPEC = os.path.join(ROOT, "spec")
SAMPLES = os.path.join(REF, "java-slack-sdk-samples")

# Keys never modelled as response fields: the client handles the envelope.
ENVELOPE = {"ok", "error", "warning", "needed", "provided"}

FAMILIES = {
    "chat": "Post, update, schedule, stream and delete messages.",
    "reactions": "Add, remove and list emoji reactions.",
    "conversations": "Channels, private groups, DMs and group DMs: read, create and manage them.",
    "channels": "Retired public-channel methods; use conversations.* instead.",
    "users": "Look up users, their presence and their profiles.",
    "rtm": "Open a Real Time Messaging websocket session.",
    "oauth": "Exchange OAuth codes and refresh tokens for access tokens.",
    "auth": "Check the token in use.",
    "api": "Check that the Web API is reachable.",
    "files": "Upload files in two steps: reserve an upload URL, then complete the upload.",
    "apps": "Open Socket Mode connections for an app.",
}

EXTRA = ["auth.test", "api.test", "files.getUploadURLExternal", "files.completeUploadExternal",
         "apps.connections.open"]
LEGACY_CHANNELS = ["archive", "create", "history", "info", "invite", "join", "kick", "leave", "list",
                   "mark", "rename", "replies", "setPurpose", "setTopic", "unarchive"]


def upper_camel(s):
    parts = re.split(r"[^A-Za-z0-9]+", s)
    out = ""
    for p in parts:
        if not p:
            continue
        out += p[0].upper() + p[1:]
    return out


def singular(k):
    if k.endswith("ies"):
        return k[:-3] + "y"
    if k.endswith("ses"):
        return k[:-2]
    if k.endswith("s") and not k.endswith("ss"):
        return k[:-1]
    return k


# ---------------------------------------------------------------- naming rules

# JSON key -> shared object type name, for object values, everywhere.
GLOBAL_OBJ = {
    "message": "Message", "messages": "Message", "root": "Message", "previous_message": "Message",
    "latest": "Message", "parent_message": "Message",
    "channel": "Conversation", "channels": "Conversation", "group": "Conversation",
    "groups": "Conversation", "ims": "Conversation", "im": "Conversation", "mpims": "Conversation",
    "user": "User", "users": "User", "members": "User",
    "profile": "UserProfile", "user_profile": "UserProfile",
    "reactions": "Reaction",
    "file": "File", "files": "File",
    "attachments": "Attachment",
    "bot_profile": "BotProfile", "bot": "BotProfile", "bots": "BotProfile",
    "icons": "Icons", "icon": "Icons",
    "topic": "Topic", "purpose": "Topic",
    "edited": "Edited",
    "response_metadata": "ResponseMetadata",
    "team": "Team", "enterprise": "Enterprise",
    "item": "Item", "items": "Item",
    "subteam": "Subteam",
    "metadata": "MessageMetadata",
    "room": "Room",
    "shares": "FileShares",
    "dnd_status": "DndStatus",
    "status": None,
    "assistant_app_thread": "AssistantAppThread",
    "pinned_info": "PinnedInfo",
    "authed_user": None,
    "incoming_webhook": "IncomingWebhook",
}

# (parent type, key) -> type name, overriding GLOBAL_OBJ.
PARENT_OBJ = {
    ("Attachment", "fields"): "AttachmentField",
    ("Attachment", "actions"): "AttachmentAction",
    ("TeamProfileChangeEvent", "profile"): "TeamProfile",
    ("TeamProfileDeleteEvent", "profile"): "TeamProfile",
    ("TeamProfileReorderEvent", "profile"): "TeamProfile",
    ("TeamProfile", "fields"): "TeamProfileField",
    ("UserProfile", "fields"): "UserProfileField",
    ("UsersListResponse", "members"): "User",
    ("User", "enterprise_user"): "EnterpriseUser",
    ("Conversation", "latest"): "Message",
    ("RtmStart", "self"): "RtmSelf",
    ("RtmStart", "team"): "Team",
    ("RtmStart", "subteams"): "RtmSubteams",
    ("RtmSubteams", "all"): "Subteam",
    ("RtmSubteams", "self"): "Subteam",
    ("Subteam", "prefs"): "SubteamPrefs",
    ("SubteamPrefs", "groups"): "Conversation",
    ("LinkSharedEvent", "links"): "SharedLink",
    ("FileShares", "public"): "FileShare",
    ("FileCommentAddedEvent", "comment"): "FileComment",
    ("FileCommentEditedEvent", "comment"): "FileComment",
    ("FileCommentDeletedEvent", "comment"): "FileComment",
    ("Item", "comment"): "FileComment",
    ("FileShares", "private"): "FileShare",
}

# Keys whose values stay raw JSON.
JSON_KEYS = {"view", "event_payload", "pending_invitees", "knocks", "last_invite_status_by_user",
             "prefs", "preview", "event_context", "input", "state", "workflow_step", "entity",
             "locales_enabled", "unfurls", "canvas", "title_blocks", "external_references",
             "function_data", "inputs", "outputs", "block_suggestions", "resource", "resources",
             "list", "list_record", "list_records", "list_metadata", "list_limits", "list_csv_download_url"}
# (parent, key) whose values are raw JSON despite a generic key.
JSON_PARENT_KEYS = {("ConversationsKickResponse", "errors"), ("RtmSelf", "prefs"), ("Team", "prefs"), ("SubteamPrefs", "channels")}

# (parent, key) whose object values are maps with arbitrary keys.
MAP_KEYS = {("UserProfile", "fields"), ("FileShares", "public"), ("FileShares", "private"),
            ("TeamProfile", "fields_map")}


def is_json_key(parent, key):
    return key in JSON_KEYS or key.endswith("blocks") or (parent, key) in JSON_PARENT_KEYS


def obj_name(parent, key):
    stripped = parent[:-8] if parent.endswith("Response") else parent
    for p in (parent, stripped):
        if (p, key) in PARENT_OBJ:
            return PARENT_OBJ[(p, key)]
    g = GLOBAL_OBJ.get(key)
    if g:
        return g
    base = parent[:-5] if parent.endswith("Event") and parent != "Event" else parent
    base = base[:-8] if base.endswith("Response") else base
    return base + upper_camel(singular(key))


TS_KEYS = {"ts", "latest_reply", "last_read", "event_ts", "thread_ts", "deleted_ts", "message_ts",
           "cache_ts", "latest", "oldest", "timestamp", "post_at_ts", "canvas_thread_ts",
           "thread_root_ts", "last_set_ts", "edited_ts", "scheduled_message_ts"}
ID_KEYS = {
    "ChannelId": {"channel", "channel_id", "channels", "channel_ids", "group", "groups", "ims", "pinned_to",
                  "mpims", "conversation_id", "original_channel_id"},
    "UserId": {"user", "user_id", "users", "members", "creator", "inviter", "parent_user_id",
               "reply_users", "item_user", "actor_id", "added_users", "removed_users",
               "bot_user_id", "last_set_by", "created_by", "updated_by", "deleted_by", "invited_by",
               "user_ids", "pinned_by", "editor", "inviting_user"},
    "TeamId": {"team", "team_id", "source_team", "user_team", "channel_team", "bot_team_id",
               "context_team_id", "conversation_host_id", "team_ids", "shared_team_ids",
               "internal_team_ids", "connected_team_ids", "teams", "connected_limited_team_ids",
               "pending_connected_team_ids", "recipient_team_id"},
    "BotId": {"bot_id"},
    "AppId": {"app_id", "api_app_id"},
    "FileId": {"file_id", "file_ids", "file", "x_files"},
    "EnterpriseId": {"enterprise_id"},
    "UserGroupId": {"subteam_id", "usergroup_id"},
}
PARENT_ID = {"Conversation": "ChannelId", "User": "UserId", "Team": "TeamId", "BotProfile": "BotId",
             "File": "FileId", "Enterprise": "EnterpriseId", "Subteam": "UserGroupId",
             "AuthTestResponse": None}


def is_ts_key(key):
    return key in TS_KEYS or key.endswith("_ts")


def string_type(parent, key):
    if is_ts_key(key):
        return "Ts"
    if key == "id" and PARENT_ID.get(parent):
        return PARENT_ID[parent]
    for t, keys in ID_KEYS.items():
        if key in keys:
            return t
    return "string"


# ------------------------------------------------------------------ inference

class Info:
    __slots__ = ("kinds", "obj", "elem")

    def __init__(self):
        self.kinds = set()
        self.obj = None
        self.elem = None


TYPES = OrderedDict()  # object name -> OrderedDict(key -> Info)


def observe_obj(name, d):
    fields = TYPES.setdefault(name, OrderedDict())
    if not isinstance(d, dict):
        return
    for k, v in d.items():
        info = fields.setdefault(k, Info())
        observe_val(info, name, k, v)


def observe_val(info, parent, key, v):
    if v is None:
        info.kinds.add("null")
    elif isinstance(v, bool):
        info.kinds.add("bool")
    elif isinstance(v, int):
        info.kinds.add("int")
    elif isinstance(v, float):
        info.kinds.add("float")
    elif isinstance(v, str):
        info.kinds.add("str")
    elif isinstance(v, list):
        if is_json_key(parent, key):
            info.kinds.add("json_list")
            return
        info.kinds.add("array")
        if info.elem is None:
            info.elem = Info()
        for x in v:
            observe_val(info.elem, parent, key, x)
    elif isinstance(v, dict):
        if is_json_key(parent, key):
            info.kinds.add("json")
        elif (parent, key) in MAP_KEYS:
            info.kinds.add("map")
            if info.elem is None:
                info.elem = Info()
            for x in v.values():
                observe_val(info.elem, parent, key + "_value", x)
            if info.elem.obj is None and (parent, key) in PARENT_OBJ:
                info.elem.obj = PARENT_OBJ[(parent, key)]
                TYPES.setdefault(info.elem.obj, OrderedDict())
        else:
            info.kinds.add("obj")
            name = obj_name(parent, key)
            info.obj = name
            observe_obj(name, v)


# Map values are observed under key+"_value"; route them to the map's type.
for (p, k) in list(MAP_KEYS):
    if (p, k) in PARENT_OBJ:
        PARENT_OBJ[(p, k + "_value")] = PARENT_OBJ[(p, k)]

UNIONS = OrderedDict()
REF_NAMES = {"channel": ("ChannelRef", "ChannelId", "Conversation"),
             "user": ("UserRef", "UserId", "User"),
             "team": ("TeamRef", "TeamId", "Team")}
PROBLEMS = []


def type_expr(parent, key, info, hint=None):
    kinds = set(info.kinds) - {"null"}
    if kinds == {"json_list"}:
        return "[json]"
    if "json" in kinds or "json_list" in kinds:
        return "json"
    if "map" in kinds:
        if info.elem and "array" in info.elem.kinds:
            return "{" + type_expr(parent, key, info.elem) + "}"
        if info.elem and info.elem.obj:
            return "{" + info.elem.obj + "}"
        if info.elem and info.elem.kinds - {"null"}:
            return "{" + type_expr(parent, key, info.elem) + "}"
        return "{json}"
    if "obj" in kinds:
        scalars = kinds - {"obj", "array"}
        if scalars:
            if key in REF_NAMES:
                uname, sid, sobj = REF_NAMES[key]
                assert sobj == info.obj, (parent, key, info.obj)
            else:
                uname = info.obj + "Ref"
                sid = string_type(parent, key)
            variants = [{"name": "Id", "type": sid}, {"name": "Object", "type": info.obj}]
            UNIONS[uname] = {"doc": None, "variants": variants, "key": key}
            return uname
        return info.obj
    if "array" in kinds:
        if kinds - {"array"}:
            PROBLEMS.append(f"{parent}.{key}: array mixed with {kinds}")
        if info.elem is None or not (info.elem.kinds - {"null"}):
            return "[" + (hint or default_elem(parent, key)) + "]"
        return "[" + type_expr(parent, key, info.elem) + "]"
    if not kinds:
        return hint or "json"
    if kinds == {"bool"}:
        return "boolean"
    if "bool" in kinds:
        return "json"  # e.g. pref values: any JSON type
    if "float" in kinds:
        return "Ts" if is_ts_key(key) else "number"
    if "int" in kinds:
        if is_ts_key(key):
            return "Ts"
        if "bool" in kinds:
            PROBLEMS.append(f"{parent}.{key}: int and bool")
        return "integer"
    return string_type(parent, key)


def default_elem(parent, key):
    t = string_type(parent, singular(key))
    if t == "string" and key.endswith("_ids"):
        return "string"
    if t != "string":
        return t
    return "string" if key in {"scopes", "names", "emails", "reply_users", "tokens"} else "json"


def fields_of(name, overrides=None, skip=()):
    out = []
    for k, info in TYPES.get(name, {}).items():
        if k in skip:
            continue
        t = (overrides or {}).get(k) or type_expr(name, k, info)
        out.append({"name": k, "type": t, "doc": field_doc(name, k, t)})
    out.sort(key=lambda f: f["name"])
    return out


# ------------------------------------------------------------------- methods

def load(path):
    with open(path) as f:
        return json.load(f, object_pairs_hook=OrderedDict)


OPENAPI = load(os.path.join(REF, "slack-api-specs", "web-api-2020-04.json"))
COMMON = None  # filled later


def tier_of(r):
    return {"t1": "tier1", "t2": "tier2", "t3": "tier3", "t4": "tier4"}.get(r, "special" if r else None)


READ_LAST = {"info", "list", "history", "replies", "members", "get", "getPresence", "identity",
             "lookupByEmail", "getPermalink", "test", "connect", "start", "listConnectInvites",
             "lookup", "conversations"}
IDEMPOTENT_LAST = {"archive", "unarchive", "join", "leave", "mark", "setTopic", "setPurpose",
                   "rename", "setPresence", "setActive", "add", "remove", "close", "open", "kick",
                   "invite", "set", "delete", "deleteScheduledMessage", "deletePhoto", "update",
                   "approve", "deny", "declineSharedInvite", "acceptSharedInvite",
                   "approveSharedInvite"}


def retry_safe(name):
    last = name.split(".")[-1]
    if name in {"apps.connections.open", "users.profile.get", "users.profile.set",
                "chat.scheduledMessages.list", "conversations.requestSharedInvite.list",
                "users.discoverableContacts.lookup", "conversations.externalInvitePermissions.set"}:
        return True
    if name.startswith("oauth.") or name in {"users.setPhoto", "conversations.create",
                                               "conversations.inviteShared", "channels.create",
                                               "conversations.canvases.create",
                                               "conversations.acceptSharedInvite"}:
        return False
    if last in READ_LAST or last in IDEMPOTENT_LAST:
        return True
    return False


CONVERSATION_TYPES_ARGS = {"types"}


def arg_type(method, name, spec, legacy_type=None):
    """Map a docs argument to a spec type expression."""
    t = spec.get("type")
    sub = spec.get("subtype")
    if "anyOf" in spec and any(alt.get("type") == "boolean" for alt in spec["anyOf"]) \
            and name not in ("attachments", "unfurled_attachments"):
        return "boolean"  # e.g. as_user, link_names: documented as boolean or string
    if "anyOf" in spec:
        for alt in spec["anyOf"]:
            if alt.get("type") not in (None, "null", "boolean") or alt.get("subtype"):
                t = alt.get("type")
                sub = alt.get("subtype") or sub
                break
    if legacy_type:
        t = legacy_type
    if name in {"blocks", "attachments", "metadata", "unfurls", "profile", "message", "chunks",
                "files", "unfurled_attachments", "user_auth_blocks", "document_content"}:
        if name == "profile" or name == "message" or name == "metadata" or name == "unfurls" \
                or name == "document_content":
            return "json"
        return "json"
    if name == "types":
        return "[ConversationType]"
    if name == "presence" and method == "users.setPresence":
        return "PresenceChoice"
    if name == "action" and method == "conversations.externalInvitePermissions.set":
        return "InvitePermissionAction"
    if name in {"channel", "channel_id"}:
        return "ChannelId"
    if name == "channels":
        return "[ChannelId]"
    if name in {"user", "user_id", "recipient_user_id"}:
        return "UserId"
    if name == "users" or name == "user_ids":
        return "[UserId]"
    if name in {"team_id", "target_team", "recipient_team_id"}:
        return "TeamId"
    if name in {"ts", "timestamp", "thread_ts", "latest", "oldest", "message_ts",
                "current_draft_last_updated_ts"} or sub == "timestamp":
        return "Ts"
    if name == "file":
        return "FileId"
    if name == "file_ids":
        return "[FileId]"
    if name in {"emails", "invite_ids"}:
        return "[string]"
    if t == "array":
        return "json"
    if t == "boolean":
        return "boolean"
    if t == "integer" or name in {"limit", "count", "page", "post_at", "length"}:
        return "integer"
    if t == "number":
        return "number"
    if name in {"crop_x", "crop_y", "crop_w"}:
        return "integer"
    return "string"


def conv_args(method, props, required, legacy_types=None):
    out = []
    for name, spec in props.items():
        if name == "token":
            continue
        t = arg_type(method, name, spec, (legacy_types or {}).get(name))
        a = OrderedDict([("name", name), ("type", t), ("required", name in required),
                         ("doc", arg_doc(method, name, t))])
        out.append(a)
    out.sort(key=lambda a: a["name"])
    return out


SCOPES_NONE = {
    "auth.test": (["bot", "user", "app"], {}),
    "api.test": (["none", "bot", "user"], {}),
    "rtm.connect": (["bot", "user"], {"bot": ["rtm:stream"], "user": ["rtm:stream"]}),
    "rtm.start": (["bot", "user"], {"bot": ["rtm:stream"], "user": ["rtm:stream"]}),
    "apps.connections.open": (["app"], {"app": ["connections:write"]}),
    "chat.scheduledMessages.list": (["bot", "user"], {"bot": ["chat:write"], "user": ["chat:write"]}),
}


def tokens_scopes(name, scope):
    if name in SCOPES_NONE:
        return SCOPES_NONE[name]
    if name.startswith("oauth."):
        return ["none"], {}
    tokens = [k for k in ("bot", "user") if k in scope] or ["bot", "user"]
    return tokens, OrderedDict((k, list(scope[k])) for k in tokens if k in scope)


def method_from_docs(name):
    d = load(os.path.join(REF, "slack-api-ref", "methods", name + ".json"))
    props = d["args"].get("properties", {})
    required = set(d["args"].get("required", []))
    tokens, scopes = tokens_scopes(name, d.get("scope") or {})
    return {
        "name": name,
        "http": d["http_method"],
        # GET arguments travel in the query string; a JSON body only makes sense for POST.
        "json_body": bool(d.get("json_input_supported")) and d["http_method"] == "POST",
        "tokens": tokens,
        "scopes": scopes,
        "tier": tier_of(d.get("rate_limits")),
        "args": conv_args(name, props, required),
        "errors": sorted((d.get("errors") or {}).keys()),
        "output": d.get("output"),
    }


def method_from_legacy(name):
    d = load(os.path.join(REF, "slack-api-ref", "methods-legacy", name + ".json"))
    op = None
    for verb, o in OPENAPI["paths"].get("/" + name, {}).items():
        op, http = o, verb.upper()
    legacy_types = {}
    scopes = []
    if op:
        for p in op.get("parameters", []):
            if p.get("type"):
                legacy_types[p["name"]] = p["type"]
        for s in op.get("security", []):
            scopes += [x for x in s.get("slackAuth", []) if x != "none"]
    props = OrderedDict((k, {"type": legacy_types.get(k)}) for k in d["args"])
    for k in legacy_types:  # the OpenAPI file knows a few more (e.g. channels.history `count`)
        props.setdefault(k, {"type": legacy_types[k]})
    required = {k for k, v in d["args"].items() if v.get("required")}
    errors = set(d.get("errors", {}).keys())
    if op:
        for code, resp in op.get("responses", {}).items():
            enum = resp.get("schema", {}).get("properties", {}).get("error", {}).get("enum")
            errors |= set(enum or [])
    if name.startswith("oauth."):
        tokens, sc = ["none"], {}
    elif name == "rtm.start":
        tokens, sc = SCOPES_NONE["rtm.start"]
    else:
        tokens, sc = ["bot", "user"], OrderedDict([("bot", scopes), ("user", scopes)])
    repl = (d.get("deprecation") or {}).get("alternative_methods") or []
    return {
        "name": name,
        "http": "POST" if name.startswith("oauth.") else (http if op else "GET"),
        "json_body": False,
        "tokens": tokens,
        "scopes": sc,
        "tier": "tier2" if name.startswith("channels.") else None,
        "args": conv_args(name, props, required, legacy_types),
        "errors": sorted(errors),
        "deprecated": {"replacement": repl[0] if repl else None} if d.get("deprecated") else None,
        "output": None,
    }


CHANNELS_TIERS = {"history": "tier3", "info": "tier3", "replies": "tier3", "list": "tier2",
                  "join": "tier3", "invite": "tier3", "kick": "tier3", "mark": "tier3"}


def schema_to_sample(s):
    """Turn a docs output schema into a sample value, for methods without a java sample."""
    if not isinstance(s, dict):
        return None
    if "anyOf" in s:
        vals = [schema_to_sample(x) for x in s["anyOf"]]
        vals = [v for v in vals if v is not None]
        return vals[0] if vals else None
    t = s.get("type")
    if t == "object" and "properties" in s:
        return OrderedDict((k, schema_to_sample(v)) for k, v in s["properties"].items())
    if t == "array":
        x = schema_to_sample(s.get("items", {}))
        return [x] if x is not None else []
    return {"string": "", "integer": 1, "number": 1.5, "boolean": False}.get(t)


def response_name(method):
    return upper_camel(method.replace(".", "_")) + "Response"


def build():
    all_methods = []
    for fam in ["chat", "reactions", "conversations", "users", "rtm", "oauth"]:
        for f in sorted(glob.glob(os.path.join(REF, "slack-api-ref", "methods", fam + ".*.json"))):
            n = os.path.basename(f)[:-5]
            all_methods.append(method_from_docs(n))
    all_methods += [method_from_docs(n) for n in EXTRA]
    for c in LEGACY_CHANNELS:
        m = method_from_legacy("channels." + c)
        m["tier"] = None  # filled from the conversations.* replacement below
        all_methods.append(m)
    all_methods.append(method_from_legacy("oauth.token"))
    tiers = {m["name"]: m["tier"] for m in all_methods}
    for m in all_methods:
        if m["name"].startswith("channels."):
            # Slack no longer documents these; they shared their successors' limits.
            m["tier"] = tiers.get(m["deprecated"]["replacement"])
    # rtm.start's current docs page exists; keep it (it lists args and errors).
    names = [m["name"] for m in all_methods]
    assert len(names) == len(set(names)), names

    # observe response samples
    for m in all_methods:
        rn = response_name(m["name"])
        p = os.path.join(SAMPLES, "api", m["name"] + ".json")
        if os.path.exists(p):
            d = load(p)
        else:
            d = schema_to_sample(m["output"] or {}) or {}
            print("no sample for", m["name"], "- using docs output schema", file=sys.stderr)
        d = OrderedDict((k, v) for k, v in d.items() if k not in ENVELOPE)
        observe_obj(rn, d)
        m["response_type"] = rn

    events = build_event_observations()
    return all_methods, events


# -------------------------------------------------------------------- events

RTM_TYPES = [l.strip() for l in open(os.path.join(REF, "rtm-event-types.txt")) if l.strip()]
SUBTYPES = [l.strip() for l in open(os.path.join(REF, "message-subtypes.txt")) if l.strip()]


def event_struct(t):
    return upper_camel(t) + "Event"


def subtype_struct(st):
    return upper_camel(st) + ("Event" if "message" in st else "MessageEvent")


COMMON_MSG = OrderedDict([
    ("app_id", "AppId"), ("attachments", "[Attachment]"), ("blocks", "[json]"),
    ("bot_id", "BotId"), ("bot_profile", "BotProfile"), ("channel", "ChannelId"),
    ("channel_type", "string"), ("client_msg_id", "string"), ("edited", "Edited"),
    ("event_ts", "Ts"), ("files", "[File]"), ("hidden", "boolean"), ("icons", "Icons"),
    ("metadata", "MessageMetadata"), ("parent_user_id", "UserId"), ("reactions", "[Reaction]"),
    ("source_team", "TeamId"), ("subtype", "string"), ("team", "TeamId"), ("text", "string"),
    ("thread_ts", "Ts"), ("ts", "Ts"), ("type", "string"), ("user", "UserId"),
    ("user_team", "TeamId"), ("username", "string"),
])

SUBTYPE_FIELDS = {
    "bot_message": {},
    "bot_add": {"bot_link": "string"},
    "bot_remove": {"bot_link": "string"},
    "bot_enable": {"bot_link": "string"},
    "bot_disable": {"bot_link": "string"},
    "me_message": {},
    "message_changed": {"message": "Message", "previous_message": "Message"},
    "message_deleted": {"deleted_ts": "Ts", "previous_message": "Message"},
    "message_replied": {"message": "Message"},
    "thread_broadcast": {"root": "Message"},
    "reply_broadcast": {},
    "channel_join": {"inviter": "UserId"},
    "group_join": {"inviter": "UserId"},
    "channel_leave": {},
    "group_leave": {},
    "channel_topic": {"topic": "string"},
    "group_topic": {"topic": "string"},
    "channel_purpose": {"purpose": "string"},
    "group_purpose": {"purpose": "string"},
    "channel_name": {"name": "string", "old_name": "string"},
    "group_name": {"name": "string", "old_name": "string"},
    "channel_archive": {"members": "[UserId]"},
    "group_archive": {"members": "[UserId]"},
    "channel_unarchive": {},
    "group_unarchive": {},
    "channel_convert_to_private": {},
    "channel_convert_to_public": {},
    "channel_posting_permissions": {},
    "file_share": {"display_as_bot": "boolean", "upload": "boolean"},
    "file_comment": {"comment": "FileComment", "file": "File"},
    "file_mention": {"file": "File"},
    "pinned_item": {"item": "json", "item_type": "string"},
    "unpinned_item": {"item": "json", "item_type": "string"},
    "assistant_app_thread": {"assistant_app_thread": "AssistantAppThread"},
    "document_mention": {},
    "ekm_access_denied": {},
    "reminder_add": {},
    "sh_room_created": {"no_notifications": "boolean", "permalink": "string", "room": "Room"},
    "slackbot_response": {},
}

# Fields for RTM events nobody has a sample or example of, modelled from the name.
EVENT_FALLBACK = {
    "activity": {"event_ts": "Ts"},
    "apps_uninstalled": {"app_id": "AppId", "event_ts": "Ts"},
    "badge_counts_updated": {"event_ts": "Ts"},
    "channel_updated": {"channel": "ChannelId", "event_ts": "Ts"},
    "channel_posting_permissions": {"channel": "ChannelId", "event_ts": "Ts"},
    "desktop_notification": {"avatarImage": "string", "channel": "ChannelId", "content": "string",
                             "event_ts": "Ts", "imageUri": "string", "is_shared": "boolean",
                             "launchUri": "string", "msg": "Ts", "ssbFilename": "string",
                             "subtitle": "string", "title": "string"},
    "file_private": {"file_id": "FileId", "user_id": "UserId", "event_ts": "Ts"},
    "mobile_in_app_notification": {"channel": "ChannelId", "event_ts": "Ts", "ts": "Ts",
                                   "user_id": "UserId", "text": "string"},
    "mpim_close": {"channel": "ChannelId", "user": "UserId", "event_ts": "Ts"},
    "mpim_history_changed": {"latest": "Ts", "ts": "Ts", "event_ts": "Ts"},
    "mpim_joined": {"channel": "Conversation", "event_ts": "Ts"},
    "mpim_open": {"channel": "ChannelId", "user": "UserId", "event_ts": "Ts"},
    "pong": {"reply_to": "integer", "time": "integer"},
    "presence_query": {"ids": "[UserId]"},
    "presence_sub": {"ids": "[UserId]"},
    "sh_room_join": {"channel": "ChannelId", "room": "Room", "user": "UserId", "event_ts": "Ts"},
    "sh_room_leave": {"channel": "ChannelId", "room": "Room", "user": "UserId", "event_ts": "Ts"},
    "sh_room_update": {"channel": "ChannelId", "room": "Room", "user": "UserId", "event_ts": "Ts"},
    "user_connection": {"user": "UserId", "event_ts": "Ts"},
    "user_huddle_changed": {"user": "User", "cache_ts": "integer", "event_ts": "Ts"},
    "user_profile_changed": {"user": "User", "cache_ts": "integer", "event_ts": "Ts"},
    "user_status_changed": {"user": "User", "cache_ts": "integer", "event_ts": "Ts"},
    "shared_channel_invite_received": {"event_ts": "Ts"},
    "reconnect_url": {"url": "string"},
    "hello": {"region": "string", "start": "boolean", "host_id": "string"},
    "goodbye": {"source": "string"},
}

EVENT_TYPES_SEEN = OrderedDict()   # event type -> struct name
SUBTYPES_SEEN = OrderedDict()      # subtype -> struct name
EVENT_FIXED = {}                   # struct -> {key: type} from hand tables


def observe_event(d, origin):
    t = d.get("type")
    if not isinstance(t, str) or not t:
        return
    if t == "message":
        st = d.get("subtype") or ""
        if st:
            name = subtype_struct(st)
            SUBTYPES_SEEN[st] = name
        else:
            name = "PlainMessageEvent"
        observe_obj(name, d)
        return
    name = event_struct(t)
    EVENT_TYPES_SEEN[t] = name
    observe_obj(name, d)


def build_event_observations():
    for f in sorted(glob.glob(os.path.join(SAMPLES, "rtm", "*.json"))):
        observe_event(load(f), f)
    for f in sorted(glob.glob(os.path.join(SAMPLES, "events", "*.json"))):
        d = load(f)
        if isinstance(d.get("event"), dict):
            observe_event(d["event"], f)
    for f in sorted(glob.glob(os.path.join(REF, "slack-api-ref", "events", "*.json"))):
        d = load(f)
        ex = d.get("example")
        if isinstance(ex, dict) and ex.get("type") and "APIs" in d:
            observe_event(ex, f)
    for t in RTM_TYPES:
        if t == "message":
            continue
        name = event_struct(t)
        EVENT_TYPES_SEEN.setdefault(t, name)
        TYPES.setdefault(name, OrderedDict())
        fixed = dict(EVENT_FALLBACK.get(t, {}))
        fixed.setdefault("type", "string")
        EVENT_FIXED[name] = fixed
    for st in SUBTYPES:
        name = subtype_struct(st)
        SUBTYPES_SEEN.setdefault(st, name)
        TYPES.setdefault(name, OrderedDict())
        fx = dict(COMMON_MSG)
        fx.update(SUBTYPE_FIELDS.get(st, {}))
        EVENT_FIXED[name] = fx
    TYPES.setdefault("PlainMessageEvent", OrderedDict())
    EVENT_FIXED["PlainMessageEvent"] = dict(COMMON_MSG)
    for name in list(EVENT_TYPES_SEEN.values()):
        EVENT_FIXED.setdefault(name, {}).setdefault("type", "string")


# ------------------------------------------------------------- hand objects

HAND_OBJECTS = {
    "ResponseMetadata": {"next_cursor": "string", "messages": "[string]", "warnings": "[string]",
                         "scopes": "[string]", "acceptedScopes": "[string]"},
    "Reply": {"ok": "boolean", "reply_to": "integer", "ts": "Ts", "text": "string",
              "error": "RtmError"},
    "RtmError": {"code": "integer", "msg": "string"},
    "Topic": {"value": "string", "creator": "UserId", "last_set": "integer"},
    "Edited": {"user": "UserId", "ts": "Ts"},
    "Reaction": {"name": "string", "count": "integer", "users": "[UserId]"},
    # rtm.start's merged sample lists a reaction as "": a placeholder, not a real shape.
    "Message": {"reactions": "[Reaction]"},
    "FileComment": {"timestamp": "integer"},
}
REQUIRED = {("ChatPostMessageResponse", "channel"), ("ChatPostMessageResponse", "ts"),
            ("Reaction", "name")}


def make_object(name):
    fixed = dict(HAND_OBJECTS.get(name, {}))
    fixed.update(EVENT_FIXED.get(name, {}))
    infos = TYPES.get(name, {})
    out = {}
    for k, info in infos.items():
        t = fixed.get(k) or type_expr(name, k, info, None)
        out[k] = t
    for k, t in fixed.items():
        out.setdefault(k, t)
    fields = []
    for k in sorted(out):
        f = OrderedDict([("name", k), ("type", out[k])])
        if (name, k) in REQUIRED:
            f["required"] = True
        f["doc"] = field_doc(name, k, out[k])
        if k in ("self", "super", "crate"):  # cannot be raw identifiers in Rust
            f["rust_name"] = k + "_"
        elif not re.match(r"^[a-z_][a-z0-9_]*$", k):
            f["rust_name"] = re.sub(r"(?<!^)(?=[A-Z])", "_", k).lower().replace("-", "_")
        fields.append(f)
    doc = object_doc(name)
    for st, sn in SUBTYPES_SEEN.items():
        if sn == name:
            doc = subtype_doc(st)
    return OrderedDict([("doc", doc), ("fields", fields)])


def refs_in(texpr):
    return re.findall(r"[A-Za-z_][A-Za-z0-9_]*", texpr)


PRIMS = {"string", "integer", "number", "boolean", "json", "ChannelId", "UserId", "TeamId", "BotId",
         "AppId", "FileId", "EnterpriseId", "UserGroupId", "Ts"}

FORCED_SHARED = {"Message", "Conversation", "User", "UserProfile", "Reaction", "File", "Attachment",
                 "AttachmentField", "BotProfile", "Team", "Icons", "Topic", "Edited",
                 "ResponseMetadata", "Enterprise", "ChannelRef", "UserRef", "TeamRef", "Item",
                 "ConversationType", "FileComment", "Room", "MessageMetadata"}

ENUMS = {
    "ConversationType": ("Kinds of conversation.", ["im", "mpim", "private_channel", "public_channel"]),
    "PresenceChoice": ("Presence a user can set by hand.", ["auto", "away"]),
    "InvitePermissionAction": ("Change to an external member's invite permission.", ["downgrade", "upgrade"]),
}


def dump(path, obj):
    with open(path, "w") as f:
        json.dump(obj, f, indent=2, ensure_ascii=False)
        f.write("\n")


def main():
    methods, _ = build()
    common = set(load(os.path.join(SPEC, "bootstrap", "common_errors.json")))

    # method entries
    fam_methods = {}
    for m in methods:
        fam = m["name"].split(".")[0]
        fields = []
        for f in make_object(m["response_type"])["fields"]:
            if f["name"] in ENVELOPE:
                continue
            fields.append(f)
        last = m["name"].split(".")[-1]
        entry = OrderedDict([
            ("name", m["name"]),
            ("doc", method_doc(m["name"])),
            ("http", m["http"]),
            ("json_body", m["json_body"]),
            ("tokens", m["tokens"]),
            ("scopes", m["scopes"]),
            ("tier", m["tier"]),
            ("retry_safe", retry_safe(m["name"])),
            ("deprecated", m.get("deprecated")),
            ("args", m["args"]),
            ("response", {"fields": fields}),
            ("errors", sorted(set(m["errors"]) - common)),
            ("pagination", None),
        ])
        argnames = {a["name"] for a in m["args"]}
        if "cursor" in argnames:
            arrays = [f["name"] for f in fields if f["type"].startswith("[")
                      and f["name"] not in ("response_metadata",)]
            items = PAGINATION_ITEMS.get(m["name"]) or (arrays[0] if len(arrays) == 1 else None)
            if items is None:
                PROBLEMS.append(f"pagination items unknown for {m['name']}: {arrays}")
            if not any(f["name"] == "response_metadata" for f in fields):
                fields.append(OrderedDict([("name", "response_metadata"), ("type", "ResponseMetadata"),
                                           ("doc", field_doc("", "response_metadata", ""))]))
                fields.sort(key=lambda f: f["name"])
            entry["pagination"] = OrderedDict([("cursor", "cursor"),
                                               ("limit", "limit" if "limit" in argnames else
                                                ("count" if "count" in argnames else None)),
                                               ("items", items)])
        fam_methods.setdefault(fam, []).append(entry)
        TYPES.pop(m["response_type"], None) if False else None

    # events union
    event_variants = []
    for t, name in sorted(EVENT_TYPES_SEEN.items()):
        event_variants.append(OrderedDict([("tag", t), ("name", upper_camel(t)), ("type", name)]))
    event_variants.append(OrderedDict([("tag", "message"), ("name", "Message"), ("type", "MessageEvent")]))
    event_variants.append(OrderedDict([("tag", None), ("name", "Reply"), ("type", "Reply")]))
    event_variants.sort(key=lambda v: (v["tag"] is None, v["tag"] or "", v["name"]))
    msg_variants = [OrderedDict([("tag", st), ("name", upper_camel(st)), ("type", n)])
                    for st, n in sorted(SUBTYPES_SEEN.items())]
    msg_variants.append(OrderedDict([("tag", None), ("name", "Plain"), ("type", "PlainMessageEvent")]))
    msg_variants.sort(key=lambda v: (v["tag"] is None, v["tag"] or "", v["name"]))
    event_unions = OrderedDict([
        ("Event", OrderedDict([("doc", "Any event pushed over RTM or the Events API, by `type`."),
                               ("tag", "type"), ("missing", "Reply"), ("variants", event_variants)])),
        ("MessageEvent", OrderedDict([("doc", "A `message` event, by `subtype`."), ("tag", "subtype"),
                                      ("missing", "Plain"), ("variants", msg_variants)])),
    ])

    # build all objects reachable, then place them
    objects = {}
    pending = []
    roots = {}  # name -> set(homes)
    for fam, ms in fam_methods.items():
        for e in ms:
            for a in e["args"]:
                for r in refs_in(a["type"]):
                    roots.setdefault(r, set()).add(fam)
            for f in e["response"]["fields"]:
                for r in refs_in(f["type"]):
                    roots.setdefault(r, set()).add(fam)
    for u in event_unions.values():
        for v in u["variants"]:
            roots.setdefault(v["type"], set()).add("events")
    homes = {k: set(v) for k, v in roots.items()}
    changed = True
    while changed:
        changed = False
        for name in list(homes):
            if name in PRIMS or name in event_unions:
                continue
            if name in ENUMS:
                continue
            if name not in objects:
                if name in UNIONS or name in TYPES or name in HAND_OBJECTS or name in EVENT_FIXED:
                    if name in TYPES or name in HAND_OBJECTS or name in EVENT_FIXED:
                        objects[name] = make_object(name)
                else:
                    PROBLEMS.append("unresolved type " + name)
                    objects[name] = None
                    continue
            h = homes[name]
            home = "types" if (name in FORCED_SHARED or len(h) > 1 or "types" in h) else next(iter(h))
            deps = []
            if name in UNIONS:
                deps = [v["type"] for v in UNIONS[name]["variants"]]
            elif objects.get(name):
                for f in objects[name]["fields"]:
                    deps += refs_in(f["type"])
            for dname in deps:
                if dname in PRIMS:
                    continue
                s = homes.setdefault(dname, set())
                if home not in s:
                    s.add(home)
                    changed = True
    # ensure unions created during make_object are included
    place = {}
    for name, h in homes.items():
        if name in PRIMS or name in event_unions:
            continue
        place[name] = "types" if (name in FORCED_SHARED or len(h) > 1 or "types" in h) else next(iter(h))

    def section(home):
        objs, enums, unions = OrderedDict(), OrderedDict(), OrderedDict()
        for name in sorted(place):
            if place[name] != home:
                continue
            if name in ENUMS:
                doc, vals = ENUMS[name]
                enums[name] = OrderedDict([("doc", doc), ("values", sorted(vals))])
            elif name in UNIONS:
                u = UNIONS[name]
                unions[name] = OrderedDict([
                    ("doc", f"`{u['key']}`: sent as an ID or as the whole object."),
                    ("variants", sorted(u["variants"], key=lambda v: v["name"]))])
            elif objects.get(name):
                objs[name] = objects[name]
        return objs, enums, unions

    dump(os.path.join(SPEC, "common.json"), {"errors": sorted(common)})
    objs, enums, unions = section("types")
    dump(os.path.join(SPEC, "types.json"),
         OrderedDict([("objects", objs), ("enums", enums), ("unions", unions)]))
    objs, enums, unions = section("events")
    unions.update(event_unions)
    unions = OrderedDict(sorted(unions.items()))
    dump(os.path.join(SPEC, "events.json"),
         OrderedDict([("objects", objs), ("enums", enums), ("unions", unions)]))
    os.makedirs(os.path.join(SPEC, "methods"), exist_ok=True)
    for fam, ms in sorted(fam_methods.items()):
        objs, enums, unions = section(fam)
        ms.sort(key=lambda e: e["name"])
        dump(os.path.join(SPEC, "methods", fam + ".json"), OrderedDict([
            ("family", fam), ("doc", FAMILIES[fam]), ("objects", objs), ("enums", enums),
            ("unions", unions), ("methods", ms)]))
    for p in PROBLEMS:
        print("problem:", p, file=sys.stderr)


PAGINATION_ITEMS = {
    "conversations.list": "channels", "conversations.history": "messages",
    "conversations.replies": "messages", "conversations.members": "members",
    "conversations.listConnectInvites": "invites",
    "conversations.requestSharedInvite.list": "invite_requests",
    "users.list": "members", "users.conversations": "channels", "reactions.list": "items",
    "chat.scheduledMessages.list": "scheduled_messages", "channels.list": "channels",
}

if __name__ == "__main__":
    main()
