//! One thread's share of a minimisation: heuristic passes, then exact probes, keeping the
//! best packing and the proven bound (shared with the other threads, if any).

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Mutex;

use super::pinned::pinned_problem;
use super::window::{over, room_floor, window, WINDOW_ITEMS};
use super::{FoundBy, MinimizeOutcome, MinimizeReport};
use crate::bounds::{BoundReason, LoadProfile, LowerBound};
use crate::heuristics::{leads, Greedy, Heuristic, LEAD};
use crate::model::{Offset, Problem, Solution, MAX_MAGNITUDE};
use crate::monitor::Monitor;
use crate::params::{ParamsError, SolverParams};
use crate::search::{
    check_fixed, key_table, solve, Infeasibility, Outcome, Portfolio, Prepared, ProgressCounter,
    SearchStats, SolveError, Step, SWEEP_BUDGET,
};
use crate::sweep::Sweep;

/// Above this many buffers to place, one descent of the exact search (whose nodes each cost
/// time linear in the buffers left) takes longer than the heuristics need to finish.
pub(crate) const SEARCH_ITEMS: usize = 20_000;

/// Rounds after which an undecided scout first counts as stalled (see [`Run::probe`]).
const FIRST_PATIENCE: u32 = 2;

/// The fewest nodes per ordering a probe runs before the next probe's turn.
const MIN_SLICE: u64 = 4096;

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

/// Stop checks the pinned probe's exact search may use: at most 64 Ki nodes (one check per
/// 64).
const PIN_STOP_CHECKS: u32 = 1024;

/// Stop checks its heuristic passes may use: 128 Mi units of work (one check per 4,096,
/// see `heuristics::STOP_CHECK`; a unit is a buffer placed or a placed piece it meets).
/// Four times what the generated `mixed-10000` needs to reach its exact search (1,024
/// checks are not enough there).
const PIN_HEURISTIC_CHECKS: u32 = 32 * 1024;

/// The caller's monitor, stopping after a number of stop checks as well.
struct Budget<'m> {
    inner: &'m mut dyn Monitor,
    left: u32,
    /// Checks left to the heuristic passes (see [`Budget::heuristic_should_stop`]).
    heuristic_left: u32,
    /// The caller's monitor asked to stop (not the budget).
    stopped: bool,
}

impl Budget<'_> {
    /// A stop check: the caller's, else one taken from the heuristic passes' allowance or
    /// the search's.
    fn check(&mut self, heuristic: bool) -> bool {
        if self.inner.should_stop() {
            self.stopped = true;
            return true;
        }
        let left = if heuristic {
            &mut self.heuristic_left
        } else {
            &mut self.left
        };
        *left = left.saturating_sub(1);
        *left == 0
    }

    /// A heuristic pass's stop check, counted against `heuristic_left`.
    fn heuristic_should_stop(&mut self) -> bool {
        self.check(true)
    }
}

impl Monitor for Budget<'_> {
    fn should_stop(&mut self) -> bool {
        self.check(false)
    }
}

/// Stop checks the pinned probe's heuristic passes may use before the greedy passes of an
/// input too large for the exact search whole: 16 Mi units of work (a tenth of a second to
/// a second). The generated `mixed-10000` needs about 1,500; a probe cut short runs again
/// after the greedy passes with [`PIN_HEURISTIC_CHECKS`] (`Pin::Again`).
const EARLY_PIN_HEURISTIC_CHECKS: u32 = 4 * 1024;

/// When the pinned probe runs.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pin {
    /// After every pass, on an input the exact search takes whole.
    Last,
    /// Before the greedy passes of an input too large for the exact search whole, within a
    /// smaller budget, then by windows.
    Early,
    /// After them, again with the full budget, if the early probe was cut short.
    Again,
}

/// Stop checks one window's exact search may use: at most 16 Ki nodes.
const WINDOW_STOP_CHECKS: u32 = 256;

/// Stop checks one window's heuristic passes may use: 1 Mi units of work.
const WINDOW_HEURISTIC_CHECKS: u32 = 256;

/// The most a window's search structures may cost (see [`Sweep::cost`]): about 20 MB.
const WINDOW_COST: u64 = 250_000;

/// How many times a window may double (see [`super::window::window`]); by then it holds the
/// whole trace or more than [`WINDOW_ITEMS`] buffers.
const MAX_WINDOW_LEVEL: u32 = 48;

/// Scouts kept running beside the proof probe.
const SCOUTS: usize = 3;

/// One height the exact search is asked to fit under.
struct Probe<'a> {
    target: Offset,
    rounds: u32,
    portfolio: Portfolio<'a>,
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
}

impl Role {
    /// Everything, on one thread.
    pub(crate) fn alone() -> Role {
        Role {
            passes: Heuristic::PORTFOLIO.to_vec(),
            proof: true,
            scout: Some((1, 1)),
        }
    }
}

/// What the threads of a parallel minimisation share: the best packing, the bound, and a
/// flag that stops them all.
#[derive(Default)]
pub(crate) struct Shared {
    pub(crate) state: Mutex<Board>,
    pub(crate) stop: AtomicBool,
}

/// The best packing and the bound, as last published by any thread.
#[derive(Default)]
pub(crate) struct Board {
    best: Option<(Solution, FoundBy)>,
    bound: Option<(Offset, BoundReason)>,
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
}

impl<'a> Run<'a> {
    /// Checks the input and computes the bound; `Err` holds the final report when the input
    /// is infeasible on its face.
    pub(crate) fn start(
        problem: &'a Problem,
        params: &SolverParams,
        role: Role,
        shared: Option<&'a Shared>,
    ) -> Result<Result<Run<'a>, MinimizeReport>, SolveError> {
        problem.check().map_err(SolveError::Problem)?;
        if params.preordering_heuristics.is_empty() {
            return Err(SolveError::Params(ParamsError::NoOrderings));
        }
        let profile = LoadProfile::of(problem);
        let bound = LowerBound::from_profile(problem, &profile);
        let run = Run {
            problem,
            role,
            shared,
            capacity: problem.capacity,
            lower_bound: bound.height,
            bound_reason: bound.reason.clone(),
            load: bound.load,
            profile,
            best: None,
            found_by: None,
            counter: ProgressCounter::default(),
            searched: false,
            stopped: false,
            incomplete: false,
            windowed_from: None,
            pin_cut_short: false,
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
                self.pin(params, monitor, Pin::Last);
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
                shared.stop.store(true, Relaxed);
            }
        }
    }

    /// This thread's passes in the order to run them. The first pass of the thread that
    /// starts with the online pass must finish, so that there is an answer at once; on a
    /// long trace whose load peaks are few the peaks pass does that instead (see
    /// [`leads`]), with the online pass last, since giving way it is its own plain fill.
    fn passes(&self) -> Vec<Heuristic> {
        let mut passes = self.role.passes.clone();
        if leads(self.problem, &self.profile) {
            let first = passes.first() == Some(&Heuristic::Online);
            passes.retain(|&p| p != LEAD && p != Heuristic::Online);
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
        let (slow, fast): (Vec<Heuristic>, Vec<Heuristic>) = passes
            .into_iter()
            .partition(|p| matches!(p, Heuristic::Greedy(..)));
        self.run_passes(&mut greedy, fast, lead, monitor);
        if !self.proven() && !self.stopped && self.role.proof {
            self.pin(params, monitor, Pin::Early);
        }
        if !self.proven() && !self.stopped && self.role.proof {
            self.windows(params, monitor, false);
        }
        self.run_passes(&mut greedy, slow, lead, monitor);
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
            // online pass, O(n log n), or the peaks pass within its budget) always
            // finishes, so there is an answer at once.
            let limit = self.best.as_ref().map_or(self.capacity, |b| b.height - 1);
            let must_finish = Some(heuristic) == lead && self.best.is_none();
            let mut stop = || !must_finish && monitor.should_stop();
            match greedy.run(heuristic, limit, &mut stop) {
                Some(solution) => self.improve(solution, FoundBy::Heuristic(heuristic), monitor),
                None if !must_finish && monitor.should_stop() => {
                    self.stopped = true;
                    break;
                }
                None => {}
            }
        }
    }

    /// The pinned probe (see [`super::pinned`]): a decision at the lower bound with the
    /// long-lived buffers fixed at its top, within [`PIN_HEURISTIC_CHECKS`] (or, early,
    /// [`EARLY_PIN_HEURISTIC_CHECKS`]) and [`PIN_STOP_CHECKS`] stop checks (counted, so the
    /// result does not depend on the machine's speed). A packing found is optimal. See
    /// [`Self::decide`] for how; early, when the pinned problem is too large for the exact
    /// search whole, by windows too (see [`Self::pinned_windows`]).
    fn pin(&mut self, params: &SolverParams, monitor: &mut dyn Monitor, stage: Pin) {
        if stage == Pin::Again && !self.pin_cut_short {
            return;
        }
        let target = self.lower_bound;
        let mut budget = Budget {
            inner: monitor,
            left: PIN_STOP_CHECKS,
            heuristic_left: match stage {
                Pin::Early => EARLY_PIN_HEURISTIC_CHECKS,
                Pin::Last | Pin::Again => PIN_HEURISTIC_CHECKS,
            },
            stopped: false,
        };
        let Some(pinned) =
            pinned_problem(self.problem, target, &mut || budget.heuristic_should_stop())
        else {
            self.stopped |= budget.stopped;
            return;
        };
        let found = self.decide(&pinned, params, &mut budget, true);
        let stopped = budget.stopped;
        self.pin_cut_short = found.is_none() && budget.heuristic_left == 0;
        if let Some(solution) = found {
            let solution = Solution::from_offsets(self.problem, solution.offsets);
            self.improve(solution, FoundBy::Pinned, monitor);
        } else if stage == Pin::Early && !stopped && !affordable(&pinned) {
            self.pinned_windows(&pinned, params, monitor);
        }
        self.stopped |= stopped && !self.proven();
    }

    /// The pinned problem too large for the exact search whole: its online packing without
    /// a height limit (some buffers end above the pinned block), repaired to the lower
    /// bound by windows. Nothing moves the pinned buffers.
    fn pinned_windows(
        &mut self,
        pinned: &Problem,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
    ) {
        let target = self.lower_bound;
        // The pass's limit is its argument, not the problem's capacity.
        let mut stop = || monitor.should_stop();
        let Some(start) = Greedy::new(pinned).run(Heuristic::Online, MAX_MAGNITUDE, &mut stop)
        else {
            return;
        };
        let mut offsets = start.offsets;
        match self.repair(pinned, &mut offsets, target, params, monitor) {
            Some(true) => {
                let solution = Solution::from_offsets(self.problem, offsets);
                self.improve(solution, FoundBy::Window { target }, monitor);
            }
            Some(false) => {}
            None => self.stopped = true,
        }
    }

    /// The window probe (see [`super::window`]), for inputs too large for the exact search
    /// whole: the best packing is repaired at a target height one window at a time, each
    /// within [`WINDOW_HEURISTIC_CHECKS`] and [`WINDOW_STOP_CHECKS`] stop checks (counted,
    /// so the result does not depend on the machine's speed). The first target is the
    /// lower bound (a packing there is optimal); with `bisect`, when a buffer above it can
    /// be moved by no window of up to [`WINDOW_ITEMS`] buffers, the targets bisect between
    /// the lowest not yet failed and the best height. Without, the lower bound alone is
    /// tried: before the greedy passes, whose packings may be the better start for the
    /// bisection (on `mixed-60000` they are).
    fn windows(&mut self, params: &SolverParams, monitor: &mut dyn Monitor, bisect: bool) {
        let Some(best) = self.best.as_ref() else {
            return;
        };
        // From a packing already tried, the bound failed (or all failed, bisected).
        let mut floor = match self.windowed_from {
            Some((height, bisected)) if height == best.height => {
                if bisected || !bisect {
                    return;
                }
                self.lower_bound + 1
            }
            _ => self.lower_bound,
        };
        let mut offsets = best.offsets.clone();
        let mut target = match floor == self.lower_bound {
            true => floor,
            false => floor + (best.height - floor) / 2,
        };
        loop {
            self.sync();
            let height = self.best.as_ref().map_or(floor, |b| b.height);
            if self.proven() || floor >= height {
                break;
            }
            match self.repair(self.problem, &mut offsets, target, params, monitor) {
                None => {
                    self.stopped = true;
                    break;
                }
                Some(true) => {
                    let solution = Solution::from_offsets(self.problem, offsets.clone());
                    self.improve(solution, FoundBy::Window { target }, monitor);
                }
                // Not a proof: the target stays possible, only this way of reaching it failed.
                Some(false) => floor = target + 1,
            }
            if !bisect {
                break;
            }
            let height = self.best.as_ref().map_or(floor, |b| b.height);
            target = floor + (height - floor) / 2;
        }
        self.windowed_from = self.best.as_ref().map(|b| (b.height, bisect));
    }

    /// Moves the buffers of `offsets` above `target` beneath it, highest first, each by
    /// the smallest window around it whose search succeeds. `Some(true)` when none is left
    /// above, `Some(false)` when one could not be moved (the windows repaired before it are
    /// kept: they are a packing no higher than before), `None` when the monitor stopped.
    fn repair(
        &mut self,
        problem: &Problem,
        offsets: &mut [Offset],
        target: Offset,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
    ) -> Option<bool> {
        loop {
            let Some(&seed) = over(problem, offsets, target).first() else {
                return Some(true);
            };
            // The same for every level: the packing changes only when a window succeeds.
            let room = room_floor(problem, offsets, target, seed);
            let mut previous = None;
            let mut moved = false;
            for level in 0..MAX_WINDOW_LEVEL {
                let Some(part) = window(problem, offsets, target, seed, room, level, WINDOW_ITEMS)
                else {
                    break;
                };
                if Sweep::cost(&part.problem) > WINDOW_COST {
                    break;
                }
                // A window that did not grow would fail the same way.
                let shape = (part.base, part.movable.len(), part.problem.buffers.len());
                if previous == Some(shape) {
                    continue;
                }
                previous = Some(shape);
                self.searched = true;
                let mut budget = Budget {
                    inner: monitor,
                    left: WINDOW_STOP_CHECKS,
                    heuristic_left: WINDOW_HEURISTIC_CHECKS,
                    stopped: false,
                };
                let found = self.decide(&part.problem, params, &mut budget, false);
                if budget.stopped {
                    return None;
                }
                if let Some(solution) = found {
                    part.apply(offsets, &solution);
                    moved = true;
                    break;
                }
            }
            if !moved {
                return Some(false);
            }
        }
    }

    /// A packing of `problem` within its capacity: by the online pass and, with `greedy`,
    /// the greedy passes (the skyline passes cannot place anything beneath a fixed
    /// buffer), then by the exact search when the problem is small enough for it. `None`
    /// when none is found before `budget` stops.
    fn decide(
        &mut self,
        problem: &Problem,
        params: &SolverParams,
        budget: &mut Budget<'_>,
        with_greedy: bool,
    ) -> Option<Solution> {
        let mut greedy = Greedy::new(problem);
        let passes: &[Heuristic] = if with_greedy { &Heuristic::GREEDY } else { &[] };
        for &heuristic in std::iter::once(&Heuristic::Online).chain(passes) {
            let found = greedy.run(heuristic, problem.capacity, &mut || {
                budget.heuristic_should_stop()
            });
            if found.is_some() {
                return found;
            }
            if budget.heuristic_left == 0 || budget.stopped {
                return None;
            }
        }
        if !affordable(problem) {
            return None;
        }
        let report = solve(problem, params, budget).ok()?;
        self.counter
            .add(report.stats.nodes, report.stats.backtracks);
        match report.outcome {
            Outcome::Solved(solution) => Some(solution),
            _ => None,
        }
    }

    /// Probes heights with the exact search until the best height is proven or the monitor
    /// stops.
    ///
    /// Two kinds of probe share the time, one equal slice of nodes per search each in turn
    /// (searches pause and resume, so switching wastes nothing). The *proof* probe sits at
    /// the lower bound and gets, per search, as many nodes as all scouts together (on a
    /// perfect packing it also runs the limited discrepancy lanes, so it then gets more than
    /// the scouts in all: on rect-2000 about 70% of each round). *Scouts* bisect between a
    /// scheduling floor and the best height: a scout that
    /// finds a packing lowers the best height; a scout still undecided after `patience`
    /// rounds is taken as a sign (never a proof) that its height is hard, so the floor moves
    /// above it and a new scout goes higher. When the floor meets the best height, it falls
    /// back to the bound and patience doubles. The newest [`SCOUTS`] scouts run on.
    fn probe(&mut self, params: &SolverParams, monitor: &mut dyn Monitor) {
        let problem = self.problem;
        let Ok(Ok(prepared)) = Prepared::new(problem, params, &mut ()) else {
            return;
        };
        let sweep = &prepared.sweep;
        let keys = key_table(problem, sweep);
        let slice = (4 * sweep.items.len() as u64).max(MIN_SLICE);
        let mut probes: Vec<Probe<'_>> = Vec::new();
        let mut floor = self.lower_bound;
        let mut patience = FIRST_PATIENCE;
        // Heights whose probe tried everything it tries without a packing or a proof (see
        // `Step::Exhausted`): probing them again would repeat the same search.
        let mut unprovable: Vec<Offset> = Vec::new();
        loop {
            self.sync();
            if self.proven() {
                return;
            }
            let top = self.best.as_ref().map_or(self.capacity, |b| b.height - 1);
            if floor > top {
                floor = self.lower_bound;
                patience = patience.saturating_mul(2);
            }
            floor = floor.max(self.lower_bound);
            probes.retain(|p| (self.lower_bound..=top).contains(&p.target));
            let proof = self.role.proof.then_some(self.lower_bound);
            let scout = self
                .role
                .scout
                .map(|(i, n)| floor + (top - floor) * i / (n + 1));
            for target in proof.into_iter().chain(scout) {
                if probes.iter().all(|p| p.target != target) && !unprovable.contains(&target) {
                    probes.push(Probe {
                        target,
                        rounds: 0,
                        portfolio: Portfolio::probe(sweep, &keys, params, target),
                    });
                }
            }
            // Keep the proof probe and the newest scouts (probes are kept in creation order).
            while probes.len() > SCOUTS + 1 {
                match probes.iter().position(|p| p.target != self.lower_bound) {
                    Some(oldest) => drop(probes.remove(oldest)),
                    None => break,
                }
            }
            if probes.is_empty() {
                // Every height left to probe was tried to the end without a decision.
                return;
            }
            // The proof probe gets as many nodes per search as the scouts together: on most
            // inputs the bound is the optimum, and only it can prove so.
            let proof_running = probes.iter().any(|p| p.target == self.lower_bound);
            let scouts = probes.len() as u64 - u64::from(proof_running);
            let mut decided = None;
            for probe in probes.iter_mut() {
                let counter = &mut self.counter;
                probe.rounds += 1;
                let nodes = if probe.target == self.lower_bound {
                    slice * scouts.max(1)
                } else {
                    slice
                };
                let end = probe.portfolio.run_slice(nodes, &mut |nodes, backtracks| {
                    counter.tick(nodes, backtracks, monitor)
                });
                if let Some(end) = end {
                    decided = Some((probe.target, end));
                    break;
                }
                if probe.target != self.lower_bound && probe.rounds >= patience {
                    floor = floor.max(probe.target + 1);
                }
            }
            let Some((target, end)) = decided else {
                continue;
            };
            match end.step {
                Step::Solved => {
                    let solution = prepared.solution(problem, target, &end);
                    self.improve(solution, FoundBy::Search { probe: target }, monitor);
                }
                Step::Infeasible => {
                    self.raise_bound(target + 1, monitor);
                }
                Step::Exhausted => {
                    // No proof: the bound stays; scouts look higher.
                    self.incomplete = true;
                    unprovable.push(target);
                    probes.retain(|p| p.target != target);
                    floor = floor.max(target + 1);
                }
                Step::Stopped | Step::Paused => {
                    self.stopped = true;
                    return;
                }
            }
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
            lock(shared).best = Some((solution.clone(), by));
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
            lock(shared).bound = Some((bound, BoundReason::Exhausted));
        }
        self.report(monitor);
    }

    /// Takes the other threads' best packing and bound when they are better.
    fn sync(&mut self) {
        let Some(shared) = self.shared else {
            return;
        };
        let board = lock(shared);
        if let Some((solution, by)) = &board.best {
            if self
                .best
                .as_ref()
                .map_or(true, |b| solution.height < b.height)
            {
                self.best = Some(solution.clone());
                self.found_by = Some(*by);
            }
        }
        if let Some((bound, reason)) = &board.bound {
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

/// The board, even if a thread panicked while holding it (its data is still consistent:
/// every write is a single assignment).
fn lock(shared: &Shared) -> std::sync::MutexGuard<'_, Board> {
    shared
        .state
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
