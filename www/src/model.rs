//! TensorFlow Lite Micro models in the app. A dropped or picked `.tflite` (TensorFlow Lite's
//! identifier `TFL3` at bytes 4..8) is read by the package (`readModel`, whose model support
//! loads on first use), its arena's buffers become the CSV every other input is, and the
//! solve runs in the package's worker as usual. After the solve the package writes the plan
//! into the model (`TfliteModel.plan`) only when TensorFlow Lite Micro then needs less arena;
//! the page shows both arenas and offers the planned model for download.

use std::rc::Rc;

use js_sys::{Float64Array, JsString, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::bridge::{failure_of, Failure};
use crate::controls::thousands;
use crate::layout::Figures;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = bufpack, js_name = readModel)]
    fn read_model(bytes: &Uint8Array) -> js_sys::Promise;

    /// The package's `TfliteModel`.
    pub(crate) type TfliteModel;
    #[wasm_bindgen(method, getter)]
    fn problem(this: &TfliteModel) -> JsProblem;
    #[wasm_bindgen(method, getter)]
    fn steps(this: &TfliteModel) -> js_sys::Array;
    #[wasm_bindgen(method, getter, js_name = offlinePlan)]
    fn offline_plan(this: &TfliteModel) -> JsValue;
    #[wasm_bindgen(method, catch)]
    fn plan(this: &TfliteModel, offsets: &Float64Array) -> Result<JsValue, JsValue>;

    /// The package's `Problem`.
    type JsProblem;
    #[wasm_bindgen(method, catch, js_name = toCsv)]
    fn to_csv(this: &JsProblem) -> Result<JsString, JsValue>;
}

impl std::fmt::Debug for TfliteModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TfliteModel")
    }
}

/// Whether the first bytes of a file are a TensorFlow Lite model's: `TFL3` at bytes 4..8.
pub(crate) fn is_tflite(head: &[u8]) -> bool {
    head.get(4..8) == Some(b"TFL3")
}

/// A model being solved: the package's object (it holds the bytes) and its step labels.
#[derive(Debug)]
pub(crate) struct ModelSource {
    model: TfliteModel,
    /// One label per time step: "(before)", "inputs", then operator names.
    pub(crate) steps: Rc<[String]>,
    /// The model carries an offline plan TensorFlow Lite Micro would use as it is.
    own_plan: bool,
}

/// Reads a model's bytes through the package: the model, and its buffers as CSV (what
/// the worker solves). A file that is no model it can plan is the package's
/// `invalid-model` error, message and all.
pub(crate) async fn read(bytes: &Uint8Array) -> Result<(ModelSource, JsString), Failure> {
    let model: TfliteModel = JsFuture::from(read_model(bytes))
        .await
        .map_err(|e| failure_of(&e))?
        .unchecked_into();
    let csv = model.problem().to_csv().map_err(|e| failure_of(&e))?;
    let steps: Rc<[String]> = model
        .steps()
        .iter()
        .map(|s| s.as_string().unwrap_or_default())
        .collect();
    let own_plan = js_sys::Reflect::get(&model.offline_plan(), &"kind".into())
        .ok()
        .and_then(|k| k.as_string())
        .is_some_and(|k| k == "valid");
    Ok((
        ModelSource {
            model,
            steps,
            own_plan,
        },
        csv,
    ))
}

/// What the page shows of a model's result, beside its layout (whose step labels are the
/// model's operators).
#[derive(Clone, Debug)]
pub(crate) struct ModelResult {
    /// The arena TensorFlow Lite Micro needs for the model as given, and with bufpack's plan;
    /// or why the plan could not be made.
    pub(crate) plan: Result<Plan, String>,
    /// The model's own offline plan is what `before` measures (not TFLM's greedy planner).
    pub(crate) own_plan: bool,
}

#[derive(Clone, Debug)]
pub(crate) struct Plan {
    pub(crate) before: u64,
    pub(crate) arena: u64,
    /// The planned model, when the plan saves arena.
    pub(crate) model: Option<Uint8Array>,
}

/// Plans `source` with `offsets` (one per buffer, in the model's order).
pub(crate) fn plan(source: &ModelSource, offsets: &[i64]) -> ModelResult {
    let offsets: Vec<f64> = offsets.iter().map(|&o| o as f64).collect();
    let plan = source
        .model
        .plan(&Float64Array::from(offsets.as_slice()))
        .map_err(|e| failure_of(&e).message)
        .and_then(|result| {
            let number = |key: &str| {
                js_sys::Reflect::get(&result, &key.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .map(|v| v as u64)
                    .ok_or_else(|| format!("unexpected plan from the package (no {key})"))
            };
            Ok(Plan {
                before: number("before")?,
                arena: number("arena")?,
                model: js_sys::Reflect::get(&result, &"model".into())
                    .ok()
                    .and_then(|m| m.dyn_into::<Uint8Array>().ok()),
            })
        });
    ModelResult {
        plan,
        own_plan: source.own_plan,
    }
}

/// Results are compared by identity, like layouts: one is made per solve and never changed.
impl PartialEq for ModelResult {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl ModelResult {
    /// What TensorFlow Lite Micro's figure is called: its greedy planner, or the model's own plan.
    fn theirs(&self) -> &'static str {
        if self.own_plan {
            "TFLM with the model's own plan"
        } else {
            "TFLM greedy"
        }
    }

    /// "TFLM greedy: X bytes, bufpack: Y bytes (optimal / gap), lower bound Z; saves N bytes
    /// (p%)", or the reason there is no saving.
    pub(crate) fn summary(&self, figures: &Figures) -> String {
        let quality = match figures.status.as_str() {
            "optimal" => "optimal".to_string(),
            "feasible" => format!("gap {:.2}%", figures.gap_percent),
            _ => "within the capacity".to_string(),
        };
        let plan = match &self.plan {
            Ok(plan) => plan,
            Err(why) => return format!("The plan could not be written: {why}"),
        };
        // The package writes a plan exactly when it needs less arena.
        let saving = if plan.arena < plan.before {
            let saved = plan.before - plan.arena;
            format!(
                "saves {} bytes ({:.1}%)",
                thousands(saved),
                100.0 * saved as f64 / plan.before as f64
            )
        } else if plan.arena == plan.before {
            "no saving: TFLM's plan is already as small".to_string()
        } else {
            "no saving: TFLM's plan is smaller than this packing".to_string()
        };
        format!(
            "{}: {} bytes, bufpack: {} bytes ({quality}), lower bound {}; {saving}",
            self.theirs(),
            thousands(plan.before),
            thousands(figures.height as u64),
            thousands(figures.lower_bound as u64),
        )
    }

    /// Why the planned model cannot be downloaded, if it cannot.
    pub(crate) fn no_download(&self) -> Option<String> {
        match &self.plan {
            Ok(Plan { model: Some(_), .. }) => None,
            Ok(plan) => Some(format!(
                "No saving: TFLM already needs only {} bytes for this model, so it is left as it was",
                thousands(plan.before)
            )),
            Err(why) => Some(format!("The plan could not be written: {why}")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A result without the planned bytes (a Uint8Array needs JavaScript).
    fn result(before: u64, arena: u64) -> ModelResult {
        ModelResult {
            plan: Ok(Plan {
                before,
                arena,
                model: None,
            }),
            own_plan: false,
        }
    }

    fn figures(height: i64, status: &str) -> Figures {
        Figures {
            height,
            lower_bound: 640,
            status: status.into(),
            gap_percent: 1.5,
            ..Figures::default()
        }
    }

    #[test]
    fn the_summary_says_both_arenas_and_whether_it_saves() {
        assert_eq!(
            result(832, 640).summary(&figures(640, "optimal")),
            "TFLM greedy: 832 bytes, bufpack: 640 bytes (optimal), lower bound 640; saves 192 bytes (23.1%)"
        );
        assert_eq!(
            result(832, 832).summary(&figures(832, "optimal")),
            "TFLM greedy: 832 bytes, bufpack: 832 bytes (optimal), lower bound 640; no saving: TFLM's plan is already as small"
        );
        assert_eq!(
            result(832, 900).summary(&figures(900, "feasible")),
            "TFLM greedy: 832 bytes, bufpack: 900 bytes (gap 1.50%), lower bound 640; no saving: TFLM's plan is smaller than this packing"
        );
        let mut own = result(640, 640);
        own.own_plan = true;
        assert!(own
            .summary(&figures(640, "optimal"))
            .starts_with("TFLM with the model's own plan: 640 bytes"));
        assert!(own.no_download().unwrap().starts_with("No saving"));
        let failed = ModelResult {
            plan: Err("invalid plan: x".into()),
            ..result(1, 1)
        };
        assert_eq!(
            failed.no_download().as_deref(),
            Some("The plan could not be written: invalid plan: x")
        );
    }

    #[test]
    fn tflite_files_are_told_by_their_identifier() {
        assert!(is_tflite(b"\x1c\0\0\0TFL3\0\0"));
        assert!(!is_tflite(b"id,lower,upper,size"));
        assert!(!is_tflite(b"\0\0\0\0TFL"));
    }
}
