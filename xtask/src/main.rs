//! `cargo xtask codegen [--check]`, `cargo xtask drift <PATH>...`.

use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str =
    "usage: cargo xtask codegen [--check] | drift [--json] [--deny] [--events] [--samples] <PATH>...

  codegen          regenerate slack-api/src/generated/ from spec/
  codegen --check  write nothing; fail naming each stale, missing or orphaned file
  drift PATH...    decode recorded traffic and report what the spec lacks
                   (runs slack-testkit's slack-drift; see its --help)";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("drift") {
        return drift(&args[1..]);
    }
    let check = match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["codegen"] => false,
        ["codegen", "--check"] => true,
        ["help" | "--help" | "-h"] => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        _ => {
            eprintln!("{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    let start = Instant::now();
    let report = match xtask::codegen(&xtask::workspace_root(), check) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let ms = start.elapsed().as_millis();
    for p in &report.problems {
        eprintln!("error: {p}");
    }
    if check {
        if report.problems.is_empty() {
            println!(
                "codegen --check: {} files ({} lines) up to date in {ms} ms",
                report.files, report.lines
            );
        } else {
            eprintln!("codegen --check failed: run `cargo xtask codegen` and commit the result");
        }
    } else {
        println!(
            "codegen: {} files ({} lines), {} written, {} removed in {ms} ms",
            report.files,
            report.lines,
            report.written.len(),
            report.removed.len()
        );
    }
    if report.problems.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Runs `slack-drift` through cargo, so xtask never links the generated crate
/// (a spec edit that breaks it can still be regenerated). Exit status is
/// passed through: 1 for drift with `--deny`, 2 for usage or I/O errors.
/// It decodes with every family (`slack-api/full`): recorded traffic may
/// come from any method, whatever the testkit itself enables.
fn drift(args: &[String]) -> ExitCode {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let status = std::process::Command::new(cargo)
        .args([
            "run",
            "-q",
            "-p",
            "slack-testkit",
            "--bin",
            "slack-drift",
            "--features",
            "slack-api/full",
            "--",
        ])
        .args(args)
        .status();
    match status {
        Ok(s) => ExitCode::from(s.code().and_then(|c| u8::try_from(c).ok()).unwrap_or(2)),
        Err(e) => {
            eprintln!("error: cannot run cargo: {e}");
            ExitCode::from(2)
        }
    }
}
