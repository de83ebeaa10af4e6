//! The view: a figures line, the colour mode, a Fit button and the chart; or the reason
//! the input cannot be shown, in place of the chart.

use std::rc::Rc;

use js_sys::{Function, Object, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use bufpack_chart::chart::{Chart, ColourMode};
use bufpack_chart::layout::Layout;

use crate::input::{read, Input};

/// The page's `onSelect` function, compared by identity.
#[derive(Clone, Default)]
pub(crate) struct OnSelect(Option<Function>);

impl From<Option<Function>> for OnSelect {
    fn from(function: Option<Function>) -> Self {
        OnSelect(function)
    }
}

impl PartialEq for OnSelect {
    fn eq(&self, other: &Self) -> bool {
        match (&self.0, &other.0) {
            (Some(a), Some(b)) => AsRef::<JsValue>::as_ref(a) == AsRef::<JsValue>::as_ref(b),
            (None, None) => true,
            _ => false,
        }
    }
}

#[derive(Properties, PartialEq, Clone)]
pub(crate) struct ViewerProps {
    pub(crate) input: Input,
    pub(crate) colour: ColourMode,
    pub(crate) dark: bool,
    pub(crate) on_select: OnSelect,
}

/// What `read` made of the input: compared by identity of the input.
type Read = Option<Result<Rc<Layout>, String>>;

fn thousands(value: i64) -> String {
    let digits = value.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if value < 0 {
        out.insert(0, '-');
    }
    out
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

#[function_component]
pub(crate) fn Viewer(props: &ViewerProps) -> Html {
    let read: Rc<Read> = use_memo(props.input.clone(), |input| match input {
        Input::Loading => None,
        Input::Error(message) => Some(Err(message.clone())),
        Input::Csv(csv) => Some(read(csv).map(Rc::new)),
    });
    let colour = use_state_eq(|| props.colour);
    {
        let colour = colour.clone();
        use_effect_with(props.colour, move |&mode| colour.set(mode));
    }
    let selected = use_state_eq(|| None::<usize>);
    let fit = use_state_eq(|| 0u32);
    {
        let selected = selected.clone();
        use_effect_with(read.clone(), move |_| selected.set(None));
    }

    let theme = if props.dark {
        "bp-view bp-dark"
    } else {
        "bp-view"
    };
    let layout = match &*read {
        None => {
            return html! {
                <div class={theme} aria-busy="true">
                    <div class="bp-message" role="status">{ "Loading the layout…" }</div>
                </div>
            }
        }
        Some(Err(message)) => {
            return html! {
                <div class={theme}>
                    <div class="bp-message bp-error" role="alert">
                        <strong>{ "Cannot show this layout" }</strong>
                        <div class="bp-detail">{ message.clone() }</div>
                    </div>
                </div>
            }
        }
        Some(Ok(layout)) => layout.clone(),
    };

    let on_select = {
        let selected = selected.clone();
        let page = props.on_select.clone();
        let layout = layout.clone();
        Callback::from(move |pick: Option<usize>| {
            selected.set(pick);
            if let Some(function) = &page.0 {
                let detail = pick.map_or(JsValue::NULL, |i| facts(&layout, i));
                let _ = function.call1(&JsValue::NULL, &detail);
            }
        })
    };
    let on_colour = {
        let colour = colour.clone();
        Callback::from(move |event: Event| {
            if let Some(select) = event
                .target()
                .and_then(|t| t.dyn_into::<HtmlSelectElement>().ok())
            {
                if let Some(mode) = ColourMode::parse(&select.value()) {
                    colour.set(mode);
                }
            }
        })
    };
    let on_fit = {
        let fit = fit.clone();
        Callback::from(move |_: MouseEvent| fit.set(fit.wrapping_add(1)))
    };

    let figures = &layout.figures;
    let mut line = format!(
        "{} buffers · peak {} · LOAD {}",
        thousands(layout.len() as i64),
        thousands(figures.height),
        thousands(figures.load)
    );
    if let Some(capacity) = layout.capacity {
        line.push_str(&format!(" · capacity {}", thousands(capacity)));
    }
    html! {
        <div class={theme}>
            <div class="bp-bar">
                <span class="bp-figures">{ line }</span>
                <label class="bp-colour">{ "Colour by " }
                    <select onchange={on_colour} aria-label="Colour buffers by">
                        { for ColourMode::ALL.iter().map(|mode| html! {
                            <option value={mode.value()} selected={*mode == *colour}>{ mode.label() }</option>
                        }) }
                    </select>
                </label>
                <button type="button" class="bp-fit" onclick={on_fit}
                        title="Fit the whole layout (double-click or 0 on the chart)">{ "Fit" }</button>
            </div>
            <div class="bp-chart">
                <Chart layout={layout} colour={*colour} dark={props.dark}
                       selected={*selected} highlight={None::<usize>}
                       on_select={on_select} fit={*fit} />
            </div>
        </div>
    }
}
