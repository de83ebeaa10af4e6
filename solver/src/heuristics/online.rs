//! The fallback for inputs too crowded for pairwise passes: an online best-fit allocator
//! that meets the buffers in start order, in O(n log n) whatever the input.
//!
//! Sweeping time forward, it frees the buffers that have ended and gives each starting buffer
//! the tightest free block that holds it. Everything placed later starts later and only takes
//! memory free at its start, so no two buffers ever collide. To stay that simple it treats
//! a buffer as occupying its full size from its first live instant to its last (gaps
//! ignored) and keeps fixed buffers' ranges reserved at all times: both only cost memory.

use super::blocks::Blocks;
use super::STOP_CHECK;
use crate::model::{Offset, Problem};
use crate::sort::radix_sort_by_key;

/// How many bounded blocks best fit tries before giving up on alignment and going to the
/// top: keeps each allocation O(log n).
const ALIGNMENT_TRIES: usize = 8;

/// Offsets for every buffer of `problem` with `offset + size <= limit`, or `None` when the
/// allocator needs more or `stop` (asked every few thousand buffers) says to give up.
/// Assumes `problem.check()` passed and fixed buffers do not clash.
pub(crate) fn online_best_fit(
    problem: &Problem,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let mut free = Blocks::new();
    let mut offsets = vec![0; problem.buffers.len()];
    // (first live instant, -size, index) of each movable buffer that occupies memory, and
    // its last live instant + 1 by index.
    let mut starts: Vec<(i64, i64, usize)> = Vec::new();
    let mut ends = vec![0; problem.buffers.len()];
    for (index, buffer) in problem.buffers.iter().enumerate() {
        if let Some(offset) = buffer.offset {
            offsets[index] = offset;
            free.reserve(offset, offset + buffer.size);
            continue;
        }
        match buffer.occupied_span() {
            Some(span) => {
                starts.push((span.lower, -buffer.size, index));
                ends[index] = span.upper;
            }
            None => offsets[index] = buffer.resting_offset(limit),
        }
    }
    // Larger buffers first among those starting together: they have the fewest choices.
    // By (start, -size, index): stable sorts, the last key first. (Sizes are at least 0, so
    // -size is exact.)
    radix_sort_by_key(&mut starts, |&(_, size, _)| size);
    radix_sort_by_key(&mut starts, |&(start, _, _)| start);
    // The same buffers by end: when they are freed. (One ending by a start began before
    // it, so it is placed.)
    let mut by_end: Vec<(i64, usize)> = starts
        .iter()
        .map(|&(_, _, index)| (ends[index], index))
        .collect();
    radix_sort_by_key(&mut by_end, |&(end, _)| end);
    let mut next_end = 0;
    for (placed, &(lower, _, index)) in starts.iter().enumerate() {
        if placed % STOP_CHECK as usize == 0 && placed > 0 && stop() {
            return None;
        }
        while let Some(&(end, ended)) = by_end.get(next_end) {
            if end > lower {
                break;
            }
            next_end += 1;
            free.free(offsets[ended], problem.buffers[ended].size);
        }
        let buffer = &problem.buffers[index];
        let (at, _) = free.allocate_clear(buffer.size, buffer.alignment, &[], ALIGNMENT_TRIES);
        if at + buffer.size > limit {
            return None;
        }
        offsets[index] = at;
    }
    Some(offsets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Buffer, Solution};
    use crate::validate::validate;

    #[test]
    fn reuses_freed_blocks_and_avoids_fixed_ranges() {
        let problem = Problem::new(
            vec![
                Buffer::new("a", 0, 2, 4),
                Buffer::new("b", 0, 5, 2),
                Buffer::new("c", 2, 4, 3),
                Buffer::new("f", 8, 9, 2).with_offset(3),
                Buffer::new("d", 4, 6, 8).with_alignment(4),
            ],
            100,
        );
        let offsets = online_best_fit(&problem, 100, &mut || false).unwrap();
        let solution = Solution::from_offsets(&problem, offsets);
        validate(&problem, &solution).unwrap();
        // f reserves [3, 5): a takes [5, 9), b [0, 2); c reuses a's block; d (aligned to 4,
        // starting when only b is live) goes above f's range at 8.
        assert_eq!(solution.offsets, [5, 0, 5, 3, 8]);
        assert_eq!(online_best_fit(&problem, 15, &mut || false), None);
    }

    #[test]
    fn a_stop_is_heard_every_few_thousand_buffers() {
        let buffers = (0..3 * STOP_CHECK as i64)
            .map(|i| Buffer::new(format!("b{i}"), i, i + 3, 1))
            .collect();
        let problem = Problem::new(buffers, 100);
        let mut asked = 0;
        let stopped = online_best_fit(&problem, 100, &mut || {
            asked += 1;
            asked == 2
        });
        assert_eq!((stopped, asked), (None, 2));
        assert!(online_best_fit(&problem, 100, &mut || false).is_some());
    }
}
