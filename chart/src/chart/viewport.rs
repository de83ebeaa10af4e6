//! What part of time x memory the chart shows, and the mapping between data and pixels.
//!
//! Pure arithmetic on `f64` (no DOM), so zoom, pan and the transforms are tested natively.
//! Pixels are canvas (device) pixels with the origin at the top left; offsets grow upwards,
//! as memory charts are read (offset 0 at the bottom).

use crate::layout::Layout;

/// Headroom above the highest of height and capacity when fitting, so the peak and capacity
/// lines and their labels are not drawn on the plot's top edge.
const HEADROOM: f64 = 0.06;

/// The smallest span either axis can be zoomed to, in data units: times and offsets are
/// integers, so a narrower view shows nothing new.
const MIN_SPAN: f64 = 1.0;

/// The plot area in canvas pixels: where the data is drawn, inside the axes.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plot {
    pub left: f64,
    pub top: f64,
    pub width: f64,
    pub height: f64,
}

impl Plot {
    pub fn new(left: f64, top: f64, width: f64, height: f64) -> Plot {
        Plot {
            left,
            top,
            width: width.max(1.0),
            height: height.max(1.0),
        }
    }

    pub fn right(&self) -> f64 {
        self.left + self.width
    }

    pub fn bottom(&self) -> f64 {
        self.top + self.height
    }

    pub fn contains(&self, x: f64, y: f64) -> bool {
        x >= self.left && x < self.right() && y >= self.top && y < self.bottom()
    }
}

/// The visible time range `[t0, t1)` and offset range `[o0, o1)`, and the fitted ("home")
/// ranges that zoom and pan are clamped to.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Viewport {
    pub t0: f64,
    pub t1: f64,
    pub o0: f64,
    pub o1: f64,
    home: [f64; 4],
}

/// Which axes a zoom scales.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Axes {
    Both,
    Time,
    Offset,
}

impl Viewport {
    /// A view of exactly these ranges, which are also its home. Empty or reversed ranges
    /// widen to one unit.
    pub fn new(time: (f64, f64), offset: (f64, f64)) -> Viewport {
        let (t0, t1) = widen(time);
        let (o0, o1) = widen(offset);
        Viewport {
            t0,
            t1,
            o0,
            o1,
            home: [t0, t1, o0, o1],
        }
    }

    /// The whole layout: its time span, and offsets from 0 to the higher of the packing's
    /// height and the capacity, with a little headroom.
    pub fn fit(layout: &Layout) -> Viewport {
        let (lo, hi) = layout.time_span;
        let top = layout
            .figures
            .height
            .max(layout.capacity.unwrap_or(0))
            .max(layout.top);
        let top = top as f64;
        Viewport::new(
            (lo as f64, hi as f64),
            (0.0, (top * (1.0 + HEADROOM)).max(1.0)),
        )
    }

    /// Back to the fitted ranges.
    pub fn reset(&mut self) {
        [self.t0, self.t1, self.o0, self.o1] = self.home;
    }

    /// True when showing the fitted ranges.
    pub fn is_home(&self) -> bool {
        [self.t0, self.t1, self.o0, self.o1] == self.home
    }

    pub fn time_span(&self) -> f64 {
        self.t1 - self.t0
    }

    pub fn offset_span(&self) -> f64 {
        self.o1 - self.o0
    }

    /// Pixel x of time `t`.
    pub fn x_of(&self, plot: &Plot, t: f64) -> f64 {
        plot.left + (t - self.t0) / self.time_span() * plot.width
    }

    /// Pixel y of offset `o` (offset grows upwards).
    pub fn y_of(&self, plot: &Plot, o: f64) -> f64 {
        plot.bottom() - (o - self.o0) / self.offset_span() * plot.height
    }

    /// Time at pixel x.
    pub fn t_of(&self, plot: &Plot, x: f64) -> f64 {
        self.t0 + (x - plot.left) / plot.width * self.time_span()
    }

    /// Offset at pixel y.
    pub fn o_of(&self, plot: &Plot, y: f64) -> f64 {
        self.o0 + (plot.bottom() - y) / plot.height * self.offset_span()
    }

    /// Zooms by `factor` (above 1 zooms in) keeping the data under pixel `(x, y)` under it,
    /// as a map does under the mouse wheel.
    pub fn zoom_at(&mut self, plot: &Plot, x: f64, y: f64, factor: f64, axes: Axes) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        if axes != Axes::Offset {
            let t = self.t_of(plot, x);
            let span = self.time_span() / factor;
            let frac = ((x - plot.left) / plot.width).clamp(0.0, 1.0);
            self.t0 = t - frac * span;
            self.t1 = self.t0 + span;
        }
        if axes != Axes::Time {
            let o = self.o_of(plot, y);
            let span = self.offset_span() / factor;
            let frac = ((plot.bottom() - y) / plot.height).clamp(0.0, 1.0);
            self.o0 = o - frac * span;
            self.o1 = self.o0 + span;
        }
        self.clamp();
    }

    /// Zooms about the plot's centre (keyboard +/-).
    pub fn zoom_centre(&mut self, plot: &Plot, factor: f64) {
        let (x, y) = (plot.left + plot.width / 2.0, plot.top + plot.height / 2.0);
        self.zoom_at(plot, x, y, factor, Axes::Both);
    }

    /// Moves the content by `(dx, dy)` pixels, as dragging it does: dragging right shows
    /// earlier times, dragging down shows higher offsets.
    pub fn pan(&mut self, plot: &Plot, dx: f64, dy: f64) {
        let dt = -dx / plot.width * self.time_span();
        let doff = dy / plot.height * self.offset_span();
        self.t0 += dt;
        self.t1 += dt;
        self.o0 += doff;
        self.o1 += doff;
        self.clamp();
    }

    /// Keeps the view sensible: each span between [`MIN_SPAN`] (or the home span, if
    /// smaller) and the home span, and the view inside the home ranges; there is nothing to
    /// see outside them. Non-finite values (a zoom of a degenerate plot) reset the view.
    pub fn clamp(&mut self) {
        if ![self.t0, self.t1, self.o0, self.o1]
            .iter()
            .all(|v| v.is_finite())
        {
            self.reset();
            return;
        }
        let [ht0, ht1, ho0, ho1] = self.home;
        (self.t0, self.t1) = clamp_axis((self.t0, self.t1), (ht0, ht1));
        (self.o0, self.o1) = clamp_axis((self.o0, self.o1), (ho0, ho1));
    }

    /// Pans (without zooming) the least needed to show the data rectangle
    /// `[t0, t1) x [o0, o1)`, or to centre it when it does not fit. True when the view moved.
    pub fn reveal(&mut self, t0: f64, t1: f64, o0: f64, o1: f64) -> bool {
        let before = *self;
        (self.t0, self.t1) = reveal_axis((self.t0, self.t1), (t0, t1));
        (self.o0, self.o1) = reveal_axis((self.o0, self.o1), (o0, o1));
        self.clamp();
        *self != before
    }
}

fn widen((lo, hi): (f64, f64)) -> (f64, f64) {
    if hi > lo {
        (lo, hi)
    } else {
        (lo, lo + 1.0)
    }
}

fn clamp_axis((lo, hi): (f64, f64), (home_lo, home_hi): (f64, f64)) -> (f64, f64) {
    let home = home_hi - home_lo;
    let span = (hi - lo).clamp(MIN_SPAN.min(home), home);
    // Keep the centre when the span changed, then slide inside home.
    let centre = (lo + hi) / 2.0;
    let lo = (centre - span / 2.0).clamp(home_lo, home_hi - span);
    (lo, lo + span)
}

fn reveal_axis((lo, hi): (f64, f64), (a, b): (f64, f64)) -> (f64, f64) {
    let span = hi - lo;
    if a >= lo && b <= hi {
        (lo, hi)
    } else if b - a > span {
        let centre = (a + b) / 2.0;
        (centre - span / 2.0, centre + span / 2.0)
    } else if a < lo {
        (a, a + span)
    } else {
        (b - span, b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layout::Figures;
    use bufpack::{Buffer, Problem, Solution};

    fn plot() -> Plot {
        Plot::new(50.0, 10.0, 400.0, 200.0)
    }

    fn view() -> Viewport {
        Viewport::new((0.0, 100.0), (0.0, 1000.0))
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9 * (1.0 + a.abs().max(b.abs()))
    }

    #[test]
    fn fit_covers_time_span_and_height_or_capacity_with_headroom() {
        let problem = Problem::new(
            vec![Buffer::new("a", 5, 10, 3), Buffer::new("b", 7, 20, 4)],
            100,
        );
        let solution = Solution::from_offsets(&problem, vec![0, 3]);
        let figures = Figures {
            height: 7,
            ..Figures::default()
        };
        let layout = Layout::new(problem.clone(), None, &solution, figures.clone());
        let fit = Viewport::fit(&layout);
        assert_eq!((fit.t0, fit.t1, fit.o0), (5.0, 20.0, 0.0));
        assert!(close(fit.o1, 7.0 * (1.0 + HEADROOM)));
        let with_capacity = Layout::new(problem, Some(100), &solution, figures);
        assert!(close(
            Viewport::fit(&with_capacity).o1,
            100.0 * (1.0 + HEADROOM)
        ));
        assert!(fit.is_home());
    }

    #[test]
    fn transforms_invert_and_put_offset_zero_at_the_bottom() {
        let (p, v) = (plot(), view());
        assert_eq!(v.x_of(&p, 0.0), 50.0);
        assert_eq!(v.x_of(&p, 100.0), 450.0);
        assert_eq!(v.y_of(&p, 0.0), 210.0);
        assert_eq!(v.y_of(&p, 1000.0), 10.0);
        for (t, o) in [(0.0, 0.0), (12.5, 333.0), (99.0, 999.0)] {
            assert!(close(v.t_of(&p, v.x_of(&p, t)), t));
            assert!(close(v.o_of(&p, v.y_of(&p, o)), o));
        }
    }

    #[test]
    fn zoom_keeps_the_point_under_the_cursor() {
        let p = plot();
        let mut v = view();
        let (x, y) = (150.0, 60.0);
        let (t, o) = (v.t_of(&p, x), v.o_of(&p, y));
        v.zoom_at(&p, x, y, 2.0, Axes::Both);
        assert!(close(v.time_span(), 50.0));
        assert!(close(v.offset_span(), 500.0));
        assert!(close(v.t_of(&p, x), t));
        assert!(close(v.o_of(&p, y), o));
        // Zooming back out by the same factor returns home.
        v.zoom_at(&p, x, y, 0.5, Axes::Both);
        assert!(v.is_home());
        // One axis only.
        v.zoom_at(&p, x, y, 4.0, Axes::Time);
        assert!(close(v.time_span(), 25.0));
        assert!(close(v.offset_span(), 1000.0));
    }

    #[test]
    fn zoom_is_clamped_to_home_and_to_one_unit() {
        let p = plot();
        let mut v = view();
        v.zoom_at(&p, 300.0, 100.0, 0.1, Axes::Both);
        assert!(v.is_home());
        v.zoom_at(&p, 300.0, 100.0, 1e9, Axes::Both);
        assert!(close(v.time_span(), 1.0));
        assert!(close(v.offset_span(), 1.0));
        assert!(v.t0 >= 0.0 && v.t1 <= 100.0);
        // Garbage factors change nothing.
        let before = v;
        v.zoom_at(&p, 300.0, 100.0, f64::NAN, Axes::Both);
        v.zoom_at(&p, 300.0, 100.0, -2.0, Axes::Both);
        assert_eq!(v, before);
        // A home narrower than a unit stays as it is.
        let mut tiny = Viewport::new((0.0, 0.5), (0.0, 0.25));
        tiny.zoom_at(&p, 300.0, 100.0, 10.0, Axes::Both);
        assert!(close(tiny.time_span(), 0.5) && close(tiny.offset_span(), 0.25));
    }

    #[test]
    fn pan_follows_the_drag_and_stops_at_the_edges() {
        let p = plot();
        let mut v = view();
        v.zoom_centre(&p, 4.0);
        let (t0, o0) = (v.t0, v.o0);
        // Drag right by 40 px (a tenth of the plot): earlier times come into view.
        v.pan(&p, 40.0, 0.0);
        assert!(close(v.t0, t0 - 0.1 * 25.0));
        // Drag down by 20 px: higher offsets come into view.
        v.pan(&p, 0.0, 20.0);
        assert!(close(v.o0, o0 + 0.1 * 250.0));
        // Far past the edges: clamped inside home, spans kept.
        v.pan(&p, 1e6, -1e6);
        assert_eq!((v.t0, v.o0), (0.0, 0.0));
        assert!(close(v.time_span(), 25.0));
        v.pan(&p, -1e6, 1e6);
        assert_eq!((v.t1, v.o1), (100.0, 1000.0));
        v.reset();
        assert!(v.is_home());
    }

    #[test]
    fn reveal_pans_the_least_or_centres() {
        let p = plot();
        let mut v = view();
        v.zoom_centre(&p, 10.0); // time [45, 55), offsets [450, 550)
        assert!(!v.reveal(46.0, 50.0, 460.0, 470.0));
        assert!(v.reveal(60.0, 62.0, 500.0, 510.0));
        assert!(close(v.t1, 62.0) && close(v.time_span(), 10.0));
        assert!(v.reveal(0.0, 100.0, 0.0, 5.0));
        assert!(close(v.t0, 45.0) && close(v.o0, 0.0));
    }
}
