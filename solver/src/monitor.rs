//! How a caller watches and stops a solve without the solver owning a clock.
//!
//! The solver calls [`Monitor::should_stop`] every few dozen search nodes and
//! [`Monitor::progress`] every few thousand. The caller decides what "too long" means
//! (a deadline on its own clock, a cancel button, an `AbortSignal`) and what to do with
//! progress; the solver never reads time itself, so it runs unchanged in WebAssembly.

use std::time::Duration;

use crate::model::{Offset, Solution};

/// Live figures of a running solve.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Progress {
    /// Search nodes visited so far, over all orderings (and threads).
    pub nodes: u64,
    /// Nodes at which every candidate failed, so far.
    pub backtracks: u64,
    /// Time since the solve started, when the monitor has a clock ([`Monitor::elapsed`]).
    pub elapsed: Option<Duration>,
    /// Lowest height found so far, when minimising.
    pub best_height: Option<Offset>,
    /// Proven lower bound on the height, when minimising.
    pub lower_bound: Option<Offset>,
}

impl Progress {
    /// How far the best height may be above the optimum, in percent of the lower bound,
    /// when both are known (minimising).
    pub fn gap_percent(&self) -> Option<f64> {
        Some(crate::bounds::gap_percent(
            self.best_height?,
            self.lower_bound?,
        ))
    }
}

/// The caller's side of a solve: a stop check, a clock if it has one, and a progress sink.
pub trait Monitor {
    /// True when the solve must stop now (timeout, cancel). Called every few dozen nodes.
    fn should_stop(&mut self) -> bool {
        false
    }

    /// Time since the solve started, if the caller has a clock; copied into [`Progress`].
    fn elapsed(&self) -> Option<Duration> {
        None
    }

    /// Called with fresh figures every few thousand nodes, when [`Monitor::wants_progress`]
    /// says so, and once at the end.
    fn progress(&mut self, _progress: &Progress) {}

    /// True when the caller would like a progress report now rather than at the next
    /// few-thousand-node mark (a page that redraws every 100 ms while nodes are slow).
    /// Called as often as [`Monitor::should_stop`]; keep it cheap.
    fn wants_progress(&mut self) -> bool {
        false
    }

    /// Called when minimising finds a packing lower than any before it, right before the
    /// matching [`Monitor::progress`]. A caller that may be cut off without warning (a Web
    /// Worker terminated on cancel) keeps this one so a stop never loses the best packing.
    fn improved(&mut self, _solution: &Solution) {}

    /// Called by [`solve_share`](crate::solve_share) before each slice of a search, with
    /// the search's place in a single thread's order (`round << 32 | index in the plan`):
    /// the share has run every place before it without a decision, and a decision ends it
    /// at the last place given. A race of shares that cannot share memory (web workers)
    /// keeps the decision at the least place, once every other share has passed it: the
    /// one-thread answer.
    fn racing(&mut self, _place: u64) {}
}

/// No stop, no clock, no progress: run to the end.
impl Monitor for () {}

/// A monitor that stops when a closure says so; handy for tests and simple callers.
pub struct StopWhen<F: FnMut() -> bool>(pub F);

impl<F: FnMut() -> bool> Monitor for StopWhen<F> {
    fn should_stop(&mut self) -> bool {
        (self.0)()
    }
}

/// The caller's monitor, asked to stop once a number of stop checks are spent as well: a
/// counted budget, so that what a budgeted step finds does not depend on the machine's speed.
pub(crate) struct CheckBudget<'m> {
    outer: &'m mut dyn Monitor,
    left: u64,
}

impl<'m> CheckBudget<'m> {
    pub(crate) fn new(outer: &'m mut dyn Monitor, left: u64) -> Self {
        CheckBudget { outer, left }
    }

    /// The stop checks not spent.
    pub(crate) fn left(&self) -> u64 {
        self.left
    }
}

impl Monitor for CheckBudget<'_> {
    fn should_stop(&mut self) -> bool {
        if self.left == 0 {
            return true;
        }
        self.left -= 1;
        self.outer.should_stop()
    }

    fn elapsed(&self) -> Option<Duration> {
        self.outer.elapsed()
    }
}
