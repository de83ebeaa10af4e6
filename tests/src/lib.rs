//! Support for bufpack's tests and benchmarks.
//!
//! The cross-crate tests themselves live in `tests/`; this library holds what both they and
//! `cargo xtask gen` need, so that a benchmark instance and a test instance come from the
//! same code.

pub mod generate;
