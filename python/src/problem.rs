//! `ProblemCore`: a problem held in Rust, behind the Python class `bufpack.Problem`.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;

use bufpack::{
    read_problem, validate, write_problem, write_solution, BoundReason, Buffer, Gap, Lifespan,
    LoadProfile, LowerBound, Problem, Solution, Window, MAX_MAGNITUDE,
};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList, PyTuple};

use crate::{columns, errors, state, svg};

/// One buffer as the Python side builds and reads it:
/// `(id, lower, upper, size, alignment, gaps, offset, hint)` with gaps as
/// `(lower, upper, window_lower, window_upper)`, the window `None` when absent.
type Row = (
    String,
    i64,
    i64,
    i64,
    i64,
    Vec<GapRow>,
    Option<i64>,
    Option<i64>,
);
type GapRow = (i64, i64, Option<i64>, Option<i64>);

/// A checked problem. Immutable: a new capacity makes a new one.
#[pyclass(frozen, module = "bufpack._bufpack")]
pub(crate) struct ProblemCore {
    pub(crate) problem: Arc<Problem>,
    /// Whether the caller gave a capacity; without one it is [`MAX_MAGNITUDE`] (no limit).
    pub(crate) capacity_set: bool,
}

/// The capacity to store: the caller's, checked, or no limit.
fn capacity_of(capacity: Option<i64>) -> PyResult<i64> {
    match capacity {
        None => Ok(MAX_MAGNITUDE),
        Some(c) if (0..=MAX_MAGNITUDE).contains(&c) => Ok(c),
        Some(c) => Err(errors::invalid(
            "capacity",
            format!("capacity: expected an integer in 0..={MAX_MAGNITUDE}, found {c}"),
        )),
    }
}

/// Runs `work` with the GIL released, turning a panic into `InternalError`.
pub(crate) fn detached<T: Send>(py: Python<'_>, work: impl FnOnce() -> T + Send) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(work)))
        .map_err(errors::panic)
}

impl ProblemCore {
    /// Checks `problem` (GIL released) and wraps it.
    fn checked(py: Python<'_>, problem: Problem, capacity_set: bool) -> PyResult<ProblemCore> {
        let (problem, checked) = detached(py, move || {
            let checked = problem.check();
            (problem, checked)
        })?;
        checked.map_err(|error| errors::problem(&error))?;
        Ok(ProblemCore {
            problem: Arc::new(problem),
            capacity_set,
        })
    }

    /// The same buffers at another capacity (a copy unless the capacity is unchanged).
    pub(crate) fn at_capacity(&self, capacity: Option<i64>) -> PyResult<Arc<Problem>> {
        let Some(capacity) = capacity else {
            return Ok(self.problem.clone());
        };
        let capacity = capacity_of(Some(capacity))?;
        if capacity == self.problem.capacity {
            return Ok(self.problem.clone());
        }
        Ok(Arc::new(Problem::new(
            self.problem.buffers.clone(),
            capacity,
        )))
    }

    fn offsets(&self, offsets: &[u8]) -> PyResult<Vec<i64>> {
        columns::read_any(offsets, "offsets")
    }
}

#[pymethods]
impl ProblemCore {
    /// Reads MiniMalloc's CSV format (see `bufpack::read_buffers`).
    #[staticmethod]
    #[pyo3(signature = (text, capacity = None))]
    fn from_csv(py: Python<'_>, text: String, capacity: Option<i64>) -> PyResult<ProblemCore> {
        let limit = capacity_of(capacity)?;
        let problem =
            detached(py, move || read_problem(&text, limit))?.map_err(|e| errors::csv(&e))?;
        Ok(ProblemCore {
            problem: Arc::new(problem),
            capacity_set: capacity.is_some(),
        })
    }

    /// Builds a problem from rows (see [`Row`]).
    #[staticmethod]
    #[pyo3(signature = (rows, capacity = None))]
    fn from_rows(
        py: Python<'_>,
        rows: &Bound<'_, PyList>,
        capacity: Option<i64>,
    ) -> PyResult<ProblemCore> {
        let limit = capacity_of(capacity)?;
        let mut buffers = Vec::with_capacity(rows.len());
        for (index, row) in rows.iter().enumerate() {
            let (id, lower, upper, size, alignment, gaps, offset, hint): Row =
                row.extract().map_err(|error: PyErr| {
                    let path = format!("buffers[{index}]");
                    errors::invalid(&path, format!("{path}: {error}"))
                })?;
            buffers.push(Buffer {
                id,
                lifespan: Lifespan::new(lower, upper),
                size,
                alignment,
                gaps: gaps
                    .into_iter()
                    .map(|(lower, upper, wl, wu)| Gap {
                        lifespan: Lifespan::new(lower, upper),
                        window: wl.zip(wu).map(|(lower, upper)| Window { lower, upper }),
                    })
                    .collect(),
                offset,
                hint,
            });
        }
        ProblemCore::checked(py, Problem::new(buffers, limit), capacity.is_some())
    }

    /// Builds a problem from columns of `len` values each (see [`columns`]). `offset` and
    /// `hint` hold -1 where a buffer has none. `ids` is `None` (ids "0", "1", ...), the bytes
    /// of an integer column, or a list of strings.
    #[staticmethod]
    #[pyo3(signature = (len, lower, upper, size, alignment = None, offset = None, hint = None, ids = None, capacity = None))]
    #[allow(clippy::too_many_arguments)]
    fn from_columns(
        py: Python<'_>,
        len: usize,
        lower: &[u8],
        upper: &[u8],
        size: &[u8],
        alignment: Option<&[u8]>,
        offset: Option<&[u8]>,
        hint: Option<&[u8]>,
        ids: Option<&Bound<'_, PyAny>>,
        capacity: Option<i64>,
    ) -> PyResult<ProblemCore> {
        let limit = capacity_of(capacity)?;
        let lower = columns::read(lower, "lower", len)?;
        let upper = columns::read(upper, "upper", len)?;
        let size = columns::read(size, "size", len)?;
        let optional = |bytes: Option<&[u8]>, name| -> PyResult<Option<Vec<i64>>> {
            bytes.map(|b| columns::read(b, name, len)).transpose()
        };
        let alignment = optional(alignment, "alignment")?;
        let offset = optional(offset, "offset")?;
        let hint = optional(hint, "hint")?;
        let ids = match ids {
            None => None,
            Some(ids) => Some(match ids.cast::<PyBytes>() {
                Ok(bytes) => Ids::Numbers(columns::read(bytes.as_bytes(), "ids", len)?),
                Err(_) => {
                    let names: Vec<String> = ids.extract().map_err(|_| {
                        errors::invalid("ids", "ids: expected strings or integers".to_owned())
                    })?;
                    if names.len() != len {
                        return Err(errors::invalid(
                            "ids",
                            format!("ids: expected {len} ids, found {}", names.len()),
                        ));
                    }
                    Ids::Names(names)
                }
            }),
        };
        let problem = detached(py, move || {
            let ids: Vec<String> = match ids {
                None => (0..len).map(|i| i.to_string()).collect(),
                Some(Ids::Numbers(numbers)) => numbers.iter().map(i64::to_string).collect(),
                Some(Ids::Names(names)) => names,
            };
            let buffers = ids
                .into_iter()
                .enumerate()
                .map(|(i, id)| Buffer {
                    id,
                    lifespan: Lifespan::new(lower[i], upper[i]),
                    size: size[i],
                    alignment: alignment.as_ref().map_or(1, |a| a[i]),
                    gaps: Vec::new(),
                    offset: offset.as_ref().map(|o| o[i]).filter(|&o| o != -1),
                    hint: hint.as_ref().map(|h| h[i]).filter(|&h| h >= 0),
                })
                .collect();
            Problem::new(buffers, limit)
        })?;
        ProblemCore::checked(py, problem, capacity.is_some())
    }

    /// The problem as bytes, for pickling (see [`state`]).
    fn state<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &state::encode(&self.problem, self.capacity_set))
    }

    /// The problem of [`ProblemCore::state`]'s bytes, checked again.
    #[staticmethod]
    fn from_state(py: Python<'_>, state: &[u8]) -> PyResult<ProblemCore> {
        let (problem, capacity_set) = state::decode(state)
            .map_err(|why| errors::invalid("state", format!("state: {why}")))?;
        ProblemCore::checked(py, problem, capacity_set)
    }

    fn __len__(&self) -> usize {
        self.problem.buffers.len()
    }

    /// The capacity, or `None` when none was given.
    #[getter]
    fn capacity(&self) -> Option<i64> {
        self.capacity_set.then_some(self.problem.capacity)
    }

    /// The same buffers at another capacity (`None`: no limit).
    #[pyo3(signature = (capacity = None))]
    fn with_capacity(&self, py: Python<'_>, capacity: Option<i64>) -> PyResult<ProblemCore> {
        let limit = capacity_of(capacity)?;
        let buffers = &self.problem.buffers;
        let problem = detached(py, || Problem::new(buffers.clone(), limit))?;
        Ok(ProblemCore {
            problem: Arc::new(problem),
            capacity_set: capacity.is_some(),
        })
    }

    /// Buffer `index` as a row (see [`Row`]).
    fn row<'py>(&self, py: Python<'py>, index: usize) -> PyResult<Bound<'py, PyTuple>> {
        let buffer =
            self.problem.buffers.get(index).ok_or_else(|| {
                pyo3::exceptions::PyIndexError::new_err("buffer index out of range")
            })?;
        row_of(py, buffer)
    }

    /// Every buffer as a row.
    fn rows<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let rows = self
            .problem
            .buffers
            .iter()
            .map(|buffer| row_of(py, buffer))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, rows)
    }

    /// The columns `(lower, upper, size, alignment, offset, hint)` as bytes; -1 where a buffer
    /// has no fixed offset or no hint.
    fn columns<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyBytes>>> {
        let buffers = &self.problem.buffers;
        let pick: [fn(&Buffer) -> i64; 6] = [
            |b| b.lifespan.lower,
            |b| b.lifespan.upper,
            |b| b.size,
            |b| b.alignment,
            |b| b.offset.unwrap_or(-1),
            |b| b.hint.unwrap_or(-1),
        ];
        pick.iter()
            .map(|f| columns::write(py, &buffers.iter().map(f).collect::<Vec<_>>()))
            .collect()
    }

    /// The ids, in order.
    fn ids(&self) -> Vec<String> {
        self.problem.buffers.iter().map(|b| b.id.clone()).collect()
    }

    /// Whether some buffer has gaps (which `from_columns` cannot express).
    fn has_gaps(&self) -> bool {
        self.problem.buffers.iter().any(|b| !b.gaps.is_empty())
    }

    /// The problem as CSV (`bufpack::write_problem`).
    fn to_csv(&self, py: Python<'_>) -> PyResult<String> {
        let problem = &self.problem;
        detached(py, || write_problem(problem))
    }

    /// A solution as CSV (`bufpack::write_solution`); `offsets` one per buffer.
    fn solution_csv(&self, py: Python<'_>, offsets: &[u8]) -> PyResult<String> {
        let offsets = columns::read(offsets, "offsets", self.problem.buffers.len())?;
        let problem = &self.problem;
        detached(py, || {
            write_solution(problem, &Solution::from_offsets(problem, offsets))
        })
    }

    /// The proven lower bound: `{height, load, reason, time, index, id}`.
    fn lower_bound<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let problem = &self.problem;
        let bound = detached(py, || LowerBound::of(problem))?;
        let dict = PyDict::new(py);
        dict.set_item("height", bound.height)?;
        dict.set_item("load", bound.load)?;
        bound_reason(problem, &bound.reason, &dict)?;
        Ok(dict)
    }

    /// The load over time: `(times, loads)` as bytes, a step function (see `LoadProfile`).
    fn load_profile<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
        let problem = &self.problem;
        let profile = detached(py, || LoadProfile::of(problem))?;
        let (times, loads): (Vec<i64>, Vec<i64>) = profile.steps.into_iter().unzip();
        Ok((columns::write(py, &times)?, columns::write(py, &loads)?))
    }

    /// Checks a solution; raises `ValidationError` naming the first failure. `height`
    /// defaults to the one the offsets reach.
    #[pyo3(signature = (offsets, height = None))]
    fn validate(&self, py: Python<'_>, offsets: &[u8], height: Option<i64>) -> PyResult<()> {
        let offsets = self.offsets(offsets)?;
        let problem = &self.problem;
        detached(py, || {
            let mut solution = Solution::from_offsets(problem, offsets);
            if let Some(height) = height {
                solution.height = height;
            }
            validate(problem, &solution)
        })?
        .map_err(|error| errors::validation(&error))
    }

    /// One heuristic's packing within the capacity: `(offsets, height)`, or `None` when its
    /// packing does not fit.
    fn heuristic<'py>(
        &self,
        py: Python<'py>,
        name: &str,
    ) -> PyResult<Option<(Bound<'py, PyBytes>, i64)>> {
        let heuristic = crate::run::heuristic_named(name)?;
        let problem = &self.problem;
        let packed = detached(py, || bufpack::greedy(problem, heuristic))?
            .map_err(|error| errors::solve(&error))?;
        packed
            .map(|solution| Ok((columns::write(py, &solution.offsets)?, solution.height)))
            .transpose()
    }

    /// The layout as SVG (see [`svg`]).
    #[pyo3(signature = (offsets, width = 800, height = 420, max_rects = 5000))]
    fn svg(
        &self,
        py: Python<'_>,
        offsets: &[u8],
        width: u32,
        height: u32,
        max_rects: usize,
    ) -> PyResult<String> {
        let offsets = columns::read(offsets, "offsets", self.problem.buffers.len())?;
        let problem = &self.problem;
        let capacity = self.capacity();
        let options = svg::Options {
            width: f64::from(width.clamp(200, 10_000)),
            height: f64::from(height.clamp(120, 10_000)),
            max_rects,
        };
        detached(py, || svg::render(problem, capacity, &offsets, &options))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        match other.cast::<ProblemCore>() {
            Ok(other) => {
                let other = other.get();
                self.capacity_set == other.capacity_set && self.problem == other.problem
            }
            Err(_) => false,
        }
    }

    fn __hash__(&self) -> u64 {
        let mut hasher = DefaultHasher::new();
        self.capacity_set.hash(&mut hasher);
        self.problem.capacity.hash(&mut hasher);
        for buffer in &self.problem.buffers {
            buffer.id.hash(&mut hasher);
            buffer.lifespan.hash(&mut hasher);
            (buffer.size, buffer.alignment, buffer.offset, buffer.hint).hash(&mut hasher);
            buffer.gaps.hash(&mut hasher);
        }
        hasher.finish()
    }
}

/// A buffer as a Python tuple (see [`Row`]).
fn row_of<'py>(py: Python<'py>, buffer: &Buffer) -> PyResult<Bound<'py, PyTuple>> {
    let gaps: Vec<GapRow> = buffer
        .gaps
        .iter()
        .map(|gap| {
            (
                gap.lifespan.lower,
                gap.lifespan.upper,
                gap.window.map(|w| w.lower),
                gap.window.map(|w| w.upper),
            )
        })
        .collect();
    let row: Row = (
        buffer.id.clone(),
        buffer.lifespan.lower,
        buffer.lifespan.upper,
        buffer.size,
        buffer.alignment,
        gaps,
        buffer.offset,
        buffer.hint,
    );
    row.into_pyobject(py)
}

/// Writes why a bound holds into `dict`: `reason` ("load", "buffer", "spare" or
/// "exhausted") and its facts (`time`, `index` and `id`, as the kind has them).
pub(crate) fn bound_reason(
    problem: &Problem,
    reason: &BoundReason,
    dict: &Bound<'_, PyDict>,
) -> PyResult<()> {
    match reason {
        BoundReason::Load { time } => {
            dict.set_item("reason", "load")?;
            dict.set_item("time", time)?;
        }
        BoundReason::Buffer { index } => {
            dict.set_item("reason", "buffer")?;
            dict.set_item("index", index)?;
            dict.set_item("id", &problem.buffers[*index].id)?;
        }
        BoundReason::Exhausted => dict.set_item("reason", "exhausted")?,
        BoundReason::Spare { time, index } => {
            dict.set_item("reason", "spare")?;
            dict.set_item("time", time)?;
            dict.set_item("index", index)?;
            dict.set_item("id", &problem.buffers[*index].id)?;
        }
    }
    Ok(())
}

/// The ids of `from_columns`.
enum Ids {
    Numbers(Vec<i64>),
    Names(Vec<String>),
}
