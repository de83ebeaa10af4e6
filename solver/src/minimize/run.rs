//! One thread's share of a minimisation: heuristic passes, then exact probes, keeping the
//! best packing and the proven bound (shared with the other threads, if any).

use super::board::Shared;
use super::{FoundBy, MinimizeOutcome, MinimizeReport};
use crate::bounds::{BoundReason, LoadProfile, LowerBound};
use crate::heuristics::{leads, Greedy, Heuristic, PartPacker, LEAD};
use crate::model::{Offset, Problem, Solution, Time};
use crate::monitor::{CheckBudget, Monitor};
use crate::params::{ParamsError, SolverParams};
use crate::search::{
    check_fixed, layers, pack_by_layers, Infeasibility, ProgressCounter, SearchStats, SolveError,
    SWEEP_BUDGET,
};
use crate::sweep::Sweep;

mod budgeted;
mod heights;
mod parts;
mod peak;

use budgeted::Pin;
use layers::LeafOrder;
use parts::MinimisedParts;

/// Stop checks (one every 64 nodes of a search, or every few thousand placements of a
/// greedy pass) a leaf of a split into layers may take while it is minimised on its own, and
/// all of a split's leaves together: a few tenths of a second at most.
const LEAF_CHECKS: u64 = 1 << 11;
const LAYER_CHECKS: u64 = 1 << 13;

/// Above this many buffers to place, one descent of the exact search (whose nodes each cost
/// time linear in the buffers left) takes longer than the heuristics need to finish.
pub(crate) const SEARCH_ITEMS: usize = 20_000;

/// Whether the exact search may run on `problem`: few enough buffers to place for its
/// nodes to stay fast, and few enough that meet for its memory to stay near the input's.
fn affordable(problem: &Problem) -> bool {
    let movable = problem
        .buffers
        .iter()
        .filter(|b| b.offset.is_none())
        .count();
    movable <= SEARCH_ITEMS && Sweep::cost(problem) <= SWEEP_BUDGET
}

/// What one thread does.
#[derive(Clone, Debug)]
pub(crate) struct Role {
    /// Heuristic passes to run, in order.
    pub(crate) passes: Vec<Heuristic>,
    /// Whether to run the proof probe at the lower bound.
    pub(crate) proof: bool,
    /// `Some((i, n))`: run scouts at `i / (n + 1)` of the way from the floor to the best.
    pub(crate) scout: Option<(i64, i64)>,
    /// The thread's index: its outbox on the board, and its rank between equal packings.
    pub(crate) thread: usize,
}

impl Role {
    /// Everything, on one thread.
    pub(crate) fn alone() -> Role {
        Role {
            passes: Heuristic::PORTFOLIO.to_vec(),
            proof: true,
            scout: Some((1, 1)),
            thread: 0,
        }
    }
}

/// The state of one thread's minimisation.
pub(crate) struct Run<'a> {
    problem: &'a Problem,
    role: Role,
    shared: Option<&'a Shared>,
    capacity: Offset,
    lower_bound: Offset,
    bound_reason: BoundReason,
    load: Offset,
    /// The load profile the bound came from, for the heuristic passes (empty after them).
    profile: LoadProfile,
    /// The first time the load is highest: where the peak window probe looks.
    peak: Time,
    best: Option<Solution>,
    found_by: Option<FoundBy>,
    pub(crate) counter: ProgressCounter,
    searched: bool,
    /// The monitor asked to stop before the height was proven.
    stopped: bool,
    /// A probe ended without a packing or a proof (windowed gaps beyond what the search
    /// tries): the bound could not be raised there.
    incomplete: bool,
    /// The height of the packing the window probe last ended with, and whether it bisected
    /// (or tried the bound alone): from the same one it would repeat the same windows.
    windowed_from: Option<(Offset, bool)>,
    /// The last pinned probe ran out of its heuristic budget before a packing.
    pin_cut_short: bool,
    /// The split into layers at the bound once computed (`None` inside where there is
    /// none): both layer stages use it, and on a large perfect packing it takes a few
    /// hundredths of a second.
    layer_split: Option<Option<layers::Split>>,
}

impl<'a> Run<'a> {
    /// Computes the bound of `problem`, which passed its checks (see `widen::widened`);
    /// `Err` holds the final report when it is infeasible on its face.
    pub(crate) fn start(
        problem: &'a Problem,
        params: &SolverParams,
        role: Role,
        shared: Option<&'a Shared>,
    ) -> Result<Result<Run<'a>, MinimizeReport>, SolveError> {
        debug_assert!(problem.check().is_ok(), "an unchecked problem");
        if params.preordering_heuristics.is_empty() {
            return Err(SolveError::Params(ParamsError::NoOrderings));
        }
        let profile = LoadProfile::of(problem);
        let bound = LowerBound::from_profile(problem, &profile);
        let bound = crate::widen::raise_by_spare(problem, &profile, bound, params);
        let run = Run {
            problem,
            role,
            shared,
            capacity: problem.capacity,
            lower_bound: bound.height,
            bound_reason: bound.reason.clone(),
            load: bound.load,
            peak: profile.peak().0,
            profile,
            best: None,
            found_by: None,
            counter: ProgressCounter::default(),
            searched: false,
            stopped: false,
            incomplete: false,
            windowed_from: None,
            pin_cut_short: false,
            layer_split: None,
        };
        if let Err(clash) = check_fixed(problem) {
            return Ok(Err(run.infeasible(Infeasibility::FixedClash(clash))));
        }
        if bound.height > run.capacity {
            return Ok(Err(
                run.infeasible(Infeasibility::from_bound(problem, &bound))
            ));
        }
        Ok(Ok(run))
    }

    /// Heuristics, then (when the input is small enough) exact probes, until proven or
    /// stopped. Tells the other threads to stop once the height is proven.
    pub(crate) fn work(&mut self, params: &SolverParams, monitor: &mut dyn Monitor) {
        if self.search_affordable() {
            self.heuristics(monitor, None);
            if !self.proven() && !self.stopped && self.role.proof {
                self.layers_at_bound(params, monitor);
            }
            if !self.proven() && !self.stopped && self.role.proof {
                self.peak_windows(params, monitor, None);
            }
            if !self.proven() && !self.stopped && self.role.proof {
                self.pin(params, monitor, Pin::Last);
            }
            if !self.proven() && !self.stopped && self.role.proof {
                self.layers(params, monitor);
            }
            if !self.proven() && !self.stopped && self.role.proof {
                self.carve_again(params, monitor);
            }
            if !self.proven() && !self.stopped {
                self.searched = true;
                self.probe(params, monitor);
            }
        } else {
            // Too large for the exact search whole: the pinned probe and the windows at the
            // bound run between the passes that cost O(n log n) and the greedy ones, which
            // cost O(pairs that share time), seconds each on a crowded trace; the windows'
            // bisection of the heights above the bound after them.
            self.heuristics(monitor, Some(params));
            if !self.proven() && !self.stopped && self.role.proof {
                self.pin(params, monitor, Pin::Again);
            }
            if !self.proven() && !self.stopped && self.role.proof {
                self.windows(params, monitor, true);
            }
        }
        if self.proven() {
            if let Some(shared) = self.shared {
                shared.proven(self.role.thread);
            }
        }
    }

    /// This thread's passes in the order to run them. The first pass of the thread that
    /// starts with the online pass must answer, so that there is an answer at once; on a
    /// long trace whose load peaks are few the peaks pass does that instead (see
    /// [`leads`]), with the online pass last, since giving way it is its own plain fill.
    ///
    /// There the peak stack is left out too: the buffers live at one instant are a sliver
    /// of such a trace, and the fill around them is in effect the online pass (`huge`, a
    /// million buffers: 21% above LOAD, 0.6 s).
    fn passes(&self) -> Vec<Heuristic> {
        let mut passes = self.role.passes.clone();
        if leads(self.problem, &self.profile) {
            let first = passes.first() == Some(&Heuristic::Online);
            passes.retain(|&p| p != LEAD && p != Heuristic::Online && p != Heuristic::Stack);
            if first {
                passes.insert(0, LEAD);
                passes.push(Heuristic::Online);
            }
        }
        passes
    }

    /// Runs this thread's heuristic passes, keeping the lowest packing. With `windowed`
    /// (an input too large for the exact search whole), the greedy passes go last, after
    /// the pinned probe and the window probe have had their turn.
    fn heuristics(&mut self, monitor: &mut dyn Monitor, windowed: Option<&SolverParams>) {
        let problem = self.problem;
        let passes = self.passes();
        let lead = (self.role.passes.first() == Some(&Heuristic::Online)).then(|| passes[0]);
        // Taken for the passes, and not needed after them (a million buffers' profile is
        // tens of MB).
        let profile = std::mem::take(&mut self.profile);
        let mut greedy = Greedy::with_profile(problem, &profile);
        let Some(params) = windowed else {
            self.run_passes(&mut greedy, passes, lead, monitor);
            return;
        };
        // Too large for the search whole, but the parts of the peaks passes' hot sets that
        // the skylines leave above the load are not: each is minimised on its own
        // (`run/parts.rs`). On a long trace the peaks pass is the lead, which must answer.
        let mut parts = MinimisedParts::new(params);
        let packer: &mut dyn PartPacker = &mut parts;
        let mut greedy = greedy.with_parts(params.hot_parts.then_some(packer));
        let (slow, fast): (Vec<Heuristic>, Vec<Heuristic>) = passes
            .into_iter()
            .partition(|p| matches!(p, Heuristic::Greedy(..)));
        // The peak windows right after the lead: the skyline passes may take seconds each.
        let mut fast = fast.into_iter();
        self.run_passes(&mut greedy, fast.by_ref().take(1).collect(), lead, monitor);
        if !self.proven() && !self.stopped && self.role.proof {
            self.peak_windows(params, monitor, Some(&profile));
        }
        self.run_passes(&mut greedy, fast.collect(), lead, monitor);
        if !self.proven() && !self.stopped && self.role.proof {
            self.pin(params, monitor, Pin::Early);
        }
        if !self.proven() && !self.stopped && self.role.proof {
            self.windows(params, monitor, false);
        }
        self.run_passes(&mut greedy, slow, lead, monitor);
        drop(greedy);
        self.counter.add(parts.nodes, parts.backtracks);
    }

    fn run_passes(
        &mut self,
        greedy: &mut Greedy<'_>,
        passes: Vec<Heuristic>,
        lead: Option<Heuristic>,
        monitor: &mut dyn Monitor,
    ) {
        for heuristic in passes {
            self.sync();
            if self.proven() {
                break;
            }
            if self.best.is_some() && monitor.should_stop() {
                self.stopped = true;
                break;
            }
            // Only a strictly lower packing is worth finishing a pass for. The lead (the
            // online pass, O(n log n), or the peaks pass within its budget) always answers,
            // so there is an answer at once; only the peaks pass's later rounds, improving
            // on its first, hear the time limit.
            let limit = self.best.as_ref().map_or(self.capacity, |b| b.height - 1);
            let must_finish = Some(heuristic) == lead && self.best.is_none();
            let mut stop = || monitor.should_stop();
            let kept = greedy.parts_kept();
            let found = if must_finish {
                greedy.run_to_answer(heuristic, limit, &mut stop)
            } else {
                greedy.run(heuristic, limit, &mut stop)
            };
            match found {
                Some(solution) => {
                    let by = if greedy.parts_kept() > kept {
                        FoundBy::HotParts(heuristic)
                    } else {
                        FoundBy::Heuristic(heuristic)
                    };
                    self.improve(solution, by, monitor)
                }
                None if !must_finish && monitor.should_stop() => {
                    self.stopped = true;
                    break;
                }
                None => {}
            }
        }
    }

    /// Whether the split into layers is worth trying: switched on, and the bound is the load
    /// (a packing at the bound would leave no byte free).
    fn layers_apply(&self, params: &SolverParams) -> bool {
        params.layers && self.lower_bound == self.load
    }

    /// The split into layers at the bound, computed on first use; [`Run::keep_split`] puts
    /// it back.
    fn take_split(&mut self) -> Option<layers::Split> {
        self.layer_split.take().unwrap_or_else(|| {
            layers::split(self.problem, self.lower_bound, Some(layers::PICKS[0]))
        })
    }

    fn keep_split(&mut self, split: Option<layers::Split>) {
        self.layer_split = Some(split);
    }

    /// With `layers`, where the bound is the load: the packing at the bound that the
    /// problem's layers give with every leaf packed at its height by the exact search within
    /// a small budget (`search::pack_by_layers`, a decision's), which is optimal. Cheap
    /// where it fails, so it goes first; [`Run::layers`] later minimises the leaves, and
    /// [`Run::carve_again`] tries the other picks.
    fn layers_at_bound(&mut self, params: &SolverParams, monitor: &mut dyn Monitor) {
        if !self.layers_apply(params) {
            return;
        }
        let split = self.take_split();
        let height = self.lower_bound;
        let solution = split.as_ref().and_then(|split| {
            pack_by_layers(
                self.problem,
                split,
                params,
                height,
                &mut self.counter,
                monitor,
            )
        });
        self.keep_split(split);
        if let Some(solution) = solution {
            self.improve(solution, FoundBy::Layers { minimised: false }, monitor);
        }
    }

    /// With `layers`, where the bound is the load and the first split's carving found a layer
    /// or ran out of cells (`search/layers/carve.rs`): the splits of the other picks, each
    /// carving other layers,
    /// their leaves packed at their heights as in [`Run::layers_at_bound`], until one packs
    /// or the time is up. After the first split's leaves are minimised: each costs as much
    /// as the first, and that gives a packing near the bound where this gives none.
    fn carve_again(&mut self, params: &SolverParams, monitor: &mut dyn Monitor) {
        if !self.layers_apply(params) {
            return;
        }
        let split = self.take_split();
        // Where carving proved every run it met has no layer, every pick splits alike. A
        // split with no layer at all may have run out of cells carving the whole.
        let mut carving = split.as_ref().is_none_or(|s| s.carving);
        self.keep_split(split);
        let height = self.lower_bound;
        for &pick in &layers::PICKS[1..] {
            if !carving || monitor.should_stop() {
                return;
            }
            let Some(other) = layers::split(self.problem, height, Some(pick)) else {
                continue;
            };
            carving = other.carving;
            let packed = pack_by_layers(
                self.problem,
                &other,
                params,
                height,
                &mut self.counter,
                monitor,
            );
            if let Some(solution) = packed {
                self.improve(solution, FoundBy::Layers { minimised: false }, monitor);
                return;
            }
        }
    }

    /// With `layers`, where the bound is the load: the problem split into layers at the bound
    /// (`search/layers.rs`), each leaf minimised on its own within a counted budget, smallest
    /// first, and stacked. Where every leaf packs at its height the packing is at the bound
    /// (optimal); a leaf packed higher lifts the layers above it, and the packing is kept
    /// only when lower than the best.
    fn layers(&mut self, params: &SolverParams, monitor: &mut dyn Monitor) {
        if !self.layers_apply(params) {
            return;
        }
        let split = self.take_split();
        if let Some(split) = &split {
            self.stack_minimised_leaves(split, params, monitor);
        }
        self.keep_split(split);
    }

    /// [`Run::layers`] on `split`.
    fn stack_minimised_leaves(
        &mut self,
        split: &layers::Split,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
    ) {
        // A leaf splits no further.
        let leaf_params = SolverParams {
            layers: false,
            ..params.clone()
        };
        let mut left = LAYER_CHECKS;
        let counter = &mut self.counter;
        let capacity = self.capacity;
        let solution = layers::pack(self.problem, split, LeafOrder::SmallestFirst, &mut |leaf| {
            let mut budget = CheckBudget::new(&mut *monitor, left.min(LEAF_CHECKS));
            // As high as the whole may go: the leaf's own bound is its height.
            let leaf = Problem {
                capacity,
                ..leaf.clone()
            };
            let report = super::minimize(&leaf, &leaf_params, &mut budget).ok()?;
            left -= left.min(LEAF_CHECKS) - budget.left();
            counter.add(report.stats.nodes, report.stats.backtracks);
            report.solution().map(|solution| solution.offsets.clone())
        });
        if let Some(solution) = solution {
            self.improve(solution, FoundBy::Layers { minimised: true }, monitor);
        }
    }

    /// Keeps `solution` if it is the lowest so far, and says so to the monitor and the
    /// other threads.
    fn improve(&mut self, solution: Solution, by: FoundBy, monitor: &mut dyn Monitor) {
        self.sync();
        if self
            .best
            .as_ref()
            .is_some_and(|b| b.height <= solution.height)
        {
            return;
        }
        if let Some(shared) = self.shared {
            shared.offer_best(self.role.thread, &solution, by);
        }
        monitor.improved(&solution);
        self.best = Some(solution);
        self.found_by = Some(by);
        self.report(monitor);
    }

    /// The exact search proved nothing fits below `bound`.
    fn raise_bound(&mut self, bound: Offset, monitor: &mut dyn Monitor) {
        self.sync();
        if bound <= self.lower_bound {
            return;
        }
        self.lower_bound = bound;
        self.bound_reason = BoundReason::Exhausted;
        if let Some(shared) = self.shared {
            shared.offer_bound(self.role.thread, bound, BoundReason::Exhausted);
        }
        self.report(monitor);
    }

    /// Takes the other threads' best packing and bound when they are better (as the board
    /// was two epochs ago: see [`super::board`]).
    fn sync(&mut self) {
        let Some(shared) = self.shared else {
            return;
        };
        let seen = shared.seen(self.role.thread);
        if let Some((solution, by)) = &seen.best {
            if self
                .best
                .as_ref()
                .is_none_or(|b| solution.height < b.height)
            {
                self.best = Some(Solution::clone(solution));
                self.found_by = Some(*by);
            }
        }
        if let Some((bound, reason)) = &seen.bound {
            if *bound > self.lower_bound {
                self.lower_bound = *bound;
                self.bound_reason = reason.clone();
            }
        }
    }

    fn report(&mut self, monitor: &mut dyn Monitor) {
        self.counter.best_height = self.best.as_ref().map(|b| b.height);
        self.counter.lower_bound = Some(self.lower_bound);
        self.counter.report(monitor);
    }

    /// True when the best height equals the bound, or nothing fits under the capacity.
    fn proven(&self) -> bool {
        match &self.best {
            Some(best) => best.height <= self.lower_bound,
            None => self.lower_bound > self.capacity,
        }
    }

    /// True when the exact search is worth starting: its structures stay within
    /// [`SWEEP_BUDGET`] and there are at most [`SEARCH_ITEMS`] buffers to place.
    fn search_affordable(&self) -> bool {
        affordable(self.problem)
    }

    fn infeasible(self, reason: Infeasibility) -> MinimizeReport {
        MinimizeReport {
            outcome: MinimizeOutcome::Infeasible(reason),
            lower_bound: self.lower_bound,
            bound_reason: self.bound_reason,
            load: self.load,
            found_by: None,
            stats: self.counter.stats(),
            searched: self.searched,
            stopped: false,
            incomplete: false,
        }
    }

    /// The report, with `others` (other threads' search figures) added to this thread's.
    pub(crate) fn finish(
        mut self,
        monitor: &mut dyn Monitor,
        others: SearchStats,
    ) -> MinimizeReport {
        self.sync();
        self.report(monitor);
        let mut stats = self.counter.stats();
        stats.nodes += others.nodes;
        stats.backtracks += others.backtracks;
        let stopped = self.stopped && !self.proven();
        let outcome = match self.best.take() {
            Some(best) if best.height <= self.lower_bound => MinimizeOutcome::Optimal(best),
            Some(best) => MinimizeOutcome::Feasible(best),
            None if self.lower_bound > self.capacity => {
                MinimizeOutcome::Infeasible(Infeasibility::Exhausted)
            }
            None => MinimizeOutcome::Stopped,
        };
        MinimizeReport {
            outcome,
            lower_bound: self.lower_bound,
            bound_reason: self.bound_reason,
            load: self.load,
            found_by: self.found_by,
            stats,
            searched: self.searched,
            stopped,
            incomplete: self.incomplete,
        }
    }

    /// Whether this thread ran the exact search.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn searched(&self) -> bool {
        self.searched
    }

    /// Another thread ran the exact search.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn mark_searched(&mut self) {
        self.searched = true;
    }

    /// The monitor stopped the other threads.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn mark_stopped(&mut self) {
        self.stopped = true;
    }

    /// Whether a probe of this thread ended without a packing or a proof.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn incomplete(&self) -> bool {
        self.incomplete
    }

    /// A probe of another thread ended without a packing or a proof.
    #[cfg(not(target_family = "wasm"))]
    pub(crate) fn mark_incomplete(&mut self) {
        self.incomplete = true;
    }
}
