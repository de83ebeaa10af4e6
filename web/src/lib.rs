//! # bufpack-web
//!
//! The wasm-bindgen layer of the npm package `bufpack`: plain JavaScript objects in and out
//! (serde-wasm-bindgen), errors as objects with a stable `code`, a clock and progress
//! callbacks supplied from JavaScript. The package's public API (classes, `BufpackError`,
//! the Worker API) is the hand-written JavaScript in `npm/`, which calls these functions; the
//! shapes are documented in `npm/index.d.ts`.
//!
//! Three `.wasm` files come from this crate: the solver (feature `solver`) and, loaded on
//! first use, the recorded search (feature `trace`, `src/trace.rs`) and TensorFlow Lite
//! Micro models (feature `models`, `src/models.rs`, which uses nothing of the solver). All
//! are on by default, for tests and lints.
//!
//! Nothing here knows about workers, files or the DOM, and the solver crate stays free of
//! JavaScript: this crate only converts.

mod alloc;
#[cfg(feature = "solver")]
mod api;
#[cfg(feature = "solver")]
mod columns;
#[cfg(any(feature = "solver", feature = "trace"))]
mod convert;
#[cfg(any(feature = "solver", feature = "trace"))]
mod error;
#[cfg(feature = "models")]
mod models;
#[cfg(any(feature = "solver", feature = "trace"))]
mod monitor;
mod numbers;
mod panic;
#[cfg(any(feature = "solver", feature = "trace"))]
mod shapes;
#[cfg(feature = "trace")]
mod trace;

#[cfg(feature = "solver")]
pub use api::{
    default_params, heuristic_names, lower_bound, minimize, most_searches, parse_csv,
    reference_params, run_heuristic, solve, solve_csv, to_csv, validate,
};
#[cfg(any(feature = "solver", feature = "trace"))]
pub use error::ErrorCode;
#[cfg(feature = "models")]
pub use models::{check_model_plan, plan_model, read_model, tflm_greedy};
#[cfg(feature = "trace")]
pub use trace::trace_search;
