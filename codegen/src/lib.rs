//! Spec in, Rust source out.
