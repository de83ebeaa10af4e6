//! The [`Monitor`] a search runs under while the GIL is released: a deadline on
//! [`Instant`] (allowed here, outside the solver crate), a cancel token, Python's signals and
//! a progress callback.
//!
//! Signals: CPython's own handler only sets a flag; the Python-level handler (which raises
//! `KeyboardInterrupt` for Ctrl-C) runs when the main thread calls `PyErr_CheckSignals`. So
//! on the main thread the monitor re-attaches every [`SIGNAL_POLL`] to call it; an exception
//! from the handler stops the search and is kept for the caller. The solver asks
//! `should_stop` every few dozen nodes, so a Ctrl-C stops a search within about 50 ms plus
//! one node batch.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bufpack::{Monitor, Progress};
use pyo3::prelude::*;

/// How often the main thread re-attaches to run Python's signal handlers.
pub(crate) const SIGNAL_POLL: Duration = Duration::from_millis(50);

/// A flag another thread sets to stop a solve: `bufpack.CancelToken`.
#[pyclass(frozen, module = "bufpack._bufpack")]
pub(crate) struct CancelToken {
    pub(crate) flag: Arc<AtomicBool>,
}

#[pymethods]
impl CancelToken {
    #[new]
    #[pyo3(signature = (cancelled = false))]
    fn new(cancelled: bool) -> Self {
        CancelToken {
            flag: Arc::new(AtomicBool::new(cancelled)),
        }
    }

    /// Asks every solve watching this token to stop (from any thread).
    fn cancel(&self) {
        self.flag.store(true, Relaxed);
    }

    /// Clears the request, so the token can watch another solve.
    fn reset(&self) {
        self.flag.store(false, Relaxed);
    }

    /// Whether `cancel` was called since the last `reset`.
    #[getter]
    fn cancelled(&self) -> bool {
        self.flag.load(Relaxed)
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyAny>, (bool,)) {
        (slf.get_type().into_any(), (slf.get().cancelled(),))
    }

    fn __repr__(&self) -> String {
        format!("CancelToken(cancelled={})", py_bool(self.cancelled()))
    }
}

/// `True`/`False` as Python writes them.
pub(crate) fn py_bool(value: bool) -> &'static str {
    if value {
        "True"
    } else {
        "False"
    }
}

/// Why a monitor stopped a search.
pub(crate) enum Stop {
    /// The deadline passed.
    Timeout,
    /// A cancel token or the batch asked.
    Cancelled,
    /// A signal handler or the progress callback raised this.
    Error(PyErr),
}

impl Stop {
    /// The name the Python side reads (`stop` in the answer's dict).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Stop::Timeout => "timeout",
            Stop::Cancelled => "cancelled",
            Stop::Error(_) => "error",
        }
    }
}

/// How a search is watched; built with the GIL held, then moved into the detached search.
pub(crate) struct PyMonitor<'a> {
    start: Instant,
    deadline: Option<Instant>,
    cancel: Option<Arc<AtomicBool>>,
    /// The stop flag of a batch this search belongs to.
    batch: Option<&'a AtomicBool>,
    /// Poll Python's signal handlers (only worth it on the main thread).
    signals: bool,
    next_signal_poll: Instant,
    progress: Option<Py<PyAny>>,
    progress_every: Duration,
    next_progress: Instant,
    /// Set once the monitor decided to stop, and why.
    pub(crate) stop: Option<Stop>,
}

impl<'a> PyMonitor<'a> {
    /// A monitor started now; `timeout` in seconds (`None`: no limit).
    pub(crate) fn new(timeout: Option<Duration>) -> Self {
        let start = Instant::now();
        PyMonitor {
            start,
            deadline: timeout.and_then(|t| start.checked_add(t)),
            cancel: None,
            batch: None,
            signals: false,
            next_signal_poll: start + SIGNAL_POLL,
            progress: None,
            progress_every: Duration::from_millis(100),
            next_progress: start,
            stop: None,
        }
    }

    pub(crate) fn with_cancel(mut self, cancel: Option<Arc<AtomicBool>>) -> Self {
        self.cancel = cancel;
        self
    }

    pub(crate) fn with_batch(mut self, batch: &'a AtomicBool) -> Self {
        self.batch = Some(batch);
        self
    }

    /// Polls Python's signal handlers when the caller is the main thread.
    pub(crate) fn with_signals(mut self, main_thread: bool) -> Self {
        self.signals = main_thread;
        self
    }

    /// Calls `callback(progress)` at most every `every`.
    pub(crate) fn with_progress(mut self, callback: Option<Py<PyAny>>, every: Duration) -> Self {
        self.progress = callback;
        self.progress_every = every;
        self.next_progress = self.start + every;
        self
    }

    pub(crate) fn elapsed_seconds(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn decide(&mut self) -> Option<Stop> {
        if self.cancel.as_ref().is_some_and(|c| c.load(Relaxed))
            || self.batch.is_some_and(|b| b.load(Relaxed))
        {
            return Some(Stop::Cancelled);
        }
        let now = Instant::now();
        if self.deadline.is_some_and(|deadline| now >= deadline) {
            return Some(Stop::Timeout);
        }
        if self.signals && now >= self.next_signal_poll {
            self.next_signal_poll = now + SIGNAL_POLL;
            if let Err(error) = Python::attach(|py| py.check_signals()) {
                return Some(Stop::Error(error));
            }
        }
        None
    }
}

impl Monitor for PyMonitor<'_> {
    fn should_stop(&mut self) -> bool {
        if self.stop.is_none() {
            self.stop = self.decide();
        }
        self.stop.is_some()
    }

    fn elapsed(&self) -> Option<Duration> {
        Some(self.start.elapsed())
    }

    fn wants_progress(&mut self) -> bool {
        self.progress.is_some() && Instant::now() >= self.next_progress
    }

    fn progress(&mut self, progress: &Progress) {
        let Some(callback) = &self.progress else {
            return;
        };
        let now = Instant::now();
        if now < self.next_progress || self.stop.is_some() {
            return;
        }
        self.next_progress = now + self.progress_every;
        let result = Python::attach(|py| -> PyResult<()> {
            let class = py.import("bufpack._results")?.getattr("Progress")?;
            let value = class.call1((
                progress.nodes,
                progress.backtracks,
                progress.elapsed.unwrap_or_default().as_secs_f64(),
                progress.best_height,
                progress.lower_bound,
                progress.gap_percent(),
            ))?;
            callback.call1(py, (value,))?;
            Ok(())
        });
        if let Err(error) = result {
            self.stop = Some(Stop::Error(error));
        }
    }
}
