//! The simulated workspace: a small, deterministic Slack team that answers
//! the Web API methods bots use most, keeping state across calls.

use std::collections::BTreeMap;

use base64::Engine as _;
use serde_json::{Map, Value, json};

use crate::request::TokenKind;

pub(crate) mod app_posts;
// Kept beside the other top-level fakes, but a child of this module so it
// can reach the workspace's internals.
#[path = "files.rs"]
pub(crate) mod files;

/// Team ID of the simulated workspace.
pub const TEAM_ID: &str = "T0001";
/// Team name of the simulated workspace.
pub const TEAM_NAME: &str = "Fake Team";
/// The bot user every `xoxb-` token acts as.
pub const BOT_USER: &str = "U_BOT";
/// The bot ID of [`BOT_USER`].
pub const BOT_ID: &str = "B_BOT";
/// The user a `xoxp-` token acts as, unless the token names another seeded user.
pub const DEFAULT_USER: &str = "U_ALICE";

const DOMAIN: &str = "fake-team";
/// The fake app's ID: in envelopes, messages the bot posts, bot info and
/// OAuth answers alike.
pub const APP_ID: &str = "A_BOT";
const EPOCH: u64 = 1_700_000_000;

/// Methods the simulator answers.
pub(crate) const SIMULATED: &[&str] = &[
    "api.test",
    "auth.test",
    "chat.postMessage",
    "chat.meMessage",
    "chat.update",
    "chat.delete",
    "chat.postEphemeral",
    "chat.getPermalink",
    "reactions.add",
    "reactions.remove",
    "reactions.get",
    "reactions.list",
    "conversations.create",
    "conversations.archive",
    "conversations.unarchive",
    "conversations.join",
    "conversations.leave",
    "conversations.invite",
    "conversations.kick",
    "conversations.info",
    "conversations.list",
    "conversations.history",
    "conversations.replies",
    "conversations.members",
    "conversations.rename",
    "conversations.setTopic",
    "conversations.setPurpose",
    "conversations.open",
    "conversations.mark",
    "users.info",
    "users.list",
    "users.lookupByEmail",
    "users.profile.get",
    "users.getPresence",
    "users.setPresence",
    "rtm.connect",
    "rtm.start",
    "files.getUploadURLExternal",
    "files.completeUploadExternal",
];

/// Who is calling: the user the token acts as.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) user: String,
    pub(crate) kind: TokenKind,
}

/// What a simulated call produced: the response body and events to push over RTM.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) body: Value,
    pub(crate) events: Vec<Value>,
}

type Res = Result<Value, String>;

fn fail<T>(code: &str) -> Result<T, String> {
    Err(code.to_string())
}

#[derive(Debug, Clone)]
struct User {
    id: String,
    name: String,
    real_name: String,
    email: String,
    is_admin: bool,
    is_bot: bool,
    presence: String,
}

#[derive(Debug, Clone)]
struct Channel {
    id: String,
    name: String,
    is_private: bool,
    is_im: bool,
    is_mpim: bool,
    is_general: bool,
    is_archived: bool,
    created: u64,
    creator: String,
    members: Vec<String>,
    topic: (String, String, u64),
    purpose: (String, String, u64),
    /// For an IM, the other user.
    im_user: Option<String>,
    last_read: String,
}

/// The workspace state.
#[derive(Debug)]
pub(crate) struct Workspace {
    users: Vec<User>,
    channels: Vec<Channel>,
    /// Messages per channel, in `ts` order (replies included).
    messages: BTreeMap<String, Vec<Map<String, Value>>>,
    clock: u64,
    next_id: u64,
    epoch: u64,
    /// RTM tickets handed out by `rtm.connect`/`rtm.start`, and whom they act as.
    pub(crate) tickets: BTreeMap<String, String>,
    /// How many resets came before this workspace: tickets carry it after
    /// the first, so one handed out before a reset never names a new one.
    pub(crate) generation: u64,
    /// Reserved uploads and completed files.
    pub(crate) files: files::FileStore,
    /// The most items a page holds, whatever `limit` asks ([`Shape::page_size`]).
    page_size: Option<usize>,
}

/// How a test shapes the seeded workspace, from the builder: users,
/// channels, members and messages added to it, and the server-side page size.
#[derive(Debug, Clone, Default)]
pub(crate) struct Shape {
    /// `(id, name)` of each user added.
    pub(crate) users: Vec<(String, String)>,
    /// `(id, name, private)` of each channel added.
    pub(crate) channels: Vec<(String, String, bool)>,
    /// `(channel, users)`: users added to a channel's members.
    pub(crate) members: Vec<(String, Vec<String>)>,
    /// `(user, channel, text)` of each message posted, in order.
    pub(crate) messages: Vec<(String, String, String)>,
    pub(crate) page_size: Option<usize>,
}

fn user(id: &str, name: &str, real: &str, admin: bool, bot: bool) -> User {
    User {
        id: id.into(),
        name: name.into(),
        real_name: real.into(),
        email: if bot {
            String::new()
        } else {
            format!("{name}@example.com")
        },
        is_admin: admin,
        is_bot: bot,
        presence: "active".into(),
    }
}

fn parse_ts(ts: &str) -> Option<(u64, u64)> {
    let (s, us) = ts.split_once('.').unwrap_or((ts, "0"));
    Some((s.parse().ok()?, us.parse().ok()?))
}

fn str_of<'a>(m: &'a Map<String, Value>, k: &str) -> Option<&'a str> {
    m.get(k).and_then(Value::as_str)
}

impl Workspace {
    /// The seeded workspace. `seed` shifts the clock so two seeds give different timestamps.
    pub(crate) fn seeded(seed: u64) -> Workspace {
        let users = vec![
            user("U_ALICE", "alice", "Alice Archer", true, false),
            user("U_BOB", "bob", "Bob Baker", false, false),
            user("U_CAROL", "carol", "Carol Chen", false, false),
            user("U_DAVE", "dave", "Dave Diaz", false, false),
            user("U_ERIN", "erin", "Erin Evans", false, false),
            user("U_FRANK", "frank", "Frank Fischer", false, false),
            user(BOT_USER, "fakebot", "Fake Bot", false, true),
        ];
        let everyone: Vec<String> = users.iter().map(|u| u.id.clone()).collect();
        let epoch = EPOCH + seed * 1_000_000;
        let chan = |id: &str, name: &str, members: Vec<String>| Channel {
            id: id.into(),
            name: name.into(),
            is_private: false,
            is_im: false,
            is_mpim: false,
            is_general: false,
            is_archived: false,
            created: epoch - 86_400,
            creator: "U_ALICE".into(),
            members,
            topic: (String::new(), String::new(), 0),
            purpose: (String::new(), String::new(), 0),
            im_user: None,
            last_read: "0000000000.000000".into(),
        };
        let some = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let mut general = chan("C_GENERAL", "general", everyone.clone());
        general.is_general = true;
        general.purpose = (
            "Company-wide announcements".into(),
            "U_ALICE".into(),
            epoch - 86_400,
        );
        let random = chan("C_RANDOM", "random", everyone);
        let dev = chan("C_DEV", "dev", some(&["U_ALICE", "U_BOB", BOT_USER]));
        let mut private = chan("C_PRIVATE", "secret-plans", some(&["U_ALICE", "U_CAROL"]));
        private.is_private = true;
        let mut old = chan("C_ARCHIVED", "old-project", some(&["U_ALICE", BOT_USER]));
        old.is_archived = true;
        Workspace {
            users,
            channels: vec![general, random, dev, private, old],
            messages: BTreeMap::new(),
            clock: 0,
            next_id: 0,
            epoch,
            tickets: BTreeMap::new(),
            generation: 0,
            files: files::FileStore::default(),
            page_size: None,
        }
    }

    /// The seeded workspace shaped by `shape`, or what in it cannot be: a
    /// user or channel that exists already, members of a channel or users
    /// the workspace lacks, a message its author cannot post.
    pub(crate) fn shaped(seed: u64, shape: &Shape) -> Result<Workspace, String> {
        let mut w = Workspace::seeded(seed);
        for (id, name) in &shape.users {
            if w.users.iter().any(|u| u.id == *id || u.name == *name) {
                return Err(format!("user {id} ({name}) exists already"));
            }
            w.users.push(user(id, name, name, false, false));
        }
        for (id, name, private) in &shape.channels {
            if w.channels.iter().any(|c| c.id == *id || c.name == *name) {
                return Err(format!("channel {id} (#{name}) exists already"));
            }
            w.channels.push(Channel {
                id: id.clone(),
                name: name.clone(),
                is_private: *private,
                is_im: false,
                is_mpim: false,
                is_general: false,
                is_archived: false,
                created: w.epoch - 86_400,
                creator: DEFAULT_USER.into(),
                members: Vec::new(),
                topic: (String::new(), String::new(), 0),
                purpose: (String::new(), String::new(), 0),
                im_user: None,
                last_read: "0000000000.000000".into(),
            });
        }
        for (channel, users) in &shape.members {
            if let Some(u) = users.iter().find(|u| w.user(u).is_none()) {
                return Err(format!("members of {channel}: no user {u}"));
            }
            let Some(c) = w.channels.iter_mut().find(|c| c.id == *channel) else {
                return Err(format!("members of {channel}: no such channel"));
            };
            for u in users {
                if !c.members.contains(u) {
                    c.members.push(u.clone());
                }
            }
        }
        for (user, channel, text) in &shape.messages {
            w.post_as_user(user, channel, text, None)
                .map_err(|code| format!("message from {user} in {channel}: {code}"))?;
        }
        w.page_size = shape.page_size;
        Ok(w)
    }

    /// The user a token acts as.
    pub(crate) fn caller_for(&self, kind: TokenKind, token: Option<&str>) -> Caller {
        let user = match kind {
            TokenKind::Bot | TokenKind::App => BOT_USER.to_string(),
            _ => token
                .and_then(|t| {
                    self.users
                        .iter()
                        .find(|u| !u.is_bot && t.ends_with(&format!("-{}", u.id)))
                })
                .map(|u| u.id.clone())
                .unwrap_or_else(|| DEFAULT_USER.to_string()),
        };
        Caller { user, kind }
    }

    fn next_ts(&mut self) -> String {
        self.clock += 1;
        format!("{}.000100", self.epoch + self.clock)
    }

    fn new_id(&mut self, prefix: char) -> String {
        self.next_id += 1;
        format!("{prefix}{:08}", self.next_id)
    }

    fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id)
    }

    fn chan_idx(&self, caller: &Caller, id_or_name: &str) -> Result<usize, String> {
        let name = id_or_name.strip_prefix('#').unwrap_or(id_or_name);
        let idx = self
            .channels
            .iter()
            .position(|c| c.id == id_or_name || (!c.is_im && !c.is_mpim && c.name == name));
        match idx {
            // Private conversations are invisible to non-members, as in Slack.
            Some(i) if self.visible(caller, &self.channels[i]) => Ok(i),
            _ => fail("channel_not_found"),
        }
    }

    /// The members of conversation `id`, if the workspace has it.
    pub(crate) fn members_of(&self, id: &str) -> Option<&[String]> {
        self.channels
            .iter()
            .find(|c| c.id == id)
            .map(|c| c.members.as_slice())
    }

    /// What an Events API subscription calls conversation `id`'s messages:
    /// `channels`, `groups`, `im` or `mpim` (as in `message.channels`). For a
    /// conversation the workspace lacks, guessed from the ID's first letter.
    pub(crate) fn conversation_kind(&self, id: &str) -> &'static str {
        match self.channels.iter().find(|c| c.id == id) {
            Some(c) if c.is_im => "im",
            Some(c) if c.is_mpim => "mpim",
            Some(c) if c.is_private => "groups",
            Some(_) => "channels",
            None if id.starts_with('D') => "im",
            None if id.starts_with('G') => "groups",
            None => "channels",
        }
    }

    fn visible(&self, caller: &Caller, c: &Channel) -> bool {
        !(c.is_private || c.is_im || c.is_mpim) || c.members.contains(&caller.user)
    }

    // ----- JSON renderers -----

    fn user_json(&self, u: &User) -> Value {
        let mut profile = json!({
            "real_name": u.real_name,
            "real_name_normalized": u.real_name,
            "display_name": u.name,
            "display_name_normalized": u.name,
            "status_text": "",
            "status_emoji": "",
            "avatar_hash": "g0000000000a",
            "image_48": format!("https://avatars.example.com/{}_48.png", u.id),
            "image_72": format!("https://avatars.example.com/{}_72.png", u.id),
            "team": TEAM_ID,
        });
        if u.is_bot {
            profile["bot_id"] = json!(BOT_ID);
            profile["api_app_id"] = json!(APP_ID);
        } else {
            profile["email"] = json!(u.email);
        }
        json!({
            "id": u.id,
            "team_id": TEAM_ID,
            "name": u.name,
            "deleted": false,
            "real_name": u.real_name,
            "tz": "Europe/London",
            "tz_label": "Greenwich Mean Time",
            "tz_offset": 0,
            "is_admin": u.is_admin,
            "is_owner": u.is_admin,
            "is_primary_owner": u.is_admin,
            "is_restricted": false,
            "is_ultra_restricted": false,
            "is_bot": u.is_bot,
            "is_app_user": false,
            "updated": self.epoch - 86_400,
            "profile": profile,
        })
    }

    fn chan_json(&self, caller: &Caller, c: &Channel) -> Value {
        if c.is_im {
            return json!({
                "id": c.id,
                "created": c.created,
                "is_im": true,
                "is_org_shared": false,
                "user": c.im_user,
                "is_user_deleted": false,
                "is_open": true,
                "priority": 0,
            });
        }
        let topic =
            |t: &(String, String, u64)| json!({"value": t.0, "creator": t.1, "last_set": t.2});
        json!({
            "id": c.id,
            "name": c.name,
            "name_normalized": c.name,
            "is_channel": !c.is_private && !c.is_mpim,
            "is_group": c.is_private && !c.is_mpim,
            "is_im": false,
            "is_mpim": c.is_mpim,
            "is_private": c.is_private || c.is_mpim,
            "is_archived": c.is_archived,
            "is_general": c.is_general,
            "is_shared": false,
            "is_ext_shared": false,
            "is_org_shared": false,
            "is_member": c.members.contains(&caller.user),
            "created": c.created,
            "creator": c.creator,
            "unlinked": 0,
            "context_team_id": TEAM_ID,
            "num_members": c.members.len(),
            "topic": topic(&c.topic),
            "purpose": topic(&c.purpose),
            "last_read": c.last_read,
        })
    }

    // ----- messages -----

    fn find_msg(&self, channel: &str, ts: &str) -> Option<usize> {
        self.messages
            .get(channel)?
            .iter()
            .position(|m| str_of(m, "ts") == Some(ts))
    }

    /// Stores a new message from `user` and returns it plus the RTM event.
    #[allow(clippy::too_many_arguments)]
    fn store_message(
        &mut self,
        caller: &Caller,
        channel: &str,
        text: &str,
        thread_ts: Option<&str>,
        extra: &[(&str, Value)],
        subtype: Option<&str>,
    ) -> Result<(Map<String, Value>, Vec<Value>), String> {
        if let Some(parent) = thread_ts {
            let pidx = self
                .find_msg(channel, parent)
                .ok_or_else(|| "thread_not_found".to_string())?;
            // A reply to a reply is threaded under the original parent, as in Slack.
            let root = str_of(&self.messages[channel][pidx], "thread_ts")
                .unwrap_or(parent)
                .to_string();
            if root != parent {
                return self.store_message(caller, channel, text, Some(&root), extra, subtype);
            }
        }
        let ts = self.next_ts();
        let mut m = Map::new();
        m.insert("type".into(), json!("message"));
        if let Some(st) = subtype {
            m.insert("subtype".into(), json!(st));
        }
        m.insert("user".into(), json!(caller.user));
        if caller.user == BOT_USER {
            m.insert("bot_id".into(), json!(BOT_ID));
            m.insert("app_id".into(), json!(APP_ID));
        }
        m.insert("text".into(), json!(text));
        m.insert("ts".into(), json!(ts));
        m.insert("team".into(), json!(TEAM_ID));
        for (k, v) in extra {
            m.insert(k.to_string(), v.clone());
        }
        if let Some(parent) = thread_ts {
            m.insert("thread_ts".into(), json!(parent));
            m.insert("parent_user_id".into(), Value::Null);
            let msgs = self.messages.get_mut(channel).expect("parent exists");
            let p = msgs
                .iter_mut()
                .find(|p| str_of(p, "ts") == Some(parent))
                .expect("parent exists");
            let parent_user = p.get("user").cloned().unwrap_or(Value::Null);
            let count = p.get("reply_count").and_then(Value::as_u64).unwrap_or(0) + 1;
            let mut users: Vec<Value> = p
                .get("reply_users")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            if !users.contains(&json!(caller.user)) {
                users.push(json!(caller.user));
            }
            p.insert("thread_ts".into(), json!(parent));
            p.insert("reply_count".into(), json!(count));
            p.insert("reply_users_count".into(), json!(users.len()));
            p.insert("reply_users".into(), Value::Array(users));
            p.insert("latest_reply".into(), json!(ts));
            m.insert("parent_user_id".into(), parent_user);
        }
        self.messages
            .entry(channel.to_string())
            .or_default()
            .push(m.clone());
        let mut event = m.clone();
        event.insert("channel".into(), json!(channel));
        event.insert("event_ts".into(), json!(ts));
        Ok((m, vec![Value::Object(event)]))
    }

    /// A message from a person, as if typed in the Slack client.
    pub(crate) fn post_as_user(
        &mut self,
        user: &str,
        channel: &str,
        text: &str,
        thread_ts: Option<&str>,
    ) -> Result<(Value, Vec<Value>), String> {
        if self.user(user).is_none() {
            return fail("user_not_found");
        }
        let caller = Caller {
            user: user.into(),
            kind: TokenKind::User,
        };
        let idx = self.chan_idx(&caller, channel)?;
        let channel = self.channels[idx].id.clone();
        if self.channels[idx].is_archived {
            return fail("is_archived");
        }
        if !self.channels[idx].members.contains(&caller.user) {
            return fail("not_in_channel");
        }
        let (m, events) = self.store_message(&caller, &channel, text, thread_ts, &[], None)?;
        Ok((Value::Object(m), events))
    }

    // ----- dispatch -----

    /// Answers a Web API method, or `None` when the simulator does not know it.
    pub(crate) fn handle(
        &mut self,
        method: &str,
        args: &BTreeMap<String, String>,
        caller: &Caller,
        rtm_url: &str,
        http_url: &str,
    ) -> Option<Outcome> {
        let mut events = Vec::new();
        let a = Args(args);
        let res: Res = match method {
            "api.test" => self.api_test(&a),
            "auth.test" => Ok(self.auth_test(caller)),
            "chat.postMessage" => self.chat_post(caller, &a, &mut events, None),
            "chat.meMessage" => self.chat_post(caller, &a, &mut events, Some("me_message")),
            "chat.update" => self.chat_update(caller, &a, &mut events),
            "chat.delete" => self.chat_delete(caller, &a, &mut events),
            "chat.postEphemeral" => self.chat_ephemeral(caller, &a),
            "chat.getPermalink" => self.chat_permalink(caller, &a),
            "reactions.add" => self.reaction(caller, &a, true, &mut events),
            "reactions.remove" => self.reaction(caller, &a, false, &mut events),
            "reactions.get" => self.reactions_get(caller, &a),
            "reactions.list" => self.reactions_list(caller, &a),
            "conversations.create" => self.conv_create(caller, &a, &mut events),
            "conversations.archive" => self.conv_archive(caller, &a, true, &mut events),
            "conversations.unarchive" => self.conv_archive(caller, &a, false, &mut events),
            "conversations.join" => self.conv_join(caller, &a, &mut events),
            "conversations.leave" => self.conv_leave(caller, &a, &mut events),
            "conversations.invite" => self.conv_invite(caller, &a, &mut events),
            "conversations.kick" => self.conv_kick(caller, &a, &mut events),
            "conversations.info" => self.conv_info(caller, &a),
            "conversations.list" => self.conv_list(caller, &a),
            "conversations.history" => self.conv_history(caller, &a),
            "conversations.replies" => self.conv_replies(caller, &a),
            "conversations.members" => self.conv_members(caller, &a),
            "conversations.rename" => self.conv_rename(caller, &a, &mut events),
            "conversations.setTopic" => self.conv_set(caller, &a, "topic", &mut events),
            "conversations.setPurpose" => self.conv_set(caller, &a, "purpose", &mut events),
            "conversations.open" => self.conv_open(caller, &a, &mut events),
            "conversations.mark" => self.conv_mark(caller, &a),
            "users.info" => self.users_info(&a),
            "users.list" => self.users_list(&a),
            "users.lookupByEmail" => self.users_by_email(&a),
            "users.profile.get" => self.users_profile(caller, &a),
            "users.getPresence" => self.users_presence(caller, &a),
            "users.setPresence" => self.users_set_presence(caller, &a, &mut events),
            "rtm.connect" => Ok(self.rtm_connect(caller, rtm_url, false)),
            "rtm.start" => Ok(self.rtm_connect(caller, rtm_url, true)),
            "files.getUploadURLExternal" => files::get_upload_url(self, caller, args, http_url),
            "files.completeUploadExternal" => {
                files::complete(self, caller, args, http_url, &mut events)
            }
            _ => return None,
        };
        let body = match res {
            Ok(mut v) => {
                if let Value::Object(m) = &mut v {
                    let mut out = Map::new();
                    out.insert("ok".into(), json!(true));
                    out.append(m);
                    v = Value::Object(out);
                }
                v
            }
            Err(code) => {
                events.clear();
                json!({"ok": false, "error": code})
            }
        };
        Some(Outcome { body, events })
    }

    fn api_test(&self, a: &Args<'_>) -> Res {
        if let Some(code) = a.get("error") {
            return Err(code.to_string());
        }
        let args: Map<String, Value> = a.0.iter().map(|(k, v)| (k.clone(), json!(v))).collect();
        Ok(json!({ "args": args }))
    }

    fn auth_test(&self, caller: &Caller) -> Value {
        let u = self.user(&caller.user);
        let mut v = json!({
            "url": format!("https://{DOMAIN}.slack.com/"),
            "team": TEAM_NAME,
            "user": u.map(|u| u.name.clone()).unwrap_or_default(),
            "team_id": TEAM_ID,
            "user_id": caller.user,
            "is_enterprise_install": false,
        });
        if caller.user == BOT_USER {
            v["bot_id"] = json!(BOT_ID);
        }
        v
    }

    /// Resolves the `channel` argument of a write: IDs, `#names`, or a user ID (their DM).
    fn target(&mut self, caller: &Caller, channel: &str) -> Result<usize, String> {
        if self.user(channel).is_some() {
            let other = channel.to_string();
            return Ok(self.open_im(caller, &other, &mut Vec::new()));
        }
        self.chan_idx(caller, channel)
    }

    fn writable(&self, caller: &Caller, idx: usize) -> Result<(), String> {
        let c = &self.channels[idx];
        if c.is_archived {
            return fail("is_archived");
        }
        if !c.members.contains(&caller.user) {
            return fail("not_in_channel");
        }
        Ok(())
    }

    fn chat_post(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
        subtype: Option<&str>,
    ) -> Res {
        let idx = self.target(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let text = a.get("text").unwrap_or("");
        let mut extra = Vec::new();
        for key in ["blocks", "attachments", "metadata"] {
            if let Some(v) = a.get(key) {
                let parsed: Value =
                    serde_json::from_str(v).map_err(|_| format!("invalid_{key}"))?;
                if !matches!(parsed, Value::Array(_) | Value::Object(_)) {
                    return Err(format!("invalid_{key}"));
                }
                extra.push((key, parsed));
            }
        }
        if text.is_empty() && !extra.iter().any(|(k, _)| *k != "metadata") {
            return fail("no_text");
        }
        if text.chars().count() > 40_000 {
            return fail("msg_too_long");
        }
        let thread_ts = a.get("thread_ts").filter(|t| !t.is_empty());
        let broadcast = thread_ts.is_some() && a.flag("reply_broadcast");
        let subtype = if broadcast {
            Some("thread_broadcast")
        } else {
            subtype
        };
        let channel = self.channels[idx].id.clone();
        let (m, evs) = self.store_message(caller, &channel, text, thread_ts, &extra, subtype)?;
        events.extend(evs);
        Ok(json!({"channel": channel, "ts": m["ts"], "message": Value::Object(m)}))
    }

    fn message_mut(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        ts_arg: &str,
    ) -> Result<(String, usize), String> {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let channel = self.channels[idx].id.clone();
        let ts = a.req(ts_arg, "message_not_found")?;
        let m = self
            .find_msg(&channel, ts)
            .ok_or_else(|| "message_not_found".to_string())?;
        Ok((channel, m))
    }

    fn chat_update(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let (channel, i) = self.message_mut(caller, a, "ts")?;
        let ts = self.next_ts();
        let msg = &mut self.messages.get_mut(&channel).expect("found")[i];
        if str_of(msg, "user") != Some(caller.user.as_str()) {
            return fail("cant_update_message");
        }
        let previous = msg.clone();
        if let Some(t) = a.get("text") {
            msg.insert("text".into(), json!(t));
        }
        for key in ["blocks", "attachments"] {
            if let Some(v) = a.get(key) {
                let parsed: Value =
                    serde_json::from_str(v).map_err(|_| format!("invalid_{key}"))?;
                msg.insert(key.into(), parsed);
            }
        }
        msg.insert("edited".into(), json!({"user": caller.user, "ts": ts}));
        let message = msg.clone();
        events.push(json!({
            "type": "message", "subtype": "message_changed", "hidden": true,
            "channel": channel, "ts": ts, "event_ts": ts,
            "message": message, "previous_message": previous,
        }));
        Ok(
            json!({"channel": channel, "ts": message["ts"], "text": message["text"], "message": message}),
        )
    }

    fn chat_delete(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let (channel, i) = self.message_mut(caller, a, "ts")?;
        let msgs = self.messages.get_mut(&channel).expect("found");
        let owner = str_of(&msgs[i], "user").unwrap_or("");
        let admin = caller.kind == TokenKind::User
            && self.users.iter().any(|u| u.id == caller.user && u.is_admin);
        if owner != caller.user && !admin {
            return fail("cant_delete_message");
        }
        let removed = msgs.remove(i);
        let ts = str_of(&removed, "ts").unwrap_or("").to_string();
        // Deleting a reply updates its parent's counters.
        if let Some(root) = str_of(&removed, "thread_ts").filter(|r| *r != ts)
            && let Some(p) = msgs.iter_mut().find(|p| str_of(p, "ts") == Some(root))
        {
            let n = p.get("reply_count").and_then(Value::as_u64).unwrap_or(1);
            p.insert("reply_count".into(), json!(n.saturating_sub(1)));
        }
        let event_ts = self.next_ts();
        events.push(json!({
            "type": "message", "subtype": "message_deleted", "hidden": true,
            "channel": channel, "ts": event_ts, "deleted_ts": ts, "event_ts": event_ts,
            "previous_message": removed,
        }));
        Ok(json!({"channel": channel, "ts": ts}))
    }

    fn chat_ephemeral(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.target(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let user = a.req("user", "user_not_found")?;
        if self.user(user).is_none() {
            return fail("user_not_found");
        }
        if !self.channels[idx].members.iter().any(|m| m == user) {
            return fail("user_not_in_channel");
        }
        if a.get("text").unwrap_or("").is_empty()
            && a.get("blocks").is_none()
            && a.get("attachments").is_none()
        {
            return fail("no_text");
        }
        Ok(json!({"message_ts": self.next_ts()}))
    }

    fn chat_permalink(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let (channel, _) = self.message_mut(caller, a, "message_ts")?;
        let ts = a.get("message_ts").unwrap_or("").replace('.', "");
        Ok(json!({
            "channel": channel,
            "permalink": format!("https://{DOMAIN}.slack.com/archives/{channel}/p{ts}"),
        }))
    }

    // ----- reactions -----

    fn reaction(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        add: bool,
        events: &mut Vec<Value>,
    ) -> Res {
        let name = a.req("name", "invalid_name")?.trim_matches(':').to_string();
        if name.is_empty() {
            return fail("invalid_name");
        }
        if a.get("timestamp").is_none() {
            return fail("no_item_specified");
        }
        let (channel, i) = self.message_mut(caller, a, "timestamp")?;
        let event_ts = self.next_ts();
        let msg = &mut self.messages.get_mut(&channel).expect("found")[i];
        let mut reactions: Vec<Value> = msg
            .get("reactions")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let me = json!(caller.user);
        let pos = reactions.iter().position(|r| r["name"] == json!(name));
        if add {
            match pos {
                Some(p) => {
                    let users = reactions[p]["users"].as_array_mut().expect("users");
                    if users.contains(&me) {
                        return fail("already_reacted");
                    }
                    users.push(me);
                    reactions[p]["count"] = json!(users.len());
                }
                None => reactions.push(json!({"name": name, "users": [me], "count": 1})),
            }
        } else {
            let Some(p) = pos else {
                return fail("no_reaction");
            };
            let users = reactions[p]["users"].as_array_mut().expect("users");
            let Some(u) = users.iter().position(|u| *u == me) else {
                return fail("no_reaction");
            };
            users.remove(u);
            if users.is_empty() {
                reactions.remove(p);
            } else {
                reactions[p]["count"] = json!(users.len());
            }
        }
        if reactions.is_empty() {
            msg.remove("reactions");
        } else {
            msg.insert("reactions".into(), Value::Array(reactions));
        }
        events.push(json!({
            "type": if add { "reaction_added" } else { "reaction_removed" },
            "user": caller.user,
            "reaction": name,
            "item_user": msg.get("user"),
            "item": {"type": "message", "channel": channel, "ts": msg["ts"]},
            "event_ts": event_ts,
        }));
        Ok(json!({}))
    }

    fn reactions_get(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let (channel, i) = self.message_mut(caller, a, "timestamp")?;
        let msg = self.messages[&channel][i].clone();
        Ok(json!({"type": "message", "channel": channel, "message": msg}))
    }

    fn reactions_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let who = a.get("user").unwrap_or(&caller.user).to_string();
        if self.user(&who).is_none() {
            return fail("user_not_found");
        }
        let mut items = Vec::new();
        for c in &self.channels {
            if !self.visible(caller, c) {
                continue;
            }
            for m in self.messages.get(&c.id).into_iter().flatten().rev() {
                let reacted = m
                    .get("reactions")
                    .and_then(Value::as_array)
                    .is_some_and(|rs| {
                        rs.iter().any(|r| {
                            r["users"]
                                .as_array()
                                .is_some_and(|u| u.contains(&json!(who)))
                        })
                    });
                if reacted {
                    items.push(json!({"type": "message", "channel": c.id, "message": m}));
                }
            }
        }
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"items": page, "response_metadata": {"next_cursor": next}}))
    }

    // ----- conversations -----

    fn conv_create(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let name = a.req("name", "invalid_name_required")?.to_string();
        if name.is_empty() {
            return fail("invalid_name_required");
        }
        if name.chars().count() > 80 {
            return fail("invalid_name_maxlength");
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return fail("invalid_name_specials");
        }
        if self.channels.iter().any(|c| c.name == name && !c.is_im) {
            return fail("name_taken");
        }
        let private = a.flag("is_private");
        let id = self.new_id(if private { 'G' } else { 'C' });
        let created = self.epoch + self.clock;
        let c = Channel {
            id: id.clone(),
            name,
            is_private: private,
            is_im: false,
            is_mpim: false,
            is_general: false,
            is_archived: false,
            created,
            creator: caller.user.clone(),
            members: vec![caller.user.clone()],
            topic: (String::new(), String::new(), 0),
            purpose: (String::new(), String::new(), 0),
            im_user: None,
            last_read: "0000000000.000000".into(),
        };
        let v = self.chan_json(caller, &c);
        if !private {
            events.push(json!({"type": "channel_created", "channel": {"id": id, "name": c.name, "created": created, "creator": c.creator}}));
        }
        self.channels.push(c);
        Ok(json!({ "channel": v }))
    }

    fn conv_archive(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        archive: bool,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &mut self.channels[idx];
        if c.is_im {
            return fail("method_not_supported_for_channel_type");
        }
        if archive {
            if c.is_general {
                return fail("cant_archive_general");
            }
            if c.is_archived {
                return fail("already_archived");
            }
        } else if !c.is_archived {
            return fail("not_archived");
        }
        c.is_archived = archive;
        let kind = if archive {
            "channel_archive"
        } else {
            "channel_unarchive"
        };
        events.push(json!({"type": kind, "channel": c.id, "user": caller.user}));
        Ok(json!({}))
    }

    fn conv_join(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &mut self.channels[idx];
        if c.is_archived {
            return fail("is_archived");
        }
        if c.is_private || c.is_im || c.is_mpim {
            return fail("method_not_supported_for_channel_type");
        }
        let already = c.members.contains(&caller.user);
        if !already {
            c.members.push(caller.user.clone());
            events.push(json!({"type": "member_joined_channel", "user": caller.user, "channel": c.id, "channel_type": "C", "team": TEAM_ID}));
        }
        let c = self.channels[idx].clone();
        let mut v = json!({"channel": self.chan_json(caller, &c)});
        if already {
            v["warning"] = json!("already_in_channel");
            v["response_metadata"] = json!({"warnings": ["already_in_channel"]});
        }
        Ok(v)
    }

    fn conv_leave(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &mut self.channels[idx];
        if c.is_general {
            return fail("cant_leave_general");
        }
        if c.is_im {
            return fail("method_not_supported_for_channel_type");
        }
        if c.is_archived {
            return fail("is_archived");
        }
        match c.members.iter().position(|m| *m == caller.user) {
            Some(p) => {
                c.members.remove(p);
                events.push(json!({"type": "member_left_channel", "user": caller.user, "channel": c.id, "channel_type": "C", "team": TEAM_ID}));
                Ok(json!({}))
            }
            None => Ok(json!({"not_in_channel": true})),
        }
    }

    fn conv_invite(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let users = a.list("users");
        if users.is_empty() {
            return fail("no_user");
        }
        for u in &users {
            if self.user(u).is_none() {
                return fail("user_not_found");
            }
            if *u == caller.user {
                return fail("cant_invite_self");
            }
            if self.channels[idx].members.contains(u) {
                return fail("already_in_channel");
            }
        }
        let c = &mut self.channels[idx];
        for u in users {
            events.push(json!({"type": "member_joined_channel", "user": u, "channel": c.id, "channel_type": "C", "team": TEAM_ID, "inviter": caller.user}));
            c.members.push(u);
        }
        let c = self.channels[idx].clone();
        Ok(json!({"channel": self.chan_json(caller, &c)}))
    }

    fn conv_kick(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let user = a.req("user", "user_not_found")?.to_string();
        if self.user(&user).is_none() {
            return fail("user_not_found");
        }
        let c = &mut self.channels[idx];
        if user == caller.user {
            return fail("cant_kick_self");
        }
        if c.is_general {
            return fail("cant_kick_from_general");
        }
        let Some(p) = c.members.iter().position(|m| *m == user) else {
            return fail("not_in_channel");
        };
        c.members.remove(p);
        events.push(json!({"type": "member_left_channel", "user": user, "channel": c.id, "channel_type": "C", "team": TEAM_ID}));
        Ok(json!({}))
    }

    fn conv_info(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        Ok(json!({"channel": self.chan_json(caller, &self.channels[idx])}))
    }

    fn conv_list(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let types = a.list("types");
        let types: Vec<&str> = if types.is_empty() {
            vec!["public_channel"]
        } else {
            types.iter().map(String::as_str).collect()
        };
        let exclude_archived = a.flag("exclude_archived");
        let items: Vec<Value> = self
            .channels
            .iter()
            .filter(|c| self.visible(caller, c))
            .filter(|c| !(exclude_archived && c.is_archived))
            .filter(|c| {
                let t = if c.is_im {
                    "im"
                } else if c.is_mpim {
                    "mpim"
                } else if c.is_private {
                    "private_channel"
                } else {
                    "public_channel"
                };
                types.contains(&t)
            })
            .map(|c| self.chan_json(caller, c))
            .collect();
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"channels": page, "response_metadata": {"next_cursor": next}}))
    }

    fn readable(&self, caller: &Caller, a: &Args<'_>) -> Result<String, String> {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let c = &self.channels[idx];
        if !c.members.contains(&caller.user) && caller.kind == TokenKind::Bot {
            return fail("not_in_channel");
        }
        Ok(c.id.clone())
    }

    fn conv_history(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.readable(caller, a)?;
        let bound = |k: &str| a.get(k).filter(|s| !s.is_empty()).map(parse_ts);
        let (oldest, latest) = (bound("oldest"), bound("latest"));
        if oldest == Some(None) || latest == Some(None) {
            return fail("invalid_ts_oldest");
        }
        let inclusive = a.flag("inclusive");
        // Filtered lazily and paged before anything is copied: only the
        // page's messages are cloned, however long the channel is.
        let items = self
            .messages
            .get(&channel)
            .into_iter()
            .flatten()
            .rev()
            .filter(|m| {
                let ts = str_of(m, "ts").unwrap_or("");
                let top = str_of(m, "thread_ts").is_none_or(|t| t == ts)
                    || str_of(m, "subtype") == Some("thread_broadcast");
                if !top {
                    return false;
                }
                let t = parse_ts(ts);
                let after = match oldest.flatten() {
                    Some(o) => t > Some(o) || (inclusive && t == Some(o)),
                    None => true,
                };
                let before = match latest.flatten() {
                    Some(l) => t < Some(l) || (inclusive && t == Some(l)),
                    None => true,
                };
                after && before
            });
        let (page, next) =
            paginate_iter(items, a, 100, self.page_size, |m| Value::Object(m.clone()))?;
        Ok(json!({
            "messages": page,
            "has_more": !next.is_empty(),
            "pin_count": 0,
            "response_metadata": {"next_cursor": next},
        }))
    }

    fn conv_replies(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let channel = self.readable(caller, a)?;
        let ts = a.req("ts", "thread_not_found")?;
        let msgs = self.messages.get(&channel);
        let parent = msgs
            .into_iter()
            .flatten()
            .find(|m| str_of(m, "ts") == Some(ts))
            .ok_or_else(|| "thread_not_found".to_string())?;
        // Asking with a reply's ts gives the whole thread, as Slack does.
        let root = str_of(parent, "thread_ts").unwrap_or(ts).to_string();
        let items = msgs
            .into_iter()
            .flatten()
            .filter(|m| str_of(m, "ts") == Some(&root) || str_of(m, "thread_ts") == Some(&root));
        let (page, next) =
            paginate_iter(items, a, 1000, self.page_size, |m| Value::Object(m.clone()))?;
        Ok(json!({
            "messages": page,
            "has_more": !next.is_empty(),
            "response_metadata": {"next_cursor": next},
        }))
    }

    fn conv_members(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let items = self.channels[idx]
            .members
            .iter()
            .map(|m| json!(m))
            .collect();
        let (page, next) = paginate(items, a, 100, self.page_size)?;
        Ok(json!({"members": page, "response_metadata": {"next_cursor": next}}))
    }

    fn conv_rename(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let name = a.req("name", "invalid_name")?.to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
        {
            return fail("invalid_name_specials");
        }
        if self
            .channels
            .iter()
            .enumerate()
            .any(|(i, c)| i != idx && c.name == name)
        {
            return fail("name_taken");
        }
        self.writable(caller, idx)?;
        let c = &mut self.channels[idx];
        c.name = name;
        events.push(json!({"type": "channel_rename", "channel": {"id": c.id, "name": c.name, "created": c.created}}));
        let c = self.channels[idx].clone();
        Ok(json!({"channel": self.chan_json(caller, &c)}))
    }

    fn conv_set(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        field: &str,
        events: &mut Vec<Value>,
    ) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        self.writable(caller, idx)?;
        let value = a.get(field).unwrap_or("").to_string();
        if value.chars().count() > 250 {
            return fail("too_long");
        }
        let now = self.epoch + self.clock;
        let c = &mut self.channels[idx];
        let slot = if field == "topic" {
            &mut c.topic
        } else {
            &mut c.purpose
        };
        *slot = (value.clone(), caller.user.clone(), now);
        let channel = c.id.clone();
        let subtype = format!("channel_{field}");
        let text = format!("set the channel {field}: {value}");
        let (_, evs) = self.store_message(
            caller,
            &channel,
            &text,
            None,
            &[(field, json!(value))],
            Some(&subtype),
        )?;
        events.extend(evs);
        let c = self.channels[idx].clone();
        Ok(json!({"channel": self.chan_json(caller, &c), field: value}))
    }

    fn open_im(&mut self, caller: &Caller, other: &str, events: &mut Vec<Value>) -> usize {
        if let Some(i) = self.channels.iter().position(|c| {
            c.is_im && c.members.contains(&caller.user) && c.im_user.as_deref() == Some(other)
        }) {
            return i;
        }
        let id = self.new_id('D');
        let created = self.epoch + self.clock;
        let mut members = vec![caller.user.clone()];
        if other != caller.user {
            members.push(other.to_string());
        }
        self.channels.push(Channel {
            id: id.clone(),
            name: id.clone(),
            is_private: true,
            is_im: true,
            is_mpim: false,
            is_general: false,
            is_archived: false,
            created,
            creator: caller.user.clone(),
            members,
            topic: (String::new(), String::new(), 0),
            purpose: (String::new(), String::new(), 0),
            im_user: Some(other.to_string()),
            last_read: "0000000000.000000".into(),
        });
        events.push(json!({"type": "im_created", "user": caller.user, "channel": {"id": id, "user": other, "created": created}}));
        self.channels.len() - 1
    }

    fn conv_open(&mut self, caller: &Caller, a: &Args<'_>, events: &mut Vec<Value>) -> Res {
        if let Some(ch) = a.get("channel") {
            let idx = self.chan_idx(caller, ch)?;
            let c = self.channels[idx].clone();
            return Ok(json!({"channel": self.chan_json(caller, &c), "already_open": true}));
        }
        let users = a.list("users");
        if users.is_empty() {
            return fail("users_list_not_supplied");
        }
        for u in &users {
            if self.user(u).is_none() {
                return fail("user_not_found");
            }
        }
        if users.len() > 8 {
            return fail("too_many_users");
        }
        let before = self.channels.len();
        let idx = if users.len() == 1 {
            self.open_im(caller, &users[0], events)
        } else {
            let mut members = vec![caller.user.clone()];
            members.extend(users.iter().filter(|u| **u != caller.user).cloned());
            match self
                .channels
                .iter()
                .position(|c| c.is_mpim && c.members == members)
            {
                Some(i) => i,
                None => {
                    let id = self.new_id('G');
                    let mut names: Vec<String> = members
                        .iter()
                        .filter_map(|m| self.user(m).map(|u| u.name.clone()))
                        .collect();
                    names.sort();
                    self.channels.push(Channel {
                        id,
                        name: format!("mpdm-{}-1", names.join("--")),
                        is_private: true,
                        is_im: false,
                        is_mpim: true,
                        is_general: false,
                        is_archived: false,
                        created: self.epoch + self.clock,
                        creator: caller.user.clone(),
                        members,
                        topic: (String::new(), String::new(), 0),
                        purpose: (String::new(), String::new(), 0),
                        im_user: None,
                        last_read: "0000000000.000000".into(),
                    });
                    self.channels.len() - 1
                }
            }
        };
        let c = self.channels[idx].clone();
        let full = a.flag("return_im");
        let channel = if full || c.is_mpim {
            self.chan_json(caller, &c)
        } else {
            json!({"id": c.id})
        };
        let mut v = json!({"channel": channel});
        if self.channels.len() == before {
            v["no_op"] = json!(true);
            v["already_open"] = json!(true);
        }
        Ok(v)
    }

    fn conv_mark(&mut self, caller: &Caller, a: &Args<'_>) -> Res {
        let idx = self.chan_idx(caller, a.req("channel", "channel_not_found")?)?;
        let ts = a.req("ts", "invalid_timestamp")?;
        if parse_ts(ts).is_none() {
            return fail("invalid_timestamp");
        }
        if !self.channels[idx].members.contains(&caller.user) {
            return fail("not_in_channel");
        }
        self.channels[idx].last_read = ts.to_string();
        Ok(json!({}))
    }

    // ----- users -----

    fn users_info(&self, a: &Args<'_>) -> Res {
        let id = a.req("user", "user_not_found")?;
        let u = self.user(id).ok_or_else(|| "user_not_found".to_string())?;
        Ok(json!({"user": self.user_json(u)}))
    }

    fn users_list(&self, a: &Args<'_>) -> Res {
        let items = self.users.iter().map(|u| self.user_json(u)).collect();
        let (page, next) = paginate(items, a, 0, self.page_size)?;
        Ok(
            json!({"members": page, "cache_ts": self.epoch, "response_metadata": {"next_cursor": next}}),
        )
    }

    fn users_by_email(&self, a: &Args<'_>) -> Res {
        let email = a.req("email", "users_not_found")?;
        let u = self
            .users
            .iter()
            .find(|u| !u.email.is_empty() && u.email.eq_ignore_ascii_case(email))
            .ok_or_else(|| "users_not_found".to_string())?;
        Ok(json!({"user": self.user_json(u)}))
    }

    fn users_profile(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let id = a.get("user").unwrap_or(&caller.user);
        let u = self.user(id).ok_or_else(|| "user_not_found".to_string())?;
        Ok(json!({"profile": self.user_json(u)["profile"]}))
    }

    fn users_presence(&self, caller: &Caller, a: &Args<'_>) -> Res {
        let id = a.get("user").unwrap_or(&caller.user);
        let u = self.user(id).ok_or_else(|| "user_not_found".to_string())?;
        let active = u.presence == "active";
        let mut v = json!({"presence": u.presence});
        if id == caller.user {
            v["online"] = json!(active);
            v["auto_away"] = json!(false);
            v["manual_away"] = json!(!active);
            v["connection_count"] = json!(1);
        }
        Ok(v)
    }

    fn users_set_presence(
        &mut self,
        caller: &Caller,
        a: &Args<'_>,
        events: &mut Vec<Value>,
    ) -> Res {
        let presence = match a.req("presence", "invalid_presence")? {
            "auto" => "active",
            "away" => "away",
            _ => return fail("invalid_presence"),
        };
        if let Some(u) = self.users.iter_mut().find(|u| u.id == caller.user) {
            u.presence = presence.into();
        }
        events.push(json!({"type": "presence_change", "user": caller.user, "presence": presence}));
        Ok(json!({}))
    }

    // ----- rtm -----

    fn rtm_connect(&mut self, caller: &Caller, rtm_url: &str, full: bool) -> Value {
        let mut ticket = self.new_id('R');
        if self.generation > 0 {
            ticket = format!("{ticket}-{}", self.generation);
        }
        self.tickets.insert(ticket.clone(), caller.user.clone());
        let u = self.user(&caller.user);
        let mut v = json!({
            "url": format!("{rtm_url}?ticket={ticket}"),
            "self": {"id": caller.user, "name": u.map(|u| u.name.clone()).unwrap_or_default()},
            "team": {"id": TEAM_ID, "name": TEAM_NAME, "domain": DOMAIN},
        });
        if full {
            let channels: Vec<Value> = self
                .channels
                .iter()
                .filter(|c| !c.is_im && self.visible(caller, c))
                .map(|c| self.chan_json(caller, c))
                .collect();
            let ims: Vec<Value> = self
                .channels
                .iter()
                .filter(|c| c.is_im && c.members.contains(&caller.user))
                .map(|c| self.chan_json(caller, c))
                .collect();
            v["users"] = Value::Array(self.users.iter().map(|u| self.user_json(u)).collect());
            v["channels"] = Value::Array(channels);
            v["ims"] = Value::Array(ims);
            v["groups"] = json!([]);
            v["bots"] =
                json!([{"id": BOT_ID, "name": "fakebot", "deleted": false, "app_id": APP_ID}]);
            v["cache_ts"] = json!(self.epoch);
        }
        v
    }
}

/// Typed access to the argument map.
struct Args<'a>(&'a BTreeMap<String, String>);

impl Args<'_> {
    fn get(&self, k: &str) -> Option<&str> {
        self.0.get(k).map(String::as_str)
    }

    /// The argument, or the given Slack error code when absent.
    fn req(&self, k: &str, missing: &str) -> Result<&str, String> {
        self.get(k).ok_or_else(|| missing.to_string())
    }

    fn flag(&self, k: &str) -> bool {
        matches!(self.get(k), Some("true" | "1"))
    }

    /// A comma-joined list (or a JSON array sent as text).
    fn list(&self, k: &str) -> Vec<String> {
        let Some(raw) = self.get(k) else {
            return Vec::new();
        };
        if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(raw) {
            return items
                .iter()
                .filter_map(|i| i.as_str().map(str::to_string))
                .collect();
        }
        raw.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect()
    }
}

const CURSOR_PREFIX: &str = "testkit:";

/// Encodes a page offset as an opaque cursor.
fn cursor_for(offset: usize) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{CURSOR_PREFIX}{offset}"))
}

fn offset_of(cursor: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(cursor)
        .ok()?;
    String::from_utf8(bytes)
        .ok()?
        .strip_prefix(CURSOR_PREFIX)?
        .parse()
        .ok()
}

/// One page of `items` per `cursor`/`limit`; `default_limit` 0 means "all";
/// a page holds at most `page_size` items when set.
fn paginate(
    items: Vec<Value>,
    a: &Args<'_>,
    default_limit: usize,
    page_size: Option<usize>,
) -> Result<(Vec<Value>, String), String> {
    paginate_iter(items.into_iter(), a, default_limit, page_size, |v| v)
}

/// [`paginate`] over a lazy sequence: items before the cursor are skipped
/// unrendered, only the page is `render`ed, and one more item is looked at
/// to know whether there is a next page.
fn paginate_iter<T>(
    items: impl Iterator<Item = T>,
    a: &Args<'_>,
    default_limit: usize,
    page_size: Option<usize>,
    render: impl FnMut(T) -> Value,
) -> Result<(Vec<Value>, String), String> {
    let start = match a.get("cursor").filter(|c| !c.is_empty()) {
        Some(c) => offset_of(c).ok_or_else(|| "invalid_cursor".to_string())?,
        None => 0,
    };
    let limit = match a.get("limit").filter(|l| !l.is_empty()) {
        Some(l) => l
            .parse::<usize>()
            .map_err(|_| "invalid_limit".to_string())?,
        None => default_limit,
    };
    let limit = if limit == 0 {
        usize::MAX
    } else {
        limit.min(1000)
    };
    let limit = limit.min(page_size.unwrap_or(usize::MAX).max(1));
    let mut rest = items.skip(start);
    let page: Vec<Value> = rest.by_ref().take(limit).map(render).collect();
    let next = if rest.next().is_some() {
        cursor_for(start + page.len())
    } else {
        String::new()
    };
    Ok((page, next))
}
