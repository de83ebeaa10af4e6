//! Limited discrepancies: a search that trusts the order of its candidates, in iterations.
//!
//! Trying a node's candidate number `i` (from 0, over all windows) costs `i` discrepancies,
//! and a path may spend at most the iteration's limit, `k = 0, 1, 2, ...`: iteration `k`
//! visits every path whose candidates' positions sum to at most `k`, and starts over from
//! the root with `k + 1` when it fails. A depth-first search that took a wrong early
//! decision refutes the whole subtree beneath it before it looks at the decision's
//! siblings; an iteration here looks at the siblings of every decision on the path, early
//! ones included, at the cost of a few deviations.
//!
//! Sound: a candidate left untried for want of discrepancies marks the iteration as *cut*,
//! and a cut iteration that fails proves nothing, so the next one starts. An iteration that
//! fails without a cut tried every candidate the ordinary search would have (the same
//! prunings, the same lists): its failure is the ordinary search's proof. Every packing is
//! reached by the iteration whose limit is its path's cost, so none is lost either.
//!
//! The runs of a split are independent: each starts from what the path to the split spent,
//! not from what the runs before it spent; or, with [`Search::reset_runs`], from nothing,
//! so each run may spend the whole limit again (a larger iteration at the same limit, which
//! reaches packings whose runs each need a few discrepancies). Hole filling's nodes are nodes like the others,
//! and their fillers cost the same; since the first candidates are the ones trusted, such a
//! search tries first the fillers whose top is flush with the floor of a section beside
//! them (see `push_hole_fillers`). Any order of the fillers is complete.

use super::{Action, Search, GROUND};
use crate::search::trace::Tracer;

/// What trying the candidate after `tried` others at a node costs.
#[inline(always)]
pub(super) fn cost(tried: u32) -> u32 {
    tried
}

impl<T: Tracer> Search<'_, T> {
    /// Makes this (not yet started) search one of limited discrepancies, from a limit of 0.
    pub(crate) fn limit_discrepancies(&mut self) {
        debug_assert_eq!(self.nodes, 0, "set before the search starts");
        self.discrepancy_limit = Some(0);
        self.flush_first = true;
    }

    /// Makes this limited search start every run of a split from nothing spent.
    pub(crate) fn reset_runs(&mut self) {
        debug_assert!(self.discrepancy_limit.is_some(), "a limited search");
        self.reset_runs = true;
    }

    /// Makes this (ordinary) search try first the hole fillers flush with a neighbouring
    /// floor, as the limited searches do.
    pub(crate) fn flush_first(&mut self) {
        debug_assert_eq!(self.nodes, 0, "set before the search starts");
        self.flush_first = true;
    }

    /// Whether the whole problem is full to the capacity in every section, so the search
    /// fills holes from the root: a perfect packing, where it may need no room at all.
    pub(crate) fn starts_full(&self) -> bool {
        self.nodes == 0 && self.holes
    }

    /// Whether the top node, after `tried` candidates on a path that spent `spent`, may try
    /// the next one. Records a refusal (see [`Search::next_iteration`]).
    pub(super) fn may_try(&mut self, tried: u32, spent: u32) -> bool {
        let Some(limit) = self.discrepancy_limit else {
            return true;
        };
        let allowed = spent.saturating_add(cost(tried)) <= limit;
        self.cut |= !allowed;
        allowed
    }

    /// The root failed in an iteration that left candidates untried: starts the next one,
    /// with one discrepancy more. The failed iteration undid all it did, split ranks
    /// included, so the search is as it was when it started.
    pub(super) fn next_iteration(&mut self) -> Action {
        debug_assert!(self.undo.is_empty() && self.saved_ranks.is_empty());
        let limit = self
            .discrepancy_limit
            .expect("only an iteration with a limit is cut");
        self.discrepancy_limit = Some(limit.saturating_add(1));
        self.cut = false;
        self.spent = 0;
        self.level = GROUND;
        self.touched = None;
        let last = self.sweep.sections.len() as u32 - 1;
        self.holes = self.full(0, last);
        Action::Enter(0, last)
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::cut_rectangle;
    use super::super::{Search, Step};
    use crate::model::{Offset, Problem, Solution};
    use crate::params::SolverParams;
    use crate::search::preorder::key_table;
    use crate::sweep::Sweep;
    use crate::validate::validate;

    /// Which search: the ordinary one, limited, limited resetting at splits, or the ordinary
    /// one with flush fillers first.
    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Kind {
        Ordinary,
        Limited,
        Resetting,
        Flush,
    }

    /// One ordering's whole search: how it ended, the packing if it found one, whether the
    /// problem was full from the root, and the last iteration's limit.
    fn search(
        problem: &Problem,
        params: &SolverParams,
        capacity: Offset,
        kind: Kind,
    ) -> (Step, Vec<Offset>, bool, Option<u32>) {
        let (step, offsets, full, limit, _, _) = windowed(problem, params, capacity, kind, 256);
        (step, offsets, full, limit)
    }

    /// [`search`] with a window of `window` candidates, and the nodes it visited and the
    /// windows it made again.
    fn windowed(
        problem: &Problem,
        params: &SolverParams,
        capacity: Offset,
        kind: Kind,
        window: usize,
    ) -> (Step, Vec<Offset>, bool, Option<u32>, u64, u64) {
        let sweep = Sweep::new(problem);
        let keys = key_table(problem, &sweep);
        let ordering = params.preordering_heuristics.first().cloned();
        let mut search = Search::new(&sweep, &keys, ordering, params, capacity);
        let full = search.starts_full();
        match kind {
            Kind::Ordinary => {}
            Kind::Limited => search.limit_discrepancies(),
            Kind::Resetting => {
                search.limit_discrepancies();
                search.reset_runs();
            }
            Kind::Flush => search.flush_first(),
        }
        search.window = window;
        let step = search.run(u64::MAX, &mut |_, _| false);
        let mut offsets = vec![0; problem.buffers.len()];
        for (item, &offset) in sweep.items.iter().zip(search.item_offsets()) {
            offsets[item.index] = offset;
        }
        let (limit, nodes, renewed) = (search.discrepancy_limit, search.nodes, search.renewed);
        (step, offsets, full, limit, nodes, renewed)
    }

    #[test]
    fn a_window_of_any_size_searches_limited_discrepancies_as_the_whole_list() {
        let params = SolverParams::default();
        let mut renewed = 0;
        for seed in 0..60 {
            let problem = cut_rectangle(seed, 10 + seed as usize % 30);
            for kind in [Kind::Limited, Kind::Resetting] {
                let mut whole = windowed(&problem, &params, 64, kind, usize::MAX);
                whole.5 = 0;
                for window in [1, 2, 3] {
                    let mut windowed = windowed(&problem, &params, 64, kind, window);
                    renewed += std::mem::take(&mut windowed.5);
                    assert_eq!(windowed, whole, "seed {seed}, {kind:?}, window {window}");
                }
            }
        }
        // Hole fillers ran out of windows and were made again.
        assert!(renewed > 10, "{renewed} windows made again");
    }

    #[test]
    fn limited_discrepancies_decide_as_the_ordinary_search_does() {
        let (mut iterated, mut other_packing, mut reset_differs) = (0, 0, 0);
        for seed in 0..200 {
            let problem = cut_rectangle(seed, 10 + seed as usize % 30);
            for (params, capacity) in [
                (SolverParams::default(), 64),
                (SolverParams::default(), 63),
                (SolverParams::reference(), 64),
            ] {
                let (step, offsets, full, _) = search(&problem, &params, capacity, Kind::Ordinary);
                assert_eq!(
                    full,
                    params.fill_holes && capacity == 64,
                    "full at the height"
                );
                let limited = search(&problem, &params, capacity, Kind::Limited);
                for kind in [Kind::Limited, Kind::Resetting, Kind::Flush] {
                    let other = search(&problem, &params, capacity, kind);
                    assert_eq!(
                        other.0, step,
                        "seed {seed}, capacity {capacity}, {kind:?}, {params:?}"
                    );
                    if step == Step::Solved {
                        let solution = Solution::from_offsets(&problem, other.1.clone());
                        validate(&problem, &solution).unwrap();
                        assert!(solution.height <= capacity);
                    }
                    reset_differs += u32::from(kind == Kind::Resetting && other != limited);
                }
                iterated += u32::from(limited.3 > Some(0));
                other_packing += u32::from(step == Step::Solved && limited.1 != offsets);
            }
        }
        // The test means something only if iterations started over and found packings the
        // ordinary search does not find first, and resetting at splits changed a search.
        assert!(
            iterated > 10 && other_packing > 0 && reset_differs > 0,
            "{iterated}, {other_packing}, {reset_differs}"
        );
        println!("{iterated} started over, {other_packing} found another packing, {reset_differs} changed by resetting");
    }
}
