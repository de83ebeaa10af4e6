//! The chart's drawing state and its frames, outside any UI framework: what is shown (layout,
//! colours, view, selection), the drag and click state, one frame painted on the canvas, the
//! frame asked for at the next animation frame, and a large scene built in slices meanwhile.
//! [`super::widget`] feeds it DOM events; nothing here knows Yew.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use plotters_canvas::CanvasBackend;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement, MouseEvent};

use crate::chart::colour::{Palette, Rgb, Theme};
use crate::chart::draw::{self, Frame, Painter, Prepared};
use crate::chart::scene::{self, PixRect, SceneBuilder};
use crate::chart::viewport::Plot;
use crate::chart::{ColourMode, Shown, Viewport};
use crate::layout::Layout;
use crate::slices::{Slices, STEP};

/// Pointer travel (CSS pixels) below which a press and release is a click, not a drag.
pub(super) const CLICK_SLOP: f64 = 4.0;
/// How near (CSS pixels) a pointer must be to a buffer thinner than a pixel to hit it.
const HIT_SLOP: f64 = 3.0;
/// Zoom per key press.
pub(super) const KEY_ZOOM: f64 = 1.25;
/// Pan per arrow key, as a fraction of the plot.
pub(super) const KEY_PAN: f64 = 0.1;
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

pub(super) fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// The drawing state.
pub(super) struct Inner {
    /// The canvas: set while mounted.
    pub(super) canvas: Option<HtmlCanvasElement>,
    pub(super) shown: Shown,
    pub(super) layout: Rc<Layout>,
    pub(super) colour: ColourMode,
    pub(super) theme: Theme,
    pub(super) palette: Palette,
    pub(super) view: Viewport,
    pub(super) selected: Option<usize>,
    pub(super) highlight: Option<usize>,
    pub(super) neighbours: Vec<usize>,
    /// Device pixels per CSS pixel at the last draw.
    pub(super) scale: f64,
    /// The plot area at the last draw.
    pub(super) plot: Plot,
    /// A frame is requested and not yet drawn.
    pending: Option<i32>,
    /// The costly part of the last frame, and what it was made for.
    prepared: Option<(SceneKey, Prepared)>,
    /// A scene being built in slices, and what for; when it started.
    building: Option<(SceneKey, SceneBuilder, f64)>,
    /// A sliced build's loop is running (it picks up whatever `building` holds).
    build_running: bool,
    frame: Option<Closure<dyn FnMut(f64)>>,
    pub(super) drag: Option<Drag>,
    /// The last press and release was a drag: its click selects nothing.
    pub(super) dragged: bool,
    pub(super) clicks: Clicks,
}

/// What clicks do to the selection. A click selects what is under it (nothing: clears the
/// selection); a double click fits the view and leaves the selection as it was before the
/// double click began, so its first click, which selected at once, is undone and its second
/// does nothing.
///
/// Whether the first click changed the selection is remembered from that click, not read
/// from the selection at the double click: the owner of the selection (the app) hands it
/// back through `set_marks` when it renders, which may come after the `dblclick` event on a
/// busy page (Yew yields to the browser between a render and its effects), and then the
/// selection still looked unchanged and the first click's was kept.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(super) struct Clicks {
    /// The selection before the last single click, if that click changed it.
    pub(super) undo: Option<Option<usize>>,
}

impl Clicks {
    /// A click numbered `count` in a run of clicks (the event's `detail`), with `current`
    /// selected and `picked` under the pointer: the new selection, if it changes.
    pub(super) fn click(
        &mut self,
        count: i32,
        current: Option<usize>,
        picked: Option<usize>,
    ) -> Option<Option<usize>> {
        if count > 1 {
            return None;
        }
        let changed = picked != current;
        self.undo = changed.then_some(current);
        changed.then_some(picked)
    }

    /// A double click: the selection to restore, if its first click changed it.
    pub(super) fn double_click(&mut self) -> Option<Option<usize>> {
        self.undo.take()
    }
}

pub(super) struct Drag {
    pub(super) pointer: i32,
    pub(super) start: (f64, f64),
    pub(super) last: (f64, f64),
    pub(super) moved: bool,
}

impl Inner {
    pub(super) fn new(layout: Rc<Layout>, colour: ColourMode, dark: bool, shown: Shown) -> Inner {
        let theme = Theme::of(dark);
        Inner {
            canvas: None,
            shown,
            palette: Palette::new(colour, &theme),
            theme,
            view: Viewport::fit(&layout),
            layout,
            colour,
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

    /// Stops drawing for good: the frame asked for is cancelled, a sliced build dropped (the
    /// frame closure and the build hold the state weakly, so both end here), the canvas let go.
    pub(super) fn stop(&mut self) {
        if let (Some(id), Some(window)) = (self.pending.take(), web_sys::window()) {
            let _ = window.cancel_animation_frame(id);
        }
        self.frame = None;
        self.building = None;
        self.canvas = None;
    }

    pub(super) fn set_layout(&mut self, layout: Rc<Layout>) {
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

    pub(super) fn set_style(&mut self, colour: ColourMode, dark: bool) {
        if colour != self.colour {
            self.colour = colour;
            self.prepared = None;
            self.building = None;
        }
        self.theme = Theme::of(dark);
        self.palette = Palette::new(colour, &self.theme);
    }

    /// Pans to buffer `index` when none of it is on screen.
    pub(super) fn reveal(&mut self, index: usize) {
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

    pub(super) fn canvas(&self) -> Option<HtmlCanvasElement> {
        self.canvas.clone()
    }

    /// Pointer position in canvas pixels.
    pub(super) fn device(&self, event: &MouseEvent) -> (f64, f64) {
        (
            event.offset_x() as f64 * self.scale,
            event.offset_y() as f64 * self.scale,
        )
    }

    /// The layout rectangle (index into `layout.rects`) under a pointer event.
    pub(super) fn hit(&self, event: &MouseEvent) -> Option<usize> {
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
    pub(super) fn wanted_size(&self) -> Option<(HtmlCanvasElement, u32, u32, f64)> {
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
        match draw::draw(
            draw::canvas(backend),
            &frame,
            Some(&prepared),
            Some(&mut painter),
        ) {
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
pub(super) fn build_in_slices(inner: &Rc<RefCell<Inner>>) {
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
pub(super) fn schedule(inner: &Rc<RefCell<Inner>>) {
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
