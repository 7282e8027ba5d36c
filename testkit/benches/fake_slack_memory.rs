//! Resident memory of the standalone `fake-slack` under sustained posting.
//!
//! `cargo bench -p slack-testkit --bench fake_slack_memory` starts the
//! binary (release, as `cargo bench` builds it), posts 60,000
//! `chat.postMessage` requests at concurrency 64 over loopback, and reads
//! `VmRSS`/`VmHWM` from `/proc/<pid>/status` after each 20,000. It ends with
//! one `TARGET` line (at most 100 MB after 60,000 messages with the default
//! `--journal-limit`). Extra arguments after `--` go to the binary, e.g.
//! `-- --journal-limit 0` for an unbounded journal.
//! Linux only (it reads `/proc`).

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use futures_util::StreamExt;
use futures_util::stream;
use serde_json::Value;

const MESSAGES: usize = 60_000;
const STEP: usize = 20_000;
const CONCURRENCY: usize = 64;
const TARGET_MB: f64 = 100.0;

struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// `VmRSS` and `VmHWM` of `pid`, in MB (10^6 bytes).
fn memory(pid: u32) -> (f64, f64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc status");
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| {
                rest.trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<f64>()
                    .ok()
            })
            .map(|kb| kb * 1024.0 / 1e6)
            .unwrap_or(f64::NAN)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn main() {
    // `cargo bench` passes `--bench`; everything else is for the binary.
    let extra: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench" && a != "--")
        .collect();
    let mut child = Command::new(env!("CARGO_BIN_EXE_fake-slack"))
        .args(["--port", "0"])
        .args(&extra)
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn fake-slack");
    let mut line = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut line)
        .expect("first line");
    let server = Server(child);
    let info: Value = serde_json::from_str(&line).expect("first line is JSON");
    let url = format!("{}chat.postMessage", info["api"].as_str().expect("api url"));
    let pid = server.0.id();

    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("runtime");
    let http = reqwest::Client::new();
    let (rss, _) = memory(pid);
    println!("fake-slack {extra:?}: started, VmRSS {rss:.1} MB");
    let mut posted = 0;
    while posted < MESSAGES {
        rt.block_on(
            stream::iter(posted..posted + STEP).for_each_concurrent(CONCURRENCY, |i| {
                let http = &http;
                let url = &url;
                async move {
                    let body = http
                        .post(url)
                        .bearer_auth("xoxb-memory")
                        .form(&[("channel", "C_GENERAL"), ("text", &format!("message {i}"))])
                        .send()
                        .await
                        .expect("post")
                        .bytes()
                        .await
                        .expect("body");
                    let v: Value = serde_json::from_slice(&body).expect("JSON");
                    assert_eq!(v["ok"], true, "{v}");
                }
            }),
        );
        posted += STEP;
        let (rss, hwm) = memory(pid);
        println!("fake-slack {extra:?}: {posted} messages, VmRSS {rss:.1} MB, VmHWM {hwm:.1} MB");
    }
    let (rss, _) = memory(pid);
    let verdict = if rss <= TARGET_MB { "met" } else { "MISSED" };
    println!(
        "TARGET fake-slack {extra:?} resident after {MESSAGES} messages: {rss:.1} MB (target <= {TARGET_MB} MB): {verdict}"
    );
}
