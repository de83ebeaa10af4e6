//! The exact solver: decides whether a problem fits its capacity and finds a packing if so.

mod engine;
mod handovers;
mod holes;
pub(crate) mod layers;
mod outcome;
#[cfg(not(target_family = "wasm"))]
mod parallel;
mod portfolio;
mod preorder;
mod progress;
mod stacks;
mod trace;

use crate::bounds::{LoadProfile, LowerBound};
use crate::heuristics::{Greedy, Heuristic};
use crate::model::{Offset, Problem, Solution, MAX_MAGNITUDE};
use crate::monitor::{CheckBudget, Monitor};
use crate::params::{ParamsError, SolverParams};
use crate::sweep::Sweep;
use crate::validate::{validate, ValidationError};

pub use outcome::{Infeasibility, Outcome, Report, SearchStats, SolveError, Undecided};
#[cfg(not(target_family = "wasm"))]
pub use parallel::solve_parallel;
pub use portfolio::Share;
pub use trace::{Prune, Technique, Trace, TraceCandidate, TraceCounts, TraceEvent};

pub(crate) use engine::Step;
pub(crate) use handovers::Handovers;
pub(crate) use portfolio::{KeyTables, Portfolio, PortfolioEnd, Sweeps};
pub(crate) use preorder::key_table;
pub(crate) use progress::ProgressCounter;

use portfolio::run_portfolio;

/// Finds a packing of `problem` within its capacity, or proves there is none, on the
/// calling thread. `monitor` may stop it and receives progress.
pub fn solve(
    problem: &Problem,
    params: &SolverParams,
    monitor: &mut dyn Monitor,
) -> Result<Report, SolveError> {
    solve_share(problem, params, Share::WHOLE, monitor)
}

/// Like [`solve`], running only `share` of the portfolio's searches: one web worker's part
/// of a race (natively, [`solve_parallel`] races the parts on threads). A part whose
/// searches all end without a decision reports [`Outcome::Stopped`]: the others may decide.
// Never inlined: a split into layers packs its leaves with it (`pack_by_layers`), and a
// copy inlined into a caller as well would carry the whole solve twice.
#[inline(never)]
pub fn solve_share(
    problem: &Problem,
    params: &SolverParams,
    share: Share,
    monitor: &mut dyn Monitor,
) -> Result<Report, SolveError> {
    // With `widen_windows`, everything below sees the widened problem (same packings).
    let widened = crate::widen::widened(problem, params).map_err(SolveError::Problem)?;
    let problem = &*widened;
    let prepared = match Prepared::at_capacity(problem, params, monitor)? {
        Ok(prepared) => prepared,
        Err(outcome) => return Ok(Report::early(outcome)),
    };
    let mut counter = ProgressCounter::default();
    if let Some(report) = prepared.by_layers(problem, params, &mut counter, monitor) {
        return Ok(report);
    }
    // The search's stop checks and its places in the race both reach the monitor.
    let monitor = std::cell::RefCell::new(monitor);
    let keys = prepared.key_tables(problem);
    let end = run_portfolio(
        prepared.sweeps(&keys),
        params,
        problem.capacity,
        share,
        &mut |nodes, backtracks| counter.tick(nodes, backtracks, *monitor.borrow_mut()),
        &mut |place| monitor.borrow_mut().racing(place),
    );
    let monitor = monitor.into_inner();
    counter.report(monitor);
    Ok(prepared.finish(problem, params, end, counter.stats()))
}

/// Solves `problem` with one search (the first ordering of `params`, or input order without
/// static preordering) and records it: the first `max_events` events, and counts of all.
/// The report is that search's own, so its packing may differ from [`solve`]'s, which runs
/// every ordering and keeps the first to decide. A problem ruled out before any search
/// (a buffer too large, a LOAD above the capacity, fixed buffers that clash) has no events
/// and says why in its report; so does one too large for the exact search, which is
/// undecided here (no heuristic runs: there is no search to record).
pub fn trace(
    problem: &Problem,
    params: &SolverParams,
    max_events: usize,
    monitor: &mut dyn Monitor,
) -> Result<Trace, SolveError> {
    let ordering = params
        .preordering_heuristics
        .first()
        .filter(|_| params.static_preordering)
        .cloned();
    let recorder = trace::Recorder::new(max_events);
    // With `widen_windows`, everything below sees the widened problem (same packings).
    let widened = crate::widen::widened(problem, params).map_err(SolveError::Problem)?;
    let problem = &*widened;
    let prepared = match Prepared::new_or(problem, params, |cost| too_large(problem, cost, false))?
    {
        Ok(prepared) => prepared,
        Err(outcome) => {
            return Ok(Trace {
                events: recorder.events,
                counts: recorder.counts,
                truncated: false,
                sections: Vec::new(),
                ordering,
                report: Report::early(outcome),
            })
        }
    };
    let keys = key_table(problem, &prepared.sweep);
    let mut search = engine::Search::traced(
        &prepared.sweep,
        &keys,
        ordering.clone(),
        params,
        problem.capacity,
        recorder,
    );
    let mut counter = ProgressCounter::default();
    let step = loop {
        let step = search.run(u64::MAX, &mut |nodes, backtracks| {
            counter.tick(nodes, backtracks, monitor)
        });
        if step != Step::Paused {
            break step;
        }
    };
    counter.report(monitor);
    let end = PortfolioEnd {
        step,
        decided_by: Some(0).filter(|_| step != Step::Stopped),
        when: None,
        item_offsets: search.item_offsets().to_vec(),
        merged: false,
    };
    let one = SolverParams {
        preordering_heuristics: ordering.iter().cloned().collect(),
        ..params.clone()
    };
    let report = prepared.finish(problem, &one, end, counter.stats());
    let recorder = search.into_tracer();
    Ok(Trace {
        events: recorder.events,
        counts: recorder.counts,
        truncated: recorder.truncated,
        sections: prepared.sweep.ends.clone(),
        ordering,
        report,
    })
}

/// What every solve does before searching: check the input, rule out the obvious
/// infeasibilities, and sweep the buffers the search must place.
pub(crate) struct Prepared {
    pub(crate) sweep: Sweep,
    /// The problem merged at its handovers and its sweep (decisions only), which the
    /// portfolio searches beside the original (`portfolio::Sweeps`); merged at the capacity,
    /// or at a flat load's height below it (its capacity says which).
    handovers: Option<(Handovers, Sweep)>,
}

impl Prepared {
    /// For `problem`, which passed its checks (see `widen::widened`). `Err` holds the answer
    /// when no search is needed or possible: an infeasibility on the input's face, or, for an
    /// input over [`SWEEP_BUDGET`], what the heuristics found within the capacity (`monitor`
    /// may stop them).
    pub(crate) fn new(
        problem: &Problem,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
    ) -> Result<Result<Prepared, Outcome>, SolveError> {
        Prepared::new_or(problem, params, |cost| {
            heuristics_within_capacity(problem, cost, monitor)
        })
    }

    /// [`Prepared::new`] with `too_large` deciding an input over [`SWEEP_BUDGET`] (given its
    /// cost). A trace records no heuristics, and so leaves them out of what it links (the
    /// recorder's `.wasm` in the npm package).
    fn new_or(
        problem: &Problem,
        params: &SolverParams,
        too_large: impl FnOnce(u64) -> Outcome,
    ) -> Result<Result<Prepared, Outcome>, SolveError> {
        debug_assert!(problem.check().is_ok(), "an unchecked problem");
        if params.preordering_heuristics.is_empty() {
            return Err(SolveError::Params(ParamsError::NoOrderings));
        }
        for buffer in &problem.buffers {
            let end = buffer.offset.unwrap_or(0) + buffer.size;
            if end > problem.capacity {
                return Ok(Err(Outcome::Infeasible(Infeasibility::TooLarge {
                    id: buffer.id.clone(),
                    end,
                })));
            }
        }
        if let Err(clash) = check_fixed(problem) {
            return Ok(Err(Outcome::Infeasible(Infeasibility::FixedClash(clash))));
        }
        let profile = LoadProfile::of(problem);
        let bound = LowerBound::from_profile(problem, &profile);
        let bound = crate::widen::raise_by_spare(problem, &profile, bound, params);
        drop(profile);
        if bound.height > problem.capacity {
            return Ok(Err(Outcome::Infeasible(Infeasibility::from_bound(
                problem, &bound,
            ))));
        }
        // Counted before anything is built, so memory stays proportional to the input.
        let cost = Sweep::cost(problem);
        if cost > SWEEP_BUDGET {
            return Ok(Err(too_large(cost)));
        }
        Ok(Ok(Prepared {
            sweep: Sweep::new(problem),
            handovers: None,
        }))
    }

    /// [`Prepared::new`] for a decision at the problem's capacity: with `handovers` on, also
    /// the problem with its handovers merged (`search/handovers.rs`) and its sweep, for
    /// [`Prepared::merged`]; [`Prepared::finish`] places the original buffers back from a
    /// packing of it. Where the load is the same at every time and below the capacity (with
    /// `flat_load`), the merging is done at the load's height, where the flat-load searches
    /// look for a perfect packing.
    pub(crate) fn at_capacity(
        problem: &Problem,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
    ) -> Result<Result<Prepared, Outcome>, SolveError> {
        let mut prepared = match Prepared::new(problem, params, monitor)? {
            Ok(prepared) => prepared,
            Err(outcome) => return Ok(Err(outcome)),
        };
        if params.handovers {
            let height = portfolio::flat_load(&prepared.sweep)
                .filter(|&height| params.flat_load && height < problem.capacity)
                .unwrap_or(problem.capacity);
            if let Some(merged) = Handovers::find(problem, height) {
                let sweep = Sweep::new(&merged.problem);
                prepared.handovers = Some((merged, sweep));
            }
        }
        Ok(Ok(prepared))
    }

    /// With `layers`, on a problem whose load is the same at every instant: the packing at
    /// that height its layers give (`search/layers.rs`), as a report, or `None`. Its leaves'
    /// nodes are counted in `counter`.
    pub(crate) fn by_layers(
        &self,
        problem: &Problem,
        params: &SolverParams,
        counter: &mut ProgressCounter,
        monitor: &mut dyn Monitor,
    ) -> Option<Report> {
        if !params.layers {
            return None;
        }
        let height = portfolio::flat_load(&self.sweep)?;
        // Each pick carves other layers; where carving proved every run it met has no layer,
        // the next would split alike.
        for pick in layers::PICKS {
            if monitor.should_stop() {
                return None;
            }
            let Some(split) = layers::split(problem, height, Some(pick)) else {
                continue;
            };
            if let Some(solution) =
                pack_by_layers(problem, &split, params, height, counter, monitor)
            {
                return Some(Report {
                    outcome: Outcome::Solved(solution),
                    stats: counter.stats(),
                });
            }
            if !split.carving {
                break;
            }
        }
        None
    }

    /// The ordering keys of the sweep and of the merged problem's, if any.
    pub(crate) fn key_tables(&self, problem: &Problem) -> KeyTables {
        let merged = self
            .handovers
            .as_ref()
            .map(|(h, sweep)| (&h.problem, sweep));
        KeyTables::of(problem, &self.sweep, merged)
    }

    /// What the portfolio searches: the sweep and the merged problem's, with `keys`.
    pub(crate) fn sweeps<'a>(&'a self, keys: &'a KeyTables) -> Sweeps<'a> {
        keys.sweeps(&self.sweep, self.handovers.as_ref().map(|(_, sweep)| sweep))
    }

    /// Turns a portfolio's end into a report.
    pub(crate) fn finish(
        &self,
        problem: &Problem,
        params: &SolverParams,
        end: PortfolioEnd,
        mut stats: SearchStats,
    ) -> Report {
        stats.ordering =
            portfolio::ordering_at(params, end.decided_by.filter(|_| params.static_preordering));
        let outcome = match end.step {
            Step::Solved => Outcome::Solved(self.solution(problem, problem.capacity, &end)),
            Step::Infeasible => Outcome::Infeasible(Infeasibility::Exhausted),
            Step::Exhausted => Outcome::Undecided(Undecided::Windows),
            Step::Stopped | Step::Paused => Outcome::Stopped,
        };
        Report { outcome, stats }
    }

    /// The packing of a solved portfolio end at `capacity`, filling in the buffers the
    /// search skipped: fixed ones at their offset, ones that occupy nothing at their hint
    /// when it is legal, else at 0.
    pub(crate) fn solution(
        &self,
        problem: &Problem,
        capacity: Offset,
        end: &PortfolioEnd,
    ) -> Solution {
        let merged = self
            .handovers
            .as_ref()
            .map(|(merged, sweep)| (merged, sweep));
        solution_of(problem, &self.sweep, merged, capacity, end)
    }
}

/// The most stop checks (one every 64 nodes) the leaves' searches of one split into layers
/// take together (about 65,000 nodes, about a tenth of a second): on cut rectangles a leaf
/// is packed in a few hundred nodes or not soon, though a leaf left by carving
/// (`layers/carve.rs`) can take tens of thousands (40,000 on `rect-2000`), and a split that
/// fails delays the portfolio by this much.
const LAYER_CHECKS: u64 = 1 << 10;

/// With `layers`: a packing of `problem` at `height` (at most its capacity, where its load is
/// the same at every instant) from `split`, its layers there (`layers::split`), the leaves
/// packed by [`solve_share`] (the whole portfolio, without layers) within [`LAYER_CHECKS`]
/// stop checks (`search/layers.rs`); `None` where a leaf is not packed. Nodes are counted in
/// `counter`; the monitor's stop is heeded.
pub(crate) fn pack_by_layers(
    problem: &Problem,
    split: &layers::Split,
    params: &SolverParams,
    height: Offset,
    counter: &mut ProgressCounter,
    monitor: &mut dyn Monitor,
) -> Option<Solution> {
    // A leaf splits no further.
    let params = SolverParams {
        layers: false,
        ..params.clone()
    };
    let mut checks = LAYER_CHECKS;
    let solution = layers::pack(
        problem,
        split,
        layers::LeafOrder::LargestFirst,
        &mut |leaf| {
            let mut budget = CheckBudget::new(&mut *monitor, checks);
            let report = solve_share(leaf, &params, Share::WHOLE, &mut budget).ok()?;
            checks = budget.left();
            counter.add(report.stats.nodes, report.stats.backtracks);
            match report.outcome {
                Outcome::Solved(solution) => Some(solution.offsets),
                _ => None,
            }
        },
    )?;
    // Every leaf was packed at its height, so the whole is within `height`.
    (solution.height <= height).then_some(solution)
}

/// The packing of `problem` a solved portfolio end gives at `capacity`: from the items of
/// `sweep`, or of the merged problem's sweep when the end says its search decided (with the
/// original buffers placed back). The buffers the search skipped are filled in: fixed ones
/// at their offset, ones that occupy nothing at their hint when it is legal, else at 0.
pub(crate) fn solution_of(
    problem: &Problem,
    sweep: &Sweep,
    merged: Option<(&Handovers, &Sweep)>,
    capacity: Offset,
    end: &PortfolioEnd,
) -> Solution {
    let (searched, sweep, merged) = match (merged, end.merged) {
        (Some((merged, sweep)), true) => (&merged.problem, sweep, Some(merged)),
        _ => (problem, sweep, None),
    };
    let mut offsets: Vec<Offset> = searched
        .buffers
        .iter()
        .map(|b| b.offset.unwrap_or_else(|| b.resting_offset(capacity)))
        .collect();
    for (item, &offset) in sweep.items.iter().zip(&end.item_offsets) {
        offsets[item.index] = offset;
    }
    if let Some(merged) = merged {
        offsets = merged.unmerge(&offsets, problem.buffers.len());
    }
    Solution::from_offsets(problem, offsets)
}

/// Checks that the fixed buffers of `problem` do not overlap each other.
pub(crate) fn check_fixed(problem: &Problem) -> Result<(), ValidationError> {
    let fixed: Vec<_> = problem
        .buffers
        .iter()
        .filter(|b| b.offset.is_some())
        .cloned()
        .collect();
    if fixed.is_empty() {
        return Ok(());
    }
    let offsets = fixed.iter().filter_map(|b| b.offset).collect();
    let fixed = Problem::new(fixed, MAX_MAGNITUDE);
    let placed = Solution::from_offsets(&fixed, offsets);
    validate(&fixed, &placed)
}

impl Report {
    /// The report of an answer given before any search.
    fn early(outcome: Outcome) -> Report {
        Report {
            outcome,
            stats: SearchStats::default(),
        }
    }
}

/// Above this many section memberships plus pairs of pieces that share time, the exact
/// search's structures would take memory far beyond the input's (a dense trace of 20,000
/// buffers needs gigabytes): the search is not started.
pub(crate) const SWEEP_BUDGET: u64 = 5_000_000;

/// For an input too large for the exact search: the first heuristic packing within the
/// capacity, or why there is no answer. Every pass stops when `monitor` says so (unlike
/// minimisation, a decision has no use for a packing that comes after the time limit).
fn heuristics_within_capacity(problem: &Problem, cost: u64, monitor: &mut dyn Monitor) -> Outcome {
    let mut greedy = Greedy::new(problem);
    for heuristic in Heuristic::PORTFOLIO {
        if monitor.should_stop() {
            return Outcome::Stopped;
        }
        if let Some(solution) =
            greedy.run(heuristic, problem.capacity, &mut || monitor.should_stop())
        {
            return Outcome::Solved(solution);
        }
    }
    if monitor.should_stop() {
        return Outcome::Stopped;
    }
    too_large(problem, cost, true)
}

/// What an input too large for the exact search (`cost` over [`SWEEP_BUDGET`]) is when
/// nothing else decided it (with the heuristics tried or not).
fn too_large(problem: &Problem, cost: u64, heuristics_tried: bool) -> Outcome {
    let items = problem
        .buffers
        .iter()
        .filter(|b| b.offset.is_none())
        .count();
    Outcome::Undecided(Undecided::TooLarge {
        items,
        cost,
        budget: SWEEP_BUDGET,
        heuristics_tried,
    })
}
