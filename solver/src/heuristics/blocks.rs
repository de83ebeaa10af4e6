//! Free memory as disjoint blocks, for the passes that sweep time forward (the online pass
//! and the peaks pass's fill): best fit among the bounded blocks, the unbounded one on top.

use std::collections::BTreeSet;

use crate::hash::PairMap;
use crate::model::{align_up, Offset};

/// The top of the unbounded free block.
const UNBOUNDED: Offset = Offset::MAX;

/// Free memory as disjoint blocks `[lo, hi)`, one of them unbounded.
///
/// A block's neighbours are found by hashing its ends, not in an ordered map: the sweep runs
/// over whole traces of a million buffers, and an ordered map's inserts and removals were
/// most of its time. The tables are keyed by an offset's two 32-bit halves, the key type
/// the exact search's sweep hashes too (`crate::hash`), so that the WebAssembly module
/// holds one copy of the hash table's code.
pub(super) struct Blocks {
    /// `lo -> hi` for every block.
    end_of: PairMap,
    /// `hi -> lo` for the bounded blocks.
    start_of: PairMap,
    /// `(hi - lo, lo)` for the bounded blocks: best fit.
    by_size: BTreeSet<(Offset, Offset)>,
    /// Where the unbounded block starts.
    top: Offset,
}

impl Blocks {
    pub(super) fn new() -> Blocks {
        let mut blocks = Blocks {
            end_of: PairMap::default(),
            start_of: PairMap::default(),
            by_size: BTreeSet::new(),
            top: 0,
        };
        blocks.insert(0, UNBOUNDED);
        blocks
    }

    fn insert(&mut self, lo: Offset, hi: Offset) {
        if lo >= hi {
            return;
        }
        self.end_of.insert(key(lo), hi);
        if hi == UNBOUNDED {
            self.top = lo;
        } else {
            self.start_of.insert(key(hi), lo);
            self.by_size.insert((hi - lo, lo));
        }
    }

    fn remove(&mut self, lo: Offset) -> Offset {
        let hi = self.end_of.remove(&key(lo)).unwrap_or(lo);
        if hi != UNBOUNDED {
            self.start_of.remove(&key(hi));
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

    /// The tightest of the first `tries` bounded blocks with an aligned spot for `size` clear
    /// of every range in `conflicts` (sorted by bottom), else the lowest such spot in the
    /// unbounded block; taken, and returned with the number of blocks tried.
    pub(super) fn allocate_clear(
        &mut self,
        size: Offset,
        alignment: Offset,
        conflicts: &[(Offset, Offset)],
        tries: usize,
    ) -> (Offset, u64) {
        let mut tried = 0;
        let (lo, at) = self
            .by_size
            .range((size, Offset::MIN)..)
            .take(tries)
            .inspect(|_| tried += 1)
            .map(|&(block, lo)| (lo, lowest_clear(lo, size, alignment, conflicts), lo + block))
            .find(|&(_, at, hi)| at + size <= hi)
            .or_else(|| {
                // The tightest blocks had no aligned spot: the tightest block with room for
                // any alignment has one (clear of conflicts, it may still have none).
                let &(block, lo) = self
                    .by_size
                    .range((size.saturating_add(alignment - 1), Offset::MIN)..)
                    .next()?;
                tried += 1;
                let at = lowest_clear(lo, size, alignment, conflicts);
                (at + size <= lo + block).then_some((lo, at, lo + block))
            })
            .map_or_else(
                || (self.top, lowest_clear(self.top, size, alignment, conflicts)),
                |(lo, at, _)| (lo, at),
            );
        self.take(lo, at, size);
        (at, tried)
    }

    /// Takes `[bottom, top)` out of free memory; `false` (and nothing taken) if it is not
    /// all free. An empty range takes nothing.
    pub(super) fn carve(&mut self, bottom: Offset, top: Offset) -> bool {
        if bottom >= top {
            return true;
        }
        // Linear in the blocks, but only placed pieces (few) are carved.
        let block = if self.top <= bottom {
            Some((self.top, UNBOUNDED))
        } else {
            self.by_size
                .iter()
                .map(|&(size, lo)| (lo, lo + size))
                .find(|&(lo, hi)| lo <= bottom && bottom < hi)
        };
        match block {
            Some((lo, hi)) if top <= hi => {
                self.take(lo, bottom, top - bottom);
                true
            }
            _ => false,
        }
    }

    /// Gives `[at, at + size)` back, merged with the free blocks beside it.
    pub(super) fn free(&mut self, at: Offset, size: Offset) {
        let (mut lo, mut hi) = (at, at + size);
        if let Some(&before) = self.start_of.get(&key(at)) {
            self.remove(before);
            lo = before;
        }
        if self.end_of.contains_key(&key(hi)) {
            hi = self.remove(hi);
        }
        self.insert(lo, hi);
    }
}

/// `offset` as a hash key: its two 32-bit halves.
fn key(offset: Offset) -> (u32, u32) {
    ((offset >> 32) as u32, offset as u32)
}

/// The lowest `at >= lo` aligned to `alignment` with `[at, at + size)` clear of every range
/// in `conflicts` (sorted by bottom).
fn lowest_clear(
    lo: Offset,
    size: Offset,
    alignment: Offset,
    conflicts: &[(Offset, Offset)],
) -> Offset {
    let mut at = align_up(lo, alignment);
    for &(bottom, top) in conflicts {
        if top <= at || bottom == top {
            continue;
        }
        if bottom >= at + size {
            break;
        }
        at = align_up(top, alignment);
    }
    at
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_aligned_buffer_the_tightest_blocks_cannot_hold_takes_a_roomier_block_before_the_top() {
        let mut blocks = Blocks::new();
        assert!(blocks.carve(0, 1000));
        // Nine blocks of 5 bytes, none with an 8-aligned spot for 4 bytes, and one of 100.
        for lo in [1, 11, 21, 33, 43, 50, 60, 70, 81] {
            blocks.free(lo, 5);
        }
        blocks.free(200, 100);
        // The first eight tightest blocks fail; the tightest with room for any alignment
        // (11 bytes or more) holds it, where it went on top (1000) before.
        assert_eq!(blocks.allocate_clear(4, 8, &[], 8), (200, 9));
        // An unaligned buffer takes the tightest block, and a conflict can still send one
        // on top.
        assert_eq!(blocks.allocate_clear(4, 1, &[], 8).0, 1);
        assert_eq!(blocks.allocate_clear(50, 8, &[(0, 1000)], 8).0, 1000);
    }
}
