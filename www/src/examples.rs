//! The built-in examples, shipped beside the page in `examples/` by `cargo xtask dist`.

pub(crate) struct Example {
    pub(crate) title: &'static str,
    pub(crate) file: &'static str,
    /// The capacity to solve at; `None` minimises.
    pub(crate) capacity: Option<i64>,
}

pub(crate) const EXAMPLES: &[Example] = &[
    Example {
        title: "Five buffers (MiniMalloc's example), capacity 12",
        file: "input.12.csv",
        capacity: Some(12),
    },
    Example {
        title: "Five buffers, minimised",
        file: "input.12.csv",
        capacity: None,
    },
    // The Learn view's curated examples (tests/fixtures/teaching), small enough to read.
    Example {
        title: "Teaching: a perfect packing (LOAD = optimum = 11), minimised",
        file: "teaching/perfect.11.csv",
        capacity: None,
    },
    Example {
        title: "Teaching: infeasible at 6 although LOAD is 6",
        file: "teaching/infeasible.6.csv",
        capacity: Some(6),
    },
    Example {
        title: "Teaching: decomposition, capacity 3",
        file: "teaching/decomposition.3.csv",
        capacity: Some(3),
    },
    Example {
        title: "Teaching: alignment leaves a hole, minimised",
        file: "teaching/alignment.9.csv",
        capacity: None,
    },
    Example {
        title: "Teaching: a gap shares memory, minimised",
        file: "teaching/gaps.8.csv",
        capacity: None,
    },
    Example {
        title: "Challenging A (1 MiB)",
        file: "A.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging B (1 MiB)",
        file: "B.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging C, minimised (proven optimal)",
        file: "C.1048576.csv",
        capacity: None,
    },
    Example {
        title: "Challenging D, minimised (gap shown)",
        file: "D.1048576.csv",
        capacity: None,
    },
    Example {
        title: "Challenging E (1 MiB)",
        file: "E.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging F (1 MiB)",
        file: "F.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging G (1 MiB)",
        file: "G.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging H (1 MiB)",
        file: "H.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging I (1 MiB)",
        file: "I.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging J (1 MiB)",
        file: "J.1048576.csv",
        capacity: Some(1_048_576),
    },
    Example {
        title: "Challenging K (1 MiB)",
        file: "K.1048576.csv",
        capacity: Some(1_048_576),
    },
];
