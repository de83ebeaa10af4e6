//! Free memory as disjoint blocks, for the passes that sweep time forward (the online pass
//! and the peaks pass's fill): best fit among the bounded blocks, the unbounded one on top.
//!
//! A block's neighbours are found by hashing its ends rather than in an ordered map: these
//! passes run over whole traces of a million buffers, and the ordered map's inserts and
//! removals were most of their time.

use std::collections::{BTreeSet, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use crate::model::{align_up, Offset};

/// The top of the unbounded free block.
const UNBOUNDED: Offset = Offset::MAX;

/// Free memory as disjoint blocks `[lo, hi)`, one of them unbounded.
pub(super) struct Blocks {
    /// `lo -> hi` for every block.
    end_of: HashMap<Offset, Offset, Hash>,
    /// `hi -> lo` for the bounded blocks.
    start_of: HashMap<Offset, Offset, Hash>,
    /// `(hi - lo, lo)` for the bounded blocks: best fit.
    by_size: BTreeSet<(Offset, Offset)>,
    /// Where the unbounded block starts.
    top: Offset,
}

impl Blocks {
    pub(super) fn new() -> Blocks {
        let mut blocks = Blocks {
            end_of: HashMap::default(),
            start_of: HashMap::default(),
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
        self.end_of.insert(lo, hi);
        if hi == UNBOUNDED {
            self.top = lo;
        } else {
            self.start_of.insert(hi, lo);
            self.by_size.insert((hi - lo, lo));
        }
    }

    fn remove(&mut self, lo: Offset) -> Offset {
        let hi = self.end_of.remove(&lo).unwrap_or(lo);
        if hi != UNBOUNDED {
            self.start_of.remove(&hi);
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
            .map_or_else(
                || (self.top, lowest_clear(self.top, size, alignment, conflicts)),
                |(lo, at, _)| (lo, at),
            );
        self.take(lo, at, size);
        (at, tried)
    }

    /// Takes `[bottom, top)` out of free memory; `false` (and nothing taken) if it is not
    /// all free. Also says how many blocks it looked at: linear in the blocks, since only
    /// placed pieces (few) are carved, and the fill's budget counts them.
    pub(super) fn carve(&mut self, bottom: Offset, top: Offset) -> (bool, u64) {
        let mut looked_at = 1;
        let block = if self.top <= bottom {
            Some((self.top, UNBOUNDED))
        } else {
            self.by_size
                .iter()
                .inspect(|_| looked_at += 1)
                .map(|&(size, lo)| (lo, lo + size))
                .find(|&(lo, hi)| lo <= bottom && bottom < hi)
        };
        match block {
            Some((lo, hi)) if hi >= top => {
                self.take(lo, bottom, top - bottom);
                (true, looked_at)
            }
            _ => (false, looked_at),
        }
    }

    /// Takes whatever part of `[lo, hi)` is free out of free memory: the online pass keeps
    /// fixed buffers' ranges reserved for all time, and those ranges may overlap. Linear in
    /// the blocks, since only fixed buffers are reserved.
    pub(super) fn reserve(&mut self, lo: Offset, hi: Offset) {
        let mut overlapping: Vec<(Offset, Offset)> = self
            .by_size
            .iter()
            .map(|&(size, start)| (start, start + size))
            .filter(|&(start, end)| start < hi && end > lo)
            .collect();
        if self.top < hi {
            overlapping.push((self.top, UNBOUNDED));
        }
        for (start, end) in overlapping {
            self.remove(start);
            self.insert(start, lo.max(start));
            self.insert(hi, end);
        }
    }

    /// Gives `[at, at + size)` back, merged with the free blocks beside it.
    pub(super) fn free(&mut self, at: Offset, size: Offset) {
        let (mut lo, mut hi) = (at, at + size);
        if let Some(&before) = self.start_of.get(&at) {
            self.remove(before);
            lo = before;
        }
        if self.end_of.contains_key(&hi) {
            hi = self.remove(hi);
        }
        self.insert(lo, hi);
    }
}

/// A fast hash for offsets (no denial-of-service concern here): one multiplication, the
/// well-mixed high bits rotated down, since offsets are often multiples of a power of two.
type Hash = BuildHasherDefault<OffsetHasher>;

#[derive(Default)]
struct OffsetHasher(u64);

impl Hasher for OffsetHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u64(&mut self, value: u64) {
        self.0 = (self.0 ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i64(&mut self, value: i64) {
        self.write_u64(value as u64);
    }

    fn finish(&self) -> u64 {
        self.0.rotate_left(32)
    }
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
