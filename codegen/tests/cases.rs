//! The generator cases, one directory each under `cases/`:
//!
//! - `spec/` holds a spec fragment, laid out as `spec/` is;
//! - `expected/` holds every file it generates, mounted at
//!   `crate::codegen_cases::<case>`: `slack-api` compiles them in its tests
//!   (`slack-api/src/codegen_cases.rs`), so output that does not compile
//!   fails `cargo test`;
//! - or `error.txt` instead: generating must fail with a message containing
//!   its text.
//!
//! `UPDATE_EXPECT=1 cargo test -p slack-codegen --test cases` rewrites the
//! expected files.

use std::fs;
use std::path::{Path, PathBuf};

use codegen::{Mount, Spec, generate};

/// The spec fragment's files, as `(path relative to spec/, contents)`.
fn read_spec(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let p = e.expect("a directory entry").path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                let rel = p.strip_prefix(dir).expect("below spec/");
                let rel = rel.to_string_lossy().replace('\\', "/");
                let text = fs::read_to_string(&p).expect("a readable spec file");
                out.push((rel, text));
            }
        }
    }
    out.sort();
    out
}

fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/cases");
    let mut v: Vec<PathBuf> = fs::read_dir(&root)
        .expect("codegen/tests/cases")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

/// Runs one case; returns what is wrong with it.
fn check(dir: &Path, update: bool) -> Vec<String> {
    let name = dir
        .file_name()
        .and_then(|n| n.to_str())
        .expect("a case name");
    let files = read_spec(&dir.join("spec"));
    let sources: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    let mount = Mount::at(&format!("crate::codegen_cases::{name}")).expect("a case name");
    let result = Spec::from_sources(&sources).and_then(|s| generate(&s, &mount));
    let error_file = dir.join("error.txt");
    if error_file.exists() {
        let want = fs::read_to_string(&error_file).expect("error.txt");
        let want = want.trim();
        return match result {
            Ok(_) => vec![format!("{name}: generated, but error.txt expects `{want}`")],
            Err(e) if e.to_string().contains(want) => Vec::new(),
            Err(e) => vec![format!("{name}: error `{e}` does not contain `{want}`")],
        };
    }
    let out = match result {
        Ok(out) => out,
        Err(e) => return vec![format!("{name}: {e}")],
    };
    let expected = dir.join("expected");
    let mut problems = Vec::new();
    if update {
        let _ = fs::remove_dir_all(&expected);
        fs::create_dir_all(&expected).expect("expected/");
    }
    for f in &out {
        let path = expected.join(&f.name);
        if update {
            fs::write(&path, &f.contents).expect("writable expected/");
            continue;
        }
        match fs::read_to_string(&path) {
            Ok(text) if text == f.contents => {}
            Ok(_) => problems.push(format!("{name}: expected/{} differs", f.name)),
            Err(_) => problems.push(format!("{name}: expected/{} is missing", f.name)),
        }
    }
    if let Ok(entries) = fs::read_dir(&expected) {
        for e in entries {
            let file = e.expect("a directory entry").file_name();
            let file = file.to_string_lossy();
            if !out.iter().any(|f| f.name == file) {
                problems.push(format!("{name}: expected/{file} is not generated"));
            }
        }
    }
    problems
}

#[test]
fn every_case_generates_its_expected_output() {
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let cases = cases();
    assert!(!cases.is_empty(), "no cases found");
    let problems: Vec<String> = cases.iter().flat_map(|c| check(c, update)).collect();
    assert!(
        problems.is_empty(),
        "{}\n(rerun with UPDATE_EXPECT=1 to accept the new output)",
        problems.join("\n")
    );
}

/// Every case with expected output is compiled by `slack-api`'s tests.
#[test]
fn slack_api_compiles_every_case() {
    let harness = Path::new(env!("CARGO_MANIFEST_DIR")).join("../slack-api/src/codegen_cases.rs");
    let text = fs::read_to_string(&harness).expect("slack-api/src/codegen_cases.rs");
    for dir in cases() {
        if dir.join("error.txt").exists() {
            continue;
        }
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .expect("a case name");
        let listed = text.lines().any(|l| {
            let l = l.trim_start();
            l.starts_with(&format!("case!({name}:")) || l.starts_with(&format!("{name}:"))
        });
        assert!(
            listed,
            "slack-api/src/codegen_cases.rs does not compile case {name}"
        );
    }
}
