//! The selection layer's outlines: which time windows to look in (the lifespans of the
//! selected buffer, its neighbours and the search match, cut to the view and merged), so a
//! million buffers in view cost a walk of a few hundred rectangles, and each rectangle's
//! outline in pixels, grown so a buffer thinner than a pixel still shows where it is.

use crate::chart::draw::Frame;
use crate::chart::scene::PixRect;
use crate::chart::viewport::{Plot, Viewport};

/// The time windows to look for outlined rectangles in: the lifespans of the selected buffer,
/// its neighbours and the search match, within the view, merged where they meet (so no
/// rectangle is outlined twice).
pub(super) fn outline_windows(frame: &Frame<'_>) -> Vec<(f64, f64)> {
    let view = frame.view;
    // Sorted as (lower, upper) integer pairs, the (i64, i64) sort the crate's other sorts
    // share (wasm size): clamping to the view keeps the order of the lower ends.
    let mut lifespans: Vec<(i64, i64)> = [frame.selected, frame.highlight]
        .into_iter()
        .flatten()
        .chain(frame.neighbours.iter().copied())
        .filter_map(|i| frame.layout.problem.buffers.get(i))
        .map(|b| (b.lifespan.lower, b.lifespan.upper))
        .collect();
    lifespans.sort_unstable();
    let windows = lifespans
        .into_iter()
        .map(|(lower, upper)| ((lower as f64).max(view.t0), (upper as f64).min(view.t1)))
        .filter(|(a, b)| a < b);
    let mut merged: Vec<(f64, f64)> = Vec::new();
    for (a, b) in windows {
        match merged.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    merged
}

/// The pixel outline of a rectangle, clipped a little outside the plot, grown to at least
/// `min` pixels each way so a sub-pixel buffer still shows where it is.
pub(super) fn outline(view: &Viewport, plot: &Plot, r: &crate::layout::Rect, min: f64) -> PixRect {
    let (left, right, top, bottom) = (plot.left, plot.right(), plot.top, plot.bottom());
    let mut x0 = view.x_of(plot, r.t0 as f64).clamp(left, right);
    let mut x1 = view.x_of(plot, r.t1 as f64).clamp(left, right);
    let mut y0 = view.y_of(plot, r.y1 as f64).clamp(top, bottom);
    let mut y1 = view.y_of(plot, r.y0 as f64).clamp(top, bottom);
    if x1 - x0 < min {
        let c = (x0 + x1) / 2.0;
        (x0, x1) = (c - min / 2.0, c + min / 2.0);
    }
    if y1 - y0 < min {
        let c = (y0 + y1) / 2.0;
        (y0, y1) = (c - min / 2.0, c + min / 2.0);
    }
    // Inside the plot: outlines are stroked inside their rectangle (see the canvas painter).
    PixRect {
        x0: x0.max(left).round() as i32,
        y0: y0.max(top).round() as i32,
        x1: x1.min(right).round() as i32,
        y1: y1.min(bottom).round() as i32,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::backend::Backend;
    use crate::chart::colour::{ColourMode, Palette, Theme};
    use crate::chart::draw::draw;
    use plotters::prelude::SVGBackend;

    #[test]
    fn outlines_are_sought_in_the_lifespans_in_view_once() {
        let layout = crate::layout::sample(); // a [0, 4), b [2, 6), c [6, 8)
        let (theme, palette) = (
            Theme::light(),
            Palette::new(ColourMode::Size, &Theme::light()),
        );
        let windows = |view: Viewport, selected, highlight, neighbours: &[usize]| {
            let frame = Frame {
                layout: &layout,
                index: &layout.index,
                colours: layout.colours.of(ColourMode::Size),
                palette: &palette,
                theme: &theme,
                view: &view,
                selected,
                highlight,
                neighbours,
                scale: 1.0,
            };
            outline_windows(&frame)
        };
        let all = Viewport::new((0.0, 8.0), (0.0, 8.0));
        assert_eq!(windows(all, Some(0), None, &[]), [(0.0, 4.0)]);
        // Overlapping lifespans merge (the selection's and its neighbour's here); apart they
        // stay apart.
        assert_eq!(windows(all, Some(0), None, &[1]), [(0.0, 6.0)]);
        assert_eq!(windows(all, Some(0), Some(1), &[]), [(0.0, 6.0)]);
        assert_eq!(
            windows(all, Some(2), Some(0), &[]),
            [(0.0, 4.0), (6.0, 8.0)]
        );
        // Cut to the view; out of view, nothing.
        let right = Viewport::new((5.0, 8.0), (0.0, 8.0));
        assert_eq!(windows(right, Some(1), None, &[]), [(5.0, 6.0)]);
        assert!(windows(right, Some(0), None, &[]).is_empty());
        assert!(windows(all, None, None, &[]).is_empty());
        // The drawing outlines the selection and its neighbour: two more rectangles in the
        // SVG than without a selection (the selection's halo and line are strokes too).
        let mut plain = String::new();
        let mut marked = String::new();
        for (out, selected) in [(&mut plain, None), (&mut marked, Some(0))] {
            let frame = Frame {
                layout: &layout,
                index: &layout.index,
                colours: layout.colours.of(ColourMode::Size),
                palette: &palette,
                theme: &theme,
                view: &all,
                selected,
                highlight: None,
                neighbours: &[1],
                scale: 1.0,
            };
            draw(
                Backend::Svg(SVGBackend::with_string(out, (400, 300))),
                &frame,
                None,
                None,
            )
            .unwrap();
        }
        // Buffer a: halo and line; its neighbour b (three pieces, one after a's life): one
        // outline each.
        assert_eq!(
            marked.matches("<rect").count() - plain.matches("<rect").count(),
            2 + 3
        );
    }
}
