//! Free memory as disjoint blocks, for the passes that sweep time forward (the online pass
//! and the peaks pass's fill): best fit among the bounded blocks, the unbounded one on top.

use std::collections::BTreeSet;

use crate::hash::PairMap;
use crate::model::{align_up, Offset};
use crate::sort::sort_pairs;

/// The top of the unbounded free block.
const UNBOUNDED: Offset = Offset::MAX;

/// Up to this many bounded blocks live in one vector by start ([`Bounded::Few`]); past it,
/// in the hashed and ordered index ([`Bounded::Many`]) for good. On long traces the sweep
/// has a few dozen blocks at a time (a million-buffer `huge` trace: 41 on average, 69 at
/// most), where a scan for the tightest and updates in place cost a fraction of an ordered
/// set's and two hash tables' work; crowded traces (thousands of buffers live) need the
/// index.
const FEW: usize = 128;

/// Free memory as disjoint blocks `[lo, hi)`, one of them unbounded.
pub(super) struct Blocks {
    bounded: Bounded,
    /// Where the unbounded block starts.
    top: Offset,
    /// Candidate blocks `(size, lo)`, reused from call to call.
    scratch: Vec<(Offset, Offset)>,
}

/// The bounded blocks, in one of two forms that answer every question alike.
enum Bounded {
    /// `(lo, hi)` by `lo`.
    Few(Vec<(Offset, Offset)>),
    Many(Indexed),
}

/// The bounded blocks indexed for many of them.
///
/// A block's neighbours are found by hashing its ends, not in an ordered map: the sweep runs
/// over whole traces of a million buffers, and an ordered map's inserts and removals were
/// most of its time. The tables are keyed by an offset's two 32-bit halves, the key type
/// the exact search's sweep hashes too (`crate::hash`), so that the WebAssembly module
/// holds one copy of the hash table's code.
#[derive(Default)]
struct Indexed {
    /// `lo -> hi`.
    end_of: PairMap,
    /// `hi -> lo`.
    start_of: PairMap,
    /// `(hi - lo, lo)`: best fit.
    by_size: BTreeSet<(Offset, Offset)>,
}

impl Bounded {
    fn insert(&mut self, lo: Offset, hi: Offset) {
        match self {
            Bounded::Few(by_lo) => {
                by_lo.insert(by_lo.partition_point(|&(l, _)| l < lo), (lo, hi));
                if by_lo.len() > FEW {
                    let mut many = Indexed::default();
                    for &(lo, hi) in by_lo.iter() {
                        many.insert(lo, hi);
                    }
                    *self = Bounded::Many(many);
                }
            }
            Bounded::Many(many) => many.insert(lo, hi),
        }
    }

    /// Removes the block starting at `lo`, if there is one, and says where it ended.
    fn remove(&mut self, lo: Offset) -> Option<Offset> {
        match self {
            Bounded::Few(by_lo) => {
                let at = by_lo.binary_search_by_key(&lo, |&(l, _)| l).ok()?;
                Some(by_lo.remove(at).1)
            }
            Bounded::Many(many) => {
                let hi = many.end_of.remove(&key(lo))?;
                many.start_of.remove(&key(hi));
                many.by_size.remove(&(hi - lo, lo));
                Some(hi)
            }
        }
    }

    /// Makes the block starting at `lo` into `[new_lo, new_hi)`, which must lie between the
    /// same neighbours (a block shrunk, or grown over free room beside it): in place.
    fn reshape(&mut self, lo: Offset, (new_lo, new_hi): (Offset, Offset)) {
        match self {
            Bounded::Few(by_lo) => {
                if let Ok(at) = by_lo.binary_search_by_key(&lo, |&(l, _)| l) {
                    by_lo[at] = (new_lo, new_hi);
                }
            }
            Bounded::Many(_) => {
                self.remove(lo);
                self.insert(new_lo, new_hi);
            }
        }
    }

    /// The end of the block starting at `lo`, if there is one.
    fn end_of(&self, lo: Offset) -> Option<Offset> {
        match self {
            Bounded::Few(by_lo) => by_lo
                .binary_search_by_key(&lo, |&(l, _)| l)
                .ok()
                .map(|at| by_lo[at].1),
            Bounded::Many(many) => many.end_of.get(&key(lo)).copied(),
        }
    }

    /// The start of the block ending at `hi`, if there is one.
    fn ending_at(&self, hi: Offset) -> Option<Offset> {
        match self {
            Bounded::Few(by_lo) => {
                let at = by_lo.partition_point(|&(l, _)| l < hi);
                let &(lo, end) = by_lo.get(at.checked_sub(1)?)?;
                (end == hi).then_some(lo)
            }
            Bounded::Many(many) => many.start_of.get(&key(hi)).copied(),
        }
    }

    /// The block holding `offset`, if any.
    fn holding(&self, offset: Offset) -> Option<(Offset, Offset)> {
        match self {
            Bounded::Few(by_lo) => {
                let at = by_lo.partition_point(|&(l, _)| l <= offset);
                let &(lo, hi) = by_lo.get(at.checked_sub(1)?)?;
                (offset < hi).then_some((lo, hi))
            }
            // Linear in the blocks, but only placed pieces (few) are carved.
            Bounded::Many(many) => many
                .by_size
                .iter()
                .map(|&(size, lo)| (lo, lo + size))
                .find(|&(lo, hi)| lo <= offset && offset < hi),
        }
    }

    /// The least `(hi - lo, lo)` of the blocks with `hi - lo >= size`.
    fn tightest(&self, size: Offset) -> Option<(Offset, Offset)> {
        match self {
            Bounded::Few(by_lo) => {
                // `block - size` as unsigned: a block too small wraps to above any block
                // that fits, so the least of it is the tightest fit, one compare a block.
                // Four lanes take every fourth block, so that each compare need not wait on
                // the one before (the online pass over a million-buffer `huge` trace: 0.29
                // -> 0.27 s). By start within a lane, so a lane's first of the least size
                // has its lowest start, and the lanes meet by `(slack, start)`. Selects, not
                // branches: which block is tighter is a coin toss, and the branches'
                // mispredictions were most of the scan's time.
                let mut lanes = [(u64::MAX, 0); 4];
                let tighter = |lane: &mut (u64, Offset), &(lo, hi): &(Offset, Offset)| {
                    let slack = (hi - lo).wrapping_sub(size) as u64;
                    let better = slack < lane.0;
                    lane.0 = std::hint::select_unpredictable(better, slack, lane.0);
                    lane.1 = std::hint::select_unpredictable(better, lo, lane.1);
                };
                let mut chunks = by_lo.chunks_exact(4);
                for chunk in &mut chunks {
                    lanes.iter_mut().zip(chunk).for_each(|(l, b)| tighter(l, b));
                }
                (lanes.iter_mut().zip(chunks.remainder())).for_each(|(l, b)| tighter(l, b));
                let (slack, start) = lanes.into_iter().min()?;
                let least = (slack as Offset).wrapping_add(size);
                (least >= size).then_some((least, start))
            }
            Bounded::Many(many) => many.by_size.range((size, Offset::MIN)..).next().copied(),
        }
    }

    /// Puts `(hi - lo, lo)` of the blocks with `hi - lo >= size` into `out`, tightest first.
    fn by_size(&self, size: Offset, out: &mut Vec<(Offset, Offset)>) {
        out.clear();
        match self {
            Bounded::Few(by_lo) => {
                out.extend(
                    by_lo
                        .iter()
                        .map(|&(lo, hi)| (hi - lo, lo))
                        .filter(|&(block, _)| block >= size),
                );
                sort_pairs(out);
            }
            Bounded::Many(many) => out.extend(many.by_size.range((size, Offset::MIN)..)),
        }
    }
}

impl Indexed {
    fn insert(&mut self, lo: Offset, hi: Offset) {
        self.end_of.insert(key(lo), hi);
        self.start_of.insert(key(hi), lo);
        self.by_size.insert((hi - lo, lo));
    }
}

/// Free memory as it stood at one point of a sweep, to take the sweep up again from there
/// ([`Blocks::thawed`]): the bounded blocks `(lo, hi)` by `lo`, and where the unbounded one
/// starts.
#[derive(Clone, Debug, PartialEq)]
pub(super) struct Frozen {
    bounded: Vec<(Offset, Offset)>,
    top: Offset,
}

#[cfg(test)]
impl Frozen {
    /// How many bounded blocks there were.
    pub(super) fn len(&self) -> usize {
        self.bounded.len()
    }
}

impl Blocks {
    pub(super) fn new() -> Blocks {
        Blocks {
            bounded: Bounded::Few(Vec::new()),
            top: 0,
            scratch: Vec::new(),
        }
    }

    /// How many bounded blocks there are.
    pub(super) fn len(&self) -> usize {
        match &self.bounded {
            Bounded::Few(by_lo) => by_lo.len(),
            Bounded::Many(many) => many.by_size.len(),
        }
    }

    /// The blocks as they stand. (Blocks are whole free ranges, never two side by side, so
    /// this is the same for the same memory taken, however it came to be taken.)
    pub(super) fn frozen(&self) -> Frozen {
        let bounded = match &self.bounded {
            Bounded::Few(by_lo) => by_lo.clone(),
            Bounded::Many(many) => {
                let mut by_lo: Vec<(Offset, Offset)> = many
                    .by_size
                    .iter()
                    .map(|&(size, lo)| (lo, lo + size))
                    .collect();
                sort_pairs(&mut by_lo);
                by_lo
            }
        };
        Frozen {
            bounded,
            top: self.top,
        }
    }

    /// The blocks `frozen` holds (in whichever form their number calls for, which answers
    /// every question as the other would).
    pub(super) fn thawed(frozen: &Frozen) -> Blocks {
        let mut blocks = Blocks::new();
        for &(lo, hi) in &frozen.bounded {
            blocks.bounded.insert(lo, hi);
        }
        blocks.top = frozen.top;
        blocks
    }

    /// Takes `[at, at + size)` out of the block starting at `lo`.
    fn take(&mut self, lo: Offset, at: Offset, size: Offset) {
        if lo == self.top {
            if lo < at {
                self.bounded.insert(lo, at);
            }
            self.top = at + size;
            return;
        }
        if let Bounded::Few(by_lo) = &mut self.bounded {
            // One search for the block, then changes in place (the sweep's hot path).
            let Ok(index) = by_lo.binary_search_by_key(&lo, |&(l, _)| l) else {
                return;
            };
            let hi = by_lo[index].1;
            let (below, above) = ((lo, at), (at + size, hi));
            match (below.0 < below.1, above.0 < above.1) {
                (true, true) => {
                    by_lo[index] = below;
                    self.bounded.insert(above.0, above.1);
                }
                (true, false) => by_lo[index] = below,
                (false, true) => by_lo[index] = above,
                (false, false) => {
                    by_lo.remove(index);
                }
            }
            return;
        }
        let Some(hi) = self.bounded.end_of(lo) else {
            return;
        };
        let (below, above) = ((lo, at), (at + size, hi));
        match (below.0 < below.1, above.0 < above.1) {
            (true, true) => {
                self.bounded.reshape(lo, below);
                self.bounded.insert(above.0, above.1);
            }
            (true, false) => self.bounded.reshape(lo, below),
            (false, true) => self.bounded.reshape(lo, above),
            (false, false) => {
                self.bounded.remove(lo);
            }
        }
    }

    /// The tightest of the first `tries` bounded blocks with an aligned spot for `size` clear
    /// of every range in `conflicts` (sorted by bottom), else the lowest such spot in the
    /// unbounded block; taken, and returned with the number of blocks tried.
    ///
    /// Blocks are tried in order of `(size, lo)`. The tightest nearly always has the spot
    /// (no conflicts, alignment 1), so the others are put in order only when it does not.
    pub(super) fn allocate_clear(
        &mut self,
        size: Offset,
        alignment: Offset,
        conflicts: &[(Offset, Offset)],
        tries: usize,
    ) -> (Offset, u64) {
        let mut tried = 0;
        let spot = |(block, lo): (Offset, Offset)| {
            let at = lowest_clear(lo, size, alignment, conflicts);
            (at + size <= lo + block).then_some((lo, at))
        };
        let mut found = None;
        if let Some(tightest) = self.bounded.tightest(size).filter(|_| tries > 0) {
            tried += 1;
            found = spot(tightest);
            if found.is_none() && tries > 1 {
                let mut order = std::mem::take(&mut self.scratch);
                self.bounded.by_size(size, &mut order);
                found = order[1..]
                    .iter()
                    .take(tries - 1)
                    .inspect(|_| tried += 1)
                    .find_map(|&block| spot(block));
                self.scratch = order;
            }
        }
        // The tightest blocks had no aligned spot: the tightest block with room for any
        // alignment has one (clear of conflicts, it may still have none).
        let found = found.or_else(|| {
            let roomy = self.bounded.tightest(size.saturating_add(alignment - 1))?;
            tried += 1;
            spot(roomy)
        });
        let (lo, at) =
            found.unwrap_or_else(|| (self.top, lowest_clear(self.top, size, alignment, conflicts)));
        self.take(lo, at, size);
        (at, tried)
    }

    /// Takes `[bottom, top)` out of free memory; `false` (and nothing taken) if it is not
    /// all free. An empty range takes nothing.
    pub(super) fn carve(&mut self, bottom: Offset, top: Offset) -> bool {
        if bottom >= top {
            return true;
        }
        let block = if self.top <= bottom {
            Some((self.top, UNBOUNDED))
        } else {
            self.bounded.holding(bottom)
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
        let (lo, hi) = (at, at + size);
        if let Bounded::Few(by_lo) = &mut self.bounded {
            // Its neighbours are on either side of where it would go: one search for both.
            let next = by_lo.partition_point(|&(l, _)| l < lo);
            let below = next.checked_sub(1).filter(|&b| by_lo[b].1 == lo);
            if hi == self.top {
                self.top = match below {
                    Some(below) => by_lo.remove(below).0,
                    None => lo,
                };
                return;
            }
            let above = (by_lo.get(next).is_some_and(|&(l, _)| l == hi)).then_some(next);
            match (below, above) {
                (Some(below), Some(above)) => {
                    by_lo[below].1 = by_lo[above].1;
                    by_lo.remove(above);
                }
                (Some(below), None) => by_lo[below].1 = hi,
                (None, Some(above)) => by_lo[above].0 = lo,
                (None, None) => self.bounded.insert(lo, hi),
            }
            return;
        }
        let below = self.bounded.ending_at(lo);
        if hi == self.top {
            if let Some(below) = below {
                self.bounded.remove(below);
                self.top = below;
            } else {
                self.top = lo;
            }
            return;
        }
        let above = self.bounded.end_of(hi);
        match (below, above) {
            (Some(below), Some(above)) => {
                self.bounded.remove(hi);
                self.bounded.reshape(below, (below, above));
            }
            (Some(below), None) => self.bounded.reshape(below, (below, hi)),
            (None, Some(above)) => self.bounded.reshape(hi, (lo, above)),
            (None, None) => self.bounded.insert(lo, hi),
        }
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
mod tests;
