//! Decoding benchmarks: a mixed RTM event stream through `Event::from_json`
//! and two large Web API pages through `decode_response`, each against the
//! same bytes parsed into `serde_json::Value`.
//!
//! The event stream is decoded twice: with `type` (and `subtype`) first, as
//! Slack writes frames, and with every object's keys sorted, the worst case
//! for finding the tag. A third stream holds plain user messages only.
//!
//! `cargo bench -p slack-api --bench decode` prints criterion's figures and,
//! at the end, one speed ratio per workload (Value time / typed time; the
//! target is >= 1.0, typed at least as fast).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, Throughput};
use serde_json::{Value, json};
use slack_api::events::{Event, EventsApiPayload};

const FRAMES: usize = 10_000;

/// A small deterministic generator (xorshift), so every run decodes the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

const USERS: &[&str] = &[
    "U024BE7LH",
    "U0G9QF9C6",
    "U061F7AUR",
    "U0ALICE01",
    "U0BOB0002",
];
const CHANNELS: &[&str] = &[
    "C024BE91L",
    "C0GENERAL",
    "C0RANDOM1",
    "G0PRIVATE",
    "D024BE91L",
];
const WORDS: &[&str] = &[
    "deploy",
    "please",
    "the",
    "build",
    "is",
    "green",
    "again",
    ":tada:",
    "<@U024BE7LH>",
    "see",
    "<https://example.com/runbook|runbook>",
    "rollback",
    "tomorrow",
    "lgtm",
    "ok",
];

fn text(rng: &mut Rng) -> String {
    let n = 3 + rng.below(20);
    (0..n)
        .map(|_| rng.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn ts(rng: &mut Rng, i: usize) -> String {
    format!("{}.{:06}", 1_700_000_000 + i, rng.below(1_000_000))
}

fn rich_text_blocks(text: &str) -> Value {
    json!([{
        "type": "rich_text",
        "block_id": "b1Xz",
        "elements": [{
            "type": "rich_text_section",
            "elements": [{"type": "text", "text": text}]
        }]
    }])
}

fn plain_message(rng: &mut Rng, i: usize) -> Value {
    let t = text(rng);
    let mut m = json!({
        "type": "message",
        "channel": rng.pick(CHANNELS),
        "user": rng.pick(USERS),
        "text": t,
        "ts": ts(rng, i),
        "team": "T024BE7LD",
        "client_msg_id": format!("a1b2c3d4-{i:04}-4c5d-9e8f-0123456789ab"),
        "blocks": rich_text_blocks(&t),
        "suppress_notification": false,
        "event_ts": ts(rng, i),
    });
    if rng.below(4) == 0 {
        m["edited"] = json!({"user": rng.pick(USERS), "ts": ts(rng, i)});
    }
    m
}

fn thread_reply(rng: &mut Rng, i: usize) -> Value {
    let mut m = plain_message(rng, i);
    m["thread_ts"] = json!(ts(rng, i.saturating_sub(50)));
    m["parent_user_id"] = json!(rng.pick(USERS));
    m
}

fn bot_message(rng: &mut Rng, i: usize) -> Value {
    json!({
        "type": "message",
        "subtype": "bot_message",
        "channel": rng.pick(CHANNELS),
        "text": text(rng),
        "ts": ts(rng, i),
        "bot_id": "B0DEPLOYBOT",
        "username": "deploy-bot",
        "icons": {"emoji": ":robot_face:"},
        "attachments": [{
            "id": 1,
            "color": "36a64f",
            "fallback": "Build 1234 passed",
            "title": "Build 1234",
            "title_link": "https://ci.example.com/builds/1234",
            "text": text(rng),
            "fields": [
                {"title": "Branch", "value": "main", "short": true},
                {"title": "Duration", "value": "4m 12s", "short": true}
            ],
            "footer": "CI",
            "ts": 1_700_000_000 + i
        }],
        "event_ts": ts(rng, i),
    })
}

fn message_changed(rng: &mut Rng, i: usize) -> Value {
    let channel = rng.pick(CHANNELS);
    let old = plain_message(rng, i);
    let mut new = old.clone();
    new["text"] = json!(text(rng));
    new["edited"] = json!({"user": old["user"], "ts": ts(rng, i)});
    json!({
        "type": "message",
        "subtype": "message_changed",
        "hidden": true,
        "channel": channel,
        "ts": ts(rng, i),
        "message": new,
        "previous_message": old,
        "event_ts": ts(rng, i),
    })
}

fn message_deleted(rng: &mut Rng, i: usize) -> Value {
    json!({
        "type": "message",
        "subtype": "message_deleted",
        "hidden": true,
        "channel": rng.pick(CHANNELS),
        "ts": ts(rng, i),
        "deleted_ts": ts(rng, i.saturating_sub(10)),
        "event_ts": ts(rng, i),
    })
}

fn reaction(rng: &mut Rng, i: usize) -> Value {
    let kind = if rng.below(3) == 0 {
        "reaction_removed"
    } else {
        "reaction_added"
    };
    json!({
        "type": kind,
        "user": rng.pick(USERS),
        "reaction": rng.pick(&["thumbsup", "tada", "eyes", "white_check_mark", "skin-tone-2"]),
        "item_user": rng.pick(USERS),
        "item": {"type": "message", "channel": rng.pick(CHANNELS), "ts": ts(rng, i)},
        "event_ts": ts(rng, i),
        "ts": ts(rng, i),
    })
}

fn typing(rng: &mut Rng) -> Value {
    json!({"type": "user_typing", "channel": rng.pick(CHANNELS), "user": rng.pick(USERS), "id": rng.below(1000)})
}

fn presence(rng: &mut Rng) -> Value {
    if rng.below(4) == 0 {
        json!({"type": "presence_change", "users": [rng.pick(USERS), rng.pick(USERS)], "presence": "away"})
    } else {
        json!({"type": "presence_change", "user": rng.pick(USERS), "presence": rng.pick(&["active", "away"])})
    }
}

fn channel_event(rng: &mut Rng, i: usize) -> Value {
    match rng.below(5) {
        0 => json!({
            "type": "channel_created",
            "channel": {"id": format!("C{i:08}"), "name": format!("project-{i}"), "created": 1_700_000_000 + i, "creator": rng.pick(USERS), "is_channel": true},
            "event_ts": ts(rng, i),
        }),
        1 => json!({
            "type": "channel_rename",
            "channel": {"id": rng.pick(CHANNELS), "name": format!("renamed-{i}"), "created": 1_600_000_000},
            "event_ts": ts(rng, i),
        }),
        2 => json!({
            "type": "member_joined_channel",
            "user": rng.pick(USERS), "channel": rng.pick(CHANNELS), "channel_type": "C",
            "team": "T024BE7LD", "inviter": rng.pick(USERS), "event_ts": ts(rng, i),
        }),
        3 => {
            json!({"type": "channel_marked", "channel": rng.pick(CHANNELS), "ts": ts(rng, i), "unread_count": rng.below(30), "event_ts": ts(rng, i)})
        }
        _ => {
            json!({"type": "channel_archive", "channel": rng.pick(CHANNELS), "user": rng.pick(USERS), "event_ts": ts(rng, i)})
        }
    }
}

fn unknown(rng: &mut Rng, i: usize) -> Value {
    json!({
        "type": rng.pick(&["huddle_thread_updated", "sh_room_stats", "future_event_kind"]),
        "payload": {"n": i, "flags": [true, false], "note": text(rng)},
        "event_ts": ts(rng, i),
    })
}

/// The RTM stream: each frame as the websocket delivers it (compact JSON text).
/// Key order of the frames: Slack writes `type` (then `subtype`) first, as
/// in 89 of the 90 RTM samples of the reference data; `serde_json::Value`
/// sorts keys, which puts them near the end: the worst case for finding the
/// tag, kept as a second workload.
#[derive(Clone, Copy)]
enum KeyOrder {
    Slack,
    Sorted,
}

/// The frame's text with `type` and `subtype` first in every object, blocks
/// and their elements included, as Slack writes them; other keys sorted.
fn slack_order(v: &Value) -> String {
    match v {
        Value::Object(map) => {
            let first = ["type", "subtype"];
            let entries = first
                .iter()
                .filter_map(|k| map.get_key_value(*k))
                .chain(map.iter().filter(|(k, _)| !first.contains(&k.as_str())))
                .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), slack_order(v)));
            format!("{{{}}}", entries.collect::<Vec<_>>().join(","))
        }
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(slack_order).collect();
            format!("[{}]", items.join(","))
        }
        other => other.to_string(),
    }
}

/// Only plain user messages (each with its `rich_text` block), in Slack's
/// key order: the commonest event alone, so one event type's decoder runs
/// throughout (the mixed stream walks through many).
fn plain_stream() -> Vec<String> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    (0..FRAMES)
        .map(|i| slack_order(&plain_message(&mut rng, i)))
        .collect()
}

fn rtm_stream(order: KeyOrder) -> Vec<String> {
    let render = |v: &Value| match order {
        KeyOrder::Slack => slack_order(v),
        KeyOrder::Sorted => v.to_string(),
    };
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut frames = vec![render(&json!({"type": "hello"}))];
    for i in 1..FRAMES {
        let roll = rng.below(100);
        let v = match roll {
            0..=29 => plain_message(&mut rng, i),
            30..=37 => thread_reply(&mut rng, i),
            38..=45 => bot_message(&mut rng, i),
            46..=50 => message_changed(&mut rng, i),
            51..=52 => message_deleted(&mut rng, i),
            53..=64 => reaction(&mut rng, i),
            65..=79 => typing(&mut rng),
            80..=89 => presence(&mut rng),
            90..=96 => channel_event(&mut rng, i),
            97 => json!({"type": "pong", "reply_to": i, "time": 1_700_000_000 + i}),
            _ => unknown(&mut rng, i),
        };
        frames.push(render(&v));
    }
    frames
}

fn history_message(rng: &mut Rng, i: usize) -> Value {
    let mut m = match rng.below(10) {
        0..=5 => plain_message(rng, i),
        6 => thread_reply(rng, i),
        7 => bot_message(rng, i),
        8 => {
            let mut m = plain_message(rng, i);
            m["thread_ts"] = m["ts"].clone();
            m["reply_count"] = json!(rng.below(20) + 1);
            m["reply_users_count"] = json!(2);
            m["latest_reply"] = json!(ts(rng, i + 5));
            m["reply_users"] = json!([rng.pick(USERS), rng.pick(USERS)]);
            m["subscribed"] = json!(false);
            m
        }
        _ => {
            let mut m = plain_message(rng, i);
            m["reactions"] = json!([
                {"name": "thumbsup", "users": [rng.pick(USERS), rng.pick(USERS)], "count": 2},
                {"name": "eyes", "users": [rng.pick(USERS)], "count": 1}
            ]);
            m["files"] = json!([{
                "id": format!("F{i:08}"), "name": "report.pdf", "title": "Report",
                "mimetype": "application/pdf", "filetype": "pdf", "size": 48213,
                "url_private": "https://files.slack.com/files-pri/T0-F0/report.pdf",
                "user": rng.pick(USERS), "created": 1_700_000_000 + i
            }]);
            m
        }
    };
    // History pages carry no channel or event_ts on each message.
    if let Some(o) = m.as_object_mut() {
        o.remove("channel");
        o.remove("event_ts");
    }
    m
}

/// A `conversations.history` page, `type` first in every object as Slack writes it.
fn history_page() -> Vec<u8> {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let messages: Vec<Value> = (0..200).map(|i| history_message(&mut rng, i)).collect();
    slack_order(&json!({
        "ok": true,
        "messages": messages,
        "has_more": true,
        "pin_count": 2,
        "channel_actions_ts": null,
        "channel_actions_count": 0,
        "response_metadata": {"next_cursor": "bmV4dF90czoxNzAwMDAwMjAwMDAwMDAw"}
    }))
    .into_bytes()
}

fn user(rng: &mut Rng, i: usize) -> Value {
    let first = rng.pick(&["Alice", "Bob", "Carol", "Dave", "Erin", "Frank", "Grace"]);
    let bot = rng.below(20) == 0;
    json!({
        "id": format!("U{i:08}"),
        "team_id": "T024BE7LD",
        "name": format!("{}{i}", first.to_lowercase()),
        "deleted": rng.below(30) == 0,
        "color": "9f69e7",
        "real_name": format!("{first} Example{i}"),
        "tz": "Europe/Amsterdam",
        "tz_label": "Central European Time",
        "tz_offset": 3600,
        "profile": {
            "title": rng.pick(&["Engineer", "Designer", "", "Manager"]),
            "phone": "",
            "skype": "",
            "real_name": format!("{first} Example{i}"),
            "real_name_normalized": format!("{first} Example{i}"),
            "display_name": first.to_lowercase(),
            "display_name_normalized": first.to_lowercase(),
            "fields": null,
            "status_text": rng.pick(&["", "In a meeting", "Vacationing"]),
            "status_emoji": rng.pick(&["", ":calendar:", ":palm_tree:"]),
            "status_expiration": 0,
            "avatar_hash": "ge3b51ca72de",
            "email": format!("{}{i}@example.com", first.to_lowercase()),
            "first_name": first,
            "last_name": format!("Example{i}"),
            "image_24": "https://secure.gravatar.com/avatar/ge3b51ca72de.jpg?s=24",
            "image_32": "https://secure.gravatar.com/avatar/ge3b51ca72de.jpg?s=32",
            "image_48": "https://secure.gravatar.com/avatar/ge3b51ca72de.jpg?s=48",
            "image_72": "https://secure.gravatar.com/avatar/ge3b51ca72de.jpg?s=72",
            "image_192": "https://secure.gravatar.com/avatar/ge3b51ca72de.jpg?s=192",
            "image_512": "https://secure.gravatar.com/avatar/ge3b51ca72de.jpg?s=512",
            "team": "T024BE7LD"
        },
        "is_admin": rng.below(10) == 0,
        "is_owner": false,
        "is_primary_owner": false,
        "is_restricted": false,
        "is_ultra_restricted": false,
        "is_bot": bot,
        "is_app_user": false,
        "updated": 1_700_000_000 + i,
        "is_email_confirmed": true,
        "who_can_share_contact_card": "EVERYONE"
    })
}

fn users_page() -> Vec<u8> {
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let members: Vec<Value> = (0..1000).map(|i| user(&mut rng, i)).collect();
    serde_json::to_vec(&json!({
        "ok": true,
        "members": members,
        "cache_ts": 1_700_000_000,
        "response_metadata": {"next_cursor": "dXNlcjpVMEc5UUY5QzY="}
    }))
    .expect("serializable")
}

fn decode_events(frames: &[String]) -> usize {
    let mut ok = 0;
    for f in frames {
        if Event::from_json(black_box(f)).is_ok() {
            ok += 1;
        }
    }
    ok
}

/// The frames as Slack's Events API POSTs them: each inside an
/// `event_callback` envelope.
fn envelopes(frames: &[String]) -> Vec<String> {
    frames
        .iter()
        .enumerate()
        .map(|(i, f)| {
            format!(
                r#"{{"token":"verification","team_id":"T0001","api_app_id":"A0001","event":{f},"type":"event_callback","event_id":"Ev{i:08}","event_time":1700000000,"authorizations":[{{"enterprise_id":null,"team_id":"T0001","user_id":"U0BOT","is_bot":true,"is_enterprise_install":false}}],"is_ext_shared_channel":false,"event_context":"4-eyJldCI6Im1lc3NhZ2UifQ"}}"#
            )
        })
        .collect()
}

fn decode_envelopes(bodies: &[String]) -> usize {
    let mut ok = 0;
    for b in bodies {
        if EventsApiPayload::from_json(black_box(b)).is_ok() {
            ok += 1;
        }
    }
    ok
}

fn decode_values(frames: &[String]) -> usize {
    let mut ok = 0;
    for f in frames {
        if serde_json::from_str::<Value>(black_box(f)).is_ok() {
            ok += 1;
        }
    }
    ok
}

fn decode_typed(method: &str, body: &[u8]) -> bool {
    slack_api::spec::decode_response(method, black_box(body)).is_ok()
}

fn decode_value(body: &[u8]) -> bool {
    serde_json::from_slice::<Value>(black_box(body)).is_ok()
}

/// Interleaved timing of the baseline and the typed path; returns the medians
/// and prints the speed ratio (baseline time / typed time).
fn ratio(label: &str, mut baseline: impl FnMut(), mut typed: impl FnMut()) -> f64 {
    let budget = Duration::from_secs(2);
    let (mut b, mut t) = (Vec::new(), Vec::new());
    let start = Instant::now();
    while b.len() < 15 || (start.elapsed() < budget && b.len() < 200) {
        let s = Instant::now();
        baseline();
        b.push(s.elapsed());
        let s = Instant::now();
        typed();
        t.push(s.elapsed());
    }
    b.sort();
    t.sort();
    let (mb, mt) = (b[b.len() / 2], t[t.len() / 2]);
    let r = mb.as_secs_f64() / mt.as_secs_f64();
    println!(
        "RATIO {label}: Value {mb:?}, typed {mt:?}, speed ratio (Value/typed) = {r:.2} (target >= 1.0)"
    );
    r
}

fn main() {
    let frames = rtm_stream(KeyOrder::Slack);
    let sorted_frames = rtm_stream(KeyOrder::Sorted);
    let history = history_page();
    let users = users_page();
    let bodies = envelopes(&frames);
    let plain = plain_stream();

    // Every input must decode, or the bench would time error paths.
    assert_eq!(decode_events(&frames), frames.len());
    assert_eq!(decode_events(&sorted_frames), frames.len());
    assert_eq!(decode_envelopes(&bodies), bodies.len());
    assert_eq!(decode_events(&plain), plain.len());
    assert!(decode_typed("conversations.history", &history));
    assert!(decode_typed("users.list", &users));
    let bytes: usize = frames.iter().map(String::len).sum();
    println!(
        "inputs: {} RTM frames ({} KiB), history page {} KiB, users page {} KiB; \
         size_of::<Event>() = {} bytes, of a plain message event {} bytes",
        frames.len(),
        bytes / 1024,
        history.len() / 1024,
        users.len() / 1024,
        std::mem::size_of::<Event>(),
        std::mem::size_of::<slack_api::events::PlainMessageEvent>()
    );

    // `SLACK_BENCH_KINDS=1` prints the event stream's ratio per kind of
    // frame (`type`, and `subtype` when there is one), to find the kinds
    // that hold the stream's ratio back.
    if std::env::var_os("SLACK_BENCH_KINDS").is_some() {
        let mut kinds: std::collections::BTreeMap<String, Vec<String>> = Default::default();
        for f in &frames {
            let v: Value = serde_json::from_str(f).expect("JSON");
            let kind = v["type"].as_str().unwrap_or("?");
            let kind = match v["subtype"].as_str() {
                Some(subtype) => format!("{kind}/{subtype}"),
                None => kind.to_owned(),
            };
            kinds.entry(kind).or_default().push(f.clone());
        }
        for (kind, stream) in &kinds {
            let bytes = stream.iter().map(String::len).sum::<usize>() / stream.len();
            ratio(
                &format!("{kind} ({} frames, {bytes} bytes each)", stream.len()),
                || {
                    black_box(decode_values(stream));
                },
                || {
                    black_box(decode_events(stream));
                },
            );
        }
        return;
    }

    // `SLACK_BENCH_PROFILE=events|sorted|values|plain|plain-values|envelopes|envelope-values|history|users`
    // runs one workload in a
    // plain loop, for callgrind or perf (`SLACK_BENCH_ROUNDS` times, 20 by default).
    if let Ok(which) = std::env::var("SLACK_BENCH_PROFILE") {
        let rounds = std::env::var("SLACK_BENCH_ROUNDS")
            .ok()
            .and_then(|n| n.parse().ok())
            .unwrap_or(20);
        for _ in 0..rounds {
            match which.as_str() {
                "events" => black_box(decode_events(&frames) > 0),
                "sorted" => black_box(decode_events(&sorted_frames) > 0),
                "plain" => black_box(decode_events(&plain) > 0),
                "plain-values" => black_box(decode_values(&plain) > 0),
                "values" => black_box(decode_values(&frames) > 0),
                "envelopes" => black_box(decode_envelopes(&bodies) > 0),
                "envelope-values" => black_box(decode_values(&bodies) > 0),
                "history" => decode_typed("conversations.history", &history),
                _ => decode_typed("users.list", &users),
            };
        }
        return;
    }

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3));

    let mut g = c.benchmark_group("event_decode");
    g.throughput(Throughput::Elements(frames.len() as u64));
    g.bench_function("typed_from_json", |b| b.iter(|| decode_events(&frames)));
    g.bench_function("serde_json_value", |b| b.iter(|| decode_values(&frames)));
    g.bench_function("sorted_keys/typed_from_json", |b| {
        b.iter(|| decode_events(&sorted_frames))
    });
    g.bench_function("sorted_keys/serde_json_value", |b| {
        b.iter(|| decode_values(&sorted_frames))
    });
    g.finish();

    let mut g = c.benchmark_group("response_decode");
    g.throughput(Throughput::Bytes(history.len() as u64));
    g.bench_function("history_200/typed", |b| {
        b.iter(|| decode_typed("conversations.history", &history))
    });
    g.bench_function("history_200/value", |b| b.iter(|| decode_value(&history)));
    g.throughput(Throughput::Bytes(users.len() as u64));
    g.bench_function("users_1000/typed", |b| {
        b.iter(|| decode_typed("users.list", &users))
    });
    g.bench_function("users_1000/value", |b| b.iter(|| decode_value(&users)));
    g.finish();

    c.final_summary();

    for (label, stream) in [
        ("Slack's key order", &frames),
        ("keys sorted", &sorted_frames),
        ("plain messages only", &plain),
    ] {
        ratio(
            &format!("event_decode, {label} (10k RTM frames)"),
            || {
                black_box(decode_values(stream));
            },
            || {
                black_box(decode_events(stream));
            },
        );
    }
    ratio(
        "Events API envelopes (10k event_callback bodies)",
        || {
            black_box(decode_values(&bodies));
        },
        || {
            black_box(decode_envelopes(&bodies));
        },
    );
    ratio(
        "conversations.history (200 messages)",
        || {
            black_box(decode_value(&history));
        },
        || {
            black_box(decode_typed("conversations.history", &history));
        },
    );
    ratio(
        "users.list (1000 users)",
        || {
            black_box(decode_value(&users));
        },
        || {
            black_box(decode_typed("users.list", &users));
        },
    );
}
