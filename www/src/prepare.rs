//! Building a [`Layout`] a slice at a time, so a large result never blocks the page: the
//! rectangles, their order by start time, the load profile and the table's order by offset,
//! each resumable after any number of items.
//!
//! [`Builder::step`] does about `work` items and says whether it is done; the caller (the
//! bridge) runs it in slices of a few milliseconds and yields to the browser between them.
//! [`Layout::new`] runs the same builder to the end in one go, so there is one way to build
//! a layout, and the tests compare the sliced build with the whole one.

use bufpack::{Offset, Problem, Time};

use crate::layout::{rects_of, Figures, Layout, Rect};

/// Elements a run of [`SliceSort`] holds before merging: sorted in one go, which at this
/// size takes well under a millisecond.
const RUN: usize = 4096;

/// What sorting a run of [`RUN`] elements costs, in the same units as the rest of the work
/// (one element moved or looked at): about `log2(RUN)` comparisons per element.
const RUN_COST: usize = RUN * 12;

/// What [`SliceSort`] sorts: pairs of integers, by the first then the second. Every sort the
/// page needs is one of these (a key and an index, or a time and an amount), so one
/// instance of the sorting code serves them all (it is large, and the page is downloaded).
pub(crate) type Pair = (i64, i64);

/// A sort done in slices: first a scan (already sorted data, the usual case for rectangles
/// of a trace in op order, costs one pass), then runs of [`RUN`] sorted in place, then
/// bottom-up merges, each resumable at any element.
pub(crate) struct SliceSort {
    data: Vec<Pair>,
    scratch: Vec<Pair>,
    phase: SortPhase,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum SortPhase {
    /// Looking for the first element out of order.
    Scan {
        at: usize,
    },
    /// Sorting runs; `at` is the start of the next one.
    Runs {
        at: usize,
    },
    /// Merging pairs of sorted runs of `width` into `scratch`: the pair starting at `lo`,
    /// its left half read up to `i`, its right half up to `j`.
    Merge {
        width: usize,
        lo: usize,
        i: usize,
        j: usize,
    },
    Done,
}

impl SliceSort {
    pub(crate) fn new(data: Vec<Pair>) -> SliceSort {
        SliceSort {
            data,
            scratch: Vec::new(),
            phase: SortPhase::Scan { at: 0 },
        }
    }

    pub(crate) fn is_done(&self) -> bool {
        self.phase == SortPhase::Done
    }

    /// The sorted data (call when [`SliceSort::is_done`]).
    pub(crate) fn into_sorted(self) -> Vec<Pair> {
        debug_assert!(self.is_done());
        self.data
    }

    /// How far along, from 0 to 1 (a rough guide for a progress bar).
    pub(crate) fn progress(&self) -> f64 {
        let len = self.data.len().max(1) as f64;
        let passes = (len / RUN as f64).log2().ceil().max(0.0) + 1.0;
        match self.phase {
            SortPhase::Scan { at } => 0.1 * at as f64 / len,
            SortPhase::Runs { at } => 0.1 + 0.9 * (at as f64 / len) / passes,
            SortPhase::Merge { width, .. } => {
                let done = (width / RUN).max(1).ilog2() as f64 + 1.0;
                let within = self.scratch.len() as f64 / len;
                0.1 + 0.9 * ((done + within) / passes).min(1.0)
            }
            SortPhase::Done => 1.0,
        }
    }

    /// Does about `work` units of sorting; true when sorted.
    pub(crate) fn step(&mut self, work: usize) -> bool {
        let len = self.data.len();
        let mut budget = work.max(1);
        while budget > 0 {
            match self.phase {
                SortPhase::Scan { at } => {
                    let end = at.saturating_add(budget).min(len.saturating_sub(1));
                    let mut k = at;
                    while k < end && self.data[k] <= self.data[k + 1] {
                        k += 1;
                    }
                    budget = budget.saturating_sub(k - at + 1);
                    self.phase = if k + 1 >= len {
                        SortPhase::Done
                    } else if k < end {
                        SortPhase::Runs { at: 0 }
                    } else {
                        SortPhase::Scan { at: k }
                    };
                }
                SortPhase::Runs { at } => {
                    let end = (at + RUN).min(len);
                    self.data[at..end].sort_unstable();
                    budget = budget.saturating_sub(RUN_COST);
                    self.phase = if end < len {
                        SortPhase::Runs { at: end }
                    } else {
                        self.scratch = Vec::with_capacity(len);
                        Self::merge_start(RUN, len)
                    };
                }
                SortPhase::Merge {
                    width,
                    lo,
                    mut i,
                    mut j,
                } => {
                    let mid = (lo + width).min(len);
                    let hi = (lo + 2 * width).min(len);
                    let start = budget;
                    while budget > 0 && (i < mid || j < hi) {
                        if j == hi {
                            let n = budget.min(mid - i);
                            self.scratch.extend_from_slice(&self.data[i..i + n]);
                            (i, budget) = (i + n, budget - n);
                        } else if i == mid {
                            let n = budget.min(hi - j);
                            self.scratch.extend_from_slice(&self.data[j..j + n]);
                            (j, budget) = (j + n, budget - n);
                        } else {
                            let take_left = self.data[i] <= self.data[j];
                            if take_left {
                                self.scratch.push(self.data[i]);
                                i += 1;
                            } else {
                                self.scratch.push(self.data[j]);
                                j += 1;
                            }
                            budget -= 1;
                        }
                    }
                    if i < mid || j < hi {
                        self.phase = SortPhase::Merge { width, lo, i, j };
                    } else if hi < len {
                        let next = hi;
                        self.phase = SortPhase::Merge {
                            width,
                            lo: next,
                            i: next,
                            j: (next + width).min(len),
                        };
                    } else {
                        // A pass is over: the merged runs are the data of the next.
                        std::mem::swap(&mut self.data, &mut self.scratch);
                        self.scratch.clear();
                        self.phase = Self::merge_start(width * 2, len);
                        if self.phase == SortPhase::Done {
                            self.scratch = Vec::new();
                        }
                    }
                    if budget == start {
                        // An empty pair (cannot happen with lo < len; guards the loop).
                        budget -= 1;
                    }
                }
                SortPhase::Done => return true,
            }
        }
        self.phase == SortPhase::Done
    }

    fn merge_start(width: usize, len: usize) -> SortPhase {
        if width >= len {
            SortPhase::Done
        } else {
            SortPhase::Merge {
                width,
                lo: 0,
                i: 0,
                j: width.min(len),
            }
        }
    }
}

/// The stages of a build, in order.
enum Stage {
    /// Rectangles of the buffers from `at` on.
    Rects {
        at: usize,
    },
    /// Rectangles into start order: (start, index) pairs sorted (for one start, indices
    /// follow buffer order), then the rectangles gathered in that order from `at` on.
    SortRects(SliceSort),
    Gather {
        order: Vec<Pair>,
        at: usize,
    },
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
pub(crate) struct Builder {
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
}

impl Builder {
    /// A build of `problem` packed at `offsets` (one per buffer).
    pub(crate) fn new(
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
        }
    }

    /// Buffers in the problem.
    pub(crate) fn len(&self) -> usize {
        self.problem.buffers.len()
    }

    /// How far along, from 0 to 1.
    pub(crate) fn progress(&self) -> f64 {
        // Stage weights: rectangles, their sort, the ends' sort, the sweep, the offsets'.
        const WEIGHTS: [f64; 6] = [0.3, 0.1, 0.05, 0.2, 0.15, 0.2];
        let (stage, within) = match &self.stage {
            Stage::Rects { at } => (0, *at as f64 / self.len().max(1) as f64),
            Stage::SortRects(sort) => (1, sort.progress()),
            Stage::Gather { order, at } => (2, *at as f64 / order.len().max(1) as f64),
            Stage::SortEnds(sort) => (3, sort.progress()),
            Stage::Sweep(sweep) => (
                4,
                (sweep.a + sweep.b) as f64 / (self.rects.len() + self.ends.len()).max(1) as f64,
            ),
            Stage::SortOffsets(sort) => (5, sort.progress()),
            Stage::Done => return 1.0,
        };
        WEIGHTS[..stage].iter().sum::<f64>() + WEIGHTS[stage] * within
    }

    /// Does about `work` items (a buffer, a rectangle moved or compared, an event summed);
    /// true when the layout is complete.
    pub(crate) fn step(&mut self, work: usize) -> bool {
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
                        let keys = self
                            .unsorted
                            .iter()
                            .enumerate()
                            .map(|(i, r)| (r.t0, i as i64))
                            .collect();
                        self.stage = Stage::SortRects(SliceSort::new(keys));
                    }
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
    pub(crate) fn finish(self) -> Layout {
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
    fn slice_sort_sorts_in_any_slices() {
        for len in [0, 1, 2, 5, RUN - 1, RUN, RUN + 1, 3 * RUN + 17, 9 * RUN] {
            let mut state = len as u64 + 7;
            let data: Vec<Pair> = (0..len)
                .map(|i| {
                    state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
                    ((state >> 40) as i64 % 1000, i as i64)
                })
                .collect();
            let mut expected = data.clone();
            expected.sort();
            for work in [1, 7, 1000, usize::MAX] {
                let mut sort = SliceSort::new(data.clone());
                let mut steps = 0;
                while !sort.step(work) {
                    steps += 1;
                    assert!(steps < 100_000_000);
                }
                assert_eq!(sort.into_sorted(), expected, "len {len}, work {work}");
            }
            // Sorted input: one scan.
            let mut sort = SliceSort::new(expected.clone());
            assert!(sort.step(len + 1));
            assert_eq!(sort.into_sorted(), expected);
        }
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
