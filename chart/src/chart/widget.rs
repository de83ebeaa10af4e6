//! The chart as a plain DOM widget: a canvas and a tooltip appended to a host element, the
//! canvas's listeners (wheel, pointer, click, double click, keys), a ResizeObserver and the
//! window's `resize` (the device pixel ratio). The app's Yew component
//! ([`super::component`]) and the embeddable viewer (`view/`) both drive it, so the viewer
//! needs no UI framework. Dropping the widget removes everything it added to the page.

use std::cell::RefCell;
use std::rc::Rc;

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{
    Element, Event, EventTarget, HtmlCanvasElement, KeyboardEvent, MouseEvent, PointerEvent,
    WheelEvent,
};

use crate::chart::axis::{bytes_label, separated, time_label};
use crate::chart::frame::{schedule, Drag, Inner, CLICK_SLOP, KEY_PAN, KEY_ZOOM};
use crate::chart::viewport::Axes;
use crate::chart::{ColourMode, Shown};
use crate::dom::{attributes, element, Listeners};
use crate::layout::Layout;
use crate::math;

/// What a selection change is told to: `Some(buffer index)` or `None` (cleared).
type OnSelect = Rc<RefCell<Option<Box<dyn Fn(Option<usize>)>>>>;

/// The chart mounted into a host element. See the module documentation.
pub struct ChartWidget {
    inner: Rc<RefCell<Inner>>,
    canvas: HtmlCanvasElement,
    tooltip: Rc<Tooltip>,
    on_select: OnSelect,
    listeners: Listeners,
    observer: Option<web_sys::ResizeObserver>,
    /// Kept alive while the observer and the window's `resize` may call it.
    _on_resize: Closure<dyn FnMut()>,
}

impl ChartWidget {
    /// Appends the chart's canvas and tooltip to `host` (which should be positioned, so the
    /// tooltip sits over the canvas, and sized: the canvas fills it) and draws `layout` at
    /// the next animation frame. `None` without a document to create elements in.
    pub fn new(
        host: &Element,
        layout: Rc<Layout>,
        colour: ColourMode,
        dark: bool,
        shown: Shown,
    ) -> Option<ChartWidget> {
        let document = host.owner_document()?;
        let canvas: HtmlCanvasElement = element(&document, "canvas", "chart-canvas", "")
            .dyn_into()
            .ok()?;
        attributes(
            &canvas,
            &[
                ("tabindex", "0"),
                ("role", "img"),
                (
                    "style",
                    "display:block;width:100%;height:100%;touch-action:none;",
                ),
                ("aria-label", &label(&layout)),
            ],
        );
        let tooltip = Rc::new(Tooltip::new(&document));
        host.append_child(&canvas).ok()?;
        host.append_child(&tooltip.element).ok()?;

        let mut inner = Inner::new(layout, colour, dark, shown);
        inner.canvas = Some(canvas.clone());
        let inner = Rc::new(RefCell::new(inner));
        let on_select: OnSelect = Rc::new(RefCell::new(None));

        // The first notice comes right after the first frame: redraw only if the box (or the
        // device pixel ratio) really changed since.
        let weak = Rc::downgrade(&inner);
        let on_resize: Closure<dyn FnMut()> = Closure::new(move || {
            if let Some(inner) = weak.upgrade() {
                let resized = inner
                    .borrow()
                    .wanted_size()
                    .is_some_and(|(canvas, w, h, _)| canvas.width() != w || canvas.height() != h);
                if resized {
                    schedule(&inner);
                }
            }
        });
        let observer = web_sys::ResizeObserver::new(on_resize.as_ref().unchecked_ref()).ok();
        if let Some(observer) = &observer {
            observer.observe(&canvas);
        }

        let mut widget = ChartWidget {
            inner,
            canvas,
            tooltip,
            on_select,
            listeners: Listeners::default(),
            observer,
            _on_resize: on_resize,
        };
        widget.listen();
        schedule(&widget.inner);
        Some(widget)
    }

    /// Calls `on_select` with a buffer's index when a click selects it, `None` when a click
    /// on empty space or Escape clears the selection. The chart outlines a selection only
    /// once told of it ([`ChartWidget::set_marks`]): the owner decides what is selected.
    pub fn on_select(&self, on_select: impl Fn(Option<usize>) + 'static) {
        *self.on_select.borrow_mut() = Some(Box::new(on_select));
    }

    /// Shows another layout (compared by identity), fitted.
    pub fn set_layout(&self, layout: Rc<Layout>) {
        if Rc::ptr_eq(&self.inner.borrow().layout, &layout) {
            return;
        }
        let _ = self.canvas.set_attribute("aria-label", &label(&layout));
        self.inner.borrow_mut().set_layout(layout);
        self.tooltip.show(None);
        schedule(&self.inner);
    }

    /// Colours and theme.
    pub fn set_style(&self, colour: ColourMode, dark: bool) {
        let changed = {
            let state = self.inner.borrow();
            state.colour != colour || state.theme.dark != dark
        };
        if changed {
            self.inner.borrow_mut().set_style(colour, dark);
            schedule(&self.inner);
        }
    }

    /// The selected buffer (outlined, its neighbours too) and the search match (outlined in
    /// its own colour): each panned to when it changes and is off screen. Indices past the
    /// layout are ignored.
    pub fn set_marks(&self, selected: Option<usize>, highlight: Option<usize>) {
        {
            let mut state = self.inner.borrow_mut();
            let len = state.layout.len();
            let valid = |i: Option<usize>| i.filter(|&i| i < len);
            let (selected, highlight) = (valid(selected), valid(highlight));
            if selected != state.selected {
                state.neighbours = selected
                    .map(|i| state.layout.neighbours(i))
                    .unwrap_or_default();
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
        schedule(&self.inner);
    }

    /// Fits the view to the whole layout (nothing to do when it is fitted).
    pub fn fit(&self) {
        let fitted = self.inner.borrow().view.is_home();
        if !fitted {
            self.inner.borrow_mut().view.reset();
            schedule(&self.inner);
        }
    }

    fn select(on_select: &OnSelect, selection: Option<usize>) {
        if let Some(on_select) = &*on_select.borrow() {
            on_select(selection);
        }
    }

    /// Adds the canvas's listeners and the window's `resize`.
    fn listen(&mut self) {
        let canvas: EventTarget = self.canvas.clone().into();

        let (inner, tooltip) = (self.inner.clone(), self.tooltip.clone());
        self.add(&canvas, "wheel", move |event| {
            let event: WheelEvent = event.unchecked_into();
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
                let factor = math::exp((-delta * 0.0015).clamp(-1.0, 1.0));
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
            tooltip.show(None);
            schedule(&inner);
        });

        let inner = self.inner.clone();
        self.add(&canvas, "pointerdown", move |event| {
            let event: PointerEvent = event.unchecked_into();
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
        });

        let (inner, tooltip) = (self.inner.clone(), self.tooltip.clone());
        self.add(&canvas, "pointermove", move |event| {
            let event: PointerEvent = event.unchecked_into();
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
                        tooltip.show(None);
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
            tooltip.show(next);
        });

        let inner = self.inner.clone();
        self.add(&canvas, "pointerup", move |event| {
            let event: PointerEvent = event.unchecked_into();
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
        });

        let inner = self.inner.clone();
        self.add(&canvas, "pointercancel", move |_| {
            inner.borrow_mut().drag = None
        });

        let tooltip = self.tooltip.clone();
        self.add(&canvas, "pointerleave", move |_| tooltip.show(None));

        // Selection on click (not on release): the click's count tells the second click of a
        // double click, which must not select.
        let (inner, on_select) = (self.inner.clone(), self.on_select.clone());
        self.add(&canvas, "click", move |event| {
            let event: MouseEvent = event.unchecked_into();
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
                Self::select(&on_select, selection);
            }
        });

        let (inner, on_select) = (self.inner.clone(), self.on_select.clone());
        self.add(&canvas, "dblclick", move |event| {
            event.prevent_default();
            let change = {
                let mut state = inner.borrow_mut();
                state.view.reset();
                state.clicks.double_click()
            };
            schedule(&inner);
            if let Some(selection) = change {
                Self::select(&on_select, selection);
            }
        });

        let (inner, on_select, tooltip) = (
            self.inner.clone(),
            self.on_select.clone(),
            self.tooltip.clone(),
        );
        self.add(&canvas, "keydown", move |event| {
            let event: KeyboardEvent = event.unchecked_into();
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
                    Self::select(&on_select, None);
                    return;
                }
                _ => return,
            }
            drop(state);
            event.prevent_default();
            tooltip.show(None);
            schedule(&inner);
        });

        // The device pixel ratio changes with browser zoom and between screens.
        if let Some(window) = web_sys::window() {
            let _ = window.add_event_listener_with_callback(
                "resize",
                self._on_resize.as_ref().unchecked_ref(),
            );
        }
    }

    fn add(
        &mut self,
        target: &EventTarget,
        kind: &'static str,
        handler: impl FnMut(Event) + 'static,
    ) {
        self.listeners.add(target, kind, handler);
    }
}

impl Drop for ChartWidget {
    /// Stops drawing, removes every listener and observer, and takes the canvas and tooltip
    /// off the page.
    fn drop(&mut self) {
        if let Some(observer) = self.observer.take() {
            observer.disconnect();
        }
        self.listeners.clear();
        if let Some(window) = web_sys::window() {
            let _ = window.remove_event_listener_with_callback(
                "resize",
                self._on_resize.as_ref().unchecked_ref(),
            );
        }
        self.inner.borrow_mut().stop();
        *self.on_select.borrow_mut() = None;
        self.canvas.remove();
        self.tooltip.element.remove();
    }
}

/// The canvas's accessible name: what it shows and its keys.
fn label(layout: &Layout) -> String {
    format!(
        "Memory layout chart: {} buffers, height {}{}. Keys: + and - zoom, arrows pan, 0 resets, Escape clears the selection.",
        separated(layout.len() as f64),
        bytes_label(layout.figures.height),
        layout.capacity.map(|c| format!(", capacity {}", bytes_label(c))).unwrap_or_default(),
    )
}

/// The tooltip's element and what it shows: its content is rebuilt only when that changes.
struct Tooltip {
    element: Element,
    shown: RefCell<Option<Tip>>,
}

impl Tooltip {
    fn new(document: &web_sys::Document) -> Tooltip {
        let element = element(document, "div", "chart-tooltip", "");
        let _ = element.set_attribute("role", "tooltip");
        let tooltip = Tooltip {
            element,
            shown: RefCell::new(Some(Tip::default())),
        };
        tooltip.show(None);
        tooltip
    }

    /// Shows `tip`, or hides the tooltip.
    fn show(&self, tip: Option<Tip>) {
        if *self.shown.borrow() == tip {
            return;
        }
        let element = &self.element;
        element.set_text_content(None);
        match &tip {
            None => {
                let _ = element.set_attribute("hidden", "");
                let _ = element.set_attribute("style", "position:absolute;display:none;");
            }
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
                let _ = element.remove_attribute("hidden");
                let _ = element.set_attribute(
                    "style",
                    &format!("position:absolute;left:{x}px;top:{y}px;pointer-events:none;white-space:nowrap;{transform}"),
                );
                if let Some(document) = element.owner_document() {
                    let lines = std::iter::once(("strong", &tip.id))
                        .chain(tip.lines.iter().map(|l| ("div", l)));
                    for (tag, text) in lines {
                        let _ =
                            element.append_child(&crate::dom::element(&document, tag, "", text));
                    }
                }
            }
        }
        *self.shown.borrow_mut() = tip;
    }
}

/// What the tooltip shows, and where (CSS pixels inside the chart box).
#[derive(Clone, Debug, Default, PartialEq)]
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
