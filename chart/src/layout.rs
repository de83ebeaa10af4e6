//! A solved problem in the form the page draws and lists: the buffers, where each sits, the
//! rectangles they occupy (gaps honoured), the load over time and the figures. Built once per
//! result (in slices, by `prepare.rs`); the chart, the table and the exports only read it.

use std::rc::Rc;

use bufpack::{Buffer, Offset, Problem, Solution, Time};

use crate::chart::{Colours, RectIndex};

use crate::prepare::Builder;

/// One rectangle a buffer occupies in time x memory, in absolute units: time `[t0, t1)`,
/// memory `[y0, y1)`. A buffer without gaps has one; gaps split it (a windowed gap keeps a
/// thinner piece).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rect {
    /// Index of the buffer in the problem.
    pub buffer: u32,
    pub t0: Time,
    pub t1: Time,
    pub y0: Offset,
    pub y1: Offset,
    /// Part of a gap's window (drawn lighter), not of the buffer's full life.
    pub in_gap: bool,
}

/// Figures of the result, as the solver reported them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    pub height: Offset,
    pub lower_bound: Offset,
    /// The largest total live at one time.
    pub load: Offset,
    pub gap_percent: f64,
    /// "solved", "optimal" or "feasible".
    pub status: String,
    pub nodes: u64,
    pub backtracks: u64,
    pub elapsed_seconds: f64,
    pub found_by: Option<String>,
}

/// A problem, its packing and what the page shows of them.
#[derive(Clone, Debug)]
pub struct Layout {
    pub problem: Problem,
    /// `None` when the problem was solved without a limit (minimised).
    pub capacity: Option<Offset>,
    pub offsets: Vec<Offset>,
    pub figures: Figures,
    /// Every occupied rectangle, sorted by `t0` (for culling by time).
    pub rects: Vec<Rect>,
    /// The load over time: `(time, load)` steps, each holding until the next.
    pub profile: Vec<(Time, Offset)>,
    /// Buffer indices by offset (ties by index): the table's first order.
    pub by_offset: Vec<u32>,
    /// The time span of all buffers, `[first start, last end)`.
    pub time_span: (Time, Time),
    /// The highest occupied unit (the top of the highest rectangle; 0 when none).
    pub top: Offset,
    /// The chart's index of `rects` for culling by time.
    pub index: RectIndex,
    /// Each buffer's colour in every colour mode.
    pub colours: Colours,
    /// One label per time step, when the input names its steps (a TensorFlow Lite model's
    /// operators): the time axis and the tooltips say them instead of bare numbers.
    pub steps: Option<Rc<[String]>>,
}

/// Layouts are compared by identity: one is built per result and never changed, so "the
/// same layout" means the same one, and the page's components compare their properties on
/// every render (by value, a million buffers each time).
impl PartialEq for Layout {
    fn eq(&self, other: &Self) -> bool {
        std::ptr::eq(self, other)
    }
}

impl Layout {
    /// Builds the layout in one go: the tests' way, and the viewer's for small layouts (the
    /// page builds large ones in slices, see `prepare::Builder`).
    pub fn new(
        problem: Problem,
        capacity: Option<Offset>,
        solution: &Solution,
        figures: Figures,
    ) -> Layout {
        let mut builder = Builder::new(problem, capacity, solution.offsets.clone(), figures);
        while !builder.step(usize::MAX) {}
        builder.finish()
    }

    /// The label of step `t`, if the layout has step labels and `t` is one of its steps.
    pub fn step(&self, t: Time) -> Option<&str> {
        let steps = self.steps.as_ref()?;
        usize::try_from(t)
            .ok()
            .and_then(|t| steps.get(t))
            .map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.problem.buffers.len()
    }

    pub fn is_empty(&self) -> bool {
        self.problem.buffers.is_empty()
    }

    /// Indices of the buffers that share time with `index` (and occupy memory then). Looks
    /// only at the rectangles within the buffer's lifespan, through the index: a click among
    /// a million buffers reads a few hundred rectangles, not all.
    pub fn neighbours(&self, index: usize) -> Vec<usize> {
        let Some(buffer) = self.problem.buffers.get(index) else {
            return Vec::new();
        };
        let life = (buffer.lifespan.lower as f64, buffer.lifespan.upper as f64);
        let (mut mine, mut others) = (Vec::new(), Vec::new());
        self.index.each_in(
            &self.rects,
            life,
            (f64::NEG_INFINITY, f64::INFINITY),
            |_, r| {
                if r.buffer as usize == index {
                    mine.push(*r);
                } else {
                    others.push(*r);
                }
            },
        );
        // As (buffer, 0) pairs: the (i64, i64) sort the crate's other sorts share (wasm size).
        let mut found: Vec<(i64, i64)> = others
            .iter()
            .filter(|r| mine.iter().any(|m| r.t0 < m.t1 && m.t0 < r.t1))
            .map(|r| (i64::from(r.buffer), 0))
            .collect();
        found.sort_unstable();
        found.dedup();
        found
            .into_iter()
            .map(|(buffer, _)| buffer as usize)
            .collect()
    }
}

/// The rectangles of one buffer placed at `offset`.
pub fn rects_of(index: u32, buffer: &Buffer, offset: Offset) -> impl Iterator<Item = Rect> + '_ {
    let full = buffer.size;
    buffer.pieces().into_iter().map(move |piece| Rect {
        buffer: index,
        t0: piece.time.lower,
        t1: piece.time.upper,
        y0: offset + piece.bottom,
        y1: offset + piece.top,
        in_gap: piece.bottom != 0 || piece.top != full,
    })
}

/// Three buffers at capacity 8, one with a windowed gap: the chart's tests draw it too.
#[cfg(test)]
pub fn sample() -> Layout {
    let problem = Problem::new(
        vec![
            Buffer::new("a", 0, 4, 2),
            Buffer::new("b", 2, 6, 3).with_gap(3, 5, Some((1, 2))),
            Buffer::new("c", 6, 8, 5),
        ],
        8,
    );
    let solution = Solution::from_offsets(&problem, vec![0, 2, 0]);
    let figures = Figures {
        height: 5,
        lower_bound: 5,
        load: 5,
        ..Figures::default()
    };
    Layout::new(problem, Some(8), &solution, figures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layout() -> Layout {
        sample()
    }

    #[test]
    fn gaps_split_buffers_into_rects_in_absolute_units() {
        let layout = layout();
        let b: Vec<(Time, Time, Offset, Offset, bool)> = layout
            .rects
            .iter()
            .filter(|r| r.buffer == 1)
            .map(|r| (r.t0, r.t1, r.y0, r.y1, r.in_gap))
            .collect();
        assert_eq!(
            b,
            [(2, 3, 2, 5, false), (3, 5, 3, 4, true), (5, 6, 2, 5, false)]
        );
        assert!(layout.rects.windows(2).all(|w| w[0].t0 <= w[1].t0));
        assert_eq!(layout.time_span, (0, 8));
    }

    #[test]
    fn neighbours_share_time() {
        let layout = layout();
        assert_eq!(layout.neighbours(0), [1]);
        assert_eq!(layout.neighbours(1), [0]);
        assert!(layout.neighbours(2).is_empty());
        assert!(layout.neighbours(3).is_empty());
    }

    #[test]
    fn neighbours_through_the_index_are_those_of_a_full_scan() {
        // Staggered buffers, some long, some with gaps (a gap's piece is not in the buffer's
        // memory then, but the windowed piece is).
        let buffers: Vec<Buffer> = (0..400)
            .map(|i| {
                let lower = (i * 37 % 500) as i64;
                let upper = lower
                    + 1
                    + if i % 50 == 0 {
                        300
                    } else {
                        (i * 13 % 20) as i64
                    };
                let buffer = Buffer::new(format!("b{i}"), lower, upper, 4);
                if i % 7 == 0 && upper - lower > 3 {
                    buffer.with_gap(lower + 1, lower + 2, (i % 2 == 0).then_some((1, 2)))
                } else {
                    buffer
                }
            })
            .collect();
        let problem = Problem::new(buffers, 100_000);
        let offsets: Vec<Offset> = (0..400).map(|i| i as i64 * 4).collect();
        let solution = Solution::from_offsets(&problem, offsets);
        let layout = Layout::new(problem, None, &solution, Figures::default());
        for index in 0..layout.len() {
            let mine: Vec<&Rect> = layout
                .rects
                .iter()
                .filter(|r| r.buffer as usize == index)
                .collect();
            let mut expected: Vec<usize> = layout
                .rects
                .iter()
                .filter(|r| r.buffer as usize != index)
                .filter(|r| mine.iter().any(|m| r.t0 < m.t1 && m.t0 < r.t1))
                .map(|r| r.buffer as usize)
                .collect();
            expected.sort_unstable();
            expected.dedup();
            assert_eq!(layout.neighbours(index), expected, "buffer {index}");
        }
    }
}
