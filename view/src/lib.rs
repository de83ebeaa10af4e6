//! The embeddable viewer (`bufpack/view` in the npm package): the app's layout chart
//! (`bufpack-chart`) mounted into any element. JavaScript (`web/npm/view.js`) defines the
//! custom elements, fetches `src`, converts the package's objects to CSV and follows the
//! page's theme, and records a replay's search through the package's worker; this crate
//! parses, checks and draws. It runs no search itself: a layout or a trace is given.

/// talc, as in the solver's package (web/src/alloc.rs): smaller than dlmalloc. Native builds
/// (tests, clippy) keep the system allocator.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod input;
mod message;
mod replay;
mod viewer;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;

use bufpack_chart::chart::ColourMode;

use crate::input::Input;
use crate::replay::{Replay, ReplayInput, ReplayProps};
use crate::viewer::{Viewer, ViewerProps};

/// A mounted layout view: `update` with new options, `destroy` to unmount (every listener,
/// observer and animation frame the chart holds is released).
#[wasm_bindgen]
pub struct LayoutView {
    view: Option<Viewer>,
}

#[wasm_bindgen]
impl LayoutView {
    /// New options (the same shape as at mount); the chart keeps its view when the layout
    /// is the same text.
    pub fn update(&mut self, options: &JsValue) {
        if let Some(view) = &mut self.view {
            view.update(props(options));
        }
    }

    /// Unmounts the view. Further calls do nothing.
    pub fn destroy(&mut self) {
        self.view = None;
    }
}

/// Renders a layout view into `root`. `options`, as `view.js` prepares them: `csv` (text
/// with an `offset` column) and `source` (its name, for messages), or `error` (a message to
/// show instead), or neither (loading); `capacity`, `colour` (`size`, `lifetime`, `id`),
/// `dark`, `onSelect` (called with the selected buffer's facts, or `null`).
#[wasm_bindgen(js_name = mountLayout)]
pub fn mount_layout(root: web_sys::Element, options: &JsValue) -> LayoutView {
    LayoutView {
        view: Viewer::mount(&root, props(options)),
    }
}

fn get(options: &JsValue, key: &str) -> JsValue {
    Reflect::get(options, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

fn props(options: &JsValue) -> ViewerProps {
    let text = |key: &str| get(options, key).as_string();
    let input = if let Some(error) = text("error") {
        Input::Error(error)
    } else if let Some(csv) = text("csv") {
        let capacity = get(options, "capacity").as_f64().map(|c| c as i64);
        Input::csv(
            csv,
            text("source").unwrap_or_else(|| "csv".into()),
            capacity,
        )
    } else {
        Input::Loading
    };
    ViewerProps {
        input,
        colour: text("colour")
            .and_then(|c| ColourMode::parse(&c))
            .unwrap_or_default(),
        dark: get(options, "dark").is_truthy(),
        on_select: get(options, "onSelect").dyn_into::<Function>().ok(),
    }
}

/// A mounted search replay: `update` with new options, `destroy` to unmount (its timer and
/// ResizeObserver are released).
#[wasm_bindgen]
pub struct ReplayView {
    replay: Option<Replay>,
    /// The last lesson read, and what it was read from (text, source, capacity, trace
    /// object): an update with the same input keeps the replay where it is.
    last: Option<(String, String, i64, JsValue, ReplayInput)>,
}

#[wasm_bindgen]
impl ReplayView {
    /// New options (the same shape as at mount).
    pub fn update(&mut self, options: &JsValue) {
        let props = replay_props(options, &mut self.last);
        if let Some(replay) = &mut self.replay {
            replay.update(props);
        }
    }

    /// Unmounts the replay. Further calls do nothing.
    pub fn destroy(&mut self) {
        self.last = None;
        self.replay = None;
    }
}

/// Renders a search replay into `root`. `options`, as `view.js` prepares them: `csv` (the
/// problem), `source` (its name, for messages), `capacity` (searched at) and `trace` (the
/// package's recorded search of it); or `error` (a message to show), or `working` (what is
/// under way, in words); `dark`, `speed` (steps a second when playing).
#[wasm_bindgen(js_name = mountReplay)]
pub fn mount_replay(root: web_sys::Element, options: &JsValue) -> ReplayView {
    let mut last = None;
    let props = replay_props(options, &mut last);
    ReplayView {
        replay: Replay::mount(&root, props),
        last,
    }
}

/// Checks a problem for a replay before its search is recorded: the message (starting with
/// `source`, saying where), or `undefined` when it can be replayed.
#[wasm_bindgen(js_name = checkReplayProblem)]
pub fn check_replay_problem(csv: &str, source: &str) -> Option<String> {
    replay::read_small(csv, source).err()
}

fn replay_props(
    options: &JsValue,
    last: &mut Option<(String, String, i64, JsValue, ReplayInput)>,
) -> ReplayProps {
    let text = |key: &str| get(options, key).as_string();
    let input = if let Some(error) = text("error") {
        ReplayInput::Error(error)
    } else if let Some(csv) = text("csv") {
        let source = text("source").unwrap_or_else(|| "csv".into());
        let trace = get(options, "trace");
        match get(options, "capacity").as_f64() {
            None => ReplayInput::Error(format!(
                "capacity: give the capacity the search was recorded at ({source} has none)"
            )),
            Some(capacity) => {
                let capacity = capacity as i64;
                match last {
                    Some((t, s, c, tr, input))
                        if *t == csv && *s == source && *c == capacity && *tr == trace =>
                    {
                        input.clone()
                    }
                    _ => {
                        let input = match replay::lesson(&csv, &source, capacity, &trace) {
                            Ok(lesson) => ReplayInput::Ready(std::rc::Rc::new(lesson)),
                            Err(message) => ReplayInput::Error(message),
                        };
                        *last = Some((csv, source, capacity, trace, input.clone()));
                        input
                    }
                }
            }
        }
    } else {
        ReplayInput::Working(text("working").unwrap_or_else(|| "Loading…".into()))
    };
    ReplayProps {
        input,
        dark: get(options, "dark").is_truthy(),
        speed: get(options, "speed").as_f64().unwrap_or(4.0),
    }
}
