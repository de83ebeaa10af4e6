//! `ModelCore`: a TensorFlow Lite Micro model read by `bufpack-models`, behind the Python
//! class `bufpack.TFLiteModel` (`bufpack/_tflite.py`).
//!
//! The models crate does the work (reading, TFLite Micro's greedy plan, checking and writing
//! a plan); this module converts. The model's bytes are kept, so a plan is written into the
//! very file that was read and a pickled model is just its bytes. Every call that reads,
//! plans or writes runs with the GIL released. Offsets cross as `bytes` of little-endian
//! `i64` ([`columns`]); scratch buffers as `(subgraph, operator, bytes)` tuples, checked on
//! the Python side.

use std::sync::Arc;

use bufpack::{Buffer, Problem, MAX_MAGNITUDE};
use bufpack_models::{
    check_plan, existing_offsets, improve, read_model, tflm_greedy_around, ExistingPlan,
    Improvement, ModelBuffers, ModelError, ModelErrorKind, Scratch,
};
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::problem::{detached, ProblemCore};
use crate::{columns, errors};

/// A buffer of the model as the Python side reads it:
/// `(id, lower, upper, size, bytes, alignment, subgraph, tensor, plan_index)`.
type BufferRow = (String, u64, u64, u64, u64, u64, usize, usize, usize);

/// A model that was read: its bytes, its buffers, and those buffers as a solver problem.
#[pyclass(frozen, module = "bufpack._bufpack")]
pub(crate) struct ModelCore {
    bytes: Vec<u8>,
    model: ModelBuffers,
    problem: Arc<Problem>,
}

/// The model's buffers as a problem: the fields map one to one, no capacity.
fn problem_of(model: &ModelBuffers) -> Problem {
    let buffers = model
        .buffers
        .iter()
        .map(|b| {
            // Steps count operators and sizes are below 2^31 (the reader refuses more), so
            // both fit an i64 and the solver's 2^53 - 1 limit.
            Buffer::new(b.id.clone(), b.lower as i64, b.upper as i64, b.size as i64)
                .with_alignment(b.alignment as i64)
        })
        .collect();
    Problem::new(buffers, MAX_MAGNITUDE)
}

/// An error about a plan handed over from Python, in the models crate's own shape.
fn bad_plan(message: String) -> ModelError {
    ModelError {
        offset: None,
        table: "plan",
        field: "",
        path: String::new(),
        kind: ModelErrorKind::BadPlan(message),
    }
}

impl ModelCore {
    /// Offsets from Python (`i64` bytes) as the models crate takes them: one per buffer,
    /// none negative. Anything else is a `ModelError` about the plan: never written.
    fn offsets(&self, offsets: &[u8]) -> PyResult<Vec<u64>> {
        let values = columns::read_any(offsets, "offsets")?;
        let count = self.model.buffers.len();
        if values.len() != count {
            return Err(errors::model(&bad_plan(format!(
                "{} offsets for the model's {count} arena buffers (one per buffer of TFLiteModel.problem)",
                values.len()
            ))));
        }
        values
            .iter()
            .zip(&self.model.buffers)
            .map(|(&offset, buffer)| {
                u64::try_from(offset).map_err(|_| {
                    errors::model(&bad_plan(format!(
                        "\"{}\" at offset {offset}: offsets cannot be negative",
                        buffer.id
                    )))
                })
            })
            .collect()
    }
}

/// Scratch buffers as the models crate takes them.
fn scratch_of(scratch: Vec<(usize, usize, u64)>) -> Vec<Scratch> {
    scratch
        .into_iter()
        .map(|(subgraph, operator, bytes)| Scratch {
            subgraph,
            operator,
            bytes,
        })
        .collect()
}

#[pymethods]
impl ModelCore {
    /// Reads a `.tflite` model from its bytes; a `ModelError` names the byte offset, table
    /// and field of what is wrong.
    #[staticmethod]
    fn read(py: Python<'_>, data: &[u8]) -> PyResult<ModelCore> {
        let data = data.to_vec();
        let read = detached(py, move || {
            let read = read_model(&data).map(|model| {
                let problem = problem_of(&model);
                (model, problem)
            });
            (data, read)
        })?;
        let (bytes, read) = read;
        let (model, problem) = read.map_err(|error| errors::model(&error))?;
        problem.check().map_err(|error| errors::problem(&error))?;
        Ok(ModelCore {
            bytes,
            model,
            problem: Arc::new(problem),
        })
    }

    /// The model's file, as it was read.
    fn data<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.bytes)
    }

    /// The arena buffers as a problem without a capacity (ids are the tensors' names).
    fn problem(&self) -> ProblemCore {
        ProblemCore {
            problem: self.problem.clone(),
            capacity_set: false,
        }
    }

    /// Every arena buffer as a row (see [`BufferRow`]).
    fn buffers(&self) -> Vec<BufferRow> {
        self.model
            .buffers
            .iter()
            .map(|b| {
                (
                    b.id.clone(),
                    b.lower,
                    b.upper,
                    b.size,
                    b.bytes,
                    b.alignment,
                    b.subgraph,
                    b.tensor,
                    b.plan_index,
                )
            })
            .collect()
    }

    /// One label per step.
    fn steps(&self) -> Vec<String> {
        self.model.steps.clone()
    }

    /// Every operator as `(subgraph, operator, lower, upper)`.
    fn operators(&self) -> Vec<(usize, usize, u64, u64)> {
        self.model
            .operators
            .iter()
            .map(|o| (o.subgraph, o.operator, o.lower, o.upper))
            .collect()
    }

    /// `(tensor_count, subgraph_count, constants, variables, variable_bytes)`.
    fn counts(&self) -> (usize, usize, usize, usize, u64) {
        let m = &self.model;
        (
            m.tensor_count,
            m.subgraph_count,
            m.constants,
            m.variables,
            m.variable_bytes,
        )
    }

    /// The offline plan the model carries: `("none", None, None)`, `("valid", offsets, None)`
    /// (one per tensor, -1 for "TFLite Micro places it") or `("broken", None, why)`.
    fn offline_plan(&self) -> (&'static str, Option<Vec<i32>>, Option<String>) {
        match &self.model.offline_plan {
            ExistingPlan::None => ("none", None, None),
            ExistingPlan::Valid(words) => ("valid", Some(words.clone()), None),
            ExistingPlan::Broken(why) => ("broken", None, Some(why.clone())),
        }
    }

    /// TFLite Micro's greedy plan: `(offsets, scratch_offsets, arena)`, the offsets as
    /// bytes. With `existing`, around the offline plan the model carries (if valid), as
    /// TFLite Micro runs the model as it is; otherwise as if it carried none.
    #[pyo3(signature = (scratch, existing = false))]
    fn greedy<'py>(
        &self,
        py: Python<'py>,
        scratch: Vec<(usize, usize, u64)>,
        existing: bool,
    ) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>, u64)> {
        let scratch = scratch_of(scratch);
        let model = &self.model;
        let plan = detached(py, || {
            let fixed = existing
                .then(|| existing_offsets(model, &model.offline_plan))
                .flatten()
                .unwrap_or_else(|| vec![None; model.buffers.len()]);
            tflm_greedy_around(model, &fixed, &scratch)
        })?
        .map_err(|error| errors::model(&error))?;
        let as_i64 = |values: &[u64]| -> Vec<i64> { values.iter().map(|&v| v as i64).collect() };
        Ok((
            columns::write(py, &as_i64(&plan.offsets))?,
            columns::write(py, &as_i64(&plan.scratch_offsets))?,
            plan.arena,
        ))
    }

    /// Checks a plan (offsets as bytes); returns the arena it needs, or raises `ModelError`
    /// naming the buffers at fault.
    fn check_plan(&self, py: Python<'_>, offsets: &[u8]) -> PyResult<u64> {
        let offsets = self.offsets(offsets)?;
        let model = &self.model;
        detached(py, || check_plan(model, &offsets))?.map_err(|error| errors::model(&error))
    }

    /// `bufpack_models::improve`: `("planned", arena, before, model_bytes)` when the plan
    /// saves arena, else `("unchanged", arena, before, None)`.
    fn improve<'py>(
        &self,
        py: Python<'py>,
        offsets: &[u8],
        scratch: Vec<(usize, usize, u64)>,
    ) -> PyResult<(&'static str, u64, u64, Option<Bound<'py, PyBytes>>)> {
        let offsets = self.offsets(offsets)?;
        let scratch = scratch_of(scratch);
        let bytes = &self.bytes;
        let improvement = detached(py, || improve(bytes, &offsets, &scratch))?
            .map_err(|error| errors::model(&error))?;
        Ok(match improvement {
            Improvement::Planned {
                model,
                arena,
                before,
            } => ("planned", arena, before, Some(PyBytes::new(py, &model))),
            Improvement::Unchanged { arena, before } => ("unchanged", arena, before, None),
        })
    }
}
