//! The teaching view's calls into the npm package (`globalThis.bufpack`): the recorded
//! search and the exact optimum in workers, the heuristics on the page (they are
//! O(n log n) and the problems here are small).

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use bufpack::Offset;

use super::replay::Trace;
use crate::options::{MINIMALLOC, SWITCHES};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = bufpack, js_name = traceInWorker)]
    fn trace_in_worker(input: &JsValue, options: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = bufpack, js_name = solveInWorker)]
    fn solve_in_worker(input: &JsValue, options: &JsValue) -> js_sys::Promise;
    #[wasm_bindgen(js_namespace = bufpack, js_name = heuristicNames, catch)]
    fn heuristic_names() -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = bufpack, js_name = runHeuristic, catch)]
    fn run_heuristic(problem: &JsValue, name: &str) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(js_namespace = ["bufpack", "Problem"], js_name = fromCsv, catch)]
    fn problem_from_csv(text: &str) -> Result<JsValue, JsValue>;
}

/// Fetches a file shipped beside the page (a curated example) as text.
pub(crate) async fn fetch_text(url: &str) -> Result<String, String> {
    let failed = |e: JsValue| format!("cannot load {url}: {}", message(&e));
    let window = web_sys::window().ok_or_else(|| format!("cannot load {url}: no window"))?;
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(failed)?
        .dyn_into()
        .map_err(failed)?;
    if !response.ok() {
        return Err(format!("cannot load {url}: HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(failed)?)
        .await
        .map_err(failed)?;
    Ok(text.as_string().unwrap_or_default())
}

/// The most events a trace keeps for the Learn view: enough to watch, cheap to hold.
pub(crate) const MAX_EVENTS: u32 = 20_000;
/// A teaching search that takes longer than this is stopped (its first events still show).
const TRACE_SECONDS: f64 = 10.0;

/// The message of a thrown error (a BufpackError, or anything).
fn message(error: &JsValue) -> String {
    js_sys::Reflect::get(error, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| error.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

fn options(pairs: &[(&str, JsValue)]) -> JsValue {
    let object = js_sys::Object::new();
    for (key, value) in pairs {
        let _ = js_sys::Reflect::set(&object, &(*key).into(), value);
    }
    object.into()
}

/// bufpack's own techniques, all off: the Learn view teaches MiniMalloc's search
/// (`SolverParams::reference()`), whose figures `tests/fixtures/teaching/README.md` states.
/// Every run here starts from these.
fn reference<'a>() -> impl Iterator<Item = (&'a str, JsValue)> {
    SWITCHES[MINIMALLOC..]
        .iter()
        .map(|switch| (switch.name, JsValue::FALSE))
}

/// Records MiniMalloc's search on `csv` at `capacity`, with `switches` (name, on) changed
/// from it, keeping `max_events` events.
pub(crate) async fn trace(
    csv: &str,
    capacity: Offset,
    switches: &[(&str, bool)],
    max_events: u32,
) -> Result<Trace, String> {
    let mut pairs = vec![
        ("capacity", JsValue::from_f64(capacity as f64)),
        ("maxEvents", JsValue::from_f64(f64::from(max_events))),
        ("timeoutSeconds", JsValue::from_f64(TRACE_SECONDS)),
    ];
    pairs.extend(reference());
    // Set after the reference's, so a switch given here wins.
    pairs.extend(
        switches
            .iter()
            .map(|&(name, on)| (name, JsValue::from_bool(on))),
    );
    let value = JsFuture::from(trace_in_worker(&csv.into(), &options(&pairs)))
        .await
        .map_err(|e| message(&e))?;
    bufpack_chart::teach::read::trace(&value, "trace").map_err(|e| format!("unexpected trace: {e}"))
}

/// A packing with its height.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Packing {
    pub(crate) offsets: Vec<Offset>,
    pub(crate) height: Offset,
    #[serde(default)]
    pub(crate) status: String,
}

/// The lowest height of `csv` (proven unless `status` says "feasible"), in a worker, by
/// MiniMalloc's search like the traces (the height is the same either way; the packing shown
/// is the one `tests/tests/teaching.rs` checks).
pub(crate) async fn optimum(csv: &str, timeout_seconds: f64) -> Result<Packing, String> {
    let mut pairs = vec![
        ("minimize", JsValue::TRUE),
        ("timeoutSeconds", JsValue::from_f64(timeout_seconds)),
    ];
    pairs.extend(reference());
    let value = JsFuture::from(solve_in_worker(&csv.into(), &options(&pairs)))
        .await
        .map_err(|e| message(&e))?;
    serde_wasm_bindgen::from_value(value).map_err(|e| format!("unexpected answer: {e}"))
}

/// Every heuristic's packing of `csv`, by name, in the package's order.
pub(crate) fn heuristics(csv: &str) -> Result<Vec<(String, Packing)>, String> {
    let problem = problem_from_csv(csv).map_err(|e| message(&e))?;
    let names: Vec<String> = heuristic_names()
        .ok()
        .and_then(|names| serde_wasm_bindgen::from_value(names).ok())
        .unwrap_or_default();
    names
        .into_iter()
        .map(|name| {
            let value = run_heuristic(&problem, &name).map_err(|e| message(&e))?;
            let packing = serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())?;
            Ok((name, packing))
        })
        .collect()
}
