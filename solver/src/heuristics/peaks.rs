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

use super::fill::{refill, LastFill};
use super::online::{plain_fill, Budget, Spans};
use super::Heuristic;
use crate::bounds::LoadProfile;
use crate::model::{Lifespan, Offset, Problem, Time};
use crate::sort::sort_pairs;

mod best;
mod hot;
mod parts;

use best::BestByPart;
use hot::{pack_hot, Carried};
use parts::lower_parts;
pub(crate) use parts::reborrow;
pub(crate) use parts::PartPacker;

/// Which movable buffers are hot: live (by their whole span) at some time where the load is
/// at least `permille` thousandths of the peak. `movable`: each buffer's span if it is
/// movable and has one, in buffer order (from the buffers, or from [`Spans::movable`]).
fn hot_buffers(
    movable: impl Iterator<Item = Option<Lifespan>>,
    profile: &LoadProfile,
    permille: u32,
) -> (Vec<bool>, usize) {
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
    let mut hot = Vec::new();
    let count = mark_meeting(movable, &merge(intervals), &mut hot);
    (hot, count)
}

/// The movable buffers' spans as [`hot_buffers`] takes them, read from the buffers.
fn movable_spans(problem: &Problem) -> impl Iterator<Item = Option<Lifespan>> + '_ {
    problem
        .buffers
        .iter()
        .map(|b| b.occupied_span().filter(|_| b.offset.is_none()))
}

/// Marks in `marked` the buffers whose span in `movable` (see [`hot_buffers`]) meets one
/// of `intervals` (sorted and disjoint), and says how many have a span. `marked` grows to
/// one flag a buffer if it is shorter.
fn mark_meeting(
    movable: impl Iterator<Item = Option<Lifespan>>,
    intervals: &[(Time, Time)],
    marked: &mut Vec<bool>,
) -> usize {
    let mut count = 0;
    for (b, span) in movable.enumerate() {
        if b == marked.len() {
            marked.push(false);
        }
        let Some(span) = span else { continue };
        count += 1;
        // The first interval ending after the span's start is the only candidate.
        let at = intervals.partition_point(|&(_, upper)| upper <= span.lower);
        if intervals
            .get(at)
            .is_some_and(|&(lower, _)| lower < span.upper)
        {
            marked[b] = true;
        }
    }
    count
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
/// each part's lowest packing kept, see [`BestByPart`]): the hot set grows where the fill
/// could not cope.
///
/// `packer`, where the caller has one, packs the hot set's parts that no skyline order
/// brings down to the load (see `peaks/parts.rs`).
///
/// With `must_answer` (a minimisation's lead) `stop` is not asked before the first round's
/// packing (or the plain fill's) is complete: the pass always answers, the same on any
/// machine, and only its later rounds give way to the caller.
pub(crate) fn peaks(
    problem: &Problem,
    profile: Option<&LoadProfile>,
    permille: u32,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
    packer: Option<&mut dyn PartPacker>,
    must_answer: bool,
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
    let budget = if must_answer {
        Budget::held(units, stop)
    } else {
        Budget::new(units, stop)
    };
    let measure = Measure {
        profile,
        pays: None,
        nested: false,
    };
    rounds(problem, &spans, measure, permille, limit, budget, packer)
}

/// How a peaks pass sees its problem: the load profile it measures its hot set against,
/// whose peak sets the hot threshold and the height no packing goes below, and whether
/// packing the hot set first pays at all ([`worth_it`]; `None`: as the problem's own hot set
/// says), its own or those of a larger problem the pass packs some time-disjoint parts of
/// (see [`on_new_parts`]); and whether it is `nested`, run by a pass one level up on its hot
/// problem (see [`Carried`]).
#[derive(Clone, Copy)]
struct Measure<'p> {
    profile: &'p LoadProfile,
    pays: Option<bool>,
    nested: bool,
}

/// The pass minimisation runs first when [`leads`] says so.
pub(crate) const LEAD: Heuristic = Heuristic::Peaks(800);

/// Whether [`LEAD`] should be a minimisation's first pass (the one that must answer, so
/// that there is an answer) instead of the online pass: when its hot set is at most
/// [`LEAD_SHARE`] of the movable buffers. Its hot packing is then small beside the fills
/// (each an online pass in effect), so the whole pass is bounded work a small constant times
/// the online pass's, by its budget (the search a minimisation hands down for its hot parts
/// counts its own, `minimize/run/parts.rs`); and on such long traces its answer is far better
/// (`huge`, 1M buffers: at LOAD where the online pass is 11% above). The hot sets of the
/// `huge` traces are 0.7-2.1% of their buffers; those of `cnn`, `training`, `transformer`
/// and `mixed` traces 18-60%, where the online pass stays first.
pub(crate) fn leads(problem: &Problem, profile: &LoadProfile) -> bool {
    let Heuristic::Peaks(permille) = LEAD else {
        return false;
    };
    let (hot, movable) = hot_buffers(movable_spans(problem), profile, u32::from(permille));
    let count = hot.iter().filter(|&&h| h).count();
    count > 0 && count * LEAD_SHARE <= movable
}

/// See [`leads`]: the lead's hot set is at most one in this many movable buffers.
const LEAD_SHARE: usize = 16;

/// [`peaks`] within `budget`, measured by `measure`.
fn rounds(
    problem: &Problem,
    spans: &Spans,
    measure: Measure<'_>,
    permille: u32,
    limit: Offset,
    mut budget: Budget<'_>,
    mut packer: Option<&mut dyn PartPacker>,
) -> Option<Vec<Offset>> {
    let movable = spans.starts.len() as u64;
    let (mut hot, _) = hot_buffers(spans.movable(), measure.profile, permille);
    let enough = measure.profile.peak().1;
    let mut best = BestByPart::new(spans);
    let mut carried = Carried::new(&spans.fixed, !measure.nested);
    let mut last_fill: Option<LastFill> = None;
    // Growing the hot set past half in later rounds is fine: it grows only where the fill
    // needed it, and the budget bounds the cost.
    let pays = measure.pays.unwrap_or_else(|| worth_it(&hot, movable));
    let rounds = if pays { ROUNDS } else { 0 };
    for _ in 0..rounds {
        // The hot passes get the limit, not the best round's height: the parts they leave
        // above the load are lowered after them, so a hot packing above that can still fill
        // in below it (`huge`, a million buffers, seed 31: capped, the third round gave up
        // 4.3% above the load; not, it reached the load).
        let Some((hot_height, mut placed)) = pack_hot(
            problem,
            &hot,
            &mut carried,
            permille,
            limit,
            &mut budget,
            reborrow(&mut packer),
        ) else {
            break;
        };
        let lowered = if hot_height > enough {
            lower_parts(
                problem,
                &hot,
                &spans.fixed,
                &mut placed,
                enough,
                &mut budget,
                reborrow(&mut packer),
            )
        } else {
            Some(hot_height)
        };
        let Some(hot_height) = lowered else {
            break;
        };
        let Some(filled) = refill(
            problem,
            spans,
            &placed,
            limit,
            Some(hot_height),
            &mut budget,
            &mut last_fill,
        ) else {
            break;
        };
        // Each part's packing is kept where it is the lowest so far; the first packing must
        // be within the limit (a round's later parts can only be lower than its).
        if best.height().is_some() || spans.height_of(&filled.offsets) <= limit {
            best.offer(spans, filled.offsets);
            budget.release();
        }
        if filled.over.is_empty() {
            break;
        }
        // Everything live while a buffer that rose was live joins the hot set.
        mark_meeting(spans.movable(), &merge(filled.over), &mut hot);
    }
    if best.height().is_none() && !budget.interrupted {
        // Gave way: fill in everything around the fixed buffers alone, with the caller's
        // stop only (this is the online pass), unless the pass must answer.
        return match budget.into_stop() {
            Some(stop) => plain_fill(problem, spans, limit, stop),
            None => plain_fill(problem, spans, limit, &mut || false),
        };
    }
    best.into_offsets()
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

/// The buffers `members` of `problem` as a problem of their own, with the same capacity.
/// (One copy of the code for the three places that cut one out.)
pub(super) fn sub_problem(problem: &Problem, members: &[usize]) -> Problem {
    let buffers = members.iter().map(|&b| problem.buffers[b].clone());
    Problem::new(buffers.collect(), problem.capacity)
}

#[cfg(test)]
mod tests;
