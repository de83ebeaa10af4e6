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
use crate::slices::{Pair, SliceSort};

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
pub struct RectIndex {
    block_end: Vec<i64>,
}

impl RectIndex {
    /// The index of `rects` in one go.
    #[cfg(test)]
    pub fn new(rects: &[Rect]) -> RectIndex {
        let mut index = RectIndex::default();
        while !index.grow(rects, usize::MAX) {}
        index
    }

    /// How many rectangles are indexed.
    pub fn covered(&self) -> usize {
        self.block_end.len() * BLOCK
    }

    /// Indexes about `work` more of `rects` (sorted by start); true when all are. The
    /// layout's build does this a slice at a time.
    pub fn grow(&mut self, rects: &[Rect], work: usize) -> bool {
        let start = (self.block_end.len() * BLOCK).min(rects.len());
        // Whole blocks only (the last one excepted).
        let blocks = work.max(1).div_ceil(BLOCK);
        let end = start
            .saturating_add(blocks.saturating_mul(BLOCK))
            .min(rects.len());
        debug_assert!(rects[start..end].windows(2).all(|w| w[0].t0 <= w[1].t0));
        self.block_end.extend(
            rects[start..end]
                .chunks(BLOCK)
                .map(|c| c.iter().map(|r| r.t1).max().unwrap_or(0)),
        );
        end == rects.len()
    }

    /// Calls `visit` with the index of every non-empty rectangle that meets the open data
    /// window `(t0, t1) x (o0, o1)` (a rectangle touching the window's edge only is not
    /// visible), in increasing index order.
    pub fn each_in(
        &self,
        rects: &[Rect],
        window: (f64, f64),
        offsets: (f64, f64),
        visit: impl FnMut(usize, &Rect),
    ) {
        self.each_in_range(rects, window, offsets, 0..rects.len(), visit);
    }

    /// [`RectIndex::each_in`] for the rectangles of `range` only: a long walk can be done a
    /// range at a time.
    pub fn each_in_range(
        &self,
        rects: &[Rect],
        (t0, t1): (f64, f64),
        (o0, o1): (f64, f64),
        range: Range<usize>,
        mut visit: impl FnMut(usize, &Rect),
    ) {
        // Every rectangle from here on starts at or after t1: none reaches into the window.
        let end = rects.partition_point(|r| (r.t0 as f64) < t1).min(range.end);
        let mut block = range.start / BLOCK;
        while block * BLOCK < end {
            let start = (block * BLOCK).max(range.start);
            let block_end = self.block_end[block];
            block += 1;
            if (block_end as f64) <= t0 {
                continue;
            }
            for (i, r) in rects[start..end.min(block * BLOCK)].iter().enumerate() {
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

    /// The rectangles a walk of the time window `(t0, t1)` looks at: from the first block
    /// that reaches past `t0` to the last rectangle starting before `t1`. Its length bounds
    /// the work of a scene.
    pub fn reach(&self, rects: &[Rect], (t0, t1): (f64, f64)) -> Range<usize> {
        let end = rects.partition_point(|r| (r.t0 as f64) < t1);
        let first = self
            .block_end
            .iter()
            .position(|&e| (e as f64) > t0)
            .map_or(end, |b| (b * BLOCK).min(end));
        first..end
    }
}

/// A rectangle in canvas pixels, `[x0, x1) x [y0, y1)`, y downwards.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct PixRect {
    pub x0: i32,
    pub y0: i32,
    pub x1: i32,
    pub y1: i32,
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
    pub rects: Vec<PixRect>,
    /// `(colour key, range of rects)`, keys ascending, no empty group.
    pub groups: Vec<(u16, Range<usize>)>,
    /// Layout rectangles that met the view (before merging).
    pub visible: usize,
}

impl Scene {
    /// Builds the scene of `rects` (the layout's, sorted by start) seen through `view` on
    /// `plot`, in one go. `key` gives each rectangle's colour key; keys must be below `keys`.
    pub(crate) fn build(
        rects: &[Rect],
        index: &RectIndex,
        view: &Viewport,
        plot: &Plot,
        keys: usize,
        key: impl Fn(&Rect) -> u16,
    ) -> Scene {
        let mut builder = SceneBuilder::new(rects, index, view, plot, keys);
        while !builder.step(rects, index, &key, usize::MAX) {}
        builder.finish()
    }

    /// Rectangles to paint.
    pub(crate) fn len(&self) -> usize {
        self.rects.len()
    }
}

/// A [`Scene`] built a slice at a time (a million rectangles in view take longer than a
/// frame): the walk over the rectangles in view, then the sort and merge of the columns and
/// rows of sub-pixel spans, each resumable. [`Scene::build`] runs the same to the end.
pub(crate) struct SceneBuilder {
    view: Viewport,
    plot: Plot,
    keys: usize,
    stage: SceneStage,
    /// What the walk covers, and where it is.
    reach: Range<usize>,
    big: Vec<(u16, PixRect)>,
    /// Thin in time: (column and biased top row, packed; bottom row << 16 | key).
    columns: Vec<Pair>,
    /// Thin in memory, wide in time: (row and biased left column; right column << 16 | key).
    rows: Vec<Pair>,
    visible: usize,
}

enum SceneStage {
    Walk,
    SortColumns(SliceSort),
    MergeColumns(LineMerge),
    SortRows(SliceSort),
    MergeRows(LineMerge),
    Done,
}

impl SceneBuilder {
    pub(crate) fn new(
        rects: &[Rect],
        index: &RectIndex,
        view: &Viewport,
        plot: &Plot,
        keys: usize,
    ) -> SceneBuilder {
        SceneBuilder {
            view: *view,
            plot: *plot,
            keys,
            stage: SceneStage::Walk,
            reach: index.reach(rects, (view.t0, view.t1)),
            big: Vec::new(),
            columns: Vec::new(),
            rows: Vec::new(),
            visible: 0,
        }
    }

    /// Does about `work` items (a rectangle looked at, a span sorted or merged); true when
    /// the scene is complete. `rects`, `index` and `key` must be the ones it was made with.
    pub(crate) fn step(
        &mut self,
        rects: &[Rect],
        index: &RectIndex,
        key: &dyn Fn(&Rect) -> u16,
        work: usize,
    ) -> bool {
        let budget = work.max(1);
        match &mut self.stage {
            SceneStage::Walk => {
                let start = self.reach.start;
                let end = start.saturating_add(budget).min(self.reach.end);
                let (view, plot) = (self.view, self.plot);
                let (big, columns, rows, visible) = (
                    &mut self.big,
                    &mut self.columns,
                    &mut self.rows,
                    &mut self.visible,
                );
                index.each_in_range(
                    rects,
                    (view.t0, view.t1),
                    (view.o0, view.o1),
                    start..end,
                    |_, r| {
                        *visible += 1;
                        place(&view, &plot, r, key(r), big, columns, rows);
                    },
                );
                self.reach.start = end;
                if end >= self.reach.end {
                    let columns = std::mem::take(&mut self.columns);
                    self.stage = SceneStage::SortColumns(SliceSort::new(columns));
                }
            }
            SceneStage::SortColumns(sort) => {
                if sort.step(budget) {
                    let SceneStage::SortColumns(sort) =
                        std::mem::replace(&mut self.stage, SceneStage::Done)
                    else {
                        unreachable!()
                    };
                    self.columns = sort.into_sorted();
                    self.stage = SceneStage::MergeColumns(LineMerge::default());
                }
            }
            SceneStage::MergeColumns(merge) => {
                if merge.step(&self.columns, Line::Column, &mut self.big, budget) {
                    self.columns = Vec::new();
                    let rows = std::mem::take(&mut self.rows);
                    self.stage = SceneStage::SortRows(SliceSort::new(rows));
                }
            }
            SceneStage::SortRows(sort) => {
                if sort.step(budget) {
                    let SceneStage::SortRows(sort) =
                        std::mem::replace(&mut self.stage, SceneStage::Done)
                    else {
                        unreachable!()
                    };
                    self.rows = sort.into_sorted();
                    self.stage = SceneStage::MergeRows(LineMerge::default());
                }
            }
            SceneStage::MergeRows(merge) => {
                if merge.step(&self.rows, Line::Row, &mut self.big, budget) {
                    self.rows = Vec::new();
                    self.stage = SceneStage::Done;
                }
            }
            SceneStage::Done => {}
        }
        matches!(self.stage, SceneStage::Done)
    }

    #[cfg(test)]
    pub(crate) fn is_done(&self) -> bool {
        matches!(self.stage, SceneStage::Done)
    }

    /// The scene (call when [`SceneBuilder::step`] said it is complete).
    pub(crate) fn finish(self) -> Scene {
        let (rects, groups) = group_by_key(&self.big, self.keys);
        Scene {
            rects,
            groups,
            visible: self.visible,
        }
    }
}

/// Where one visible rectangle goes: a pixel rectangle of its own, or a span in a column or
/// a row when it is thinner than a pixel.
fn place(
    view: &Viewport,
    plot: &Plot,
    r: &Rect,
    k: u16,
    big: &mut Vec<(u16, PixRect)>,
    columns: &mut Vec<Pair>,
    rows: &mut Vec<Pair>,
) {
    // Geometry is clipped a pixel outside the plot so huge zooms keep i32 coordinates.
    let (left, right) = (plot.left - 1.0, plot.right() + 1.0);
    let (top, bottom) = (plot.top - 1.0, plot.bottom() + 1.0);
    let fx0 = view.x_of(plot, r.t0 as f64).max(left);
    let fx1 = view.x_of(plot, r.t1 as f64).min(right);
    let fy0 = view.y_of(plot, r.y1 as f64).max(top);
    let fy1 = view.y_of(plot, r.y0 as f64).min(bottom);
    if fx1 - fx0 < 1.0 {
        // Sub-pixel in time: one column (the one holding its middle), any height.
        let column = ((fx0 + fx1) / 2.0).floor() as i32;
        let (y0, y1) = snap(fy0, fy1);
        columns.push(span(column, y0, y1, k));
    } else if fy1 - fy0 < 1.0 {
        let row = ((fy0 + fy1) / 2.0).floor() as i32;
        let (x0, x1) = snap(fx0, fx1);
        rows.push(span(row, x0, x1, k));
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

/// A span `[start, end)` along `line` in colour `key`, as a pair that sorts by line, then
/// start, then the longest first (the top bit flipped so the packed position sorts as a
/// signed number). Longest first: of spans starting together, the one that claims the
/// pixels covers the others whole, where a shorter one first would leave the rest of the
/// longer one to draw as a rectangle of its own.
fn span(line: i32, start: i32, end: i32, key: u16) -> Pair {
    (
        (pack(line, start) ^ (1 << 63)) as i64,
        (i32::MAX as i64 - end as i64) << 16 | key as i64,
    )
}

fn unspan(&(position, rest): &Pair) -> (i32, i32, i32, u16) {
    let (line, start) = unpack(position as u64 ^ (1 << 63));
    (
        line,
        start,
        (i32::MAX as i64 - (rest >> 16)) as i32,
        (rest & 0xffff) as u16,
    )
}

/// Which way a line of spans runs.
#[derive(Clone, Copy)]
enum Line {
    /// A pixel column: spans run down it.
    Column,
    /// A pixel row: spans run along it.
    Row,
}

impl Line {
    fn rect(self, line: i32, start: i32, end: i32) -> PixRect {
        match self {
            Line::Column => PixRect {
                x0: line,
                y0: start,
                x1: line + 1,
                y1: end,
            },
            Line::Row => PixRect {
                x0: start,
                y0: line,
                x1: end,
                y1: line + 1,
            },
        }
    }
}

/// Merges one-pixel-wide spans along each line (a column or a row), resumably: sorted by
/// line then start, each span is clipped to begin after what the line already covers (so
/// spans in a line never overlap: at most one per pixel), and a span continuing the previous
/// one in the same colour extends it. Whichever colour starts first in a pixel keeps it:
/// below a pixel any representative colour is honest.
struct LineMerge {
    at: usize,
    /// The span being extended: line, start, end, key.
    current: Option<(i32, i32, i32, u16)>,
    /// The line and the end of what it covers.
    covered: (i32, i32),
}

impl Default for LineMerge {
    fn default() -> LineMerge {
        LineMerge {
            at: 0,
            current: None,
            covered: (i32::MIN, i32::MIN),
        }
    }
}

impl LineMerge {
    /// Merges up to `work` more of the sorted `spans` into `out`; true when all are.
    fn step(
        &mut self,
        spans: &[Pair],
        line_kind: Line,
        out: &mut Vec<(u16, PixRect)>,
        work: usize,
    ) -> bool {
        let end = self.at.saturating_add(work).min(spans.len());
        for pair in &spans[self.at..end] {
            let (line, start, end, key) = unspan(pair);
            let covered = self.covered;
            let start = if covered.0 == line {
                start.max(covered.1)
            } else {
                start
            };
            if start >= end {
                continue;
            }
            self.covered = (
                line,
                end.max(if covered.0 == line { covered.1 } else { end }),
            );
            match &mut self.current {
                Some((l, _, e, k)) if *l == line && *e == start && *k == key => *e = end,
                current => {
                    if let Some((l, s, e, k)) = *current {
                        out.push((k, line_kind.rect(l, s, e)));
                    }
                    *current = Some((line, start, end, key));
                }
            }
        }
        self.at = end;
        if self.at < spans.len() {
            return false;
        }
        if let Some((l, s, e, k)) = self.current.take() {
            out.push((k, line_kind.rect(l, s, e)));
        }
        true
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
            if d <= slop && near.is_none_or(|(best, _)| d <= best) {
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
        let mut spans = vec![
            span(4, 0, 5, 1),
            span(3, 22, 30, 1),
            span(3, 10, 20, 0),
            span(3, 40, 41, 1),
            span(3, 20, 25, 0),
        ];
        spans.sort_unstable();
        let px = |x0, y0, x1, y1| PixRect { x0, y0, x1, y1 };
        let expected = [
            (0, px(3, 10, 4, 25)),
            (1, px(3, 25, 4, 30)),
            (1, px(3, 40, 4, 41)),
            (1, px(4, 0, 5, 5)),
        ];
        // In one go, and a span at a time.
        for work in [usize::MAX, 1] {
            let mut out = Vec::new();
            let mut merge = LineMerge::default();
            while !merge.step(&spans, Line::Column, &mut out, work) {}
            assert_eq!(out, expected);
        }
        assert_eq!(unpack(pack(-7, -100_000)), (-7, -100_000));
        assert_eq!(unspan(&span(-1, -3, -2, 9)), (-1, -3, -2, 9));
        // Spans sort by line, then start, then the longest first, negative positions included.
        let mut mixed = [
            span(0, 5, 6, 0),
            span(-1, 7, 8, 0),
            span(0, -2, 1, 0),
            span(0, 5, 5, 1),
        ];
        mixed.sort_unstable();
        let order: Vec<_> = mixed.iter().map(unspan).collect();
        assert_eq!(
            order,
            [(-1, 7, 8, 0), (0, -2, 1, 0), (0, 5, 6, 0), (0, 5, 5, 1)]
        );
    }

    #[test]
    fn a_scene_built_in_slices_equals_the_one_built_at_once() {
        let rects = staircase(30_000, 97);
        let index = RectIndex::new(&rects);
        let plot = Plot::new(5.0, 3.0, 300.0, 200.0);
        let key = |r: &Rect| (r.buffer % 5) as u16;
        for view in [
            Viewport::new((0.0, 10_000.0), (0.0, 300_000.0)),
            Viewport::new((2_000.0, 2_500.0), (1_000.0, 200_000.0)),
            Viewport::new((9_000.0, 9_001.0), (0.0, 1e9)),
        ] {
            let whole = Scene::build(&rects, &index, &view, &plot, 5, key);
            assert!(whole.visible > 0);
            for work in [1, 333, 5000] {
                let mut builder = SceneBuilder::new(&rects, &index, &view, &plot, 5);
                while !builder.step(&rects, &index, &key, work) {}
                assert!(builder.is_done());
                assert_eq!(builder.finish(), whole, "{view:?}, work {work}");
            }
            // The reach covers what is visible.
            let reach = index.reach(&rects, (view.t0, view.t1));
            let mut visited = Vec::new();
            index.each_in(&rects, (view.t0, view.t1), (view.o0, view.o1), |i, _| {
                visited.push(i)
            });
            assert!(visited.iter().all(|i| reach.contains(i)));
            assert_eq!(visited.len(), whole.visible);
        }
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
