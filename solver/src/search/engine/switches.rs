//! Which of the search's techniques are on, resolved from the caller's parameters: some
//! rest on others (dominance on the canonical order, ledges on hole filling).

use crate::params::SolverParams;

/// Which techniques are on, after resolving the ones that depend on another.
#[derive(Clone, Copy, Debug)]
pub(super) struct Switches {
    pub(super) canonical: bool,
    pub(super) section_inference: bool,
    pub(super) dynamic_ordering: bool,
    pub(super) dominance: bool,
    pub(super) unallocated_floor: bool,
    pub(super) decomposition: bool,
    pub(super) monotonic_floor: bool,
    pub(super) hatless: bool,
    pub(super) canonical_floor: bool,
    pub(super) fill_holes: bool,
    pub(super) ledges: bool,
    pub(super) ordered_stacks: bool,
    pub(super) release_floors: bool,
    pub(super) aligned_stacks: bool,
}

impl Switches {
    pub(super) fn from(params: &SolverParams) -> Switches {
        let canonical = params.canonical_only;
        Switches {
            canonical,
            section_inference: params.section_inference,
            dynamic_ordering: params.dynamic_ordering,
            // Both arguments rest on later buffers never going below the current offset.
            dominance: params.check_dominance && canonical,
            monotonic_floor: params.monotonic_floor && canonical,
            unallocated_floor: params.unallocated_floor,
            decomposition: params.dynamic_decomposition,
            // Siblings tried after a hatless failure must be at least as constrained, which
            // holds when they come in offset order or when there is no canonical level.
            hatless: params.hatless_pruning && (params.dynamic_ordering || !canonical),
            // Rests on every later placement coming after the canonical level.
            canonical_floor: params.canonical_floor && canonical,
            fill_holes: params.fill_holes,
            ledges: params.ledges && params.fill_holes,
            ordered_stacks: params.ordered_stacks && params.fill_holes,
            release_floors: params.release_floors && params.fill_holes,
            // Its floors are section inference's.
            aligned_stacks: params.aligned_stacks && params.section_inference,
        }
    }
}
