//! Peaks first: pack the buffers live where the load is highest as a small problem of their
//! own, then fill in everything else around them in one online sweep.
//!
//! The height of a packing is decided where the load is close to its maximum; elsewhere
//! there is room to spare. On a long trace those crowded times are few, so the buffers live
//! then (the *hot* buffers: those live at some time where the load reaches a threshold share
//! of the peak) form a problem small enough for the skyline passes, which would not finish
//! on the whole trace. The others (*cold*) then go in start order, each into the tightest free
//! block that stays clear of the hot buffers for its whole life ([`fill`]): O(n log n) plus,
//! per cold buffer, the hot buffers that start while it is live and the free blocks tried.
//!
//! Where the fill still has to go above the hot packing, the hot set grows by the buffers
//! live there and the round runs again: a few rounds find the few places that need care. On
//! a generated trace of a million buffers (`huge`, seed 7) this lands 0.16% above the load
//! bound where the online pass alone is 11% above.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::blocks::Blocks;
use super::{Greedy, Heuristic, STOP_CHECK};
use crate::bounds::LoadProfile;
use crate::model::{Lifespan, Offset, Problem, Time};
use crate::sort::radix_sort_by_key;

/// How many bounded blocks a buffer clear of obstacles tries before giving up on alignment
/// and going to the top (as the online pass does).
const ALIGNMENT_TRIES: usize = 8;

/// How many bounded free blocks a cold buffer tries, tightest first, before going on top:
/// all of them (there are about as many as live buffers), since a buffer that goes on top
/// is what raises the height.
const FILL_TRIES: usize = usize::MAX;

/// A placed piece the fill sweep must keep clear of: `[bottom, top)` during `[lower, upper)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Obstacle {
    lower: Time,
    upper: Time,
    bottom: Offset,
    top: Offset,
}

/// Which movable buffers are hot: live (by their whole span) at some time where the load is
/// at least `permille` thousandths of the peak.
fn hot_buffers(
    problem: &Problem,
    spans: &[Option<Lifespan>],
    profile: &LoadProfile,
    permille: u32,
) -> Vec<bool> {
    let (_, peak) = profile.peak();
    let hot_at = |load: Offset| i128::from(load) * 1000 >= i128::from(peak) * i128::from(permille);
    // The hot intervals of time, in order, as (lower, upper).
    let mut intervals: Vec<(Time, Time)> = Vec::new();
    for pair in profile.steps.windows(2) {
        let ((lower, load), (upper, _)) = (pair[0], pair[1]);
        if load > 0 && hot_at(load) {
            match intervals.last_mut() {
                Some(last) if last.1 == lower => last.1 = upper,
                _ => intervals.push((lower, upper)),
            }
        }
    }
    problem
        .buffers
        .iter()
        .zip(spans)
        .map(|(buffer, span)| {
            let Some(span) = span.filter(|_| buffer.offset.is_none()) else {
                return false;
            };
            // The first interval ending after the span's start is the only candidate.
            let at = intervals.partition_point(|&(_, end)| end <= span.lower);
            intervals
                .get(at)
                .is_some_and(|&(start, _)| start < span.upper)
        })
        .collect()
}

/// Each buffer's occupied span, from its first piece's start to its last piece's end
/// (`None` for a buffer with no pieces), and the movable ones that have one in the order
/// the fill meets them: by start, larger first among those starting together.
struct Spans {
    span: Vec<Option<Lifespan>>,
    starts: Vec<(Time, i64, u32)>,
    /// The same buffers by the end of their span: when the fill frees them.
    ends: Vec<(Time, u32)>,
}

impl Spans {
    fn of(problem: &Problem) -> Spans {
        let span: Vec<Option<Lifespan>> =
            problem.buffers.iter().map(|b| b.occupied_span()).collect();
        let mut starts: Vec<(Time, i64, u32)> = problem
            .buffers
            .iter()
            .zip(&span)
            .enumerate()
            .filter(|(_, (buffer, _))| buffer.offset.is_none())
            .filter_map(|(b, (buffer, span))| span.map(|s| (s.lower, -buffer.size, b as u32)))
            .collect();
        // By (start, -size, index): stable sorts, the last key first. (Sizes are at least 0,
        // so -size is exact.)
        radix_sort_by_key(&mut starts, |&(_, size, _)| size);
        radix_sort_by_key(&mut starts, |&(start, _, _)| start);
        let mut ends: Vec<(Time, u32)> = starts
            .iter()
            .map(|&(_, _, b)| (span[b as usize].map_or(0, |s| s.upper), b))
            .collect();
        radix_sort_by_key(&mut ends, |&(end, _)| end);
        Spans { span, starts, ends }
    }
}

/// Peaks first with hot threshold `permille`: offsets for every buffer below `limit`, or
/// `None` if there are none or `stop` said to give up.
///
/// When the hot set is too large for the technique to pay ([`worth_it`]) or the pass's
/// work budget ([`WORK_PER_BUFFER`]) runs out before a round is complete, the pass gives
/// way: it is then the plain fill (every buffer in start order, best fit around the fixed
/// ones), a packing at the online pass's cost, so that it still answers.
///
/// Where the fill has to put a buffer above the hot packing's height, the buffers live
/// during its life join the hot set and the round is run again (at most [`ROUNDS`] rounds,
/// the lowest packing kept): the hot set grows where the fill could not cope.
pub(crate) fn peaks(
    problem: &Problem,
    profile: Option<&LoadProfile>,
    permille: u32,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let spans = Spans::of(problem);
    let units = MIN_WORK + WORK_PER_BUFFER * spans.starts.len() as u64;
    let computed;
    let profile = match profile {
        Some(profile) => profile,
        None => {
            computed = LoadProfile::of(problem);
            &computed
        }
    };
    rounds(problem, &spans, profile, permille, limit, units, stop)
}

/// The pass minimisation runs first when [`leads`] says so.
pub(crate) const LEAD: Heuristic = Heuristic::Peaks(800);

/// Whether [`LEAD`] should be a minimisation's first pass (the one that must finish, so
/// that there is an answer) instead of the online pass: when its hot set is at most
/// [`LEAD_SHARE`] of the movable buffers. Its hot packing is then small beside the fills
/// (each an online pass in effect), so the whole pass is bounded work a small constant times
/// the online pass's, by its budget; and on such long traces its answer is far better
/// (`huge`, 1M buffers: at LOAD where the online pass is 11% above). The hot sets of the
/// `huge` traces are 0.7-2.1% of their buffers; those of `cnn`, `training`, `transformer`
/// and `mixed` traces 18-60%, where the online pass stays first.
pub(crate) fn leads(problem: &Problem, profile: &LoadProfile) -> bool {
    let Heuristic::Peaks(permille) = LEAD else {
        return false;
    };
    let spans: Vec<Option<Lifespan>> = problem.buffers.iter().map(|b| b.occupied_span()).collect();
    let movable = problem
        .buffers
        .iter()
        .zip(&spans)
        .filter(|(buffer, span)| buffer.offset.is_none() && span.is_some())
        .count();
    let hot = hot_buffers(problem, &spans, profile, u32::from(permille));
    let count = hot.iter().filter(|&&h| h).count();
    count > 0 && count * LEAD_SHARE <= movable
}

/// See [`leads`]: the lead's hot set is at most one in this many movable buffers.
const LEAD_SHARE: usize = 16;

/// [`peaks`] with a budget of `units`.
fn rounds(
    problem: &Problem,
    spans: &Spans,
    profile: &LoadProfile,
    permille: u32,
    limit: Offset,
    units: u64,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let movable = spans.starts.len() as u64;
    let mut budget = Budget::new(units, stop);
    let mut hot = hot_buffers(problem, &spans.span, profile, permille);
    let mut best: Option<(Offset, Vec<Offset>)> = None;
    // Growing the hot set past half in later rounds is fine: it grows only where the fill
    // needed it, and the budget bounds the cost.
    let rounds = if worth_it(&hot, movable) { ROUNDS } else { 0 };
    for _ in 0..rounds {
        let ceiling = best.as_ref().map_or(limit, |(height, _)| height - 1);
        let Some((hot_height, placed)) = pack_hot(problem, &hot, permille, ceiling, &mut budget)
        else {
            break;
        };
        let Some(filled) = fill(problem, spans, &placed, limit, hot_height, &mut budget) else {
            break;
        };
        let height = crate::model::height_of(problem, &filled.offsets);
        if height <= ceiling {
            best = Some((height, filled.offsets));
        }
        if filled.over.is_empty() {
            break;
        }
        // Everything live while a buffer that rose was live joins the hot set.
        let over = merge(filled.over);
        for (b, buffer) in problem.buffers.iter().enumerate() {
            let Some(span) = spans.span[b].filter(|_| buffer.offset.is_none()) else {
                continue;
            };
            let at = over.partition_point(|o| o.upper <= span.lower);
            if over.get(at).is_some_and(|o| o.lower < span.upper) {
                hot[b] = true;
            }
        }
    }
    if best.is_none() && !budget.interrupted {
        // Gave way: fill in everything around the fixed buffers alone, with the caller's
        // stop only (this is O(n log n) plus the fixed pieces each buffer meets).
        let mut budget = Budget::new(u64::MAX, stop);
        let placed: Vec<Option<Offset>> = problem.buffers.iter().map(|b| b.offset).collect();
        let filled = fill(problem, spans, &placed, limit, limit, &mut budget)?;
        let height = crate::model::height_of(problem, &filled.offsets);
        return (height <= limit).then_some(filled.offsets);
    }
    best.map(|(_, offsets)| offsets)
}

/// Whether packing the `hot` buffers as their own problem can pay: only when at first they
/// are at most half of the `movable` ones. Beyond that the hot problem is nearly the whole one, so
/// its skyline costs about what the whole trace's skyline pass does (which the portfolio
/// runs anyway, seeing everything), and peaks again on it would be the same problem once
/// more. The rule also makes the nested passes shrink geometrically. Measured with
/// thresholds 800/900 on `cargo xtask gen --suite`: the `huge` traces' hot sets are 0.7-1.3%
/// of their buffers, then 3-13% of that at each nested level until the hot set stops
/// shrinking; `training` traces are 60% hot (the pass gives way at once), `cnn`,
/// `transformer` and `mixed` 18-30% (the budget bounds those).
fn worth_it(hot: &[bool], movable: u64) -> bool {
    let count = hot.iter().filter(|&&h| h).count() as u64;
    count > 0 && 2 * count <= movable
}

/// Work units a peaks pass may spend per movable buffer (plus [`MIN_WORK`]) before it gives
/// way, keeping what its finished rounds found. A unit is a skyline step on the hot
/// problem, a cold buffer placed, or an obstacle or free block the fill looks at; nested
/// passes spend from the same budget. On `huge` traces (100k to 1M buffers, seeds 7 and
/// 11) a whole pass spends at most about 7 units per buffer; on crowded traces the hot
/// skyline alone would spend hundreds (tens of seconds for 60k buffers), which is what the
/// budget is for: the passes after this one must get their turn. Counting work instead of
/// time keeps the pass deterministic.
const WORK_PER_BUFFER: u64 = 32;

/// The budget every peaks pass gets whatever its size, so small problems are not cut short.
const MIN_WORK: u64 = 1 << 20;

/// A peaks pass's work budget, and the caller's stop asked once per [`STOP_CHECK`] units.
struct Budget<'s> {
    left: u64,
    unchecked: u64,
    stop: &'s mut dyn FnMut() -> bool,
    /// The budget is spent or the caller said to stop.
    stopped: bool,
    /// The caller said to stop.
    interrupted: bool,
}

impl<'s> Budget<'s> {
    fn new(units: u64, stop: &'s mut dyn FnMut() -> bool) -> Budget<'s> {
        Budget {
            left: units,
            unchecked: 0,
            stop,
            stopped: false,
            interrupted: false,
        }
    }

    /// Spends `units` of work: true when the pass must stop (the budget is spent, or the
    /// caller said so). Once true, always true.
    fn spend(&mut self, units: u64) -> bool {
        if self.stopped {
            return true;
        }
        self.left = self.left.saturating_sub(units);
        self.unchecked += units;
        if self.left == 0 {
            self.stopped = true;
        } else if self.unchecked >= u64::from(STOP_CHECK) {
            self.unchecked = 0;
            self.interrupted = (self.stop)();
            self.stopped = self.interrupted;
        }
        self.stopped
    }
}

/// `spans` sorted and merged into disjoint spans.
fn merge(mut spans: Vec<Lifespan>) -> Vec<Lifespan> {
    spans.sort_unstable_by_key(|span| (span.lower, span.upper));
    let mut merged: Vec<Lifespan> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.lower <= last.upper => last.upper = last.upper.max(span.upper),
            _ => merged.push(span),
        }
    }
    merged
}

/// Rounds of [`peaks`]: the first, and growths of the hot set where the fill rose.
const ROUNDS: usize = 6;

/// The hot buffers (and fixed ones) packed by the best of [`HOT_PASSES`] and peaks at a
/// higher threshold below `limit`:
/// its height and each buffer's offset (`None` for the others).
fn pack_hot(
    problem: &Problem,
    hot: &[bool],
    permille: u32,
    limit: Offset,
    budget: &mut Budget<'_>,
) -> Option<(Offset, Vec<Option<Offset>>)> {
    let chosen: Vec<usize> = (0..problem.buffers.len())
        .filter(|&b| hot[b] || problem.buffers[b].offset.is_some())
        .collect();
    let sub = Problem::new(
        chosen.iter().map(|&b| problem.buffers[b].clone()).collect(),
        problem.capacity,
    );
    let mut greedy = Greedy::new(&sub);
    let mut best: Option<(Offset, Vec<Offset>)> = None;
    // The hot problem has the same peak: its own peaks first, at a higher threshold.
    let inner = (permille + 1000) / 2;
    let nested = (inner < 990).then_some(Heuristic::Peaks(inner as u16));
    for heuristic in HOT_PASSES.into_iter().chain(nested) {
        let cap = best.as_ref().map_or(limit, |(height, _)| height - 1);
        // The passes ask to stop once per STOP_CHECK steps: that is the work they report.
        let mut stop = || budget.spend(u64::from(STOP_CHECK));
        match greedy.run(heuristic, cap, &mut stop) {
            Some(solution) => {
                best = Some((solution.height, solution.offsets));
            }
            None if budget.stopped => return None,
            None => {}
        }
    }
    let (height, offsets) = best?;
    let mut placed: Vec<Option<Offset>> = vec![None; problem.buffers.len()];
    for (&b, offset) in chosen.iter().zip(offsets) {
        placed[b] = Some(offset);
    }
    Some((height, placed))
}

/// The passes tried on the hot problem before peaks at a higher threshold, best kept. (The
/// area skyline as well cost a third more time on `huge` traces and was better on none of
/// 100k to 1M buffers, seeds 7 to 9.)
const HOT_PASSES: [Heuristic; 1] = [Heuristic::Skyline(super::Order::Crowding)];

/// A completed packing, and the lives of the buffers that had to go above the ceiling the
/// fill was given.
struct Filled {
    offsets: Vec<Offset>,
    over: Vec<Lifespan>,
}

/// Completes a partial packing: `placed[b]` is `Some` for the buffers already placed (fixed
/// buffers among them), which stay where they are. The others go in start order into the
/// tightest free block clear of the placed buffers' pieces over their whole span (their own
/// gaps are ignored); buffers that occupy nothing rest below `limit`. `None` when the
/// budget says to give up; `over` holds the lives of the buffers that end above `ceiling`.
///
/// Each cold buffer costs the budget one unit, plus one per obstacle starting in its life and
/// per free block tried: on a crowded trace those can be thousands per buffer.
fn fill(
    problem: &Problem,
    spans: &Spans,
    placed: &[Option<Offset>],
    limit: Offset,
    ceiling: Offset,
    budget: &mut Budget<'_>,
) -> Option<Filled> {
    let mut over = Vec::new();
    let mut offsets = vec![0; problem.buffers.len()];
    let mut obstacles: Vec<Obstacle> = Vec::new();
    for (index, buffer) in problem.buffers.iter().enumerate() {
        match placed[index] {
            Some(offset) => {
                offsets[index] = offset;
                obstacles.extend(buffer.pieces().iter().map(|piece| Obstacle {
                    lower: piece.time.lower,
                    upper: piece.time.upper,
                    bottom: offset + piece.bottom,
                    top: offset + piece.top,
                }));
            }
            None if spans.span[index].is_none() => offsets[index] = buffer.resting_offset(limit),
            None => {}
        }
    }
    obstacles.sort_unstable();
    let mut free = Blocks::new();
    // Live obstacles by end: (end, bottom, size). Cold buffers end in `spans.ends` order.
    let mut live: BinaryHeap<Reverse<(Time, Offset, Offset)>> = BinaryHeap::new();
    let mut next_end = 0;
    let mut next_obstacle = 0;
    let mut conflicts: Vec<(Offset, Offset)> = Vec::new();
    let cold = spans
        .starts
        .iter()
        .filter(|&&(_, _, b)| placed[b as usize].is_none());
    for &(lower, _, index) in cold {
        let index = index as usize;
        // Replay every end and obstacle start up to `lower`, ends first on ties. (A cold
        // buffer ending by then started before `lower`, so it is placed.)
        loop {
            while spans
                .ends
                .get(next_end)
                .is_some_and(|&(_, b)| placed[b as usize].is_some())
            {
                next_end += 1;
            }
            let cold_end = spans.ends.get(next_end).map(|&(end, _)| end);
            let obstacle_end = live.peek().map(|&Reverse((end, _, _))| end);
            let end = match (cold_end, obstacle_end) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            let start = obstacles.get(next_obstacle).map(|o| o.lower);
            match (end, start) {
                (Some(end), start) if end <= lower && start.map_or(true, |s| end <= s) => {
                    if cold_end == Some(end) {
                        let b = spans.ends[next_end].1 as usize;
                        next_end += 1;
                        free.free(offsets[b], problem.buffers[b].size);
                    } else {
                        let Reverse((_, bottom, size)) = live.pop().expect("peeked");
                        free.free(bottom, size);
                    }
                }
                (_, Some(start)) if start <= lower => {
                    let o = obstacles[next_obstacle];
                    next_obstacle += 1;
                    let (carved, looked_at) = free.carve(o.bottom, o.top);
                    if !carved {
                        debug_assert!(false, "an obstacle's range is not free");
                        return None;
                    }
                    if budget.spend(looked_at) {
                        return None;
                    }
                    live.push(Reverse((o.upper, o.bottom, o.top - o.bottom)));
                }
                _ => break,
            }
        }
        let buffer = &problem.buffers[index];
        let upper = spans.span[index].map_or(lower, |span| span.upper);
        // Obstacles starting while this buffer is live, lowest first.
        conflicts.clear();
        conflicts.extend(
            obstacles[next_obstacle..]
                .iter()
                .take_while(|o| o.lower < upper)
                .map(|o| (o.bottom, o.top)),
        );
        let (at, tried) = if conflicts.is_empty() {
            free.allocate_clear(buffer.size, buffer.alignment, &[], ALIGNMENT_TRIES)
        } else {
            conflicts.sort_unstable();
            free.allocate_clear(buffer.size, buffer.alignment, &conflicts, FILL_TRIES)
        };
        if budget.spend(1 + conflicts.len() as u64 + tried) {
            return None;
        }
        if at + buffer.size > ceiling {
            over.push(Lifespan::new(lower, upper));
        }
        offsets[index] = at;
    }
    Some(Filled { offsets, over })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn the_fill_keeps_clear_of_placed_pieces_over_their_whole_life() {
        // h is placed at 0..4 from time 3 (after a gap 5..7 in which only its window 2..4 is
        // occupied); f is fixed at 4..6 over 0..10. The cold buffers meet h only after they
        // start: c (0..4, size 4) must not sit at 0..4 although that block is free at 0.
        let problem = Problem::new(
            vec![
                Buffer::new("h", 3, 9, 4).with_gap(5, 7, Some((2, 4))),
                Buffer::new("f", 0, 10, 2).with_offset(4),
                Buffer::new("c", 0, 4, 4),
                Buffer::new("d", 5, 7, 2),
                Buffer::new("e", 9, 10, 4),
            ],
            100,
        );
        let spans = Spans::of(&problem);
        let placed = [Some(0), Some(4), None, None, None];
        let mut never = || false;
        let mut budget = Budget::new(u64::MAX, &mut never);
        let filled = fill(&problem, &spans, &placed, 100, 6, &mut budget).unwrap();
        let solution = Solution::from_offsets(&problem, filled.offsets);
        validate(&problem, &solution).unwrap();
        // c goes above f; d takes the part of h's range its window leaves free; e reuses 0..4.
        assert_eq!(solution.offsets, [0, 4, 6, 0, 0]);
        assert_eq!(filled.over, [Lifespan::new(0, 4)]);
    }

    #[test]
    fn hot_buffers_are_the_ones_live_near_the_peak() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 10),
                Buffer::new("b", 1, 3, 1),
                Buffer::new("c", 2, 4, 3),
                Buffer::new("d", 4, 6, 2),
                Buffer::new("e", 0, 6, 1).with_offset(20),
            ],
            100,
        );
        let profile = LoadProfile::of(&problem);
        let spans = Spans::of(&problem);
        // Loads 11, 12, 5, 4, 3, 3: the peak 12 at time 1, 0.9 of it reached over 0..2.
        let hot = hot_buffers(&problem, &spans.span, &profile, 900);
        assert_eq!(hot, [true, true, false, false, false]);
        // 0.3 of it (3.6) over 0..4, a quarter (3) everywhere; fixed buffers are never hot.
        let hot = hot_buffers(&problem, &spans.span, &profile, 300);
        assert_eq!(hot, [true, true, true, false, false]);
        let hot = hot_buffers(&problem, &spans.span, &profile, 250);
        assert_eq!(hot, [true, true, true, true, false]);
    }

    #[test]
    fn peaks_gives_way_to_the_plain_fill_when_its_budget_runs_out() {
        // Staggered buffers, each live over 40 steps with a fixed one across the middle: the
        // hot set is a small part, but a budget of a few units ends the first round early.
        let mut buffers: Vec<Buffer> = (0..2000i64)
            .map(|i| Buffer::new(format!("b{i}"), i, i + 40, 1 + (i * 37) % 11))
            .collect();
        buffers.push(Buffer::new("peak", 1000, 1010, 500));
        buffers.push(
            Buffer::new("fixed", 900, 1100, 3)
                .with_alignment(4)
                .with_offset(8),
        );
        let problem = Problem::new(buffers, Offset::MAX / 4);
        let spans = Spans::of(&problem);
        let starved = rounds(
            &problem,
            &spans,
            &LoadProfile::of(&problem),
            800,
            problem.capacity,
            100,
            &mut || false,
        );
        let starved = Solution::from_offsets(&problem, starved.unwrap());
        validate(&problem, &starved).unwrap();
        // It is the plain fill: every movable buffer in start order around the fixed one.
        let placed: Vec<Option<Offset>> = problem.buffers.iter().map(|b| b.offset).collect();
        let mut never = || false;
        let mut budget = Budget::new(u64::MAX, &mut never);
        let plain = fill(&problem, &spans, &placed, problem.capacity, 0, &mut budget).unwrap();
        assert_eq!(starved.offsets, plain.offsets);
        // With its budget the pass does better: the peak buffer goes in first.
        let full = peaks(&problem, None, 800, problem.capacity, &mut || false).unwrap();
        let full = Solution::from_offsets(&problem, full);
        validate(&problem, &full).unwrap();
        assert!(full.height <= starved.height);
        assert_eq!(full.height, LoadProfile::of(&problem).peak().1);
    }

    #[test]
    fn peaks_leads_on_a_long_trace_with_one_peak_and_minimisation_runs_it_first() {
        // 2000 short staggered buffers (load about 3) and, over a short stretch, four large
        // ones: the hot set is those four and the small buffers beside them, 1/16 or less.
        let mut buffers: Vec<Buffer> = (0..2000i64)
            .map(|i| Buffer::new(format!("b{i}"), i, i + 3, 1 + i % 2))
            .collect();
        for k in 0..4 {
            buffers.push(Buffer::new(format!("peak{k}"), 1000 + k, 1010 + k, 50 + k));
        }
        let problem = Problem::new(buffers, crate::MAX_MAGNITUDE);
        let profile = LoadProfile::of(&problem);
        assert!(leads(&problem, &profile));
        // A monitor that says stop at once: the lead must still finish, so it found the
        // packing minimisation returns (1 above LOAD here).
        struct Stop;
        impl crate::Monitor for Stop {
            fn should_stop(&mut self) -> bool {
                true
            }
        }
        let report = crate::minimize(&problem, &crate::SolverParams::default(), &mut Stop);
        let report = report.unwrap();
        let solution = report.solution().unwrap();
        validate(&problem, solution).unwrap();
        assert_eq!(solution.height, profile.peak().1 + 1);
        assert_eq!(report.found_by, Some(crate::FoundBy::Heuristic(LEAD)));
        // A flat trace (every buffer near the peak) does not lead.
        let flat: Vec<Buffer> = (0..100i64)
            .map(|i| Buffer::new(format!("f{i}"), i % 2, 10 + i % 3, 1 + i % 5))
            .collect();
        let flat = Problem::new(flat, Offset::MAX / 4);
        assert!(!leads(&flat, &LoadProfile::of(&flat)));
    }

    #[test]
    fn peaks_gives_way_when_most_buffers_are_hot() {
        // A flat load: every buffer is hot, so the hot problem would be the whole one.
        let buffers = (0..100i64)
            .map(|i| Buffer::new(format!("b{i}"), i % 2, 10 + i % 3, 1 + i % 5))
            .collect();
        let problem = Problem::new(buffers, Offset::MAX / 4);
        let spans = Spans::of(&problem);
        let profile = LoadProfile::of(&problem);
        let hot = hot_buffers(&problem, &spans.span, &profile, 800);
        assert!(!worth_it(&hot, spans.starts.len() as u64));
        let offsets = peaks(&problem, None, 800, problem.capacity, &mut || false).unwrap();
        validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
    }

    #[test]
    fn peaks_validates_and_hears_a_stop() {
        let buffers = (0..3 * STOP_CHECK as i64)
            .map(|i| Buffer::new(format!("b{i}"), i, i + 1 + i % 7, 1 + (i * 37) % 11))
            .collect();
        let problem = Problem::new(buffers, Offset::MAX / 4);
        let offsets = peaks(&problem, None, 800, problem.capacity, &mut || false).unwrap();
        validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
        let mut asked = 0;
        let stopped = peaks(&problem, None, 800, problem.capacity, &mut || {
            asked += 1;
            true
        });
        assert_eq!(stopped, None);
        assert!(asked >= 1);
    }
}
