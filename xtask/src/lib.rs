//! Maintainer tasks for slack-rs. `cargo xtask codegen` regenerates
//! `slack-api/src/generated/` from `spec/`; `--check` verifies it is fresh.
#![warn(missing_docs)]

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The workspace root (xtask lives one level below it).
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// Where the generated code goes, relative to the workspace root.
pub const GENERATED_DIR: &str = "slack-api/src/generated";

/// Something wrong with the checked-in generated code or the features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A generated file differs from what the spec produces.
    Stale(String),
    /// A generated file is missing.
    Missing(String),
    /// A `.rs` file in the generated directory that the spec no longer produces.
    Orphaned(String),
    /// A family without a `[features]` entry in `slack-api/Cargo.toml`.
    MissingFeature(String),
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Stale(n) => write!(f, "{GENERATED_DIR}/{n} is stale"),
            Problem::Missing(n) => write!(f, "{GENERATED_DIR}/{n} is missing"),
            Problem::Orphaned(n) => {
                write!(f, "{GENERATED_DIR}/{n} is orphaned (no longer generated)")
            }
            Problem::MissingFeature(n) => {
                write!(
                    f,
                    "slack-api/Cargo.toml has no `{n}` feature for family `{n}`"
                )
            }
        }
    }
}

/// What a codegen run did or found.
#[derive(Debug, Default)]
pub struct Report {
    /// Files generated.
    pub files: usize,
    /// Lines generated.
    pub lines: usize,
    /// Files written (changed or new); always 0 in check mode.
    pub written: Vec<String>,
    /// Orphaned files removed; always empty in check mode.
    pub removed: Vec<String>,
    /// Problems: in check mode every difference, otherwise missing features only.
    pub problems: Vec<Problem>,
}

/// A failure to run codegen at all.
#[derive(Debug)]
pub enum Failure {
    /// Reading or writing a file failed.
    Io(PathBuf, io::Error),
    /// The spec does not generate.
    Codegen(codegen::Error),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Io(p, e) => write!(f, "{}: {e}", p.display()),
            Failure::Codegen(e) => write!(f, "codegen: {e}"),
        }
    }
}

impl std::error::Error for Failure {}

fn io<T>(p: &Path, r: io::Result<T>) -> Result<T, Failure> {
    r.map_err(|e| Failure::Io(p.to_path_buf(), e))
}

/// Reads `spec/` into `(path relative to spec/, contents)` pairs, sorted.
pub fn read_spec(root: &Path) -> Result<Vec<(String, String)>, Failure> {
    let dir = root.join("spec");
    let mut out = Vec::new();
    for name in ["common.json", "types.json", "events.json", "block_kit.json"] {
        let p = dir.join(name);
        if p.exists() {
            out.push((name.to_owned(), io(&p, fs::read_to_string(&p))?));
        }
    }
    let mdir = dir.join("methods");
    let mut names = Vec::new();
    for e in io(&mdir, fs::read_dir(&mdir))? {
        let e = io(&mdir, e)?;
        let n = e.file_name().to_string_lossy().into_owned();
        if n.ends_with(".json") {
            names.push(n);
        }
    }
    names.sort();
    for n in names {
        let p = mdir.join(&n);
        out.push((format!("methods/{n}"), io(&p, fs::read_to_string(&p))?));
    }
    Ok(out)
}

/// Family features missing from `slack-api/Cargo.toml`'s `[features]` table.
fn missing_features(root: &Path, families: &[String]) -> Result<Vec<Problem>, Failure> {
    let p = root.join("slack-api/Cargo.toml");
    let toml = io(&p, fs::read_to_string(&p))?;
    let mut in_features = false;
    let mut features = Vec::new();
    for line in toml.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_features = line == "[features]";
        } else if in_features && let Some((k, _)) = line.split_once('=') {
            features.push(k.trim().trim_matches('"').to_owned());
        }
    }
    Ok(families
        .iter()
        .filter(|f| !features.contains(f))
        .map(|f| Problem::MissingFeature(f.clone()))
        .collect())
}

/// Regenerates (`check == false`) or checks (`check == true`) the generated code.
pub fn codegen(root: &Path, check: bool) -> Result<Report, Failure> {
    let sources = read_spec(root)?;
    let spec = codegen::Spec::from_sources(&sources).map_err(Failure::Codegen)?;
    let files = codegen::generate(&spec, &codegen::Mount::default()).map_err(Failure::Codegen)?;
    let families: Vec<String> = spec.families().map(str::to_owned).collect();
    let mut report = Report {
        files: files.len(),
        lines: files.iter().map(|f| f.contents.lines().count()).sum(),
        problems: missing_features(root, &families)?,
        ..Report::default()
    };
    let out = root.join(GENERATED_DIR);
    if !check {
        io(&out, fs::create_dir_all(&out))?;
    }
    for f in &files {
        let p = out.join(&f.name);
        let old = fs::read_to_string(&p).ok();
        if old.as_deref() == Some(f.contents.as_str()) {
            continue;
        }
        if check {
            report.problems.push(match old {
                Some(_) => Problem::Stale(f.name.clone()),
                None => Problem::Missing(f.name.clone()),
            });
        } else {
            io(&p, fs::write(&p, &f.contents))?;
            report.written.push(f.name.clone());
        }
    }
    if out.exists() {
        let mut orphans = Vec::new();
        for e in io(&out, fs::read_dir(&out))? {
            let n = io(&out, e)?.file_name().to_string_lossy().into_owned();
            if n.ends_with(".rs") && !files.iter().any(|f| f.name == n) {
                orphans.push(n);
            }
        }
        orphans.sort();
        for n in orphans {
            if check {
                report.problems.push(Problem::Orphaned(n));
            } else {
                let p = out.join(&n);
                io(&p, fs::remove_file(&p))?;
                report.removed.push(n);
            }
        }
    }
    Ok(report)
}
