#!/usr/bin/env python3
"""Checks spec/ for consistency and against the reference samples.

- every type expression parses and resolves (types.json is visible everywhere;
  a family file's or events.json's own types only there);
- lists are sorted, files are 2-space JSON with a trailing newline;
- every java response sample of a method in the spec, and every RTM sample
  (plus the Events API samples' inner events), walks through its spec type with
  no unknown field and no shape mismatch.

Run from anywhere: python3 spec/bootstrap/check.py  (exit 1 on any problem)
"""
import glob
import json
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SPEC = os.path.dirname(HERE)
REF = os.path.abspath(os.path.join(SPEC, "..", "..", "shared", "reference"))
SAMPLES = os.path.join(REF, "java-slack-sdk-samples")

PRIMS = {"string", "secret", "integer", "number", "boolean", "json"}
IDS = {"ChannelId", "UserId", "TeamId", "BotId", "AppId", "FileId", "EnterpriseId", "UserGroupId"}
ENVELOPE = {"ok", "error", "warning", "needed", "provided"}
# Placeholder artifacts of the merged java samples that no real payload has:
# rtm.start's `latest` messages list a reaction as the string "".
KNOWN_ARTIFACTS = {("Message", "reactions", "")}

problems = []


def load_text(path):
    with open(path) as f:
        text = f.read()
    d = json.loads(text)
    if json.dumps(d, indent=2, ensure_ascii=False) + "\n" != text:
        problems.append(f"{path}: not 2-space indented JSON with a trailing newline")
    return d


files = {}
for p in [os.path.join(SPEC, n) for n in ("common.json", "types.json", "events.json")] + \
        sorted(glob.glob(os.path.join(SPEC, "methods", "*.json"))):
    files[os.path.relpath(p, SPEC)] = load_text(p)

SHARED = {}
for sec in ("objects", "enums", "unions"):
    for k, v in files["types.json"][sec].items():
        SHARED[k] = (sec, v)


def scope_of(fname):
    s = dict(SHARED)
    if fname != "types.json" and fname != "common.json":
        for sec in ("objects", "enums", "unions"):
            for k, v in files[fname].get(sec, {}).items():
                if k in SHARED:
                    problems.append(f"{fname}: {k} shadows a types.json name")
                s[k] = (sec, v)
    return s


def parse(expr):
    """Return ('prim', name) | ('list', inner) | ('map', inner) | ('name', n)."""
    if expr.startswith("[") and expr.endswith("]"):
        return ("list", parse(expr[1:-1]))
    if expr.startswith("{") and expr.endswith("}"):
        return ("map", parse(expr[1:-1]))
    if expr in PRIMS or expr in IDS or expr == "Ts":
        return ("prim", expr)
    if re.fullmatch(r"[A-Z][A-Za-z0-9]*", expr):
        return ("name", expr)
    raise ValueError(expr)


def check_expr(expr, scope, where):
    try:
        t = parse(expr)
    except ValueError:
        problems.append(f"{where}: bad type expression {expr!r}")
        return
    while t[0] in ("list", "map"):
        t = t[1]
    if t[0] == "name" and t[1] not in scope:
        problems.append(f"{where}: unresolved type {t[1]}")


def sorted_check(lst, key, where):
    names = [key(x) for x in lst]
    if names != sorted(names):
        problems.append(f"{where}: not sorted")
    if len(set(names)) != len(names):
        problems.append(f"{where}: duplicates")


def check_file(fname, d):
    scope = scope_of(fname)
    if fname == "common.json":
        sorted_check(d["errors"], lambda x: x, "common.json errors")
        return
    for sec in ("objects", "enums", "unions"):
        sorted_check(list(d.get(sec, {}).keys()), lambda x: x, f"{fname} {sec}")
    for name, o in d.get("objects", {}).items():
        if not o.get("doc"):
            problems.append(f"{fname} {name}: no doc")
        sorted_check(o["fields"], lambda f: f["name"], f"{fname} {name} fields")
        for f in o["fields"]:
            check_expr(f["type"], scope, f"{fname} {name}.{f['name']}")
            if not f.get("doc"):
                problems.append(f"{fname} {name}.{f['name']}: no doc")
    for name, e in d.get("enums", {}).items():
        sorted_check(e["values"], lambda x: x, f"{fname} enum {name}")
    for name, u in d.get("unions", {}).items():
        if "tag" in u:
            sorted_check([v for v in u["variants"] if v["tag"] is not None], lambda v: v["tag"],
                         f"{fname} union {name}")
            if u.get("missing") and not any(v["tag"] is None and v["name"] == u["missing"]
                                            for v in u["variants"]):
                problems.append(f"{fname} union {name}: missing variant not defined")
        else:
            sorted_check(u["variants"], lambda v: v["name"], f"{fname} union {name}")
            shapes = [shape_of_type(v["type"], scope) for v in u["variants"]]
            if len(set(shapes)) != len(shapes):
                problems.append(f"{fname} union {name}: variants share a JSON shape {shapes}")
        for v in u["variants"]:
            check_expr(v["type"], scope, f"{fname} union {name}.{v['name']}")
    if "methods" in d:
        sorted_check(d["methods"], lambda m: m["name"], f"{fname} methods")
        for m in d["methods"]:
            w = f"{fname} {m['name']}"
            sorted_check(m["args"], lambda a: a["name"], w + " args")
            sorted_check(m["response"]["fields"], lambda f: f["name"], w + " response")
            sorted_check(m["errors"], lambda x: x, w + " errors")
            for a in m["args"]:
                check_expr(a["type"], scope, f"{w} arg {a['name']}")
                if a["name"] == "token" and a["type"] != "secret":
                    problems.append(w + ": token listed as an arg")
            for f in m["response"]["fields"]:
                check_expr(f["type"], scope, f"{w} response.{f['name']}")
            if m["tier"] not in ("tier1", "tier2", "tier3", "tier4", "special", None):
                problems.append(w + ": bad tier")
            p = m["pagination"]
            if p:
                names = {a["name"] for a in m["args"]}
                fields = m["response"]["fields"]

                def path_type(path):
                    """The type at the end of a dotted response path, or None."""
                    fs, ty = fields, None
                    for i, part in enumerate(path.split(".")):
                        f = next((f for f in fs if f["name"] == part), None)
                        if f is None:
                            return None
                        ty = f["type"]
                        if i < path.count("."):
                            t = parse(ty)
                            if t[0] != "name" or scope.get(t[1], (None,))[0] != "objects":
                                return None
                            fs = scope[t[1]][1]["fields"]
                    return ty

                if not (path_type(p["items"]) or "").startswith("["):
                    problems.append(w + ": pagination items is not an array field")
                if "cursor" in p and "page" not in p:
                    if set(p) - {"cursor", "limit", "items"}:
                        problems.append(w + ": cursor pagination takes cursor, limit, items")
                    if p["cursor"] not in names or (p.get("limit") and p["limit"] not in names):
                        problems.append(w + ": pagination arg missing")
                    if path_type("response_metadata") != "ResponseMetadata":
                        problems.append(w + ": paginated but no response_metadata field")
                elif "page" in p and "cursor" not in p:
                    if set(p) - {"page", "count", "items", "paging"}:
                        problems.append(w + ": page pagination takes page, count, paging, items")
                    if p["page"] not in names or (p.get("count") and p["count"] not in names):
                        problems.append(w + ": pagination arg missing")
                    paging = path_type(p.get("paging", ""))
                    t = parse(paging) if paging else None
                    if not t or t[0] != "name" or scope.get(t[1], (None,))[0] != "objects" or not {
                            "page", "pages"} <= {f["name"] for f in scope[t[1]][1]["fields"]}:
                        problems.append(w + ": paging is not an object with page and pages")
                else:
                    problems.append(w + ": pagination needs exactly one of cursor and page")
            common = set(files["common.json"]["errors"])
            if common & set(m["errors"]):
                problems.append(w + ": lists common errors " + str(sorted(common & set(m["errors"]))))


def shape_of_type(expr, scope):
    t = parse(expr)
    if t[0] == "list":
        return "array"
    if t[0] == "map":
        return "object"
    if t[0] == "prim":
        return {"string": "string", "secret": "string", "integer": "number", "number": "number", "boolean": "boolean",
                "json": "any"}.get(t[1], "string")
    sec, v = scope[t[1]]
    if sec == "enums":
        return "string"
    return "object"


# ----------------------------------------------------------------- samples

unknown = []
mismatch = []
fallback = []


def kind(v):
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, (int, float)):
        return "number"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    return "object"


def walk(v, expr, scope, path, parent=None, key=None):
    if v is None:
        return
    t = parse(expr)
    k = kind(v)
    if t[0] == "list":
        if k != "array":
            mismatch.append(f"{path}: {k} for {expr}")
            return
        inner = expr[1:-1]
        for i, x in enumerate(v):
            if isinstance(x, str) and (parent, key, x) in KNOWN_ARTIFACTS:
                continue
            walk(x, inner, scope, f"{path}[{i}]", parent, key)
        return
    if t[0] == "map":
        if k == "array" and not v:
            return  # tolerated: `[]` for an empty map decodes to None
        if k != "object":
            mismatch.append(f"{path}: {k} for {expr}")
            return
        for kk, x in v.items():
            walk(x, expr[1:-1], scope, f"{path}.{kk}")
        return
    if t[0] == "prim":
        p = t[1]
        ok = {
            "string": k == "string",
            "secret": k == "string",
            "integer": (k == "number" and float(v).is_integer()) or
                       (k == "string" and re.fullmatch(r"-?\d*", v) is not None),
            "number": k == "number" or (k == "string" and re.fullmatch(r"-?[\d.]*", v) is not None),
            "boolean": k == "boolean",
            "json": True,
            "Ts": k in ("string", "number"),
        }.get(p, k == "string")
        if not ok:
            mismatch.append(f"{path}: {k} {json.dumps(v)[:30]} for {expr}")
        return
    name = t[1]
    sec, d = scope[name]
    if sec == "enums":
        if k != "string":
            mismatch.append(f"{path}: {k} for enum {name}")
        return
    if sec == "objects":
        if k != "object":
            mismatch.append(f"{path}: {k} for object {name}")
            return
        fields = {f["name"]: f["type"] for f in d["fields"]}
        for kk, x in v.items():
            if kk not in fields:
                unknown.append(f"{path}.{kk} (in {name})")
                continue
            walk(x, fields[kk], scope, f"{path}.{kk}", name, kk)
        return
    # unions
    if "tag" in d:
        if k != "object":
            mismatch.append(f"{path}: {k} for union {name}")
            return
        tag = v.get(d["tag"])
        chosen = None
        if tag in (None, "") and d.get("missing"):
            chosen = next(x for x in d["variants"] if x["tag"] is None)
        else:
            chosen = next((x for x in d["variants"] if x["tag"] == tag), None)
        if chosen is None:
            fallback.append(f"{path}: {d['tag']}={tag!r} -> Unknown")
            return
        walk(v, chosen["type"], scope, path, parent, key)
        return
    for var in d["variants"]:
        s = shape_of_type(var["type"], scope)
        if s == k or s == "any":
            walk(v, var["type"], scope, path, parent, key)
            return
    mismatch.append(f"{path}: {k} fits no variant of {name}")


def check_samples():
    methods = {}
    for fname, d in files.items():
        for m in d.get("methods", []):
            methods[m["name"]] = (m, scope_of(fname))
    n_api = n_rtm = n_ev = 0
    for p in sorted(glob.glob(os.path.join(SAMPLES, "api", "*.json"))):
        name = os.path.basename(p)[:-5]
        if name not in methods:
            continue
        m, scope = methods[name]
        with open(p) as f:
            d = json.load(f)
        fields = {f["name"]: f["type"] for f in m["response"]["fields"]}
        for k, v in d.items():
            if k in ENVELOPE:
                continue
            if k not in fields:
                unknown.append(f"api/{name}: .{k} (response)")
                continue
            walk(v, fields[k], scope, f"api/{name}:.{k}", None, k)
        n_api += 1
    escope = scope_of("events.json")
    for p in sorted(glob.glob(os.path.join(SAMPLES, "rtm", "*.json"))):
        with open(p) as f:
            d = json.load(f)
        walk(d, "Event", escope, "rtm/" + os.path.basename(p) + ":")
        n_rtm += 1
    for p in sorted(glob.glob(os.path.join(SAMPLES, "events", "*.json"))):
        with open(p) as f:
            d = json.load(f)
        if isinstance(d.get("event"), dict):
            walk(d["event"], "Event", escope, "events/" + os.path.basename(p) + ":.event")
            n_ev += 1
    return n_api, n_rtm, n_ev, len(methods)


for fname, d in files.items():
    check_file(fname, d)


def check_allowlist():
    """Every json field of an object or response is on json_allowlist.json with
    a reason, and every entry names a json field."""
    path = os.path.join(SPEC, "json_allowlist.json")
    allow = load_text(path)["fields"]
    sorted_check(list(allow), lambda x: x, "json_allowlist.json fields")
    seen = set()
    for fname, d in files.items():
        for name, o in d.get("objects", {}).items():
            for f in o["fields"]:
                if re.fullmatch(r"[\[{]*json[\]}]*", f["type"]):
                    seen.add(f"{name}.{f['name']}")
        for m in d.get("methods", []):
            for f in m["response"]["fields"]:
                if re.fullmatch(r"[\[{]*json[\]}]*", f["type"]):
                    seen.add(f"{m['name']}:{f['name']}")
    for k in sorted(seen - set(allow)):
        problems.append(f"json_allowlist.json: json field {k} is not listed")
    for k in sorted(set(allow) - seen):
        problems.append(f"json_allowlist.json: {k} is not a json field")
    for k, why in allow.items():
        if not why.strip():
            problems.append(f"json_allowlist.json: {k} has no reason")
    return len(allow)


n_json = check_allowlist()
print(f"json fields on the allowlist: {n_json}")
if os.path.isdir(SAMPLES):
    n_api, n_rtm, n_ev, n_methods = check_samples()
    print(f"methods in spec: {n_methods}; samples walked: api {n_api}, rtm {n_rtm}, events {n_ev}")
else:
    print("reference samples not found; skipped sample checks")

for label, items in (("problem", problems), ("unknown field", unknown), ("shape mismatch", mismatch),
                     ("unknown-variant fallback", fallback)):
    for x in items[:60]:
        print(f"{label}: {x}")
    print(f"{label}s: {len(items)}")
sys.exit(1 if (problems or unknown or mismatch or fallback) else 0)
