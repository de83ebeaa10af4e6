//! The fallback for inputs too crowded for pairwise passes: an online best-fit allocator
//! that meets the buffers in start order, in O(n log n) whatever the input.
//!
//! Sweeping time forward, it frees the buffers that have ended and gives each starting buffer
//! the tightest free block that holds it. Everything placed later starts later and only takes
//! memory free at its start, so no two buffers ever collide. To stay that simple it treats
//! a buffer as occupying its full size from its first live instant to its last (gaps
//! ignored) and keeps fixed buffers' ranges reserved at all times: both only cost memory.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap};

use super::STOP_CHECK;
use crate::model::{align_up, Offset, Problem};

/// The top of an unbounded free block.
const UNBOUNDED: Offset = Offset::MAX;

/// How many bounded blocks best fit tries before giving up on alignment and going to the
/// top: keeps each allocation O(log n).
const ALIGNMENT_TRIES: usize = 8;

/// Free memory as disjoint blocks `[lo, hi)`, the last one unbounded.
struct FreeBlocks {
    by_start: BTreeMap<Offset, Offset>,
    by_size: BTreeSet<(Offset, Offset)>,
}

impl FreeBlocks {
    fn new() -> FreeBlocks {
        FreeBlocks {
            by_start: BTreeMap::from([(0, UNBOUNDED)]),
            by_size: BTreeSet::new(),
        }
    }

    fn insert(&mut self, lo: Offset, hi: Offset) {
        if lo >= hi {
            return;
        }
        self.by_start.insert(lo, hi);
        if hi != UNBOUNDED {
            self.by_size.insert((hi - lo, lo));
        }
    }

    fn remove(&mut self, lo: Offset) -> Offset {
        let hi = self.by_start.remove(&lo).unwrap_or(lo);
        if hi != UNBOUNDED {
            self.by_size.remove(&(hi - lo, lo));
        }
        hi
    }

    /// Takes `[at, at + size)` out of the block starting at `lo`.
    fn take(&mut self, lo: Offset, at: Offset, size: Offset) {
        let hi = self.remove(lo);
        self.insert(lo, at);
        self.insert(at + size, hi);
    }

    /// Reserves `[lo, hi)` wherever it is free (fixed buffers).
    fn reserve(&mut self, lo: Offset, hi: Offset) {
        let overlapping: Vec<(Offset, Offset)> = self
            .by_start
            .range(..hi)
            .filter(|&(_, &block_hi)| block_hi > lo)
            .map(|(&a, &b)| (a, b))
            .collect();
        for (a, b) in overlapping {
            self.remove(a);
            self.insert(a, lo.max(a));
            self.insert(hi, b);
        }
    }

    /// The tightest bounded block holding `size` at an aligned offset, else the top block.
    fn allocate(&mut self, size: Offset, alignment: Offset) -> Offset {
        let fitting = self
            .by_size
            .range((size, Offset::MIN)..)
            .take(ALIGNMENT_TRIES)
            .map(|&(block, lo)| (lo, align_up(lo, alignment), lo + block))
            .find(|&(_, at, hi)| at + size <= hi);
        let (lo, at) = match fitting {
            Some((lo, at, _)) => (lo, at),
            None => {
                let (&lo, _) = self
                    .by_start
                    .iter()
                    .next_back()
                    .expect("the unbounded block is never taken whole");
                (lo, align_up(lo, alignment))
            }
        };
        self.take(lo, at, size);
        at
    }

    /// Gives `[at, at + size)` back, merged with the free blocks beside it.
    fn free(&mut self, at: Offset, size: Offset) {
        let (mut lo, mut hi) = (at, at + size);
        if let Some((&before, &before_hi)) = self.by_start.range(..at).next_back() {
            if before_hi == at {
                self.remove(before);
                lo = before;
            }
        }
        if self.by_start.contains_key(&hi) {
            hi = self.remove(hi);
        }
        self.insert(lo, hi);
    }
}

/// Offsets for every buffer of `problem` with `offset + size <= limit`, or `None` when the
/// allocator needs more or `stop` (asked every few thousand buffers) says to give up.
/// Assumes `problem.check()` passed and fixed buffers do not clash.
pub(crate) fn online_best_fit(
    problem: &Problem,
    limit: Offset,
    stop: &mut dyn FnMut() -> bool,
) -> Option<Vec<Offset>> {
    let mut free = FreeBlocks::new();
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
        let pieces = buffer.pieces();
        match (pieces.first(), pieces.last()) {
            (Some(first), Some(last)) => {
                starts.push((first.time.lower, -buffer.size, index));
                ends[index] = last.time.upper;
            }
            _ => {
                offsets[index] = buffer.resting_offset(limit);
            }
        }
    }
    // Larger buffers first among those starting together: they have the fewest choices.
    // (Sizes are at least 0, so -size is exact; plain integers use the crate's shared
    // (i64, i64, usize) sort, see crate::sort.)
    starts.sort_unstable();
    let mut live: BinaryHeap<Reverse<(i64, usize)>> = BinaryHeap::new();
    for (placed, (lower, _, index)) in starts.into_iter().enumerate() {
        if placed % STOP_CHECK as usize == 0 && placed > 0 && stop() {
            return None;
        }
        let upper = ends[index];
        while let Some(&Reverse((end, ended))) = live.peek() {
            if end > lower {
                break;
            }
            live.pop();
            free.free(offsets[ended], problem.buffers[ended].size);
        }
        let buffer = &problem.buffers[index];
        let at = free.allocate(buffer.size, buffer.alignment);
        if at + buffer.size > limit {
            return None;
        }
        offsets[index] = at;
        live.push(Reverse((upper, index)));
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
