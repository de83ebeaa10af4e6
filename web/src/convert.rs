//! JavaScript values in and out, shared by the solver's functions (`api.rs`) and the
//! recorded search (`trace.rs`), which are built as separate `.wasm` files: checked
//! problems and switches from plain objects, results back as plain objects, and every
//! failure as an error object with its path.

// Built for the trace module alone (feature `trace` without `solver`), part of this serves
// only the solver's functions.
#![cfg_attr(not(feature = "solver"), allow(dead_code))]

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use bufpack::{Problem, SolverParams};

use crate::error::{ErrorCode, ErrorShape};
use crate::shapes::{check_totals, ParamsShape, ProblemShape, PARAM_NAMES};

/// What a call throws: an error object (`error.rs`) or a callback's own exception.
pub(crate) type Thrown = JsValue;

/// A value of shape `T`, or an `"invalid"` error at `path`. The wrapper checks every
/// argument with its path before calling in, so this is a last line: its message keeps
/// serde's account but not JavaScript's error names ("Error: ", "TypeError: ").
pub(crate) fn from_js<T: DeserializeOwned>(value: JsValue, path: &str) -> Result<T, Thrown> {
    serde_wasm_bindgen::from_value(value)
        .map_err(|error| ErrorShape::at(path, serde_message(&error)).into())
}

fn serde_message(error: &serde_wasm_bindgen::Error) -> String {
    let text = error.to_string();
    if text.contains("Reflect") {
        // serde-wasm-bindgen reading a field of a non-object.
        return "expected an object".to_string();
    }
    match text.split_once(": ") {
        Some((name, rest)) if name.ends_with("Error") => rest.to_string(),
        _ => text,
    }
}

/// Like [`from_js`], with `undefined`/`null` standing for the default.
pub(crate) fn from_js_or_default<T: DeserializeOwned + Default>(
    value: JsValue,
    what: &str,
) -> Result<T, Thrown> {
    if value.is_undefined() || value.is_null() {
        return Ok(T::default());
    }
    from_js(value, what)
}

/// A result as JavaScript gets it. Inputs are checked (totals included), so a value that
/// cannot cross (a number past 2^53 - 1) is a bug here: code `"internal"`.
pub(crate) fn to_js<T: Serialize>(value: &T) -> Result<JsValue, Thrown> {
    serde_wasm_bindgen::to_value(value).map_err(|error| {
        ErrorShape::new(
            ErrorCode::Internal,
            format!(
                "internal error (please report it): cannot hand back the result: {}",
                serde_message(&error)
            ),
        )
        .into()
    })
}

pub(crate) fn problem_from_js(value: JsValue) -> Result<Problem, Thrown> {
    Ok(given_problem(value)?.0)
}

/// A checked problem and the capacity it names, if any. Without one the problem's
/// capacity is `MAX_MAGNITUDE` (no limit); a problem may also name `MAX_MAGNITUDE` itself,
/// which is why the two are told apart here rather than by value.
pub(crate) fn given_problem(value: JsValue) -> Result<(Problem, Option<i64>), Thrown> {
    let shape = from_js::<ProblemShape>(value, "problem")?;
    let capacity = shape.capacity;
    let problem = shape.into_problem();
    problem.check().map_err(|e| ErrorShape::problem(&e))?;
    check_totals(&problem)?;
    Ok((problem, capacity))
}

pub(crate) fn params_from_js(value: JsValue) -> Result<SolverParams, Thrown> {
    if value.is_object() {
        let keys = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>());
        if let Some(unknown) = keys
            .iter()
            .filter_map(|key| key.as_string())
            .find(|key| !PARAM_NAMES.contains(&key.as_str()))
        {
            return Err(ErrorShape::at(
                &format!("params.{unknown}"),
                format!("unknown switch; expected one of {}", PARAM_NAMES.join(", ")),
            )
            .into());
        }
    }
    from_js_or_default::<ParamsShape>(value, "params")?
        .into_params()
        .map_err(|e| ErrorShape::params(&e).into())
}
