//! `fake-slack`: the testkit's fake Slack as a standalone server, for bots in
//! other languages. Point the SDK's base URL at the printed `api` URL; drive
//! the fake through the admin API under `/_testkit/`.

use std::process::ExitCode;

const USAGE: &str = "usage: fake-slack [--port PORT] [--rtm-port PORT] [--host HOST] [--fixtures DIR]... [--no-simulate] [--seed N] [--journal-limit N]

  --journal-limit N  keep the newest N calls and frames in the journal, dropping
                     the oldest (default 10000; 0 keeps none)";

/// Journal entries the server keeps unless told otherwise: enough for a test
/// run to read back, bounded so a long-running server stays small.
const DEFAULT_JOURNAL_LIMIT: usize = 10_000;

fn main() -> ExitCode {
    let mut builder = slack_testkit::FakeSlack::builder().journal_limit(DEFAULT_JOURNAL_LIMIT);
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let mut value = |name: &str| args.next().ok_or_else(|| format!("{name} needs a value"));
        let step = match arg.as_str() {
            "--port" => value("--port")
                .and_then(|v| v.parse().map_err(|e| format!("--port: {e}")))
                .map(|p| builder.clone().port(p)),
            "--rtm-port" => value("--rtm-port")
                .and_then(|v| v.parse().map_err(|e| format!("--rtm-port: {e}")))
                .map(|p| builder.clone().rtm_port(p)),
            "--host" => value("--host").map(|h| builder.clone().host(h)),
            "--fixtures" => value("--fixtures").map(|d| builder.clone().fixtures_dir(d)),
            "--seed" => value("--seed")
                .and_then(|v| v.parse().map_err(|e| format!("--seed: {e}")))
                .map(|s| builder.clone().seed(s)),
            "--journal-limit" => value("--journal-limit")
                .and_then(|v| v.parse().map_err(|e| format!("--journal-limit: {e}")))
                .map(|n| builder.clone().journal_limit(n)),
            "--no-simulate" => Ok(builder.clone().simulate(false)),
            "-h" | "--help" => {
                println!("{USAGE}");
                return ExitCode::SUCCESS;
            }
            other => Err(format!("unknown argument {other}")),
        };
        match step {
            Ok(b) => builder = b,
            Err(e) => {
                eprintln!("fake-slack: {e}\n{USAGE}");
                return ExitCode::from(2);
            }
        }
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("fake-slack: cannot start a runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    rt.block_on(async move {
        let slack = match builder.try_start().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("fake-slack: {e}");
                return ExitCode::FAILURE;
            }
        };
        // One line of JSON on stdout, so a test harness can read the URLs.
        println!(
            "{}",
            serde_json::json!({"api": slack.api_base_url(), "rtm": slack.rtm_url(), "admin": format!("{}/_testkit/", slack.uri())})
        );
        let _ = tokio::signal::ctrl_c().await;
        // Leaving without the drop-time verification: a server has no test to fail.
        std::mem::forget(slack);
        ExitCode::SUCCESS
    })
}
