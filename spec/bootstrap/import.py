#!/usr/bin/env python3
"""Importer: adds the methods, families and events of the reference that the
spec lacks, without rewriting what is already there.

It reuses the bootstrap converter's machinery (convert.py: verbs, scopes,
tiers, argument types, type inference from the java samples, naming rules)
with extra naming rules for the objects of the newer families, then merges:

- a method already in spec/methods/ is left exactly as it is;
- a new method is added to its family file (a new file for a new family);
- an object the spec already defines keeps its fields and their types (hand
  edits such as `secret` types and required flags survive); fields a new
  sample shows that it lacks are added;
- a new object lives in the one family file that uses it, or in types.json
  when several families (or the shared types) reach it;
- every `json` field of an object or response gets an entry in
  json_allowlist.json with the reason it stays untyped.

Descriptions come from our own phrase tables (docs.py, METHOD_DOCS below).
Run from anywhere: python3 spec/bootstrap/import.py  (idempotent)
"""
import glob
import json
import os
import re
import sys
from collections import OrderedDict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import convert as C  # noqa: E402
from docs import words  # noqa: E402
from import_docs import EVENT_OBJECTS, EVENTS, FAMILY_DOCS, METHOD_DOCS, arg_doc2, field_doc2  # noqa: E402

SPEC = C.SPEC
REF = C.REF
PRIMS = C.PRIMS | {"secret"}

# ------------------------------------------------------------- naming rules

# Families whose Rust module / Cargo feature differs from the namespace.
FAMILY_OF_NS = {"slackLists": "slack_lists"}

# (response or parent type, key) -> type name, checked before convert's rules.
MORE_PARENT = {
    ("AdminUsersList", "users"): "AdminUser",
    ("AdminUsersGetExpiration", "user"): "AdminUser",
    ("AdminTeamsList", "teams"): "AdminTeam",
    ("AdminTeamsSettingsInfo", "team"): "Team",
    ("AdminConversationsSearch", "conversations"): "AdminConversation",
    ("AdminConversation", "channel_email_addresses"): "AdminChannelEmailAddress",
    ("AdminConversation", "canvas"): "AdminOwnershipSummary",
    ("AdminConversation", "properties"): "ConversationProperty",
    ("AdminConversation", "lists"): "AdminOwnershipSummary",
    ("AdminOwnershipSummary", "ownership_details"): "AdminOwnershipDetail",
    ("AdminAppsApprovedList", "approved_apps"): "AdminAppGrant",
    ("AdminAppsRestrictedList", "restricted_apps"): "AdminAppGrant",
    ("AdminAppGrant", "app"): "AdminApp",
    ("AdminAppsRequestsList", "app_requests"): "AdminAppRequest",
    ("AdminAppRequest", "app"): "AdminApp",
    ("AdminAppRequest", "user"): "AdminAppRequestUser",
    ("AdminAppRequest", "team"): "AdminAppRequestTeam",
    ("AdminAppRequest", "previous_resolution"): "AdminAppResolution",
    ("AdminAppGrant", "last_resolved_by"): "AdminAppResolver",
    ("AdminAppGrant", "enterprise"): "Enterprise",
    ("AdminApp", "icons"): "Icons",
    ("AdminAppRequest", "scopes"): "AdminAppScope",
    ("AdminAppGrant", "scopes"): "AdminAppScope",
    ("AdminInviteRequestsList", "invite_requests"): "AdminInviteRequest",
    ("AdminInviteRequestsApprovedList", "approved_requests"): "AdminInviteRequestDecision",
    ("AdminInviteRequestsDeniedList", "denied_requests"): "AdminInviteRequestDecision",
    ("AdminInviteRequestDecision", "invite_request"): "AdminInviteRequest",
    ("AdminInviteRequestDecision", "approved_by"): "AdminInviteRequestActor",
    ("AdminInviteRequestDecision", "denied_by"): "AdminInviteRequestActor",
    ("AdminInviteRequestDecision", "invite"): "AdminInvite",
    ("AdminBarriersCreate", "barrier"): "InformationBarrier",
    ("AdminBarriersUpdate", "barrier"): "InformationBarrier",
    ("AdminBarriersList", "barriers"): "InformationBarrier",
    ("InformationBarrier", "primary_usergroup"): "InformationBarrierGroup",
    ("InformationBarrier", "barriered_from_usergroups"): "InformationBarrierGroup",
    ("AdminWorkflowsSearch", "workflows"): "Workflow",
    ("Workflow", "steps"): "WorkflowStep",
    ("Workflow", "icons"): "Icons",
    ("AdminFunctionsList", "functions"): "AdminFunction",
    ("AdminWorkflowsCollaboratorsAdd", "errors"): "AdminWorkflowCollaboratorError",
    ("AdminWorkflowsCollaboratorsRemove", "errors"): "AdminWorkflowCollaboratorError",
    ("AdminConversationsBulkArchive", "not_added"): "AdminBulkNotAdded",
    ("AdminConversationsBulkDelete", "not_added"): "AdminBulkNotAdded",
    ("AdminConversationsBulkMove", "not_added"): "AdminBulkNotAdded",
    ("AdminUsergroupsListChannels", "channels"): "Conversation",
    ("AdminConversationsGetConversationPrefs", "prefs"): "AdminConversationPrefs",
    ("AdminConversationPrefs", "who_can_post"): "AdminConversationPostingRule",
    ("AdminConversationPrefs", "can_thread"): "AdminConversationPostingRule",
    ("AdminConversationPrefs", "can_huddle"): "AdminConversationPostingRule",
    ("AdminConversationPrefs", "enable_at_here"): "AdminConversationPostingRule",
    ("AdminConversationPrefs", "enable_at_channel"): "AdminConversationPostingRule",
    ("AdminConversationPrefs", "membership_limit"): "AdminConversationPostingRule",
    ("AdminRolesListAssignments", "role_assignments"): "AdminRoleAssignment",
    ("AdminRolesAddAssignments", "rejected_users"): "AdminRejectedUser",
    ("AdminUsersSessionList", "active_sessions"): "AdminSession",
    ("AdminSession", "recent"): "AdminSessionClient",
    ("AdminSession", "created"): "AdminSessionClient",
    ("AdminUsersSessionGetSettings", "session_settings"): "AdminSessionSettings",
    ("AdminAppsActivitiesList", "activities"): "AppActivity",
    ("AdminAppsConfigLookup", "configs"): "AdminAppConfig",
    ("AdminAuthPolicyGetEntities", "entities"): "AdminAuthPolicyEntity",
    ("BookmarksAdd", "bookmark"): "Bookmark",
    ("BookmarksEdit", "bookmark"): "Bookmark",
    ("BookmarksList", "bookmarks"): "Bookmark",
    ("CallsAdd", "call"): "Call", ("CallsEnd", "call"): "Call", ("CallsInfo", "call"): "Call",
    ("CallsUpdate", "call"): "Call", ("CallsParticipantsAdd", "call"): "Call",
    ("CallsParticipantsRemove", "call"): "Call",
    ("Call", "users"): "CallParticipant",
    ("RemindersAdd", "reminder"): "Reminder", ("RemindersInfo", "reminder"): "Reminder",
    ("RemindersList", "reminders"): "Reminder",
    ("Reminder", "recurrence"): "ReminderRecurrence",
    ("UsergroupsCreate", "usergroup"): "Subteam", ("UsergroupsDisable", "usergroup"): "Subteam",
    ("UsergroupsEnable", "usergroup"): "Subteam", ("UsergroupsList", "usergroups"): "Subteam",
    ("UsergroupsUpdate", "usergroup"): "Subteam", ("UsergroupsUsersUpdate", "usergroup"): "Subteam",
    ("BotsInfo", "bot"): "BotProfile",
    ("DndInfo", "_"): "DndStatus",
    ("DndTeamInfo", "users"): "DndStatus",
    ("DndTeamInfo", "users_value"): "DndStatus",
    ("EmojiList", "categories"): "EmojiCategory",
    ("SearchFiles", "files"): "SearchFileResults",
    ("SearchAll", "files"): "SearchFileResults",
    ("SearchMessages", "messages"): "SearchMessageResults",
    ("SearchAll", "messages"): "SearchMessageResults",
    ("SearchFileResults", "matches"): "File",
    ("SearchMessageResults", "matches"): "SearchMessageMatch",
    ("SearchFileResults", "pagination"): "SearchPagination",
    ("SearchMessageResults", "pagination"): "SearchPagination",
    ("SearchFileResults", "paging"): "Paging",
    ("SearchMessageResults", "paging"): "Paging",
    ("SearchAll", "posts"): "SearchPostResults",
    ("FilesInfo", "paging"): "Paging", ("FilesList", "paging"): "Paging",
    ("StarsList", "paging"): "Paging", ("TeamAccessLogs", "paging"): "Paging",
    ("TeamIntegrationLogs", "paging"): "Paging",
    ("StarsList", "items"): "Item", ("PinsList", "items"): "Item",
    ("FilesInfo", "comments"): "FileComment",
    ("TeamAccessLogs", "logins"): "TeamLogin",
    ("TeamIntegrationLogs", "logs"): "TeamIntegrationLog",
    ("TeamBillableInfo", "billable_info"): "TeamBillableStatus",
    ("TeamBillableInfo", "billable_info_value"): "TeamBillableStatus",
    ("TeamExternalTeamsList", "organizations"): "ExternalOrganization",
    ("ExternalOrganization", "connected_workspaces"): "ExternalWorkspace",
    ("ExternalOrganization", "canvas"): "AdminOwnershipSummary",
    ("ExternalOrganization", "lists"): "AdminOwnershipSummary",
    ("TeamProfileGet", "profile"): "TeamProfile",
    ("TeamProfile", "sections"): "TeamProfileSection",
    ("AppsManifestCreate", "errors"): "ManifestError",
    ("AppsManifestValidate", "errors"): "ManifestError",
    ("AppsManifestCreate", "credentials"): "AppCredentials",
    ("AppsEventAuthorizationsList", "authorizations"): "EventAuthorization",
    ("AuthTeamsList", "teams"): "Team",
    ("CanvasesSectionsLookup", "sections"): "CanvasSection",
    ("SlackListsItemsCreate", "item"): "ListItem",
    ("SlackListsItemsList", "items"): "ListItem",
    ("SlackListsItemsInfo", "record"): "ListItem",
    ("SlackListsItemsInfo", "subtasks"): "ListItem",
    ("ListItem", "fields"): "ListItemField",
    ("AppsActivitiesList", "activities"): "AppActivity",
}

# Keys whose object values are maps keyed by an ID (user, function, ...).
MORE_MAP = {("DndTeamInfoResponse", "users"), ("TeamBillableInfoResponse", "billable_info"),
            ("AdminConversationsInviteResponse", "failed_user_ids"),
            ("AdminFunctionsPermissionsLookupResponse", "permissions"),
            ("AdminFunctionsPermissionsLookupResponse", "metadata"),
            ("AdminWorkflowsPermissionsLookupResponse", "permissions"),
            ("AdminEmojiListResponse", "emoji"), ("EmojiListResponse", "emoji"),
            ("MigrationExchangeResponse", "user_id_map"),
            ("Workflow", "input_parameters"), ("WorkflowStep", "inputs")}
MORE_PARENT_MAP_VALUES = {
    ("AdminFunctionsPermissionsLookupResponse", "permissions_value"): "AdminFunctionPermission",
    ("AdminFunctionsPermissionsLookupResponse", "metadata_value"): "AdminFunctionMetadata",
    ("AdminWorkflowsPermissionsLookupResponse", "permissions_value"): "AdminWorkflowPermission",
    ("Workflow", "input_parameters_value"): "WorkflowInputParameter",
    ("WorkflowStep", "inputs_value"): "WorkflowStepInput",
}

# Keys kept as raw JSON (besides convert's): Slack documents no fixed shape.
MORE_JSON = {"slack_connect_prefs", "payload", "rich_text", "manifest", "item", "items_json", "filter", "expression_attributes",
             "expression_values", "error_details", "user_auth_blocks", "outputs", "body",
             "list_metadata", "errors_detail", "prefs"}


def obj_name(parent, key):
    stripped = parent[:-8] if parent.endswith("Response") else parent
    for p in (parent, stripped):
        if (p, key) in MORE_PARENT:
            return MORE_PARENT[(p, key)]
        if (p, key) in MORE_PARENT_MAP_VALUES:
            return MORE_PARENT_MAP_VALUES[(p, key)]
    return ORIG_OBJ_NAME(parent, key)


ORIG_OBJ_NAME = C.obj_name
C.obj_name = obj_name
C.MAP_KEYS |= MORE_MAP
for (p, k), v in MORE_PARENT.items():
    if (p + "Response", k) in MORE_MAP:
        C.PARENT_OBJ[(p + "Response", k)] = v
        C.PARENT_OBJ[(p + "Response", k + "_value")] = v
for (p, k), v in MORE_PARENT_MAP_VALUES.items():
    C.PARENT_OBJ[(p, k[:-6])] = v
    C.PARENT_OBJ[(p, k)] = v

ORIG_IS_JSON = C.is_json_key


def is_json_key(parent, key):
    if (parent, key) in {("AdminAppsRequestsList", "item")}:
        return False
    if key == "item" and parent in ("AppsDatastoreGetResponse", "AppsDatastorePutResponse",
                                    "AppsDatastoreUpdateResponse"):
        return True
    if key == "item":
        return False
    if key == "prefs" and parent in ("AdminConversationsGetConversationPrefsResponse",):
        return False
    if key == "errors" and parent == "AdminFunctionsPermissionsLookupResponse":
        return True
    if key == "view":
        return True
    return ORIG_IS_JSON(parent, key) or key in MORE_JSON


C.is_json_key = is_json_key
C.ID_KEYS["UserGroupId"] |= {"usergroup", "primary_usergroup"}
C.PARENT_ID.update({"AdminUser": "UserId", "AdminTeam": "TeamId", "AdminConversation": "ChannelId",
                    "AdminApp": "AppId", "Call": None, "Bookmark": None})

# -------------------------------------------------------------- the methods


def load(path):
    with open(path) as f:
        return json.load(f, object_pairs_hook=OrderedDict)


def tokens_scopes(name, scope):
    """Token kinds and scopes of a current method."""
    if name.startswith("oauth.") or name == "openid.connect.token":
        return ["none"], OrderedDict()
    if name == "tooling.tokens.rotate":
        return ["none"], OrderedDict()
    if isinstance(scope, str) or not scope:
        return ["bot", "user"], OrderedDict()
    sc = OrderedDict()
    for k, v in scope.items():
        # Configuration tokens (xoxe.xoxp-) and seamless user tokens are user
        # tokens as far as the method table is concerned.
        kind = {"configuration": "user", "seamless_user": "user"}.get(k, k)
        if kind not in ("bot", "user"):
            continue
        for s in v:
            if s not in sc.setdefault(kind, []):
                sc[kind].append(s)
    tokens = [k for k in ("bot", "user") if k in sc] or ["bot", "user"]
    return tokens, OrderedDict((k, sc[k]) for k in tokens if k in sc)


READ = {"list", "info", "get", "lookup", "search", "export", "count", "query", "history",
        "validate", "test", "teamInfo", "accessLogs", "billableInfo", "integrationLogs",
        "getFile", "activity", "metadata", "listGroups", "listChannels", "bulkGet", "userInfo",
        "listOriginalConnectedChannelInfo", "context", "getItem"}
IDEMPOTENT = {"remove", "delete", "archive", "unarchive", "enable", "disable", "rename", "approve",
              "deny", "restrict", "uninstall", "revoke", "endDnd", "endSnooze", "complete",
              "clearResolution", "convertToPrivate", "convertToPublic", "invalidate", "reset",
              "resetBulk", "clearSettings", "update", "edit", "put", "bulkPut", "bulkDelete",
              "removeGroup", "addGroup", "removeChannels", "removeTeams", "addChannels",
              "addTeams", "assign", "setAdmin", "setOwner", "setRegular", "unpublish",
              "disconnect", "disconnectShared", "cancel", "updateItem", "removeEntities",
              "assignEntities", "removeAssignments", "removeCustomRetention", "completeSuccess",
              "completeError", "rotate"}
NOT_SAFE = {"canvases.edit", "apps.datastore.update", "admin.users.invite", "chat.postMessage",
            "tooling.tokens.rotate"}


def retry_safe(name):
    last = name.split(".")[-1]
    if name in NOT_SAFE:
        return False
    if last in READ or last.startswith("get") or last.startswith("list"):
        return True
    if last in IDEMPOTENT or last.startswith("set"):
        return True
    if name in {"pins.add", "stars.add", "workflows.featured.add", "bookmarks.remove"}:
        return True
    return False


PAGINATION_ITEMS = {
    "admin.apps.approved.list": "approved_apps", "admin.apps.restricted.list": "restricted_apps",
    "admin.apps.requests.list": "app_requests", "admin.conversations.search": "conversations",
    "admin.emoji.list": None, "team.accessLogs": "logins", "team.billableInfo": None,
    "admin.functions.list": "functions", "admin.users.list": "users",
    "admin.workflows.search": "workflows", "slackLists.items.list": "items",
    "files.remote.list": "files", "auth.teams.list": "teams",
    "team.externalTeams.list": "organizations",
}


def method_entry(name):
    """A new method's spec entry (response fields filled in later)."""
    d = load(os.path.join(REF, "slack-api-ref", "methods", name + ".json"))
    props = d["args"].get("properties", {})
    required = set(d["args"].get("required", []))
    tokens, scopes = tokens_scopes(name, d.get("scope"))
    args = []
    for a in C.conv_args(name, props, required):
        t = better_arg_type(a["name"], props.get(a["name"], {}), a["type"])
        if t != a["type"]:
            a["type"] = t
        a["doc"] = arg_doc2(name, a["name"], a["type"])
        if a["name"] in ("client_secret", "refresh_token", "code", "code_verifier") \
                or (name == "tooling.tokens.rotate" and a["name"] == "refresh_token"):
            a["type"] = "secret"
        args.append(a)
    return OrderedDict([
        ("name", name),
        ("doc", METHOD_DOCS.get(name) or missing_doc(name)),
        ("http", d["http_method"]),
        ("json_body", bool(d.get("json_input_supported")) and d["http_method"] == "POST"),
        ("tokens", tokens),
        ("scopes", scopes),
        ("tier", C.tier_of(d.get("rate_limits"))),
        ("retry_safe", retry_safe(name)),
        ("deprecated", {"replacement": None} if d.get("deprecated") else None),
        ("args", args),
        ("response", {"fields": []}),
        ("errors", sorted((d.get("errors") or {}).keys())),
        ("pagination", None),
    ]), d.get("output")


def schema_to_sample(s):
    """A sample value from a docs output schema, for methods without a java sample."""
    if not isinstance(s, dict):
        return None
    if "anyOf" in s:
        vals = [schema_to_sample(x) for x in s["anyOf"]]
        vals = [v for v in vals if v is not None]
        return vals[0] if vals else None
    t = s.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    if t == "object" and "properties" in s:
        return OrderedDict((k, schema_to_sample(v)) for k, v in s["properties"].items())
    if t == "array":
        x = schema_to_sample(s.get("items", {}))
        return [x] if x is not None else []
    return {"string": "", "integer": 1, "number": 1.5, "boolean": False}.get(t)


ITEM_SCHEMA = {"user_id": "UserId", "user": "UserId", "channel": "ChannelId",
               "channel_id": "ChannelId", "subteam_id": "UserGroupId", "workspace_id": "TeamId",
               "enterprise_id": "EnterpriseId", "app_id": "AppId"}
SCALAR_BY_NAME = {"usergroup": "UserGroupId", "usergroup_id": "UserGroupId",
                  "subteam_id": "UserGroupId", "app_id": "AppId", "bot": "BotId",
                  "enterprise_id": "EnterpriseId", "org_id": "EnterpriseId", "file_id": "FileId",
                  "team": "TeamId", "target_team_id": "TeamId", "primary_usergroup_id": "UserGroupId",
                  "external_user_id": "UserId", "owner_id": "UserId", "creator_id": "UserId"}


def better_arg_type(name, spec, t):
    """Sharper argument types than the bootstrap's for the newer families:
    ID newtypes by name, arrays of IDs or strings instead of raw JSON."""
    if spec.get("type") == "array":
        items = spec.get("items") or {}
        sch = items.get("schema") or items.get("$schema")
        if sch in ITEM_SCHEMA:
            return "[" + ITEM_SCHEMA[sch] + "]"
        if "anyOf" in items and any(x.get("schema") == "channel" for x in items["anyOf"]):
            return "[ChannelId]"
        if sch in ("entity_id", "role_id", "workflow_id", "function_id") or \
                (items.get("type") == "string" and not sch):
            if name.endswith("team_ids"):
                return "[TeamId]"
            if name == "channel_ids":
                return "[ChannelId]"
            if name == "file_ids":
                return "[FileId]"
            return "[string]"
        if items.get("type") == "integer":
            return "[integer]"
        return "json"
    if t == "string" and name in SCALAR_BY_NAME:
        return SCALAR_BY_NAME[name]
    return t


MISSING_DOCS = []


def missing_doc(name):
    MISSING_DOCS.append(name)
    return "TODO."


# ------------------------------------------------------------------ merging


def refs_in(texpr):
    return [r for r in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", texpr) if r not in PRIMS]


def main():
    # The spec as it is.
    types = load(os.path.join(SPEC, "types.json"))
    events = load(os.path.join(SPEC, "events.json"))
    common = set(load(os.path.join(SPEC, "common.json"))["errors"])
    fams = OrderedDict()
    for p in sorted(glob.glob(os.path.join(SPEC, "methods", "*.json"))):
        fams[os.path.basename(p)[:-5]] = load(p)
    have = {m["name"] for f in fams.values() for m in f["methods"]}
    where = {}  # existing type name -> "types" | family
    for n in list(types["objects"]) + list(types["enums"]) + list(types["unions"]):
        where[n] = "types"
    for fam, f in fams.items():
        for sec in ("objects", "enums", "unions"):
            for n in f[sec]:
                where[n] = fam
    for sec in ("objects", "enums", "unions"):
        for n in events[sec]:
            if n not in where and n not in ("Event", "MessageEvent"):
                where[n] = "events"
    moved = set()  # events.json types a family now reaches: they move to types.json

    ref = sorted(os.path.basename(p)[:-5]
                 for p in glob.glob(os.path.join(REF, "slack-api-ref", "methods", "*.json")))
    # methods.json is the reference's index of all methods, not a method.
    new = [n for n in ref if n != "methods" and n not in have]

    entries = []
    for name in new:
        e, output = method_entry(name)
        rn = C.response_name(name)
        p = os.path.join(C.SAMPLES, "api", name + ".json")
        if os.path.exists(p):
            sample = load(p)
        else:
            sample = schema_to_sample(output or {}) or {}
        sample = OrderedDict((k, v) for k, v in sample.items() if k not in C.ENVELOPE)
        C.observe_obj(rn, sample)
        entries.append((e, rn))

    def existing_def(n):
        h = where.get(n)
        if h is None:
            return None
        src = types if h == "types" else events if h == "events" else fams[h]
        for sec in ("objects", "enums", "unions"):
            if n in src[sec]:
                return sec, src[sec][n]
        return None

    def new_field(parent, k, t):
        f = OrderedDict([("name", k), ("type", t), ("doc", field_doc2(parent, k, t))])
        if k in ("self", "super", "crate"):
            f["rust_name"] = k + "_"
        elif not re.match(r"^[a-z_][a-z0-9_]*$", k):
            f["rust_name"] = re.sub(r"(?<!^)(?=[A-Z])", "_", re.sub(r"[^A-Za-z0-9_]+", "_", k)) \
                .strip("_").lower()
        return f

    def observed_fields(name):
        infos = C.TYPES.get(name, {})
        fixed = dict(C.HAND_OBJECTS.get(name, {}))
        out = OrderedDict()
        for k, info in infos.items():
            out[k] = fixed.get(k) or C.type_expr(name, k, info, None)
        return out

    # Responses.
    homes = {}   # type name -> set of families (or "types")

    def reach(t, fam):
        for r in refs_in(t):
            homes.setdefault(r, set()).add(fam)

    for e, rn in entries:
        fam = FAMILY_OF_NS.get(e["name"].split(".")[0], e["name"].split(".")[0])
        fields = [new_field(rn, k, t) for k, t in observed_fields(rn).items()]
        argnames = {a["name"] for a in e["args"]}
        if "cursor" in argnames:
            arrays = [f["name"] for f in fields if f["type"].startswith("[")]
            items = PAGINATION_ITEMS.get(e["name"], arrays[0] if len(arrays) == 1 else None)
            if e["name"] in PAGINATION_ITEMS and PAGINATION_ITEMS[e["name"]] is None:
                items = None
            if items and any(f["name"] == items and f["type"].startswith("[") for f in fields):
                if not any(f["name"] == "response_metadata" for f in fields):
                    fields.append(new_field(rn, "response_metadata", "ResponseMetadata"))
                e["pagination"] = OrderedDict([
                    ("cursor", "cursor"),
                    ("limit", "limit" if "limit" in argnames else
                     ("count" if "count" in argnames else None)),
                    ("items", items)])
            else:
                print("not paginated (no single item list):", e["name"], arrays, file=sys.stderr)
        fields.sort(key=lambda f: f["name"])
        for f in fields:
            if f["name"] == "response_metadata":
                f["type"] = "ResponseMetadata"
        e["response"]["fields"] = fields
        e["errors"] = sorted(set(e["errors"]) - common)
        for a in e["args"]:
            reach(a["type"], fam)
        for f in fields:
            reach(f["type"], fam)
        e["_fam"] = fam

    # Close over the types those responses reach; merge or create them.
    created = OrderedDict()  # new name -> (kind, def)
    merged_fields = []
    done = set()
    changed = True
    while changed:
        changed = False
        for name in sorted(homes):
            if name in PRIMS or name in C.IDS_SET:
                continue
            ex = existing_def(name)
            if ex is not None:
                home = where[name]
                sec, d = ex
                if home == "events":
                    moved.add(name)
                    home = "types"
                elif home != "types" and homes[name] - {home}:
                    print(f"warning: {name} lives in {home} but {sorted(homes[name])} reach it",
                          file=sys.stderr)
                deps = []
                if sec == "objects":
                    known = {f["name"] for f in d["fields"]}
                    if name not in done:
                        for k, t in observed_fields(name).items():
                            if k not in known and k not in C.ENVELOPE:
                                d["fields"].append(new_field(name, k, t))
                                merged_fields.append(f"{name}.{k}")
                        d["fields"].sort(key=lambda f: f["name"])
                        done.add(name)
                    deps = [t for f in d["fields"] for t in refs_in(f["type"])]
                elif sec == "unions":
                    deps = [t for v in d["variants"] for t in refs_in(v["type"])]
                h = {home}
            else:
                if name in C.UNIONS:
                    u = C.UNIONS[name]
                    d = OrderedDict([
                        ("doc", f"`{u['key']}`: sent as an ID or as the whole object."),
                        ("variants", sorted(u["variants"], key=lambda v: v["name"]))])
                    created[name] = ("unions", d)
                    deps = [v["type"] for v in u["variants"]]
                elif name in C.TYPES or name in C.HAND_OBJECTS:
                    fs = [new_field(name, k, t) for k, t in observed_fields(name).items()]
                    for k, t in C.HAND_OBJECTS.get(name, {}).items():
                        if not any(f["name"] == k for f in fs):
                            fs.append(new_field(name, k, t))
                    fs.sort(key=lambda f: f["name"])
                    created[name] = ("objects", OrderedDict([("doc", field_doc2("", "", "", obj=name)),
                                                             ("fields", fs)]))
                    deps = [t for f in fs for t in refs_in(f["type"])]
                else:
                    print("unresolved type", name, file=sys.stderr)
                    continue
                hs = homes[name]
                h = {"types"} if ("types" in hs or len(hs) > 1) else set(hs)
            for dep in deps:
                if dep in PRIMS or dep in C.IDS_SET:
                    continue
                s = homes.setdefault(dep, set())
                if not h <= s:
                    s |= h
                    changed = True

    # events.json types that families now reach become shared.
    for name in sorted(moved):
        for sec in ("objects", "enums", "unions"):
            if name in events[sec]:
                types[sec][name] = events[sec].pop(name)

    # Place new types.
    for name, (sec, d) in created.items():
        hs = homes[name]
        home = "types" if ("types" in hs or len(hs) > 1) else next(iter(hs))
        if home == "types":
            types[sec][name] = d
        else:
            if home not in fams:
                fams[home] = new_family(home)
            fams[home][sec][name] = d

    for (obj, key), t in WIDEN.items():
        for f in types["objects"][obj]["fields"]:
            if f["name"] == key:
                f["type"] = t
    for name, d in WIDEN_UNIONS.items():
        types["unions"].setdefault(name, d)

    # Methods into family files.
    for e, _ in entries:
        for k, v in METHOD_OVERRIDES.get(e["name"], {}).items():
            e[k] = v
        if "rust_name" in e:
            e.move_to_end("rust_name", last=False)
            e.move_to_end("name", last=False)
        fam = e.pop("_fam")
        if fam not in fams:
            fams[fam] = new_family(fam)
        f = fams[fam]
        f["methods"].append(e)

    # Events.
    add_events(events)

    # Sort and write.
    for src in [types, events] + list(fams.values()):
        for sec in ("objects", "enums", "unions"):
            src[sec] = OrderedDict(sorted(src[sec].items()))
    for f in fams.values():
        f["methods"].sort(key=lambda m: m["name"])
    C.dump(os.path.join(SPEC, "types.json"), types)
    C.dump(os.path.join(SPEC, "events.json"), events)
    for fam, f in fams.items():
        C.dump(os.path.join(SPEC, "methods", fam + ".json"), f)
    write_allowlist(types, events, fams)

    print(f"added {len(new)} methods; {len(created)} new types; "
          f"{len(merged_fields)} fields added to existing objects", file=sys.stderr)
    for n in MISSING_DOCS:
        print("no doc for", n, file=sys.stderr)
    for p in C.PROBLEMS:
        print("problem:", p, file=sys.stderr)


# Hand decisions for new methods.
METHOD_OVERRIDES = {
    # `files().upload(..)` is the hand-written two-step upload; Slack retired
    # the one-request method.
    "files.upload": {"rust_name": "upload_legacy",
                     "deprecated": OrderedDict([("replacement", "files.getUploadURLExternal")]),
                     "doc": "Uploads a file in one request (retired by Slack; `files().upload(..)` "
                            "does the two-step upload)."},
}

# Existing fields whose type the new samples contradict: (object, key) -> type.
WIDEN = {
    ("Item", "comment"): "FileCommentRef",   # pins.list sends the comment's ID
    ("File", "thumb_pdf_w"): "integer",      # search.files sends numbers
    ("File", "thumb_pdf_h"): "integer",
}
WIDEN_UNIONS = {
    "FileCommentRef": OrderedDict([
        ("doc", "`comment`: sent as the comment's ID or as the whole object."),
        ("variants", [OrderedDict([("name", "Id"), ("type", "string")]),
                      OrderedDict([("name", "Object"), ("type", "FileComment")])])]),
}

C.IDS_SET = {"ChannelId", "UserId", "TeamId", "BotId", "AppId", "FileId", "EnterpriseId",
             "UserGroupId", "Ts"}


def new_family(fam):
    return OrderedDict([("family", fam), ("doc", FAMILY_DOCS[fam]), ("objects", OrderedDict()),
                        ("enums", OrderedDict()), ("unions", OrderedDict()), ("methods", [])])


def add_events(events):
    objs = events["objects"]
    variants = events["unions"]["Event"]["variants"]
    tags = {v["tag"] for v in variants}
    for name, (doc, fields) in EVENT_OBJECTS.items():
        if name not in objs:
            fs = [OrderedDict([("name", k), ("type", t), ("doc", d)]) for k, t, d in fields]
            objs[name] = OrderedDict([("doc", doc), ("fields", sorted(fs, key=lambda f: f["name"]))])
    for tag, (doc, fields) in EVENTS.items():
        name = C.event_struct(tag)
        if name not in objs:
            fs = []
            for k, t, d in fields:
                fs.append(OrderedDict([("name", k), ("type", t), ("doc", d)]))
            fs.sort(key=lambda f: f["name"])
            objs[name] = OrderedDict([("doc", doc), ("fields", fs)])
        if tag not in tags:
            variants.append(OrderedDict([("tag", tag), ("name", C.upper_camel(tag)), ("type", name)]))
    variants.sort(key=lambda v: (v["tag"] is None, v["tag"] or "", v["name"]))


# ------------------------------------------------------------ json allowlist

def json_reason(owner, key):
    if key.endswith("blocks") or key in ("view", "title_blocks", "user_auth_blocks"):
        return "Block Kit: typed by the Block Kit issue, not here."
    if key in ("prefs",):
        return "Preference map: its keys and value types vary by workspace and version."
    if key in ("event_payload", "metadata", "input", "inputs", "outputs", "function_data",
               "item", "manifest", "state", "event_context"):
        return "App-defined content: its shape is whatever the app or its manifest declares."
    if key in ("canvas", "list", "list_record", "list_records", "list_metadata", "list_limits",
               "external_references", "entity", "resource", "resources", "preview"):
        return "Canvas, List or Work Object content: Slack documents no fixed shape."
    if key in ("errors", "error_details", "errors_detail"):
        return "Per-item error details: the shape differs by error."
    if key in ("unfurls", "block_suggestions", "workflow_step", "locales_enabled"):
        return "Free-form content keyed by the caller's values."
    return "Slack documents no shape for it and the samples show only placeholders."


def is_json_type(t):
    return t in ("json", "[json]", "{json}") or t == "{[json]}"


def write_allowlist(types, events, fams):
    entries = OrderedDict()
    for fname, src in [("types.json", types), ("events.json", events)] + \
            [(f"methods/{k}.json", v) for k, v in fams.items()]:
        for name, o in src["objects"].items():
            for f in o["fields"]:
                if is_json_type(f["type"]):
                    entries[f"{name}.{f['name']}"] = json_reason(name, f["name"])
        for m in src.get("methods", []):
            for f in m["response"]["fields"]:
                if is_json_type(f["type"]):
                    entries[f"{m['name']}:{f['name']}"] = json_reason(m["name"], f["name"])
    C.dump(os.path.join(SPEC, "json_allowlist.json"), OrderedDict([
        ("doc", "Object and response fields left as raw JSON, each with the reason. "
                "`Object.field` for objects, `method:field` for responses. "
                "check.py fails on a json field missing here, or an entry naming no json field."),
        ("fields", OrderedDict(sorted(entries.items())))]))


if __name__ == "__main__":
    main()
