//! The rules that end a node before its candidates are tried, and the hole-filling mode:
//! section inference (with the unallocated and canonical floors) and, in a component full to
//! the capacity, which hole to fill next.

use super::{Action, Candidate, Level, Search, UNPLACED};
use crate::model::Offset;
use crate::search::holes;
use crate::search::stacks::{Piece, Stacks, ANY_OFFSET, MOST_MEMBERS};
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
            if best.is_none_or(|(_, _, count)| fillers < count) {
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
    /// not, with its floor. On the way, with aligned stacks outside hole filling, lists the
    /// sections [`Search::unstackable`] is to look at (one pass over the sections, not two:
    /// a component may have thousands).
    pub(super) fn section_over(&mut self, lo: u32, hi: u32) -> Option<(u32, Offset)> {
        let mut stacks = if self.holes { None } else { self.stacks.take() };
        if let Some(stacks) = &mut stacks {
            stacks.tight.clear();
        }
        let over = self.section_over_listing(lo, hi, stacks.as_deref_mut());
        if stacks.is_some() {
            self.stacks = stacks;
        }
        over
    }

    fn section_over_listing(
        &self,
        lo: u32,
        hi: u32,
        mut stacks: Option<&mut Stacks>,
    ) -> Option<(u32, Offset)> {
        for section in lo as usize..=hi as usize {
            if self.open[section] == 0 {
                continue;
            }
            let mut floor = self.floor[section];
            if self.switches.monotonic_floor {
                floor = floor.max(self.level.offset);
            }
            if let Some(stacks) = &mut stacks {
                // Only where an alignment, a fixed buffer or no slack at all can make the
                // order of the stack matter (see `unstackable`). The room fixed buffers
                // take counts as spent: a cue where to look, never a reason to prune.
                let slack = self.capacity - floor - self.total[section];
                let free = slack - self.sweep.fixed_load(section);
                let (alignment, fixed_size) = stacks.hints[section];
                if (slack == 0 || alignment > 1 + free || fixed_size > free)
                    && self.open[section] as usize <= MOST_MEMBERS
                {
                    stacks.tight.push((section as u32, floor));
                }
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

    /// Aligned stacks (see [`crate::search::stacks`]): whether some section that
    /// [`Search::section_over`] listed just before (less free room than one of its members'
    /// alignments, or than a member fixed buffers keep from some offsets, or no slack)
    /// cannot stack its unplaced members in its room.
    pub(super) fn unstackable(&mut self) -> bool {
        let Some(mut stacks) = self.stacks.take() else {
            return false;
        };
        stacks.grant();
        let mut dead = false;
        let tight = std::mem::take(&mut stacks.tight);
        // Every member goes at or above the floor and, in canonical order, the level: the
        // floor section inference listed the section with.
        for &(section, floor) in &tight {
            let section = section as usize;
            let slack = self.capacity - floor - self.total[section];
            let free = slack - self.sweep.fixed_load(section);
            stacks.pieces.clear();
            let mut ordered = false;
            for m in &self.sweep.sections[section] {
                let item = m.id as usize;
                if self.offset[item] != UNPLACED {
                    continue;
                }
                // Its piece starts at or above the floor; with a raised window its offset
                // may lie below it.
                let release = self.reachable(m.id).max(floor - m.bottom);
                let entry = &self.sweep.items[item];
                let fixed = !entry.forbidden.is_empty();
                // Order matters only where a member cannot start right on any top: its
                // alignment, or a fixed buffer in the way of one larger than the free room,
                // may leave a gap the slack cannot take.
                ordered |= (fixed && entry.size > free)
                    || entry.alignment > 1 + free
                    || (slack == 0 && release + m.bottom > floor);
                // A member occupies `[offset + bottom, offset + top)` here: its whole size
                // but for a gap's raised window.
                stacks.pieces.push(Piece {
                    release,
                    bottom: m.bottom,
                    size: m.top - m.bottom,
                    alignment: entry.alignment,
                    item: if fixed { m.id } else { ANY_OFFSET },
                    cost: 1 + (entry.forbidden.len() / 8) as u32,
                });
            }
            if ordered
                && !stacks.section_stackable(section, floor, self.capacity, &|item, from| {
                    self.lowest_legal(item, from)
                })
            {
                dead = true;
                break;
            }
        }
        stacks.tight = tight;
        self.stacks = Some(stacks);
        dead
    }

    /// Release floors in the full component `[lo, hi]`: every unplaced member of a section
    /// rests at or above its lowest offset (its *release*; raised above the section's floor
    /// when a section of its span has a higher floor), so for every release `b` the members
    /// released at `b` or higher must fit in `[b, capacity)`. Returns the first section
    /// where they do not, with `b` and their total. The floor check is the case of the
    /// lowest release; a full section passes it with nothing to spare, so only releases
    /// above its floor can fail, and only when their highest plus their total passes the
    /// capacity are the levels looked at.
    ///
    /// After a placement (`touched`) only sections where an item the placement raised is now
    /// above the floor are looked at: the parent passed everywhere, releases only rose for
    /// those items, and a rise to a section's floor leaves the sum above every level there
    /// as it was (the placed item, released at the lowest floor, counted at no level above).
    pub(super) fn release_over(
        &mut self,
        lo: u32,
        hi: u32,
        touched: bool,
    ) -> Option<(u32, Offset, Offset)> {
        #[cfg(test)]
        let touched = touched && !self.release_everywhere;
        let mut sections = std::mem::take(&mut self.release_sections);
        sections.clear();
        if touched {
            self.release_stamp += 1;
            let stamp = self.release_stamp;
            for &item in self.risen.as_deref().unwrap_or_default() {
                if self.offset[item as usize] != UNPLACED {
                    continue;
                }
                let release = self.base[item as usize];
                let (first, last) = self.sweep.items[item as usize].span;
                for section in first.max(lo)..=last.min(hi) {
                    let at = section as usize;
                    if self.floor[at] < release && self.release_stamps[at] != stamp {
                        self.release_stamps[at] = stamp;
                        sections.push(section);
                    }
                }
            }
        } else {
            sections.extend(lo..=hi);
        }
        let mut releases = std::mem::take(&mut self.releases);
        let mut over = None;
        for &section in &sections {
            let section = section as usize;
            if self.open[section] == 0 {
                continue;
            }
            let floor = self.floor[section];
            // Releases are floors of nearby sections: few distinct levels, so the members are
            // summed per level in a short list kept sorted by insertion instead of sorted.
            releases.clear();
            let (mut highest, mut above) = (Offset::MIN, 0);
            for m in &self.sweep.sections[section] {
                let item = m.id as usize;
                if self.offset[item] != UNPLACED || self.base[item] <= floor {
                    continue;
                }
                let (release, size) = (self.base[item] + m.bottom, m.top - m.bottom);
                highest = highest.max(release);
                above += size;
                match releases.iter().position(|&(level, _)| level >= release) {
                    Some(at) if releases[at].0 == release => releases[at].1 += size,
                    Some(at) => releases.insert(at, (release, size)),
                    None => releases.push((release, size)),
                }
            }
            if releases.is_empty() || highest + above <= self.capacity {
                continue;
            }
            let mut total = 0;
            for &(release, size) in releases.iter().rev() {
                total += size;
                if release + total > self.capacity {
                    over = Some((section as u32, release, total));
                    break;
                }
            }
            if over.is_some() {
                break;
            }
        }
        self.releases = releases;
        self.release_sections = sections;
        over
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

#[cfg(test)]
mod tests {
    use super::super::testing::cut_rectangle;
    use super::super::{Search, Step};
    use crate::model::{Offset, Problem, Solution};
    use crate::params::SolverParams;
    use crate::search::preorder::key_table;
    use crate::sweep::Sweep;
    use crate::validate::validate;

    /// One ordering's search at the problem's capacity (its height: full everywhere), cut
    /// after about 20,000 nodes: how it ended, its nodes and backtracks, the packing, and how
    /// many nodes release floors ended.
    fn search(
        problem: &Problem,
        params: &SolverParams,
        everywhere: bool,
    ) -> ((Step, u64, u64, Vec<Offset>), u64) {
        let capacity = problem.capacity;
        let sweep = Sweep::new(problem);
        let keys = key_table(problem, &sweep);
        let ordering = params.preordering_heuristics.first().cloned();
        let mut search = Search::new(&sweep, &keys, ordering, params, capacity);
        search.release_everywhere = everywhere;
        // At most about 20,000 nodes: the same cut for both ways of checking, which visit
        // the same nodes.
        let mut nodes = 0;
        let step = search.run(u64::MAX, &mut |delta, _| {
            nodes += delta;
            nodes > 20_000
        });
        let mut offsets = vec![0; problem.buffers.len()];
        for (item, &offset) in sweep.items.iter().zip(search.item_offsets()) {
            offsets[item.index] = offset;
        }
        if step == Step::Solved {
            let solution = Solution::from_offsets(problem, offsets.clone());
            validate(problem, &solution).unwrap();
            assert!(solution.height <= capacity);
        }
        let prunes = search.release_prunes;
        ((step, search.nodes, search.backtracks, offsets), prunes)
    }

    /// After a placement release floors looks only at the sections where an item it raised
    /// is above the floor; looking at every section prunes exactly the same nodes. Without
    /// the rule the searches decide the same way, with more nodes where it pruned.
    #[test]
    fn release_floors_after_a_placement_miss_nothing_a_full_check_finds() {
        let on = SolverParams::default();
        let off = SolverParams {
            release_floors: false,
            ..SolverParams::default()
        };
        let (mut prunes, mut saved) = (0, 0);
        for seed in 0..100 {
            let problem = cut_rectangle(seed, 30 + seed as usize % 90);
            let (narrow, pruned) = search(&problem, &on, false);
            let (everywhere, _) = search(&problem, &on, true);
            assert_eq!(narrow, everywhere, "seed {seed}");
            let (without, _) = search(&problem, &off, false);
            if narrow.0 != Step::Stopped && without.0 != Step::Stopped {
                assert_eq!(narrow.0, without.0, "seed {seed}");
            }
            prunes += pruned;
            saved += u64::from(narrow.1 < without.1);
        }
        // The test means something only if the rule pruned, and saved nodes somewhere.
        assert!(
            prunes > 1000 && saved > 3,
            "{prunes} prunes, {saved} searches shorter"
        );
        println!("{prunes} nodes pruned by release floors; {saved} searches shorter");
    }
}
