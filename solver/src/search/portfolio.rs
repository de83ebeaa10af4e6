//! A portfolio: one search per ordering, interleaved in slices on one thread.
//!
//! The reference restarts each ordering from scratch with a doubled node budget, throwing the
//! earlier work away. Our searches pause and resume, so every node is visited once: the total
//! is about (number of orderings) x (nodes of the luckiest ordering), with no waste.

use super::engine::{Search, Step};
use super::preorder::{key_table, KeyTable};
use crate::model::{Offset, Problem};
use crate::params::SolverParams;
use crate::sweep::Sweep;

/// What a portfolio run ends with.
pub(crate) struct PortfolioEnd {
    /// `Solved`, `Infeasible` or `Stopped`.
    pub(crate) step: Step,
    /// Which ordering of `params.preordering_heuristics` decided, if one did.
    pub(crate) decided_by: Option<usize>,
    /// Item offsets when solved.
    pub(crate) item_offsets: Vec<Offset>,
}

/// Runs the orderings of `params` round-robin until one decides or `tick` asks to stop.
/// `tick` receives the nodes and backtracks since its last call, every few dozen nodes.
pub(crate) fn run_portfolio(
    problem: &Problem,
    sweep: &Sweep,
    params: &SolverParams,
    capacity: Offset,
    tick: &mut dyn FnMut(u64, u64) -> bool,
) -> PortfolioEnd {
    let keys = key_table(problem, sweep);
    let mut portfolio = Portfolio::new(sweep, &keys, params, capacity);
    loop {
        if let Some(end) = portfolio.run_round(tick) {
            return end;
        }
    }
}

/// A search the portfolio adds on a perfect packing, beside the ordinary ones.
#[derive(Clone, Copy)]
enum Lane {
    /// Limited discrepancies, each run of a split starting from what the path spent.
    Limited,
    /// Limited discrepancies, each run of a split starting from nothing spent.
    LimitedResetting,
    /// An ordinary search with the hole fillers flush with a neighbouring floor first.
    Flush,
}

/// The lanes added on a perfect packing, by the index of their ordering (those past the
/// last ordering are left out), in the order they run. Chosen on the 100 seeded `rect`
/// instances (BENCHMARKS.md, issue 14): the limited searches of the first two orderings, the
/// first one's also resetting at splits, the second one's flush-first ordinary search. A
/// limited search of the third ordering decided none of them and only slowed the others.
const LANES: &[(usize, Lane)] = &[
    (0, Lane::Limited),
    (0, Lane::LimitedResetting),
    (1, Lane::Limited),
    (1, Lane::Flush),
];

/// One search per ordering at one capacity, run in rounds that can be spread over time: a
/// minimisation keeps several of these (one per height it probes) and resumes each in turn.
pub(crate) struct Portfolio<'a> {
    searches: Vec<Search<'a>>,
    orderings: Vec<Option<usize>>,
    /// Per search: whether its failure proves there is no packing (false for the searches
    /// at a lower height, see [`Portfolio::new`]).
    proves: Vec<bool>,
    slice: u64,
}

/// The ordering at `index` of `params`, or input order.
fn named(params: &SolverParams, index: Option<usize>) -> Option<crate::params::Preordering> {
    index.map(|index| params.preordering_heuristics[index].clone())
}

/// The load of every section when it is the same for all (the height of a perfect packing,
/// if one exists); `None` otherwise.
fn flat_load(sweep: &Sweep) -> Option<Offset> {
    let mut loads = sweep
        .sections
        .iter()
        .map(|members| members.iter().map(|m| m.top - m.bottom).sum::<Offset>());
    let first = loads.next()?;
    loads.all(|load| load == first).then_some(first)
}

impl<'a> Portfolio<'a> {
    pub(crate) fn new(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        params: &SolverParams,
        capacity: Offset,
    ) -> Portfolio<'a> {
        Portfolio::build(sweep, keys, params, capacity, true)
    }

    /// A minimisation's probe at `capacity`: the searches of [`Portfolio::new`] at that
    /// height only (the probe at the lower bound is the one at a flat load's height).
    pub(crate) fn probe(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        params: &SolverParams,
        capacity: Offset,
    ) -> Portfolio<'a> {
        Portfolio::build(sweep, keys, params, capacity, false)
    }

    /// With `lower`, searches at a flat load's height below `capacity` too (see
    /// `SolverParams::flat_load`).
    fn build(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        params: &SolverParams,
        capacity: Offset,
        lower: bool,
    ) -> Portfolio<'a> {
        // Without static preordering every ordering is input order: one search is enough.
        let orderings: Vec<Option<usize>> = if params.static_preordering {
            (0..params.preordering_heuristics.len()).map(Some).collect()
        } else {
            vec![None]
        };
        let searches: Vec<Search<'a>> = orderings
            .iter()
            .map(|&ordering| Search::new(sweep, keys, named(params, ordering), params, capacity))
            .collect();
        let mut portfolio = Portfolio {
            proves: vec![true; searches.len()],
            searches,
            orderings: orderings.clone(),
            // Slices start small, so an easy ordering wins fast, and double each round, so
            // switching costs stay a small fraction of the work.
            slice: (2 * sweep.items.len() as u64).max(64),
        };
        // On a perfect packing, more lanes: the heavy tail there is a search stuck beneath
        // a wrong early decision (see `LANES`).
        if portfolio.searches.first().is_some_and(Search::starts_full) {
            if params.limited_discrepancy {
                portfolio.add_lanes(sweep, keys, params, &orderings, capacity, true);
            }
        } else if let Some(height) =
            flat_load(sweep).filter(|&h| lower && params.flat_load && h < capacity)
        {
            // The same load at every time, below the capacity: a packing at that height is
            // a perfect one, which the hole-filling rules find far faster than the ordinary
            // search finds any packing with room to spare. Their failure proves nothing here.
            let first = Search::new(sweep, keys, named(params, orderings[0]), params, height);
            if first.starts_full() {
                portfolio.push(first, orderings[0], false);
                for &ordering in &orderings[1..] {
                    let search = Search::new(sweep, keys, named(params, ordering), params, height);
                    portfolio.push(search, ordering, false);
                }
                if params.limited_discrepancy {
                    portfolio.add_lanes(sweep, keys, params, &orderings, height, false);
                }
            }
        }
        portfolio
    }

    fn push(&mut self, search: Search<'a>, ordering: Option<usize>, proves: bool) {
        self.searches.push(search);
        self.orderings.push(ordering);
        self.proves.push(proves);
    }

    /// Adds the lanes of [`LANES`] at `capacity`.
    fn add_lanes(
        &mut self,
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        params: &SolverParams,
        orderings: &[Option<usize>],
        capacity: Offset,
        proves: bool,
    ) {
        for &(index, lane) in LANES {
            let Some(&ordering) = orderings.get(index) else {
                continue;
            };
            let mut search = Search::new(sweep, keys, named(params, ordering), params, capacity);
            match lane {
                Lane::Limited => search.limit_discrepancies(),
                Lane::LimitedResetting => {
                    search.limit_discrepancies();
                    search.reset_runs();
                }
                Lane::Flush => search.flush_first(),
            }
            self.push(search, ordering, proves);
        }
    }

    /// Gives every ordering one slice of nodes, then doubles the slice. Returns the end
    /// when an ordering decides or `tick` asks to stop; `None` to be called again.
    pub(crate) fn run_round(
        &mut self,
        tick: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Option<PortfolioEnd> {
        let end = self.run_slice(self.slice, tick);
        self.slice = self.slice.saturating_mul(2);
        end
    }

    /// Gives every ordering `slice` more nodes. Returns the end when an ordering decides or
    /// `tick` asks to stop; `None` to be called again.
    pub(crate) fn run_slice(
        &mut self,
        slice: u64,
        tick: &mut dyn FnMut(u64, u64) -> bool,
    ) -> Option<PortfolioEnd> {
        let mut index = 0;
        while index < self.searches.len() {
            let step = self.searches[index].run(slice, tick);
            if step == Step::Paused {
                index += 1;
                continue;
            }
            if !self.proves[index] && matches!(step, Step::Infeasible | Step::Exhausted) {
                // Nothing at the lower height: the others go on.
                drop(self.searches.remove(index));
                self.orderings.remove(index);
                self.proves.remove(index);
                continue;
            }
            let search = &self.searches[index];
            let decided_by = match step {
                Step::Stopped => None,
                _ => self.orderings[index].or(Some(0)),
            };
            return Some(PortfolioEnd {
                step,
                decided_by,
                item_offsets: search.item_offsets().to_vec(),
            });
        }
        None
    }
}

/// Splits a portfolio into `parts` portfolios of about equal size (orderings dealt out
/// round-robin), one per thread or per web worker; racing them decides the same question.
/// Never more parts than orderings.
pub fn split_portfolio(params: &SolverParams, parts: usize) -> Vec<SolverParams> {
    let orderings = &params.preordering_heuristics;
    let parts = parts.clamp(1, orderings.len().max(1));
    (0..parts)
        .map(|part| SolverParams {
            preordering_heuristics: orderings
                .iter()
                .skip(part)
                .step_by(parts)
                .cloned()
                .collect(),
            ..params.clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::search::preorder::key_table;
    use crate::validate::validate;

    fn keys(parts: &[SolverParams]) -> Vec<Vec<String>> {
        parts
            .iter()
            .map(|p| {
                p.preordering_heuristics
                    .iter()
                    .map(|o| o.to_string())
                    .collect()
            })
            .collect()
    }

    #[test]
    fn split_deals_orderings_round_robin_and_never_leaves_a_part_empty() {
        let params = SolverParams::default();
        assert_eq!(
            keys(&split_portfolio(&params, 1)),
            [vec!["WAT", "TAW", "TWA"]]
        );
        assert_eq!(
            keys(&split_portfolio(&params, 2)),
            [vec!["WAT", "TWA"], vec!["TAW"]]
        );
        assert_eq!(
            keys(&split_portfolio(&params, 8)),
            [["WAT"], ["TAW"], ["TWA"]]
        );
        assert_eq!(split_portfolio(&params, 0).len(), 1);
    }

    /// A flat problem (load 5 at every time) with no perfect packing, found by a random
    /// search against brute force, that fits in 6.
    fn imperfect_flat(capacity: Offset) -> Problem {
        let pieces = [
            (4, 5, 2),
            (3, 5, 2),
            (0, 5, 1),
            (0, 1, 2),
            (0, 2, 2),
            (1, 4, 1),
            (1, 3, 1),
            (2, 4, 1),
            (2, 3, 1),
        ];
        let buffers = pieces
            .iter()
            .enumerate()
            .map(|(i, &(lower, upper, size))| Buffer::new(format!("b{i}"), lower, upper, size))
            .collect();
        Problem::new(buffers, capacity)
    }

    /// Runs the portfolio of `params` at `capacity` to the end: the step, the packing's
    /// height when solved, and how many searches it started with. `probe`: a minimisation's.
    fn decide(problem: &Problem, params: &SolverParams, probe: bool) -> (Step, Offset, usize) {
        decide_then(problem, params, probe, |_| {})
    }

    /// [`decide`], with `change` applied to the portfolio before it runs.
    fn decide_then(
        problem: &Problem,
        params: &SolverParams,
        probe: bool,
        change: impl FnOnce(&mut Portfolio<'_>),
    ) -> (Step, Offset, usize) {
        let sweep = Sweep::new(problem);
        let keys = key_table(problem, &sweep);
        let capacity = problem.capacity;
        let mut portfolio = match probe {
            true => Portfolio::probe(&sweep, &keys, params, capacity),
            false => Portfolio::new(&sweep, &keys, params, capacity),
        };
        let searches = portfolio.searches.len();
        change(&mut portfolio);
        let end = loop {
            if let Some(end) = portfolio.run_round(&mut |_, _| false) {
                break end;
            }
        };
        let mut offsets = vec![0; problem.buffers.len()];
        for (item, &offset) in sweep.items.iter().zip(&end.item_offsets) {
            offsets[item.index] = offset;
        }
        let height = match end.step {
            Step::Solved => {
                let solution = Solution::from_offsets(problem, offsets);
                validate(problem, &solution).expect("a valid packing");
                solution.height
            }
            _ => 0,
        };
        (end.step, height, searches)
    }

    #[test]
    fn searches_at_a_flat_load_find_its_perfect_packings_and_prove_nothing() {
        let params = SolverParams::default();
        // At its load, no packing: the searches there prove it, as ever.
        assert_eq!(
            decide(&imperfect_flat(5), &params, false).0,
            Step::Infeasible
        );
        // One unit above, three ordinary searches at 6, and three ordinary searches and the
        // five lanes at 5 (none proving: they all fail first, and the ones at 6 decide).
        let (step, height, searches) = decide(&imperfect_flat(6), &params, false);
        assert_eq!(
            (step, height, searches),
            (Step::Solved, 6, 3 + 3 + LANES.len())
        );
        // The same with the searches at 5 run first: each fails, is dropped, and the
        // portfolio goes on until one at 6 finds the packing.
        let mut left = 0;
        let lower_first = |portfolio: &mut Portfolio<'_>| {
            portfolio.searches.rotate_left(3);
            portfolio.orderings.rotate_left(3);
            portfolio.proves.rotate_left(3);
        };
        let (step, height, _) = decide_then(&imperfect_flat(6), &params, false, |portfolio| {
            lower_first(portfolio);
            // Within one slice every search at 5 fails, and one at 6 solves.
            let end = portfolio.run_slice(1 << 20, &mut |_, _| false);
            assert_eq!(end.map(|end| end.step), Some(Step::Solved));
            left = portfolio.searches.len();
        });
        assert_eq!((step, height, left), (Step::Solved, 6, 3));
        // Neither with the switch off nor in a minimisation's probe (its probe at the
        // lower bound is the search at the flat load).
        let off = SolverParams {
            flat_load: false,
            ..params.clone()
        };
        assert_eq!(decide(&imperfect_flat(6), &off, false).2, 3);
        assert_eq!(decide(&imperfect_flat(6), &params, true).2, 3);
        // Without the lanes, the ordinary searches at the load only.
        let ordinary = SolverParams {
            limited_discrepancy: false,
            ..params.clone()
        };
        assert_eq!(decide(&imperfect_flat(6), &ordinary, false).2, 6);
        // A perfect packing (a rectangle of height 5 cut in three) given room to spare.
        let perfect = Problem::new(
            vec![
                Buffer::new("a", 0, 5, 2),
                Buffer::new("b", 0, 3, 3),
                Buffer::new("c", 3, 5, 3),
            ],
            6,
        );
        let (step, height, searches) = decide(&perfect, &params, false);
        assert_eq!((step, searches), (Step::Solved, 3 + 3 + LANES.len()));
        assert!(height <= 6);
    }
}
