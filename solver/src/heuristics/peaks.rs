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
//! The hot set falls into parts that share no time (a few dozen on a long trace), and the
//! one at the load's peak decides the height: a part the hot set's passes leave above the
//! load is packed again on its own by other passes ([`lower_parts`]).
//!
//! Where the fill still has to go above the hot packing, the hot set grows by the buffers
//! live there and the round runs again: a few rounds find the few places that need care. On
//! a generated trace of a million buffers (`huge`, seed 7) this lands 0.16% above the load
//! bound where the online pass alone is 11% above.

use super::online::{fill, plain_fill, Budget, Spans};
use super::{Greedy, Heuristic, Order, STOP_CHECK};
use crate::bounds::LoadProfile;
use crate::model::{Lifespan, Offset, Problem, Time};
use crate::sort::sort_pairs;

/// Which movable buffers are hot: live (by their whole span) at some time where the load is
/// at least `permille` thousandths of the peak.
fn hot_buffers(problem: &Problem, profile: &LoadProfile, permille: u32) -> (Vec<bool>, usize) {
    let (_, peak) = profile.peak();
    let hot_at = |load: Offset| i128::from(load) * 1000 >= i128::from(peak) * i128::from(permille);
    // The hot intervals of time, in order.
    let mut intervals: Vec<(Time, Time)> = Vec::new();
    for pair in profile.steps.windows(2) {
        let ((lower, load), (upper, _)) = (pair[0], pair[1]);
        if load > 0 && hot_at(load) {
            intervals.push((lower, upper));
        }
    }
    let mut hot = vec![false; problem.buffers.len()];
    let movable = mark_meeting(problem, &merge(intervals), &mut hot);
    (hot, movable)
}

/// Marks in `marked` the movable buffers whose span meets one of `intervals` (sorted and
/// disjoint), and says how many movable buffers have a span.
fn mark_meeting(problem: &Problem, intervals: &[(Time, Time)], marked: &mut [bool]) -> usize {
    let mut movable = 0;
    for (buffer, mark) in problem.buffers.iter().zip(marked) {
        let Some(span) = buffer.occupied_span().filter(|_| buffer.offset.is_none()) else {
            continue;
        };
        movable += 1;
        // The first interval ending after the span's start is the only candidate.
        let at = intervals.partition_point(|&(_, upper)| upper <= span.lower);
        if intervals
            .get(at)
            .is_some_and(|&(lower, _)| lower < span.upper)
        {
            *mark = true;
        }
    }
    movable
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
    let (hot, movable) = hot_buffers(problem, profile, u32::from(permille));
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
    let (mut hot, _) = hot_buffers(problem, profile, permille);
    let enough = profile.peak().1;
    let mut best: Option<(Offset, Vec<Offset>)> = None;
    // Growing the hot set past half in later rounds is fine: it grows only where the fill
    // needed it, and the budget bounds the cost.
    let rounds = if worth_it(&hot, movable) { ROUNDS } else { 0 };
    for _ in 0..rounds {
        let ceiling = best.as_ref().map_or(limit, |(height, _)| height - 1);
        let Some((hot_height, mut placed)) =
            pack_hot(problem, &hot, permille, ceiling, &mut budget)
        else {
            break;
        };
        let Some(hot_height) =
            lower_parts(problem, &hot, &mut placed, hot_height, enough, &mut budget)
        else {
            break;
        };
        let Some(filled) = fill(
            problem,
            spans,
            &placed,
            limit,
            Some(hot_height),
            &mut budget,
        ) else {
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
        mark_meeting(problem, &merge(filled.over), &mut hot);
    }
    if best.is_none() && !budget.interrupted {
        // Gave way: fill in everything around the fixed buffers alone, with the caller's
        // stop only (this is the online pass).
        return plain_fill(problem, spans, limit, stop);
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

/// `spans` (`(lower, upper)` pairs) sorted and merged into disjoint spans.
fn merge(mut spans: Vec<(Time, Time)>) -> Vec<(Time, Time)> {
    sort_pairs(&mut spans);
    let mut merged: Vec<(Time, Time)> = Vec::with_capacity(spans.len());
    for (lower, upper) in spans {
        match merged.last_mut() {
            Some(last) if lower <= last.1 => last.1 = last.1.max(upper),
            _ => merged.push((lower, upper)),
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

/// The hot packing `placed` (of height `height`) with each of its parts (see [`hot_parts`])
/// still above `enough` (the load's peak, below which no packing goes) packed again on its
/// own by [`PART_PASSES`], in turn until one reaches it, where one packs it lower: the new
/// height, or `None` when the budget ran out.
///
/// The hot set's pass is chosen for the whole set, but its parts share no time, and on a
/// long trace the one at the load's peak decides the height: the pass that suits it best
/// need not suit the others (`huge`, a million buffers, seed 3: 21 parts; the crowding
/// skyline leaves the peak's part 3.0% above the load, the lifetime skyline 0.95%). Parts
/// already at or below the load keep their packing, so the fill around them is unchanged.
fn lower_parts(
    problem: &Problem,
    hot: &[bool],
    placed: &mut [Option<Offset>],
    height: Offset,
    enough: Offset,
    budget: &mut Budget<'_>,
) -> Option<Offset> {
    if height <= enough {
        return Some(height);
    }
    let top = |b: usize, placed: &[Option<Offset>]| {
        placed[b].map_or(0, |offset| offset + problem.buffers[b].size)
    };
    let fixed: Vec<(Lifespan, usize)> = (0..problem.buffers.len())
        .filter(|&b| problem.buffers[b].offset.is_some())
        .filter_map(|b| problem.buffers[b].occupied_span().map(|span| (span, b)))
        .collect();
    for (hull, part) in hot_parts(problem, hot) {
        let mut part_height = part.iter().map(|&b| top(b, placed)).max().unwrap_or(0);
        if part_height <= enough {
            continue;
        }
        // The part and the fixed buffers that share time with it.
        let chosen: Vec<usize> = part
            .iter()
            .copied()
            .chain(
                fixed
                    .iter()
                    .filter(|(span, _)| span.overlaps(&hull))
                    .map(|&(_, b)| b),
            )
            .collect();
        let sub = Problem::new(
            chosen
                .iter()
                .map(|&b| problem.buffers[b].unnamed())
                .collect(),
            problem.capacity,
        );
        // A pass's limit holds for the fixed buffers too: none may be below theirs.
        let fixed_top = chosen[part.len()..]
            .iter()
            .map(|&b| top(b, placed))
            .max()
            .unwrap_or(0);
        let mut greedy = Greedy::new(&sub);
        for heuristic in PART_PASSES {
            if part_height <= enough || budget.spend(part.len() as u64) {
                break;
            }
            // The passes ask to stop once per STOP_CHECK steps: that is the work they report.
            let mut stop = || budget.spend(u64::from(STOP_CHECK));
            let limit = (part_height - 1).max(fixed_top);
            let Some(solution) = greedy.run(heuristic, limit, &mut stop) else {
                continue;
            };
            // The part's own height, kept only when lower.
            let height = part
                .iter()
                .zip(&solution.offsets)
                .map(|(&b, offset)| offset + problem.buffers[b].size)
                .max()
                .unwrap_or(0);
            if height < part_height {
                part_height = height;
                for (&b, &offset) in chosen.iter().zip(&solution.offsets) {
                    placed[b] = Some(offset);
                }
            }
        }
        if budget.stopped {
            return None;
        }
    }
    Some(
        (0..problem.buffers.len())
            .map(|b| top(b, placed))
            .max()
            .unwrap_or(0),
    )
}

/// The movable `hot` buffers in parts, in time order, each with its hull: two buffers whose
/// occupied spans meet are in the same part, so parts share no time and their packings
/// never clash. (Fixed buffers may cross several parts; they stay where they are.)
fn hot_parts(problem: &Problem, hot: &[bool]) -> Vec<(Lifespan, Vec<usize>)> {
    let mut starts: Vec<(Time, Time)> = problem
        .buffers
        .iter()
        .enumerate()
        .filter(|&(b, buffer)| hot[b] && buffer.offset.is_none())
        .filter_map(|(b, buffer)| buffer.occupied_span().map(|s| (s.lower, b as Time)))
        .collect();
    sort_pairs(&mut starts);
    let mut parts: Vec<(Lifespan, Vec<usize>)> = Vec::new();
    for (lower, b) in starts {
        let b = b as usize;
        let upper = problem.buffers[b]
            .occupied_span()
            .map_or(lower, |s| s.upper);
        match parts.last_mut() {
            Some((hull, part)) if lower < hull.upper => {
                hull.upper = hull.upper.max(upper);
                part.push(b);
            }
            _ => parts.push((Lifespan::new(lower, upper), vec![b])),
        }
    }
    parts
}

/// The passes that pack a part of the hot set again while it is above the load's peak.
const PART_PASSES: [Heuristic; 4] = [
    Heuristic::Skyline(Order::Lifetime),
    Heuristic::Skyline(Order::Area),
    Heuristic::Skyline(Order::Start),
    Heuristic::Skyline(Order::Size),
];

/// The passes tried on the hot problem before peaks at a higher threshold, best kept. (The
/// area skyline as well cost a third more time on `huge` traces and was better on none of
/// 100k to 1M buffers, seeds 7 to 9.)
const HOT_PASSES: [Heuristic; 1] = [Heuristic::Skyline(super::Order::Crowding)];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

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
        // Loads 11, 12, 5, 4, 3, 3: the peak 12 at time 1, 0.9 of it reached over 0..2.
        let (hot, _) = hot_buffers(&problem, &profile, 900);
        assert_eq!(hot, [true, true, false, false, false]);
        // 0.3 of it (3.6) over 0..4, a quarter (3) everywhere; fixed buffers are never hot.
        let (hot, _) = hot_buffers(&problem, &profile, 300);
        assert_eq!(hot, [true, true, true, false, false]);
        let (hot, _) = hot_buffers(&problem, &profile, 250);
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
        let plain = plain_fill(&problem, &spans, problem.capacity, &mut || false).unwrap();
        assert_eq!(starved.offsets, plain);
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
        let (hot, _) = hot_buffers(&problem, &profile, 800);
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

    #[test]
    fn hot_parts_are_the_hot_buffers_whose_lives_meet() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 3, 1),
                Buffer::new("b", 2, 5, 1),
                Buffer::new("c", 5, 6, 1),
                Buffer::new("cold", 0, 9, 1),
                Buffer::new("fixed", 0, 9, 1).with_offset(5),
                Buffer::new("d", 7, 9, 1),
            ],
            100,
        );
        let hot = [true, true, true, false, true, true];
        let parts = hot_parts(&problem, &hot);
        // a and b meet; c starts as b ends (half-open lives do not meet); the cold buffer
        // and the fixed one, though they meet everything, join nothing.
        assert_eq!(
            parts,
            [
                (Lifespan::new(0, 5), vec![0, 1]),
                (Lifespan::new(5, 6), vec![2]),
                (Lifespan::new(7, 9), vec![5]),
            ]
        );
    }

    /// One part, load 11, that the hot set's passes (the crowding skyline and nested peaks)
    /// pack at 12 and the lifetime skyline at 11.
    fn peak_part() -> Vec<Buffer> {
        vec![
            Buffer::new("b0", 6, 7, 4),
            Buffer::new("b1", 4, 5, 6),
            Buffer::new("b2", 5, 6, 3),
            Buffer::new("b3", 6, 9, 4),
            Buffer::new("b4", 1, 6, 3),
            Buffer::new("b5", 5, 9, 3),
            Buffer::new("b6", 0, 2, 6),
        ]
    }

    /// The ablation of [`lower_parts`]: a part the hot set's pass leaves above the load is
    /// packed at the load, and the other part keeps its packing.
    #[test]
    fn lower_parts_packs_again_only_the_parts_above_the_load() {
        let mut buffers = peak_part();
        // A second part, far below the load.
        buffers.push(Buffer::new("later", 20, 24, 5));
        buffers.push(Buffer::new("beside", 22, 26, 2));
        let problem = Problem::new(buffers, 1000);
        let profile = LoadProfile::of(&problem);
        let load = profile.peak().1;
        assert_eq!(load, 11);
        let hot = vec![true; problem.buffers.len()];
        let mut never = || false;
        let mut budget = Budget::new(u64::MAX, &mut never);
        let (height, mut placed) = pack_hot(&problem, &hot, 800, 1000, &mut budget).unwrap();
        // The crowding skyline and nested peaks leave the first part a byte above the load.
        assert_eq!(height, 12);
        let later = placed[7..].to_vec();
        let lowered = lower_parts(&problem, &hot, &mut placed, height, load, &mut budget);
        assert_eq!(lowered, Some(load));
        assert_eq!(placed[7..], later);
        let offsets: Vec<Offset> = placed.iter().map(|o| o.unwrap()).collect();
        let solution = Solution::from_offsets(&problem, offsets);
        validate(&problem, &solution).unwrap();
        assert_eq!(solution.height, load);
        // A packing at the load already is left alone.
        let before = placed.clone();
        assert_eq!(
            lower_parts(&problem, &hot, &mut placed, load, load, &mut budget),
            Some(load)
        );
        assert_eq!(placed, before);
    }

    #[test]
    fn lower_parts_keeps_clear_of_fixed_buffers() {
        // The same first part beside a fixed buffer live over all of it, at the bottom.
        let mut buffers = peak_part();
        buffers.push(Buffer::new("fixed", 0, 9, 2).with_offset(0));
        let problem = Problem::new(buffers, 1000);
        let load = LoadProfile::of(&problem).peak().1;
        let hot: Vec<bool> = (0..problem.buffers.len()).map(|b| b < 7).collect();
        let mut never = || false;
        let mut budget = Budget::new(u64::MAX, &mut never);
        let (height, mut placed) = pack_hot(&problem, &hot, 800, 1000, &mut budget).unwrap();
        let lowered = lower_parts(&problem, &hot, &mut placed, height, load, &mut budget).unwrap();
        // Packed again beside the fixed buffer, the part comes down to the load.
        assert_eq!((height, lowered, load), (14, 13, 13));
        assert_eq!(placed[7], Some(0));
        let offsets: Vec<Offset> = placed.iter().map(|o| o.unwrap()).collect();
        let solution = Solution::from_offsets(&problem, offsets);
        validate(&problem, &solution).unwrap();
        assert_eq!(solution.height, lowered);
    }

    #[test]
    fn lower_parts_never_raises_a_part_beside_a_fixed_buffer_higher_still() {
        // The same part stacked one buffer on another (height 29), and a fixed buffer far
        // above it in its time: the height stays the fixed buffer's, and the part is only
        // ever traded for a lower packing. (The skylines cannot place beneath a fixed
        // buffer, so here none is found.)
        let mut buffers = peak_part();
        buffers.push(Buffer::new("high", 8, 9, 1).with_offset(100));
        let problem = Problem::new(buffers, 1000);
        let load = LoadProfile::of(&problem).peak().1;
        let hot: Vec<bool> = (0..problem.buffers.len()).map(|b| b < 7).collect();
        let mut placed: Vec<Option<Offset>> = vec![None; 8];
        let mut stacked = 0;
        for (b, offset) in placed.iter_mut().enumerate().take(7) {
            *offset = Some(stacked);
            stacked += problem.buffers[b].size;
        }
        placed[7] = Some(100);
        let mut never = || false;
        let mut budget = Budget::new(u64::MAX, &mut never);
        let lowered = lower_parts(&problem, &hot, &mut placed, 101, load, &mut budget);
        assert_eq!(lowered, Some(101));
        let part_top = (0..7)
            .map(|b| placed[b].unwrap() + problem.buffers[b].size)
            .max()
            .unwrap();
        assert!(part_top <= 29 && load == 11);
        assert_eq!(placed[7], Some(100));
        let offsets: Vec<Offset> = placed.iter().map(|o| o.unwrap()).collect();
        validate(&problem, &Solution::from_offsets(&problem, offsets)).unwrap();
    }
}
