//! # bufpack
//!
//! Static buffer packing: give every buffer an offset in one memory so that buffers alive at
//! the same time never overlap. This crate holds the model, a MiniMalloc-compatible CSV reader
//! and writer, a validator and an exact solver.
//!
//! The crate does no I/O and reads no clock: callers pass text in, get text out, and decide
//! when to stop through a [`Monitor`]. It builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use bufpack::{solve, validate, Buffer, Outcome, Problem, SolverParams};
//!
//! let problem = Problem::new(
//!     vec![
//!         Buffer::new("b1", 0, 3, 4),
//!         Buffer::new("b2", 3, 9, 4),
//!         Buffer::new("b3", 0, 9, 4),
//!         Buffer::new("b4", 9, 21, 4),
//!         Buffer::new("b5", 0, 21, 4),
//!     ],
//!     12,
//! );
//! let report = solve(&problem, &SolverParams::default(), &mut ()).unwrap();
//! let Outcome::Solved(solution) = report.outcome else { panic!("fits in 12") };
//! assert!(validate(&problem, &solution).is_ok());
//! assert!(solution.height <= 12);
//! ```

mod bounds;
mod csv;
#[cfg(test)]
mod fixtures;
mod hash;
mod heuristics;
mod minimize;
mod model;
mod monitor;
mod params;
mod search;
mod sort;
mod sweep;
#[cfg(test)]
mod test_rng;
mod validate;
mod widen;

pub use model::{
    Buffer, Gap, Lifespan, Offset, Piece, Problem, ProblemError, ProblemErrorKind, Solution, Time,
    Window, MAX_MAGNITUDE,
};

pub use bounds::{gap_percent, BoundReason, LoadProfile, LowerBound};
pub use csv::{read_buffers, read_problem, write_problem, write_solution, CsvError, CsvErrorKind};
pub use heuristics::{greedy, Fit, Heuristic, Order};
pub use minimize::{minimize, FoundBy, MinimizeOutcome, MinimizeReport};
#[cfg(not(target_family = "wasm"))]
pub use minimize::{minimize_parallel, MAX_MINIMIZE_THREADS};
pub use monitor::{Monitor, Progress, StopWhen};
pub use params::{parse_preorderings, ParamsError, Preordering, SolverParams, SortKey};
#[cfg(not(target_family = "wasm"))]
pub use search::solve_parallel;
pub use search::{
    solve, solve_share, trace, Infeasibility, Outcome, Prune, Report, SearchStats, Share,
    SolveError, Technique, Trace, TraceCandidate, TraceCounts, TraceEvent, Undecided,
};
pub use validate::{validate, ValidationError};
