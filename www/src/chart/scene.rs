//! From a layout and a view to what the canvas paints: the visible rectangles snapped to
//! pixels, sub-pixel ones merged, grouped by fill colour; and the reverse question, which
//! buffer is under a pixel.
//!
//! Cost matters here (a redraw of 100,000 buffers has a 250 ms budget in the browser): one
//! pass over the visible rectangles, no allocation per rectangle, a counting sort by colour.
//! Merging keeps the number of rectangles handed to the canvas bounded by the plot's pixel
//! area whatever the number of buffers, since a valid packing's rectangles never overlap.

use std::ops::Range;

use crate::chart::viewport::{Plot, Viewport};
use crate::layout::Rect;

/// Rectangles per block of [`RectIndex`]. Small enough that a long rectangle (which makes
/// its block's end time late) forces only a short scan, large enough that the block table
/// is a small fraction of the rectangles.
const BLOCK: usize = 64;

/// Rectangles at least this many pixels wide (tall) give up their last column (row) to the
/// background, so adjacent buffers of one colour do not melt into one block.
const GUTTER_MIN: i32 = 4;

/// A coarse index over the layout's rectangles (sorted by start time) for culling by time:
/// rectangles start in order, but a long one starting before the view can still reach into
/// it, so each block of [`BLOCK`] rectangles records the latest end among them. Blocks that
/// end before the view are skipped whole; built once per layout.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct RectIndex {
    block_end: Vec<i64>,
}

impl RectIndex {
    pub(crate) fn new(rects: &[Rect]) -> RectIndex {
        debug_assert!(rects.windows(2).all(|w| w[0].t0 <= w[1].t0));
        RectIndex {
            block_end: rects
                .chunks(BLOCK)
                .map(|c| c.iter().map(|r| r.t1).max().unwrap_or(0))
                .collect(),
        }
    }

    /// Calls `visit` with the index of every non-empty rectangle that meets the open data
    /// window `(t0, t1) x (o0, o1)` (a rectangle touching the window's edge only is not
    /// visible), in increasing index order.
    pub(crate) fn each_in(
        &self,
        rects: &[Rect],
        (t0, t1): (f64, f64),
        (o0, o1): (f64, f64),
        mut visit: impl FnMut(usize, &Rect),
    ) {
        // Every rectangle from here on starts at or after t1: none reaches into the window.
        let end = rects.partition_point(|r| (r.t0 as f64) < t1);
        for (block, &block_end) in self.block_end.iter().enumerate() {
            let start = block * BLOCK;
            if start >= end {
                break;
            }
            if (block_end as f64) <= t0 {
                continue;
            }
            for (i, r) in rects[start..end.min(start + BLOCK)].iter().enumerate() {
                if (r.t1 as f64) > t0
                    && (r.y1 as f64) > o0
                    && (r.y0 as f64) < o1
                    && r.t1 > r.t0
                    && r.y1 > r.y0
                {
                    visit(start + i, r);
                }
            }
        }
    }
}

/// A rectangle in canvas pixels, `[x0, x1) x [y0, y1)`, y downwards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PixRect {
    pub(crate) x0: i32,
    pub(crate) y0: i32,
    pub(crate) x1: i32,
    pub(crate) y1: i32,
}

impl PixRect {
    pub(crate) fn width(&self) -> i32 {
        self.x1 - self.x0
    }

    pub(crate) fn height(&self) -> i32 {
        self.y1 - self.y0
    }
}

/// What to paint: rectangles grouped by colour key, each group a range of `rects`.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Scene {
    pub(crate) rects: Vec<PixRect>,
    /// `(colour key, range of rects)`, keys ascending, no empty group.
    pub(crate) groups: Vec<(u16, Range<usize>)>,
    /// Layout rectangles that met the view (before merging).
    pub(crate) visible: usize,
}

impl Scene {
    /// Builds the scene of `rects` (the layout's, sorted by start) seen through `view` on
    /// `plot`. `key` gives each rectangle's colour key; keys must be below `keys`.
    pub(crate) fn build(
        rects: &[Rect],
        index: &RectIndex,
        view: &Viewport,
        plot: &Plot,
        keys: usize,
        key: impl Fn(&Rect) -> u16,
    ) -> Scene {
        let mut big: Vec<(u16, PixRect)> = Vec::new();
        // Thin in time: (column << 32 | biased top row, bottom row, key).
        let mut columns: Vec<(u64, i32, u16)> = Vec::new();
        // Thin in memory, wide in time: (row << 32 | biased left column, right column, key).
        let mut rows: Vec<(u64, i32, u16)> = Vec::new();
        let mut visible = 0;
        // Geometry is clipped a pixel outside the plot so huge zooms keep i32 coordinates.
        let (left, right) = (plot.left - 1.0, plot.right() + 1.0);
        let (top, bottom) = (plot.top - 1.0, plot.bottom() + 1.0);
        index.each_in(rects, (view.t0, view.t1), (view.o0, view.o1), |_, r| {
            visible += 1;
            let fx0 = view.x_of(plot, r.t0 as f64).max(left);
            let fx1 = view.x_of(plot, r.t1 as f64).min(right);
            let fy0 = view.y_of(plot, r.y1 as f64).max(top);
            let fy1 = view.y_of(plot, r.y0 as f64).min(bottom);
            let k = key(r);
            if fx1 - fx0 < 1.0 {
                // Sub-pixel in time: one column (the one holding its middle), any height.
                let column = ((fx0 + fx1) / 2.0).floor() as i32;
                let (y0, y1) = snap(fy0, fy1);
                columns.push((pack(column, y0), y1, k));
            } else if fy1 - fy0 < 1.0 {
                let row = ((fy0 + fy1) / 2.0).floor() as i32;
                let (x0, x1) = snap(fx0, fx1);
                rows.push((pack(row, x0), x1, k));
            } else {
                let (x0, mut x1) = snap(fx0, fx1);
                let (y0, mut y1) = snap(fy0, fy1);
                // A hairline of background at the right and bottom of rectangles big enough to
                // spare it: neighbours of one colour stay told apart.
                if x1 - x0 >= GUTTER_MIN {
                    x1 -= 1;
                }
                if y1 - y0 >= GUTTER_MIN {
                    y1 -= 1;
                }
                big.push((k, PixRect { x0, y0, x1, y1 }));
            }
        });
        merge_lines(
            &mut columns,
            |column, y0, y1| PixRect {
                x0: column,
                y0,
                x1: column + 1,
                y1,
            },
            &mut big,
        );
        merge_lines(
            &mut rows,
            |row, x0, x1| PixRect {
                x0,
                y0: row,
                x1,
                y1: row + 1,
            },
            &mut big,
        );
        let (rects, groups) = group_by_key(&big, keys);
        Scene {
            rects,
            groups,
            visible,
        }
    }

    /// Rectangles to paint.
    pub(crate) fn len(&self) -> usize {
        self.rects.len()
    }
}

/// Rounds a pixel extent to whole pixels, at least one wide: crisp edges, and rectangles
/// that touch in data touch on screen.
fn snap(a: f64, b: f64) -> (i32, i32) {
    let a = a.round() as i32;
    (a, (b.round() as i32).max(a + 1))
}

/// Bias that makes an i32 sort as a u32.
const BIAS: i64 = 1 << 31;

fn pack(line: i32, start: i32) -> u64 {
    ((line as i64 + BIAS) as u64) << 32 | (start as i64 + BIAS) as u64
}

fn unpack(packed: u64) -> (i32, i32) {
    (
        ((packed >> 32) as i64 - BIAS) as i32,
        ((packed & 0xffff_ffff) as i64 - BIAS) as i32,
    )
}

/// Merges one-pixel-wide spans along each line (a column or a row): sorted by line then
/// start, each span is clipped to begin after what the line already covers (so spans in a
/// line never overlap: at most one per pixel), and a span continuing the previous one in the
/// same colour extends it. Whichever colour starts first in a pixel keeps it: below a pixel
/// any representative colour is honest.
fn merge_lines(
    spans: &mut [(u64, i32, u16)],
    rect: impl Fn(i32, i32, i32) -> PixRect,
    out: &mut Vec<(u16, PixRect)>,
) {
    spans.sort_unstable_by_key(|&(packed, _, _)| packed);
    let mut current: Option<(i32, i32, i32, u16)> = None; // line, start, end, key
    let mut covered = (i32::MIN, i32::MIN); // line, end of coverage
    for &(packed, end, key) in spans.iter() {
        let (line, start) = unpack(packed);
        let start = if covered.0 == line {
            start.max(covered.1)
        } else {
            start
        };
        if start >= end {
            continue;
        }
        covered = (
            line,
            end.max(if covered.0 == line { covered.1 } else { end }),
        );
        match &mut current {
            Some((l, _, e, k)) if *l == line && *e == start && *k == key => *e = end,
            _ => {
                if let Some((l, s, e, k)) = current {
                    out.push((k, rect(l, s, e)));
                }
                current = Some((line, start, end, key));
            }
        }
    }
    if let Some((l, s, e, k)) = current {
        out.push((k, rect(l, s, e)));
    }
}

/// A counting sort by key: linear, and keys are few (the palette's size).
fn group_by_key(items: &[(u16, PixRect)], keys: usize) -> (Vec<PixRect>, Vec<(u16, Range<usize>)>) {
    let mut counts = vec![0usize; keys + 1];
    for &(k, _) in items {
        counts[(k as usize).min(keys)] += 1;
    }
    let mut starts = Vec::with_capacity(counts.len());
    let mut groups = Vec::new();
    let mut at = 0;
    for (k, &n) in counts.iter().enumerate() {
        starts.push(at);
        if n > 0 {
            groups.push((k as u16, at..at + n));
        }
        at += n;
    }
    let mut rects = vec![PixRect::default(); items.len()];
    for &(k, r) in items {
        let slot = &mut starts[(k as usize).min(keys)];
        rects[*slot] = r;
        *slot += 1;
    }
    (rects, groups)
}

/// The rectangle (index into `rects`) under canvas pixel `(x, y)`: exactly on the unsnapped
/// rectangle first (the last in paint order if several); failing that, the nearest within
/// `slop` pixels, so sub-pixel buffers can still be pointed at.
pub(crate) fn hit(
    rects: &[Rect],
    index: &RectIndex,
    view: &Viewport,
    plot: &Plot,
    (x, y): (f64, f64),
    slop: f64,
) -> Option<usize> {
    if !plot.contains(x, y) {
        return None;
    }
    let (t, o) = (view.t_of(plot, x), view.o_of(plot, y));
    let mut exact = None;
    let (dt, doff) = (
        slop / plot.width * view.time_span(),
        slop / plot.height * view.offset_span(),
    );
    let mut near: Option<(f64, usize)> = None;
    index.each_in(rects, (t - dt, t + dt), (o - doff, o + doff), |i, r| {
        let (t0, t1, y0, y1) = (r.t0 as f64, r.t1 as f64, r.y0 as f64, r.y1 as f64);
        if t0 <= t && t < t1 && y0 <= o && o < y1 {
            exact = Some(i);
        } else if exact.is_none() {
            // Pixel distance from the point to the rectangle.
            let ddx = (view.x_of(plot, t0) - x)
                .max(x - view.x_of(plot, t1))
                .max(0.0);
            let ddy = (view.y_of(plot, y1) - y)
                .max(y - view.y_of(plot, y0))
                .max(0.0);
            let d = ddx.hypot(ddy);
            if d <= slop && near.map_or(true, |(best, _)| d <= best) {
                near = Some((d, i));
            }
        }
    });
    exact.or(near.map(|(_, i)| i))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rect(buffer: u32, t0: i64, t1: i64, y0: i64, y1: i64) -> Rect {
        Rect {
            buffer,
            t0,
            t1,
            y0,
            y1,
            in_gap: false,
        }
    }

    fn sorted(mut rects: Vec<Rect>) -> Vec<Rect> {
        rects.sort_unstable_by_key(|r| (r.t0, r.buffer));
        rects
    }

    /// Visible by brute force, for comparison.
    fn brute(rects: &[Rect], v: &Viewport) -> Vec<usize> {
        (0..rects.len())
            .filter(|&i| {
                let r = &rects[i];
                (r.t1 as f64) > v.t0
                    && (r.t0 as f64) < v.t1
                    && (r.y1 as f64) > v.o0
                    && (r.y0 as f64) < v.o1
                    && r.t1 > r.t0
                    && r.y1 > r.y0
            })
            .collect()
    }

    fn culled(rects: &[Rect], v: &Viewport) -> Vec<usize> {
        let mut found = Vec::new();
        RectIndex::new(rects).each_in(rects, (v.t0, v.t1), (v.o0, v.o1), |i, _| found.push(i));
        found
    }

    /// A pseudo-random layout of `n` buffers in a staircase (valid: no two overlap).
    fn staircase(n: usize, long_every: usize) -> Vec<Rect> {
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        let rects = (0..n)
            .map(|i| {
                let t0 = next() % 10_000;
                let len = if long_every > 0 && i % long_every == 0 {
                    9_000
                } else {
                    1 + next() % 50
                };
                rect(
                    i as u32,
                    t0,
                    t0 + len,
                    i as i64 * 10,
                    i as i64 * 10 + 1 + next() % 9,
                )
            })
            .collect();
        sorted(rects)
    }

    #[test]
    fn culling_keeps_exactly_the_visible_rects() {
        let rects = staircase(5_000, 0);
        for (t, o) in [
            ((0.0, 10_050.0), (0.0, 50_000.0)),
            ((2_000.0, 2_100.0), (0.0, 50_000.0)),
            ((2_000.0, 2_100.0), (10_000.0, 11_000.0)),
            ((-50.0, 0.5), (0.0, 1e9)),
            ((9_999.5, 20_000.0), (0.0, 1e9)),
        ] {
            let v = Viewport::new(t, o);
            assert_eq!(culled(&rects, &v), brute(&rects, &v), "view {t:?} {o:?}");
        }
    }

    #[test]
    fn long_rects_starting_left_of_the_view_are_kept() {
        // One long rect first, then many short ones; view far right of its start.
        let mut rects = vec![rect(0, 0, 1_000, 0, 10)];
        rects.extend((1..1_000).map(|i| rect(i, i as i64, i as i64 + 1, 10, 20)));
        let rects = sorted(rects);
        let v = Viewport::new((900.0, 950.0), (0.0, 100.0));
        let found = culled(&rects, &v);
        assert!(found.contains(&0));
        assert_eq!(found, brute(&rects, &v));
        // And scattered long rects in a big random layout.
        let rects = staircase(20_000, 97);
        for t in [(5_000.0, 5_010.0), (9_500.0, 9_600.0), (1_000.0, 1_001.0)] {
            let v = Viewport::new(t, (0.0, 1e9));
            let found = culled(&rects, &v);
            assert_eq!(found, brute(&rects, &v));
            assert!(found.iter().any(|&i| rects[i].t1 - rects[i].t0 == 9_000));
        }
        // A rect ending exactly where the view starts is not visible (half-open).
        let v = Viewport::new((1_000.0, 1_010.0), (0.0, 100.0));
        assert!(!culled(&[rect(0, 0, 1_000, 0, 10)], &v).contains(&0));
    }

    #[test]
    fn big_rects_snap_and_group_by_colour() {
        let rects = sorted(vec![
            rect(0, 0, 5, 0, 50),
            rect(1, 5, 10, 0, 100),
            rect(2, 0, 5, 50, 100),
        ]);
        let v = Viewport::new((0.0, 10.0), (0.0, 100.0));
        let plot = Plot::new(10.0, 0.0, 100.0, 100.0);
        let scene = Scene::build(&rects, &RectIndex::new(&rects), &v, &plot, 4, |r| {
            (r.buffer % 2) as u16
        });
        assert_eq!(scene.visible, 3);
        assert_eq!(scene.len(), 3);
        assert_eq!(scene.groups.len(), 2);
        assert_eq!(scene.groups[0], (0, 0..2));
        assert_eq!(scene.groups[1], (1, 2..3));
        // Snapped, less the one-pixel gutter at the right and bottom.
        let px = |x0, y0, x1, y1| PixRect { x0, y0, x1, y1 };
        assert_eq!(scene.rects[2], px(60, 0, 109, 99));
        let mut zero = scene.rects[0..2].to_vec();
        zero.sort_by_key(|r| r.y0);
        assert_eq!(zero, [px(10, 0, 59, 49), px(10, 50, 59, 99)]);
        // Thin ones (2 px tall here) keep every pixel that way.
        let small = [rect(0, 0, 1, 0, 2)];
        let scene = Scene::build(&small, &RectIndex::new(&small), &v, &plot, 1, |_| 0);
        assert_eq!(scene.rects, [px(10, 98, 19, 100)]);
    }

    #[test]
    fn merging_bounds_the_count_by_the_pixel_area() {
        let (w, h) = (200.0, 100.0);
        let plot = Plot::new(0.0, 0.0, w, h);
        // A million one-instant buffers side by side: 5,000 per pixel column.
        let n = 1_000_000;
        let wide: Vec<Rect> = (0..n)
            .map(|i| {
                rect(
                    i as u32,
                    i as i64,
                    i as i64 + 1,
                    0,
                    1 + (i as i64 % 7) * 100,
                )
            })
            .collect();
        let v = Viewport::new((0.0, n as f64), (0.0, 1000.0));
        let scene = Scene::build(&wide, &RectIndex::new(&wide), &v, &plot, 2, |r| {
            (r.buffer % 2) as u16
        });
        assert_eq!(scene.visible, n);
        assert!(scene.len() <= (w * h) as usize, "{} rects", scene.len());
        assert!(
            scene.len() <= 2 * w as usize + 2,
            "{} rects (one span per column and colour)",
            scene.len()
        );
        // A million one-unit buffers stacked: 10,000 per pixel row, full width.
        let tall: Vec<Rect> = (0..n)
            .map(|i| rect(i as u32, 0, 10, i as i64, i as i64 + 1))
            .collect();
        let v = Viewport::new((0.0, 10.0), (0.0, n as f64));
        let scene = Scene::build(&tall, &RectIndex::new(&tall), &v, &plot, 2, |_| 0);
        assert!(scene.len() <= h as usize + 1, "{} rects", scene.len());
        // A million tiny ones in a grid, both dimensions sub-pixel, three colours.
        let grid: Vec<Rect> = sorted(
            (0..n)
                .map(|i| {
                    rect(
                        i as u32,
                        (i % 1000) as i64,
                        (i % 1000) as i64 + 1,
                        (i / 1000) as i64,
                        (i / 1000) as i64 + 1,
                    )
                })
                .collect(),
        );
        let v = Viewport::new((0.0, 1000.0), (0.0, 1000.0));
        let scene = Scene::build(&grid, &RectIndex::new(&grid), &v, &plot, 3, |r| {
            (r.buffer % 3) as u16
        });
        assert_eq!(scene.visible, n);
        assert!(
            scene.len() <= ((w + 2.0) * (h + 2.0)) as usize,
            "{} rects",
            scene.len()
        );
        // Every drawn rect is inside the plot (give or take the one-pixel clip margin).
        assert!(scene
            .rects
            .iter()
            .all(|r| r.x0 >= -1 && r.x1 <= w as i32 + 1 && r.width() > 0 && r.height() > 0));
    }

    #[test]
    fn merged_spans_in_a_line_do_not_overlap_and_join_same_colours() {
        let mut out = Vec::new();
        let mut spans = vec![
            (pack(3, 10), 20, 0u16),
            (pack(3, 20), 25, 0),
            (pack(3, 22), 30, 1),
            (pack(3, 40), 41, 1),
            (pack(4, 0), 5, 1),
        ];
        merge_lines(
            &mut spans,
            |l, a, b| PixRect {
                x0: l,
                y0: a,
                x1: l + 1,
                y1: b,
            },
            &mut out,
        );
        assert_eq!(
            out,
            [
                (
                    0,
                    PixRect {
                        x0: 3,
                        y0: 10,
                        x1: 4,
                        y1: 25
                    }
                ),
                (
                    1,
                    PixRect {
                        x0: 3,
                        y0: 25,
                        x1: 4,
                        y1: 30
                    }
                ),
                (
                    1,
                    PixRect {
                        x0: 3,
                        y0: 40,
                        x1: 4,
                        y1: 41
                    }
                ),
                (
                    1,
                    PixRect {
                        x0: 4,
                        y0: 0,
                        x1: 5,
                        y1: 5
                    }
                ),
            ]
        );
        assert_eq!(unpack(pack(-7, -100_000)), (-7, -100_000));
    }

    #[test]
    fn hit_test_finds_the_buffer_under_the_pixel() {
        let rects = sorted(vec![
            rect(0, 0, 50, 0, 500),
            rect(1, 50, 100, 0, 1000),
            rect(2, 0, 50, 500, 501),
        ]);
        let index = RectIndex::new(&rects);
        let v = Viewport::new((0.0, 100.0), (0.0, 1000.0));
        let plot = Plot::new(0.0, 0.0, 100.0, 100.0);
        let buffer =
            |x, y, slop| hit(&rects, &index, &v, &plot, (x, y), slop).map(|i| rects[i].buffer);
        assert_eq!(buffer(10.0, 80.0, 0.0), Some(0));
        assert_eq!(buffer(75.0, 1.0, 0.0), Some(1));
        // Exact on unsnapped rects: buffer 2 is a tenth of a pixel tall at y 49.9..50.
        assert_eq!(buffer(10.0, 49.95, 0.0), Some(2));
        assert_eq!(buffer(10.0, 49.5, 0.0), None);
        // Within slop the nearest wins; exact beats near.
        assert_eq!(buffer(10.0, 49.5, 3.0), Some(2));
        assert_eq!(buffer(10.0, 20.0, 3.0), None);
        assert_eq!(buffer(49.0, 52.0, 3.0), Some(0));
        // Outside the plot: nothing.
        assert_eq!(buffer(150.0, 50.0, 3.0), None);
        // A long rect starting left of the view.
        let zoomed = Viewport::new((40.0, 45.0), (0.0, 1000.0));
        assert_eq!(
            hit(&rects, &index, &zoomed, &plot, (50.0, 80.0), 0.0).map(|i| rects[i].buffer),
            Some(0)
        );
    }
}
