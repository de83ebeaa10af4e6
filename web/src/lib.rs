//! # bufpack-web
//!
//! The wasm-bindgen layer of the npm package `bufpack`: plain JavaScript objects in and out
//! (serde-wasm-bindgen), errors as objects with a stable `code`, a clock and progress
//! callbacks supplied from JavaScript. The package's public API (classes, `BufpackError`,
//! the Worker API) is the hand-written JavaScript in `js/`, which calls these functions; the
//! shapes are documented in `js/index.d.ts`.
//!
//! Nothing here knows about workers, files or the DOM, and the solver crate stays free of
//! JavaScript: this crate only converts.

mod alloc;
mod api;
mod columns;
mod error;
mod monitor;
mod panic;
mod shapes;
mod trace;

pub use api::{
    default_params, heuristic_names, lower_bound, minimize, parse_csv, run_heuristic, solve,
    solve_csv, to_csv, trace_search, validate,
};
pub use error::ErrorCode;
