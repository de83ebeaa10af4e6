//! The Learn view (teaching mode) as a bundle of its own, `learn.js` + `learn_bg.wasm`: the
//! page loads it when the Learn tab is first opened, so a visit that only solves does not
//! download it (it is about a quarter of the app's code). The page calls [`mount`] with the
//! element to render into; the theme follows the page's `data-theme` through the
//! `bufpack-theme` event the page dispatches.

mod learn;
// The switches' names and labels, shared with the Solve view's options.
#[allow(dead_code)]
mod options;

use wasm_bindgen::prelude::*;

/// Renders the Learn view into `root`, in the theme given.
#[wasm_bindgen]
pub fn mount(root: web_sys::Element, dark: bool) {
    yew::Renderer::<learn::Root>::with_root_and_props(root, learn::RootProps { dark }).render();
}

fn main() {}
