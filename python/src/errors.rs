//! The package's exceptions, raised from Rust.
//!
//! The classes are defined in Python (`bufpack/_errors.py`: one base class, `BufpackError`,
//! and a subclass per kind of failure, each with its own attributes); this module builds
//! instances of them with keyword attributes, so the hierarchy lives in one place.

use std::any::Any;

use bufpack::{CsvError, ProblemError, ProblemErrorKind, SolveError, ValidationError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;

/// An instance of `bufpack._errors.<class>` with `message` and the given attributes, as a
/// `PyErr`. Falls back to a `RuntimeError` if the package's module cannot be imported.
pub(crate) fn raise(class: &str, message: String, details: &[(&str, Detail)]) -> PyErr {
    Python::attach(|py| {
        let build = || -> PyResult<PyErr> {
            let class = py.import("bufpack._errors")?.getattr(class)?;
            let kwargs = PyDict::new(py);
            for (key, value) in details {
                match value {
                    Detail::Int(v) => kwargs.set_item(key, v)?,
                    Detail::Text(v) => kwargs.set_item(key, v)?,
                    Detail::Absent => kwargs.set_item(key, py.None())?,
                }
            }
            Ok(PyErr::from_value(
                class.call((message.clone(),), Some(&kwargs))?,
            ))
        };
        build().unwrap_or_else(|_| PyRuntimeError::new_err(message.clone()))
    })
}

/// An attribute value of an exception.
pub(crate) enum Detail {
    Int(i64),
    Text(String),
    Absent,
}

impl From<usize> for Detail {
    fn from(value: usize) -> Self {
        Detail::Int(i64::try_from(value).unwrap_or(i64::MAX))
    }
}

impl From<i64> for Detail {
    fn from(value: i64) -> Self {
        Detail::Int(value)
    }
}

impl From<&str> for Detail {
    fn from(value: &str) -> Self {
        Detail::Text(value.to_owned())
    }
}

impl From<String> for Detail {
    fn from(value: String) -> Self {
        Detail::Text(value)
    }
}

impl<T: Into<Detail>> From<Option<T>> for Detail {
    fn from(value: Option<T>) -> Self {
        value.map_or(Detail::Absent, Into::into)
    }
}

/// `InvalidInputError`: an argument or input value the package cannot use; `path` names it
/// (`"capacity"`, `"size[3]"`, `"buffers[2]"`).
pub(crate) fn invalid(path: &str, message: String) -> PyErr {
    raise("InvalidInputError", message, &[("path", path.into())])
}

/// A CSV text that could not be read: `ParseError` with its line, column and field.
pub(crate) fn csv(error: &CsvError) -> PyErr {
    raise(
        "ParseError",
        error.to_string(),
        &[
            ("line", error.line.into()),
            ("column", error.column.into()),
            ("field", error.field.clone().into()),
        ],
    )
}

/// The column of `from_arrays` (and the attribute of a `Buffer`) a malformation is about.
pub(crate) fn field_of(kind: &ProblemErrorKind) -> &'static str {
    match kind {
        ProblemErrorKind::BadCapacity(_) => "capacity",
        ProblemErrorKind::ReversedLifespan(_) => "upper",
        ProblemErrorKind::NegativeSize(_) => "size",
        ProblemErrorKind::BadAlignment(_) => "alignment",
        ProblemErrorKind::TooLarge(_) => "value",
        ProblemErrorKind::GapOutsideLifespan(_) | ProblemErrorKind::OverlappingGaps(..) => "gaps",
        ProblemErrorKind::BadWindow(_) => "gaps",
        ProblemErrorKind::BadFixedOffset(_) => "offset",
        ProblemErrorKind::DuplicateId(_) => "id",
    }
}

/// A malformed problem: `InvalidInputError` naming the buffer (index and id) and the field.
pub(crate) fn problem(error: &ProblemError) -> PyErr {
    let field = field_of(&error.kind);
    let path = match error.buffer {
        Some(index) => format!("buffers[{index}].{field}"),
        None => field.to_owned(),
    };
    raise(
        "InvalidInputError",
        error.to_string(),
        &[
            ("path", path.into()),
            ("index", error.buffer.into()),
            ("id", error.buffer.map(|_| error.id.clone()).into()),
            ("field", field.into()),
        ],
    )
}

/// Input the solver refused.
pub(crate) fn solve(error: &SolveError) -> PyErr {
    match error {
        SolveError::Problem(error) => problem(error),
        SolveError::Params(error) => invalid("params.preordering_heuristics", error.to_string()),
    }
}

/// A solution that breaks a rule: `ValidationError` with the kind and the buffers at fault.
pub(crate) fn validation(error: &ValidationError) -> PyErr {
    let (kind, buffer, other): (&str, Option<&str>, Option<&str>) = match error {
        ValidationError::WrongCount { .. } => ("count", None, None),
        ValidationError::Misaligned { id, .. } => ("alignment", Some(id), None),
        ValidationError::OutOfCapacity { id, .. } => ("capacity", Some(id), None),
        ValidationError::FixedMoved { id, .. } => ("fixed", Some(id), None),
        ValidationError::Overlap { first, second, .. } => ("overlap", Some(first), Some(second)),
        ValidationError::WrongHeight { .. } => ("height", None, None),
    };
    raise(
        "ValidationError",
        error.to_string(),
        &[
            ("kind", kind.into()),
            ("buffer", buffer.into()),
            ("other", other.into()),
        ],
    )
}

/// A model file that cannot be read, or a plan that does not fit it: `ModelError` with the
/// byte offset (when the fault sits at one), the schema table and field, the path from the
/// model's root, and the kind of fault.
pub(crate) fn model(error: &bufpack_models::ModelError) -> PyErr {
    use bufpack_models::ModelErrorKind as K;
    let kind = match &error.kind {
        K::OutOfBounds { .. } => "out_of_bounds",
        K::NotTflite => "not_tflite",
        K::BadTable(_) => "bad_table",
        K::IndexOutOfRange { .. } => "index_out_of_range",
        K::UnsupportedType(_) => "unsupported_type",
        K::DynamicShape(_) => "dynamic_shape",
        K::TooLarge(_) => "too_large",
        K::Unsupported(_) => "unsupported",
        K::Recursion(_) => "recursion",
        K::BadPlan(_) => "bad_plan",
    };
    raise(
        "ModelError",
        error.to_string(),
        &[
            ("offset", error.offset.into()),
            ("table", error.table.into()),
            ("field", error.field.into()),
            ("path", error.path.clone().into()),
            ("kind", kind.into()),
            ("reason", error.kind.to_string().into()),
        ],
    )
}

/// A panic in the solver or here: a bug, reported as `InternalError` instead of taking the
/// interpreter down.
pub(crate) fn panic(payload: Box<dyn Any + Send>) -> PyErr {
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned());
    raise(
        "InternalError",
        format!("internal error in bufpack (please report it): {what}"),
        &[],
    )
}
