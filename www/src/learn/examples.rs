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

pub(crate) const TEACHING: &[TeachingExample] = &[
    TeachingExample {
        title: "Perfect packing (capacity 11)",
        file: "perfect.11.csv",
        capacity: 11,
        idea: "Seven buffers fill memory exactly: at every instant the live buffers add up to \
               11, so LOAD is 11 and so is the optimum, with no hole anywhere. Every greedy \
               heuristic stops above it (the best at 12; compare them below): deciding one \
               buffer at a time, they put c too high. The exact search finds 11 in 11 nodes.",
    },
    TeachingExample {
        title: "Infeasible although LOAD fits (capacity 6)",
        file: "infeasible.6.csv",
        capacity: 6,
        idea: "LOAD is 6, so the lower bound allows capacity 6, yet nothing fits: a pins b to \
               an edge, g pins e, b and e take opposite edges, and c (alive 1–5) would have to \
               touch both. Watch section inference kill branches before they are tried, until \
               the whole space is exhausted (60 nodes).",
    },
    TeachingExample {
        title: "Decomposition: independent halves (capacity 3)",
        file: "decomposition.3.csv",
        capacity: 3,
        idea: "e is the only buffer alive on both sides of time 5. Once it is placed, nothing \
               unplaced crosses time 5 and the search splits the rest into two runs, a–d and \
               f–i. When the second run fails, only it is retried: a–d are never moved again \
               (switch Decomposition off below and the same failure is met 6 times).",
    },
    TeachingExample {
        title: "Alignment leaves holes (capacity 9)",
        file: "alignment.9.csv",
        capacity: 9,
        idea: "a and b must start at multiples of 4 and live together, so one sits at 0 and the \
               other at 4: the 1-unit hole left is too small for c, which goes on top. The \
               optimum is 9, one above LOAD; with every alignment 1 the three stack to 8.",
    },
    TeachingExample {
        title: "Gaps share memory (capacity 8)",
        file: "gaps.8.csv",
        capacity: 8,
        idea: "a holds no memory during its gap (times 3–7), so b, alive only then, can take the \
               very same units: both sit at offset 0. Without the gap the optimum would be 10.",
    },
];
