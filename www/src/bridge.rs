//! The app's one door to the solver: the npm package's `solveInWorker`, which index.html
//! puts on `globalThis.bufpack`. Solving, parsing (CSV is parsed in the worker, so a 50 MB
//! file never blocks the page), progress, cancel and the parallel portfolio are the
//! package's, tested there; this module only converts its answers into a [`Layout`].

use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use bufpack::{Buffer, Gap, Lifespan, Problem, Solution, Window};

use crate::layout::{Figures, Layout};
use crate::options::SolveOptions;

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
    Solved(Rc<Layout>),
    Cancelled,
    Failed(Failure),
}

/// Solves `csv` in a worker as `options` say, reporting progress, until done or `signal`
/// fires.
pub(crate) async fn solve(
    csv: String,
    options: &SolveOptions,
    signal: web_sys::AbortSignal,
    on_progress: impl Fn(Progress) + 'static,
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
    let promise = solve_in_worker(&JsValue::from_str(&csv), &js_options);
    let outcome = JsFuture::from(promise).await;
    drop(progress);
    match outcome {
        Ok(solution) => match layout_of(&solution, capacity) {
            Ok(layout) => Ended::Solved(Rc::new(layout)),
            Err(failure) => Ended::Failed(failure),
        },
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

fn layout_of(solution: &JsValue, capacity: Option<i64>) -> Result<Layout, Failure> {
    let broken =
        |what: &str| Failure::new("internal", format!("unexpected {what} from the solver"));
    let columns = js_sys::Reflect::get(solution, &"columns".into())
        .ok()
        .filter(|c| c.is_object())
        .ok_or_else(|| broken("answer (no columns)"))?;
    // Only the declared fields are read: the offsets come from the columns.
    let shape: SolutionShape =
        serde_wasm_bindgen::from_value(solution.clone()).map_err(|_| broken("solution"))?;
    let ids = js_sys::Reflect::get(&columns, &"ids".into()).map_err(|_| broken("ids"))?;
    let ids: js_sys::Array = ids.dyn_into().map_err(|_| broken("ids"))?;
    let (lower, upper, size) = (
        numbers(&columns, "lower"),
        numbers(&columns, "upper"),
        numbers(&columns, "size"),
    );
    let (alignment, fixed) = (numbers(&columns, "alignment"), numbers(&columns, "fixed"));
    let offsets: Vec<i64> = numbers(&columns, "offsets")
        .into_iter()
        .map(|o| o as i64)
        .collect();
    let count = ids.length() as usize;
    if [
        lower.len(),
        upper.len(),
        size.len(),
        alignment.len(),
        fixed.len(),
        offsets.len(),
    ]
    .iter()
    .any(|&n| n != count)
    {
        return Err(broken("columns (lengths differ)"));
    }
    let mut buffers: Vec<Buffer> = (0..count)
        .map(|i| Buffer {
            id: ids.get(i as u32).as_string().unwrap_or_default(),
            lifespan: Lifespan::new(lower[i] as i64, upper[i] as i64),
            size: size[i] as i64,
            alignment: alignment[i] as i64,
            gaps: Vec::new(),
            offset: (!fixed[i].is_nan()).then_some(fixed[i] as i64),
            hint: None,
        })
        .collect();
    let owners = js_sys::Reflect::get(&columns, &"gapBuffer".into())
        .ok()
        .filter(|v| v.is_object())
        .map(|v| js_sys::Uint32Array::from(v).to_vec())
        .unwrap_or_default();
    let (gap_lower, gap_upper) = (numbers(&columns, "gapLower"), numbers(&columns, "gapUpper"));
    let (window_lower, window_upper) = (
        numbers(&columns, "gapWindowLower"),
        numbers(&columns, "gapWindowUpper"),
    );
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
    let solution = Solution {
        offsets,
        height: shape.height,
    };
    Ok(Layout::new(problem, capacity, &solution, figures))
}
