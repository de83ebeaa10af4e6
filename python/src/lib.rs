//! `bufpack._bufpack`: the native half of the Python package `bufpack`.
//!
//! This crate converts and nothing else. The solver crate does the work; the Python files in
//! `python/bufpack/` are the package's API (classes, argument checks, exceptions, the
//! MiniMalloc-compatible `bufpack.minimalloc`). Between the two, values cross as plain data:
//!
//! - a problem lives here, in a [`ProblemCore`] (Rust's `Problem` behind an `Arc`), so that a
//!   million buffers never become a million Python objects;
//! - integer columns (bounds, sizes, offsets) cross as `bytes` of little-endian `i64`s, which
//!   numpy reads and writes without a Python loop ([`columns`]);
//! - answers come back as small `dict`s that the Python side turns into its result objects and
//!   exceptions; input errors are raised here as the package's own exception classes
//!   ([`errors`]).
//!
//! Every search runs with the GIL released ([`run`], [`batch`]); a [`monitor::PyMonitor`]
//! stops it on a deadline, a cancel token, or a signal (it re-attaches every 50 ms to run
//! Python's signal handlers), and reports progress. A Rust panic becomes an exception.
//!
//! TensorFlow Lite Micro models come in through `bufpack-models` ([`tflite`]): the model's
//! bytes and buffers stay here, its buffers become a `ProblemCore`, and a plan goes back
//! into the model only through the models crate's checks.
//!
//! The extension uses the system allocator (no `#[global_allocator]`): memory handed across
//! the boundary is only ever freed by the side that allocated it, and a second allocator in
//! one process invites exactly that mistake (python/README.md).

mod batch;
mod columns;
mod errors;
mod monitor;
mod params;
mod problem;
mod run;
mod state;
mod svg;
mod tflite;

use pyo3::prelude::*;

/// The native module. Its names are private to the package: `bufpack/_bufpack.pyi` lists them.
#[pymodule]
fn _bufpack(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<problem::ProblemCore>()?;
    m.add_class::<monitor::CancelToken>()?;
    m.add_class::<tflite::ModelCore>()?;
    m.add_function(wrap_pyfunction!(run::solve, m)?)?;
    m.add_function(wrap_pyfunction!(run::minimize, m)?)?;
    m.add_function(wrap_pyfunction!(run::heuristic_names, m)?)?;
    m.add_function(wrap_pyfunction!(batch::solve_many, m)?)?;
    m.add_function(wrap_pyfunction!(panic_for_tests, m)?)?;
    m.add("MAX_MAGNITUDE", bufpack::MAX_MAGNITUDE)?;
    Ok(())
}

/// Panics where every solve runs (GIL released, behind the panic guard), so that tests can
/// check a panic becomes `bufpack.InternalError` and the interpreter carries on.
#[pyfunction]
#[pyo3(name = "_panic_for_tests")]
fn panic_for_tests(py: Python<'_>, message: String) -> PyResult<()> {
    problem::detached(py, move || -> () { panic!("{message}") })
}
