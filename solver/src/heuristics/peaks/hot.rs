//! The hot set packed (see [`pack_hot`]): a round's hot passes, and what the rounds carry
//! from one to the next so that a pass packs again only the parts the hot set grew in.

use super::super::online::{Budget, Spans};
use super::super::{Greedy, Heuristic, Order, STOP_CHECK};
use super::parts::{self, reborrow, PartPacker};
use super::{hot_buffers, movable_spans, rounds, sub_problem, worth_it, Measure};
use super::{MIN_WORK, WORK_PER_BUFFER};
use crate::bounds::LoadProfile;
use crate::model::{height_of, Offset, Problem};

/// What a peaks pass's rounds carry from one to the next for [`pack_hot`]: the fixed
/// buffers, and each hot pass's packing of the hot set in the last round it answered.
///
/// The nested peaks pass's packing is carried only by a pass that is not nested itself
/// (`nested_too`). Over the new parts alone a nested pass answers differently (its rounds
/// and its best are its own problem's), which pays at the top, where its problem is large
/// (`huge`, a million buffers, seed 31: a hot set of 37k buffers whose nested pass was
/// 0.4 s of every round). Carried at every level too, the differences compounded: on
/// `huge` traces of 30,000 buffers (seeds 11 and 12) the pass ended 5.4% and 8.6% above the
/// load at 2 s instead of 0.8% and 3.2%.
pub(super) struct Carried<'a> {
    pub(super) fixed: &'a [u32],
    /// By the hot pass's index: [`HOT_PASSES`], then the nested peaks pass.
    pub(super) last: [Option<HotPacking>; HOT_PASSES.len() + 1],
    nested_too: bool,
}

/// A hot pass's packing of a round's hot set: which buffers were hot, and their offsets
/// (anything for the others).
pub(super) struct HotPacking {
    pub(super) hot: Vec<bool>,
    pub(super) offsets: Vec<Offset>,
}

impl<'a> Carried<'a> {
    pub(super) fn new(fixed: &'a [u32], nested_too: bool) -> Carried<'a> {
        Carried {
            fixed,
            last: Default::default(),
            nested_too,
        }
    }
}

/// The hot buffers (and fixed ones) packed by the best of [`HOT_PASSES`] and peaks at a
/// higher threshold below `limit`:
/// its height and each buffer's offset (`None` for the others).
///
/// From the second round on, each pass that `carried` carries (see [`Carried`]) packs only
/// the parts of the hot set that hold a buffer new to it, the others keeping its last
/// packing (see [`pass_on_new_parts`]).
pub(super) fn pack_hot(
    problem: &Problem,
    hot: &[bool],
    carried: &mut Carried<'_>,
    permille: u32,
    limit: Offset,
    budget: &mut Budget<'_>,
    mut packer: Option<&mut dyn PartPacker>,
) -> Option<(Offset, Vec<Option<Offset>>)> {
    let chosen = with_fixed(problem, hot, carried.fixed);
    let mut best: Option<(Offset, Vec<Offset>)> = None;
    // The hot problem has the same peak: its own peaks first, at a higher threshold.
    let inner = (permille + 1000) / 2;
    let nested = (inner < 990).then_some(Heuristic::Peaks(inner as u16));
    for (index, heuristic) in HOT_PASSES.into_iter().chain(nested).enumerate() {
        let cap = best.as_ref().map_or(limit, |(height, _)| height - 1);
        let carries = index < HOT_PASSES.len() || carried.nested_too;
        // The passes ask to stop once per STOP_CHECK steps: that is the work they report.
        let mut stop = || budget.spend(u64::from(STOP_CHECK));
        let packed = pass_on_new_parts(
            problem,
            hot,
            &chosen,
            carried.last[index].as_ref(),
            heuristic,
            cap,
            &mut stop,
            reborrow(&mut packer),
        );
        let kept = packed.as_ref().filter(|_| carries);
        carried.last[index] = kept.map(|(_, offsets)| {
            let mut all = vec![0; problem.buffers.len()];
            for (&b, &offset) in chosen.iter().zip(offsets) {
                all[b] = offset;
            }
            HotPacking {
                hot: hot.to_vec(),
                offsets: all,
            }
        });
        match packed {
            Some(packed) => best = Some(packed),
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

/// The `hot` buffers and the `fixed` ones (sorted), in order.
pub(super) fn with_fixed(problem: &Problem, hot: &[bool], fixed: &[u32]) -> Vec<usize> {
    let mut fixed = fixed.iter().map(|&b| b as usize).peekable();
    let mut chosen: Vec<usize> = Vec::new();
    for b in (0..problem.buffers.len()).filter(|&b| hot[b]) {
        while let Some(f) = fixed.next_if(|&f| f < b) {
            chosen.push(f);
        }
        chosen.push(b);
    }
    chosen.extend(fixed);
    chosen
}

/// The hot pass `heuristic` over the hot problem (`chosen`, the hot buffers and the fixed
/// ones): with a `last` packing by the same pass, over the new parts only (see
/// [`on_new_parts`]), else over the whole. Its height and offsets (in `chosen`'s order), or
/// `None` above `cap` or when `stop` said so. `packer` is handed to the pass (see
/// [`PartPacker`]).
///
/// A pass that [`packs_parts_alone`] answers over the new parts as over the whole, so its
/// `None` is final. Another (the nested peaks pass) is not the same over the new parts
/// alone; where it finds nothing there, the pass over the whole has its turn.
#[allow(clippy::too_many_arguments)]
pub(super) fn pass_on_new_parts(
    problem: &Problem,
    hot: &[bool],
    chosen: &[usize],
    last: Option<&HotPacking>,
    heuristic: Heuristic,
    cap: Offset,
    stop: &mut dyn FnMut() -> bool,
    packer: Option<&mut dyn PartPacker>,
) -> Option<(Offset, Vec<Offset>)> {
    // (Shortened to the sub-problems' lifetime: an `Option` does not coerce its contents.)
    let mut packer = packer.map(|packer| packer as &mut dyn PartPacker);
    if let Some(last) = last {
        let packed = on_new_parts(
            problem,
            hot,
            chosen,
            last,
            heuristic,
            cap,
            stop,
            reborrow(&mut packer),
        );
        if packed.is_some() || packs_parts_alone(heuristic) {
            return packed;
        }
    }
    let sub = sub_problem(problem, chosen);
    let offsets = match heuristic {
        Heuristic::Peaks(permille) => {
            let profile = LoadProfile::of(&sub);
            let measure = Measure {
                profile: &profile,
                pays: None,
                nested: true,
            };
            nested_peaks(&sub, measure, permille, cap, stop, packer)?
        }
        _ => Greedy::new(&sub).run(heuristic, cap, stop)?.offsets,
    };
    Some((height_of(&sub, &offsets), offsets))
}

/// A nested peaks pass at `permille` over `problem` (a hot problem, or some of its parts),
/// seen as `measure` says, below `cap`: its offsets, or `None` (see [`super::peaks`]).
pub(super) fn nested_peaks(
    problem: &Problem,
    measure: Measure<'_>,
    permille: u16,
    cap: Offset,
    stop: &mut dyn FnMut() -> bool,
    packer: Option<&mut dyn PartPacker>,
) -> Option<Vec<Offset>> {
    let spans = Spans::of(problem);
    let units = MIN_WORK + WORK_PER_BUFFER * spans.starts.len() as u64;
    let budget = Budget::new(units, stop);
    let permille = u32::from(permille);
    rounds(problem, &spans, measure, permille, cap, budget, packer)
}

/// Whether `heuristic` packs each part of a problem (see `parts::hot_parts`) as it would
/// alone: a skyline does, since it places a buffer by the skyline over its own life, which
/// only its part's buffers (and the fixed ones) raise, and keeps the buffers of a part in
/// the same order (`huge`, a million buffers: every part of seed 13's hot sets packs alone
/// exactly as in the whole). A peaks pass does not: its hot threshold, rounds and budget are
/// the whole problem's.
pub(super) fn packs_parts_alone(heuristic: Heuristic) -> bool {
    matches!(heuristic, Heuristic::Skyline(_))
}

/// `heuristic` over the parts of the hot problem (`chosen`) that hold a buffer the `last`
/// packing's hot set did not; the other parts keep that packing's offsets. Its height and
/// offsets (in `chosen`'s order), or `None` when the kept parts are above `cap`, or when
/// the pass found nothing below it or `stop` said so.
///
/// A part without a new buffer is one of the last round's parts: a new part is a union of
/// old ones joined by new buffers. On a long trace a round's growth reaches a few of the
/// dozens of parts, and the passes over the others were most of a round's time besides the
/// fill (`huge`, a million buffers, seed 31: a hot set of 37k buffers, whose nested peaks
/// pass took 0.4 s of every round).
///
/// A nested peaks pass there measures its hot set as over the whole hot problem (see
/// [`Measure`]): the whole's load profile is the new parts' own over their times (parts
/// share no time; the fixed buffers are in both), and its peak, which sets the threshold, is
/// the whole's; whether peaks first pays is the whole's to say too. So it marks hot in the
/// new parts what the pass over the whole would. (Measured by the new parts alone, a
/// nested pass there more often found its hot set not worth packing first and gave way to
/// the plain fill, which ended above the cap: `huge`, a million buffers, seed 21 ended
/// 0.4 s later.)
#[allow(clippy::too_many_arguments)]
pub(super) fn on_new_parts(
    problem: &Problem,
    hot: &[bool],
    chosen: &[usize],
    last: &HotPacking,
    heuristic: Heuristic,
    cap: Offset,
    stop: &mut dyn FnMut() -> bool,
    packer: Option<&mut dyn PartPacker>,
) -> Option<(Offset, Vec<Offset>)> {
    let mut new = vec![false; problem.buffers.len()];
    let mut kept_height = 0;
    for (_, part) in parts::hot_parts(problem, hot) {
        if part.iter().any(|&b| !last.hot[b]) {
            part.iter().for_each(|&b| new[b] = true);
        } else {
            let top = |&b: &usize| last.offsets[b] + problem.buffers[b].size;
            kept_height = kept_height.max(part.iter().map(top).max().unwrap_or(0));
        }
    }
    if kept_height > cap {
        return None;
    }
    // The new parts and the fixed buffers, as the pass over the whole would see them.
    let members: Vec<usize> = chosen
        .iter()
        .copied()
        .filter(|&b| new[b] || problem.buffers[b].offset.is_some())
        .collect();
    let sub = sub_problem(problem, &members);
    let packed = match heuristic {
        Heuristic::Peaks(permille) => {
            let whole = sub_problem(problem, chosen);
            let profile = LoadProfile::of(&whole);
            let threshold = u32::from(permille);
            let (whole_hot, movable) = hot_buffers(movable_spans(&whole), &profile, threshold);
            let measure = Measure {
                profile: &profile,
                pays: Some(worth_it(&whole_hot, movable as u64)),
                nested: true,
            };
            nested_peaks(&sub, measure, permille, cap, stop, packer)?
        }
        _ => Greedy::new(&sub).run(heuristic, cap, stop)?.offsets,
    };
    let height = height_of(&sub, &packed);
    // `members` is a subsequence of `chosen`: walk both.
    let mut repacked = members.iter().zip(&packed).peekable();
    let offsets: Vec<Offset> = chosen
        .iter()
        .map(|&b| match repacked.next_if(|&(&m, _)| m == b) {
            Some((_, &offset)) => offset,
            None => last.offsets[b],
        })
        .collect();
    Some((height.max(kept_height), offsets))
}

/// The passes tried on the hot problem before peaks at a higher threshold, best kept. (The
/// area skyline as well cost a third more time on `huge` traces and was better on none of
/// 100k to 1M buffers, seeds 7 to 9.)
pub(super) const HOT_PASSES: [Heuristic; 1] = [Heuristic::Skyline(Order::Crowding)];
