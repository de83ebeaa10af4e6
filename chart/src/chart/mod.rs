//! The layout chart: buffers as rectangles in time (x) by offset (y), drawn with plotters on
//! a canvas, with zoom, pan, hover, selection and keyboard control.
//!
//! - [`viewport`]: the visible ranges, zoom and pan, data <-> pixel transforms.
//! - [`scene`]: culling, pixel snapping, sub-pixel merging, colour groups, hit testing.
//! - [`colour`]: colour modes and themes.
//! - [`axis`]: tick positions and labels.
//! - [`draw`]: one frame on any plotters backend (canvas here, SVG for export).
//!
//! The component keeps its mutable drawing state (view, caches, drag) in one `RefCell` and
//! redraws from `requestAnimationFrame`: any number of wheel or pointer events between two
//! frames cost one draw. Yew renders only the canvas and the tooltip. The part of a frame
//! that grows with the buffers in view (the scene and the load envelope) is kept between
//! frames; when more than [`SYNC_RECTS`] rectangles are in reach it is built in slices
//! (`slices.rs`), the previous frame staying on screen meanwhile, so even a million buffers
//! never block the page for long.

mod axis;
mod colour;
mod draw;
mod scene;
mod viewport;

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};

use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    CanvasRenderingContext2d, HtmlCanvasElement, KeyboardEvent, PointerEvent, WheelEvent,
};
use yew::prelude::*;

#[cfg(test)]
pub use colour::buffer_colours;
pub use colour::{ColourMode, Colours, Ramp, Ramps};
pub use draw::svg;
pub use scene::RectIndex;
pub use viewport::Viewport;

use crate::chart::axis::{bytes_label, separated, time_label};
use crate::chart::colour::{Palette, Rgb, Theme};
use crate::chart::draw::{Frame, Painter, Prepared};
use crate::chart::scene::{PixRect, SceneBuilder};
use crate::chart::viewport::{Axes, Plot};
use crate::layout::Layout;
use crate::slices::{Slices, STEP};

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub layout: Rc<Layout>,
    pub colour: ColourMode,
    pub dark: bool,
    /// The selected buffer (index in the problem): outlined, its neighbours too.
    pub selected: Option<usize>,
    /// The search match: outlined in its own colour, panned to when off screen.
    pub highlight: Option<usize>,
    /// A click on a buffer (`Some`), on empty space or Escape (`None`).
    pub on_select: Callback<Option<usize>>,
    /// Where the chart tells what it shows (for the SVG export).
    #[prop_or_default]
    pub shown: Shown,
    /// A change fits the view to the whole layout (the viewer's Fit button counts presses).
    #[prop_or_default]
    pub fit: u32,
}

/// What the chart shows: the view of which layout, at what size (CSS pixels). Shared with
/// the export menu, so the SVG is the chart as on screen (zoom included), not a refit.
#[derive(Clone, Default)]
pub struct Shown(Rc<Cell<Option<ShownView>>>);

/// The layout (by identity), its view, the chart's width and height.
type ShownView = (*const Layout, Viewport, u32, u32);

/// One shared cell is one `Shown`, whatever it holds.
impl PartialEq for Shown {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl Shown {
    fn set(&self, layout: &Rc<Layout>, view: Viewport, width: u32, height: u32) {
        self.0.set(Some((Rc::as_ptr(layout), view, width, height)));
    }

    /// The view of `layout` on screen and the chart's size, if it is the one shown.
    pub fn of(&self, layout: &Rc<Layout>) -> Option<(Viewport, u32, u32)> {
        self.0
            .get()
            .filter(|(shown, ..)| std::ptr::eq(*shown, Rc::as_ptr(layout)))
            .map(|(_, view, width, height)| (view, width, height))
    }
}

/// Pointer travel (CSS pixels) below which a press and release is a click, not a drag.
const CLICK_SLOP: f64 = 4.0;
/// How near (CSS pixels) a pointer must be to a buffer thinner than a pixel to hit it.
const HIT_SLOP: f64 = 3.0;
/// Zoom per key press.
const KEY_ZOOM: f64 = 1.25;
/// Pan per arrow key, as a fraction of the plot.
const KEY_PAN: f64 = 0.1;
/// Rectangles in reach above which a new view's scene is built in slices rather than
/// within the frame: below it a frame takes a few milliseconds at most.
const SYNC_RECTS: usize = 25_000;

/// What a [`Prepared`] frame part was made for: the same layout (by identity), colours,
/// view and plot give the same scene.
#[derive(Clone, Copy, Debug, PartialEq)]
struct SceneKey {
    layout: *const Layout,
    colour: ColourMode,
    view: Viewport,
    plot: Plot,
}

/// What a paint did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Paint {
    /// Drawn, or nothing to draw.
    Done,
    /// The frame waits for a scene to be built in slices.
    Build,
}

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The drawing state, outside Yew's render cycle.
struct Inner {
    /// The canvas, looked up at each use (not kept): set while mounted.
    canvas_ref: Option<NodeRef>,
    shown: Shown,
    layout: Rc<Layout>,
    colour: ColourMode,
    theme: Theme,
    palette: Palette,
    view: Viewport,
    selected: Option<usize>,
    highlight: Option<usize>,
    neighbours: Vec<usize>,
    /// Device pixels per CSS pixel at the last draw.
    scale: f64,
    /// The plot area at the last draw.
    plot: Plot,
    /// A frame is requested and not yet drawn.
    pending: Option<i32>,
    /// The costly part of the last frame, and what it was made for.
    prepared: Option<(SceneKey, Prepared)>,
    /// A scene being built in slices, and what for; when it started.
    building: Option<(SceneKey, SceneBuilder, f64)>,
    /// A sliced build's loop is running (it picks up whatever `building` holds).
    build_running: bool,
    frame: Option<Closure<dyn FnMut(f64)>>,
    drag: Option<Drag>,
    /// The last press and release was a drag: its click selects nothing.
    dragged: bool,
    clicks: Clicks,
}

/// What clicks do to the selection. A click selects what is under it (nothing: clears the
/// selection); a double click fits the view and leaves the selection as it was before the
/// double click began, so its first click, which selected at once, is undone and its second
/// does nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
struct Clicks {
    /// The selection before the last single click.
    before: Option<Option<usize>>,
}

impl Clicks {
    /// A click numbered `count` in a run of clicks (the event's `detail`), with `current`
    /// selected and `picked` under the pointer: the new selection, if it changes.
    fn click(
        &mut self,
        count: i32,
        current: Option<usize>,
        picked: Option<usize>,
    ) -> Option<Option<usize>> {
        if count > 1 {
            return None;
        }
        self.before = Some(current);
        (picked != current).then_some(picked)
    }

    /// A double click with `current` selected: the selection to restore, if it changed.
    fn double_click(&mut self, current: Option<usize>) -> Option<Option<usize>> {
        let before = self.before.take()?;
        (before != current).then_some(before)
    }
}

struct Drag {
    pointer: i32,
    start: (f64, f64),
    last: (f64, f64),
    moved: bool,
}

impl Inner {
    fn new(props: &ChartProps) -> Inner {
        let theme = Theme::of(props.dark);
        Inner {
            canvas_ref: None,
            shown: props.shown.clone(),
            layout: props.layout.clone(),
            colour: props.colour,
            palette: Palette::new(props.colour, &theme),
            theme,
            view: Viewport::fit(&props.layout),
            selected: None,
            highlight: None,
            neighbours: Vec::new(),
            scale: 1.0,
            plot: Plot::new(0.0, 0.0, 1.0, 1.0),
            pending: None,
            prepared: None,
            building: None,
            build_running: false,
            frame: None,
            drag: None,
            dragged: false,
            clicks: Clicks::default(),
        }
    }

    fn set_layout(&mut self, layout: Rc<Layout>) {
        self.prepared = None;
        self.building = None;
        self.view = Viewport::fit(&layout);
        self.layout = layout;
        self.selected = self.selected.filter(|&i| i < self.layout.len());
        self.highlight = self.highlight.filter(|&i| i < self.layout.len());
        self.neighbours = self
            .selected
            .map(|i| self.layout.neighbours(i))
            .unwrap_or_default();
    }

    fn set_style(&mut self, colour: ColourMode, dark: bool) {
        if colour != self.colour {
            self.colour = colour;
            self.prepared = None;
            self.building = None;
        }
        self.theme = Theme::of(dark);
        self.palette = Palette::new(colour, &self.theme);
    }

    /// Pans to buffer `index` when none of it is on screen.
    fn reveal(&mut self, index: usize) {
        let (Some(buffer), Some(&offset)) = (
            self.layout.problem.buffers.get(index),
            self.layout.offsets.get(index),
        ) else {
            return;
        };
        let (t0, t1) = (buffer.lifespan.lower as f64, buffer.lifespan.upper as f64);
        let (o0, o1) = (offset as f64, (offset + buffer.size) as f64);
        let v = &self.view;
        let visible = t1 > v.t0 && t0 < v.t1 && o1 > v.o0 && o0 < v.o1;
        if !visible {
            self.view.reveal(t0, t1, o0, o1);
        }
    }

    fn canvas(&self) -> Option<HtmlCanvasElement> {
        self.canvas_ref.as_ref()?.cast::<HtmlCanvasElement>()
    }

    /// Pointer position in canvas pixels.
    fn device(&self, event: &MouseEvent) -> (f64, f64) {
        (
            event.offset_x() as f64 * self.scale,
            event.offset_y() as f64 * self.scale,
        )
    }

    /// The layout rectangle (index into `layout.rects`) under a pointer event.
    fn hit(&self, event: &MouseEvent) -> Option<usize> {
        let point = self.device(event);
        scene::hit(
            &self.layout.rects,
            &self.layout.index,
            &self.view,
            &self.plot,
            point,
            HIT_SLOP * self.scale,
        )
    }

    /// The canvas size in device pixels its box asks for, and the device pixel ratio.
    fn wanted_size(&self) -> Option<(HtmlCanvasElement, u32, u32, f64)> {
        let canvas = self.canvas()?;
        let scale = web_sys::window()?.device_pixel_ratio().max(0.5);
        let width = (canvas.client_width() as f64 * scale).round() as u32;
        let height = (canvas.client_height() as f64 * scale).round() as u32;
        (width > 0 && height > 0).then_some((canvas, width, height, scale))
    }

    /// Draws now if the frame's scene is at hand or cheap (sizing the canvas to its box at
    /// the device pixel ratio), else starts it in slices and leaves the last frame up.
    /// Records how it went on the canvas for tests and benchmarks.
    fn paint(&mut self) -> Paint {
        let Some((canvas, width, height, scale)) = self.wanted_size() else {
            return Paint::Done;
        };
        let plot = draw::plot_area(width, height, scale);
        let key = SceneKey {
            layout: Rc::as_ptr(&self.layout),
            colour: self.colour,
            view: self.view,
            plot,
        };
        let cached = matches!(&self.prepared, Some((k, _)) if *k == key);
        if !cached {
            let reach = self
                .layout
                .index
                .reach(&self.layout.rects, (self.view.t0, self.view.t1));
            if reach.len() > SYNC_RECTS {
                if !matches!(&self.building, Some((k, _, _)) if *k == key) {
                    let builder = SceneBuilder::new(
                        &self.layout.rects,
                        &self.layout.index,
                        &self.view,
                        &plot,
                        self.palette.len(),
                    );
                    self.building = Some((key, builder, now()));
                }
                let _ = canvas.set_attribute("data-pending", "true");
                return Paint::Build;
            }
        }
        self.building = None;
        // Sizing the canvas clears it: only now that the frame is drawn at once.
        if canvas.width() != width || canvas.height() != height {
            canvas.set_width(width);
            canvas.set_height(height);
        }
        self.scale = scale;
        self.plot = plot;
        let started = now();
        let Some(context) = canvas
            .get_context("2d")
            .ok()
            .flatten()
            .and_then(|c| c.dyn_into::<CanvasRenderingContext2d>().ok())
        else {
            return Paint::Done;
        };
        let Some(backend) = CanvasBackend::with_canvas_object(canvas.clone()) else {
            return Paint::Done;
        };
        let prepared = self.prepared.take().filter(|(k, _)| *k == key);
        let frame = Frame {
            layout: &self.layout,
            index: &self.layout.index,
            colours: self.layout.colours.of(self.colour),
            palette: &self.palette,
            theme: &self.theme,
            view: &self.view,
            selected: self.selected,
            highlight: self.highlight,
            neighbours: &self.neighbours,
            scale,
        };
        let prepared = match prepared {
            Some((_, prepared)) => prepared,
            None => {
                let prepared = draw::prepare(&frame, &plot);
                let _ = canvas.set_attribute("data-scene-ms", &format!("{:.2}", now() - started));
                prepared
            }
        };
        let mut painter = CanvasPainter { context: &context };
        match draw::draw(backend, &frame, Some(&prepared), Some(&mut painter)) {
            Ok(drawn) => {
                self.plot = drawn.plot;
                let ms = now() - started;
                let _ = canvas.set_attribute("data-drawn", "true");
                let _ = canvas.set_attribute("data-draw-ms", &format!("{ms:.2}"));
                let _ = canvas.set_attribute("data-drawn-at", &format!("{:.1}", now()));
                let _ = canvas.set_attribute("data-rects-drawn", &drawn.rects.to_string());
                let _ = canvas.set_attribute("data-pending", "false");
                self.shown.set(
                    &self.layout,
                    self.view,
                    canvas.client_width().max(0) as u32,
                    canvas.client_height().max(0) as u32,
                );
                let _ = canvas.set_attribute(
                    "data-zoomed",
                    if self.view.is_home() { "false" } else { "true" },
                );
            }
            Err(error) => {
                let _ = canvas.set_attribute("data-draw-error", &error);
            }
        }
        self.prepared = Some((key, prepared));
        Paint::Done
    }
}

/// Runs the scene build `building` holds in slices, until it is done (then asks for a
/// frame) or dropped (a newer view, layout or colouring replaced it with its own, which the
/// same loop then runs, or with nothing).
fn build_in_slices(inner: &Rc<RefCell<Inner>>) {
    {
        let mut state = inner.borrow_mut();
        if state.build_running {
            return;
        }
        state.build_running = true;
    }
    let weak = Rc::downgrade(inner);
    wasm_bindgen_futures::spawn_local(async move {
        let mut slices = Slices::start();
        loop {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let done = {
                let mut guard = inner.borrow_mut();
                let state = &mut *guard;
                let current = |key: &SceneKey| {
                    key.layout == Rc::as_ptr(&state.layout) && key.colour == state.colour
                };
                let Some((key, mut builder, started)) =
                    state.building.take().filter(|(key, _, _)| current(key))
                else {
                    state.build_running = false;
                    return;
                };
                let layout = &state.layout;
                let key_of = draw::colour_key(layout.colours.of(state.colour));
                if builder.step(&layout.rects, &layout.index, &key_of, STEP) {
                    let prepared = Prepared {
                        plot: key.plot,
                        scene: builder.finish(),
                        envelope: draw::load_envelope(&state.layout, &key.view, &key.plot),
                    };
                    state.prepared = Some((key, prepared));
                    state.build_running = false;
                    if let Some(canvas) = state.canvas() {
                        let ms = format!("{:.2}", now() - started);
                        let _ = canvas.set_attribute("data-scene-ms", &ms);
                    }
                    true
                } else {
                    state.building = Some((key, builder, started));
                    false
                }
            };
            if done {
                schedule(&inner);
                return;
            }
            drop(inner);
            if slices.due() {
                slices.pause().await;
            }
        }
    });
}

/// Asks for a draw at the next animation frame, unless one is already asked for.
fn schedule(inner: &Rc<RefCell<Inner>>) {
    let mut state = inner.borrow_mut();
    if state.pending.is_some() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    if state.frame.is_none() {
        // Weak: the closure lives in the state it draws, and must not keep it alive.
        let weak: Weak<RefCell<Inner>> = Rc::downgrade(inner);
        state.frame = Some(Closure::new(move |_: f64| {
            if let Some(inner) = weak.upgrade() {
                let paint = {
                    let mut state = inner.borrow_mut();
                    state.pending = None;
                    state.paint()
                };
                if paint == Paint::Build {
                    build_in_slices(&inner);
                }
            }
        }));
    }
    if let Some(frame) = &state.frame {
        state.pending = window
            .request_animation_frame(frame.as_ref().unchecked_ref())
            .ok();
    }
}

/// Fills straight on the 2D context: one `fillStyle` per colour, one `fillRect` per rectangle,
/// no string built per rectangle.
struct CanvasPainter<'a> {
    context: &'a CanvasRenderingContext2d,
}

impl Painter for CanvasPainter<'_> {
    fn fill(&mut self, css: &str, _: Rgb, rects: &[PixRect]) -> Result<(), String> {
        self.context.set_fill_style_str(css);
        for r in rects {
            self.context.fill_rect(
                r.x0 as f64,
                r.y0 as f64,
                r.width() as f64,
                r.height() as f64,
            );
        }
        Ok(())
    }

    fn stroke(&mut self, css: &str, _: Rgb, width: f64, rects: &[PixRect]) -> Result<(), String> {
        if rects.is_empty() {
            return Ok(());
        }
        self.context.set_stroke_style_str(css);
        self.context.set_line_width(width);
        // Inset by half the line so the whole line is inside the rectangle (and the plot).
        let half = width / 2.0;
        for r in rects {
            let w = (r.width() as f64 - width).max(0.0);
            let h = (r.height() as f64 - width).max(0.0);
            self.context
                .stroke_rect(r.x0 as f64 + half, r.y0 as f64 + half, w, h);
        }
        Ok(())
    }
}

/// What the tooltip shows, and where (CSS pixels inside the chart box).
#[derive(Clone, Debug, PartialEq)]
struct Tip {
    x: f64,
    y: f64,
    /// Flip to the cursor's left / above it near the right / bottom edge.
    flip_x: bool,
    flip_y: bool,
    id: String,
    lines: Vec<String>,
}

fn tip(inner: &Inner, rect: usize, event: &MouseEvent) -> Option<Tip> {
    let r = inner.layout.rects.get(rect)?;
    let index = r.buffer as usize;
    let buffer = inner.layout.problem.buffers.get(index)?;
    let offset = *inner.layout.offsets.get(index)?;
    let mut lines = vec![
        format!(
            "lifespan [{}, {})",
            separated(buffer.lifespan.lower as f64),
            separated(buffer.lifespan.upper as f64)
        ),
        format!("size {}", bytes_label(buffer.size)),
        format!("offset {}", bytes_label(offset)),
    ];
    if inner.layout.steps.is_some() {
        // Steps are named (a model's operators): say which run while the buffer lives.
        let (first, last) = (buffer.lifespan.lower, buffer.lifespan.upper - 1);
        let name = |t: i64| inner.layout.step(t).unwrap_or("?");
        lines.push(if first == last {
            format!("during {} (step {first})", name(first))
        } else {
            format!(
                "from {} (step {first}) to {} (step {last})",
                name(first),
                name(last)
            )
        });
    }
    if r.in_gap {
        lines.push(format!(
            "in a gap [{}, {}): occupies [{}, {})",
            time_label(r.t0 as f64),
            time_label(r.t1 as f64),
            separated(r.y0 as f64),
            separated(r.y1 as f64)
        ));
    }
    let canvas = inner.canvas()?;
    let (x, y) = (event.offset_x() as f64, event.offset_y() as f64);
    Some(Tip {
        x,
        y,
        flip_x: x > canvas.client_width() as f64 - 260.0,
        flip_y: y > canvas.client_height() as f64 - 110.0,
        id: buffer.id.clone(),
        lines,
    })
}

/// Over empty space in a chart with named steps: the step under the pointer and its name.
fn step_tip(inner: &Inner, event: &MouseEvent) -> Option<Tip> {
    inner.layout.steps.as_ref()?;
    let (px, py) = inner.device(event);
    if !inner.plot.contains(px, py) {
        return None;
    }
    let step = inner.view.t_of(&inner.plot, px).floor() as i64;
    let name = inner.layout.step(step)?;
    let canvas = inner.canvas()?;
    let (x, y) = (event.offset_x() as f64, event.offset_y() as f64);
    Some(Tip {
        x,
        y,
        flip_x: x > canvas.client_width() as f64 - 260.0,
        flip_y: y > canvas.client_height() as f64 - 110.0,
        id: format!("step {step}"),
        lines: vec![name.to_string()],
    })
}

/// Compares layouts by identity: a new result is a new `Rc`, and comparing 100,000
/// rectangles on every render would be wasted.
#[derive(Clone)]
struct Same(Rc<Layout>);

impl PartialEq for Same {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The chart. See the module documentation.
#[function_component]
pub fn Chart(props: &ChartProps) -> Html {
    let canvas_ref = use_node_ref();
    let inner = {
        let props_for_init = (
            props.layout.clone(),
            props.colour,
            props.dark,
            props.shown.clone(),
        );
        use_mut_ref(move || {
            let (layout, colour, dark, shown) = props_for_init;
            Inner::new(&ChartProps {
                layout,
                colour,
                dark,
                selected: None,
                highlight: None,
                on_select: Callback::noop(),
                shown,
                fit: 0,
            })
        })
    };
    let tooltip = use_state_eq(|| None::<Tip>);

    // Mount: the canvas, redraw on resize, stop drawing on unmount.
    {
        let inner = inner.clone();
        let canvas_ref = canvas_ref.clone();
        use_effect_with((), move |_| {
            let canvas = canvas_ref.cast::<HtmlCanvasElement>();
            inner.borrow_mut().canvas_ref = Some(canvas_ref.clone());
            let weak = Rc::downgrade(&inner);
            // The first notice comes right after the first frame: redraw only if the box (or
            // the device pixel ratio) really changed since.
            let on_resize: Closure<dyn FnMut()> = Closure::new(move || {
                if let Some(inner) = weak.upgrade() {
                    let resized = inner
                        .borrow()
                        .wanted_size()
                        .is_some_and(|(canvas, w, h, _)| {
                            canvas.width() != w || canvas.height() != h
                        });
                    if resized {
                        schedule(&inner);
                    }
                }
            });
            let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
            if let (Some(observer), Some(canvas)) = (&observer, &canvas) {
                observer.observe(canvas);
            }
            // The device pixel ratio changes with browser zoom and between screens.
            let window = web_sys::window();
            if let Some(window) = &window {
                let _ = window
                    .add_event_listener_with_callback("resize", on_resize.as_ref().unchecked_ref());
            }
            schedule(&inner);
            move || {
                if let Some(observer) = observer {
                    observer.disconnect();
                }
                if let Some(window) = &window {
                    let _ = window.remove_event_listener_with_callback(
                        "resize",
                        on_resize.as_ref().unchecked_ref(),
                    );
                    let mut state = inner.borrow_mut();
                    if let Some(id) = state.pending.take() {
                        let _ = window.cancel_animation_frame(id);
                    }
                    state.frame = None;
                    state.canvas_ref = None;
                }
                drop(on_resize);
            }
        });
    }

    // A new layout: fit it.
    {
        let inner = inner.clone();
        let tooltip = tooltip.clone();
        use_effect_with(Same(props.layout.clone()), move |layout| {
            let changed = !Rc::ptr_eq(&inner.borrow().layout, &layout.0);
            if changed {
                inner.borrow_mut().set_layout(layout.0.clone());
                tooltip.set(None);
                schedule(&inner);
            }
        });
    }

    // Fit on request (the first run, at mount, finds the view fitted already).
    {
        let inner = inner.clone();
        use_effect_with(props.fit, move |_| {
            let fitted = inner.borrow().view.is_home();
            if !fitted {
                inner.borrow_mut().view.reset();
                schedule(&inner);
            }
        });
    }

    // Colours and theme.
    {
        let inner = inner.clone();
        use_effect_with((props.colour, props.dark), move |&(colour, dark)| {
            let changed = {
                let state = inner.borrow();
                state.colour != colour || state.theme.dark != dark
            };
            if changed {
                inner.borrow_mut().set_style(colour, dark);
                schedule(&inner);
            }
        });
    }

    // Selection and search match from outside (or from a click, round trip): show them.
    {
        let inner = inner.clone();
        use_effect_with(
            (Same(props.layout.clone()), props.selected, props.highlight),
            move |(_, selected, highlight)| {
                {
                    let mut state = inner.borrow_mut();
                    let len = state.layout.len();
                    let valid = |i: &Option<usize>| i.filter(|&i| i < len);
                    let (selected, highlight) = (valid(selected), valid(highlight));
                    if selected != state.selected {
                        let neighbours = selected
                            .map(|i| state.layout.neighbours(i))
                            .unwrap_or_default();
                        state.neighbours = neighbours;
                        if let Some(i) = selected {
                            state.reveal(i);
                        }
                    }
                    if highlight != state.highlight {
                        if let Some(i) = highlight {
                            state.reveal(i);
                        }
                    }
                    state.selected = selected;
                    state.highlight = highlight;
                }
                schedule(&inner);
            },
        );
    }

    let onwheel = {
        let inner = inner.clone();
        let tooltip = tooltip.clone();
        Callback::from(move |event: WheelEvent| {
            event.prevent_default();
            {
                let mut state = inner.borrow_mut();
                let point = state.device(&event);
                // Pixels, lines or pages: normalise to pixels.
                let unit = match event.delta_mode() {
                    1 => 16.0,
                    2 => 400.0,
                    _ => 1.0,
                };
                let delta = if event.delta_y() != 0.0 {
                    event.delta_y()
                } else {
                    event.delta_x()
                } * unit;
                let factor = (-delta * 0.0015).clamp(-1.0, 1.0).exp();
                let axes = if event.shift_key() {
                    Axes::Time
                } else if event.alt_key() {
                    Axes::Offset
                } else {
                    Axes::Both
                };
                let plot = state.plot;
                state.view.zoom_at(&plot, point.0, point.1, factor, axes);
            }
            tooltip.set(None);
            schedule(&inner);
        })
    };

    let onpointerdown = {
        let inner = inner.clone();
        Callback::from(move |event: PointerEvent| {
            if event.button() != 0 {
                return;
            }
            let mut state = inner.borrow_mut();
            let point = state.device(&event);
            if let Some(canvas) = state.canvas() {
                let _ = canvas.set_pointer_capture(event.pointer_id());
                let _ = canvas.focus();
            }
            state.drag = Some(Drag {
                pointer: event.pointer_id(),
                start: point,
                last: point,
                moved: false,
            });
        })
    };

    let onpointermove = {
        let inner = inner.clone();
        let tooltip = tooltip.clone();
        Callback::from(move |event: PointerEvent| {
            let mut state = inner.borrow_mut();
            let point = state.device(&event);
            let slop = CLICK_SLOP * state.scale;
            let plot = state.plot;
            if let Some(drag) = &mut state.drag {
                if drag.pointer == event.pointer_id() {
                    let (dx, dy) = (point.0 - drag.last.0, point.1 - drag.last.1);
                    drag.last = point;
                    drag.moved |= (point.0 - drag.start.0).hypot(point.1 - drag.start.1) > slop;
                    if drag.moved {
                        state.view.pan(&plot, dx, dy);
                        drop(state);
                        tooltip.set(None);
                        schedule(&inner);
                        return;
                    }
                }
            }
            let next = match state.hit(&event) {
                Some(rect) => tip(&state, rect, &event),
                None => step_tip(&state, &event),
            };
            drop(state);
            tooltip.set(next);
        })
    };

    let onpointerup = {
        let inner = inner.clone();
        Callback::from(move |event: PointerEvent| {
            let mut state = inner.borrow_mut();
            let Some(drag) = state.drag.take() else {
                return;
            };
            if drag.pointer != event.pointer_id() {
                state.drag = Some(drag);
                return;
            }
            if let Some(canvas) = state.canvas() {
                let _ = canvas.release_pointer_capture(event.pointer_id());
            }
            state.dragged = drag.moved;
        })
    };

    // Selection on click (not on release): the click's count tells the second click of a
    // double click, which must not select.
    let onclick = {
        let inner = inner.clone();
        let on_select = props.on_select.clone();
        Callback::from(move |event: MouseEvent| {
            let mut state = inner.borrow_mut();
            if std::mem::take(&mut state.dragged) {
                return;
            }
            let picked = state
                .hit(&event)
                .map(|rect| state.layout.rects[rect].buffer as usize);
            let current = state.selected;
            let change = state.clicks.click(event.detail(), current, picked);
            drop(state);
            if let Some(selection) = change {
                on_select.emit(selection);
            }
        })
    };

    let onpointercancel = {
        let inner = inner.clone();
        Callback::from(move |_: PointerEvent| inner.borrow_mut().drag = None)
    };

    let onpointerleave = {
        let tooltip = tooltip.clone();
        Callback::from(move |_: PointerEvent| tooltip.set(None))
    };

    let ondblclick = {
        let inner = inner.clone();
        let on_select = props.on_select.clone();
        Callback::from(move |event: MouseEvent| {
            event.prevent_default();
            let change = {
                let mut state = inner.borrow_mut();
                state.view.reset();
                let current = state.selected;
                state.clicks.double_click(current)
            };
            schedule(&inner);
            if let Some(selection) = change {
                on_select.emit(selection);
            }
        })
    };

    let onkeydown = {
        let inner = inner.clone();
        let on_select = props.on_select.clone();
        let tooltip = tooltip.clone();
        Callback::from(move |event: KeyboardEvent| {
            if event.ctrl_key() || event.meta_key() {
                return;
            }
            let mut state = inner.borrow_mut();
            let plot = state.plot;
            let (pan_x, pan_y) = (plot.width * KEY_PAN, plot.height * KEY_PAN);
            match event.key().as_str() {
                "+" | "=" => state.view.zoom_centre(&plot, KEY_ZOOM),
                "-" | "_" => state.view.zoom_centre(&plot, 1.0 / KEY_ZOOM),
                "0" => state.view.reset(),
                "ArrowLeft" => state.view.pan(&plot, pan_x, 0.0),
                "ArrowRight" => state.view.pan(&plot, -pan_x, 0.0),
                "ArrowUp" => state.view.pan(&plot, 0.0, pan_y),
                "ArrowDown" => state.view.pan(&plot, 0.0, -pan_y),
                "Escape" => {
                    drop(state);
                    event.prevent_default();
                    on_select.emit(None);
                    return;
                }
                _ => return,
            }
            drop(state);
            event.prevent_default();
            tooltip.set(None);
            schedule(&inner);
        })
    };

    let layout = &props.layout;
    let label = format!(
        "Memory layout chart: {} buffers, height {}{}. Keys: + and - zoom, arrows pan, 0 resets, Escape clears the selection.",
        separated(layout.len() as f64),
        bytes_label(layout.figures.height),
        layout.capacity.map(|c| format!(", capacity {}", bytes_label(c))).unwrap_or_default(),
    );

    // Always rendered (hidden when empty): the chart's children never change in number or
    // kind, so Yew patches them in place and the canvas element is never replaced.
    let tip_html = match &*tooltip {
        Some(tip) => {
            let transform = match (tip.flip_x, tip.flip_y) {
                (false, false) => "",
                (true, false) => "transform:translateX(-100%);",
                (false, true) => "transform:translateY(-100%);",
                (true, true) => "transform:translate(-100%,-100%);",
            };
            let x = if tip.flip_x {
                tip.x - 12.0
            } else {
                tip.x + 14.0
            };
            let y = if tip.flip_y {
                tip.y - 12.0
            } else {
                tip.y + 14.0
            };
            let style = format!(
                "position:absolute;left:{x}px;top:{y}px;pointer-events:none;white-space:nowrap;{transform}"
            );
            html! {
                <div class="chart-tooltip" role="tooltip" style={style}>
                    <strong>{ tip.id.clone() }</strong>
                    { for tip.lines.iter().map(|line| html! { <div>{ line.clone() }</div> }) }
                </div>
            }
        }
        None => html! {
            <div class="chart-tooltip" role="tooltip" hidden=true style="position:absolute;display:none;"></div>
        },
    };

    html! {
        <div class="chart" style="position:relative;width:100%;height:100%;">
            <canvas ref={canvas_ref} class="chart-canvas" tabindex="0" role="img" aria-label={label}
                    style="display:block;width:100%;height:100%;touch-action:none;"
                    {onwheel} {onpointerdown} {onpointermove} {onpointerup} {onpointercancel}
                    {onpointerleave} {onclick} {ondblclick} {onkeydown} />
            { tip_html }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::{Clicks, Shown, Viewport};
    use std::rc::Rc;

    #[test]
    fn shown_tells_the_view_of_the_layout_on_screen_only() {
        let (one, other) = (
            Rc::new(crate::layout::sample()),
            Rc::new(crate::layout::sample()),
        );
        let shown = Shown::default();
        assert_eq!(shown.of(&one), None);
        let mut view = Viewport::fit(&one);
        view.zoom_centre(&super::Plot::new(0.0, 0.0, 100.0, 100.0), 2.0);
        shown.set(&one, view, 640, 360);
        assert_eq!(shown.of(&one), Some((view, 640, 360)));
        // Another result (even an equal one) is not what is shown: the export refits it.
        assert_eq!(shown.of(&other), None);
        // Clones share the cell: the export menu reads what the chart wrote.
        let menu = shown.clone();
        shown.set(&other, Viewport::fit(&other), 10, 20);
        assert_eq!(menu.of(&other).map(|(_, w, h)| (w, h)), Some((10, 20)));
        assert!(menu == shown && Shown::default() != shown);
    }

    #[test]
    fn a_double_click_leaves_the_selection_as_it_was() {
        // Nothing selected; a double click on buffer 3.
        let mut clicks = Clicks::default();
        assert_eq!(clicks.click(1, None, Some(3)), Some(Some(3)));
        assert_eq!(clicks.click(2, Some(3), Some(3)), None);
        assert_eq!(clicks.double_click(Some(3)), Some(None));
        // Buffer 1 selected; a double click on buffer 5, then on empty space.
        assert_eq!(clicks.click(1, Some(1), Some(5)), Some(Some(5)));
        assert_eq!(clicks.click(2, Some(5), Some(5)), None);
        assert_eq!(clicks.double_click(Some(5)), Some(Some(1)));
        assert_eq!(clicks.click(1, Some(1), None), Some(None));
        assert_eq!(clicks.click(2, None, None), None);
        assert_eq!(clicks.double_click(None), Some(Some(1)));
        // A double click on what is already selected changes nothing.
        assert_eq!(clicks.click(1, Some(2), Some(2)), None);
        assert_eq!(clicks.click(2, Some(2), Some(2)), None);
        assert_eq!(clicks.double_click(Some(2)), None);
        // A double click with no click before it (keyboard, synthetic) keeps the selection.
        assert_eq!(clicks.double_click(Some(4)), None);
    }

    #[test]
    fn single_clicks_select_and_clear() {
        let mut clicks = Clicks::default();
        assert_eq!(clicks.click(1, None, Some(0)), Some(Some(0)));
        assert_eq!(clicks.click(1, Some(0), Some(7)), Some(Some(7)));
        assert_eq!(clicks.click(1, Some(7), None), Some(None));
        assert_eq!(clicks.click(1, None, None), None);
    }
}
