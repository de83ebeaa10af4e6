//! A node's candidates: put in the order they are tried, pruned by dominance and hatless
//! items, and kept in a bounded window, the rest made again from the node's state when the
//! window runs out.
//!
//! Why a window: an open node used to keep every candidate it had not tried yet, and in a
//! big component (thousands of unplaced items, e.g. a long trace with a few fixed buffers
//! that keep it from splitting) nearly every item is a candidate at every node, so a search
//! many frames deep held depth x items candidates: quadratic, where memory must stay
//! proportional to the input. With the window an open node holds at most [`WINDOW`]; the
//! state it was opened in comes back exactly when the search returns to it (the undo log),
//! so making its candidates again gives the same list, and the next window starts after the
//! last one tried.

use super::{Candidate, Frame, Level, Search, UNPLACED};
use crate::model::Offset;
use crate::search::trace::{Prune, Tracer};

/// The most untried candidates an open node keeps.
pub(super) const WINDOW: usize = 256;

impl<T: Tracer> Search<'_, T> {
    /// Sorts the candidates from `first` on into the order they are tried and drops those
    /// dominance and hatless pruning rule out; `record` says whether to trace the prunings
    /// (not when the list is made again).
    pub(super) fn order_candidates(
        &mut self,
        members: &[u32],
        first: usize,
        lowest_top: Offset,
        record: bool,
    ) {
        // By (offset, rank) with dynamic ordering, else by rank (then offset, for a raised
        // item's several offsets: the order must be total for the window to resume it). One
        // closure for both, so one instantiation of the sort (wasm size, see crate::sort).
        let dynamic = self.switches.dynamic_ordering;
        self.candidates[first..].sort_unstable_by_key(|c| order_key(dynamic, c));
        if self.switches.dominance {
            // A candidate at or above the lowest top of any unplaced item j is never needed:
            // in any packing where it comes next, everything placed from then on lies above
            // j's lowest spot, so j could drop there and the sum of offsets would shrink.
            // Packings of least offset sum therefore survive.
            if T::ON && record {
                self.record_dominance(members, first, lowest_top);
            }
            let mut kept = first;
            for index in first..self.candidates.len() {
                if self.candidates[index].offset < lowest_top {
                    self.candidates[kept] = self.candidates[index];
                    kept += 1;
                }
            }
            self.candidates.truncate(kept);
        }
        if self.switches.hatless && self.switches.canonical {
            // A candidate with no unplaced neighbour can never rise, so every canonical
            // completion places it exactly here: candidates sorted after it never come next.
            let hatless = self.candidates[first..]
                .iter()
                .position(|c| self.open_neighbours[c.item as usize] == 0);
            if let Some(position) = hatless {
                let cut = first + position + 1;
                if T::ON && record && cut < self.candidates.len() {
                    let hatless = &self.candidates[first + position];
                    let prune = Prune::Hatless {
                        buffer: self.sweep.items[hatless.item as usize].index,
                        dropped: self.traced_candidates(&self.candidates[cut..]),
                    };
                    self.record_prune(prune);
                }
                self.candidates.truncate(cut);
            }
        }
    }

    /// The window of the top node (component `[lo, hi]`, candidates from `first`) ran out
    /// and the node's state is restored: makes its candidates again and keeps the next
    /// window, those after the last one tried (none when it was the last).
    pub(super) fn next_window(&mut self, lo: u32, hi: u32, first: usize) {
        let last = *self.candidates.last().expect("a window holds a candidate");
        self.candidates.truncate(first);
        let sweep = self.sweep;
        let members = sweep.starting_in(lo, hi);
        // As at the node's entry, which found no reason to end the node.
        let mut lowest_top = Offset::MAX;
        for &item in members {
            if self.offset[item as usize] != UNPLACED {
                continue;
            }
            let offset = self.lowest_offset(item, self.min_offset[item as usize]);
            self.base[item as usize] = offset;
            lowest_top = lowest_top.min(offset + sweep.items[item as usize].size);
            let rank = self.rank[item as usize];
            let after_level = Level {
                offset,
                rank: rank as i64,
            } > self.level;
            if !self.holes && (!self.switches.canonical || after_level) {
                self.candidates.push(Candidate { offset, rank, item });
            }
        }
        if self.holes {
            self.push_hole_fillers(lo, hi, first);
        } else {
            if self.enumerate_raised {
                self.push_raised_offsets(members, lowest_top);
            }
            self.order_candidates(members, first, lowest_top, false);
        }
        #[cfg(test)]
        {
            self.renewed += 1;
        }
        let tried = if self.holes {
            // Hole fillers (one offset each) come in an order of their own (see
            // `push_hole_fillers`), the same again from the same state.
            self.candidates[first..]
                .iter()
                .position(|c| c.item == last.item)
                .expect("the last candidate tried is made again")
                + 1
        } else {
            let dynamic = self.switches.dynamic_ordering;
            self.candidates[first..]
                .partition_point(|c| order_key(dynamic, c) <= order_key(dynamic, &last))
        };
        self.candidates.drain(first..first + tried);
        let more = self.candidates.len() - first > self.window;
        if more {
            self.candidates.truncate(first + self.window);
        }
        if let Some(Frame::Node {
            next, more: flag, ..
        }) = self.stack.last_mut()
        {
            (*next, *flag) = (0, more);
        }
    }
}

/// The order candidates are tried in, a total one: `(offset, rank, offset)` with dynamic
/// ordering, `(0, rank, offset)` without.
fn order_key(dynamic: bool, c: &Candidate) -> (Offset, u32, Offset) {
    (if dynamic { c.offset } else { 0 }, c.rank, c.offset)
}

#[cfg(test)]
mod tests {
    use super::super::{Search, Step};
    use crate::model::{Buffer, Offset, Problem};
    use crate::params::SolverParams;
    use crate::search::preorder::key_table;
    use crate::sweep::Sweep;

    /// A small random problem: overlapping lifespans, some aligned buffers, one fixed.
    fn problem(seed: u64, count: usize) -> Problem {
        let mut rng = crate::test_rng::XorShift(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut next = |bound: u64| rng.below(bound) as i64;
        let mut buffers: Vec<Buffer> = (0..count)
            .map(|index| {
                let lower = next(20);
                let mut buffer = Buffer::new(
                    format!("b{index}"),
                    lower,
                    lower + 1 + next(12),
                    1 + next(9),
                );
                if next(4) == 0 {
                    buffer.alignment = 2;
                }
                buffer
            })
            .collect();
        if seed.is_multiple_of(3) {
            buffers[0].offset = Some(4);
            buffers[0].alignment = 1;
        }
        Problem::new(buffers, 1000)
    }

    /// The whole search at `capacity`: how it ended, nodes, backtracks, offsets.
    fn search(
        problem: &Problem,
        params: &SolverParams,
        capacity: Offset,
        window: usize,
    ) -> (Step, u64, u64, Vec<Offset>) {
        let sweep = Sweep::new(problem);
        let keys = key_table(problem, &sweep);
        let ordering = params.preordering_heuristics.first().cloned();
        let mut search = Search::new(&sweep, &keys, ordering, params, capacity);
        search.window = window;
        let step = search.run(u64::MAX, &mut |_, _| false);
        (
            step,
            search.nodes,
            search.backtracks,
            search.item_offsets().to_vec(),
        )
    }

    /// How many windows a search with a window of 1 makes again.
    fn search_renewing(problem: &Problem, params: &SolverParams, capacity: Offset) -> u64 {
        let sweep = Sweep::new(problem);
        let keys = key_table(problem, &sweep);
        let ordering = params.preordering_heuristics.first().cloned();
        let mut search = Search::new(&sweep, &keys, ordering, params, capacity);
        search.window = 1;
        search.run(u64::MAX, &mut |_, _| false);
        search.renewed
    }

    #[test]
    fn a_window_of_any_size_searches_exactly_as_the_whole_list() {
        let mut variants = vec![SolverParams::default(), SolverParams::reference()];
        variants.push(SolverParams {
            dynamic_ordering: false,
            ..SolverParams::default()
        });
        variants.push(SolverParams {
            check_dominance: false,
            hatless_pruning: false,
            ..SolverParams::default()
        });
        let mut renewed = 0;
        for seed in 0..40 {
            let problem = problem(seed, 10 + seed as usize % 8);
            let load = crate::bounds::LowerBound::of(&problem).height;
            for params in &variants {
                for capacity in [load, load + 3] {
                    let whole = search(&problem, params, capacity, usize::MAX);
                    for window in [1, 2, 3] {
                        let windowed = search(&problem, params, capacity, window);
                        assert_eq!(
                            windowed, whole,
                            "seed {seed}, capacity {capacity}, window {window}, {params:?}"
                        );
                    }
                    renewed += search_renewing(&problem, params, capacity);
                }
            }
        }
        // The test means something only if windows ran out and were made again.
        assert!(renewed > 100, "{renewed} windows made again");
    }
}
