//! JavaScript values in and out, shared by the solver's functions (`api.rs`) and the
//! recorded search (`trace.rs`), which are built as separate `.wasm` files: checked
//! problems and switches from plain objects, results back as plain objects, and every
//! failure as an error object with its path.

// Built for the trace module alone (feature `trace` without `solver`), part of this serves
// only the solver's functions.
#![cfg_attr(not(feature = "solver"), allow(dead_code))]

use serde::Serialize;
use wasm_bindgen::{JsCast, JsValue};

use bufpack::{Buffer, Gap, Lifespan, Problem, Solution, SolverParams, Window, MAX_MAGNITUDE};

use crate::error::{ErrorCode, ErrorShape};
use crate::shapes::{check_totals, switches, ORDERINGS};

/// What a call throws: an error object (`error.rs`) or a callback's own exception.
pub(crate) type Thrown = JsValue;

/// serde-wasm-bindgen's account of a value it cannot write, without JavaScript's error name.
fn serde_message(error: &serde_wasm_bindgen::Error) -> String {
    let text = error.to_string();
    match text.split_once(": ") {
        Some((name, rest)) if name.ends_with("Error") => rest.to_string(),
        _ => text,
    }
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
    let keys = Keys::new();
    if !value.is_object() {
        return Err(at_path("problem", "expected an object"));
    }
    let capacity = optional_integer(&value, &keys.capacity, || "problem.capacity".into())?;
    let buffers = get(&value, &keys.buffers)?;
    let Some(buffers) = buffers.dyn_ref::<js_sys::Array>() else {
        return Err(at_path("problem.buffers", "expected an array of buffers"));
    };
    let buffers = (buffers.iter().enumerate())
        .map(|(index, buffer)| buffer_from_js(&keys, &buffer, index))
        .collect::<Result<Vec<Buffer>, Thrown>>()?;
    let problem = Problem::new(buffers, capacity.unwrap_or(MAX_MAGNITUDE));
    problem.check().map_err(|e| ErrorShape::problem(&e))?;
    check_totals(&problem)?;
    Ok((problem, capacity))
}

/// The offsets of a solution, `{ offsets, height? }`, for `problem`.
pub(crate) fn solution_from_js(problem: &Problem, value: JsValue) -> Result<Solution, Thrown> {
    if !value.is_object() {
        return Err(at_path("solution", "expected an object"));
    }
    let offsets = get(&value, &JsValue::from_str("offsets"))?;
    let mut solution = Solution::from_offsets(problem, integers(&offsets, "solution.offsets")?);
    let height = optional_integer(&value, &JsValue::from_str("height"), || {
        "solution.height".into()
    })?;
    if let Some(height) = height {
        solution.height = height;
    }
    Ok(solution)
}

/// An array (or typed array) of integers, or an `"invalid"` error at `path`.
pub(crate) fn integers(value: &JsValue, path: &str) -> Result<Vec<i64>, Thrown> {
    let copied;
    let array = match value.dyn_ref::<js_sys::Array>() {
        Some(array) => array,
        None if js_sys::ArrayBuffer::is_view(value)
            && !value.is_instance_of::<js_sys::DataView>() =>
        {
            copied = js_sys::Array::from(value);
            &copied
        }
        None => return Err(at_path(path, "expected an array of integers")),
    };
    (array.iter().enumerate())
        .map(|(i, item)| integer(&item, || format!("{path}[{i}]")))
        .collect()
}

// The problem and the solution are read field by field through `Reflect`, as the switches
// (`params_from_js`) and the options (`ControlShape::from_js`) are, not by serde: serde's
// readers, with the float formatting their messages need, were 13 KB of the 190 KB gzipped
// module. The wrapper has put every value in these shapes first (`web/npm/checks.js`:
// ranges as `{ lower, upper }`, ids as strings, BigInts as numbers), with its own messages;
// what is refused here is a last line.

/// The field names read, made into JavaScript strings once per call rather than once per
/// buffer (a million buffers).
struct Keys {
    capacity: JsValue,
    buffers: JsValue,
    id: JsValue,
    lifespan: JsValue,
    size: JsValue,
    alignment: JsValue,
    gaps: JsValue,
    offset: JsValue,
    hint: JsValue,
    window: JsValue,
    lower: JsValue,
    upper: JsValue,
}

impl Keys {
    fn new() -> Keys {
        let key = JsValue::from_str;
        Keys {
            capacity: key("capacity"),
            buffers: key("buffers"),
            id: key("id"),
            lifespan: key("lifespan"),
            size: key("size"),
            alignment: key("alignment"),
            gaps: key("gaps"),
            offset: key("offset"),
            hint: key("hint"),
            window: key("window"),
            lower: key("lower"),
            upper: key("upper"),
        }
    }
}

fn buffer_from_js(keys: &Keys, value: &JsValue, index: usize) -> Result<Buffer, Thrown> {
    let path = |name: &str| format!("problem.buffers[{index}]{name}");
    if !value.is_object() {
        return Err(at_path(&path(""), "expected an object"));
    }
    let Some(id) = get(value, &keys.id)?.as_string() else {
        return Err(at_path(&path(".id"), "expected a string"));
    };
    let lifespan = range(keys, &get(value, &keys.lifespan)?, &|| path(".lifespan"))?;
    let size = integer(&get(value, &keys.size)?, || path(".size"))?;
    let mut buffer = Buffer::new(id, lifespan.lower, lifespan.upper, size);
    if let Some(alignment) = optional_integer(value, &keys.alignment, || path(".alignment"))? {
        buffer.alignment = alignment;
    }
    buffer.offset = optional_integer(value, &keys.offset, || path(".offset"))?;
    buffer.hint = optional_integer(value, &keys.hint, || path(".hint"))?;
    if let Some(gaps) = present(value, &keys.gaps)? {
        let Some(gaps) = gaps.dyn_ref::<js_sys::Array>() else {
            return Err(at_path(&path(".gaps"), "expected an array of gaps"));
        };
        for (g, gap) in gaps.iter().enumerate() {
            let gap_path = |name: &str| path(&format!(".gaps[{g}]{name}"));
            if !gap.is_object() {
                return Err(at_path(&gap_path(""), "expected an object"));
            }
            let lifespan = range(keys, &get(&gap, &keys.lifespan)?, &|| gap_path(".lifespan"))?;
            let window = match present(&gap, &keys.window)? {
                None => None,
                Some(window) => {
                    let window = range(keys, &window, &|| gap_path(".window"))?;
                    Some(Window {
                        lower: window.lower,
                        upper: window.upper,
                    })
                }
            };
            buffer.gaps.push(Gap { lifespan, window });
        }
    }
    Ok(buffer)
}

/// `{ lower, upper }`.
fn range(keys: &Keys, value: &JsValue, path: &dyn Fn() -> String) -> Result<Lifespan, Thrown> {
    if !value.is_object() {
        return Err(at_path(&path(), "expected { lower, upper }"));
    }
    let lower = integer(&get(value, &keys.lower)?, || format!("{}.lower", path()))?;
    let upper = integer(&get(value, &keys.upper)?, || format!("{}.upper", path()))?;
    Ok(Lifespan::new(lower, upper))
}

/// A whole number of magnitude at most `MAX_MAGNITUDE` (a safe integer in JavaScript), or
/// an error at `path()`.
fn integer(value: &JsValue, path: impl FnOnce() -> String) -> Result<i64, Thrown> {
    match value.as_f64() {
        Some(x) if x.fract() == 0.0 && x.abs() <= MAX_MAGNITUDE as f64 => Ok(x as i64),
        _ => Err(at_path(
            &path(),
            "expected an integer of magnitude at most 2^53 - 1",
        )),
    }
}

/// Field `key` of `object` as an integer; `None` when it is undefined or null.
fn optional_integer(
    object: &JsValue,
    key: &JsValue,
    path: impl FnOnce() -> String,
) -> Result<Option<i64>, Thrown> {
    present(object, key)?
        .map(|value| integer(&value, path))
        .transpose()
}

/// Field `key` of `object` (a getter that throws is thrown on as is).
fn get(object: &JsValue, key: &JsValue) -> Result<JsValue, Thrown> {
    js_sys::Reflect::get(object, key)
}

/// Field `key` of `object`, `None` when it is undefined or null (absent, as serde took it).
fn present(object: &JsValue, key: &JsValue) -> Result<Option<JsValue>, Thrown> {
    let value = get(object, key)?;
    Ok(Some(value).filter(|v| !v.is_undefined() && !v.is_null()))
}

/// An `"invalid"` error at `path`.
fn at_path(path: &str, detail: &str) -> Thrown {
    ErrorShape::at(path, detail).into()
}

/// The solver's parameters from a plain object of switches and orderings (as
/// `ParamsShape` writes them), over the defaults; none means the defaults. Unknown names
/// are refused.
///
/// Read field by field through `Reflect`, not by serde: serde's reader of the 24 fields was
/// 10 KB of the module (3 KB gzipped). The wrapper has checked every field with its
/// own messages first.
pub(crate) fn params_from_js(value: JsValue) -> Result<SolverParams, Thrown> {
    let mut params = SolverParams::default();
    if value.is_undefined() || value.is_null() {
        return Ok(params);
    }
    if !value.is_object() {
        return Err(at_path("params", "expected an object of switches"));
    }
    let keys = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>());
    for key in keys.iter().filter_map(|key| key.as_string()) {
        if key != ORDERINGS && !switches(&mut params).iter().any(|(name, _)| *name == key) {
            let names: Vec<&str> = (switches(&mut params).into_iter().map(|(name, _)| name))
                .chain([ORDERINGS])
                .collect();
            let expected = format!("unknown switch; expected one of {}", names.join(", "));
            return Err(at(&key, &expected));
        }
    }
    for (name, switch) in switches(&mut params) {
        if let Some(given) = field(&value, name)? {
            *switch = given
                .as_bool()
                .ok_or_else(|| at(name, "expected true or false"))?;
        }
    }
    if let Some(given) = field(&value, ORDERINGS)? {
        let Some(orderings) = given.dyn_ref::<js_sys::Array>() else {
            return Err(at(ORDERINGS, "expected an array of key strings"));
        };
        let mut parsed = Vec::new();
        for (i, keys) in orderings.iter().enumerate() {
            let Some(keys) = keys.as_string() else {
                return Err(at(&format!("{ORDERINGS}[{i}]"), "expected a key string"));
            };
            parsed.push(keys.parse().map_err(|e| ErrorShape::params(&e))?);
        }
        params.preordering_heuristics = parsed;
    }
    Ok(params)
}

/// Field `name` of `object`, `None` when it is undefined or null (see [`present`]).
pub(crate) fn field(object: &JsValue, name: &str) -> Result<Option<JsValue>, Thrown> {
    present(object, &JsValue::from_str(name))
}

/// An `"invalid"` error at `params.<path>`.
fn at(path: &str, detail: &str) -> Thrown {
    at_path(&format!("params.{path}"), detail)
}
