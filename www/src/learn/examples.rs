//! The curated teaching examples, shipped in `examples/teaching/` by `cargo xtask dist` from
//! `tests/fixtures/teaching/`, where `tests/tests/teaching.rs` checks that each one's point
//! holds and the README states its figures.

pub(crate) struct TeachingExample {
    pub(crate) title: &'static str,
    pub(crate) file: &'static str,
    pub(crate) capacity: i64,
    /// What it shows, in a sentence or two (from the fixtures' README).
    pub(crate) idea: &'static str,
}

pub(crate) const TEACHING: &[TeachingExample] = &[];
