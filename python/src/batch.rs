//! `solve_many`: a batch over native threads, the GIL released throughout.
//!
//! Workers take the next problem from a shared counter, each solving (or minimising) on one
//! thread with its own deadline. The calling thread only watches: every
//! [`SIGNAL_POLL`](crate::monitor::SIGNAL_POLL) it runs Python's signal handlers (on the main
//! thread) and the optional `progress(done, total)` callback; an exception from either stops
//! every worker at its next check.

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering::Relaxed};
use std::sync::{Arc, Condvar, Mutex};

use bufpack::Problem;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors;
use crate::monitor::{CancelToken, Stop, SIGNAL_POLL};
use crate::problem::{detached, ProblemCore};
use crate::run::{minimize_answer, on_main_thread, run_one, solve_answer, Ran, Setup};

/// Solves (or minimises) every problem on `threads` threads. Returns `(answers, error)`:
/// one answer dict per problem (`None` for those a stop left unrun) and the exception that
/// stopped the batch, if any. With `fail_fast`, the first problem without a packing stops
/// the others.
#[pyfunction]
#[pyo3(signature = (problems, capacity = None, minimize = false, params = None, timeout = None, threads = 1, progress = None, cancel = None, fail_fast = false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn solve_many<'py>(
    py: Python<'py>,
    problems: Vec<Bound<'py, ProblemCore>>,
    capacity: Option<i64>,
    minimize: bool,
    params: Option<&Bound<'py, PyAny>>,
    timeout: Option<f64>,
    threads: usize,
    progress: Option<Py<PyAny>>,
    cancel: Option<&Bound<'py, CancelToken>>,
    fail_fast: bool,
) -> PyResult<(Bound<'py, PyList>, Option<Py<PyAny>>)> {
    let setup = Setup::new(params, timeout, threads)?;
    let problems: Vec<Arc<Problem>> = problems
        .iter()
        .map(|p| p.get().at_capacity(capacity))
        .collect::<PyResult<_>>()?;
    let cancel = cancel.map(|c| c.get().flag.clone());
    let signals = on_main_thread(py)?;
    let total = problems.len();
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let slots: Vec<Mutex<Option<Answer>>> = (0..total).map(|_| Mutex::new(None)).collect();
    let done = (Mutex::new(0usize), Condvar::new());

    let work = || {
        let mut interrupt: Option<PyErr> = None;
        std::thread::scope(|scope| {
            for _ in 0..setup.threads.min(total.max(1)) {
                scope.spawn(|| loop {
                    // Every index taken gets its answer (a stopped run answers at once), so
                    // the watcher can count answers against indices taken.
                    if stop.load(Relaxed) {
                        break;
                    }
                    let index = next.fetch_add(1, Relaxed);
                    if index >= total {
                        break;
                    }
                    let outcome =
                        run_one(&problems[index], minimize, &setup, cancel.clone(), &stop);
                    if fail_fast && !has_packing(&outcome.0) && outcome.1.is_none() {
                        stop.store(true, Relaxed);
                    }
                    *lock(&slots[index]) = Some(outcome);
                    *lock(&done.0) += 1;
                    done.1.notify_all();
                });
            }
            // The watcher: signals and progress, until every worker is done.
            let mut reported = usize::MAX;
            loop {
                let finished = {
                    let count = lock(&done.0);
                    let (count, _) = done
                        .1
                        .wait_timeout(count, SIGNAL_POLL)
                        .unwrap_or_else(|poisoned| poisoned.into_inner());
                    *count
                };
                if interrupt.is_none() && (signals || progress.is_some()) {
                    let result = Python::attach(|py| -> PyResult<()> {
                        if signals {
                            py.check_signals()?;
                        }
                        if let Some(callback) = &progress {
                            if finished != reported {
                                callback.call1(py, (finished, total))?;
                            }
                        }
                        Ok(())
                    });
                    reported = finished;
                    if let Err(error) = result {
                        stop.store(true, Relaxed);
                        interrupt = Some(error);
                    }
                }
                let taken = next.load(Relaxed).min(total);
                if finished == total || (stop.load(Relaxed) && finished >= taken) {
                    break;
                }
            }
        });
        interrupt
    };
    let interrupt = detached(py, work)?;

    let answers = PyList::empty(py);
    for (slot, problem) in slots.into_iter().zip(&problems) {
        let slot = slot
            .into_inner()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let answer = match slot {
            None => py.None().into_bound(py),
            Some((ran, stopped, elapsed)) => match ran {
                Ran::Solve(Ok(report)) => solve_answer(py, report, &stopped, elapsed)?.into_any(),
                Ran::Minimize(Ok(report)) => {
                    minimize_answer(py, problem, &report, &stopped, elapsed)?.into_any()
                }
                Ran::Solve(Err(error)) | Ran::Minimize(Err(error)) => {
                    error_answer(py, errors::solve(&error))?.into_any()
                }
                Ran::Panic(payload) => error_answer(py, errors::panic(payload))?.into_any(),
            },
        };
        answers.append(answer)?;
    }
    Ok((
        answers,
        interrupt.map(|error| error.into_value(py).into_any()),
    ))
}

/// A run's result, how its monitor stopped it (if it did), and its seconds.
type Answer = (Ran, Option<Stop>, f64);

/// An answer that is an exception: `{outcome: "error", error}`.
fn error_answer<'py>(py: Python<'py>, error: PyErr) -> PyResult<Bound<'py, PyDict>> {
    let dict = PyDict::new(py);
    dict.set_item("outcome", "error")?;
    dict.set_item("error", error.into_value(py))?;
    Ok(dict)
}

/// Whether a run ended with a packing.
fn has_packing(ran: &Ran) -> bool {
    match ran {
        Ran::Solve(Ok(report)) => matches!(report.outcome, bufpack::Outcome::Solved(_)),
        Ran::Minimize(Ok(report)) => report.solution().is_some(),
        _ => false,
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}
