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
    slice: u64,
}

impl<'a> Portfolio<'a> {
    pub(crate) fn new(
        sweep: &'a Sweep,
        keys: &'a KeyTable,
        params: &SolverParams,
        capacity: Offset,
    ) -> Portfolio<'a> {
        // Without static preordering every ordering is input order: one search is enough.
        let orderings: Vec<Option<usize>> = if params.static_preordering {
            (0..params.preordering_heuristics.len()).map(Some).collect()
        } else {
            vec![None]
        };
        let mut searches: Vec<Search<'a>> = orderings
            .iter()
            .map(|ordering| {
                let ordering = ordering.map(|index| params.preordering_heuristics[index].clone());
                Search::new(sweep, keys, ordering, params, capacity)
            })
            .collect();
        // On a perfect packing, more lanes: the heavy tail there is a search stuck beneath
        // a wrong early decision (see `LANES`).
        let mut orderings = orderings;
        if params.limited_discrepancy && searches.first().is_some_and(Search::starts_full) {
            for &(index, lane) in LANES {
                let Some(&ordering) = orderings.get(index) else {
                    continue;
                };
                let mut search = Search::new(
                    sweep,
                    keys,
                    ordering.map(|index| params.preordering_heuristics[index].clone()),
                    params,
                    capacity,
                );
                match lane {
                    Lane::Limited => search.limit_discrepancies(),
                    Lane::LimitedResetting => {
                        search.limit_discrepancies();
                        search.reset_runs();
                    }
                    Lane::Flush => search.flush_first(),
                }
                searches.push(search);
                orderings.push(ordering);
            }
        }
        Portfolio {
            searches,
            orderings,
            // Slices start small, so an easy ordering wins fast, and double each round, so
            // switching costs stay a small fraction of the work.
            slice: (2 * sweep.items.len() as u64).max(64),
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
        for (index, search) in self.searches.iter_mut().enumerate() {
            let step = search.run(slice, tick);
            if step == Step::Paused {
                continue;
            }
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
}
