//! The hot set's parts packed again where they rise above the load (see [`lower_parts`]).
//!
//! The hot set falls into parts that share no time, and on a long trace the one at the
//! load's peak decides the height. A part still above the load after the hot set's passes
//! is packed again on its own: by other skyline orders first, then, where the caller hands
//! one down (a minimisation, see [`PartPacker`]), by the exact search within a counted
//! budget of its own. The heuristics know no search: the packer is the caller's.

use super::super::online::Budget;
use super::super::{Greedy, Heuristic, Order, STOP_CHECK};
use crate::model::{Lifespan, Offset, Problem, Time};
use crate::sort::sort_pairs;

/// Packs a part of a larger problem better than the passes here can: the minimisation hands
/// down its exact search this way, within a counted budget the packer keeps, so that what it
/// finds does not depend on the machine's speed.
pub(crate) trait PartPacker {
    /// A packing of `part` within its capacity, stopping at the first one no higher than
    /// `enough`, or when `stop` (the pass's caller's) says so; `None` when the packer found
    /// none. `part` is a well-formed problem, ids unique. (Later rounds of a peaks pass, and
    /// nested ones, ask again for parts they asked for before: a packer should remember its
    /// answers.)
    fn pack(
        &mut self,
        part: &Problem,
        enough: Offset,
        stop: &mut dyn FnMut() -> bool,
    ) -> Option<Vec<Offset>>;

    /// Told that a packing it gave was kept: lower than the passes' packing of the part.
    fn kept(&mut self);

    /// How many of its packings were kept so far (see [`PartPacker::kept`]): the caller
    /// says so in its report of what found a packing.
    fn kept_count(&self) -> u64;
}

/// `packer` borrowed again, for one call: an `Option<&mut dyn _>` cannot be reborrowed by
/// `as_deref_mut` for a shorter time than its trait object's own.
pub(crate) fn reborrow<'s>(
    packer: &'s mut Option<&mut dyn PartPacker>,
) -> Option<&'s mut dyn PartPacker> {
    match packer {
        Some(packer) => Some(&mut **packer),
        None => None,
    }
}

/// The hot packing `placed` (the `hot` buffers and the `fixed` ones) with each of its parts
/// (see [`hot_parts`]) still above `enough` (the load's peak, below which no packing goes)
/// packed again on its own by [`PART_PASSES`], in turn until one reaches it, then by
/// `packer` if there is one, where one packs it lower: the new height, or `None` when the
/// budget ran out.
///
/// The hot set's pass is chosen for the whole set, but its parts share no time, and on a
/// long trace the one at the load's peak decides the height: the pass that suits it best
/// need not suit the others (`huge`, a million buffers, seed 3: 21 parts; the crowding
/// skyline leaves the peak's part 3.0% above the load, the lifetime skyline 0.95%). Where
/// no skyline order reaches the load, the exact search on the part alone often does (seed
/// 10: a part of 2,058 buffers 2.7% above by the best skyline, at the load in 0.05 s).
/// Parts already at or below the load keep their packing, so the fill around them is
/// unchanged.
pub(super) fn lower_parts(
    problem: &Problem,
    hot: &[bool],
    fixed: &[u32],
    placed: &mut [Option<Offset>],
    enough: Offset,
    budget: &mut Budget<'_>,
    mut packer: Option<&mut dyn PartPacker>,
) -> Option<Offset> {
    let top = |b: usize, placed: &[Option<Offset>]| {
        placed[b].map_or(0, |offset| offset + problem.buffers[b].size)
    };
    let fixed: Vec<(Lifespan, usize)> = fixed
        .iter()
        .map(|&b| b as usize)
        .filter_map(|b| problem.buffers[b].occupied_span().map(|span| (span, b)))
        .collect();
    // The hot packing's height: its parts' and the fixed buffers' (all it places).
    let mut lowered = fixed
        .iter()
        .map(|&(_, b)| top(b, placed))
        .max()
        .unwrap_or(0);
    for (hull, part) in hot_parts(problem, hot) {
        let mut part_height = part.iter().map(|&b| top(b, placed)).max().unwrap_or(0);
        if part_height <= enough {
            lowered = lowered.max(part_height);
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
        // With their names, unique as in `problem`: a packer may check the part as a
        // problem of its own (minimisation does), and ids that clash would fail it.
        let sub = super::sub_problem(problem, &chosen);
        // A pass's limit holds for the fixed buffers too: none may be below theirs.
        let fixed_top = chosen[part.len()..]
            .iter()
            .map(|&b| top(b, placed))
            .max()
            .unwrap_or(0);
        let below = |part_height: Offset| (part_height - 1).max(fixed_top);
        // The part's own height in a packing of `sub`.
        let height_in = |offsets: &[Offset]| {
            part.iter()
                .zip(offsets)
                .map(|(&b, offset)| offset + problem.buffers[b].size)
                .max()
                .unwrap_or(0)
        };
        // Kept only when lower; whether it was.
        let mut keep = |offsets: &[Offset], part_height: &mut Offset| {
            let height = height_in(offsets);
            let lower = height < *part_height;
            if lower {
                *part_height = height;
                for (&b, &offset) in chosen.iter().zip(offsets) {
                    placed[b] = Some(offset);
                }
            }
            lower
        };
        let mut greedy = Greedy::new(&sub);
        for heuristic in PART_PASSES {
            if part_height <= enough || budget.spend(part.len() as u64) {
                break;
            }
            // The passes ask to stop once per STOP_CHECK steps: that is the work they report.
            let mut stop = || budget.spend(u64::from(STOP_CHECK));
            if let Some(solution) = greedy.run(heuristic, below(part_height), &mut stop) {
                let _ = keep(&solution.offsets, &mut part_height);
            }
        }
        if budget.stopped {
            return None;
        }
        if let Some(packer) = reborrow(&mut packer).filter(|_| part_height > enough) {
            let sub = Problem {
                capacity: below(part_height),
                ..sub
            };
            let mut stop = || budget.ask_stop();
            if let Some(offsets) = packer.pack(&sub, enough.max(fixed_top), &mut stop) {
                if keep(&offsets, &mut part_height) {
                    packer.kept();
                }
            }
        }
        lowered = lowered.max(part_height);
    }
    Some(lowered)
}

/// The movable `hot` buffers in parts, in time order, each with its hull: two buffers whose
/// occupied spans meet are in the same part, so parts share no time and their packings
/// never clash. (Fixed buffers may cross several parts; they stay where they are.)
pub(super) fn hot_parts(problem: &Problem, hot: &[bool]) -> Vec<(Lifespan, Vec<usize>)> {
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

#[cfg(test)]
mod tests;
