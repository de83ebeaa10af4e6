//! The probes that run within a counted budget, so their result does not depend on the
//! machine's speed: the pinned probe (the long-lived buffers fixed at the top of the bound)
//! and the window probe (the best packing repaired at a target height, one window at a time).

use super::super::pinned::pinned_problem;
use super::super::window::{over, room_floor, window, WINDOW_ITEMS};
use super::{affordable, Run};
use crate::heuristics::{Greedy, Heuristic};
use crate::minimize::FoundBy;
use crate::model::{Offset, Problem, Solution, MAX_MAGNITUDE};
use std::time::Duration;

use crate::monitor::{Monitor, Progress};
use crate::params::SolverParams;
use crate::search::{solve, Outcome};
use crate::sweep::Sweep;

/// Stop checks the pinned probe's exact search may use: at most 64 Ki nodes (one check per
/// 64).
const PIN_STOP_CHECKS: u32 = 1024;

/// Stop checks its heuristic passes may use: 128 Mi units of work (one check per 4,096,
/// see `heuristics::STOP_CHECK`; a unit is a buffer placed or a placed piece it meets).
/// Four times what the generated `mixed-10000` needs to reach its exact search (1,024
/// checks are not enough there).
const PIN_HEURISTIC_CHECKS: u32 = 32 * 1024;

/// The caller's monitor, stopping after a number of stop checks as well.
pub(super) struct Budget<'m> {
    inner: &'m mut dyn Monitor,
    left: u32,
    /// Checks left to the heuristic passes (see [`Budget::heuristic_should_stop`]).
    heuristic_left: u32,
    /// The caller's monitor asked to stop (not the budget).
    pub(super) stopped: bool,
    /// The run's figures when the probe started. The probe's own search reports its nodes
    /// on top of them, and the run's heights, not the part's: a caller that draws progress
    /// (the Python package, the app) hears from the run while the probe searches.
    outer: Progress,
}

impl Run<'_> {
    /// A budget of `left` search and `heuristic_left` heuristic stop checks over `monitor`.
    pub(super) fn budget<'m>(
        &self,
        monitor: &'m mut dyn Monitor,
        left: u32,
        heuristic_left: u32,
    ) -> Budget<'m> {
        let stats = self.counter.stats();
        Budget {
            inner: monitor,
            left,
            heuristic_left,
            stopped: false,
            outer: Progress {
                nodes: stats.nodes,
                backtracks: stats.backtracks,
                elapsed: None,
                best_height: self.best.as_ref().map(|b| b.height),
                lower_bound: Some(self.lower_bound),
            },
        }
    }
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
    pub(super) fn heuristic_should_stop(&mut self) -> bool {
        self.check(true)
    }
}

impl Monitor for Budget<'_> {
    fn should_stop(&mut self) -> bool {
        self.check(false)
    }

    fn elapsed(&self) -> Option<Duration> {
        self.inner.elapsed()
    }

    fn wants_progress(&mut self) -> bool {
        self.inner.wants_progress()
    }

    fn progress(&mut self, progress: &Progress) {
        let report = Progress {
            nodes: self.outer.nodes + progress.nodes,
            backtracks: self.outer.backtracks + progress.backtracks,
            elapsed: self.inner.elapsed(),
            ..self.outer.clone()
        };
        self.inner.progress(&report);
    }
}

/// Stop checks the pinned probe's heuristic passes may use before the greedy passes of an
/// input too large for the exact search whole: 16 Mi units of work (a tenth of a second to
/// a second). The generated `mixed-10000` needs about 1,500; a probe cut short runs again
/// after the greedy passes with [`PIN_HEURISTIC_CHECKS`] (`Pin::Again`).
const EARLY_PIN_HEURISTIC_CHECKS: u32 = 4 * 1024;

/// When the pinned probe runs.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Pin {
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

/// How many times a window may double (see [`crate::minimize::window::window`]); by then it
/// holds the whole trace or more than [`WINDOW_ITEMS`] buffers.
const MAX_WINDOW_LEVEL: u32 = 48;

impl Run<'_> {
    /// The pinned probe (see [`crate::minimize::pinned`]): a decision at the lower bound with the
    /// long-lived buffers fixed at its top, within [`PIN_HEURISTIC_CHECKS`] (or, early,
    /// [`EARLY_PIN_HEURISTIC_CHECKS`]) and [`PIN_STOP_CHECKS`] stop checks (counted, so the
    /// result does not depend on the machine's speed). A packing found is optimal. See
    /// [`Self::decide`] for how; early, when the pinned problem is too large for the exact
    /// search whole, by windows too (see [`Self::pinned_windows`]).
    pub(super) fn pin(&mut self, params: &SolverParams, monitor: &mut dyn Monitor, stage: Pin) {
        if stage == Pin::Again && !self.pin_cut_short {
            return;
        }
        let target = self.lower_bound;
        let heuristic_left = match stage {
            Pin::Early => EARLY_PIN_HEURISTIC_CHECKS,
            Pin::Last | Pin::Again => PIN_HEURISTIC_CHECKS,
        };
        let mut budget = self.budget(monitor, PIN_STOP_CHECKS, heuristic_left);
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

    /// The window probe (see [`crate::minimize::window`]), for inputs too large for the exact
    /// search whole: the best packing is repaired at a target height one window at a time, each
    /// within [`WINDOW_HEURISTIC_CHECKS`] and [`WINDOW_STOP_CHECKS`] stop checks (counted,
    /// so the result does not depend on the machine's speed). The first target is the
    /// lower bound (a packing there is optimal); with `bisect`, when a buffer above it can
    /// be moved by no window of up to [`WINDOW_ITEMS`] buffers, the targets bisect between
    /// the lowest not yet failed and the best height. Without, the lower bound alone is
    /// tried: before the greedy passes, whose packings may be the better start for the
    /// bisection (on `mixed-60000` they are).
    pub(super) fn windows(
        &mut self,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
        bisect: bool,
    ) {
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
                let mut budget = self.budget(monitor, WINDOW_STOP_CHECKS, WINDOW_HEURISTIC_CHECKS);
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
    pub(super) fn decide(
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
        self.search(problem, params, budget)
    }

    /// A packing of `problem` by the exact search within `budget`, its nodes counted as
    /// the run's. Without `layers`: the run tries them on its own, on the whole problem
    /// ([`Run::layers`]), and a split tried here would spend this probe's budget.
    pub(super) fn search(
        &mut self,
        problem: &Problem,
        params: &SolverParams,
        budget: &mut Budget<'_>,
    ) -> Option<Solution> {
        match self.outcome(problem, params, budget)? {
            Outcome::Solved(solution) => Some(solution),
            _ => None,
        }
    }

    /// What the exact search decides on `problem` within `budget` (as [`Run::search`]);
    /// `None` when it cannot start (a problem the run's own check would refuse).
    pub(super) fn outcome(
        &mut self,
        problem: &Problem,
        params: &SolverParams,
        budget: &mut Budget<'_>,
    ) -> Option<Outcome> {
        let params = SolverParams {
            layers: false,
            ..params.clone()
        };
        let report = solve(problem, &params, budget).ok()?;
        self.counter
            .add(report.stats.nodes, report.stats.backtracks);
        Some(report.outcome)
    }
}
