//! The embeddable viewer (`bufpack/view` in the npm package): the app's layout chart
//! (`bufpack-chart`) mounted into any element. JavaScript (`web/npm/view.js`) defines the
//! custom elements, fetches `src`, converts the package's objects to CSV and follows the
//! page's theme; this crate parses, checks and draws. It knows no solver search and no
//! workers: a layout is given, never computed.

mod input;
mod viewer;

use js_sys::{Function, Reflect};
use wasm_bindgen::prelude::*;
use yew::AppHandle;

use bufpack_chart::chart::ColourMode;

use crate::input::Input;
use crate::viewer::{Viewer, ViewerProps};

/// A mounted layout view: `update` with new options, `destroy` to unmount (every listener,
/// observer and animation frame the chart holds is released).
#[wasm_bindgen]
pub struct LayoutView {
    app: Option<AppHandle<Viewer>>,
}

#[wasm_bindgen]
impl LayoutView {
    /// New options (the same shape as at mount); the chart keeps its view when the layout
    /// is the same text.
    pub fn update(&mut self, options: &JsValue) {
        if let Some(app) = &mut self.app {
            app.update(props(options));
        }
    }

    /// Unmounts the view. Further calls do nothing.
    pub fn destroy(&mut self) {
        if let Some(app) = self.app.take() {
            app.destroy();
        }
    }
}

/// Renders a layout view into `root`. `options`, as `view.js` prepares them: `csv` (text
/// with an `offset` column) and `source` (its name, for messages), or `error` (a message to
/// show instead), or neither (loading); `capacity`, `colour` (`size`, `lifetime`, `id`),
/// `dark`, `onSelect` (called with the selected buffer's facts, or `null`).
#[wasm_bindgen(js_name = mountLayout)]
pub fn mount_layout(root: web_sys::Element, options: &JsValue) -> LayoutView {
    let app = yew::Renderer::<Viewer>::with_root_and_props(root, props(options)).render();
    LayoutView { app: Some(app) }
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
        on_select: get(options, "onSelect").dyn_into::<Function>().ok().into(),
    }
}
