//! `solve` and `minimize` with the GIL released, and their answers as `dict`s.
//!
//! The answer's keys (the Python side, `bufpack/_solve.py`, reads them):
//!
//! | key | when | value |
//! |---|---|---|
//! | `outcome` | always | `solved`, `infeasible`, `undecided`, `stopped` (solve); `optimal`, `feasible`, `infeasible`, `stopped` (minimize) |
//! | `offsets`, `height` | a packing | offsets as bytes, its height |
//! | `reason` | infeasible, undecided | a dict: `kind`, `message` and the facts |
//! | `stop` | the monitor stopped it | `timeout`, `cancelled` or `error` (then `error`: the exception) |
//! | `nodes`, `backtracks`, `elapsed` | always | search figures, seconds |
//! | `lower_bound`, `bound`, `load`, `found_by`, `searched`, `incomplete`, `gap` | minimize | the report's figures |

use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use bufpack::{
    minimize_parallel, solve_parallel, Fit, Heuristic, Infeasibility, MinimizeOutcome,
    MinimizeReport, Order, Outcome, Problem, Report, SolveError, Undecided,
};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::monitor::{CancelToken, PyMonitor, Stop};
use crate::problem::{bound_reason, detached, ProblemCore};
use crate::{columns, errors, params};

/// Every heuristic, in the order `heuristic_names` lists them.
pub(crate) fn all_heuristics() -> Vec<Heuristic> {
    let mut all = vec![Heuristic::Online, Heuristic::Stack];
    all.extend(Order::ALL.iter().map(|&order| Heuristic::Skyline(order)));
    for order in Order::ALL {
        for fit in [Fit::First, Fit::Best] {
            all.push(Heuristic::Greedy(order, fit));
        }
    }
    all
}

/// The heuristic a name (its `Display`) stands for.
pub(crate) fn heuristic_named(name: &str) -> PyResult<Heuristic> {
    all_heuristics()
        .into_iter()
        .find(|h| h.to_string() == name)
        .ok_or_else(|| {
            let known: Vec<String> = all_heuristics().iter().map(|h| h.to_string()).collect();
            errors::invalid(
                "heuristic",
                format!(
                    "heuristic: expected one of {}, found {name:?}",
                    known.join(", ")
                ),
            )
        })
}

/// The names of every heuristic, most useful first.
#[pyfunction]
pub(crate) fn heuristic_names() -> Vec<String> {
    all_heuristics().iter().map(|h| h.to_string()).collect()
}

/// A time limit in seconds: `None` or infinite for none.
pub(crate) fn timeout_of(timeout: Option<f64>) -> PyResult<Option<Duration>> {
    match timeout {
        None => Ok(None),
        Some(t) if t == f64::INFINITY => Ok(None),
        Some(t) => Duration::try_from_secs_f64(t).map(Some).map_err(|_| {
            errors::invalid(
                "timeout",
                format!("timeout: expected a non-negative number of seconds, found {t}"),
            )
        }),
    }
}

/// Whether the calling Python thread is the main thread (the only one signal handlers run on).
pub(crate) fn on_main_thread(py: Python<'_>) -> PyResult<bool> {
    let threading = py.import("threading")?;
    let current = threading.call_method0("current_thread")?;
    let main = threading.call_method0("main_thread")?;
    Ok(current.is(&main))
}

/// What a run needs besides the problem, gathered with the GIL held.
pub(crate) struct Setup {
    pub(crate) params: bufpack::SolverParams,
    pub(crate) timeout: Option<Duration>,
    pub(crate) threads: usize,
}

impl Setup {
    pub(crate) fn new(
        params: Option<&Bound<'_, PyAny>>,
        timeout: Option<f64>,
        threads: usize,
    ) -> PyResult<Setup> {
        if threads == 0 {
            return Err(errors::invalid(
                "threads",
                "threads: expected at least 1, found 0".to_owned(),
            ));
        }
        Ok(Setup {
            params: params::from_python(params)?,
            timeout: timeout_of(timeout)?,
            threads,
        })
    }
}

/// The monitor of a call from Python.
fn monitor_for<'a>(
    py: Python<'_>,
    setup: &Setup,
    cancel: Option<&Bound<'_, CancelToken>>,
    progress: Option<Py<PyAny>>,
    progress_interval: f64,
) -> PyResult<PyMonitor<'a>> {
    let every = Duration::try_from_secs_f64(progress_interval).map_err(|_| {
        errors::invalid(
            "progress_interval",
            format!("progress_interval: expected a non-negative number of seconds, found {progress_interval}"),
        )
    })?;
    Ok(PyMonitor::new(setup.timeout)
        .with_cancel(cancel.map(|c| c.get().flag.clone()))
        .with_signals(on_main_thread(py)?)
        .with_progress(progress, every))
}

/// Decides whether `problem` fits its capacity (or `capacity`), GIL released.
#[pyfunction]
#[pyo3(signature = (problem, capacity = None, params = None, timeout = None, threads = 1, progress = None, cancel = None, progress_interval = 0.1))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve<'py>(
    py: Python<'py>,
    problem: &Bound<'py, ProblemCore>,
    capacity: Option<i64>,
    params: Option<&Bound<'py, PyAny>>,
    timeout: Option<f64>,
    threads: usize,
    progress: Option<Py<PyAny>>,
    cancel: Option<&Bound<'py, CancelToken>>,
    progress_interval: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let problem = problem.get().at_capacity(capacity)?;
    let setup = Setup::new(params, timeout, threads)?;
    let mut monitor = monitor_for(py, &setup, cancel, progress, progress_interval)?;
    let (result, monitor) = detached(py, || {
        let result = solve_parallel(&problem, &setup.params, setup.threads, &mut monitor);
        (result, monitor)
    })?;
    let report = result.map_err(|error| errors::solve(&error))?;
    solve_answer(py, report, &monitor.stop, monitor.elapsed_seconds())
}

/// Finds the lowest height (the capacity, if any, is an upper limit), GIL released.
#[pyfunction]
#[pyo3(signature = (problem, capacity = None, params = None, timeout = None, threads = 1, progress = None, cancel = None, progress_interval = 0.1))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn minimize<'py>(
    py: Python<'py>,
    problem: &Bound<'py, ProblemCore>,
    capacity: Option<i64>,
    params: Option<&Bound<'py, PyAny>>,
    timeout: Option<f64>,
    threads: usize,
    progress: Option<Py<PyAny>>,
    cancel: Option<&Bound<'py, CancelToken>>,
    progress_interval: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let problem = problem.get().at_capacity(capacity)?;
    let setup = Setup::new(params, timeout, threads)?;
    let mut monitor = monitor_for(py, &setup, cancel, progress, progress_interval)?;
    let (result, monitor) = detached(py, || {
        let result = minimize_parallel(&problem, &setup.params, setup.threads, &mut monitor);
        (result, monitor)
    })?;
    let report = result.map_err(|error| errors::solve(&error))?;
    minimize_answer(
        py,
        &problem,
        &report,
        &monitor.stop,
        monitor.elapsed_seconds(),
    )
}

/// The answer of a solve as a dict (see the module's table).
pub(crate) fn solve_answer<'py>(
    py: Python<'py>,
    report: Report,
    stop: &Option<Stop>,
    elapsed: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("nodes", report.stats.nodes)?;
    dict.set_item("backtracks", report.stats.backtracks)?;
    dict.set_item("elapsed", elapsed)?;
    dict.set_item(
        "ordering",
        report.stats.ordering.as_ref().map(|o| o.to_string()),
    )?;
    match report.outcome {
        Outcome::Solved(solution) => {
            dict.set_item("outcome", "solved")?;
            dict.set_item("offsets", columns::write(py, &solution.offsets)?)?;
            dict.set_item("height", solution.height)?;
        }
        Outcome::Infeasible(why) => {
            dict.set_item("outcome", "infeasible")?;
            dict.set_item("reason", infeasibility(py, &why)?)?;
        }
        Outcome::Undecided(why) => {
            dict.set_item("outcome", "undecided")?;
            dict.set_item("reason", undecided(py, &why)?)?;
        }
        Outcome::Stopped => dict.set_item("outcome", "stopped")?,
    }
    stop_into(py, stop, &dict)?;
    Ok(dict)
}

/// The answer of a minimisation as a dict (see the module's table).
pub(crate) fn minimize_answer<'py>(
    py: Python<'py>,
    problem: &Problem,
    report: &MinimizeReport,
    stop: &Option<Stop>,
    elapsed: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("nodes", report.stats.nodes)?;
    dict.set_item("backtracks", report.stats.backtracks)?;
    dict.set_item("elapsed", elapsed)?;
    dict.set_item("lower_bound", report.lower_bound)?;
    let bound = PyDict::new(py);
    bound.set_item("height", report.lower_bound)?;
    bound.set_item("load", report.load)?;
    bound_reason(problem, &report.bound_reason, &bound)?;
    dict.set_item("bound", bound)?;
    dict.set_item("load", report.load)?;
    dict.set_item("found_by", report.found_by.map(|f| f.to_string()))?;
    dict.set_item("searched", report.searched)?;
    dict.set_item("stopped", report.stopped)?;
    dict.set_item("incomplete", report.incomplete)?;
    dict.set_item("gap", report.gap_percent())?;
    match &report.outcome {
        MinimizeOutcome::Optimal(solution) | MinimizeOutcome::Feasible(solution) => {
            let optimal = matches!(report.outcome, MinimizeOutcome::Optimal(_));
            dict.set_item("outcome", if optimal { "optimal" } else { "feasible" })?;
            dict.set_item("offsets", columns::write(py, &solution.offsets)?)?;
            dict.set_item("height", solution.height)?;
        }
        MinimizeOutcome::Infeasible(why) => {
            dict.set_item("outcome", "infeasible")?;
            dict.set_item("reason", infeasibility(py, why)?)?;
        }
        MinimizeOutcome::Stopped => dict.set_item("outcome", "stopped")?,
    }
    stop_into(py, stop, &dict)?;
    Ok(dict)
}

fn stop_into(py: Python<'_>, stop: &Option<Stop>, dict: &Bound<'_, PyDict>) -> PyResult<()> {
    if let Some(stop) = stop {
        dict.set_item("stop", stop.name())?;
        if let Stop::Error(error) = stop {
            dict.set_item("error", error.value(py))?;
        }
    }
    Ok(())
}

/// Why nothing fits, as `{kind, message, ...facts}`.
fn infeasibility<'py>(py: Python<'py>, why: &Infeasibility) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("message", why.to_string())?;
    match why {
        Infeasibility::TooLarge { id, end } => {
            dict.set_item("kind", "too_large")?;
            dict.set_item("id", id)?;
            dict.set_item("end", end)?;
        }
        Infeasibility::FixedClash(clash) => {
            dict.set_item("kind", "fixed_clash")?;
            if let bufpack::ValidationError::Overlap { first, second, .. } = clash {
                dict.set_item("ids", (first, second))?;
            }
        }
        Infeasibility::Load { time, load } => {
            dict.set_item("kind", "load")?;
            dict.set_item("time", time)?;
            dict.set_item("load", load)?;
        }
        Infeasibility::Exhausted => dict.set_item("kind", "exhausted")?,
    }
    Ok(dict)
}

/// Why there is neither a packing nor a proof, as `{kind, message, ...facts}`.
fn undecided<'py>(py: Python<'py>, why: &Undecided) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("message", why.to_string())?;
    match why {
        Undecided::Windows => dict.set_item("kind", "windows")?,
        Undecided::TooLarge {
            items,
            cost,
            budget,
            ..
        } => {
            dict.set_item("kind", "too_large")?;
            dict.set_item("items", items)?;
            dict.set_item("cost", cost)?;
            dict.set_item("budget", budget)?;
        }
    }
    Ok(dict)
}

/// What one run of a batch produced.
pub(crate) enum Ran {
    Solve(Result<Report, SolveError>),
    Minimize(Result<MinimizeReport, SolveError>),
    Panic(Box<dyn std::any::Any + Send>),
}

/// Runs one problem of a batch on the calling (worker) thread.
pub(crate) fn run_one(
    problem: &Problem,
    minimize: bool,
    setup: &Setup,
    cancel: Option<Arc<AtomicBool>>,
    batch: &AtomicBool,
) -> (Ran, Option<Stop>, f64) {
    let mut monitor = PyMonitor::new(setup.timeout)
        .with_cancel(cancel)
        .with_batch(batch);
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        if minimize {
            Ran::Minimize(bufpack::minimize(problem, &setup.params, &mut monitor))
        } else {
            Ran::Solve(bufpack::solve(problem, &setup.params, &mut monitor))
        }
    }))
    .unwrap_or_else(Ran::Panic);
    let elapsed = monitor.elapsed_seconds();
    (ran, monitor.stop, elapsed)
}
