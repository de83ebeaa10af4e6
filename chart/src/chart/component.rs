//! The chart as a Yew component, for the app: a host `div` the [`ChartWidget`] is mounted
//! into, and effects that pass prop changes on to it. Yew renders only the host, so the
//! widget's canvas is never replaced. Behind the crate's `yew` feature: the embeddable viewer
//! drives the widget without Yew.

use std::rc::Rc;

use web_sys::Element;
use yew::prelude::*;

use crate::chart::widget::ChartWidget;
use crate::chart::{ColourMode, Shown};
use crate::layout::Layout;

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

/// Compares layouts by identity: a new result is a new `Rc`, and comparing 100,000
/// rectangles on every render would be wasted.
#[derive(Clone)]
struct Same(Rc<Layout>);

impl PartialEq for Same {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// The chart. See the module documentation of [`crate::chart`].
#[function_component]
pub fn Chart(props: &ChartProps) -> Html {
    let host = use_node_ref();
    let widget = use_mut_ref(|| None::<ChartWidget>);
    // The latest `on_select`, read by the widget when a click selects.
    let on_select = use_mut_ref(Callback::noop);
    *on_select.borrow_mut() = props.on_select.clone();

    // Mount the widget into the host; dropping it on unmount removes all it added.
    {
        let (host, widget) = (host.clone(), widget.clone());
        let first = (
            props.layout.clone(),
            props.colour,
            props.dark,
            props.shown.clone(),
        );
        use_effect_with((), move |_| {
            let (layout, colour, dark, shown) = first;
            let mounted = host
                .cast::<Element>()
                .and_then(|element| ChartWidget::new(&element, layout, colour, dark, shown));
            if let Some(mounted) = &mounted {
                mounted.on_select(move |selection| {
                    // Cloned first: emitting may re-render this component, which sets it.
                    let callback = on_select.borrow().clone();
                    callback.emit(selection);
                });
            }
            *widget.borrow_mut() = mounted;
            move || drop(widget.borrow_mut().take())
        });
    }

    // Each effect below runs after the mount's (Yew runs them in order), so the widget is
    // there from the first render on.
    {
        let widget = widget.clone();
        use_effect_with(Same(props.layout.clone()), move |layout| {
            if let Some(widget) = &*widget.borrow() {
                widget.set_layout(layout.0.clone());
            }
        });
    }
    {
        let widget = widget.clone();
        use_effect_with(props.fit, move |_| {
            if let Some(widget) = &*widget.borrow() {
                widget.fit();
            }
        });
    }
    {
        let widget = widget.clone();
        use_effect_with((props.colour, props.dark), move |&(colour, dark)| {
            if let Some(widget) = &*widget.borrow() {
                widget.set_style(colour, dark);
            }
        });
    }
    {
        let widget = widget.clone();
        use_effect_with(
            (Same(props.layout.clone()), props.selected, props.highlight),
            move |&(_, selected, highlight)| {
                if let Some(widget) = &*widget.borrow() {
                    widget.set_marks(selected, highlight);
                }
            },
        );
    }

    html! {
        <div ref={host} class="chart" style="position:relative;width:100%;height:100%;"></div>
    }
}
