//! The layout chart: buffers as rectangles in time (x) by offset (y), drawn with plotters on
//! a canvas, with zoom, pan, hover, selection and keyboard control.
//!
//! - [`viewport`]: the visible ranges, zoom and pan, data <-> pixel transforms.
//! - [`scene`]: culling, pixel snapping, sub-pixel merging, colour groups, hit testing.
//! - [`colour`]: colour modes and themes.
//! - [`axis`]: tick positions and labels.
//! - [`draw`]: one frame on any plotters backend (canvas here, SVG for export).
//! - [`annotations`]: the reference lines and every label placed clear of the others, the
//!   step names under the time axis; [`outlines`]: where the selection's outlines go.
//! - `frame`: the drawing state and its frames; `widget`: [`ChartWidget`], the chart as a
//!   plain DOM widget (canvas, tooltip, listeners) that the embeddable viewer uses as is;
//!   `component` (feature `yew`): [`Chart`], the Yew component the app uses, wrapping it.
//!
//! The widget keeps its mutable drawing state (view, caches, drag) in one `RefCell` and
//! redraws from `requestAnimationFrame`: any number of wheel or pointer events between two
//! frames cost one draw. The part of a frame
//! that grows with the buffers in view (the scene and the load envelope) is kept between
//! frames; when more than `SYNC_RECTS` (25,000) rectangles are in reach it is built in slices
//! (`slices.rs`), the previous frame staying on screen meanwhile, so even a million buffers
//! never block the page for long.

mod annotations;
mod axis;
#[cfg(any(test, feature = "svg"))]
mod backend;
mod colour;
#[cfg(feature = "yew")]
mod component;
mod draw;
mod frame;
mod outlines;
mod scene;
mod viewport;
mod widget;

use std::cell::Cell;
use std::rc::Rc;

pub use axis::separated;
#[cfg(test)]
pub use colour::buffer_colours;
pub use colour::{ColourMode, Colours, Ramp, Ramps};
#[cfg(feature = "yew")]
pub use component::{Chart, ChartProps};
#[cfg(any(test, feature = "svg"))]
pub use draw::svg;
pub use scene::RectIndex;
pub use viewport::Viewport;
pub use widget::ChartWidget;

use crate::layout::Layout;

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

#[cfg(test)]
mod tests {
    use super::frame::Clicks;
    use super::{Shown, Viewport};
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
        view.zoom_centre(&super::viewport::Plot::new(0.0, 0.0, 100.0, 100.0), 2.0);
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
        assert_eq!(clicks.double_click(), Some(None));
        // Buffer 1 selected; a double click on buffer 5, then on empty space.
        assert_eq!(clicks.click(1, Some(1), Some(5)), Some(Some(5)));
        assert_eq!(clicks.click(2, Some(5), Some(5)), None);
        assert_eq!(clicks.double_click(), Some(Some(1)));
        assert_eq!(clicks.click(1, Some(1), None), Some(None));
        assert_eq!(clicks.click(2, None, None), None);
        assert_eq!(clicks.double_click(), Some(Some(1)));
        // The owner has not handed the first click's selection back yet when the second
        // click and the double click come (a busy page): the same.
        assert_eq!(clicks.click(1, Some(1), Some(5)), Some(Some(5)));
        assert_eq!(clicks.click(2, Some(1), Some(5)), None);
        assert_eq!(clicks.double_click(), Some(Some(1)));
        // A double click on what is already selected changes nothing.
        assert_eq!(clicks.click(1, Some(2), Some(2)), None);
        assert_eq!(clicks.click(2, Some(2), Some(2)), None);
        assert_eq!(clicks.double_click(), None);
        // A double click with no click before it (keyboard, synthetic) keeps the selection.
        assert_eq!(clicks.double_click(), None);
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
