//! What is written on the chart besides the buffers: the reference lines (capacity, peak,
//! lower bound) and their dashes, their labels and the load's, each placed clear of the
//! others, and the operators' names under the time axis. All of it is placement in pixels,
//! decided before anything is drawn (text extents are estimated, as the SVG cannot measure),
//! so it is tested here without a backend.

use plotters::style::text_anchor::{HPos, VPos};

use crate::chart::axis::bytes_label;
use crate::chart::colour::Rgb;
use crate::chart::draw::Frame;
use crate::chart::viewport::{Plot, Viewport};

/// A horizontal reference line (capacity, peak, lower bound) at pixel `y`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct RefLine {
    pub(super) y: f64,
    pub(super) colour: Rgb,
    pub(super) dash: Dash,
}

/// A text on the plot: drawn at `at` with the alignment `h`, `v`, its estimated extent
/// `bounds` (so labels can keep clear of each other).
#[derive(Clone)]
pub(super) struct Label {
    pub(super) text: String,
    pub(super) colour: Rgb,
    /// Font size in CSS pixels.
    pub(super) size: f64,
    pub(super) at: (f64, f64),
    pub(super) h: HPos,
    pub(super) v: VPos,
    bounds: Bounds,
}

/// A box in pixels, `[x0, x1) x [y0, y1)`.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Bounds {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Bounds {
    fn overlaps(&self, other: &Bounds) -> bool {
        self.x0 < other.x1 && other.x0 < self.x1 && self.y0 < other.y1 && other.y0 < self.y1
    }

    fn inside(&self, plot: &Plot) -> bool {
        self.x0 >= plot.left
            && self.x1 <= plot.right()
            && self.y0 >= plot.top
            && self.y1 <= plot.bottom()
    }
}

/// Font size of a step's operator name under the time axis, and the height of a row of them.
pub(super) const STEP_FONT: f64 = 11.0;
pub(super) const STEP_ROW: f64 = 14.0;
/// Steps in view beyond which names are not tried (they could not fit).
const MAX_NAMED_STEPS: f64 = 200.0;

/// An operator name under the time axis: centred on its step at `x` (device pixels), in
/// row 0 or, staggered, row 1.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct StepName {
    pub(super) x: f64,
    pub(super) text: String,
    pub(super) row: usize,
}

/// The names of the steps in view, centred on their steps, when every one fits: in one row,
/// or staggered over two (each then has two steps' width). `None` when they do not (the
/// axis keeps its numbers, and the tooltip names the step).
pub(super) fn step_names(
    steps: &[String],
    view: &Viewport,
    plot: &Plot,
    scale: f64,
) -> Option<Vec<StepName>> {
    let span = view.time_span();
    if span <= 0.0 || span > MAX_NAMED_STEPS || plot.width <= 0.0 {
        return None;
    }
    let per_step = plot.width / span;
    let first = (view.t0 - 0.5).ceil().max(0.0) as usize;
    let visible: Vec<usize> = (first..steps.len())
        .take_while(|&t| t as f64 + 0.5 <= view.t1)
        .collect();
    let widest = visible
        .iter()
        .map(|&t| text_extent(&steps[t], STEP_FONT * scale).0)
        .fold(0.0, f64::max);
    let needed = widest + 6.0 * scale;
    let rows = if needed <= per_step {
        1
    } else if needed <= 2.0 * per_step {
        2
    } else {
        return None;
    };
    Some(
        visible
            .into_iter()
            .map(|t| StepName {
                x: view.x_of(plot, t as f64 + 0.5),
                text: steps[t].clone(),
                row: if rows == 2 { t % 2 } else { 0 },
            })
            .collect(),
    )
}

/// The extent of `text` in a sans-serif font of `size` pixels, estimated generously (the
/// same on the canvas and in the SVG, where nothing can be measured).
fn text_extent(text: &str, size: f64) -> (f64, f64) {
    (0.62 * size * text.chars().count() as f64, size)
}

/// The box of a text of extent `(w, h)` drawn at `(x, y)` aligned `h`, `v`.
fn bounds_at((x, y): (f64, f64), (w, hgt): (f64, f64), h: HPos, v: VPos) -> Bounds {
    let x0 = match h {
        HPos::Left => x,
        HPos::Center => x - w / 2.0,
        HPos::Right => x - w,
    };
    let y0 = match v {
        VPos::Top => y,
        VPos::Center => y - hgt / 2.0,
        VPos::Bottom => y - hgt,
    };
    Bounds {
        x0,
        y0,
        x1: x0 + w,
        y1: y0 + hgt,
    }
}

/// The reference lines in view and all labels: each line's at the right (the left when
/// crowded), then "load" at the load curve's highest point, where it clears them: above
/// the point, else above it beside a label in the way, else the same below it; not at all
/// if none fits inside the plot. (Centred above the point alone, it ran into the capacity
/// label whenever the load peaked near the right edge at the capacity.)
pub(super) fn annotations(
    frame: &Frame<'_>,
    plot: &Plot,
    envelope: &[Option<i64>],
) -> (Vec<RefLine>, Vec<Label>) {
    let (theme, view, scale) = (frame.theme, frame.view, frame.scale);
    let figures = &frame.layout.figures;
    let mut wanted: Vec<(f64, Rgb, &str, Dash)> = Vec::new();
    if let Some(capacity) = frame.layout.capacity {
        wanted.push((capacity as f64, theme.capacity, "capacity", Dash::Long));
    }
    wanted.push((figures.height as f64, theme.peak, "peak", Dash::Solid));
    if figures.lower_bound > 0 && figures.lower_bound < figures.height {
        wanted.push((
            figures.lower_bound as f64,
            theme.bound,
            "lower bound",
            Dash::Short,
        ));
    }
    let mut lines = Vec::new();
    let mut labels: Vec<Label> = Vec::new();
    // (y, labelled on the right)
    let mut labelled: Vec<(f64, bool)> = Vec::new();
    for (value, colour, name, dash) in wanted {
        let y = view.y_of(plot, value);
        if y < plot.top || y > plot.bottom() {
            continue;
        }
        lines.push(RefLine { y, colour, dash });
        let crowded = |right: bool| {
            labelled
                .iter()
                .any(|&(ly, lr)| lr == right && (ly - y).abs() < 16.0 * scale)
        };
        let right = !crowded(true);
        if crowded(right) {
            continue;
        }
        labelled.push((y, right));
        let (x, h) = if right {
            (plot.right() - 4.0 * scale, HPos::Right)
        } else {
            (plot.left + 4.0 * scale, HPos::Left)
        };
        let text = format!("{name} {}", bytes_label(value as i64));
        let (v, dy) = if y - plot.top < 16.0 * scale {
            (VPos::Top, 3.0)
        } else {
            (VPos::Bottom, -3.0)
        };
        let size = 11.5;
        let at = (x, y + dy * scale);
        let bounds = bounds_at(at, text_extent(&text, size * scale), h, v);
        labels.push(Label {
            text,
            colour,
            size,
            at,
            h,
            v,
            bounds,
        });
    }
    // The last highest column: the load's peak.
    let peak = envelope
        .iter()
        .enumerate()
        .filter_map(|(column, load)| load.map(|l| (column, l)))
        .max_by_key(|&(_, load)| load);
    if let Some((column, load)) = peak {
        let (x, y) = (plot.left + column as f64, view.y_of(plot, load as f64));
        let size = 11.0;
        let extent = text_extent("load", size * scale);
        let margin = 3.0 * scale;
        let taken: Vec<Bounds> = labels.iter().map(|l| l.bounds).collect();
        // Centred at x, moved inside the plot's width.
        let centred = |x: f64| {
            let half = extent.0 / 2.0 + 2.0 * scale;
            x.clamp(
                plot.left + half,
                (plot.right() - half).max(plot.left + half),
            )
        };
        // Above the point, then below it; at the point, else beside a label in the way.
        let mut xs = vec![x];
        for other in &taken {
            xs.push(other.x0 - extent.0 / 2.0 - 4.0 * scale);
            xs.push(other.x1 + extent.0 / 2.0 + 4.0 * scale);
        }
        let candidates = [(y - margin, VPos::Bottom), (y + margin, VPos::Top)]
            .into_iter()
            .flat_map(|(y, v)| xs.iter().map(move |&x| ((centred(x), y), v)));
        let fits =
            |bounds: &Bounds| bounds.inside(plot) && !taken.iter().any(|t| t.overlaps(bounds));
        if let Some((at, v, bounds)) = candidates
            .map(|(at, v)| (at, v, bounds_at(at, extent, HPos::Center, v)))
            .find(|(_, _, bounds)| fits(bounds))
        {
            labels.push(Label {
                text: "load".to_string(),
                colour: theme.load_line,
                size,
                at,
                h: HPos::Center,
                v,
                bounds,
            });
        }
    }
    (lines, labels)
}

/// Dash patterns for the reference lines (plotters 0.3.7 strokes solid paths only).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Dash {
    Solid,
    Long,
    Short,
}

impl Dash {
    pub(super) fn segments(self, from: f64, to: f64, scale: f64) -> Vec<(f64, f64)> {
        let (on, off) = match self {
            Dash::Solid => return vec![(from, to)],
            Dash::Long => (10.0 * scale, 5.0 * scale),
            Dash::Short => (3.0 * scale, 4.0 * scale),
        };
        let mut out = Vec::new();
        let mut x = from;
        while x < to {
            out.push((x, (x + on).min(to)));
            x += on + off;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::colour::{ColourMode, Palette, Theme};
    use crate::chart::draw::{load_envelope, plot_area};
    use crate::layout::{Figures, Layout};
    use bufpack::{Buffer, Problem, Solution};

    #[test]
    fn step_names_show_when_they_fit_in_one_row_or_two() {
        let steps: Vec<String> = ["(before)", "inputs", "FULLY_CONNECTED", "ADD"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let view = Viewport::new((1.0, 4.0), (0.0, 64.0));
        // 3 steps in view: "inputs", "FULLY_CONNECTED", "ADD".
        let wide = Plot::new(0.0, 0.0, 600.0, 100.0);
        let names = step_names(&steps, &view, &wide, 1.0).unwrap();
        assert_eq!(
            names,
            vec![
                StepName {
                    x: 100.0,
                    text: "inputs".into(),
                    row: 0
                },
                StepName {
                    x: 300.0,
                    text: "FULLY_CONNECTED".into(),
                    row: 0
                },
                StepName {
                    x: 500.0,
                    text: "ADD".into(),
                    row: 0
                },
            ]
        );
        // 100 pixels a step: the longest name (about 108 with its margin) needs two rows.
        let narrow = Plot::new(0.0, 0.0, 300.0, 100.0);
        let rows: Vec<usize> = step_names(&steps, &view, &narrow, 1.0)
            .unwrap()
            .iter()
            .map(|n| n.row)
            .collect();
        assert_eq!(rows, vec![1, 0, 1]);
        // Too narrow even staggered: the axis keeps its numbers.
        assert_eq!(
            step_names(&steps, &view, &Plot::new(0.0, 0.0, 150.0, 100.0), 1.0),
            None
        );
        // On a high-density screen the text is larger in device pixels, and so is the plot.
        assert_eq!(step_names(&steps, &view, &narrow, 2.0), None);
    }

    fn labels_of(layout: &Layout, width: u32, height: u32) -> (Plot, Vec<Label>) {
        let (theme, view) = (Theme::light(), Viewport::fit(layout));
        let palette = Palette::new(ColourMode::Size, &theme);
        let frame = Frame {
            layout,
            index: &layout.index,
            colours: layout.colours.of(ColourMode::Size),
            palette: &palette,
            theme: &theme,
            view: &view,
            selected: None,
            highlight: None,
            neighbours: &[],
            scale: 1.0,
        };
        let plot = plot_area(width, height, 1.0);
        let envelope = load_envelope(layout, &view, &plot);
        (plot, annotations(&frame, &plot, &envelope).1)
    }

    fn assert_apart(plot: &Plot, labels: &[Label]) {
        for (i, a) in labels.iter().enumerate() {
            assert!(a.bounds.inside(plot), "{} outside the plot", a.text);
            for b in &labels[i + 1..] {
                assert!(!a.bounds.overlaps(&b.bounds), "{} over {}", a.text, b.text);
            }
        }
    }

    #[test]
    fn the_load_label_keeps_clear_of_the_line_labels() {
        // The load peaks at the right edge, at the capacity and the height: "load" centred
        // above its peak would sit on "capacity 8".
        let problem = Problem::new(
            vec![Buffer::new("a", 0, 10, 4), Buffer::new("b", 8, 10, 4)],
            8,
        );
        let solution = Solution::from_offsets(&problem, vec![0, 4]);
        let figures = Figures {
            height: 8,
            lower_bound: 8,
            load: 8,
            ..Figures::default()
        };
        let layout = Layout::new(problem, Some(8), &solution, figures);
        for (w, h) in [(800, 400), (320, 200), (1280, 700)] {
            let (plot, labels) = labels_of(&layout, w, h);
            let texts: Vec<&str> = labels.iter().map(|l| l.text.as_str()).collect();
            assert_eq!(texts, ["capacity 8", "peak 8", "load"], "{w}x{h}");
            assert_apart(&plot, &labels);
        }
        // Nothing in the way: centred above the end of the highest step (load 3 over
        // [0, 4)), the peak line's label far to the right.
        let problem = Problem::new(
            vec![Buffer::new("a", 0, 4, 3), Buffer::new("b", 4, 10, 1)],
            8,
        );
        let solution = Solution::from_offsets(&problem, vec![0, 5]);
        let figures = Figures {
            height: 6,
            ..Figures::default()
        };
        let layout = Layout::new(problem, None, &solution, figures);
        let (plot, labels) = labels_of(&layout, 800, 400);
        assert_apart(&plot, &labels);
        let load = labels
            .iter()
            .find(|l| l.text == "load")
            .expect("a load label");
        let view = Viewport::fit(&layout);
        let x = view.x_of(&plot, 4.0).floor() - 1.0;
        assert!((load.at.0 - x).abs() <= 1.0, "{} vs {x}", load.at.0);
        assert!(load.bounds.y1 <= view.y_of(&plot, 3.0));
    }

    #[test]
    fn dashes_cover_the_line_in_pieces() {
        assert_eq!(Dash::Solid.segments(0.0, 100.0, 1.0), [(0.0, 100.0)]);
        let long = Dash::Long.segments(0.0, 100.0, 1.0);
        assert_eq!(long.first(), Some(&(0.0, 10.0)));
        assert!(long.iter().all(|&(a, b)| a < b && b <= 100.0));
    }
}
