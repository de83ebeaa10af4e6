//! The app's one door to the solver: the npm package's `solveInWorker`, which index.html
//! puts on `globalThis.bufpack`. Solving, parsing (CSV is parsed in the worker, so a 50 MB
//! file never blocks the page), progress, cancel and the parallel portfolio are the
//! package's, tested there; this module only converts its answers into a [`Layout`], in
//! slices that keep the page responsive.

use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use bufpack::{Buffer, Gap, Lifespan, Problem, Window};

use crate::layout::{Figures, Layout};
use crate::model::{ModelResult, ModelSource};
use crate::options::SolveOptions;
use crate::prepare::Builder;
use crate::slices::{Slices, STEP};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = bufpack, js_name = solveInWorker)]
    fn solve_in_worker(input: &JsValue, options: &JsValue) -> js_sys::Promise;
}

/// Live figures from the worker.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Progress {
    #[serde(default)]
    pub(crate) nodes: f64,
    #[serde(default)]
    pub(crate) backtracks: f64,
    #[serde(default)]
    pub(crate) elapsed_seconds: f64,
    pub(crate) best_height: Option<f64>,
    pub(crate) lower_bound: Option<f64>,
    pub(crate) gap_percent: Option<f64>,
}

/// A failure as the page shows it: the package's error code, its message and, for CSV,
/// where.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub(crate) struct Failure {
    pub(crate) code: String,
    pub(crate) message: String,
    pub(crate) line: Option<u32>,
    pub(crate) column: Option<u32>,
}

impl Failure {
    pub(crate) fn new(code: &str, message: impl Into<String>) -> Failure {
        Failure {
            code: code.to_string(),
            message: message.into(),
            line: None,
            column: None,
        }
    }
}

/// How a solve ended.
pub(crate) enum Ended {
    /// The layout, and for a model what its plan saves.
    Solved(Rc<Layout>, Option<Rc<ModelResult>>),
    Cancelled,
    Failed(Failure),
}

/// Solves `csv` in a worker as `options` say, reporting progress, until done or `signal`
/// fires; then builds the answer's layout in slices, reporting how far along. For a model
/// (`csv` is its buffers), the plan is written into it too.
pub(crate) async fn solve(
    csv: &js_sys::JsString,
    model: Option<&ModelSource>,
    options: &SolveOptions,
    signal: web_sys::AbortSignal,
    on_progress: impl Fn(Progress) + 'static,
    on_preparing: impl Fn(f64),
) -> Ended {
    let progress = Closure::<dyn Fn(JsValue)>::new(move |value: JsValue| {
        if let Ok(progress) = serde_wasm_bindgen::from_value::<Progress>(value) {
            on_progress(progress);
        }
    });
    let js_options = options.to_js();
    let set = |key: &str, value: &JsValue| {
        let _ = js_sys::Reflect::set(&js_options, &key.into(), value);
    };
    set("onProgress", progress.as_ref());
    set("signal", &signal);
    // Typed arrays: a 1,000,000-buffer result reaches this thread without a copy and is read
    // with a few memcpys, where plain objects would block the page for seconds.
    set("returnProblem", &JsValue::from_str("columns"));
    let capacity = options.capacity;
    // An async function: refused options come back as a rejection too.
    let promise = solve_in_worker(csv, &js_options);
    let outcome = JsFuture::from(promise).await;
    drop(progress);
    match outcome {
        Ok(solution) => {
            on_preparing(0.0);
            match prepare(&solution, capacity, &signal, &on_preparing).await {
                Ok(Some(mut layout)) => {
                    // A model's plan: one call of the package, in proportion to its tensors
                    // (hundreds), not to what the page can be given.
                    let planned = model.map(|source| {
                        layout.steps = Some(source.steps.clone());
                        Rc::new(crate::model::plan(source, &layout.offsets))
                    });
                    Ended::Solved(Rc::new(layout), planned)
                }
                Ok(None) => Ended::Cancelled,
                Err(failure) => Ended::Failed(failure),
            }
        }
        Err(error) => {
            let failure = failure_of(&error);
            if failure.code == "aborted" {
                Ended::Cancelled
            } else {
                Ended::Failed(failure)
            }
        }
    }
}

pub(crate) fn failure_of(error: &JsValue) -> Failure {
    serde_wasm_bindgen::from_value::<Failure>(error.clone()).unwrap_or_else(|_| {
        let message = js_sys::Reflect::get(error, &"message".into())
            .ok()
            .and_then(|m| m.as_string())
            .unwrap_or_else(|| format!("{error:?}"));
        Failure::new("internal", message)
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SolutionShape {
    height: i64,
    status: String,
    lower_bound: i64,
    load: Option<i64>,
    gap_percent: f64,
    nodes: f64,
    backtracks: f64,
    elapsed_seconds: f64,
    found_by: Option<String>,
}

/// A column of numbers from the worker's answer.
fn numbers(columns: &JsValue, key: &str) -> Vec<f64> {
    js_sys::Reflect::get(columns, &key.into())
        .ok()
        .filter(|v| v.is_object())
        .map(|v| js_sys::Float64Array::from(v).to_vec())
        .unwrap_or_default()
}

/// Ids `from..to` of the answer, from its UTF-8 bytes (`idBytes`, with `idEnds`): one copy
/// of the chunk's bytes into Rust, then slices of it. (A million id strings in the worker's
/// message took the browser about 150 ms to decode on this thread; bytes cost nothing.)
fn read_ids(
    bytes: &js_sys::Uint8Array,
    ends: &[u32],
    from: usize,
    to: usize,
    out: &mut Vec<String>,
) {
    let start = if from == 0 { 0 } else { ends[from - 1] };
    let end = if to == 0 { 0 } else { ends[to - 1] };
    let chunk = bytes.subarray(start, end).to_vec();
    let mut at = 0usize;
    for &id_end in &ends[from..to] {
        let id_end = (id_end - start) as usize;
        out.push(String::from_utf8_lossy(&chunk[at..id_end]).into_owned());
        at = id_end;
    }
}

/// The layout of the worker's answer, built in slices (see `slices.rs`) so the page stays
/// responsive however large the result; `on_preparing` hears how far along (0 to 1) between
/// slices. `Ok(None)` when `signal` aborted meanwhile (cancelled, or a newer solve started).
async fn prepare(
    solution: &JsValue,
    capacity: Option<i64>,
    signal: &web_sys::AbortSignal,
    on_preparing: &dyn Fn(f64),
) -> Result<Option<Layout>, Failure> {
    let broken =
        |what: &str| Failure::new("internal", format!("unexpected {what} from the solver"));
    let mut slices = Slices::start();
    macro_rules! pause_if_due {
        ($progress:expr) => {
            if slices.due() {
                if slices.report() {
                    on_preparing($progress);
                }
                slices.pause().await;
                if signal.aborted() {
                    return Ok(None);
                }
            }
        };
    }
    let columns = js_sys::Reflect::get(solution, &"columns".into())
        .ok()
        .filter(|c| c.is_object())
        .ok_or_else(|| broken("answer (no columns)"))?;
    // Only the declared fields are read: the offsets come from the columns.
    let shape: SolutionShape =
        serde_wasm_bindgen::from_value(solution.clone()).map_err(|_| broken("solution"))?;
    let id_bytes: js_sys::Uint8Array = js_sys::Reflect::get(&columns, &"idBytes".into())
        .ok()
        .and_then(|v| v.dyn_into().ok())
        .ok_or_else(|| broken("ids"))?;
    let id_ends: Vec<u32> = js_sys::Reflect::get(&columns, &"idEnds".into())
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Uint32Array>().ok())
        .map(|ends| ends.to_vec())
        .ok_or_else(|| broken("ids"))?;
    if id_ends.windows(2).any(|w| w[0] > w[1])
        || id_ends.last().is_some_and(|&end| end > id_bytes.length())
    {
        return Err(broken("ids"));
    }
    let count = id_ends.len();
    // Reading: ids and numbers a chunk at a time (a few small copies each: whole columns of a
    // million took tens of milliseconds apiece), into buffers. A tenth of the bar; the
    // layout's build is the rest.
    let reading = |done: usize| 0.1 * done as f64 / count.max(1) as f64;
    let column = |key: &str| {
        js_sys::Reflect::get(&columns, &key.into())
            .ok()
            .and_then(|v| v.dyn_into::<js_sys::Float64Array>().ok())
            .filter(|c| c.length() as usize == count)
            .ok_or_else(|| broken(&format!("column {key}")))
    };
    let sources = [
        column("lower")?,
        column("upper")?,
        column("size")?,
        column("alignment")?,
        column("fixed")?,
        column("offsets")?,
    ];
    let mut chunk = [[0.0; STEP]; 6];
    let mut names: Vec<String> = Vec::with_capacity(STEP);
    let mut buffers: Vec<Buffer> = Vec::with_capacity(count);
    let mut offsets: Vec<i64> = Vec::with_capacity(count);
    while buffers.len() < count {
        let from = buffers.len();
        let to = (from + STEP).min(count);
        for (source, values) in sources.iter().zip(&mut chunk) {
            source
                .subarray(from as u32, to as u32)
                .copy_to(&mut values[..to - from]);
        }
        let [lower, upper, size, alignment, fixed, offset] = &chunk;
        names.clear();
        read_ids(&id_bytes, &id_ends, from, to, &mut names);
        buffers.extend(names.drain(..).enumerate().map(|(i, id)| Buffer {
            id,
            lifespan: Lifespan::new(lower[i] as i64, upper[i] as i64),
            size: size[i] as i64,
            alignment: alignment[i] as i64,
            gaps: Vec::new(),
            offset: (!fixed[i].is_nan()).then_some(fixed[i] as i64),
            hint: None,
        }));
        offsets.extend(offset[..to - from].iter().map(|&o| o as i64));
        pause_if_due!(reading(to));
    }
    let read = |key: &str| numbers(&columns, key);
    let owners = js_sys::Reflect::get(&columns, &"gapBuffer".into())
        .ok()
        .filter(|v| v.is_object())
        .map(|v| js_sys::Uint32Array::from(v).to_vec())
        .unwrap_or_default();
    let (gap_lower, gap_upper) = (read("gapLower"), read("gapUpper"));
    let (window_lower, window_upper) = (read("gapWindowLower"), read("gapWindowUpper"));
    if [
        gap_lower.len(),
        gap_upper.len(),
        window_lower.len(),
        window_upper.len(),
    ]
    .iter()
    .any(|&n| n != owners.len())
    {
        return Err(broken("gap columns (lengths differ)"));
    }
    for (g, &owner) in owners.iter().enumerate() {
        let buffer = buffers
            .get_mut(owner as usize)
            .ok_or_else(|| broken("gaps"))?;
        buffer.gaps.push(Gap {
            lifespan: Lifespan::new(gap_lower[g] as i64, gap_upper[g] as i64),
            window: (!window_lower[g].is_nan()).then(|| Window {
                lower: window_lower[g] as i64,
                upper: window_upper[g] as i64,
            }),
        });
        if g % STEP == STEP - 1 {
            pause_if_due!(0.1);
        }
    }
    let problem = Problem::new(buffers, capacity.unwrap_or(bufpack::MAX_MAGNITUDE));
    let figures = Figures {
        height: shape.height,
        lower_bound: shape.lower_bound,
        load: shape.load.unwrap_or(shape.lower_bound),
        gap_percent: shape.gap_percent,
        status: shape.status,
        nodes: shape.nodes as u64,
        backtracks: shape.backtracks as u64,
        elapsed_seconds: shape.elapsed_seconds,
        found_by: shape.found_by,
    };
    let mut builder = Builder::new(problem, capacity, offsets, figures);
    while !builder.step(STEP) {
        pause_if_due!(0.1 + 0.9 * builder.progress());
    }
    Ok(Some(builder.finish()))
}
