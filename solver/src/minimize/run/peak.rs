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
use crate::model::{Solution, Time};
use crate::monitor::Monitor;
use crate::params::SolverParams;
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

/// How a window's try ended.
enum Tried {
    /// The probe is over: the height is proven, or the monitor said to stop.
    Over,
    /// Packed at the bound and filled in around.
    Filled,
    /// Not packed at the bound within the search's budget.
    NotPacked,
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
    ) -> Option<Solution> {
        // Whole, not cut: cut to the window every buffer would start at its first instant.
        let whole = part.whole(self.problem);
        let mut stop = || budget.heuristic_should_stop();
        let stacked = Greedy::new(&whole).run(Heuristic::Stack, whole.capacity, &mut stop);
        let problem = &part.problem;
        if stacked.is_some() || budget.stopped || !affordable(problem) {
            return stacked;
        }
        self.searched = true;
        self.search(problem, params, budget)
    }

    /// The peak window probe, when `peak_windows` is on. First, for windows of `2^k - 1`
    /// time units either side of the load's first peak (k = 0, 1, ..., skipping those that
    /// hold fewer than twice the buffers of the last one tried; after a window the search
    /// did not pack, half as wide again, holding more buffers than it and twice as many as
    /// the last one filled in around), while the window holds at most [`WINDOW_ITEMS`]
    /// buffers and its search structures stay within [`PEAK_COST`]: see
    /// [`Self::try_window`]. Then the columns
    /// (the buffers live at one instant) at up to [`OTHER_PEAKS`] other local maxima of the
    /// load (see `other_peaks`). Stops when proven or when the monitor
    /// says so. With counted budgets and passes that run to the end, the result does not
    /// depend on the machine's speed, only on where a time limit falls.
    ///
    /// `profile` is the problem's load profile when the caller still has it (on a million
    /// buffers it is tens of MB to build again); otherwise it is built here, once.
    pub(super) fn peak_windows(
        &mut self,
        params: &SolverParams,
        monitor: &mut dyn Monitor,
        profile: Option<&LoadProfile>,
    ) {
        // Pinning must not cross fixed buffers (see `peak_window`).
        if !params.peak_windows || self.problem.buffers.iter().any(|b| b.offset.is_some()) {
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
        let target = self.lower_bound;
        let Some(near) = Neighbourhood::of(self.problem, self.peak, Time::MAX, WINDOW_ITEMS) else {
            return;
        };
        // Members of the last window tried, and of the last one packed and filled in around;
        // whether the last one tried was not packed.
        let (mut tried, mut filled, mut failed) = (0, 0, false);
        let mut half: Time = 0;
        while let Some(part) = near.window(self.problem, half, target) {
            let members = part.members.len();
            // A window filled in around costs a pass over the whole trace, so the next holds
            // at least twice as many buffers. Whether the search packs a window at the bound
            // within its budget is a matter of luck, window by window (`huge`, a million
            // buffers, seed 3: those of 411-463 buffers in 500-2,300 nodes, those of 253-383
            // and 496-636 not in 16 Ki), so after one it does not, the next may hold fewer,
            // a try that costs at most the search's budget.
            let doubled = members >= 2 * tried;
            if doubled || (failed && members > tried && members >= 2 * filled) {
                if Sweep::cost(&part.problem) > PEAK_COST {
                    break;
                }
                tried = members;
                let by = FoundBy::PeakWindow {
                    at: self.peak,
                    half,
                };
                let checks = match doubled {
                    true => PEAK_STOP_CHECKS,
                    false => RETRY_STOP_CHECKS,
                };
                match self.try_window(&part, by, checks, params, monitor, profile) {
                    Tried::Over => return,
                    Tried::Filled => (filled, failed) = (members, false),
                    Tried::NotPacked => failed = true,
                }
            }
            if members == near.len() {
                break;
            }
            // Doubling, or half as wide again after a failure.
            let step = if failed { half / 2 } else { half };
            half = half.saturating_add(step).saturating_add(1);
        }
        if self.proven() || self.stopped {
            return;
        }
        for at in other_peaks(self.problem, profile, self.peak, OTHER_PEAKS) {
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

    /// Packs the window at the lower bound (see [`Self::pack_window`]), then fills in the
    /// rest around it with [`FILLS`], keeping any packing lower than the best. `false` when
    /// the probe is over: the height is proven, or the monitor said to stop.
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
        let Some(packed) = found else {
            return Tried::NotPacked;
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
