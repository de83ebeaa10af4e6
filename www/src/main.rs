//! The bufpack web app (Yew, client-side rendering): drop a buffer CSV, solve it in a Web
//! Worker through the npm package, explore the layout. See ARCHITECTURE.md ("www/").

/// talc, as in the solver's package (web/src/alloc.rs) and the viewer: smaller than
/// dlmalloc. Native builds (tests, clippy) keep the system allocator.
#[cfg(all(target_family = "wasm", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

mod app;
mod bridge;
mod controls;
mod examples;
mod export;
mod files;
mod model;
mod options;
mod results;
mod state;

// The chart and its layout model live in their own crate (chart/), shared with the viewer.
use bufpack_chart::{chart, layout, prepare, slices};

fn main() {
    yew::Renderer::<app::App>::new().render();
}
