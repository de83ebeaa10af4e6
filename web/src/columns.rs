//! A problem and its packing as typed arrays, one per field: what a page that draws a large
//! result wants from a worker. Typed arrays cross `postMessage` as transfers (no copy, no
//! per-object work on the page's thread), where a million plain buffer objects would take
//! the page's main thread seconds to receive and read.

use js_sys::{Float64Array, Object, Reflect, Uint32Array, Uint8Array};
use wasm_bindgen::JsValue;

use bufpack::{Offset, Problem};

fn floats(values: impl Iterator<Item = f64>) -> Float64Array {
    let values: Vec<f64> = values.collect();
    Float64Array::from(values.as_slice())
}

/// `{ idBytes, idEnds, lower, upper, size, alignment, fixed, offsets, gapBuffer, gapLower,
/// gapUpper, gapWindowLower, gapWindowUpper }`: per buffer (`fixed` is NaN for a movable
/// buffer), and per gap (`gapBuffer` its buffer's index; window bounds NaN for a plain gap).
/// The ids are UTF-8, one after the other, id `i` ending at byte `idEnds[i]`: a million
/// strings in a message cost the receiving thread about 150 ms to decode, bytes nothing.
pub(crate) fn columns(problem: &Problem, offsets: &[Offset]) -> Result<JsValue, JsValue> {
    let buffers = &problem.buffers;
    let object = Object::new();
    let set = |key: &str, value: &JsValue| Reflect::set(&object, &key.into(), value).map(drop);
    let mut bytes = Vec::new();
    let mut ends = Vec::with_capacity(buffers.len());
    for buffer in buffers {
        bytes.extend_from_slice(buffer.id.as_bytes());
        let end = u32::try_from(bytes.len())
            .map_err(|_| JsValue::from_str("the ids exceed 4 GB; use returnProblem: true"))?;
        ends.push(end);
    }
    set("idBytes", &Uint8Array::from(bytes.as_slice()))?;
    set("idEnds", &Uint32Array::from(ends.as_slice()))?;
    set(
        "lower",
        &floats(buffers.iter().map(|b| b.lifespan.lower as f64)),
    )?;
    set(
        "upper",
        &floats(buffers.iter().map(|b| b.lifespan.upper as f64)),
    )?;
    set("size", &floats(buffers.iter().map(|b| b.size as f64)))?;
    set(
        "alignment",
        &floats(buffers.iter().map(|b| b.alignment as f64)),
    )?;
    set(
        "fixed",
        &floats(
            buffers
                .iter()
                .map(|b| b.offset.map_or(f64::NAN, |o| o as f64)),
        ),
    )?;
    set("offsets", &floats(offsets.iter().map(|&o| o as f64)))?;
    let gaps: Vec<(u32, &bufpack::Gap)> = buffers
        .iter()
        .enumerate()
        .flat_map(|(i, b)| b.gaps.iter().map(move |g| (i as u32, g)))
        .collect();
    let owners: Vec<u32> = gaps.iter().map(|(i, _)| *i).collect();
    set("gapBuffer", &Uint32Array::from(owners.as_slice()))?;
    set(
        "gapLower",
        &floats(gaps.iter().map(|(_, g)| g.lifespan.lower as f64)),
    )?;
    set(
        "gapUpper",
        &floats(gaps.iter().map(|(_, g)| g.lifespan.upper as f64)),
    )?;
    let window = |pick: fn(&bufpack::Window) -> Offset| {
        floats(
            gaps.iter()
                .map(move |(_, g)| g.window.as_ref().map_or(f64::NAN, |w| pick(w) as f64)),
        )
    };
    set("gapWindowLower", &window(|w| w.lower))?;
    set("gapWindowUpper", &window(|w| w.upper))?;
    Ok(object.into())
}
