//! What a search ends with: the report, its outcome and figures, and the errors that stop
//! it before it starts.

use std::fmt;

use crate::bounds::{BoundReason, LowerBound};
use crate::model::{Offset, Problem, ProblemError, Solution, Time};
use crate::params::{ParamsError, Preordering};
use crate::validate::ValidationError;

/// How a solve ended, with its figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// Solved, infeasible, or stopped by the monitor.
    pub outcome: Outcome,
    /// Search figures.
    pub stats: SearchStats,
}

/// The answer of a solve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// A packing that fits the capacity.
    Solved(Solution),
    /// No packing fits the capacity; the reason says how we know.
    Infeasible(Infeasibility),
    /// The monitor asked to stop before an answer was found (timeout or cancel).
    Stopped,
    /// Neither a packing nor a proof that none exists; the reason says why.
    Undecided(Undecided),
}

/// Why a solve ended without an answer although nothing stopped it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Undecided {
    /// Windowed gaps let buffers sit beneath others in more ways than the search tries at
    /// this capacity: it tried all it could, which proves nothing (ARCHITECTURE.md, "How
    /// the search works").
    Windows,
    /// The input is too large for the exact search (its structures would take memory far
    /// beyond the input's), and the heuristics found no packing within the capacity (or, in
    /// a trace, were not tried: there is no search to record).
    TooLarge {
        /// Buffers the search would place.
        items: usize,
        /// Section memberships plus pairs of pieces that share time.
        cost: u64,
        /// The most of those the search takes on.
        budget: u64,
        /// Whether the heuristics were tried (`false` in a trace).
        heuristics_tried: bool,
    },
}

impl fmt::Display for Undecided {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Undecided::Windows => write!(
                f,
                "no packing found, but no proof either: windowed gaps allow more placements \
                 than the exact search tries at this capacity"
            ),
            Undecided::TooLarge {
                items,
                cost,
                budget,
                heuristics_tried: true,
            } => write!(
                f,
                "no packing found by the heuristics, and the input is too large for the \
                 exact search ({items} buffers meeting {cost} times, over its budget of \
                 {budget}); try --minimize to see how much memory it needs"
            ),
            Undecided::TooLarge {
                items,
                cost,
                budget,
                heuristics_tried: false,
            } => write!(
                f,
                "nothing to record: the input is too large for the exact search ({items} \
                 buffers meeting {cost} times, over its budget of {budget}); solve it to \
                 try the heuristics"
            ),
        }
    }
}

/// Why a problem cannot fit its capacity.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Infeasibility {
    /// One buffer alone does not fit.
    TooLarge {
        /// Id of the buffer.
        id: String,
        /// Where it would end at best (`size`, or `fixed offset + size`).
        end: Offset,
    },
    /// Two fixed buffers overlap each other.
    FixedClash(ValidationError),
    /// At one instant the live buffers need more memory than the capacity (with
    /// `widen_windows`, a buffer in a gap counted in full when no buffer that could use the
    /// bytes outside its window is live, or the spare bytes its guests cannot fill counted).
    Load {
        /// The first instant of the highest load.
        time: Time,
        /// The memory the buffers live then need.
        load: Offset,
    },
    /// The search visited the whole space without finding a packing.
    Exhausted,
}

impl Infeasibility {
    /// The reason a lower bound above the capacity gives.
    pub(crate) fn from_bound(problem: &Problem, bound: &LowerBound) -> Infeasibility {
        match bound.reason {
            BoundReason::Buffer { index } => Infeasibility::TooLarge {
                id: problem.buffers[index].id.clone(),
                end: bound.height,
            },
            BoundReason::Load { time } => Infeasibility::Load {
                time,
                load: bound.load,
            },
            // The live buffers need the bound then: the host's range is whole.
            BoundReason::Spare { time, .. } => Infeasibility::Load {
                time,
                load: bound.height,
            },
            BoundReason::Exhausted => Infeasibility::Exhausted,
        }
    }
}

impl fmt::Display for Infeasibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Infeasibility::TooLarge { id, end } => {
                write!(
                    f,
                    "buffer {id:?} needs memory up to {end}, more than the capacity"
                )
            }
            Infeasibility::FixedClash(clash) => write!(f, "fixed buffers clash: {clash}"),
            Infeasibility::Load { time, load } => write!(
                f,
                "at time {time} the live buffers need {load} units, more than the capacity"
            ),
            Infeasibility::Exhausted => write!(f, "no packing exists (search exhausted)"),
        }
    }
}

/// Figures of a search.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SearchStats {
    /// Nodes visited, over all orderings.
    pub nodes: u64,
    /// Nodes at which every candidate failed, over all orderings.
    pub backtracks: u64,
    /// The ordering whose search decided, if the search decided.
    pub ordering: Option<Preordering>,
}

/// Input the solver cannot work with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SolveError {
    /// The problem is malformed.
    Problem(ProblemError),
    /// The parameters are unusable.
    Params(ParamsError),
}

impl fmt::Display for SolveError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SolveError::Problem(error) => error.fmt(f),
            SolveError::Params(error) => error.fmt(f),
        }
    }
}

impl std::error::Error for SolveError {}
