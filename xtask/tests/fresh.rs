//! The checked-in generated code matches the spec, and every family has a feature.

#[test]
fn generated_code_is_fresh() {
    let report = xtask::codegen(&xtask::workspace_root(), true).unwrap_or_else(|e| panic!("{e}"));
    let problems: Vec<String> = report.problems.iter().map(ToString::to_string).collect();
    assert!(
        problems.is_empty(),
        "run `cargo xtask codegen`:\n{}",
        problems.join("\n")
    );
    assert!(
        report.files > 5,
        "expected generated files, got {}",
        report.files
    );
}
