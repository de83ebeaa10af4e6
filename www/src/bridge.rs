//! The app's one door to the solver: the npm package's `solveInWorker`, which index.html
//! puts on `globalThis.bufpack`. Solving, parsing (CSV is parsed in the worker, so a 50 MB
//! file never blocks the page), progress, cancel and the parallel portfolio are the
//! package's, tested there; this module only converts its answers into a [`Layout`].

use std::rc::Rc;

use serde::Deserialize;
use wasm_bindgen::prelude::*;
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
    set("returnProblem", &JsValue::TRUE);
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
struct RangeShape {
    lower: i64,
    upper: i64,
}

#[derive(Deserialize)]
struct GapShape {
    lifespan: RangeShape,
    window: Option<RangeShape>,
}

/// What the page reads of a buffer from the package's `Problem` (the solver already
/// checked it).
#[derive(Deserialize)]
struct BufferShape {
    id: String,
    lifespan: RangeShape,
    size: i64,
    #[serde(default = "one")]
    alignment: i64,
    #[serde(default)]
    gaps: Vec<GapShape>,
    offset: Option<i64>,
}

fn one() -> i64 {
    1
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SolutionShape {
    offsets: Vec<i64>,
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

fn layout_of(solution: &JsValue, capacity: Option<i64>) -> Result<Layout, Failure> {
    let broken = |what: &str, e: serde_wasm_bindgen::Error| {
        Failure::new(
            "internal",
            format!("unexpected {what} from the solver: {e}"),
        )
    };
    let problem = js_sys::Reflect::get(solution, &"problem".into()).unwrap_or(JsValue::UNDEFINED);
    let buffers = js_sys::Reflect::get(&problem, &"buffers".into()).unwrap_or(JsValue::UNDEFINED);
    let buffers: Vec<BufferShape> =
        serde_wasm_bindgen::from_value(buffers).map_err(|e| broken("buffers", e))?;
    let shape: SolutionShape =
        serde_wasm_bindgen::from_value(solution.clone()).map_err(|e| broken("solution", e))?;
    let buffers = buffers
        .into_iter()
        .map(|b| Buffer {
            id: b.id,
            lifespan: Lifespan::new(b.lifespan.lower, b.lifespan.upper),
            size: b.size,
            alignment: b.alignment,
            gaps: b
                .gaps
                .into_iter()
                .map(|g| Gap {
                    lifespan: Lifespan::new(g.lifespan.lower, g.lifespan.upper),
                    window: g.window.map(|w| Window {
                        lower: w.lower,
                        upper: w.upper,
                    }),
                })
                .collect(),
            offset: b.offset,
            hint: None,
        })
        .collect();
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
        offsets: shape.offsets,
        height: shape.height,
    };
    Ok(Layout::new(problem, capacity, &solution, figures))
}
