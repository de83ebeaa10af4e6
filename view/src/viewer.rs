//! `<bufpack-layout>`'s view: a figures line, the colour mode, a Fit button and the chart
//! widget; or the reason the input cannot be shown, in place of the chart. Plain DOM (the
//! chart's [`ChartWidget`] and `bufpack_chart::dom`), so the viewer carries no UI framework.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Document, Element, HtmlSelectElement};

use bufpack_chart::chart::{separated, ChartWidget, ColourMode, Shown};
use bufpack_chart::dom::{attributes, element, Listeners};
use bufpack_chart::layout::Layout;

use crate::input::{read, Input};
use crate::message::{alert, status};

/// What the page gives a layout view (`view.js` reads it from the element).
pub(crate) struct ViewerProps {
    pub(crate) input: Input,
    pub(crate) colour: ColourMode,
    pub(crate) dark: bool,
    pub(crate) on_select: Option<Function>,
}

/// A layout view mounted into the page's element.
pub(crate) struct Viewer {
    document: Document,
    /// `div.bp-view`: the theme's class, and the view's contents.
    frame: Element,
    /// The input last shown, to tell a new one.
    input: Option<Input>,
    /// The colour mode from the page's options, last seen: a change overrides the menu's.
    colour_option: ColourMode,
    dark: bool,
    /// The page's `onSelect`, called with the selected buffer's facts or `null`.
    on_select: Rc<RefCell<Option<Function>>>,
    drawn: Option<Drawn>,
}

/// What is on screen for a layout read without error.
struct Drawn {
    widget: Rc<ChartWidget>,
    colour: Rc<Cell<ColourMode>>,
    select: HtmlSelectElement,
    /// The colour menu's and Fit's: removed before the elements go.
    _listeners: Listeners,
}

impl Viewer {
    pub(crate) fn mount(root: &Element, props: ViewerProps) -> Option<Viewer> {
        let document = root.owner_document()?;
        let frame = element(&document, "div", "bp-view", "");
        root.append_child(&frame).ok()?;
        let mut viewer = Viewer {
            document,
            frame,
            input: None,
            colour_option: props.colour,
            dark: props.dark,
            on_select: Rc::new(RefCell::new(None)),
            drawn: None,
        };
        viewer.update(props);
        Some(viewer)
    }

    /// Shows new options: the layout is read again only when the input changed.
    pub(crate) fn update(&mut self, props: ViewerProps) {
        *self.on_select.borrow_mut() = props.on_select;
        self.frame.set_class_name(if props.dark {
            "bp-view bp-dark"
        } else {
            "bp-view"
        });
        self.dark = props.dark;
        let colour_changed = props.colour != self.colour_option;
        self.colour_option = props.colour;
        if self.input.as_ref() != Some(&props.input) {
            self.show(&props.input);
            self.input = Some(props.input);
        } else if let Some(drawn) = &self.drawn {
            if colour_changed {
                drawn.colour.set(props.colour);
                drawn.select.set_value(props.colour.value());
            }
            drawn.widget.set_style(drawn.colour.get(), self.dark);
        }
    }

    /// Replaces the contents with what `input` reads as.
    fn show(&mut self, input: &Input) {
        // The widget first: it takes its canvas and listeners off the page.
        self.drawn = None;
        self.frame.set_text_content(None);
        let _ = self.frame.remove_attribute("aria-busy");
        let document = &self.document;
        let layout = match input {
            Input::Loading => {
                status(document, &self.frame, "Loading the layout…");
                return;
            }
            Input::Error(message) => return self.error(message),
            Input::Csv(csv) => match read(csv) {
                Ok(layout) => Rc::new(layout),
                Err(message) => return self.error(&message),
            },
        };
        self.drawn = self.chart(layout);
    }

    fn error(&self, message: &str) {
        alert(
            &self.document,
            &self.frame,
            "Cannot show this layout",
            message,
        );
    }

    /// The bar (figures, colour menu, Fit) and the chart of `layout`.
    fn chart(&self, layout: Rc<Layout>) -> Option<Drawn> {
        let document = &self.document;
        let bar = element(document, "div", "bp-bar", "");
        bar.append_child(&element(document, "span", "bp-figures", &figures(&layout)))
            .ok()?;
        let label = element(document, "label", "bp-colour", "Colour by ");
        let select: HtmlSelectElement = element(document, "select", "", "").dyn_into().ok()?;
        let _ = select.set_attribute("aria-label", "Colour buffers by");
        for mode in ColourMode::ALL {
            let option = element(document, "option", "", mode.label());
            let _ = option.set_attribute("value", mode.value());
            let _ = select.append_child(&option);
        }
        select.set_value(self.colour_option.value());
        let _ = label.append_child(&select);
        let fit = element(document, "button", "bp-fit", "Fit");
        attributes(
            &fit,
            &[
                ("type", "button"),
                (
                    "title",
                    "Fit the whole layout (double-click or 0 on the chart)",
                ),
            ],
        );
        let _ = bar.append_child(&label);
        let _ = bar.append_child(&fit);
        let host = element(document, "div", "bp-chart", "");
        let chart = element(document, "div", "chart", "");
        let _ = chart.set_attribute("style", "position:relative;width:100%;height:100%;");
        let _ = host.append_child(&chart);
        let _ = self.frame.append_child(&bar);
        let _ = self.frame.append_child(&host);

        let colour = Rc::new(Cell::new(self.colour_option));
        let widget = Rc::new(ChartWidget::new(
            &chart,
            layout.clone(),
            colour.get(),
            self.dark,
            Shown::default(),
        )?);
        // A click selects (outlined by the chart) and tells the page.
        let (weak, page) = (Rc::downgrade(&widget), self.on_select.clone());
        widget.on_select(move |pick| {
            if let Some(widget) = weak.upgrade() {
                widget.set_marks(pick, None);
            }
            let function = page.borrow().clone();
            if let Some(function) = function {
                let detail = pick.map_or(JsValue::NULL, |i| facts(&layout, i));
                let _ = function.call1(&JsValue::NULL, &detail);
            }
        });
        let mut listeners = Listeners::default();
        let (chosen, dark, on_widget) = (colour.clone(), self.dark, Rc::downgrade(&widget));
        let menu = select.clone();
        listeners.add(&select, "change", move |_| {
            if let (Some(mode), Some(widget)) =
                (ColourMode::parse(&menu.value()), on_widget.upgrade())
            {
                chosen.set(mode);
                widget.set_style(mode, dark);
            }
        });
        let on_widget = Rc::downgrade(&widget);
        listeners.add(&fit, "click", move |_| {
            if let Some(widget) = on_widget.upgrade() {
                widget.fit();
            }
        });
        Some(Drawn {
            widget,
            colour,
            select,
            _listeners: listeners,
        })
    }
}

impl Drop for Viewer {
    fn drop(&mut self) {
        self.drawn = None;
        self.frame.remove();
    }
}

/// "1,234 buffers · peak … · LOAD …[ · capacity …]".
fn figures(layout: &Layout) -> String {
    let figures = &layout.figures;
    let mut line = format!(
        "{} buffers · peak {} · LOAD {}",
        separated(layout.len() as f64),
        separated(figures.height as f64),
        separated(figures.load as f64)
    );
    if let Some(capacity) = layout.capacity {
        line.push_str(&format!(" · capacity {}", separated(capacity as f64)));
    }
    line
}

/// The selected buffer's facts, for the `select` event's `detail`.
fn facts(layout: &Layout, index: usize) -> JsValue {
    let object = Object::new();
    let (Some(buffer), Some(&offset)) =
        (layout.problem.buffers.get(index), layout.offsets.get(index))
    else {
        return JsValue::NULL;
    };
    let set = |key: &str, value: JsValue| {
        let _ = Reflect::set(&object, &JsValue::from_str(key), &value);
    };
    set("index", (index as f64).into());
    set("id", JsValue::from_str(&buffer.id));
    set("lower", (buffer.lifespan.lower as f64).into());
    set("upper", (buffer.lifespan.upper as f64).into());
    set("size", (buffer.size as f64).into());
    set("offset", (offset as f64).into());
    object.into()
}
