//! The rules that end a node before its candidates are tried, and the hole-filling mode:
//! section inference (with the unallocated and canonical floors) and, in a component full to
//! the capacity, which hole to fill next.

use super::{Action, Candidate, Level, Search, UNPLACED};
use crate::model::Offset;
use crate::search::holes;
use crate::search::trace::Tracer;
use crate::sweep::Sweep;

/// What [`Flush::sides`] needs of a search: its sweep and floors, the hole's level and the
/// component's sections.
struct Flush<'a> {
    sweep: &'a Sweep,
    floor: &'a [Offset],
    level: Offset,
    lo: u32,
    hi: u32,
}

impl Flush<'_> {
    /// How many of the sections just beside `item`'s span (within `[lo, hi]`) have their
    /// floor where its top would be if it sat at `level`: 0, 1 or 2.
    fn sides(&self, item: u32) -> u32 {
        let entry = &self.sweep.items[item as usize];
        let top = self.level + entry.size;
        let (start, end) = entry.span;
        u32::from(start > self.lo && self.floor[start as usize - 1] == top)
            + u32::from(end < self.hi && self.floor[end as usize + 1] == top)
    }
}

/// Sorts hole fillers into the order tried: by rank, those flush with more sides first when
/// `flush` is given. Not generic, so the traced and the plain search share one copy of the
/// sort (wasm size, see crate::sort).
fn sort_fillers(fillers: &mut [Candidate], flush: Option<Flush>) {
    fillers.sort_unstable_by_key(|c| {
        let sides = flush.as_ref().map_or(0, |flush| flush.sides(c.item));
        (2 - sides, c.rank)
    });
}

impl<T: Tracer> Search<'_, T> {
    /// Whether every open section of `[lo, hi]` is full: its floor plus its unplaced sizes
    /// is the capacity, so no packing of what is left may waste any room there. Placing
    /// keeps a full component full (a placement that wastes room fails section inference).
    pub(super) fn full(&self, lo: u32, hi: u32) -> bool {
        self.switches.fill_holes
            && self.switches.section_inference
            && self.plain
            && (lo..=hi).all(|section| {
                let section = section as usize;
                self.open[section] == 0
                    || self.floor[section] + self.total[section] == self.capacity
            })
    }

    /// Branches on which item fills a hole of a full component: among the open sections at
    /// the lowest floor `L`, the one with fewest items that can sit at `L` there (those whose
    /// lowest offset is `L`), tried in rank order. No room may be wasted, so some item
    /// covers that section just above `L`; every packing is reached once, by the item it
    /// has there. Offsets never go down along a path (`L` never does), so an item's lowest
    /// offset stays the lowest above its placed neighbours. A section with no such item
    /// ends the node.
    pub(super) fn fill_hole(&mut self, lo: u32, hi: u32, first: usize) -> Action {
        self.push_hole_fillers(lo, hi, first);
        self.open_node(lo, hi, first)
    }

    /// The candidates of [`Search::fill_hole`], pushed from `first` on in the order tried.
    pub(super) fn push_hole_fillers(&mut self, lo: u32, hi: u32, first: usize) {
        let sweep = self.sweep;
        let lowest = (lo..=hi)
            .filter(|&section| self.open[section as usize] > 0)
            .map(|section| self.floor[section as usize])
            .min()
            .expect("a component with an unplaced item has an open section");
        let mut best: Option<(u32, Option<u32>, usize)> = None;
        for section in lo..=hi {
            if self.open[section as usize] == 0 || self.floor[section as usize] != lowest {
                continue;
            }
            let below = self.below(section, lowest);
            let fillers = sweep.sections[section as usize]
                .iter()
                .filter(|m| self.fills(m.id, lowest, below))
                .count();
            if best.map_or(true, |(_, _, count)| fillers < count) {
                best = Some((section, below, fillers));
                if fillers <= 1 {
                    break;
                }
            }
        }
        let (section, below, _) = best.expect("some open section is at the lowest floor");
        // A search of limited discrepancies trusts its first candidates most: it tries
        // first the fillers whose top is flush with the floor of a section beside them (so
        // does the portfolio's flush lane, an ordinary search).
        let limited = self.flush_first;
        for m in &sweep.sections[section as usize] {
            let item = m.id;
            if self.fills(item, lowest, below) {
                let rank = self.rank[item as usize];
                self.candidates.push(Candidate {
                    offset: lowest,
                    rank,
                    item,
                });
            }
        }
        let flush = limited.then_some(Flush {
            sweep,
            floor: &self.floor,
            level: lowest,
            lo,
            hi,
        });
        sort_fillers(&mut self.candidates[first..], flush);
    }

    /// Section inference: in every section of the component, the unplaced members must fit
    /// between the section's floor and the capacity. Returns the first section where they do
    /// not, with its floor.
    pub(super) fn section_over(&self, lo: u32, hi: u32) -> Option<(u32, Offset)> {
        for section in lo as usize..=hi as usize {
            if self.open[section] == 0 {
                continue;
            }
            let mut floor = self.floor[section];
            if self.switches.monotonic_floor {
                floor = floor.max(self.level.offset);
            }
            if self.switches.unallocated_floor {
                // The floor matters only if it rises above `room`: one unplaced member at or
                // below it settles that the section holds, and ends the scan. Only a prune
                // needs the exact floor (for its trace), and it scans everything anyway.
                // Each member counts from where it can still go (`reachable`: its lowest
                // offset, or past the canonical level with the canonical floor).
                let room = self.capacity - self.total[section];
                let mut lowest = Offset::MAX;
                for m in &self.sweep.sections[section] {
                    if self.offset[m.id as usize] != UNPLACED {
                        continue;
                    }
                    let bottom = self.reachable(m.id) + m.bottom;
                    if bottom <= room && floor <= room {
                        lowest = bottom;
                        break;
                    }
                    lowest = lowest.min(bottom);
                }
                if lowest != Offset::MAX {
                    floor = floor.max(lowest);
                }
            }
            if floor + self.total[section] > self.capacity {
                return Some((section as u32, floor));
            }
        }
        None
    }

    /// The lowest offset an unplaced item can still take below the component: its lowest
    /// offset, or with the canonical floor, past the canonical level when the item sorts
    /// before it there (every later placement comes after the level in (offset, rank)).
    #[inline(always)]
    pub(super) fn reachable(&self, item: u32) -> Offset {
        let base = self.base[item as usize];
        if !self.switches.canonical_floor || self.holes {
            return base;
        }
        let rank = self.rank[item as usize] as i64;
        let level = self.level;
        if (Level { offset: base, rank }) > level {
            base
        } else if rank > level.rank {
            level.offset
        } else {
            level.offset + 1
        }
    }

    /// Whether some section of the full component `[lo, hi]` can never be covered at its
    /// floor (see [`holes::unfillable_floor`]).
    pub(super) fn unfillable(&mut self, lo: u32, hi: u32, touched: Option<(u32, u32)>) -> bool {
        let view = holes::View {
            sweep: self.sweep,
            offset: &self.offset,
            base: &self.base,
            floor: &self.floor,
            total: &self.total,
        };
        holes::unfillable_floor(&view, lo, hi, touched, &mut self.ledges).is_some()
    }

    /// With ordered stacks, the item whose top is at `level` in `section` (see
    /// [`holes::below`]).
    pub(super) fn below(&self, section: u32, level: Offset) -> Option<u32> {
        if !self.switches.ordered_stacks {
            return None;
        }
        holes::below(self.sweep, &self.offset, section, level)
    }

    /// Whether `item` can fill a hole at `level` on top of `below`: unplaced, its lowest
    /// offset there, and with ordered stacks not out of order on top of `below`.
    pub(super) fn fills(&self, item: u32, level: Offset, below: Option<u32>) -> bool {
        self.offset[item as usize] == UNPLACED
            && self.base[item as usize] == level
            && !below
                .is_some_and(|below| holes::out_of_order(self.sweep, &self.stack_key, below, item))
    }
}
