//! `slack-drift [--json] [--deny] [--events] [--samples] <PATH>...`: decodes recorded
//! Slack traffic with the generated types and reports what the spec lacks.
//! Run it as `cargo xtask drift`.

use std::path::Path;
use std::process::ExitCode;

use slack_testkit::drift::Report;
use slack_testkit::drift::artifacts::ARTIFACTS;

const USAGE: &str = "usage: slack-drift [--json] [--deny] [--events] [--samples] <PATH>...

Decodes recorded Slack traffic with the generated types and reports what the
spec does not describe: ignored fields (with their JSON path), unknown enum
values, unknown event types and message subtypes, missing required fields and
values of another JSON type.

PATH: testkit fixture files or folders (fixtures/web, fixtures/rtm), folders of
raw response bodies named by method (conversations.history.json,
chat.postMessage.2.json), or *.jsonl files with one RTM / Events API / Socket
Mode frame per line. Interactivity payloads (block_actions, view_submission,
dialog_submission, ...) are frames too, and so is a slash command as JSON (an
object with `command` and no `type`, as Socket Mode carries it), read with
the decoder apps use for slash commands.

  --json    print the report as JSON
  --deny    exit with status 1 when anything drifted (for CI)
  --events  read plain *.json files as single event frames
  --samples the input is Slack's merged reference samples (java-slack-sdk's):
            findings matching one of the artifact rules below, shapes those
            samples have and no real payload has, are counted as tolerated,
            not drift (never use it on recorded traffic)

Exit status: 0 ok, 1 drift found with --deny, 2 usage or I/O error.";

fn main() -> ExitCode {
    let mut json = false;
    let mut deny = false;
    let mut events = false;
    let mut samples = false;
    let mut paths = Vec::new();
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--json" => json = true,
            "--deny" => deny = true,
            "--events" => events = true,
            "--samples" => samples = true,
            "-h" | "--help" => {
                println!("{USAGE}\n\nSample artifact rules (slack_testkit::drift::artifacts):");
                for rule in ARTIFACTS {
                    println!("  {}", rule.name);
                }
                return ExitCode::SUCCESS;
            }
            s if s.starts_with('-') => {
                eprintln!("slack-drift: unknown option {s}\n\n{USAGE}");
                return ExitCode::from(2);
            }
            _ => paths.push(arg),
        }
    }
    if paths.is_empty() {
        eprintln!("{USAGE}");
        return ExitCode::from(2);
    }
    let mut report = if samples {
        Report::for_samples()
    } else {
        Report::new()
    };
    for p in &paths {
        if let Err(e) = report.add_path(Path::new(p), events) {
            eprintln!("slack-drift: cannot read {p}: {e}");
            return ExitCode::from(2);
        }
    }
    if json {
        println!("{:#}", report.to_json());
    } else {
        print!("{}", report.to_text());
    }
    if deny && !report.is_clean() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
