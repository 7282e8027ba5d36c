//! `cargo xtask codegen [--check]`.

use std::process::ExitCode;
use std::time::Instant;

const USAGE: &str = "usage: cargo xtask codegen [--check]

  codegen          regenerate slack-api/src/generated/ from spec/
  codegen --check  write nothing; fail naming each stale, missing or orphaned file";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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
