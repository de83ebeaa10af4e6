//! The peak window probe (see [`crate::minimize::peak_window`]): the buffers around the
//! load's peak packed at the bound by the exact search, then kept there while the fast
//! passes place the rest, for windows of time growing around the peak.

use super::budgeted::Budget;
use super::{affordable, Run};
use crate::bounds::LoadProfile;
use crate::heuristics::{Fit, Greedy, Heuristic, Order};
use crate::minimize::peak_window::{other_peaks, peak_window, Neighbourhood, PeakWindow};
use crate::minimize::window::WINDOW_ITEMS;
use crate::minimize::FoundBy;
use crate::minimize::MinimizeOutcome;
use crate::model::{Offset, Problem, Solution, Time};
use crate::monitor::Monitor;
use crate::params::SolverParams;
use crate::search::Outcome;
use crate::sweep::Sweep;

/// Stop checks one window's exact search may use: at most 16 Ki nodes, as the window probe.
const PEAK_STOP_CHECKS: u32 = 256;

/// Stop checks the search may use on a window tried after one it did not pack (4 Ki nodes):
/// the windows it packs at all it mostly packs within a few thousand nodes, and on a window
/// of a thousand buffers or more 16 Ki nodes take a few tenths of a second.
const RETRY_STOP_CHECKS: u32 = 64;

/// Stop checks one window's heuristic passes may use (its own online pass and greedy
/// passes, before the search): 1 Mi units of work.
const PEAK_HEURISTIC_CHECKS: u32 = 256;

/// The most a window's search structures may cost (see [`Sweep::cost`]): about 20 MB.
const PEAK_COST: u64 = 250_000;

/// Which windows around the load's first peak the probe tries, and the search's budget on
/// each.
///
/// A window filled in around costs a pass over the whole trace, so the next holds at least
/// twice as many buffers, at twice the width. Whether the search packs a window at the bound
/// within its budget is a matter of luck, window by window (`huge`, a million buffers, seed
/// 3: those of 411-463 buffers in 500-2,300 nodes, those of 253-383 and 496-636 not in
/// 16 Ki), so after one it does not, the next is only half as wide again and may hold fewer
/// than twice its buffers (more, though: still at least twice the last one filled in
/// around), and its search gets a quarter of the budget, since at a thousand buffers or
/// more 16 Ki nodes take a few tenths of a second. Where every window packs, the widths are
/// `2^k - 1`.
#[derive(Debug, Default)]
struct Schedule {
    /// The half-width of the window to look at next.
    half: Time,
    /// Members of the last window tried.
    tried: usize,
    /// The last window tried was not packed.
    failed: bool,
}

impl Schedule {
    /// The stop checks for the search on the window of `members` buffers at [`Self::half`],
    /// or `None` to pass it over.
    fn budget(&self, members: usize) -> Option<u32> {
        if members >= 2 * self.tried {
            Some(PEAK_STOP_CHECKS)
        } else if self.failed && members > self.tried {
            Some(RETRY_STOP_CHECKS)
        } else {
            None
        }
    }

    /// The window of `members` buffers was tried: `packed` at the bound and filled in
    /// around, or not. (After a fill the next window tried is a doubled one, so every
    /// window tried after it holds at least twice the buffers of the one filled in.)
    fn record(&mut self, members: usize, packed: bool) {
        self.tried = members;
        self.failed = !packed;
    }

    /// On to the next width: doubled, or half as wide again after a failure.
    fn advance(&mut self) {
        let step = if self.failed {
            self.half / 2
        } else {
            self.half
        };
        self.half = self.half.saturating_add(step).saturating_add(1);
    }
}

/// What packing a window at the bound came to.
enum Packing {
    Packed(Solution),
    /// The search proved that nothing packs the window at the bound.
    Impossible,
    /// Neither: the search's budget ran out.
    Unknown,
}

/// How a window's try ended.
enum Tried {
    /// The probe is over: the height is proven, or the monitor said to stop.
    Over,
    /// Packed at the bound and filled in around.
    Filled,
    /// Not packed at the bound within the search's budget.
    NotPacked,
    /// Proven not to pack at the bound: the bound was raised above it.
    Impossible,
}

/// Other local maxima of the load whose column is packed first, in turn.
const OTHER_PEAKS: usize = 7;

/// The passes that fill in the rest around the packed window: the peaks pass, whose fill
/// places every buffer in start order around fixed ones on any length of trace, and the
/// classic greedy pass by size, the best around fixed buffers on shorter traces.
const FILLS: [Heuristic; 2] = [
    Heuristic::Peaks(800),
    Heuristic::Greedy(Order::Size, Fit::First),
];

impl Run<'_> {
    /// A packing of the window problem within its capacity: the peak stack (the buffers
    /// live at the peak stacked without a hole, earlier starts lower, the rest filled in),
    /// else the exact search within `budget`.
    fn pack_window(
        &mut self,
        part: &PeakWindow,
        params: &SolverParams,
        budget: &mut Budget<'_>,
    ) -> Packing {
        // Whole, not cut: cut to the window every buffer would start at its first instant.
        let whole = part.whole(self.problem);
        let mut stop = || budget.heuristic_should_stop();
        let stacked = Greedy::new(&whole).run(Heuristic::Stack, whole.capacity, &mut stop);
        let problem = &part.problem;
        if let Some(stacked) = stacked {
            return Packing::Packed(stacked);
        }
        if budget.stopped || !affordable(problem) {
            return Packing::Unknown;
        }
        self.searched = true;
        match self.outcome(problem, params, budget) {
            Some(Outcome::Solved(solution)) => Packing::Packed(solution),
            Some(Outcome::Infeasible(_)) => Packing::Impossible,
            _ => Packing::Unknown,
        }
    }

    /// The peak window probe, when `peak_windows` is on. First, for windows growing around
    /// the load's first peak as [`Schedule`] says, while the window holds at most
    /// [`WINDOW_ITEMS`] buffers and its search structures stay within [`PEAK_COST`]: see
    /// [`Self::try_window`]. Then the columns (the buffers live at one instant) at up to
    /// [`OTHER_PEAKS`] other local maxima of the load (see `other_peaks`). A window the
    /// search proves not to pack raises the bound (see [`Self::window_bound`]); the windows
    /// after it are packed at the new one. Stops when proven or when the monitor says so.
    /// With counted budgets and passes that run to the end, the result does not depend on
    /// the machine's speed, only on where a time limit falls.
    ///
    /// `profile` is the problem's load profile when the caller still has it (on a million
    /// buffers it is tens of MB to build again); otherwise it is built here, once.
    pub(super) fn peak_windows(
        &mut self,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
        profile: Option<&LoadProfile>,
    ) {
        // Pinning must not cross fixed buffers (see `Neighbourhood::of`).
        if !params.peak_windows || self.problem.buffers.iter().any(|b| b.offset.is_some()) {
            return;
        }
        // Before the neighbourhood is found (a few hundredths of a second on a million
        // buffers): the lead, which never asks, may have run past the time limit.
        if monitor.should_stop() {
            self.stopped = true;
            return;
        }
        // The pinned problems have the problem's profile: their fills need not build it again.
        let computed;
        let profile = match profile {
            Some(profile) => profile,
            None => {
                computed = LoadProfile::of(self.problem);
                &computed
            }
        };
        let mut target = self.lower_bound;
        let Some(near) = Neighbourhood::of(self.problem, self.peak, Time::MAX, WINDOW_ITEMS) else {
            return;
        };
        let mut schedule = Schedule::default();
        while let Some(members) = near.count(schedule.half) {
            if let Some(checks) = schedule.budget(members) {
                let Some(part) = near.window(self.problem, schedule.half, target) else {
                    break;
                };
                if Sweep::cost(&part.problem) > PEAK_COST {
                    break;
                }
                let by = FoundBy::PeakWindow {
                    at: self.peak,
                    half: schedule.half,
                };
                match self.try_window(&part, by, checks, params, monitor, profile) {
                    Tried::Over => return,
                    // The bound rose: the next windows are packed at it.
                    Tried::Impossible => {
                        target = self.lower_bound;
                        schedule.record(members, false);
                    }
                    tried => schedule.record(members, matches!(tried, Tried::Filled)),
                }
            }
            if members == near.len() {
                break;
            }
            schedule.advance();
        }
        if self.proven() || self.stopped {
            return;
        }
        for at in other_peaks(self.problem, profile, self.peak, OTHER_PEAKS) {
            // At the bound as it is now: a window may have raised it.
            let target = self.lower_bound;
            let Some(part) = peak_window(self.problem, at, 0, target, WINDOW_ITEMS) else {
                continue;
            };
            let by = FoundBy::PeakWindow { at, half: 0 };
            if matches!(
                self.try_window(&part, by, PEAK_STOP_CHECKS, params, monitor, profile),
                Tried::Over
            ) {
                return;
            }
        }
    }

    /// The window `problem`, proven not to pack at its capacity, minimised on its own within
    /// [`PEAK_STOP_CHECKS`]: the lower bound it ends with (at least one above that
    /// capacity), and its packing there when it finds one.
    fn window_bound(
        &mut self,
        problem: &Problem,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
    ) -> (Offset, Option<Solution>) {
        let above = problem.capacity + 1;
        let window = Problem {
            capacity: self.capacity,
            ..problem.clone()
        };
        let mut budget = self.budget(monitor, PEAK_STOP_CHECKS, 0);
        // Without this probe: on the window it would find the same window again.
        let params = SolverParams {
            peak_windows: false,
            ..params.clone()
        };
        let Ok(report) = crate::minimize::minimize(&window, &params, &mut budget) else {
            return (above, None);
        };
        self.counter
            .add(report.stats.nodes, report.stats.backtracks);
        self.stopped |= budget.stopped;
        let bound = report.lower_bound.max(above);
        let packed = match &report.outcome {
            MinimizeOutcome::Optimal(solution) if solution.height <= bound => {
                Some(solution.clone())
            }
            _ => None,
        };
        (bound, packed)
    }

    /// Packs the window at the lower bound (see [`Self::pack_window`]), then fills in the
    /// rest around it with [`FILLS`], keeping any packing lower than the best.
    /// [`Tried::Over`] when the probe is over: the height is proven, or the monitor said to
    /// stop.
    fn try_window(
        &mut self,
        part: &PeakWindow,
        by: FoundBy,
        checks: u32,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
        profile: &LoadProfile,
    ) -> Tried {
        self.sync();
        if self.proven() || self.stopped {
            return Tried::Over;
        }
        if monitor.should_stop() {
            self.stopped = true;
            return Tried::Over;
        }
        // The fills report nothing while they run (a second each on a million buffers).
        if monitor.wants_progress() {
            self.report(monitor);
        }
        let mut budget = self.budget(monitor, checks, PEAK_HEURISTIC_CHECKS);
        let found = self.pack_window(part, params, &mut budget);
        if budget.stopped {
            self.stopped = true;
            return Tried::Over;
        }
        let packed = match found {
            Packing::Packed(packed) => packed,
            Packing::Unknown => return Tried::NotPacked,
            Packing::Impossible => {
                // Any packing of the whole, its window's buffers cut to the window, would
                // pack the window: a bound on the window's height holds for the whole.
                let (bound, packed) = self.window_bound(&part.problem, params, monitor);
                self.raise_bound(bound, monitor);
                match packed {
                    _ if self.proven() || self.stopped => return Tried::Over,
                    Some(packed) => packed,
                    None => return Tried::Impossible,
                }
            }
        };
        let pinned = part.pinned(self.problem, &packed.offsets, self.capacity);
        let mut greedy = Greedy::with_profile(&pinned, profile);
        // The greedy pass costs O(pairs that share time): seconds on a trace too large for
        // the exact search whole, where the peaks pass alone runs.
        let fills = if affordable(self.problem) {
            &FILLS[..]
        } else {
            &FILLS[..1]
        };
        for &fill in fills {
            let limit = self.best.as_ref().map_or(self.capacity, |b| b.height - 1);
            let mut stop = || monitor.should_stop();
            if let Some(solution) = greedy.run(fill, limit, &mut stop) {
                let solution = Solution::from_offsets(self.problem, solution.offsets);
                self.improve(solution, by, monitor);
            } else if monitor.should_stop() {
                self.stopped = true;
                return Tried::Over;
            }
        }
        if self.proven() {
            Tried::Over
        } else {
            Tried::Filled
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The windows `Schedule` tries up to half-width 60, where the window of half-width `h`
    /// holds `members(h)` buffers and the search packs it when `packed(h)`: `(half, checks)`.
    fn tried(members: impl Fn(Time) -> usize, packed: impl Fn(Time) -> bool) -> Vec<(Time, u32)> {
        let mut schedule = Schedule::default();
        let mut tried = Vec::new();
        while schedule.half < 60 {
            let members = members(schedule.half);
            if let Some(checks) = schedule.budget(members) {
                tried.push((schedule.half, checks));
                schedule.record(members, packed(schedule.half));
            }
            schedule.advance();
        }
        tried
    }

    #[test]
    fn windows_double_while_they_pack_and_grow_by_half_after_one_does_not() {
        let (full, retry) = (PEAK_STOP_CHECKS, RETRY_STOP_CHECKS);
        let one_a_step = |half: Time| half as usize + 1;
        // Every window packed: widths 2^k - 1, the full budget.
        assert_eq!(
            tried(one_a_step, |_| true),
            [
                (0, full),
                (1, full),
                (3, full),
                (7, full),
                (15, full),
                (31, full)
            ]
        );
        // Windows of half-width 9 or more packed: after each failure the next is half as
        // wide again, with the retries' budget, until one packs; then doubling again.
        assert_eq!(
            tried(one_a_step, |half| half >= 9),
            [
                (0, full),
                (1, full),
                (2, retry),
                (4, retry),
                (7, retry),
                (11, retry),
                (23, full),
                (47, full)
            ]
        );
        // Buffers growing slower than the width: windows with fewer than twice the buffers
        // of the last one tried are passed over, and after a failure those with no more.
        let one_in_four = |half: Time| half as usize / 4 + 1;
        assert_eq!(
            tried(one_in_four, |_| true),
            [(0, full), (7, full), (15, full), (31, full)]
        );
        assert_eq!(
            tried(one_in_four, |_| false),
            [
                (0, full),
                (4, full),
                (11, retry),
                (17, retry),
                (26, retry),
                (40, retry)
            ]
        );
    }
}
