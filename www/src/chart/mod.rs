//! The chart (being written).

mod axis;
mod colour;
mod scene;
mod viewport;

pub(crate) use colour::ColourMode;
pub(crate) use viewport::Viewport;

use std::rc::Rc;
use yew::prelude::*;

use crate::layout::Layout;

pub(crate) fn svg(
    _layout: &Layout,
    _view: &Viewport,
    _colour: ColourMode,
    _dark: bool,
    _width: u32,
    _height: u32,
) -> String {
    String::new()
}

#[derive(Properties, PartialEq)]
pub(crate) struct ChartProps {
    pub(crate) layout: Rc<Layout>,
    pub(crate) colour: ColourMode,
    pub(crate) dark: bool,
    pub(crate) selected: Option<usize>,
    pub(crate) highlight: Option<usize>,
    pub(crate) on_select: Callback<Option<usize>>,
}

#[function_component]
pub(crate) fn Chart(_props: &ChartProps) -> Html {
    html! { <canvas class="chart-canvas" /> }
}
