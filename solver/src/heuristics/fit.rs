//! Choosing an offset among the ones the placed neighbours leave free.
//!
//! A placed piece `[at + b', at + t')` that shares time with a piece `[bottom, top)` of the
//! buffer being placed rules out the offsets `o` with `[o + bottom, o + top)` hitting it:
//! `o` in `[at + b' - top + 1, at + t' - bottom)`. What is left between those ranges are the
//! buffer's *holes*; the last hole is unbounded above.

use crate::model::{align_up, Offset};

/// How a free offset is chosen.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fit {
    /// The lowest legal offset.
    First,
    /// An offset in the tightest bounded hole that fits (fewest legal offsets, so the least
    /// memory left over beside the buffer); the lowest unbounded spot when none does.
    Best,
}

/// The forbidden offset range `[lo, hi)` for a piece `[bottom, top)` when a placed piece
/// occupies `[occupied_lo, occupied_hi)`; empty ranges have `lo >= hi`.
pub(crate) fn forbidden(
    bottom: Offset,
    top: Offset,
    occupied_lo: Offset,
    occupied_hi: Offset,
) -> (Offset, Offset) {
    (occupied_lo - top + 1, occupied_hi - bottom)
}

/// Picks an offset that is a multiple of `alignment`, at least 0, outside every range of
/// `forbidden` (which it sorts), and at most `limit`; `None` when there is no such offset.
pub(crate) fn choose(
    forbidden: &mut [(Offset, Offset)],
    alignment: Offset,
    limit: Offset,
    fit: Fit,
) -> Option<Offset> {
    forbidden.sort_unstable();
    // `start` is the lowest aligned offset not ruled out by the ranges seen so far.
    let mut start = 0;
    // Best bounded hole so far: (legal offsets in it, its lowest offset).
    let mut best: Option<(Offset, Offset)> = None;
    for &(lo, hi) in forbidden.iter() {
        if lo > start {
            // `[start, lo)` is a hole; the offsets in it below `lo` are all legal.
            match fit {
                Fit::First => return (start <= limit).then_some(start),
                Fit::Best => {
                    let room = lo.min(limit + 1) - start;
                    if room > 0 && best.is_none_or(|(r, _)| room < r) {
                        best = Some((room, start));
                    }
                }
            }
        }
        if hi > start {
            start = align_up(hi.max(0), alignment);
        }
        if start > limit {
            break;
        }
    }
    match best {
        Some((_, offset)) => Some(offset),
        None => (start <= limit).then_some(start),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_fit_takes_the_lowest_hole_and_respects_alignment() {
        // Occupied [4, 6) and [10, 20) for a buffer of size 3: o in [2, 6) and [8, 20) are out.
        let mut ranges = vec![forbidden(0, 3, 10, 20), forbidden(0, 3, 4, 6)];
        assert_eq!(ranges, [(8, 20), (2, 6)]);
        assert_eq!(choose(&mut ranges.clone(), 1, 100, Fit::First), Some(0));
        // Aligned to 4: 0 is free.
        assert_eq!(choose(&mut ranges.clone(), 4, 100, Fit::First), Some(0));
        // With [0, 2) taken too, the next free offsets are 6 and 7, then 20.
        ranges.push((-2, 2));
        assert_eq!(choose(&mut ranges.clone(), 1, 100, Fit::First), Some(6));
        assert_eq!(choose(&mut ranges.clone(), 4, 100, Fit::First), Some(20));
        assert_eq!(choose(&mut ranges.clone(), 4, 19, Fit::First), None);
        assert_eq!(choose(&mut ranges, 1, 100, Fit::Best), Some(6));
    }

    #[test]
    fn best_fit_prefers_the_tightest_hole() {
        // Holes for o: [0, 5) (5 offsets), [10, 12) (2 offsets), [30, ..).
        let mut ranges = vec![(5, 10), (12, 30)];
        assert_eq!(choose(&mut ranges.clone(), 1, 100, Fit::Best), Some(10));
        assert_eq!(choose(&mut ranges.clone(), 1, 100, Fit::First), Some(0));
        // Alignment 4 leaves only o = 0 and 4 in the first hole and none in the second.
        assert_eq!(choose(&mut ranges.clone(), 4, 100, Fit::Best), Some(0));
        // A limit can cut the unbounded hole away.
        assert_eq!(choose(&mut [(0, 30)], 1, 29, Fit::Best), None);
        assert_eq!(choose(&mut ranges, 1, 11, Fit::Best), Some(10));
    }

    #[test]
    fn no_neighbours_means_offset_zero() {
        assert_eq!(choose(&mut [], 8, 0, Fit::Best), Some(0));
        assert_eq!(choose(&mut [], 8, -1, Fit::First), None);
    }
}
