//! How much stack hostile nesting takes, and that every decoder stops it
//! with an error on a 2 MiB stack (a tokio worker's default).
//!
//! `cargo bench -p slack-api --bench stack_depth` (release). For each case
//! it finds, by bisection over child processes (an overflow kills only the
//! child), the smallest thread stack the decode completes on, and prints it
//! with the cost per level. Figures go in BENCHMARKS.md.

use std::process::Command;

use slack_api::events::EventsApiPayload;

/// The text nested `depth` deep, and the decoder to run on it.
type MakeCase = fn(usize) -> (String, Decoder);

/// The cases: a name, and how to make its text.
const CASES: [(&str, MakeCase); 4] = [
    ("history, messages nested through `root`", |d| {
        (
            format!(
                r#"{{"ok":true,"has_more":false,"channel_actions_count":0,"messages":[{}]}}"#,
                nest(ROOT, d)
            ),
            Decoder::History,
        )
    }),
    ("history, blocks nested", |d| {
        (
            format!(
                r#"{{"ok":true,"has_more":false,"channel_actions_count":0,"messages":[{}]}}"#,
                nest(BLOCKS, d)
            ),
            Decoder::History,
        )
    }),
    ("Events API envelope, attachments nested", |d| {
        (envelope(&nest(ATTACHMENTS, d)), Decoder::EventsApi)
    }),
    ("Events API envelope, blocks nested", |d| {
        (envelope(&nest(BLOCKS, d)), Decoder::EventsApi)
    }),
];

const ROOT: (&str, &str) = (r#"{"type":"message","text":"t","ts":"1.0","root":"#, "}");
const BLOCKS: (&str, &str) = (
    r#"{"type":"message","text":"t","blocks":[{"type":"rich_text","elements":"#,
    "}]}",
);
const ATTACHMENTS: (&str, &str) = (
    r#"{"type":"message","text":"t","attachments":[{"text":"a","attachments":"#,
    "}]}",
);

#[derive(Clone, Copy)]
enum Decoder {
    History,
    EventsApi,
}

fn nest((open, close): (&str, &str), depth: usize) -> String {
    format!(
        r#"{}{{"type":"message","text":"leaf"}}{}"#,
        open.repeat(depth),
        close.repeat(depth)
    )
}

fn envelope(event: &str) -> String {
    format!(
        r#"{{"type":"event_callback","team_id":"T1","api_app_id":"A1","event_id":"Ev1","event_time":1,"event":{event}}}"#
    )
}

/// Decodes on a thread of `stack` bytes; `true` when it decoded.
fn decode_on(case: usize, depth: usize, stack: usize) -> bool {
    let (text, decoder) = CASES[case].1(depth);
    std::thread::Builder::new()
        .stack_size(stack)
        .spawn(move || match decoder {
            Decoder::History => {
                slack_api::spec::decode_response("conversations.history", text.as_bytes()).is_ok()
            }
            Decoder::EventsApi => EventsApiPayload::from_json(&text).is_ok(),
        })
        .expect("spawn")
        .join()
        .expect("decoder panicked")
}

/// Runs one decode in a child process; `Some(decoded)`, or `None` when the
/// child died (a stack overflow).
fn probe(case: usize, depth: usize, stack: usize) -> Option<bool> {
    let out = Command::new(std::env::current_exe().expect("own path"))
        .env("STACK_PROBE", format!("{case} {depth} {stack}"))
        .output()
        .expect("run probe");
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim() == "ok")
}

/// The smallest stack (to 1 KiB) on which the decode finishes.
fn min_stack(case: usize, depth: usize) -> usize {
    let (mut lo, mut hi) = (16 << 10, 64 << 20);
    while hi - lo > 1024 {
        let mid = (lo + hi) / 2;
        if probe(case, depth, mid).is_some() {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    hi
}

fn main() {
    if let Ok(args) = std::env::var("STACK_PROBE") {
        let v: Vec<usize> = args.split(' ').map(|x| x.parse().unwrap()).collect();
        println!(
            "{}",
            if decode_on(v[0], v[1], v[2]) {
                "ok"
            } else {
                "err"
            }
        );
        return;
    }
    if std::env::args().any(|a| a == "--test") {
        return; // `cargo test --benches` only checks it builds.
    }
    let max_recursion = slack_api::de::MAX_RECURSION as usize;
    println!(
        "limits: MAX_DEPTH {} levels, MAX_RECURSION {max_recursion}",
        slack_api::de::MAX_DEPTH
    );
    println!("| case | deepest nesting that decodes | decoded | least stack | per level |");
    println!("|---|---|---|---|---|");
    for (case, (name, _)) in CASES.iter().enumerate() {
        // The deepest nesting still within the limits.
        let deep = (2..=max_recursion.max(slack_api::de::MAX_DEPTH))
            .take_while(|&d| probe(case, d, 64 << 20) == Some(true))
            .last()
            .unwrap_or(1);
        let shallow = min_stack(case, 1);
        let at_limit = min_stack(case, deep);
        let decoded = probe(case, deep, 64 << 20) == Some(true);
        println!(
            "| {name} | {deep} | {} | {} KiB | {} B |",
            if decoded { "yes" } else { "error" },
            at_limit >> 10,
            (at_limit.saturating_sub(shallow)) / (deep - 1)
        );
    }
    println!();
    println!("On a 2 MiB stack, past the limits (an error, not an abort):");
    for (case, (name, _)) in CASES.iter().enumerate() {
        for depth in [60, 126, 200, 10_000] {
            let r = probe(case, depth, 2 << 20);
            let shown = match r {
                Some(true) => "decoded",
                Some(false) => "error",
                None => "ABORTED",
            };
            println!("- {name} x{depth}: {shown}");
            assert!(r.is_some(), "{name} x{depth} overflowed a 2 MiB stack");
        }
    }
}
