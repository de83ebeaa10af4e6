//! TensorFlow Lite Micro models from bytes (`bufpack-models`): the tensor arena as the
//! package's problem shape, TFLite Micro's own greedy plan, and a plan written back into
//! the model. Built as a `.wasm` of its own (feature `models`, without the solver), which
//! the package loads on first use, so it uses nothing of the solver's modules: its errors
//! and conversions are here.
//!
//! Stateless, like the rest of this crate: every call takes the model's bytes again
//! (reading a model walks a few tables, far less than solving it), so nothing lives in the
//! instance between calls and a reset after a panic loses nothing.

use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsValue;

use crate::numbers::js_number;

use bufpack_models::{
    check_plan, improve, read_model as read, tflm_greedy as greedy, ExistingPlan, Improvement,
    ModelBuffers, ModelError, ModelErrorKind, Scratch,
};

/// What a call throws: an error object the wrapper turns into a `BufpackError`.
type Thrown = JsValue;

/// The largest integer JavaScript numbers hold exactly (the solver's `MAX_MAGNITUDE`).
const MAX_MAGNITUDE: u64 = (1 << 53) - 1;

/// The error object thrown: `code` `"invalid-model"` (the file, with the byte offset, flatbuffer
/// table and field, and where the table sits from the root), `"invalid-plan"` (offsets that
/// do not fit the model), or `"invalid"` (an argument, at `path`).
#[derive(Default, Serialize)]
#[serde(rename_all = "camelCase")]
struct ErrorShape {
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    byte_offset: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    path: Option<String>,
}

impl From<ErrorShape> for JsValue {
    /// Serialising this shape cannot fail (strings and small numbers); should it, the code
    /// and the message still go through as an object.
    fn from(shape: ErrorShape) -> JsValue {
        serde_wasm_bindgen::to_value(&shape).unwrap_or_else(|_| {
            let object = js_sys::Object::new();
            let _ = js_sys::Reflect::set(&object, &"code".into(), &shape.code.into());
            let _ = js_sys::Reflect::set(&object, &"message".into(), &shape.message.into());
            object.into()
        })
    }
}

/// An `"invalid"` argument at `path`: the message is `"{path}: {detail}"`.
fn invalid_at(path: &str, detail: impl std::fmt::Display) -> Thrown {
    ErrorShape {
        code: "invalid",
        message: format!("{path}: {detail}"),
        path: Some(path.to_string()),
        ..ErrorShape::default()
    }
    .into()
}

fn model_error(error: &ModelError) -> Thrown {
    if matches!(error.kind, ModelErrorKind::BadPlan(_)) {
        return ErrorShape {
            code: "invalid-plan",
            message: error.to_string(),
            ..ErrorShape::default()
        }
        .into();
    }
    ErrorShape {
        code: "invalid-model",
        message: error.to_string(),
        byte_offset: error.offset,
        table: Some(error.table),
        field: (!error.field.is_empty()).then_some(error.field),
        location: (!error.path.is_empty()).then(|| error.path.clone()),
        path: None,
    }
    .into()
}

/// A result as JavaScript gets it (plain objects; numbers below 2^53).
fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Thrown> {
    serde_wasm_bindgen::to_value(value).map_err(|e| {
        ErrorShape {
            code: "internal",
            message: format!("internal error (please report it): cannot hand back the result: {e}"),
            ..ErrorShape::default()
        }
        .into()
    })
}

fn read_checked(bytes: &[u8]) -> Result<ModelBuffers, Thrown> {
    read(bytes).map_err(|e| model_error(&e))
}

/// One tensor in the arena: which it is, its byte length before rounding, and its index
/// in an offline plan (tensors of earlier subgraphs first).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TensorShape {
    subgraph: usize,
    index: usize,
    bytes: u64,
    plan_index: usize,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct OperatorShape {
    subgraph: usize,
    index: usize,
    lower: u64,
    upper: u64,
}

/// The offline plan the model carries: `{ kind: "none" }`, `{ kind: "valid", offsets }`
/// (one per tensor over all subgraphs, -1 where TFLite Micro places the tensor), or
/// `{ kind: "broken", reason }` (TFLite Micro would refuse or misread it).
#[derive(Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
enum OfflinePlanShape {
    None,
    Valid { offsets: Vec<i32> },
    Broken { reason: String },
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelShape {
    problem: ProblemShape,
    tensors: Vec<TensorShape>,
    steps: Vec<String>,
    operators: Vec<OperatorShape>,
    tensor_count: usize,
    subgraph_count: usize,
    constants: usize,
    variables: usize,
    variable_bytes: u64,
    offline_plan: OfflinePlanShape,
}

/// `[lower, upper)`.
#[derive(Serialize)]
struct Range {
    lower: u64,
    upper: u64,
}

/// A buffer in the package's shape (`web/src/shapes.rs`, `BufferShape`): the model's
/// buffers map one to one onto the solver's.
#[derive(Serialize)]
struct BufferShape {
    id: String,
    lifespan: Range,
    size: u64,
    alignment: u64,
    gaps: [(); 0],
}

#[derive(Serialize)]
struct ProblemShape {
    buffers: Vec<BufferShape>,
}

/// The model's buffers as the package's problem (no capacity: minimise it). Every number
/// is bounded far below 2^53 by the reader (sizes by TFLite Micro's 32-bit offsets, steps
/// by its visit budget); checked anyway, since JavaScript would round past it.
fn problem_of(model: &ModelBuffers) -> Result<ProblemShape, Thrown> {
    let buffers = model
        .buffers
        .iter()
        .map(|b| {
            if [b.lower, b.upper, b.size, b.alignment]
                .iter()
                .any(|&v| v > MAX_MAGNITUDE)
            {
                return Err(JsValue::from(ErrorShape {
                    code: "invalid-model",
                    message: format!("tensor {:?}: a size or step beyond 2^53 - 1", b.id),
                    ..ErrorShape::default()
                }));
            }
            Ok(BufferShape {
                id: b.id.clone(),
                lifespan: Range {
                    lower: b.lower,
                    upper: b.upper,
                },
                size: b.size,
                alignment: b.alignment,
                gaps: [],
            })
        })
        .collect::<Result<Vec<_>, Thrown>>()?;
    Ok(ProblemShape { buffers })
}

/// Reads a `.tflite` model: `{ problem, tensors, steps, operators, tensorCount,
/// subgraphCount, constants, variables, variableBytes, offlinePlan }`. The problem has no
/// capacity (minimise it); `tensors[i]` says which tensor buffer i is.
#[wasm_bindgen(js_name = readModel)]
pub fn read_model(bytes: &[u8]) -> Result<JsValue, Thrown> {
    let model = read_checked(bytes)?;
    to_js(&ModelShape {
        problem: problem_of(&model)?,
        tensors: model
            .buffers
            .iter()
            .map(|b| TensorShape {
                subgraph: b.subgraph,
                index: b.tensor,
                bytes: b.bytes,
                plan_index: b.plan_index,
            })
            .collect(),
        operators: model
            .operators
            .iter()
            .map(|o| OperatorShape {
                subgraph: o.subgraph,
                index: o.operator,
                lower: o.lower,
                upper: o.upper,
            })
            .collect(),
        steps: model.steps,
        tensor_count: model.tensor_count,
        subgraph_count: model.subgraph_count,
        constants: model.constants,
        variables: model.variables,
        variable_bytes: model.variable_bytes,
        offline_plan: match model.offline_plan {
            ExistingPlan::None => OfflinePlanShape::None,
            ExistingPlan::Valid(offsets) => OfflinePlanShape::Valid { offsets },
            ExistingPlan::Broken(reason) => OfflinePlanShape::Broken { reason },
        },
    })
}

/// A kernel scratch buffer as JavaScript gives it (the wrapper checked it, with its path).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ScratchShape {
    subgraph: usize,
    operator: usize,
    bytes: u64,
}

fn scratch_from_js(value: JsValue) -> Result<Vec<Scratch>, Thrown> {
    if value.is_undefined() || value.is_null() {
        return Ok(Vec::new());
    }
    let shapes: Vec<ScratchShape> =
        serde_wasm_bindgen::from_value(value).map_err(|e| invalid_at("options.scratch", e))?;
    Ok(shapes
        .into_iter()
        .map(|s| Scratch {
            subgraph: s.subgraph,
            operator: s.operator,
            bytes: s.bytes,
        })
        .collect())
}

/// Offsets as JavaScript gives them (a Float64Array the wrapper filled with checked
/// integers): whole numbers from 0 to 2^53 - 1, or an `invalid` error at `offsets[i]`.
fn offsets_from_js(offsets: &[f64]) -> Result<Vec<u64>, Thrown> {
    offsets
        .iter()
        .enumerate()
        .map(|(i, &o)| {
            if o.fract() == 0.0 && (0.0..=MAX_MAGNITUDE as f64).contains(&o) {
                Ok(o as u64)
            } else {
                Err(invalid_at(
                    &format!("offsets[{i}]"),
                    format!(
                        "expected an integer in 0..={MAX_MAGNITUDE}, found {}",
                        js_number(o)
                    ),
                ))
            }
        })
        .collect()
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct GreedyShape {
    offsets: Vec<u64>,
    scratch_offsets: Vec<u64>,
    arena: u64,
}

/// The plan TensorFlow Lite Micro's greedy planner makes for the model's tensors (ignoring
/// an offline plan the model carries), with `scratch` placed too:
/// `{ offsets, scratchOffsets, arena }`.
#[wasm_bindgen(js_name = tflmGreedy)]
pub fn tflm_greedy(bytes: &[u8], scratch: JsValue) -> Result<JsValue, Thrown> {
    let model = read_checked(bytes)?;
    let scratch = scratch_from_js(scratch)?;
    let plan = greedy(&model, &scratch).map_err(|e| model_error(&e))?;
    to_js(&GreedyShape {
        offsets: plan.offsets,
        scratch_offsets: plan.scratch_offsets,
        arena: plan.arena,
    })
}

/// Checks a plan against the model: the arena it needs, or `invalid-plan` naming the
/// buffers that clash (or the misaligned one).
#[wasm_bindgen(js_name = checkModelPlan)]
pub fn check_model_plan(bytes: &[u8], offsets: &[f64]) -> Result<f64, Thrown> {
    let model = read_checked(bytes)?;
    let offsets = offsets_from_js(offsets)?;
    let arena = check_plan(&model, &offsets).map_err(|e| model_error(&e))?;
    Ok(arena as f64)
}

/// Writes `offsets` into the model only when TensorFlow Lite Micro then needs less arena
/// (with `scratch` placed in both cases): `{ status: "planned", model, arena, before }` or
/// `{ status: "unchanged", model: null, arena, before }`. An invalid plan is an
/// `invalid-plan` error, never written.
#[wasm_bindgen(js_name = planModel)]
pub fn plan_model(bytes: &[u8], offsets: &[f64], scratch: JsValue) -> Result<JsValue, Thrown> {
    let offsets = offsets_from_js(offsets)?;
    let scratch = scratch_from_js(scratch)?;
    let decided = improve(bytes, &offsets, &scratch).map_err(|e| model_error(&e))?;
    let result = js_sys::Object::new();
    let set = |key: &str, value: JsValue| js_sys::Reflect::set(&result, &key.into(), &value);
    let (status, model, arena, before) = match decided {
        Improvement::Planned {
            model,
            arena,
            before,
        } => (
            "planned",
            js_sys::Uint8Array::from(model.as_slice()).into(),
            arena,
            before,
        ),
        Improvement::Unchanged { arena, before } => ("unchanged", JsValue::NULL, arena, before),
    };
    set("status", status.into())?;
    set("model", model)?;
    set("arena", (arena as f64).into())?;
    set("before", (before as f64).into())?;
    Ok(result.into())
}
