//! A recorded search, replayed: shared by the app's Learn view (`www/src/learn/`) and the
//! viewer's `<bufpack-replay>` (`view/`).
//!
//! - [`replay`]: the trace's shapes (what the package's `traceSearch` / `traceInWorker`
//!   return) and the [`replay::Cursor`] (placements after the first k events; forward and
//!   back are exact inverses).
//! - [`read`]: a trace read from the package's objects, with the path of a bad field.
//! - [`explain`]: each event and technique in words, with the example's ids and times.
//! - [`draw`]: one step on a plotters drawing area.
//!
//! [`paint_step`] draws a cursor's step on a canvas; [`paint_scene`] any scene.

pub mod draw;
pub mod explain;
pub mod read;
pub mod replay;

use web_sys::HtmlCanvasElement;

use bufpack::{Offset, Problem, Time};

use replay::{candidates_at, section_span, Cursor, Event, Trace};

/// What one step is drawn from: the problem (at the capacity searched), its load profile
/// and its recorded search.
pub struct Step<'a> {
    pub problem: &'a Problem,
    pub capacity: Offset,
    pub profile: &'a [(Time, Offset)],
    pub trace: &'a Trace,
    pub cursor: &'a Cursor,
    pub dark: bool,
}

/// Draws the step at `step.cursor` on `canvas`, with what the last event highlights; sets
/// `data-step` and `data-placed` on the canvas.
pub fn paint_step(canvas: &HtmlCanvasElement, step: &Step<'_>) {
    let trace = step.trace;
    let cursor = step.cursor;
    let events = &trace.events;
    let last = cursor.last(events);
    let candidates = candidates_at(events, cursor.position).unwrap_or(&[]);
    let start = step
        .problem
        .buffers
        .iter()
        .map(|b| b.lifespan.lower)
        .min()
        .unwrap_or(0);
    let prune = match last {
        Some(Event::Prune(prune)) => Some(prune),
        _ => None,
    };
    let section = prune
        .and_then(|p| p.section)
        .map(|s| section_span(&trace.sections, s, start));
    let cuts: Vec<Time> = match last {
        Some(Event::Split { runs }) => runs
            .iter()
            .skip(1)
            .filter_map(|&(first, _)| {
                first
                    .checked_sub(1)
                    .and_then(|s| trace.sections.get(s as usize).copied())
            })
            .collect(),
        _ => Vec::new(),
    };
    let scene = draw::Scene {
        problem: step.problem,
        capacity: step.capacity,
        placed: &cursor.placed,
        candidates,
        placed_now: match last {
            Some(Event::Place(c)) => Some(*c),
            _ => None,
        },
        removed_now: match last {
            Some(Event::Unplace(c)) => Some(*c),
            _ => None,
        },
        prune,
        section,
        cuts: &cuts,
        profile: step.profile,
        dark: step.dark,
        compact: false,
    };
    paint_scene(canvas, &scene);
    canvas
        .set_attribute("data-step", &cursor.position.to_string())
        .ok();
    canvas
        .set_attribute("data-placed", &cursor.placed_count().to_string())
        .ok();
}

/// Sizes `canvas` to its box at the device's pixel ratio and draws `scene` on it.
pub fn paint_scene(canvas: &HtmlCanvasElement, scene: &draw::Scene<'_>) {
    let scale = web_sys::window()
        .map(|w| w.device_pixel_ratio())
        .unwrap_or(1.0)
        .max(1.0);
    let width = (canvas.client_width().max(200) as f64 * scale) as u32;
    let height = (canvas.client_height().max(120) as f64 * scale) as u32;
    if canvas.width() != width || canvas.height() != height {
        canvas.set_width(width);
        canvas.set_height(height);
    }
    let Some(backend) = plotters_canvas::CanvasBackend::with_canvas_object(canvas.clone()) else {
        return;
    };
    use plotters::prelude::IntoDrawingArea;
    let root = backend.into_drawing_area();
    if let Err(message) = draw::draw(&root, scene, scale) {
        web_sys::console::error_1(&format!("teaching chart: {message}").into());
    }
    let _ = root.present();
}
