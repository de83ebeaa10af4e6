//! Where an item may sit: its lowest legal offset (aligned, clear of fixed buffers and, with
//! raised pieces, of its placed neighbours), and with raised items the higher offsets a
//! packing of least offset sum may still need.

use super::{Candidate, Level, Search, Switches, UNPLACED};
use crate::model::{align_up, Offset};
use crate::search::trace::Tracer;
use crate::sweep::Sweep;

impl<T: Tracer> Search<'_, T> {
    /// With raised items, the offsets above its lowest that a raised item may hold in a
    /// packing of least offset sum. There, an item placed in offset order sits at its
    /// lowest offset unless a buffer placed *after* it holds it up, which only a buffer
    /// beneath one of its raised pieces can do; which offset that is depends on buffers not
    /// yet placed, so every legal offset is tried, up to the lowest top of an unplaced item
    /// when dominance is on (higher ones are dominated) or the capacity otherwise.
    pub(super) fn push_raised_offsets(&mut self, members: &[u32], lowest_top: Offset) {
        let limit = if self.switches.dominance {
            lowest_top
        } else {
            self.capacity
        };
        for &item in members {
            let entry = &self.sweep.items[item as usize];
            if self.offset[item as usize] != UNPLACED
                || !entry.raised
                || self.open_neighbours[item as usize] == 0
            {
                // With no unplaced neighbour nothing can hold it up: its lowest offset is
                // the only one.
                continue;
            }
            let (size, rank) = (entry.size, self.rank[item as usize]);
            let mut offset = self.base[item as usize];
            loop {
                offset = self.lowest_offset(item, offset + 1);
                if offset >= limit || offset + size > self.capacity {
                    break;
                }
                let after_level = Level {
                    offset,
                    rank: rank as i64,
                } > self.level;
                if !self.switches.canonical || after_level {
                    self.candidates.push(Candidate { offset, rank, item });
                }
            }
        }
    }

    /// The lowest offset at or above `from` where `item` may sit: aligned, clear of fixed
    /// buffers and, with raised items, clear of every placed neighbour's pieces (without
    /// them, `from` is already above every placed neighbour).
    #[inline(always)]
    pub(super) fn lowest_offset(&self, item: u32, from: Offset) -> Offset {
        let offset = self.lowest_legal(item, from);
        if self.sweep.tuck {
            self.clear_of_placed(item, offset)
        } else {
            offset
        }
    }

    /// The lowest legal offset at or above `offset` clear of every placed neighbour's pieces.
    /// Out of line: problems without raised pieces (nearly all) never come here, and the
    /// search's inner loop stays as compact as before.
    #[inline(never)]
    pub(super) fn clear_of_placed(&self, item: u32, mut offset: Offset) -> Offset {
        let clearances = &self.sweep.items[item as usize].clearances;
        loop {
            let mut moved = false;
            for &(other, lo, hi) in clearances {
                let at = self.offset[other as usize];
                if at != UNPLACED && at + lo <= offset && offset < at + hi {
                    offset = self.lowest_legal(item, at + hi);
                    moved = true;
                }
            }
            if !moved {
                return offset;
            }
        }
    }

    /// The lowest offset at or above `from` that is aligned and clear of fixed buffers.
    #[inline(always)]
    pub(super) fn lowest_legal(&self, item: u32, from: Offset) -> Offset {
        let item = &self.sweep.items[item as usize];
        let mut offset = align_up(from.max(0), item.alignment);
        // One pass in order of `lo`: once a range starts above the offset, so do all the
        // rest, and a range that held the offset up can only have moved it past ranges
        // already seen or into ones still ahead.
        for &(lo, hi) in &item.forbidden {
            if lo > offset {
                break;
            }
            if offset < hi {
                offset = align_up(hi, item.alignment);
            }
        }
        offset
    }
}

/// How many offsets above the lowest the raised items may have to try at one node: per
/// raised item with neighbours, its size (dominance cuts higher ones) or the room below the
/// capacity, in steps of its alignment.
pub(super) fn raised_offsets(sweep: &Sweep, switches: Switches, capacity: Offset) -> u64 {
    sweep
        .items
        .iter()
        .filter(|item| item.raised && !item.neighbours.is_empty())
        .map(|item| {
            let room = if switches.dominance {
                item.size
            } else {
                capacity - item.size
            };
            (room.max(0) / item.alignment.max(1)) as u64 + 1
        })
        .fold(0u64, u64::saturating_add)
}
