//! Files in the simulated workspace: Slack's three-step upload.
//!
//! `files.getUploadURLExternal` reserves a file ID and hands out an upload URL
//! on this fake's own HTTP server (`/upload/v1/{id}`); a POST there stores the
//! bytes (raw body or a multipart form); `files.completeUploadExternal` turns
//! uploaded bytes into a file and, given channels, shares it in a
//! `file_share` message. Shared files can be downloaded from their
//! `url_private` with a token. `files.info`, `files.list` (paged by
//! `page`/`count`) and `files.delete` see the files the caller can: their
//! own and those shared where they can read.
//!
//! The upload endpoint is journaled as method [`UPLOAD_METHOD`] and answers
//! to faults set for that name.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use wiremock::Request;

use crate::request;

use super::args::{Args, numbered_page};
use super::{Caller, Res, Workspace, fail};

/// The method name the byte upload (POST to an upload URL) has in the
/// journal and for [`FakeSlack::fault`](crate::FakeSlack::fault).
pub const UPLOAD_METHOD: &str = "upload";

pub(crate) const UPLOAD_PREFIX: &str = "/upload/v1/";
pub(crate) const DOWNLOAD_PREFIX: &str = "/files-pri/";

/// A reserved upload, before completion.
#[derive(Debug, Clone)]
struct Pending {
    filename: String,
    alt_txt: Option<String>,
    snippet_type: Option<String>,
    owner: String,
    bytes: Option<Vec<u8>>,
}

/// A completed file.
#[derive(Debug, Clone)]
struct Stored {
    json: Value,
    bytes: Vec<u8>,
}

/// Reserved uploads and completed files of the workspace.
#[derive(Debug, Default)]
pub(crate) struct FileStore {
    pending: BTreeMap<String, Pending>,
    files: BTreeMap<String, Stored>,
}

impl FileStore {
    /// Every completed file, as `files.info` shows it, by ID.
    pub(crate) fn all(&self) -> impl Iterator<Item = &Value> {
        self.files.values().map(|f| &f.json)
    }

    /// The bytes uploaded for a file, completed or not.
    pub(crate) fn uploaded(&self, id: &str) -> Option<Vec<u8>> {
        match self.files.get(id) {
            Some(f) => Some(f.bytes.clone()),
            None => self.pending.get(id)?.bytes.clone(),
        }
    }

    /// A completed file's bytes and MIME type, for its `url_private`.
    pub(crate) fn download(&self, id: &str) -> Option<(Vec<u8>, String)> {
        let f = self.files.get(id)?;
        let mime = f.json["mimetype"]
            .as_str()
            .unwrap_or("application/octet-stream");
        Some((f.bytes.clone(), mime.to_string()))
    }

    /// Stores the bytes for a reserved upload; `Err` with HTTP status and text.
    fn receive(&mut self, id: &str, bytes: Vec<u8>) -> Result<usize, (u16, String)> {
        let p = self
            .pending
            .get_mut(id)
            .ok_or_else(|| (404, format!("no upload reserved for {id}")))?;
        let n = bytes.len();
        p.bytes = Some(bytes);
        Ok(n)
    }
}

/// `files.getUploadURLExternal`.
pub(crate) fn get_upload_url(
    ws: &mut Workspace,
    caller: &Caller,
    args: &BTreeMap<String, String>,
    http_url: &str,
) -> Result<Value, String> {
    let filename = args
        .get("filename")
        .filter(|f| !f.trim().is_empty())
        .ok_or("invalid_arguments")?;
    // Slack wants at least one byte; the declared size is not checked
    // against what arrives.
    args.get("length")
        .and_then(|l| l.parse::<u64>().ok())
        .filter(|l| *l >= 1)
        .ok_or("invalid_arguments")?;
    let alt_txt = args.get("alt_txt").cloned();
    if alt_txt.as_ref().is_some_and(|a| a.chars().count() > 1000) {
        return Err("alt_txt_too_large".into());
    }
    let id = ws.new_id('F');
    ws.files.pending.insert(
        id.clone(),
        Pending {
            filename: filename.clone(),
            alt_txt,
            snippet_type: args.get("snippet_type").cloned(),
            owner: caller.user.clone(),
            bytes: None,
        },
    );
    Ok(json!({
        "upload_url": format!("{http_url}{UPLOAD_PREFIX}{id}"),
        "file_id": id,
    }))
}

/// `files.completeUploadExternal`.
pub(crate) fn complete(
    ws: &mut Workspace,
    caller: &Caller,
    args: &BTreeMap<String, String>,
    http_url: &str,
    events: &mut Vec<Value>,
) -> Result<Value, String> {
    let entries: Vec<Value> = args
        .get("files")
        .and_then(|f| serde_json::from_str(f).ok())
        .filter(|v: &Vec<Value>| !v.is_empty())
        .ok_or("invalid_arguments")?;
    let mut wanted = Vec::new();
    for e in &entries {
        let id = e
            .get("id")
            .and_then(Value::as_str)
            .ok_or("invalid_arguments")?;
        let title = e.get("title").and_then(Value::as_str).map(str::to_string);
        let p = ws.files.pending.get(id).ok_or("file_not_found")?;
        if p.owner != caller.user {
            return Err("access_denied".into());
        }
        // The bytes never arrived: Slack cannot find the upload.
        if p.bytes.is_none() {
            return Err("file_not_found".into());
        }
        wanted.push((id.to_string(), title));
    }

    let mut channels: Vec<String> = args
        .get("channel_id")
        .filter(|c| !c.is_empty())
        .cloned()
        .into_iter()
        .collect();
    if let Some(list) = args.get("channels") {
        for c in list.split(',').map(str::trim).filter(|c| !c.is_empty()) {
            if !channels.iter().any(|x| x == c) {
                channels.push(c.to_string());
            }
        }
    }
    if channels.len() > 100 {
        return Err("channels_limit_exceeded".into());
    }
    let thread_ts = args.get("thread_ts").filter(|t| !t.is_empty());
    // Check every channel before anything changes, so a failure leaves no trace.
    let mut targets = Vec::new();
    for c in &channels {
        targets.push(ws.file_target(caller, c)?);
    }
    if let Some(ts) = thread_ts {
        match targets.as_slice() {
            [one] if ws.find_msg(one, ts).is_some() => {}
            [_] => return Err("thread_not_found".into()),
            _ => return Err("invalid_arguments".into()),
        }
    }

    let created = ws.clock.stamp();
    let mut files = Vec::new();
    for (id, title) in wanted {
        let Some(p) = ws.files.pending.remove(&id) else {
            return Err("file_not_found".into());
        };
        let bytes = p.bytes.clone().unwrap_or_default();
        let file = file_json(
            &id,
            &p,
            title,
            bytes.len(),
            created,
            &targets,
            (http_url, &ws.team.id),
        );
        ws.files.files.insert(
            id,
            Stored {
                json: file.clone(),
                bytes,
            },
        );
        files.push(file);
    }
    let text = args.get("initial_comment").map_or("", String::as_str);
    for channel in &targets {
        let extra = [
            ("files", Value::Array(files.clone())),
            ("upload", json!(true)),
        ];
        let thread = thread_ts.map(String::as_str);
        let (_, evs) =
            ws.store_message(caller, channel, text, thread, &extra, Some("file_share"))?;
        events.extend(evs);
    }
    Ok(json!({ "files": files }))
}

impl Workspace {
    /// A conversation the caller may share a file in: its ID, or Slack's error.
    fn file_target(&mut self, caller: &Caller, channel: &str) -> Result<String, String> {
        let idx = self.target(caller, channel)?;
        self.writable(caller, idx)?;
        Ok(self.channels[idx].id.clone())
    }

    /// Whether the caller may see a file: theirs, or shared in a
    /// conversation they can see.
    pub(super) fn file_visible(&self, caller: &Caller, file: &Value) -> bool {
        file["user"] == caller.user.as_str()
            || file["channels"].as_array().is_some_and(|cs| {
                cs.iter().any(|id| {
                    self.channels
                        .iter()
                        .any(|c| c.id == *id && self.visible(caller, c))
                })
            })
    }

    /// The stored file the `file` argument names, if the caller may see it.
    fn file_arg(&self, caller: &Caller, a: &Args<'_>) -> Result<&Stored, String> {
        let id = a.get("file").unwrap_or("");
        self.files
            .files
            .get(id)
            .filter(|f| self.file_visible(caller, &f.json))
            .ok_or_else(|| "file_not_found".to_string())
    }

    /// `files.info`: the file (a snippet with its `content`), no comments.
    pub(crate) fn files_info(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let f = self.file_arg(caller, a)?;
        let mut body = json!({
            "file": f.json,
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        });
        if f.json["mode"] == "snippet" {
            body["content"] = json!(String::from_utf8_lossy(&f.bytes));
            body["is_truncated"] = json!(false);
        }
        Ok(body)
    }

    /// `files.list`: the files the caller can see, newest first, filtered
    /// by `channel`, `user`, `ts_from`, `ts_to` and `types`, paged by
    /// `page`/`count` (default 100).
    pub(crate) fn files_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let user = a.get("user").filter(|u| !u.is_empty());
        if user.is_some_and(|u| self.user(u).is_none()) {
            return fail("user_not_found");
        }
        let channel = a.get("channel").filter(|c| !c.is_empty());
        let time = |k: &str| {
            a.get(k)
                .filter(|t| !t.is_empty())
                .and_then(|t| t.split('.').next()?.parse::<u64>().ok())
        };
        let (from, to) = (time("ts_from"), time("ts_to"));
        let mut kinds = a.list("types");
        kinds.retain(|t| t != "all");
        if kinds.iter().any(|t| !FILE_TYPES.contains(&t.as_str())) {
            return fail("unknown_type");
        }
        let mut files: Vec<&Value> = self
            .files
            .all()
            .filter(|f| self.file_visible(caller, f))
            .filter(|f| user.is_none_or(|u| f["user"] == u))
            .filter(|f| {
                channel.is_none_or(|c| {
                    f["channels"]
                        .as_array()
                        .is_some_and(|cs| cs.iter().any(|x| x == c))
                })
            })
            .filter(|f| {
                let created = f["created"].as_u64().unwrap_or(0);
                from.is_none_or(|t| created >= t) && to.is_none_or(|t| created <= t)
            })
            .filter(|f| kinds.is_empty() || kinds.iter().any(|k| is_of_type(f, k)))
            .collect();
        // Newest first; IDs grow, so they order files made in the same second.
        files.sort_by(|x, y| {
            let key = |f: &Value| (f["created"].as_u64(), f["id"].as_str().map(str::to_owned));
            key(y).cmp(&key(x))
        });
        let (page, paging) = numbered_page(files, a, 100, 1000, self.page_size)?;
        Ok(json!({"files": page, "paging": paging}))
    }

    /// `files.delete`: by its owner or an admin; `file_deleted` team-wide.
    pub(crate) fn files_delete(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let f = self.file_arg(caller, a)?;
        let admin = self.user(&caller.user).is_some_and(|u| u.is_admin);
        if f.json["user"] != caller.user.as_str() && !admin {
            return fail("cant_delete_file");
        }
        let id = a.get("file").unwrap_or("").to_string();
        self.files.files.remove(&id);
        events.push(json!({"type": "file_deleted", "file_id": id, "event_ts": self.clock.stamp().to_string()}));
        Ok(json!({}))
    }
}

/// The `types` of `files.list`, besides `all`.
const FILE_TYPES: &[&str] = &["spaces", "snippets", "images", "gdocs", "zips", "pdfs"];

/// Whether a file is of one of `files.list`'s `types`.
fn is_of_type(f: &Value, kind: &str) -> bool {
    let filetype = f["filetype"].as_str().unwrap_or("");
    match kind {
        "snippets" => f["mode"] == "snippet",
        "images" => f["mimetype"]
            .as_str()
            .is_some_and(|m| m.starts_with("image/")),
        "spaces" => filetype == "space" || filetype == "post",
        "gdocs" => filetype.starts_with("gdoc") || filetype.starts_with("gsheet"),
        "zips" => filetype == "zip",
        "pdfs" => filetype == "pdf",
        _ => false,
    }
}

fn file_json(
    id: &str,
    p: &Pending,
    title: Option<String>,
    size: usize,
    created: u64,
    channels: &[String],
    (http_url, team): (&str, &str),
) -> Value {
    let name = &p.filename;
    let (filetype, mimetype) = match &p.snippet_type {
        Some(t) => (t.clone(), "text/plain".to_string()),
        None => guess_type(name),
    };
    let url_name = url::form_urlencoded::byte_serialize(name.as_bytes()).collect::<String>();
    let url_private = format!("{http_url}{DOWNLOAD_PREFIX}{team}-{id}/{url_name}");
    let mut m = Map::new();
    m.insert("id".into(), json!(id));
    m.insert("created".into(), json!(created));
    m.insert("timestamp".into(), json!(created));
    m.insert("name".into(), json!(name));
    m.insert("title".into(), json!(title.unwrap_or_else(|| name.clone())));
    m.insert("mimetype".into(), json!(mimetype));
    m.insert("filetype".into(), json!(filetype));
    m.insert("user".into(), json!(p.owner));
    m.insert("user_team".into(), json!(team));
    m.insert("editable".into(), json!(p.snippet_type.is_some()));
    m.insert("size".into(), json!(size));
    m.insert(
        "mode".into(),
        json!(if p.snippet_type.is_some() {
            "snippet"
        } else {
            "hosted"
        }),
    );
    m.insert("is_external".into(), json!(false));
    m.insert("external_type".into(), json!(""));
    m.insert("is_public".into(), json!(false));
    m.insert("public_url_shared".into(), json!(false));
    m.insert("url_private".into(), json!(url_private));
    m.insert(
        "url_private_download".into(),
        json!(format!("{url_private}?download=1")),
    );
    m.insert(
        "permalink".into(),
        json!(format!(
            "https://fake-team.slack.com/files/{}/{id}/{url_name}",
            p.owner
        )),
    );
    m.insert("channels".into(), json!(channels));
    m.insert("comments_count".into(), json!(0));
    if let Some(a) = &p.alt_txt {
        m.insert("alt_txt".into(), json!(a));
    }
    Value::Object(m)
}

/// File type and MIME type from the file name's extension.
fn guess_type(name: &str) -> (String, String) {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let mime = match ext.as_str() {
        "txt" | "log" | "md" | "rs" | "py" | "go" | "sh" => "text/plain",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "xml" => "application/xml",
        "pdf" => "application/pdf",
        "zip" => "application/zip",
        "gz" => "application/gzip",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "webp" => "image/webp",
        "mp4" => "video/mp4",
        "mp3" => "audio/mpeg",
        _ => "application/octet-stream",
    };
    let filetype = match ext.as_str() {
        "" => "binary".to_string(),
        "txt" => "text".to_string(),
        "jpeg" => "jpg".to_string(),
        _ if mime == "application/octet-stream" => "binary".to_string(),
        e => e.to_string(),
    };
    (filetype, mime.to_string())
}

/// Stores the bytes POSTed to an upload URL; the status and text Slack answers.
pub(crate) fn store(ws: &mut Workspace, req: &Request) -> (u16, String) {
    if req.method != wiremock::http::Method::POST {
        return (405, "use POST".into());
    }
    let id = req.url.path().strip_prefix(UPLOAD_PREFIX).unwrap_or("");
    let content_type = request::content_type(req);
    let bytes = if content_type
        .to_ascii_lowercase()
        .starts_with("multipart/form-data")
    {
        match multipart_file(content_type, &req.body) {
            Some(b) => b,
            None => return (400, "malformed multipart body".into()),
        }
    } else {
        req.body.clone()
    };
    match ws.files.receive(id, bytes) {
        // What Slack's upload endpoint answers.
        Ok(n) => (200, format!("OK - {n}")),
        Err((status, text)) => (status, text),
    }
}

/// The content of the `file` part of a multipart form (else the first part).
fn multipart_file(content_type: &str, body: &[u8]) -> Option<Vec<u8>> {
    let boundary = content_type
        .split(';')
        .map(str::trim)
        .find_map(|p| p.strip_prefix("boundary="))?
        .trim_matches('"');
    let delim = format!("--{boundary}").into_bytes();
    let mut parts = Vec::new();
    let mut rest = body;
    while let Some(start) = find(rest, &delim) {
        rest = &rest[start + delim.len()..];
        if rest.starts_with(b"--") {
            break;
        }
        let end = find(rest, &delim).unwrap_or(rest.len());
        parts.push(&rest[..end]);
    }
    let parsed: Vec<(String, &[u8])> = parts
        .into_iter()
        .filter_map(|p| {
            let p = p.strip_prefix(b"\r\n").unwrap_or(p);
            let split = find(p, b"\r\n\r\n")?;
            let head = String::from_utf8_lossy(&p[..split]).to_ascii_lowercase();
            let content = &p[split + 4..];
            let content = content.strip_suffix(b"\r\n").unwrap_or(content);
            Some((head, content))
        })
        .collect();
    parsed
        .iter()
        .find(|(h, _)| h.contains("name=\"file\""))
        .or(parsed.first())
        .map(|(_, c)| c.to_vec())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}
