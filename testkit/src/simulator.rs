//! The simulated workspace: a small, deterministic Slack team that answers
//! the Web API methods bots use most, keeping state across calls.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::clock::{Clock, EPOCH};
use crate::request::CredentialKind;

pub(crate) mod app_posts;
pub(crate) mod args;
pub(crate) mod auth;
pub(crate) mod bookmarks;
pub(crate) mod bots;
pub(crate) mod chat;
pub(crate) mod conversations;
pub(crate) mod dnd;
pub(crate) mod emoji;
pub(crate) mod files;
pub(crate) mod pins;
pub(crate) mod reactions;
pub(crate) mod reminders;
pub(crate) mod rtm;
pub(crate) mod scheduled;
pub(crate) mod search;
pub(crate) mod team;
pub(crate) mod usergroups;
pub(crate) mod users;
pub(crate) mod views;

use args::Args;

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

/// Which workspace a [`Workspace`] is: the default team, or one a test
/// added with [`add_team`](crate::FakeSlack::add_team).
#[derive(Debug, Clone)]
pub(crate) struct Team {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) domain: String,
}

impl Team {
    /// The default workspace, [`TEAM_ID`].
    pub(crate) fn default_team() -> Team {
        Team {
            id: TEAM_ID.into(),
            name: TEAM_NAME.into(),
            domain: DOMAIN.into(),
        }
    }

    /// A workspace named `name`; its domain is the name in lowercase
    /// letters and digits joined by `-`, as Slack suggests one.
    pub(crate) fn named(id: &str, name: &str) -> Team {
        let lower = name.to_ascii_lowercase();
        let words: Vec<&str> = lower
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
            .collect();
        Team {
            id: id.into(),
            name: name.into(),
            domain: words.join("-"),
        }
    }

    /// `https://{domain}.slack.com/`.
    pub(crate) fn url(&self) -> String {
        format!("https://{}.slack.com/", self.domain)
    }
}

/// Who is calling: the user the token acts as.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub(crate) user: String,
    pub(crate) kind: CredentialKind,
}

/// One simulated call as its handler sees it: who calls, with what, and
/// the events it causes (dropped when it fails).
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) caller: Caller,
    pub(crate) args: Args<'a>,
    /// The RTM websocket URL, for `rtm.connect`.
    pub(crate) rtm_url: &'a str,
    /// The HTTP root, for upload and file URLs.
    pub(crate) http_url: &'a str,
    pub(crate) events: Vec<Value>,
}

/// A Web API method the workspace answers; see the table in `methods.rs`.
pub(crate) type Handler = fn(&mut Workspace, &mut Ctx<'_>) -> Res;

/// What a simulated call produced: the response body and events to push over RTM.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    pub(crate) body: Value,
    pub(crate) events: Vec<Value>,
}

/// A handler's answer: the response's fields, or Slack's error code.
pub(crate) type Res = Result<Value, String>;

fn fail<T>(code: &str) -> Result<T, String> {
    Err(code.to_string())
}

/// The Web API body for a handler's answer: `{"ok": true, ...fields}` or
/// `{"ok": false, "error": code}`.
pub(crate) fn body_of(res: Res) -> Value {
    match res {
        Ok(Value::Object(mut m)) => {
            let mut out = Map::new();
            out.insert("ok".into(), json!(true));
            out.append(&mut m);
            Value::Object(out)
        }
        Ok(other) => other,
        Err(code) => json!({"ok": false, "error": code}),
    }
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

impl Channel {
    /// A public channel, not archived, with no topic or purpose.
    fn new(id: &str, name: &str, created: u64, creator: &str, members: Vec<String>) -> Channel {
        Channel {
            id: id.into(),
            name: name.into(),
            is_private: false,
            is_im: false,
            is_mpim: false,
            is_general: false,
            is_archived: false,
            created,
            creator: creator.into(),
            members,
            topic: (String::new(), String::new(), 0),
            purpose: (String::new(), String::new(), 0),
            im_user: None,
            last_read: "0000000000.000000".into(),
        }
    }
}

/// The workspace state.
#[derive(Debug)]
pub(crate) struct Workspace {
    /// The team this workspace is.
    pub(crate) team: Team,
    users: Vec<User>,
    channels: Vec<Channel>,
    /// Messages per channel, in `ts` order (replies included).
    messages: BTreeMap<String, Vec<Map<String, Value>>>,
    /// The fake clock: message `ts`, `created`, and every lifetime follow it.
    pub(crate) clock: Clock,
    next_id: u64,
    epoch: u64,
    /// RTM tickets handed out by `rtm.connect`/`rtm.start`, and whom they act as.
    pub(crate) tickets: BTreeMap<String, String>,
    /// How many resets came before this workspace: tickets carry it after
    /// the first, so one handed out before a reset never names a new one.
    pub(crate) generation: u64,
    /// Reserved uploads and completed files.
    pub(crate) files: files::FileStore,
    /// Messages scheduled and not posted yet.
    scheduled: scheduled::Schedule,
    /// Conversations' bookmarks.
    bookmarks: bookmarks::Bookmarks,
    /// User groups and their members.
    usergroups: usergroups::UserGroups,
    /// Reminders, for whom and when.
    reminders: reminders::Reminders,
    /// What people changed in their profiles.
    profiles: users::Profiles,
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
        let chan = |id: &str, name: &str, members: Vec<String>| {
            Channel::new(id, name, epoch - 86_400, DEFAULT_USER, members)
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
            team: Team::default_team(),
            users,
            channels: vec![general, random, dev, private, old],
            messages: BTreeMap::new(),
            clock: Clock::starting_at(epoch),
            next_id: 0,
            epoch,
            tickets: BTreeMap::new(),
            generation: 0,
            files: files::FileStore::default(),
            scheduled: scheduled::Schedule::default(),
            bookmarks: bookmarks::Bookmarks::default(),
            usergroups: usergroups::UserGroups::default(),
            reminders: reminders::Reminders::default(),
            profiles: users::Profiles::default(),
            page_size: None,
        }
    }

    /// Another workspace, `team`, seeded as the default one is (the same
    /// people and channels, none of its messages) and reading `clock`.
    pub(crate) fn for_team(seed: u64, team: Team, clock: Clock) -> Workspace {
        Workspace {
            team,
            clock,
            ..Workspace::seeded(seed)
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
                is_private: *private,
                ..Channel::new(id, name, w.epoch - 86_400, DEFAULT_USER, Vec::new())
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

    /// Runs `handler` for one call and renders its answer.
    pub(crate) fn answer(
        &mut self,
        handler: Handler,
        args: &BTreeMap<String, String>,
        caller: Caller,
        urls: (&str, &str),
    ) -> Outcome {
        let mut ctx = Ctx {
            caller,
            args: Args(args),
            rtm_url: urls.0,
            http_url: urls.1,
            events: Vec::new(),
        };
        let res = handler(self, &mut ctx);
        let events = if res.is_ok() { ctx.events } else { Vec::new() };
        Outcome {
            body: body_of(res),
            events,
        }
    }

    /// The user a token acts as.
    pub(crate) fn caller_for(&self, kind: CredentialKind, token: Option<&str>) -> Caller {
        let user = match kind {
            CredentialKind::Bot | CredentialKind::App => BOT_USER.to_string(),
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
        self.clock.next_ts()
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
            "team": self.team.id,
        });
        if u.is_bot {
            profile["bot_id"] = json!(BOT_ID);
            profile["api_app_id"] = json!(APP_ID);
        } else {
            profile["email"] = json!(u.email);
        }
        self.profiles.apply(&u.id, &mut profile);
        json!({
            "id": u.id,
            "team_id": self.team.id,
            "name": u.name,
            "deleted": false,
            "real_name": profile["real_name"],
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
            "context_team_id": self.team.id,
            "num_members": c.members.len(),
            "topic": topic(&c.topic),
            "purpose": topic(&c.purpose),
            "last_read": c.last_read,
        })
    }

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
        m.insert("team".into(), json!(self.team.id));
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
            kind: CredentialKind::User,
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
}
