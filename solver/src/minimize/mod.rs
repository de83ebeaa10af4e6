//! Peak minimisation: the lowest height, with a proof when there is one and the remaining gap
//! when there is not.
//!
//! 1. The lower bound ([`crate::LowerBound`]: LOAD, sizes, fixed ends) and the heuristics
//!    give an answer at once: the O(n log n) online allocator first (or, on long traces whose
//!    load peaks are few, the peaks pass, bounded by its budget), then passes that on real
//!    traces land within a fraction of a percent of the bound.
//! 2. The exact search then *probes* heights: one portfolio at the lower bound (on most
//!    real inputs LOAD is the optimum, and a packing there is proven optimal), *scouts*
//!    between the bound and the best height found. A probe that finds a packing lowers the
//!    best height; a probe that exhausts its space proves nothing fits at that height and
//!    raises the bound. A probe that runs long proves nothing: it keeps running in turn
//!    with the others, and new scouts try higher.
//!    Before the probes, the *peak window* probe packs the buffers live around the load's
//!    peak at the lower bound first and fills in the rest around them (`peak_window.rs`),
//!    and one *pinned* probe at the lower bound fixes the long-lived buffers at its top and
//!    packs the rest beneath them (`pinned.rs`), each within a counted budget.
//! 3. A stop (timeout, cancel) returns the best packing so far with the gap left.
//!
//! Inputs too large for the exact search whole (over 20,000 buffers to place) run it on
//! *windows* instead (`window.rs`): where the best packing rises above a target height, the
//! buffers placed in a band of memory under the target during a window of time around the
//! highest one are packed again by the search, everything else fixed; the band and the
//! window grow until it succeeds. Targets: the lower bound (a packing there is optimal),
//! then heights bisected between it and the best. The pinned probe's problem, when too
//! large, is repaired the same way from its online packing. The attempts at the bound run
//! between the fast passes and the greedy ones (O(pairs that share time), seconds each on
//! such traces), the bisection after them. A window that fails proves nothing, so these
//! inputs end proven only at the bound.
//! Natively, [`minimize_parallel`] shares the work out over threads.

use std::fmt;

// A browser has no threads: nothing makes a board there, though `run.rs` still names it.
#[cfg_attr(target_family = "wasm", allow(dead_code))]
mod board;
#[cfg(not(target_family = "wasm"))]
mod parallel;
mod peak_window;
mod pinned;
mod run;
mod window;

use crate::bounds::{gap_percent, BoundReason};
use crate::heuristics::Heuristic;
use crate::model::{Offset, Problem, Solution};
use crate::monitor::Monitor;
use crate::params::SolverParams;
use crate::search::{Infeasibility, SearchStats, SolveError};

#[cfg(not(target_family = "wasm"))]
pub use parallel::{minimize_parallel, MAX_MINIMIZE_THREADS};
use run::{Role, Run};

/// The result of [`minimize`].
#[derive(Clone, Debug, PartialEq)]
pub struct MinimizeReport {
    /// Optimal, feasible with a gap, infeasible, or stopped.
    pub outcome: MinimizeOutcome,
    /// The proven lower bound on the height: no packing is lower.
    pub lower_bound: Offset,
    /// Why the lower bound holds.
    pub bound_reason: BoundReason,
    /// LOAD: the largest total size live at one time (with `widen_windows`, counting a
    /// buffer in full during a gap when no buffer that could use its spare bytes is live).
    pub load: Offset,
    /// How the best packing was found.
    pub found_by: Option<FoundBy>,
    /// Figures of the exact search (zero when it did not run).
    pub stats: SearchStats,
    /// Whether the exact search ran, on the whole input or (when it is too large for that)
    /// on windows of the best packing: it does not when the heuristics already reach the
    /// bound or when a stop comes first.
    pub searched: bool,
    /// The monitor stopped the minimisation before the height was proven.
    pub stopped: bool,
    /// Some height could be neither packed nor ruled out: with windowed gaps the exact
    /// search may not try every placement (see [`crate::Undecided::Windows`]), so its
    /// exhausted probes proved nothing and the bound did not rise there.
    pub incomplete: bool,
}

/// What a minimisation ends with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MinimizeOutcome {
    /// A packing of the least possible height: it equals the proven lower bound.
    Optimal(Solution),
    /// The best packing found before the stop; the optimum lies between the lower bound and
    /// its height.
    Feasible(Solution),
    /// No packing fits the capacity.
    Infeasible(Infeasibility),
    /// Stopped before any packing within the capacity was found; one may still exist.
    Stopped,
}

/// Which method produced the best packing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoundBy {
    /// A greedy heuristic.
    Heuristic(Heuristic),
    /// A peaks pass some of whose hot parts, left above the load by the skylines, were packed
    /// by the exact search on each part alone (`hot_parts`, see `minimize/run/parts.rs`).
    HotParts(Heuristic),
    /// The pinned probe: long-lived buffers fixed at the top of the lower bound, the rest
    /// packed beneath them (see `minimize/pinned.rs`).
    Pinned,
    /// The exact search on windows of the best packing (the input is too large for it
    /// whole), repairing it to this height (see `minimize/window.rs`).
    Window {
        /// The height the windows were repaired to.
        target: Offset,
    },
    /// The peak window probe: the buffers live within `half` time units of `at` (a local
    /// maximum of the load) packed at the lower bound first, the rest filled in around them
    /// (see `minimize/peak_window.rs`).
    PeakWindow {
        /// The instant the window is around.
        at: i64,
        /// How far the window reaches either side of it.
        half: i64,
    },
    /// Layers stacked (see `search/layers.rs`): every leaf packed at its height by the exact
    /// search (at the lower bound), or, `minimised`, each leaf minimised on its own.
    Layers {
        /// Whether the leaves were minimised (else packed at their heights).
        minimised: bool,
    },
    /// The exact search, probing this height.
    Search {
        /// The height the probe was asked to fit under.
        probe: Offset,
    },
}

impl fmt::Display for FoundBy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FoundBy::Heuristic(heuristic) => write!(f, "heuristic {heuristic}"),
            FoundBy::HotParts(heuristic) => {
                write!(f, "heuristic {heuristic}, with hot parts packed by the exact search")
            }
            FoundBy::Pinned => write!(f, "long-lived buffers pinned at the top of the lower bound"),
            FoundBy::Window { target } => {
                write!(
                    f,
                    "exact search on windows of the best packing (target {target})"
                )
            }
            FoundBy::PeakWindow { at, half } => write!(
                f,
                "the buffers live within {half} of time {at} (a load peak) packed at the bound first, the rest filled in around them"
            ),
            FoundBy::Layers { minimised: false } => {
                write!(f, "layers stacked, each leaf packed at its height")
            }
            FoundBy::Layers { minimised: true } => {
                write!(f, "layers stacked, each leaf minimised on its own")
            }
            FoundBy::Search { probe } => write!(f, "exact search (probing height {probe})"),
        }
    }
}

impl MinimizeReport {
    /// The best packing, optimal or not.
    pub fn solution(&self) -> Option<&Solution> {
        match &self.outcome {
            MinimizeOutcome::Optimal(solution) | MinimizeOutcome::Feasible(solution) => {
                Some(solution)
            }
            _ => None,
        }
    }

    /// How far the best height may be above the optimum, in percent of the lower bound.
    pub fn gap_percent(&self) -> Option<f64> {
        self.solution()
            .map(|solution| gap_percent(solution.height, self.lower_bound))
    }
}

/// Finds the lowest height at which `problem` packs, never above `problem.capacity` (pass
/// [`crate::MAX_MAGNITUDE`] for no limit), on the calling thread. Anytime: `monitor`
/// receives the best height and the bound as they improve and may stop it; the best packing
/// so far is returned.
// Never inlined: a split into layers minimises its leaves with it (`Run::layers`), and a
// copy inlined into a caller as well would carry the whole minimisation twice.
#[inline(never)]
pub fn minimize(
    problem: &Problem,
    params: &SolverParams,
    monitor: &mut dyn Monitor,
) -> Result<MinimizeReport, SolveError> {
    // With `widen_windows`, everything below sees the widened problem (same packings).
    let widened = crate::widen::widened(problem, params).map_err(SolveError::Problem)?;
    minimize_checked(&widened, params, monitor)
}

/// [`minimize`] on a problem that passed its checks, widened already.
fn minimize_checked(
    problem: &Problem,
    params: &SolverParams,
    monitor: &mut dyn Monitor,
) -> Result<MinimizeReport, SolveError> {
    let mut run = match Run::start(problem, params, Role::alone(), None)? {
        Ok(run) => run,
        Err(report) => return Ok(report),
    };
    run.work(params, monitor);
    Ok(run.finish(monitor, SearchStats::default()))
}
