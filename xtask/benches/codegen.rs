//! Item 6 of BENCHMARKS.md: the generator's wall time for the whole spec,
//! warm, without cargo's build: read `spec/`, generate and format every file,
//! and compare it with the checked-in code (`cargo xtask codegen --check`).
//!
//! `cargo bench -p xtask --bench codegen` prints criterion's figures, then a
//! `TARGET` line against the 1 s target.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::Criterion;

fn main() {
    let root = xtask::workspace_root();
    let run = || {
        let report = xtask::codegen(&root, true).unwrap_or_else(|e| panic!("{e}"));
        assert!(report.files > 5, "no generated files");
        black_box(report)
    };

    let mut c = Criterion::default()
        .configure_from_args()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    c.bench_function("codegen/whole_spec_check", |b| b.iter(run));
    c.final_summary();

    let mut times: Vec<Duration> = (0..7)
        .map(|_| {
            let started = Instant::now();
            run();
            started.elapsed()
        })
        .collect();
    times.sort();
    let median = times[times.len() / 2];
    let lines = run().lines;
    println!(
        "TARGET codegen whole spec ({lines} lines): median {median:?} (target < 1 s): {}",
        if median < Duration::from_secs(1) {
            "met"
        } else {
            "NOT met"
        }
    );
}
