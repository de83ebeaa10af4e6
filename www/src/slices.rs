//! Long work on the page's thread, a slice at a time: the work runs until its slice of
//! [`SLICE_MS`] is used, then yields to the browser (which handles input and paints) and
//! carries on. So a million-buffer result is read and laid out without a long task.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// The time a slice may run before it yields: well under the 50 ms that makes a long task,
/// so a click or a key waits at most this long.
const SLICE_MS: f64 = 8.0;

/// Items a loop does between two looks at the clock (each look costs a call into
/// JavaScript): a fraction of a millisecond of work for every step of a layout build.
pub(crate) const STEP: usize = 2048;

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The clock of a sliced computation.
pub(crate) struct Slices {
    deadline: f64,
}

impl Slices {
    /// The first slice starts now.
    pub(crate) fn start() -> Slices {
        Slices {
            deadline: now() + SLICE_MS,
        }
    }

    /// True when this slice has used its time.
    pub(crate) fn due(&self) -> bool {
        now() >= self.deadline
    }

    /// Lets the browser run, then starts the next slice.
    pub(crate) async fn pause(&mut self) {
        yield_to_browser().await;
        self.deadline = now() + SLICE_MS;
    }
}

/// Resolves after the browser had a chance to run other tasks: `scheduler.yield()` where
/// there is one (the continuation runs before other queued work of its priority, so the
/// computation is not starved), else a zero-delay timer.
async fn yield_to_browser() {
    let global = js_sys::global();
    let get = |target: &JsValue, key: &str| js_sys::Reflect::get(target, &key.into()).ok();
    if let Some(scheduler) = get(&global, "scheduler").filter(|s| s.is_object()) {
        if let Some(function) =
            get(&scheduler, "yield").and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        {
            if let Ok(promise) = function.call0(&scheduler) {
                let _ = JsFuture::from(js_sys::Promise::resolve(&promise)).await;
                return;
            }
        }
    }
    let timer = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = JsFuture::from(timer).await;
}
