//! The reference samples beside the repository, shared by the conformance
//! tests.

use std::path::{Path, PathBuf};

/// `<repo>/../shared/reference/java-slack-sdk-samples/<kind>`, or `None` (after
/// a note) when the reference data is absent and not required.
pub fn samples(kind: &str) -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .and_then(Path::parent)
        .expect("the crate sits two levels below the folder holding shared/");
    let dir = root
        .join("shared/reference/java-slack-sdk-samples")
        .join(kind);
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("REFERENCE_REQUIRED").as_deref() == Ok("1") {
        panic!("REFERENCE_REQUIRED=1 but {} is missing", dir.display());
    }
    eprintln!(
        "note: {} not found; skipping the reference samples",
        dir.display()
    );
    None
}

pub fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("readable sample folder")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
}
