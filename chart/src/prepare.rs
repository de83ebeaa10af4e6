//! Building a [`Layout`] a slice at a time, so a large result never blocks the page: the
//! rectangles, their order by start time, the load profile and the table's order by offset,
//! each resumable after any number of items.
//!
//! [`Builder::step`] does about `work` items and says whether it is done; the caller (the
//! bridge) runs it in slices of a few milliseconds and yields to the browser between them.
//! [`Layout::new`] runs the same builder to the end in one go, so there is one way to build
//! a layout, and the tests compare the sliced build with the whole one.

use bufpack::{Offset, Problem, Time};

use crate::chart::{Colours, Ramp, Ramps, RectIndex};
use crate::layout::{rects_of, Figures, Layout, Rect};
use crate::slices::{Pair, SliceSort};

/// The stages of a build, in order.
enum Stage {
    /// Rectangles of the buffers from `at` on.
    Rects {
        at: usize,
    },
    /// Colours of the buffers from `at` on.
    Colours {
        at: usize,
        ramps: Ramps,
    },
    /// Rectangles into start order: (start, index) pairs sorted (for one start, indices
    /// follow buffer order), then the rectangles gathered in that order from `at` on.
    SortRects(SliceSort),
    Gather {
        order: Vec<Pair>,
        at: usize,
    },
    /// The culling index over the sorted rectangles.
    Index,
    /// End events (time, extent) into time order.
    SortEnds(SliceSort),
    /// The load profile: starts (the sorted rectangles) and ends merged in time order.
    Sweep(Sweep),
    /// Buffers into offset order, for the table.
    SortOffsets(SliceSort),
    Done,
}

/// The sweep that sums the load: `a` rectangles' starts and `b` ends read so far.
struct Sweep {
    a: usize,
    b: usize,
    /// The time whose changes are being summed, if any.
    time: Option<Time>,
    load: Offset,
}

/// A layout under construction. See the module documentation.
pub struct Builder {
    problem: Problem,
    capacity: Option<Offset>,
    offsets: Vec<Offset>,
    figures: Figures,
    stage: Stage,
    /// The rectangles in buffer order, then (after the gather) in start order.
    unsorted: Vec<Rect>,
    rects: Vec<Rect>,
    ends: Vec<Pair>,
    profile: Vec<(Time, Offset)>,
    by_offset: Vec<u32>,
    time_span: Option<(Time, Time)>,
    top: Offset,
    /// Smallest and largest size, and lifetime (for the colour ramps).
    sizes: (i64, i64),
    lifetimes: (i64, i64),
    colours: Colours,
    index: RectIndex,
}

impl Builder {
    /// A build of `problem` packed at `offsets` (one per buffer).
    pub fn new(
        problem: Problem,
        capacity: Option<Offset>,
        offsets: Vec<Offset>,
        figures: Figures,
    ) -> Builder {
        assert_eq!(
            problem.buffers.len(),
            offsets.len(),
            "one offset per buffer"
        );
        let n = problem.buffers.len();
        Builder {
            problem,
            capacity,
            offsets,
            figures,
            stage: Stage::Rects { at: 0 },
            unsorted: Vec::with_capacity(n),
            rects: Vec::new(),
            ends: Vec::with_capacity(n),
            profile: Vec::new(),
            by_offset: Vec::new(),
            time_span: None,
            top: 0,
            sizes: (i64::MAX, i64::MIN),
            lifetimes: (i64::MAX, i64::MIN),
            colours: Colours::default(),
            index: RectIndex::default(),
        }
    }

    /// Buffers in the problem.
    pub fn len(&self) -> usize {
        self.problem.buffers.len()
    }

    /// Whether the problem has no buffers.
    pub fn is_empty(&self) -> bool {
        self.problem.buffers.is_empty()
    }

    /// How far along, from 0 to 1.
    pub fn progress(&self) -> f64 {
        // Stage weights: rectangles, their sort, the ends' sort, the sweep, the offsets'.
        const WEIGHTS: [f64; 8] = [0.25, 0.1, 0.1, 0.05, 0.05, 0.15, 0.15, 0.15];
        let part = |done: usize, of: usize| done as f64 / of.max(1) as f64;
        let (stage, within) = match &self.stage {
            Stage::Rects { at } => (0, part(*at, self.len())),
            Stage::Colours { at, .. } => (1, part(*at, self.len())),
            Stage::SortRects(sort) => (2, sort.progress()),
            Stage::Gather { order, at } => (3, part(*at, order.len())),
            Stage::Index => (4, part(self.index.covered(), self.rects.len())),
            Stage::SortEnds(sort) => (5, sort.progress()),
            Stage::Sweep(sweep) => (
                6,
                part(sweep.a + sweep.b, self.rects.len() + self.ends.len()),
            ),
            Stage::SortOffsets(sort) => (7, sort.progress()),
            Stage::Done => return 1.0,
        };
        WEIGHTS[..stage].iter().sum::<f64>() + WEIGHTS[stage] * within
    }

    /// Does about `work` items (a buffer, a rectangle moved or compared, an event summed);
    /// true when the layout is complete.
    pub fn step(&mut self, work: usize) -> bool {
        let mut budget = work.max(1);
        loop {
            match &mut self.stage {
                Stage::Rects { at } => {
                    let start = *at;
                    let end = start.saturating_add(budget).min(self.problem.buffers.len());
                    for index in start..end {
                        let buffer = &self.problem.buffers[index];
                        let offset = self.offsets[index];
                        let (lo, hi) = (buffer.lifespan.lower, buffer.lifespan.upper);
                        let (size, life) = (buffer.size.max(1), buffer.lifespan.width().max(1));
                        self.sizes = (self.sizes.0.min(size), self.sizes.1.max(size));
                        self.lifetimes = (self.lifetimes.0.min(life), self.lifetimes.1.max(life));
                        self.time_span = Some(match self.time_span {
                            Some((l, h)) => (l.min(lo), h.max(hi)),
                            None => (lo, hi),
                        });
                        for rect in rects_of(index as u32, buffer, offset) {
                            self.top = self.top.max(rect.y1);
                            self.ends.push((rect.t1, rect.y1 - rect.y0));
                            self.unsorted.push(rect);
                        }
                    }
                    budget = budget.saturating_sub(end - start);
                    if end < self.problem.buffers.len() {
                        *at = end;
                        if budget == 0 {
                            return false;
                        }
                    } else {
                        let ramp = |(min, max): (i64, i64)| {
                            if min > max {
                                Ramp::default()
                            } else {
                                Ramp::new(min, max)
                            }
                        };
                        let ramps = Ramps {
                            size: ramp(self.sizes),
                            lifetime: ramp(self.lifetimes),
                        };
                        self.stage = Stage::Colours { at: 0, ramps };
                    }
                }
                Stage::Colours { at, ramps } => {
                    let start = *at;
                    let end = start.saturating_add(budget).min(self.problem.buffers.len());
                    for buffer in &self.problem.buffers[start..end] {
                        self.colours.push(buffer, ramps);
                    }
                    *at = end;
                    budget = budget.saturating_sub(end - start);
                    if end < self.problem.buffers.len() {
                        return false;
                    }
                    let keys = self
                        .unsorted
                        .iter()
                        .enumerate()
                        .map(|(i, r)| (r.t0, i as i64))
                        .collect();
                    self.stage = Stage::SortRects(SliceSort::new(keys));
                }
                Stage::SortRects(sort) => {
                    if !sort.step(budget) {
                        return false;
                    }
                    let Stage::SortRects(sort) = std::mem::replace(&mut self.stage, Stage::Done)
                    else {
                        unreachable!()
                    };
                    let order = sort.into_sorted();
                    self.rects = Vec::with_capacity(order.len());
                    self.stage = Stage::Gather { order, at: 0 };
                    return false;
                }
                Stage::Gather { order, at } => {
                    let end = at.saturating_add(budget).min(order.len());
                    let unsorted = &self.unsorted;
                    self.rects
                        .extend(order[*at..end].iter().map(|&(_, i)| unsorted[i as usize]));
                    *at = end;
                    if end < order.len() {
                        return false;
                    }
                    self.unsorted = Vec::new();
                    self.stage = Stage::Index;
                    return false;
                }
                Stage::Index => {
                    if !self.index.grow(&self.rects, budget) {
                        return false;
                    }
                    let ends = std::mem::take(&mut self.ends);
                    self.stage = Stage::SortEnds(SliceSort::new(ends));
                    return false;
                }
                Stage::SortEnds(sort) => {
                    if !sort.step(budget) {
                        return false;
                    }
                    let Stage::SortEnds(sort) = std::mem::replace(&mut self.stage, Stage::Done)
                    else {
                        unreachable!()
                    };
                    self.ends = sort.into_sorted();
                    self.stage = Stage::Sweep(Sweep {
                        a: 0,
                        b: 0,
                        time: None,
                        load: 0,
                    });
                    return false;
                }
                Stage::Sweep(sweep) => {
                    let (rects, ends, profile) = (&self.rects, &self.ends, &mut self.profile);
                    // Each time's changes are summed, then the load from that time on is a
                    // step unless it equals the last one (as `LoadProfile::of` does).
                    let mut close = |time: Time, load: Offset| {
                        if profile.last().map(|&(_, last)| last) != Some(load) {
                            profile.push((time, load));
                        }
                    };
                    while budget > 0 {
                        let start = rects.get(sweep.a).map(|r| r.t0);
                        let end = ends.get(sweep.b).map(|e| e.0);
                        let (time, delta) = match (start, end) {
                            (Some(s), Some(e)) if s <= e => {
                                let r = &rects[sweep.a];
                                sweep.a += 1;
                                (s, r.y1 - r.y0)
                            }
                            (Some(s), None) => {
                                let r = &rects[sweep.a];
                                sweep.a += 1;
                                (s, r.y1 - r.y0)
                            }
                            (_, Some(e)) => {
                                let extent = ends[sweep.b].1;
                                sweep.b += 1;
                                (e, -extent)
                            }
                            (None, None) => {
                                if let Some(time) = sweep.time.take() {
                                    close(time, sweep.load);
                                }
                                break;
                            }
                        };
                        if let Some(current) = sweep.time {
                            if current != time {
                                close(current, sweep.load);
                            }
                        }
                        sweep.time = Some(time);
                        sweep.load += delta;
                        budget -= 1;
                    }
                    if sweep.a < rects.len() || sweep.b < ends.len() || sweep.time.is_some() {
                        return false;
                    }
                    self.ends = Vec::new();
                    let keys = self
                        .offsets
                        .iter()
                        .enumerate()
                        .map(|(i, &o)| (o, i as i64))
                        .collect();
                    self.stage = Stage::SortOffsets(SliceSort::new(keys));
                    return false;
                }
                Stage::SortOffsets(sort) => {
                    if !sort.step(budget) {
                        return false;
                    }
                    let Stage::SortOffsets(sort) = std::mem::replace(&mut self.stage, Stage::Done)
                    else {
                        unreachable!()
                    };
                    self.by_offset = sort.into_sorted().iter().map(|&(_, i)| i as u32).collect();
                    return true;
                }
                Stage::Done => return true,
            }
        }
    }

    /// The layout (call when [`Builder::step`] said it is done).
    pub fn finish(self) -> Layout {
        debug_assert!(matches!(self.stage, Stage::Done));
        Layout {
            problem: self.problem,
            capacity: self.capacity,
            offsets: self.offsets,
            figures: self.figures,
            rects: self.rects,
            profile: self.profile,
            by_offset: self.by_offset,
            time_span: self.time_span.unwrap_or((0, 1)),
            top: self.top,
            index: self.index,
            colours: self.colours,
            steps: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chart::{buffer_colours, ColourMode};
    use crate::slices::RUN;
    use bufpack::{Buffer, LoadProfile, Solution};

    /// A deterministic mess: random lifespans (not in start order), sizes, offsets, gaps
    /// with and without windows, buffers wholly in a gap, equal start times.
    fn problem(n: usize, seed: u64) -> (Problem, Vec<Offset>) {
        let mut state = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
        let mut next = |m: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % m) as i64
        };
        let mut buffers = Vec::new();
        let mut offsets = Vec::new();
        for i in 0..n {
            let lower = next(200);
            let upper = lower + 1 + next(40);
            let size = 1 + next(64);
            let mut buffer = Buffer::new(format!("b{i}"), lower, upper, size);
            if upper - lower > 4 && next(4) == 0 {
                let g0 = lower + 1 + next((upper - lower - 3) as u64);
                let g1 = g0 + 1 + next((upper - g0 - 1) as u64);
                let window = (next(2) == 0 && size > 2).then(|| (1, size - 1));
                buffer = buffer.with_gap(g0, g1, window);
            }
            buffers.push(buffer);
            offsets.push(next(1000));
        }
        (Problem::new(buffers, 2000), offsets)
    }

    fn sliced(problem: Problem, offsets: Vec<Offset>, work: usize) -> (Layout, usize) {
        let mut builder = Builder::new(problem, Some(2000), offsets, Figures::default());
        let mut steps = 1;
        let mut progress = builder.progress();
        while !builder.step(work) {
            steps += 1;
            let now = builder.progress();
            assert!((0.0..=1.0).contains(&now) && now >= progress - 1e-9);
            progress = now;
        }
        (builder.finish(), steps)
    }

    #[test]
    fn a_sliced_build_equals_the_whole_one() {
        let (problem, offsets) = problem(3 * RUN + 100, 3);
        let whole = Layout::new(
            problem.clone(),
            Some(2000),
            &Solution {
                offsets: offsets.clone(),
                height: 0,
            },
            Figures::default(),
        );
        for work in [1, 100, 5000] {
            let (layout, steps) = sliced(problem.clone(), offsets.clone(), work);
            assert!(steps > 1);
            assert_eq!(layout.rects, whole.rects, "work {work}");
            assert_eq!(layout.profile, whole.profile);
            assert_eq!(layout.by_offset, whole.by_offset);
            assert_eq!(layout.index, whole.index);
            assert_eq!(layout.colours, whole.colours);
            assert_eq!((layout.time_span, layout.top), (whole.time_span, whole.top));
        }
    }

    #[test]
    fn the_build_agrees_with_the_solver_and_a_plain_sort() {
        for (n, seed) in [(0, 1), (1, 2), (40, 3), (2000, 4), (RUN + 3, 5)] {
            let (problem, offsets) = problem(n, seed);
            let (layout, _) = sliced(problem.clone(), offsets.clone(), 97);
            assert_eq!(layout.profile, LoadProfile::of(&problem).steps, "n {n}");
            let mut rects: Vec<Rect> = problem
                .buffers
                .iter()
                .zip(&offsets)
                .enumerate()
                .flat_map(|(i, (b, &o))| rects_of(i as u32, b, o).collect::<Vec<_>>())
                .collect();
            rects.sort_by_key(|r| (r.t0, r.buffer));
            assert_eq!(layout.rects, rects);
            let mut order: Vec<u32> = (0..n as u32).collect();
            order.sort_by_key(|&i| offsets[i as usize]);
            assert_eq!(layout.by_offset, order);
            assert_eq!(layout.index, RectIndex::new(&layout.rects));
            for mode in ColourMode::ALL {
                assert_eq!(layout.colours.of(mode), buffer_colours(&problem, mode));
            }
            assert_eq!(layout.top, rects.iter().map(|r| r.y1).max().unwrap_or(0));
            if n > 0 {
                let lo = problem.buffers.iter().map(|b| b.lifespan.lower).min();
                let hi = problem.buffers.iter().map(|b| b.lifespan.upper).max();
                assert_eq!(Some(layout.time_span), lo.zip(hi));
            } else {
                assert_eq!(layout.time_span, (0, 1));
            }
        }
    }
}
